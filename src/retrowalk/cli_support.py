"""Moved to :mod:`retrowalk.cli.support`; this name stays while callers move."""

from retrowalk.cli.support import (
    LOCAL_EMAIL,
    exit_with_error,
    local_account,
    local_person,
    local_services,
    user_errors,
)

__all__ = [
    "LOCAL_EMAIL",
    "exit_with_error",
    "local_account",
    "local_person",
    "local_services",
    "user_errors",
]

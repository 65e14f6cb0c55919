"""Password rules for new passwords.

Passwords follow NIST SP 800-63B (Grassi et al. 2017, "Digital Identity
Guidelines: Authentication and Lifecycle Management", section 5.1.1.2): a
minimum length, no composition rules, and a check against a list of commonly
used passwords.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

from retrowalk.core.errors import InputError

__all__ = ["MAX_PASSWORD", "MIN_PASSWORD", "check_password", "common_passwords"]

MIN_PASSWORD = 10
MAX_PASSWORD = 1024


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of commonly used passwords (lower case, without spaces)."""
    text = (files("retrowalk") / "data" / "accounts" / "common_passwords.txt").read_text()
    return frozenset(
        _canonical(line) for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def _canonical(password: str) -> str:
    return re.sub(r"\s+", "", password).lower()


def check_password(password: str, email: str = "") -> None:
    """Refuse a weak new password with a one-line :class:`InputError` (field ``password``)."""
    if not password.strip():
        raise InputError("password", "the password cannot be only spaces")
    if len(password) < MIN_PASSWORD:
        raise InputError("password", f"use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError("password", f"use at most {MAX_PASSWORD} characters")
    canonical = _canonical(password)
    if len(set(canonical)) < 3:
        raise InputError("password", "use more than two different characters")
    local = email.strip().lower().split("@", 1)[0]
    if canonical in common_passwords() or (local and canonical in (local, email.strip().lower())):
        raise InputError(
            "password", "this password is too common or too easy to guess; choose another"
        )

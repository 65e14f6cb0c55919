"""Moved to :mod:`retrowalk.app.services` (re-exported here for existing imports)."""

from retrowalk.app.accounts import (
    AuthError,
    ConflictError,
    RateLimitedError,
    SignInLimiter,
)
from retrowalk.app.export import ExportFile, csv_text
from retrowalk.app.services import DEMO_EMAIL, DEMO_PASSWORD, Services, seed_demo
from retrowalk.app.uploads import PLACEMENTS, TooLargeError
from retrowalk.store.repositories import NotFoundError

__all__ = [
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "PLACEMENTS",
    "AuthError",
    "ConflictError",
    "ExportFile",
    "NotFoundError",
    "RateLimitedError",
    "Services",
    "SignInLimiter",
    "TooLargeError",
    "csv_text",
    "seed_demo",
]

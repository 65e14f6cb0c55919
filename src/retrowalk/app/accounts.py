"""Accounts: sign-up, sign-in with a failed-attempt limiter, API tokens.

:class:`AccountsMixin` is part of :class:`retrowalk.app.services.Services`; it
uses the database and password hasher held there.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from retrowalk.errors import InputError, RetrowalkError
from retrowalk.store.db import Database
from retrowalk.store.repositories import Accounts, AccountScoped, token_needs_touch
from retrowalk.store.schemas import NewToken, TokenOut

__all__ = [
    "AccountsMixin",
    "AuthError",
    "ConflictError",
    "RateLimitedError",
    "SignInLimiter",
    "hash_token",
]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


class AuthError(RetrowalkError):
    """Wrong email or password, or an invalid token."""


class RateLimitedError(RetrowalkError):
    """Too many failed sign-ins; ``retry_after_s`` says when to try again."""

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} s")


class ConflictError(RetrowalkError):
    """The object exists already (an email, a duplicate recording)."""


class SignInLimiter:
    """Counts failed sign-ins per key (email, client address) in a sliding window.

    Parameters
    ----------
    max_failures
        Failures allowed within ``window_s`` before further attempts are refused.
    window_s
        Length of the window in seconds.
    """

    def __init__(self, max_failures: int = 5, window_s: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self.max_failures:
                    raise RateLimitedError(int(self.window_s - (now - times[0])) + 1)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of an API token (only the digest is stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


class AccountsMixin:
    """Sign-up, sign-in and API tokens (part of ``Services``)."""

    db: Database
    hasher: PasswordHasher
    limiter: SignInLimiter

    def sign_up(self, email: str, password: str) -> int:
        """Create an account; return its id."""
        email = email.strip().lower()
        if not EMAIL_RE.match(email):
            raise InputError("email", "enter a valid email address")
        if len(password) < MIN_PASSWORD:
            raise InputError("password", f"use at least {MIN_PASSWORD} characters")
        digest = self.hasher.hash(password)
        try:
            with self.db.transaction() as session:
                accounts = Accounts(session)
                if accounts.by_email(email) is not None:
                    raise ConflictError("an account with this email exists already")
                return accounts.add(email, digest).id
        except IntegrityError:
            raise ConflictError("an account with this email exists already") from None

    def sign_in(self, email: str, password: str, client: str = "") -> int:
        """Check a password; return the account id.

        Raises :class:`RateLimitedError` after too many failures for this email or client.
        """
        email = email.strip().lower()
        keys = (f"email:{email}", f"client:{client}")
        self.limiter.check(*keys)
        with self.db.read() as session:
            account = Accounts(session).by_email(email)
            stored = account.password_hash if account else None
            account_id = account.id if account else None
        ok = False
        if stored is not None:
            try:
                ok = self.hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            self.hasher.hash(password)  # same time whether or not the email exists
        if not ok or account_id is None:
            self.limiter.failed(*keys)
            raise AuthError("wrong email or password")
        self.limiter.succeeded(keys[0])
        return account_id

    def account_email(self, account_id: int) -> str | None:
        with self.db.read() as session:
            account = Accounts(session).get(account_id)
            return account.email if account else None

    def create_token(self, account_id: int, name: str = "") -> NewToken:
        """A new API token; the secret is only ever returned here."""
        token = "rw_" + secrets.token_urlsafe(32)
        with self.db.transaction() as session:
            row = AccountScoped(session, account_id).add_token(name[:100], hash_token(token))
            return NewToken(id=row.id, name=row.name, token=token)

    def list_tokens(self, account_id: int) -> list[TokenOut]:
        with self.db.read() as session:
            return [TokenOut.model_validate(t) for t in AccountScoped(session, account_id).tokens()]

    def delete_token(self, account_id: int, token_id: int) -> None:
        with self.db.transaction() as session:
            AccountScoped(session, account_id).delete_token(token_id)

    def account_for_token(self, token: str) -> int | None:
        """The account of an API token, or ``None``.

        A read-only look-up (one query); the token's ``last_used_at`` is written in
        a transaction only when it is due (at most once a minute per token).
        """
        with self.db.read() as session:
            row = Accounts(session).token_by_sha256(hash_token(token))
            if row is None:
                return None
            token_id, account_id, last_used = row.id, row.account_id, row.last_used_at
        if token_needs_touch(last_used):
            with self.db.transaction() as session:
                Accounts(session).touch_token(token_id)
        return account_id

"""The sign-in slow-down, kept in the database.

Failed sign-ins slow further attempts down exponentially per e-mail and client
address instead of locking the account (OWASP "Blocking Brute Force Attacks":
account lockout lets anyone lock out the real owner).
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from retrowalk.core.errors import RetrowalkError
from retrowalk.store.db import Database
from retrowalk.store.models import SignInFailure, utcnow

__all__ = ["RateLimitedError", "SignInLimiter"]


class RateLimitedError(RetrowalkError):
    """Too many failed sign-ins; ``retry_after_s`` says when to try again."""

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} s")


class SignInLimiter:
    """Slows down repeated failed sign-ins per (e-mail, client address), in the database.

    After ``free_failures`` failures, each next attempt must wait
    ``base_delay_s * 2 ** (extra failures)`` seconds (at most ``max_delay_s``)
    after the last failure. Attempts refused while waiting are not counted, so
    the owner is never kept out longer than ``max_delay_s``; other e-mail
    addresses from the same client and the same e-mail from other clients are
    not affected. A pair without failures for ``forget_after_s`` starts over.

    Parameters
    ----------
    free_failures
        Failures allowed before any waiting.
    base_delay_s
        Wait after the first failure beyond ``free_failures``.
    max_delay_s
        Longest wait.
    forget_after_s
        Failures older than this are forgotten.
    """

    def __init__(
        self,
        free_failures: int = 5,
        base_delay_s: float = 2.0,
        max_delay_s: float = 300.0,
        forget_after_s: float = 3600.0,
    ) -> None:
        self.free_failures = free_failures
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.forget_after_s = forget_after_s

    def delay_s(self, failures: int) -> float:
        """Wait required after the last failure, given the number of failures."""
        extra = failures - self.free_failures
        if extra < 0:
            return 0.0
        return float(min(self.max_delay_s, self.base_delay_s * 2.0 ** min(extra, 40)))

    def check(self, db: Database, email: str, client: str) -> None:
        """Raise :class:`RateLimitedError` when this pair must wait before trying again."""
        with db.read() as session:
            row = session.scalar(
                select(SignInFailure).where(
                    SignInFailure.email == email, SignInFailure.client == client[:100]
                )
            )
            if row is None:
                return
            since = (utcnow() - _aware(row.last_failure_at)).total_seconds()
            wait = self.delay_s(row.failures) - since
            if since < self.forget_after_s and wait > 0:
                raise RateLimitedError(max(1, math.ceil(wait)))

    def failed(self, db: Database, email: str, client: str) -> None:
        """Count a failure (safe under concurrent server processes)."""
        client = client[:100]
        for _ in range(3):
            try:
                with db.transaction() as session:
                    row = session.scalar(
                        select(SignInFailure)
                        .where(SignInFailure.email == email, SignInFailure.client == client)
                        .with_for_update()
                    )
                    now = utcnow()
                    if row is None:
                        session.add(
                            SignInFailure(
                                email=email, client=client, failures=1, last_failure_at=now
                            )
                        )
                    else:
                        since = (now - _aware(row.last_failure_at)).total_seconds()
                        row.failures = 1 if since > self.forget_after_s else row.failures + 1
                        row.last_failure_at = now
                return
            except IntegrityError:
                continue  # another process inserted the row first: count again

    def succeeded(self, db: Database, email: str, client: str) -> None:
        """Forget the failures of this pair; drop long-forgotten rows of others."""
        cutoff = utcnow() - dt.timedelta(seconds=self.forget_after_s)
        with db.transaction() as session:
            session.execute(
                delete(SignInFailure).where(
                    SignInFailure.email == email, SignInFailure.client == client[:100]
                )
            )
            session.execute(delete(SignInFailure).where(SignInFailure.last_failure_at < cutoff))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)

"""Accounts: sign-up, sign-in with a database-backed slow-down, browser sessions,
API tokens, password change and reset, account deletion.

:class:`AccountsMixin` is part of :class:`retrowalk.app.services.Services`; it
uses the database, data directory and password hasher held there.

The password rules are in :mod:`retrowalk.app.passwords`, the sign-in
slow-down in :mod:`retrowalk.app.signin_limit`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import shutil
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from retrowalk.app.passwords import MAX_PASSWORD, check_password
from retrowalk.app.signin_limit import SignInLimiter, _aware
from retrowalk.core.errors import InputError, RetrowalkError
from retrowalk.store.db import Database
from retrowalk.store.models import (
    Account,
    AnalysisResult,
    Observation,
    Person,
    Recording,
    SignInFailure,
    WebSession,
    utcnow,
)
from retrowalk.store.repositories import (
    Accounts,
    AccountScoped,
    session_row,
    token_needs_touch,
    token_row,
)
from retrowalk.store.schemas import NewToken, TokenIn, TokenOut

__all__ = ["AccountsMixin", "AuthError", "ConflictError", "hash_token"]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SIGNUP_REFUSED = (
    "no account was created with this e-mail address and password; if you have an "
    "account, sign in instead (a forgotten password is reset by whoever runs this server)"
)


class AuthError(RetrowalkError):
    """Wrong email or password, or an invalid token."""


class ConflictError(RetrowalkError):
    """The object exists already (an email, a duplicate recording)."""


def hash_token(token: str) -> str:
    """SHA-256 hex digest of an API token or session id (only the digest is stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


class AccountsMixin:
    """Accounts, sessions and API tokens (part of ``Services``)."""

    db: Database
    data_dir: Path
    hasher: PasswordHasher
    limiter: SignInLimiter

    # -- sign-up and sign-in ---------------------------------------------------------
    def sign_up(self, email: str, password: str) -> int:
        """Create an account; return its id.

        An e-mail address that has an account already gets the same answer as any
        other refused sign-up (:data:`SIGNUP_REFUSED`), after the same hashing work,
        so the page does not say which addresses have accounts.
        """
        email = email.strip().lower()
        if not EMAIL_RE.match(email) or len(email) > 320:
            raise InputError("email", "enter a valid email address")
        check_password(password, email)
        digest = self.hasher.hash(password)
        try:
            with self.db.transaction() as session:
                accounts = Accounts(session)
                if accounts.by_email(email) is not None:
                    raise ConflictError(SIGNUP_REFUSED)
                return accounts.add(email, digest).id
        except IntegrityError:
            raise ConflictError(SIGNUP_REFUSED) from None

    def sign_in(self, email: str, password: str, client: str = "") -> int:
        """Check a password; return the account id.

        Raises :class:`~retrowalk.app.signin_limit.RateLimitedError` while this
        e-mail and client must wait after repeated failures (see
        :class:`SignInLimiter`).
        """
        email = email.strip().lower()[:320]
        self.limiter.check(self.db, email, client)
        account_id = self._verify(email, password)
        if account_id is None:
            self.limiter.failed(self.db, email, client)
            raise AuthError("wrong email or password")
        self.limiter.succeeded(self.db, email, client)
        return account_id

    def _verify(self, email: str, password: str) -> int | None:
        with self.db.read() as session:
            account = Accounts(session).by_email(email)
            stored = account.password_hash if account else None
            account_id = account.id if account else None
        if stored is None or len(password) > MAX_PASSWORD:
            self.hasher.hash(password[:MAX_PASSWORD])  # same time whether or not it exists
            return None
        try:
            return account_id if self.hasher.verify(stored, password) else None
        except (VerificationError, InvalidHashError):
            return None

    def account_email(self, account_id: int) -> str | None:
        with self.db.read() as session:
            account = Accounts(session).get(account_id)
            return account.email if account else None

    # -- browser sessions ---------------------------------------------------------------
    def start_session(self, account_id: int, max_age_s: int) -> str:
        """A new browser session; returns the secret id the cookie carries."""
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with self.db.transaction() as session:
            session.add(
                WebSession(
                    account_id=account_id,
                    token_sha256=hash_token(token),
                    created_at=now,
                    expires_at=now + dt.timedelta(seconds=max_age_s),
                )
            )
            session.execute(delete(WebSession).where(WebSession.expires_at < now))
        return token

    def session_account(self, token: str) -> int | None:
        """The account of a live browser session, or ``None`` (ended or expired)."""
        with self.db.connect() as connection:
            row = session_row(connection, hash_token(token))
        if row is None or _aware(row.expires_at) < utcnow():
            return None
        return int(row.account_id)

    def end_session(self, token: str) -> None:
        """Sign-out: the session's cookie stops working everywhere it was copied to."""
        with self.db.transaction() as session:
            session.execute(delete(WebSession).where(WebSession.token_sha256 == hash_token(token)))

    def put_flash(self, token: str, sealed: str) -> bool:
        """Leave a one-time message (sealed) on a live browser session; False if it has ended."""
        query = (
            update(WebSession)
            .where(WebSession.token_sha256 == hash_token(token))
            .values(flash=sealed)
        )
        with self.db.transaction() as session:
            return bool(session.execute(query).rowcount)  # type: ignore[attr-defined]

    def take_flash(self, token: str) -> str | None:
        """The one-time message of a browser session, removed as it is read (None if none)."""
        digest = hash_token(token)
        with self.db.transaction() as session:
            row = session.scalars(
                select(WebSession).where(WebSession.token_sha256 == digest).with_for_update()
            ).first()
            if row is None or row.flash is None:
                return None
            sealed, row.flash = row.flash, None
            return sealed

    def end_all_sessions(self, account_id: int, keep: str | None = None) -> int:
        """Sign out everywhere (all browsers but ``keep``); returns how many ended."""
        query = delete(WebSession).where(WebSession.account_id == account_id)
        if keep:
            query = query.where(WebSession.token_sha256 != hash_token(keep))
        with self.db.transaction() as session:
            return int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]

    # -- password and account ------------------------------------------------------------
    def change_password(
        self, account_id: int, current: str, new: str, keep_session: str | None = None
    ) -> None:
        """Change the password after checking the current one; ends every other session."""
        email = self.account_email(account_id)
        if email is None or self._verify(email, current) != account_id:
            raise AuthError("the current password is wrong")
        self._set_password(account_id, email, new)
        self.end_all_sessions(account_id, keep=keep_session)

    def reset_password(self, email: str, new: str) -> int:
        """Set a new password without the old one (local administration); ends all sessions."""
        email = email.strip().lower()
        with self.db.read() as session:
            account = Accounts(session).by_email(email)
            account_id = account.id if account else None
        if account_id is None:
            raise InputError("email", f"no account with the e-mail address {email}")
        self._set_password(account_id, email, new)
        self.end_all_sessions(account_id)
        with self.db.transaction() as session:  # the owner may sign in right away
            session.execute(delete(SignInFailure).where(SignInFailure.email == email))
        return account_id

    def _set_password(self, account_id: int, email: str, new: str) -> None:
        check_password(new, email)
        digest = self.hasher.hash(new)
        with self.db.transaction() as session:
            account = session.get(Account, account_id)
            if account is None:
                raise AuthError("the account does not exist")
            account.password_hash = digest
            account.password_changed_at = utcnow()

    def delete_account(self, account_id: int, password: str) -> None:
        """Delete the account with every person, recording, analysis, note, token,
        session and file it owns (after checking the password)."""
        email = self.account_email(account_id)
        if email is None or self._verify(email, password) != account_id:
            raise AuthError("the password is wrong")
        self.remove_account(account_id)

    def remove_account(self, account_id: int) -> None:
        """Delete an account and all its data and files (no password check)."""
        with self.db.transaction() as session:
            paths: list[str | None] = []
            paths += session.scalars(
                select(Recording.stored_path).where(Recording.account_id == account_id)
            ).all()
            paths += session.scalars(
                select(AnalysisResult.report_path).where(AnalysisResult.account_id == account_id)
            ).all()
            paths += session.scalars(
                select(Observation.attachment_path).where(Observation.account_id == account_id)
            ).all()
            people = session.scalars(select(Person.id).where(Person.account_id == account_id)).all()
            account = session.get(Account, account_id)
            if account is None:
                return
            session.delete(account)
        root = self.data_dir.resolve()
        # Their walking-direction calibrations (one folder per person).
        from retrowalk.app.calibration import profile_store_dir

        for person_id in people:
            folder = profile_store_dir(int(person_id), self.data_dir)
            if folder.is_dir() and root in folder.resolve().parents:
                shutil.rmtree(folder, ignore_errors=True)
        for name in paths:
            if name and root in Path(name).resolve().parents:
                Path(name).unlink(missing_ok=True)
        for folder in (self.data_dir / "files" / str(account_id),):
            if folder.is_dir() and root in folder.resolve().parents:
                shutil.rmtree(folder, ignore_errors=True)

    # -- API tokens ----------------------------------------------------------------------
    def create_token(self, account_id: int, name: str = "") -> NewToken:
        """A new API token; the secret is only ever returned here.

        Raises
        ------
        pydantic.ValidationError
            If the name is longer than :data:`~retrowalk.store.schemas.TOKEN_NAME_MAX`
            characters (it was cut there).
        """
        name = TokenIn(name=name).name
        token = "rw_" + secrets.token_urlsafe(32)
        with self.db.transaction() as session:
            row = AccountScoped(session, account_id).add_token(name, hash_token(token))
            return NewToken(id=row.id, name=row.name, token=token)

    def list_tokens(self, account_id: int) -> list[TokenOut]:
        with self.db.read() as session:
            return [TokenOut.model_validate(t) for t in AccountScoped(session, account_id).tokens()]

    def delete_token(self, account_id: int, token_id: int) -> None:
        with self.db.transaction() as session:
            AccountScoped(session, account_id).delete_token(token_id)

    def token_account(self, token: str) -> tuple[int, int, bool] | None:
        """``(token id, account id, last use due to be recorded)`` of an API token."""
        with self.db.connect() as connection:
            row = token_row(connection, hash_token(token))
        if row is None:
            return None
        return int(row.id), int(row.account_id), token_needs_touch(row.last_used_at)

    def touch_token(self, token_id: int) -> None:
        """Record that a token was used (a write, at most once a minute per token)."""
        with self.db.transaction() as session:
            Accounts(session).touch_token(token_id)

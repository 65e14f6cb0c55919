"""Settings of the web app."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from retrowalk.store.db import default_data_dir, default_database_url


def _secure_cookies_from_env() -> bool | None:
    return True if os.environ.get("RETROWALK_SECURE_COOKIES", "") in ("1", "true") else None


@dataclass
class Settings:
    """How the app is set up.

    Attributes
    ----------
    database_url
        SQLAlchemy URL; default ``RETROWALK_DATABASE_URL`` or SQLite in ``data_dir``.
    data_dir
        Database (SQLite), uploaded files and reports; default ``RETROWALK_DATA_DIR``
        or the user data directory.
    secret_key
        Signs session cookies; default: a random key kept in ``data_dir/secret_key``.
    max_upload_mb
        Largest accepted upload.
    worker
        ``"process"`` (analysis in a process pool), ``"thread"`` (in a background
        thread of this process) or ``"none"`` (another process runs the worker).
    cookie_secure
        Force the cookie ``Secure`` flag and send HSTS (``True``; also
        ``RETROWALK_SECURE_COOKIES=1``); ``None`` sets the flag when the request is https.
    forwarded_allow_ips
        Comma-separated addresses of reverse proxies whose ``X-Forwarded-For`` and
        ``X-Forwarded-Proto`` are believed (``RETROWALK_FORWARDED_ALLOW_IPS``);
        empty (the default): the headers are ignored.
    session_max_age_s
        How long a sign-in lasts.
    signin_max_failures
        Failed sign-ins per e-mail and client address before attempts slow down.
    signin_base_delay_s, signin_max_delay_s
        First and longest wait of the exponential slow-down.
    signin_window_s
        Failures older than this are forgotten.
    fast_password_hashing
        Cheaper argon2 parameters (tests only).
    request_threads
        Threads serving requests that touch the database (``RETROWALK_REQUEST_THREADS``).
    """

    database_url: str | None = None
    data_dir: Path | None = None
    secret_key: str | None = None
    max_upload_mb: int = 256
    worker: Literal["process", "thread", "none"] = "process"
    cookie_secure: bool | None = field(default_factory=_secure_cookies_from_env)
    forwarded_allow_ips: str = field(
        default_factory=lambda: os.environ.get("RETROWALK_FORWARDED_ALLOW_IPS", "")
    )
    session_max_age_s: int = 14 * 24 * 3600
    signin_max_failures: int = 5
    signin_base_delay_s: float = 2.0
    signin_max_delay_s: float = 300.0
    signin_window_s: float = 3600.0
    fast_password_hashing: bool = False
    request_threads: int = int(os.environ.get("RETROWALK_REQUEST_THREADS", "16"))

    def resolved_data_dir(self) -> Path:
        return Path(self.data_dir) if self.data_dir else default_data_dir()

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url(self.resolved_data_dir())

    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        path = self.resolved_data_dir() / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

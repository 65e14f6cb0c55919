"""Settings of the web app."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from retrowalk.store.db import default_data_dir, default_database_url


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
        Force the cookie ``Secure`` flag; ``None`` sets it when the request is https.
    session_max_age_s
        How long a sign-in lasts.
    signin_max_failures, signin_window_s
        Failed sign-ins allowed per email and per client in the window.
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
    cookie_secure: bool | None = None
    session_max_age_s: int = 14 * 24 * 3600
    signin_max_failures: int = 5
    signin_window_s: float = 300.0
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

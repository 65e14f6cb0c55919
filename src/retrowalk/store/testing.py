"""Throwaway databases for tests (one per test, dropped afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from retrowalk.store.db import normalise_url


@contextmanager
def temporary_database(
    backend: str, folder: Path, postgres_url: str | None = None, template: str | None = None
) -> Iterator[str]:
    """Yield the URL of an empty database, removed on exit.

    Parameters
    ----------
    backend
        ``"sqlite"`` (a file in ``folder``) or ``"postgresql"``.
    folder
        Where the SQLite file goes.
    postgres_url
        URL of a PostgreSQL server database allowed to ``CREATE DATABASE``.
    template
        PostgreSQL only: the name of a database on that server to copy instead of
        starting empty (no connection to it may be open).
    """
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'retrowalk-test.db'}"
        return
    if not postgres_url:
        raise ValueError("postgres_url is needed for the postgresql backend")
    admin_url = make_url(normalise_url(postgres_url))
    name = f"rw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        copy = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

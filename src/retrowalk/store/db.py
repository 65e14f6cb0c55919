"""Engine, sessions and migrations.

The database is PostgreSQL when ``RETROWALK_DATABASE_URL`` says so, otherwise a
SQLite file in the user's data directory (WAL mode, foreign keys on).
``RETROWALK_DATA_DIR`` moves the data directory (database, uploaded files,
reports).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from retrowalk.core.paths import default_data_dir  # the product's one data directory

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_POOL_SIZE = 48


def default_database_url(data_dir: Path | None = None) -> str:
    """``RETROWALK_DATABASE_URL`` if set, else a SQLite file in ``data_dir``."""
    url = os.environ.get("RETROWALK_DATABASE_URL")
    if url:
        return normalise_url(url)
    data_dir = data_dir or default_data_dir()
    return f"sqlite:///{data_dir / 'retrowalk.db'}"


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: The largest whole number a column of the database holds (64-bit integers).
LARGEST_INTEGER = 2**63 - 1


def _values(parameters: Any) -> Iterator[Any]:
    """Every value of a statement's parameters: a dict or a tuple of one row, or a list
    of rows (a batch of inserts may also come as one flat tuple of every row's values)."""
    if isinstance(parameters, dict):
        parameters = parameters.values()
    for value in parameters or ():
        if isinstance(value, (dict, list, tuple)):
            yield from _values(value)
        else:
            yield value


def _refuse_numbers_no_column_holds(
    _conn: Any,
    _cursor: Any,
    _statement: str,
    parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    """A whole number larger than any column holds is no row's: not found.

    Such a number only comes from outside (an id typed into an address, a form
    field or an API call); the database drivers would refuse it with an error of
    their own (SQLite's OverflowError, PostgreSQL's out of range), a server error.
    """
    for value in _values(parameters):
        if type(value) is int and not -LARGEST_INTEGER - 1 <= value <= LARGEST_INTEGER:
            from retrowalk.store.repositories import NotFoundError

            raise NotFoundError(f"Number {value} not found")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode and foreign keys.

    Parameters
    ----------
    url
        SQLAlchemy URL, e.g. ``sqlite:////path/retrowalk.db`` or
        ``postgresql+psycopg://user@host:port/db``.
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A pool as large as the request thread pool: connections are reused, never
        # re-opened per request (each open re-runs the pragmas).
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_SIZE,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=30)
    event.listen(engine, "before_cursor_execute", _refuse_numbers_no_column_holds)
    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (``alembic upgrade head``)."""
    migrate(engine, "head")


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Bring the schema to the migration ``revision``: up, or with ``down`` down to it."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    step = command.downgrade if down else command.upgrade
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
        return
    # SQLite rebuilds a table to change it: with foreign keys on, dropping the old
    # table would cascade into its children (a recording's analyses). Foreign keys
    # are off for the migration (the pragma only works outside a transaction) and
    # checked after.
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config, revision)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows without their parent: {broken[:5]}")
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


class Database:
    """An engine plus a session factory.

    Parameters
    ----------
    url
        The database URL.
    migrate
        Run ``upgrade head`` on creation.
    """

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            upgrade(self.engine)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed at the end, or rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only."""
        with self.sessions() as session:
            yield session

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection for reading: no ORM session, no identity map.

        The hot read paths (session and token checks, recording and progress
        views) run prebuilt Core statements on it, one round trip each.
        """
        with self.engine.connect() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()

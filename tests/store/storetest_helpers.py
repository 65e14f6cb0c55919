"""Fixtures of the store tests: a migrated database on SQLite and on PostgreSQL.

The database and recording fixtures are in dbtest_helpers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from retrowalk.app.services import Services
from retrowalk.store.db import Database


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def services(db: Database, tmp_path: Path) -> Services:
    return Services(
        db, tmp_path / "data", hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )

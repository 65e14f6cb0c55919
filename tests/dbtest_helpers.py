"""Fixtures shared by the store and web tests: a database and a real recording."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from realdata import data_root
from retrowalk.store.db import Database, normalise_url
from retrowalk.store.testing import temporary_database

REPO = Path(__file__).resolve().parents[1]
SHARED_SMALL = data_root() / "mobgap-lab" / "HA_002_Test5_Trial1.csv"
DEMO = REPO / "src" / "retrowalk" / "data" / "demo" / "MS_001_Test11_Trial1.csv"
PG_URL = os.environ.get("RETROWALK_TEST_POSTGRES_URL")

#: Fixtures that migrate the test's database to the newest revision as they are set
#: up (the app's start-up, a KidsService's Database): before any code of such a test
#: runs, its database holds exactly the newest schema and nothing else.
MIGRATED_AT_SETUP = frozenset({"app", "server", "kids_service"})


class MigratedTemplates:
    """One database per backend migrated to the newest revision by the real migrations
    (``Database(url)``, as the app does), made once per test process on first use;
    tests whose fixtures would migrate their empty database at once get a copy."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite: Path | None = None
        self._postgresql: str | None = None

    def sqlite_copy(self, target: Path) -> str:
        if self._sqlite is None:
            path = self.folder / "template.db"
            Database(f"sqlite:///{path}").dispose()
            # every connection closed: the log is checkpointed into the file and removed
            assert not path.with_name(path.name + "-wal").exists()
            self._sqlite = path
        shutil.copyfile(self._sqlite, target)
        return f"sqlite:///{target}"

    @contextmanager
    def postgresql_copy(self, server_url: str, folder: Path) -> Iterator[str]:
        if self._postgresql is None:
            name = f"rw_template_{uuid.uuid4().hex[:12]}"
            admin_url = make_url(normalise_url(server_url))
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            finally:
                admin.dispose()
            url = admin_url.set(database=name).render_as_string(hide_password=False)
            Database(url).dispose()  # no connection left: it can be copied
            self._postgresql = name
        with temporary_database("postgresql", folder, server_url, self._postgresql) as url:
            yield url

    def drop(self, server_url: str | None) -> None:
        if self._postgresql is None or not server_url:
            return
        admin = create_engine(make_url(normalise_url(server_url)), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self._postgresql}" WITH (FORCE)'))
        finally:
            admin.dispose()


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplates]:
    templates = MigratedTemplates(tmp_path_factory.mktemp("migrated-template"))
    yield templates
    templates.drop(PG_URL)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_templates: MigratedTemplates
) -> Iterator[str]:
    """A database; PostgreSQL only when RETROWALK_TEST_POSTGRES_URL is set.

    Empty, unless a fixture of the test migrates it at set-up (``MIGRATED_AT_SETUP``):
    then a copy of one migrated by the same migrations once per test process, the
    state that fixture would leave it in.
    """
    if request.param == "postgresql" and not PG_URL:
        pytest.skip(
            "PostgreSQL: RETROWALK_TEST_POSTGRES_URL is unset "
            "(run through `bash scripts/pg-test.sh .venv/bin/pytest ...`)"
        )
    if MIGRATED_AT_SETUP.isdisjoint(request.fixturenames):
        with temporary_database(request.param, tmp_path, PG_URL) as url:
            yield url
    elif request.param == "sqlite":
        yield migrated_templates.sqlite_copy(tmp_path / "retrowalk-test.db")
    else:
        assert PG_URL
        with migrated_templates.postgresql_copy(PG_URL, tmp_path) as url:
            yield url


@pytest.fixture
def recording_file() -> Path:
    """A small real lower-back recording."""
    for path in (SHARED_SMALL, DEMO):
        if path.is_file():
            return path
    pytest.skip(f"no recording file at {SHARED_SMALL} or {DEMO}")

"""Fixtures shared by the store and web tests: an empty database and a real recording."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from realdata import data_root
from retrowalk.store.testing import temporary_database

REPO = Path(__file__).resolve().parents[1]
SHARED_SMALL = data_root() / "mobgap-lab" / "HA_002_Test5_Trial1.csv"
DEMO = REPO / "src" / "retrowalk" / "data" / "demo" / "MS_001_Test11_Trial1.csv"
PG_URL = os.environ.get("RETROWALK_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database; PostgreSQL only when RETROWALK_TEST_POSTGRES_URL is set."""
    if request.param == "postgresql" and not PG_URL:
        pytest.skip(
            "PostgreSQL: RETROWALK_TEST_POSTGRES_URL is unset "
            "(run through `bash scripts/pg-test.sh .venv/bin/pytest ...`)"
        )
    with temporary_database(request.param, tmp_path, PG_URL) as url:
        yield url


@pytest.fixture
def recording_file() -> Path:
    """A small real lower-back recording."""
    for path in (SHARED_SMALL, DEMO):
        if path.is_file():
            return path
    pytest.skip(f"no recording file at {SHARED_SMALL} or {DEMO}")

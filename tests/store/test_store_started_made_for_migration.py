"""Migrations 0010 and 0011: what an analysis was started with, and why it was made.

A real recording analysed, then analysed again after an upgrade by the run: its
recording keeps what that analysis was started with, and the analysis why it was
made. Taken back to 0009 (the columns gone, rows and analyses kept) and up again, both
are not known: the run counts the analysis as its own, as it did before.
SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_helpers import migrate, recording_columns
from sqlalchemy import inspect, select

from retrowalk.app.jobs.worker import run_once
from retrowalk.app.services import Services
from retrowalk.core import provenance
from retrowalk.store.db import Database, upgrade
from retrowalk.store.models import AnalysisResult, Recording
from retrowalk.store.schemas import PersonIn
from retrowalk.summary import contract


def _rows(db: Database) -> list[tuple]:
    with db.engine.connect() as conn:
        recordings = conn.execute(select(Recording.id, Recording.status, Recording.sha256)).all()
        analyses = conn.execute(
            select(AnalysisResult.id, AnalysisResult.analysis_version, AnalysisResult.result)
        ).all()
    return [tuple(r) for r in recordings] + [tuple(a) for a in analyses]


def _result_columns(db: Database) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("analysis_result")}


def test_0010_0011_keep_analyses_and_count_them_as_the_runs(  # type: ignore[no-untyped-def]
    db: Database, services: Services, recording_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = services.sign_up("made-for@example.org", "walk backward 1")
    person = services.create_person(account, PersonIn(name="Ann", height_m=1.7)).id
    with open(recording_file, "rb") as stream:
        rec = services.upload(account, person, recording_file.name, stream).id
    assert run_once(db, services.data_dir, services.runner)
    for module in (provenance, contract):  # an upgrade that changes the engine
        monkeypatch.setattr(module, "engine_version", lambda: "9.9.9+newer-engine")
    assert services.reanalyse_older(account).pending == 1
    assert run_once(db, services.data_dir, services.runner)
    with db.read() as session:
        started = session.get(Recording, rec).started_with
        made_for = session.scalars(select(AnalysisResult.made_for).order_by(AnalysisResult.id))
        assert list(made_for) == ["upload", "engine"]
    assert started == {"height_m": 1.7, "weight_kg": None, "calibrations": {}, "for": "engine"}
    assert services.older_engine(account).analysed_again == 1
    before = _rows(db)

    migrate(db.engine, "0009", down=True)
    assert "started_with" not in recording_columns(db.engine)
    assert "made_for" not in _result_columns(db)
    assert _rows(db) == before
    upgrade(db.engine)
    assert _rows(db) == before
    with db.read() as session:
        assert session.get(Recording, rec).started_with is None
        assert set(session.scalars(select(AnalysisResult.made_for))) == {""}
    assert services.older_engine(account).analysed_again == 1  # not known: the run's

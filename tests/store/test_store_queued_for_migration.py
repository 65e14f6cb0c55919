"""Migration 0009: why a recording waits to be analysed again, kept on its row.

A real recording analysed, then queued again by a calibration: it keeps the reason.
Taken back to 0008 (the column gone, the recording still waiting, its analysis kept)
and up again, it waits with no reason known: it may have been asked for, so an
upgrade's run stopped leaves it waiting, and the run's count says so beforehand.
SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from migration_helpers import migrate, recording_columns
from sqlalchemy import select, update

from retrowalk.app.jobs.worker import run_once
from retrowalk.app.services import Services
from retrowalk.store.db import Database, upgrade
from retrowalk.store.models import AnalysisResult, Recording
from retrowalk.store.schemas import PersonIn

EARLIER = "0.0.1+earlier-engine"


def _rows(db: Database) -> list[tuple]:
    with db.engine.connect() as conn:
        recordings = conn.execute(
            select(Recording.id, Recording.status, Recording.filename, Recording.sha256)
        ).all()
        analyses = conn.execute(
            select(AnalysisResult.id, AnalysisResult.recording_id, AnalysisResult.result)
        ).all()
    return [tuple(r) for r in recordings] + [tuple(a) for a in analyses]


def test_0009_keeps_recordings_and_their_waiting_with_no_reason_known(
    db: Database, services: Services, recording_file: Path
) -> None:
    account = services.sign_up("queue@example.org", "walk backward 1")
    person = services.create_person(account, PersonIn(name="Ann")).id
    with open(recording_file, "rb") as stream:
        rec = services.upload(account, person, recording_file.name, stream).id
    with db.read() as session:
        assert session.get(Recording, rec).queued_for == "upload"
    assert run_once(db, services.data_dir, services.runner)
    services.reanalyse(account, rec, reason="calibration")
    with db.read() as session:
        assert session.get(Recording, rec).queued_for == "calibration"
    before = _rows(db)

    migrate(db.engine, "0008", down=True)
    assert "queued_for" not in recording_columns(db.engine)
    assert _rows(db) == before
    upgrade(db.engine)
    assert "queued_for" in recording_columns(db.engine)
    assert _rows(db) == before
    with db.read() as session:
        assert session.get(Recording, rec).queued_for == ""

    with db.transaction() as session:
        session.execute(update(AnalysisResult).values(analysis_version=EARLIER))
    before_stop = services.older_engine(account)
    assert (before_stop.pending, before_stop.kept, before_stop.stoppable) == (1, 1, 0)
    assert before_stop.kept_for == ("unknown",)
    state = services.stop_reanalysis(account)
    assert (state.pending, state.kept, state.recordings) == (1, 1, 1)
    assert services.get_recording(account, rec).status == "queued"

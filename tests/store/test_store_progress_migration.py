"""Migration 0005 (analysis progress on the recording row), on SQLite and PostgreSQL.

A database at 0004 holding a recording is upgraded: the rows and ids stay, the
new columns read as "no progress"; the worker's progress writer then fills them
for a running recording only, and the downgrade takes them away again.
"""

from __future__ import annotations

from migration_helpers import insert_account_and_person, migrate, recording_columns
from sqlalchemy import create_engine, text

from retrowalk.app.jobs.worker import RowProgress
from retrowalk.store.db import Database, normalise_url


def test_0005_adds_progress_keeping_rows(database_url: str) -> None:
    engine = create_engine(normalise_url(database_url))
    try:
        migrate(engine, "0004")
        assert "progress_stage" not in recording_columns(engine)
        with engine.begin() as conn:
            insert_account_and_person(conn)
            for rid, status in ((11, "running"), (12, "done")):
                conn.execute(
                    text(
                        "INSERT INTO recording (id, account_id, person_id, filename, "
                        "stored_path, sha256, size_bytes, format, placement, recorded_on, "
                        "uploaded_at, status, attempts, error) VALUES (:id, 7, 5, 'w.csv', "
                        "'/nowhere', :sha, 10, 'csv', 'auto', '2026-01-05', "
                        "CURRENT_TIMESTAMP, :status, 1, '')"
                    ),
                    {"id": rid, "sha": f"{rid:064d}", "status": status},
                )
    finally:
        engine.dispose()

    db = Database(database_url)  # upgrades to head, as the app does
    try:
        assert {"progress_stage", "progress_pct"} <= recording_columns(db.engine)
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, status, progress_stage, progress_pct FROM recording ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [(11, "running", "", None), (12, "done", "", None)]

        # The worker's writer: stage and percent of a running recording only.
        RowProgress(db.url, 11).report_stage("analysing", 42.5)
        RowProgress(db.url, 12).report_stage("report")
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT progress_stage, progress_pct FROM recording ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [("analysing", 42.5), ("", None)]

        migrate(db.engine, "0004", down=True)
        assert "progress_stage" not in recording_columns(db.engine)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM recording")).scalar() == 2
    finally:
        for engine_of_writer in RowProgress._engines.values():
            engine_of_writer.dispose()
        RowProgress._engines.clear()
        db.dispose()

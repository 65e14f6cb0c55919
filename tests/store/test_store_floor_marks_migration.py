"""Migration 0006 (a video's floor marks and body proportions on the recording row).

A database at 0005 holding a recording is upgraded: the row and its id stay, the
new columns read as "none given"; values written afterwards read back; the
downgrade takes the columns away again and keeps the row.
"""

from __future__ import annotations

from migration_helpers import insert_account_and_person, migrate, recording_columns
from sqlalchemy import create_engine, text

from retrowalk.store.db import Database, normalise_url

NEW = {"floor_marks_px", "floor_distance_m", "proportions"}


def test_0006_adds_floor_marks_keeping_rows(database_url: str) -> None:
    engine = create_engine(normalise_url(database_url))
    try:
        migrate(engine, "0005")
        assert not NEW & recording_columns(engine)
        with engine.begin() as conn:
            insert_account_and_person(conn)
            conn.execute(
                text(
                    "INSERT INTO recording (id, account_id, person_id, filename, "
                    "stored_path, sha256, size_bytes, format, placement, recorded_on, "
                    "uploaded_at, status, attempts, error) VALUES (11, 7, 5, 'w.mp4', "
                    "'/nowhere', :sha, 10, 'video', 'auto', '2026-01-05', "
                    "CURRENT_TIMESTAMP, 'done', 1, '')"
                ),
                {"sha": f"{11:064d}"},
            )
    finally:
        engine.dispose()

    db = Database(database_url)  # upgrades to head, as the app does
    try:
        assert recording_columns(db.engine) >= NEW
        query = text("SELECT floor_marks_px, floor_distance_m, proportions FROM recording")
        with db.engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(query)] == [("", None, "")]
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE recording SET floor_marks_px = '300,900,1500,900', "
                    "floor_distance_m = 3.0, proportions = 'child' WHERE id = 11"
                )
            )
        with db.engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(query)] == [("300,900,1500,900", 3.0, "child")]

        migrate(db.engine, "0005", down=True)
        assert not NEW & recording_columns(db.engine)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM recording")).scalar() == 1
    finally:
        db.dispose()

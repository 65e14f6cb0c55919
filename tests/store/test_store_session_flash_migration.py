"""Migration 0007 (a browser session's one-time message on its row).

A database at 0006 holding a signed-in session is upgraded: the session stays and
has no message; one written afterwards reads back; the downgrade takes the column
away again and keeps the session.
"""

from __future__ import annotations

from migration_helpers import insert_account_and_person, migrate
from sqlalchemy import create_engine, inspect, text

from retrowalk.store.db import Database, normalise_url


def _columns(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return {c["name"] for c in inspect(engine).get_columns("web_session")}


def test_0007_adds_the_session_flash_keeping_sessions(database_url: str) -> None:
    engine = create_engine(normalise_url(database_url))
    try:
        migrate(engine, "0006")
        assert "flash" not in _columns(engine)
        with engine.begin() as conn:
            insert_account_and_person(conn)
            conn.execute(
                text(
                    "INSERT INTO web_session (id, account_id, token_sha256, created_at, "
                    "expires_at) VALUES (3, 7, :sha, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"sha": "a" * 64},
            )
    finally:
        engine.dispose()

    db = Database(database_url)  # upgrades to head, as the app does
    try:
        query = text("SELECT id, flash FROM web_session")
        with db.engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(query)] == [(3, None)]
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE web_session SET flash = 'c2VhbGVk' WHERE id = 3"))
        with db.engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(query)] == [(3, "c2VhbGVk")]

        migrate(db.engine, "0006", down=True)
        assert "flash" not in _columns(db.engine)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM web_session")).scalar() == 1
    finally:
        db.dispose()

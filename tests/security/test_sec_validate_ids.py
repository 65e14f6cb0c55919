"""Ids of deleted rows are never given out again (SQLite AUTOINCREMENT, PostgreSQL
sequences), and the migration that adds AUTOINCREMENT keeps every row and id."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from retrowalk.app.services import Services
from retrowalk.store.db import MIGRATIONS_DIR, Database, make_engine, upgrade
from retrowalk.store.schemas import ObservationIn, PersonIn

PASSWORD = "correct horse"


def test_deleted_ids_are_not_reused(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url)
    try:
        services = Services(db, tmp_path / "data")
        account = services.sign_up("ids@example.org", PASSWORD)
        first = services.create_person(account, PersonIn(name="A"))
        obs = services.add_observation(
            account, first.id, ObservationIn(date="2025-01-02", kind="note", payload={})
        )
        services.delete_observation(account, obs.id)
        services.delete_person(account, first.id)
        second = services.create_person(account, PersonIn(name="B"))
        assert second.id > first.id
        again = services.add_observation(
            account, second.id, ObservationIn(date="2025-01-02", kind="note", payload={})
        )
        assert again.id > obs.id
        services.remove_account(account)
        other = services.sign_up("ids2@example.org", PASSWORD)
        assert other > account
    finally:
        db.dispose()


def test_sqlite_migration_keeps_rows_and_ids(tmp_path: Path) -> None:
    """A database made by the first schema, with data, upgraded in place."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO account (id, email, password_hash, created_at) "
                "VALUES (7, 'old@example.org', 'x', '2025-01-01')"
            )
        )
        c.execute(
            text(
                "INSERT INTO person (id, account_id, name, kind, conditions, goals, created_at) "
                "VALUES (5, 7, 'Old', 'adult', '', '', '2025-01-01')"
            )
        )
        c.execute(
            text(
                "INSERT INTO observation (id, account_id, person_id, date, kind, payload, note, "
                "created_at) VALUES (9, 7, 5, '2025-01-02', 'note', '{}', 'kept', '2025-01-02')"
            )
        )
    upgrade(engine)
    with engine.begin() as c:
        assert c.execute(text("SELECT id, name FROM person")).all() == [(5, "Old")]
        assert c.execute(text("SELECT id, note FROM observation")).all() == [(9, "kept")]
        sql = c.execute(text("SELECT sql FROM sqlite_master WHERE name = 'person'")).scalar()
        assert "AUTOINCREMENT" in sql
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        c.execute(text("DELETE FROM observation WHERE id = 9"))
        c.execute(
            text(
                "INSERT INTO observation (account_id, person_id, date, kind, payload, note, "
                "created_at) VALUES (7, 5, '2025-01-03', 'note', '{}', 'new', '2025-01-03')"
            )
        )
        assert c.execute(text("SELECT id FROM observation")).scalar() == 10
        # Foreign keys still cascade after the rebuild.
        c.execute(text("DELETE FROM account WHERE id = 7"))
        assert c.execute(text("SELECT COUNT(*) FROM person")).scalar() == 0
    engine.dispose()

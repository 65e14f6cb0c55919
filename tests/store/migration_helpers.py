"""Moving a real database to one Alembic revision, and the recording table's columns."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, inspect, text

from retrowalk.store.db import migrate

__all__ = ["insert_account_and_person", "migrate", "recording_columns"]


def recording_columns(engine: Engine) -> set[str]:
    """The names of the ``recording`` table's columns."""
    return {c["name"] for c in inspect(engine).get_columns("recording")}


def insert_account_and_person(conn: Connection) -> None:
    """Account 7 with person 5 ("Ann", adult), written as plain SQL at any revision."""
    conn.execute(
        text(
            "INSERT INTO account (id, email, password_hash, created_at) "
            "VALUES (7, 'a@example.org', 'x', CURRENT_TIMESTAMP)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO person (id, account_id, name, kind, conditions, goals, "
            "created_at) VALUES (5, 7, 'Ann', 'adult', '', '', CURRENT_TIMESTAMP)"
        )
    )

"""Moving a real database to one Alembic revision, and the recording table's columns."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

from retrowalk.store.db import MIGRATIONS_DIR


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Upgrade (or, with ``down``, downgrade) the database behind ``engine`` to ``revision``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if down:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


def recording_columns(engine: Engine) -> set[str]:
    """The names of the ``recording`` table's columns."""
    return {c["name"] for c in inspect(engine).get_columns("recording")}

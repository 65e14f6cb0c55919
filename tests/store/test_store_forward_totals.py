"""Forward and uncertain totals stored beside each analysis, old results filled by the migration."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from retrowalk.app.calibration import store_profile
from retrowalk.app.demo import DEMO_FILE_NAME, daily_life_profile, demo_recording_path
from retrowalk.app.jobs.worker import run_once
from retrowalk.app.services import Services
from retrowalk.store.db import MIGRATIONS_DIR, Database, upgrade
from retrowalk.store.schemas import PersonIn


def test_forward_only_recording_keeps_its_forward_totals_through_the_migration(
    db: Database, services: Services
) -> None:
    account = services.sign_up("walker@example.org", "a long enough password")
    person = services.create_person(account, PersonIn(name="Forward walker"))
    # Calibrated as the demo's daily-life example is (nothing anchors it uncalibrated).
    store_profile(daily_life_profile(), person.id, services.data_dir)
    with demo_recording_path().open("rb") as stream:
        services.upload(account, person.id, DEMO_FILE_NAME, stream, recorded_on=dt.date(2026, 3, 2))
    assert run_once(db, services.data_dir, services.runner)
    (rec,) = services.list_recordings(account, person.id)
    fresh = rec.summary
    assert fresh is not None and fresh.forward_steps > 0 and fresh.backward_steps == 0
    result = services.analysis_json(account, rec.id)
    assert fresh.forward_steps == result["session"]["forward"]["steps"]
    assert fresh.uncertain_steps == result["session"]["uncertain"]["steps"]

    # Back to the schema without the columns, then forward again: filled from the JSON.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Later migrations rebuild tables on SQLite: foreign keys stay off while they
    # are undone (as upgrade() does), so no cascade deletes the analyses.
    with db.engine.connect() as connection:
        if db.is_sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        if db.is_sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
    columns = [c["name"] for c in inspect(db.engine).get_columns("analysis_result")]
    assert "forward_steps" not in columns
    upgrade(db.engine)
    (again,) = services.list_recordings(account, person.id)
    assert again.summary == fresh
    weeks = services.progress(account, person.id)
    assert weeks[0].forward_steps == fresh.forward_steps
    assert weeks[0].forward_distance_m == fresh.forward_distance_m

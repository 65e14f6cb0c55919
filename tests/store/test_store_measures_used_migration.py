"""Migration 0008: the body measures each analysis used, stored beside it.

A real recording analysed with a person's height and weight: the analysis keeps
them beside its figures. Taken back to 0007 (the columns gone) and up again,
they are filled from the stored analysis JSON, and the recording says so when
the person's height has changed since.
"""

from __future__ import annotations

import datetime as dt

from migration_helpers import migrate
from sqlalchemy import inspect

from retrowalk.app.demo import DEMO_FILE_NAME, demo_recording_path
from retrowalk.app.jobs.worker import run_once
from retrowalk.app.services import Services
from retrowalk.store.db import Database, upgrade
from retrowalk.store.schemas import PersonIn


def test_0008_fills_the_measures_each_analysis_used_from_its_json(
    db: Database, services: Services
) -> None:
    account = services.sign_up("walker@example.org", "a long enough password")
    person = services.create_person(account, PersonIn(name="Ann", height_m=1.74, weight_kg=71.5))
    with demo_recording_path().open("rb") as stream:
        services.upload(account, person.id, DEMO_FILE_NAME, stream, recorded_on=dt.date(2026, 3, 2))
    assert run_once(db, services.data_dir, services.runner)
    (rec,) = services.list_recordings(account, person.id)
    assert rec.summary is not None
    assert (rec.summary.used_height_m, rec.summary.used_weight_kg) == (1.74, 71.5)
    assert rec.measures_changed == []

    migrate(db.engine, "0007", down=True)
    columns = {c["name"] for c in inspect(db.engine).get_columns("analysis_result")}
    assert "used_height_m" not in columns and "used_weight_kg" not in columns
    upgrade(db.engine)

    services.update_person(account, person.id, PersonIn(name="Ann", height_m=1.55, weight_kg=71.5))
    (again,) = services.list_recordings(account, person.id)
    assert again.summary is not None
    assert (again.summary.used_height_m, again.summary.used_weight_kg) == (1.74, 71.5)
    assert [(c.measure, c.used, c.now) for c in again.measures_changed] == [
        ("height_m", 1.74, 1.55)
    ]
    assert services.get_recording(account, rec.id).measures_changed == again.measures_changed

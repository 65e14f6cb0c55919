"""Hand labels of bouts and recording dates in the store (SQLite and PostgreSQL).

The migration that adds them keeps existing rows; a label survives reanalysis
and is applied to the stored result; a recording without a date stays out of
progress until the user dates it, and moves with its date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from realdata import require
from retrowalk.app.jobs.worker import run_once
from retrowalk.app.services import Services
from retrowalk.core.errors import InputError
from retrowalk.store.db import MIGRATIONS_DIR, Database, make_engine, upgrade
from retrowalk.store.repositories import AccountScoped, NotFoundError
from retrowalk.store.schemas import PersonIn


def _alembic_to(engine, revision: str) -> None:  # type: ignore[no-untyped-def]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_migration_keeps_recordings_and_adds_labels(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        _alembic_to(engine, "0002")
        now = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "insert into account (id, email, password_hash, created_at) "
                    "values (1, 'old@example.org', 'x', :now)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "insert into person (id, account_id, name, kind, conditions, goals, "
                    "created_at) values (1, 1, 'Old', 'adult', '', '', :now)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "insert into recording (id, account_id, person_id, filename, stored_path, "
                    "sha256, size_bytes, format, placement, recorded_on, uploaded_at, status, "
                    "attempts, error) values (1, 1, 1, 'a.csv', '/x/a.csv', 'ab', 10, 'csv', "
                    "'auto', :day, :now, 'done', 0, '')"
                ),
                {"day": dt.date(2025, 5, 6), "now": now},
            )
        upgrade(engine)
        assert "bout_label" in inspect(engine).get_table_names()
        with engine.connect() as conn:
            row = conn.execute(
                text("select recorded_on, date_source, columns from recording where id = 1")
            ).one()
        assert str(row[0]) == "2025-05-06" and row[1] == "file" and row[2] == ""
        db = Database(database_url, migrate=False)
        try:
            with db.transaction() as session:
                scoped = AccountScoped(session, 1)
                scoped.set_bout_label(1, 1.0, 5.0, "backward")
            with db.read() as session:
                labels = AccountScoped(session, 1).bout_labels(1)
                assert [(x.start_s, x.label) for x in labels] == [(1.0, "backward")]
                with pytest.raises(NotFoundError):
                    AccountScoped(session, 2).bout_labels(1)
            # Deleting the recording deletes its labels (cascade on both databases).
            with db.transaction() as session:
                AccountScoped(session, 1).delete_recording(1)
            with db.engine.connect() as conn:
                assert conn.execute(text("select count(*) from bout_label")).scalar() == 0
        finally:
            db.dispose()
        # And back down again.
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        if engine.dialect.name != "sqlite":
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.downgrade(config, "0002")
            assert "bout_label" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_labels_replace_the_same_bout_and_refuse_nonsense(services: Services) -> None:
    account = services.sign_up("lab@example.org", "walk backward 1")
    person = services.create_person(account, PersonIn(name="L")).id
    path = require("mocap-backward", "09_12_pelvis.csv")
    with open(path, "rb") as stream:
        rec = services.upload(account, person, path.name, stream, placement="lower_back")
    with services.db.transaction() as session:
        scoped = AccountScoped(session, account)
        scoped.set_bout_label(rec.id, 0.0, 6.0, "forward")
        scoped.set_bout_label(rec.id, 6.5, 15.5, "backward")
        scoped.set_bout_label(rec.id, 0.2, 6.1, "not_walking")  # the first bout again
        with pytest.raises(InputError):
            scoped.set_bout_label(rec.id, 3.0, 2.0, "forward")
        with pytest.raises(InputError):
            scoped.set_bout_label(rec.id, 1.0, 2.0, "sideways")
    labels = services.bout_labels(account, rec.id)
    assert [(x.label, x.start_s) for x in labels] == [("not_walking", 0.2), ("backward", 6.5)]
    other = services.sign_up("other@example.org", "walk backward 1")
    with pytest.raises(NotFoundError):
        services.bout_labels(other, rec.id)
    with pytest.raises(NotFoundError):
        services.unlabel_bout(other, rec.id, labels[0].id)


def _drain(services: Services) -> None:
    while run_once(services.db, services.data_dir, services.runner):
        pass


def test_relabel_survives_reanalysis_and_reaches_progress(services: Services) -> None:
    account = services.sign_up("re@example.org", "walk backward 1")
    person = services.create_person(account, PersonIn(name="R", height_m=1.75)).id
    path = require("mocap-backward", "09_12_pelvis.csv")
    with open(path, "rb") as stream:
        rec = services.upload(account, person, path.name, stream, placement="lower_back")
    # The file holds no date: stored as unknown, out of progress.
    assert rec.date_source == "unknown"
    _drain(services)
    assert services.progress(account, person) == []
    first = services.analysis_json(account, rec.id)
    bouts = first["bouts"]
    assert len(bouts) == 2 and "hand_labels" not in first

    services.label_bout(account, rec.id, bouts[1]["start_s"], bouts[1]["end_s"], "backward")
    _drain(services)
    labelled = services.analysis_json(account, rec.id)
    assert labelled["bouts"][1]["direction"] == "backward"
    assert labelled["bouts"][1]["direction_set_by"] == "user"
    assert labelled["summary"]["backward"]["steps"] == bouts[1]["n_steps"]
    summary = services.get_recording(account, rec.id).summary
    assert summary is not None and summary.backward_steps == bouts[1]["n_steps"]

    # Reanalysis (e.g. a new analysis version) keeps the label.
    services.reanalyse(account, rec.id)
    _drain(services)
    again = services.analysis_json(account, rec.id)
    assert again["bouts"][1]["direction"] == "backward"
    assert again["bouts"][1]["direction_set_by"] == "user"

    # Dated by hand: progress holds it in that week; moved: progress moves.
    services.set_recording_date(account, rec.id, dt.date(2025, 3, 5))
    weeks = services.progress(account, person)
    assert [w.week_start for w in weeks] == [dt.date(2025, 3, 3)]
    assert weeks[0].backward_steps == bouts[1]["n_steps"]
    services.set_recording_date(account, rec.id, dt.date(2025, 4, 16))
    assert [w.week_start for w in services.progress(account, person)] == [dt.date(2025, 4, 14)]
    assert services.get_recording(account, rec.id).date_source == "user"
    with pytest.raises(InputError):
        services.set_recording_date(account, rec.id, dt.date(1850, 1, 1))

    # Undo: the bout gets its detected direction back.
    label = services.bout_labels(account, rec.id)[0]
    services.unlabel_bout(account, rec.id, label.id)
    _drain(services)
    undone = services.analysis_json(account, rec.id)
    assert "direction_set_by" not in undone["bouts"][1]
    assert undone["bouts"][1]["direction"] == bouts[1]["direction"]


def test_date_given_or_from_file(services: Services) -> None:
    account = services.sign_up("d@example.org", "walk backward 1")
    person = services.create_person(account, PersonIn(name="D")).id
    path = require("mocap-backward", "09_12_pelvis.csv")
    with open(path, "rb") as stream:
        given = services.upload(account, person, path.name, stream, recorded_on=dt.date(2025, 2, 3))
    assert (given.recorded_on, given.date_source) == (dt.date(2025, 2, 3), "user")
    dated = require("device-exports", "gt3x", "pygt3x_small.gt3x")
    with open(dated, "rb") as stream:
        from_file = services.upload(account, person, dated.name, stream)
    assert (from_file.recorded_on, from_file.date_source) == (dt.date(2019, 5, 6), "file")


def test_columns_are_kept_for_reanalysis(services: Services) -> None:
    account = services.sign_up("c@example.org", "walk backward 1")
    person = services.create_person(account, PersonIn(name="C")).id
    path = require("phone-steps", "Nexus_Jamie_Hard_InHand_1", "accelerometer.csv")
    with open(path, "rb") as stream, pytest.raises(InputError, match="5 fields"):
        services.upload(account, person, path.name, stream, columns="time_ns,acc_x,acc_y,acc_z")
    with open(path, "rb") as stream:
        rec = services.upload(
            account, person, path.name, stream, columns="time_ns,_,acc_x,acc_y,acc_z"
        )
    assert rec.columns == "time_ns,_,acc_x,acc_y,acc_z"
    _drain(services)
    assert services.get_recording(account, rec.id).status == "done"


def test_export_holds_labels_and_calibrations_and_delete_removes_them(
    services: Services,
) -> None:
    import json
    import zipfile

    from calibration_helpers import stand_in_profile
    from retrowalk.app.calibration import profile_store_dir, store_profile

    account = services.sign_up("ex@example.org", "walk backward 1")
    person = services.create_person(account, PersonIn(name="E")).id
    path = require("mocap-backward", "09_12_pelvis.csv")
    with open(path, "rb") as stream:
        rec = services.upload(account, person, path.name, stream, placement="lower_back")
    with services.db.transaction() as session:
        AccountScoped(session, account).set_bout_label(rec.id, 6.5, 15.5, "backward")
    store_profile(stand_in_profile(), person, services.data_dir)
    assert [c["placement"] for c in services.calibrations(account, person)] == ["lower_back"]
    export = services.export_person(account, person)
    with zipfile.ZipFile(export.path) as zf:
        labels = json.loads(zf.read("bout_labels.json"))
        assert [(x["recording_id"], x["label"]) for x in labels] == [(rec.id, "backward")]
        assert "calibrations/lower_back.json" in zf.namelist()
    export.path.unlink()
    services.delete_person(account, person)
    assert not list(profile_store_dir(person, services.data_dir).glob("*.json"))

    # Deleting the account removes its people's calibrations too.
    other = services.create_person(account, PersonIn(name="F")).id
    store_profile(stand_in_profile(), other, services.data_dir)
    services.remove_account(account)
    assert not profile_store_dir(other, services.data_dir).exists()

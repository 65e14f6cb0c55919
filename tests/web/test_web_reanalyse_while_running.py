"""The body-measures and calibration buttons reach a recording being analysed.

A person's height changes (or a calibration is made) while one of their recordings is
being analysed with what was stored before. The button that analyses again what was
analysed otherwise used to skip that recording: it then held the old results, and the
page had to be visited and the button pressed once more. It is now queued again behind
its analysis, and the page says so; one whose analysis already started with what is
stored now is not queued again. Each analysis is held at its start by its run lock, as
a slow one would be. SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from webtest_helpers import (
    add_person,
    analyse_queued,
    calibrate_walk,
    csrf,
    make_settings,
    page_words,
    run_lock_held,
    sign_up,
    upload,
)

from realdata import require
from retrowalk.app.jobs.worker import process
from retrowalk.store.models import AnalysisResult, Recording
from retrowalk.web.app import create_app

WALK = require("mocap-backward", "09_12_pelvis.csv")


def _row(services, rid: int) -> tuple[str, str, object]:  # type: ignore[no-untyped-def]
    with services.db.read() as session:
        r = session.get(Recording, rid)
        return r.status, r.queued_for, r.started_with


def _analyses(services, rid: int) -> list[float | None]:  # type: ignore[no-untyped-def]
    """The height each stored analysis of the recording used, oldest first."""
    with services.db.read() as session:
        query = select(AnalysisResult.used_height_m).where(AnalysisResult.recording_id == rid)
        return list(session.scalars(query.order_by(AnalysisResult.id)))


@contextmanager
def _analysing(client: TestClient, services, rid: int) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The recording asked to be analysed again, its analysis started by the worker's
    own ``process`` and held at its start (its run lock taken here) inside the block;
    finished after it."""
    worker = threading.Thread(
        target=process, args=(services.db, services.data_dir, rid, services.runner)
    )
    try:
        with run_lock_held(services.data_dir, rid):
            page = f"/recordings/{rid}"
            client.post(f"{page}/reanalyse", data={"csrf_token": csrf(client, page)})
            worker.start()
            deadline = time.monotonic() + 60
            # claimed, and started with what is stored now
            while (row := _row(services, rid))[0] != "running" or row[2] is None:
                assert time.monotonic() < deadline, "the analysis did not start"
                time.sleep(0.05)
            yield
    finally:
        worker.join(120)
    assert not worker.is_alive()


def _notice(client: TestClient, person: int) -> str:
    return page_words(client.get(f"/people/{person}").text)


def _edit_height(client: TestClient, person: int, height: str) -> None:
    token = csrf(client, f"/people/{person}")
    data = {"name": "Ann", "height_m": height, "weight_kg": "70", "csrf_token": token}
    assert client.post(f"/people/{person}/edit", data=data).status_code == 200


def _press_measures(client: TestClient, person: int) -> None:
    token = csrf(client, f"/people/{person}")
    client.post(f"/people/{person}/reanalyse-measures", data={"csrf_token": token})


def test_the_measures_button_queues_again_one_analysed_with_the_old_measures(  # type: ignore[no-untyped-def]
    database_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    with TestClient(app) as client:
        sign_up(client, "running-measures@example.org")
        ann = add_person(client, "Ann", height_m="1.74", weight_kg="70")
        rid = upload(client, ann, WALK, placement="lower_back", recorded_on="2026-03-02")["id"]
        analyse_queued(services)
        assert _analyses(services, rid) == [1.74]

        # Analysed again, started with 1.74 m; the height becomes 1.55 m meanwhile.
        with _analysing(client, services, rid):
            _edit_height(client, ann, "1.55")
            assert "(being analysed now, with the earlier measures)" in _notice(client, ann)
            _press_measures(client, ann)
            status, reasons, _ = _row(services, rid)
            assert (status, reasons) == ("queued", "asked,measures")
            words = _notice(client, ann)
            assert "1.55 m (queued to be analysed again)." in words
        assert _analyses(services, rid) == [1.74]  # the one started with 1.74 m, kept
        assert _row(services, rid)[0] == "queued"
        analyse_queued(services)
        assert _row(services, rid)[:2] == ("done", "")
        assert _analyses(services, rid) == [1.55]
        assert 'id="measures-changed"' not in client.get(f"/people/{ann}").text

        # The height changes again, then an analysis starts: it uses 1.62 m already.
        _edit_height(client, ann, "1.62")
        with _analysing(client, services, rid):
            assert "(being analysed now, with the measures of now)" in _notice(client, ann)
            _press_measures(client, ann)
            assert _row(services, rid)[:2] == ("running", "asked")  # not queued again
        assert _row(services, rid)[:2] == ("done", "")
        assert _analyses(services, rid) == [1.62]


def test_the_calibration_button_queues_again_one_analysed_without_it(  # type: ignore[no-untyped-def]
    database_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    with TestClient(app) as client:
        sign_up(client, "running-calibration@example.org")
        ann = add_person(client, "Ann", height_m="1.74", weight_kg="70")
        rid = upload(client, ann, WALK, placement="lower_back", recorded_on="2026-03-02")["id"]
        analyse_queued(services)
        cal = f"/people/{ann}/calibration"

        def press() -> str:
            url = f"{cal}/lower_back/reanalyse"
            return page_words(client.post(url, data={"csrf_token": csrf(client, cal)}).text)

        # Analysed again, started without a calibration; one is made meanwhile.
        with _analysing(client, services, rid):
            made = calibrate_walk(client, ann, WALK, "forward, backward", follow_redirects=True)
            assert 'data-outcome="stored"' in made.text, made.text
            assert "1 recording at the lower back queued for analysis again" in press()
            assert _row(services, rid)[:2] == ("queued", "asked,calibration")
        analyse_queued(services)
        with services.db.read() as session:
            latest = session.scalars(
                select(AnalysisResult.result).where(AnalysisResult.recording_id == rid)
            ).all()
        assert latest[-1]["assumptions"]["direction_profile"]["placement"] == "lower_back"

        # Started with the calibration stored now: not queued again.
        with _analysing(client, services, rid):
            assert "0 recordings at the lower back queued" in press()
            assert _row(services, rid)[:2] == ("running", "asked")
        assert _row(services, rid)[:2] == ("done", "")

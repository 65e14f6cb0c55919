"""Stopping an upgrade's "analyse again" run cancels only what the run queued.

After an upgrade, every recording an earlier engine analysed counts in the run's
"recordings left", whoever queued it; "Stop analysing again" sent all of them back to
their earlier analysis, so the new analysis a calibration or the person's changed
body measures had asked for was silently lost. Each recording now keeps why it was
queued: stopping sends back only those the run alone queued, the page says which
stay queued and why, and those are analysed as asked.

The run's count is of what it queued: recordings a calibration or new measures had
queued before it started are counted apart, not as "left" for the run. And the
calibration's and the measures' buttons add their reason to recordings the run has
already queued (they skipped them, so a stop then cancelled what they asked for).
SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_web_reanalysis import _copies, _upgrade
from webtest_helpers import (
    add_person,
    analyse_queued,
    calibrate_walk,
    csrf,
    make_settings,
    page_words,
    sign_up,
    upload,
)

from realdata import require
from retrowalk.web.app import create_app

ORDERS = ("asked-first", "run-first")


@pytest.mark.parametrize("order", ORDERS)
def test_stop_leaves_what_a_calibration_or_new_measures_queued(  # type: ignore[no-untyped-def]
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    walk = require("mocap-backward", "09_12_pelvis.csv")
    with TestClient(app) as client, TestClient(app) as stranger:
        sign_up(client, "stop-reasons@example.org")
        sign_up(stranger, "stranger@example.org")
        ann = add_person(client, "Ann")
        bob = add_person(client, "Bob", height_m="1.80", weight_kg="80")
        cy = add_person(client, "Cy")
        paths = _copies(walk, tmp_path, 3)
        ids = {
            who: upload(client, person, path, placement="lower_back", recorded_on="2026-03-02")[
                "id"
            ]
            for who, person, path in zip(("ann", "bob", "cy"), (ann, bob, cy), paths, strict=True)
        }
        analyse_queued(services)
        before = {k: client.get(f"/recordings/{i}/analysis.json").json() for k, i in ids.items()}
        _upgrade(monkeypatch)
        token = csrf(client, f"/people/{bob}")
        if order == "run-first":
            client.post("/reanalyse-older", data={"csrf_token": token})
            assert client.get("/reanalysis.json").json()["stop_cancels"] == 3

        # Ann calibrates and has her recording analysed again with it; Bob's height
        # changes and his recording is analysed again with it; Cy's waits for the run.
        made = calibrate_walk(client, ann, walk, "forward, backward", follow_redirects=True)
        assert 'data-outcome="stored"' in made.text, made.text
        cal = f"/people/{ann}/calibration"
        # One the run alone queued is not counted as being analysed with it: a stop
        # would cancel it.
        assert "1 recording worn at the lower back was analysed without it" in page_words(made.text)
        queued = client.post(f"{cal}/lower_back/reanalyse", data={"csrf_token": csrf(client, cal)})
        assert "1 recording at the lower back queued for analysis again" in queued.text
        assert "Being analysed again with it" in page_words(queued.text)
        client.post(
            f"/people/{bob}/edit",
            data={"name": "Bob", "height_m": "1.62", "weight_kg": "80", "csrf_token": token},
        )
        client.post(f"/people/{bob}/reanalyse-measures", data={"csrf_token": token})
        if order == "asked-first":
            client.post("/reanalyse-older", data={"csrf_token": token})
        state = client.get("/reanalysis.json").json()
        if order == "run-first":
            # The run queued all three; two are queued by a calibration or new measures too.
            assert (state["pending"], state["queued_otherwise"]) == (3, 0)
            assert (state["stop_cancels"], state["stop_keeps"]) == (1, 2)
            assert state["stop_keeps_for"] == ["calibration", "measures"]
            notice = page_words(client.get("/people").text)
            assert "0 of 3 done , 3 recordings left ." in notice
            assert (
                "2 of the recordings left were queued by a calibration or changed body "
                "measures too: stopping leaves them queued, to be analysed as asked."
            ) in notice
        else:
            # The run queued Cy's alone: the two already waiting are not its own.
            assert (state["pending"], state["total"]) == (1, 1)
            assert state["queued_otherwise"] == 2
            assert state["queued_otherwise_for"] == ["calibration", "measures"]
            assert (state["stop_cancels"], state["stop_keeps"]) == (1, 0)
            notice = page_words(client.get("/people").text)
            assert "0 of 1 done , 1 recording left ." in notice
            assert "queued by a calibration" not in notice
            # The two queued otherwise are named apart, with their reasons.
            assert (
                "2 other recordings analysed by an earlier version are being analysed again "
                "for their own reason, a calibration or changed body measures: they are not "
                "counted above, and stopping leaves them to be analysed as asked."
            ) in notice

        # Another account's stop touches none of them, nor can it read the person's run.
        stranger.post("/reanalyse-older/stop", data={"csrf_token": csrf(stranger, "/people")})
        assert client.get("/reanalysis.json").json()["stop_cancels"] == 1
        assert stranger.get(f"/reanalysis.json?person_id={ann}").status_code == 404

        stopped = client.post("/reanalyse-older/stop", data={"csrf_token": token})
        assert stopped.status_code == 200
        status = {k: client.get(f"/recordings/{i}/status").json()["status"] for k, i in ids.items()}
        assert status == {"ann": "queued", "bob": "queued", "cy": "done"}
        assert client.get(f"/recordings/{ids['cy']}/analysis.json").json() == before["cy"]
        page = client.get("/people").text
        assert 'id="stop-reanalysis"' not in page  # nothing left that stopping would cancel
        if order == "run-first":
            assert (
                "2 of the recordings left were queued by a calibration or changed body "
                "measures too: they are analysed as asked."
            ) in page_words(page)
        else:
            # The button queues the one not queued already.
            assert "Analyse the other one again with this version" in page_words(page)
            assert (
                "2 of them are queued for a new analysis already, by a calibration or "
                "changed body measures: they are analysed with this version as asked."
            ) in page_words(page)

        analyse_queued(services)
        anns = client.get(f"/recordings/{ids['ann']}/analysis.json").json()
        offered = anns["assumptions"]["direction_profile"]
        assert offered and offered["placement"] == "lower_back"
        assert anns["assumptions"]["direction_profile"] != before["ann"]["assumptions"].get(
            "direction_profile"
        )
        bobs = client.get(f"/api/v1/recordings/{ids['bob']}", headers=_auth(client)).json()
        assert bobs["summary"]["used_height_m"] == 1.62 and bobs["measures_changed"] == []
        after = client.get("/reanalysis.json").json()
        assert (after["older_recordings"], after["pending"]) == (1, 0)


def _auth(client: TestClient) -> dict[str, str]:
    response = client.post(
        "/api/v1/tokens", json={"email": "stop-reasons@example.org", "password": "correct horse"}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_a_recording_queued_before_reasons_were_kept_is_counted_as_stop_leaves_it(  # type: ignore[no-untyped-def]
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queued before migration 0009 (a bout label, its own Analyse again), a recording
    has no reason kept: it may have been asked for, so a stop leaves it waiting, and
    the page counts it so beforehand (it counted it as one a stop cancels, and for the
    label it did not). One the run queued since is stopped."""

    from retrowalk.store.db import migrate, upgrade

    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    walk = require("mocap-backward", "09_12_pelvis.csv")
    with TestClient(app) as client:
        sign_up(client, "stop-reasons@example.org")
        ann = add_person(client, "Ann")
        paths = _copies(walk, tmp_path, 3)
        labelled, asked, other = (
            upload(client, ann, path, placement="lower_back", recorded_on="2026-03-02")["id"]
            for path in paths
        )
        analyse_queued(services)
        auth = _auth(client)
        bout = client.get(f"/api/v1/recordings/{labelled}/analysis", headers=auth).json()
        span = {k: bout["bouts"][0][k] for k in ("start_s", "end_s")}
        answer = client.post(
            f"/api/v1/recordings/{labelled}/bout-labels",
            headers=auth,
            json={**span, "label": "forward"},
        )
        assert answer.status_code == 201, answer.text
        token = csrf(client, "/people")
        client.post(f"/recordings/{asked}/reanalyse", data={"csrf_token": token})
        assert {
            client.get(f"/recordings/{i}/status").json()["status"] for i in (labelled, asked)
        } == {"queued"}
        # Down to 0008 and up again: the two wait with no reason known.
        migrate(services.db.engine, "0008", down=True)
        upgrade(services.db.engine)

        _upgrade(monkeypatch)
        client.post("/reanalyse-older", data={"csrf_token": token})
        state = client.get("/reanalysis.json").json()
        assert state["pending"] == 3
        assert (state["stop_cancels"], state["stop_keeps"]) == (1, 2)
        assert state["stop_keeps_for"] == ["unknown"]
        assert (
            "2 of the recordings left were queued by a request made before retrowalk "
            "recorded why too: stopping leaves them queued, to be analysed as asked."
        ) in page_words(client.get("/people").text)

        client.post("/reanalyse-older/stop", data={"csrf_token": token})
        status = {
            i: client.get(f"/recordings/{i}/status").json()["status"]
            for i in (labelled, asked, other)
        }
        assert status == {labelled: "queued", asked: "queued", other: "done"}
        after = client.get("/reanalysis.json").json()
        assert (after["pending"], after["stop_cancels"], after["stop_keeps"]) == (2, 0, 2)
        page = client.get("/people").text
        assert 'id="stop-reanalysis"' not in page
        assert "they are analysed as asked" in page_words(page)

        analyse_queued(services)
        applied = client.get(f"/api/v1/recordings/{labelled}/analysis", headers=auth).json()
        assert [x["label"] for x in applied["hand_labels"]["labels"]] == ["forward"]
        assert client.get("/reanalysis.json").json()["older_recordings"] == 1


def test_the_runs_figures_count_only_what_it_analysed_again(  # type: ignore[no-untyped-def]
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade, a recording analysed again for its own reason (its own Analyse
    again, before the run or while it goes on) is not one of the run's: the run's "done
    of" counted every recording analysed again since the upgrade, whoever asked, so a run
    that had queued one began at "1 of 2 done", and went on to "3 of 3"."""
    from retrowalk.app.jobs.worker import run_once

    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    walk = require("mocap-backward", "09_12_pelvis.csv")
    with TestClient(app) as client:
        sign_up(client, "stop-reasons@example.org")
        ann = add_person(client, "Ann")
        first, second, third = (
            upload(client, ann, path, placement="lower_back", recorded_on="2026-03-02")["id"]
            for path in _copies(walk, tmp_path, 3)
        )
        analyse_queued(services)
        _upgrade(monkeypatch)
        token = csrf(client, "/people")
        client.post(f"/recordings/{first}/reanalyse", data={"csrf_token": token})
        analyse_queued(services)  # analysed again with this version, as its page asked
        client.post(f"/recordings/{third}/reanalyse", data={"csrf_token": token})
        client.post("/reanalyse-older", data={"csrf_token": token})  # queues the second
        state = client.get("/reanalysis.json").json()
        assert (state["analysed_again"], state["total"], state["queued_otherwise"]) == (0, 1, 1)
        assert "0 of 1 done , 1 recording left ." in page_words(client.get("/people").text)
        assert run_once(services.db, services.data_dir, services.runner)  # the second
        state = client.get("/reanalysis.json").json()
        assert (state["analysed_again"], state["total"], state["pending"]) == (1, 1, 0)
        assert run_once(services.db, services.data_dir, services.runner)  # the third
        state = client.get("/reanalysis.json").json()
        assert (state["older_recordings"], state["analysed_again"], state["total"]) == (0, 1, 1)
        status = {client.get(f"/recordings/{i}/status").json()["status"] for i in (second, third)}
        assert status == {"done"}

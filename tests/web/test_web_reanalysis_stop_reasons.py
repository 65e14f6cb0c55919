"""Stopping an upgrade's "analyse again" run cancels only what the run queued.

After an upgrade, every recording an earlier engine analysed counts in the run's
"recordings left", whoever queued it; "Stop analysing again" sent all of them back to
their earlier analysis, so the new analysis a calibration or the person's changed
body measures had asked for was silently lost. Each recording now keeps why it was
queued: stopping sends back only those the run alone queued, the page says which
stay queued and why, and those are analysed as asked. SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_web_reanalysis import _copies, _upgrade
from webtest_helpers import (
    add_person,
    calibrate_walk,
    csrf,
    make_settings,
    page_words,
    sign_up,
    upload,
)

from realdata import require
from retrowalk.app.jobs.worker import run_once
from retrowalk.web.app import create_app


def test_stop_leaves_what_a_calibration_or_new_measures_queued(  # type: ignore[no-untyped-def]
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
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
        while run_once(services.db, services.data_dir, services.runner):
            pass
        before = {k: client.get(f"/recordings/{i}/analysis.json").json() for k, i in ids.items()}
        _upgrade(monkeypatch)

        # Ann calibrates and has her recording analysed again with it; Bob's height
        # changes and his recording is analysed again with it; Cy's waits for the run.
        made = calibrate_walk(client, ann, walk, "forward, backward", follow_redirects=True)
        assert 'data-outcome="stored"' in made.text, made.text
        cal = f"/people/{ann}/calibration"
        queued = client.post(f"{cal}/lower_back/reanalyse", data={"csrf_token": csrf(client, cal)})
        assert "1 recording at the lower back queued for analysis again" in queued.text
        token = csrf(client, f"/people/{bob}")
        client.post(
            f"/people/{bob}/edit",
            data={"name": "Bob", "height_m": "1.62", "weight_kg": "80", "csrf_token": token},
        )
        client.post(f"/people/{bob}/reanalyse-measures", data={"csrf_token": token})
        client.post("/reanalyse-older", data={"csrf_token": token})
        state = client.get("/reanalysis.json").json()
        assert state["pending"] == 3
        assert (state["stop_cancels"], state["stop_keeps"]) == (1, 2)
        assert state["stop_keeps_for"] == ["calibration", "measures"]
        notice = page_words(client.get("/people").text)
        assert (
            "2 of the recordings left were queued by a calibration or changed body measures "
            "too: stopping leaves them queued, to be analysed as asked."
        ) in notice

        # Another account's stop touches none of them, nor can it read the person's run.
        stranger.post("/reanalyse-older/stop", data={"csrf_token": csrf(stranger, "/people")})
        assert client.get("/reanalysis.json").json()["pending"] == 3
        assert stranger.get(f"/reanalysis.json?person_id={ann}").status_code == 404

        stopped = client.post("/reanalyse-older/stop", data={"csrf_token": token})
        assert stopped.status_code == 200
        status = {k: client.get(f"/recordings/{i}/status").json()["status"] for k, i in ids.items()}
        assert status == {"ann": "queued", "bob": "queued", "cy": "done"}
        assert client.get(f"/recordings/{ids['cy']}/analysis.json").json() == before["cy"]
        page = client.get("/people").text
        assert 'id="stop-reanalysis"' not in page  # nothing left that stopping would cancel
        assert (
            "2 of the recordings left were queued by a calibration or changed body measures "
            "too: they are analysed as asked."
        ) in page_words(page)

        while run_once(services.db, services.data_dir, services.runner):
            pass
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

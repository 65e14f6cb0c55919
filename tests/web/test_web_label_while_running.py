"""A hand label given while the recording is being analysed counts, everywhere.

An analysis reads the recording's labels when it starts. A label saved while it
runs (the user labels one bout, the analysis starts, they label the next) used to
be stored and listed but left out of the analysis, its totals, the recording's
summary and the progress weeks until something else had it analysed again: the
recording is now queued again and analysed once more when the running analysis ends.
"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from webtest_helpers import (
    add_person,
    api_token,
    page_words,
    run_lock_held,
    sign_up,
    upload,
    wait_for_analysis,
)

from realdata import require


def _status(client: TestClient, auth: dict, rid: int) -> str:
    return str(client.get(f"/api/v1/recordings/{rid}", headers=auth).json()["status"])


def test_a_label_given_while_the_analysis_runs_is_in_every_figure(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "running@example.org")
    person = add_person(client, "Ray", height_m="1.74")
    # real backward walking at the thigh: two bouts whose direction is uncertain
    rec = upload(
        client,
        person,
        require("mocap-backward", "09_12_thigh.csv"),
        placement="pocket",
        recorded_on="2025-04-24",
    )
    assert rec["http"] == 201, rec
    rid = rec["id"]
    wait_for_analysis(app)
    auth = api_token(client, "running@example.org")
    bouts = client.get(f"/api/v1/recordings/{rid}/analysis", headers=auth).json()["bouts"]
    assert [b["direction"] for b in bouts] == ["uncertain", "uncertain"]

    def label(bout: dict, what: str) -> None:
        span = {"start_s": bout["start_s"], "end_s": bout["end_s"], "label": what}
        answer = client.post(f"/api/v1/recordings/{rid}/bout-labels", headers=auth, json=span)
        assert answer.status_code == 201, answer.text

    # The analysis the first label starts is held at its start (its run lock taken
    # here, as a slow analysis would be) while the second label is given.
    with run_lock_held(app.state.services.data_dir, rid):
        label(bouts[0], "forward")
        deadline = time.monotonic() + 60
        while _status(client, auth, rid) != "running":
            assert time.monotonic() < deadline, "the analysis did not start"
            time.sleep(0.05)
        label(bouts[1], "backward")
        assert _status(client, auth, rid) == "queued"  # to be analysed once more
    wait_for_analysis(app)

    assert _status(client, auth, rid) == "done"
    analysis = client.get(f"/api/v1/recordings/{rid}/analysis", headers=auth).json()
    assert [b["direction"] for b in analysis["bouts"]] == ["forward", "backward"]
    assert [x["label"] for x in analysis["hand_labels"]["labels"]] == ["forward", "backward"]
    back = analysis["session"]["backward"]
    assert back["steps"] == bouts[1]["n_steps"] > 0
    summary = client.get(f"/api/v1/recordings/{rid}", headers=auth).json()["summary"]
    assert summary["backward_steps"] == back["steps"]
    assert summary["backward_distance_m"] == back["distance_m"]
    assert summary["uncertain_steps"] == 0
    (week,) = client.get(f"/api/v1/people/{person}/progress", headers=auth).json()
    assert week["backward_steps"] == back["steps"] and week["uncertain_steps"] == 0
    words = page_words(client.get(f"/recordings/{rid}").text)
    assert f"{back['steps']} backward steps · {back['distance_m']:.1f} m" in words, words

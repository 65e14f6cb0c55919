"""The REST API of calibrations, bout labels, recording dates and upload columns.

Real recordings (CMU 09_12 lower back, a headerless phone-steps file) through
the app's HTTP interface on SQLite and PostgreSQL, with the analysis worker.
"""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from webtest_helpers import add_person, api_token, sign_up, wait_for_analysis

from realdata import require


def _setup(client: TestClient) -> tuple[dict, int]:
    sign_up(client, "api@example.org")
    person = add_person(client, "Ada", height_m="1.70")
    return api_token(client, "api@example.org"), person


def test_calibration_api(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    headers, person = _setup(client)
    walk = require("mocap-backward", "09_12_pelvis.csv")
    url = f"/api/v1/people/{person}/calibrations"
    with open(walk, "rb") as stream:
        refused = client.post(
            url,
            headers=headers,
            files={"file": (walk.name, stream)},
            data={"labels": "forward, backward, forward", "placement": "lower_back"},
        )
    assert refused.status_code == 400
    body = refused.json()
    assert body["ok"] is False and "3 labels for 2 walking bouts" in body["reason"]
    assert "--segments" not in body["reason"]
    assert len(body["bouts"]) == 2
    assert client.get(url, headers=headers).json() == []
    with open(walk, "rb") as stream:
        done = client.post(
            url,
            headers=headers,
            files={"file": (walk.name, stream)},
            data={"labels": "forward, backward", "placement": "lower_back"},
        )
    assert done.status_code == 200, done.text
    cal = done.json()["calibration"]
    assert cal["placement"] == "lower_back" and cal["n_steps_total"] >= 8
    assert "profile" not in done.json()
    listed = client.get(url, headers=headers).json()
    assert [c["placement"] for c in listed] == ["lower_back"]
    # The uploaded walk is not kept as a recording.
    assert client.get(f"/api/v1/people/{person}/recordings", headers=headers).json() == []
    assert client.delete(f"{url}/lower_back", headers=headers).status_code == 204
    assert client.delete(f"{url}/lower_back", headers=headers).status_code == 404
    assert client.get(url, headers=headers).json() == []


def test_dates_labels_and_columns_api(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    headers, person = _setup(client)
    walk = require("mocap-backward", "09_12_pelvis.csv")
    with open(walk, "rb") as stream:
        rec = client.post(
            f"/api/v1/people/{person}/recordings",
            headers=headers,
            files={"file": (walk.name, stream)},
            data={"placement": "lower_back"},
        ).json()
    assert rec["date_source"] == "unknown"
    wait_for_analysis(app)
    progress = f"/api/v1/people/{person}/progress"
    assert client.get(progress, headers=headers).json() == []
    changed = client.patch(
        f"/api/v1/recordings/{rec['id']}", headers=headers, json={"recorded_on": "2025-06-04"}
    )
    assert changed.status_code == 200 and changed.json()["date_source"] == "user"
    assert [w["week_start"] for w in client.get(progress, headers=headers).json()] == ["2025-06-02"]
    bad = client.patch(
        f"/api/v1/recordings/{rec['id']}", headers=headers, json={"recorded_on": "soon"}
    )
    assert bad.status_code == 422

    bouts = client.get(f"/api/v1/recordings/{rec['id']}/analysis", headers=headers).json()["bouts"]
    labels = f"/api/v1/recordings/{rec['id']}/bout-labels"
    made = client.post(
        labels,
        headers=headers,
        json={"start_s": bouts[0]["start_s"], "end_s": bouts[0]["end_s"], "label": "not_walking"},
    )
    assert made.status_code == 201, made.text
    assert (
        client.post(
            labels, headers=headers, json={"start_s": 0, "end_s": 1, "label": "sideways"}
        ).status_code
        == 422
    )
    # A span without end (JSON's 1e999 reads as infinity) is refused, nothing stored.
    endless = client.post(
        labels,
        headers={**headers, "content-type": "application/json"},
        content='{"start_s": 0, "end_s": 1e999, "label": "backward"}',
    )
    assert endless.status_code in (400, 422), endless.text
    assert "end_s" in endless.text and "a number of seconds" in endless.text
    assert [x["label"] for x in client.get(labels, headers=headers).json()] == ["not_walking"]
    wait_for_analysis(app)
    result = client.get(f"/api/v1/recordings/{rec['id']}/analysis", headers=headers).json()
    assert len(result["bouts"]) == 1 and len(result["hand_labels"]["removed_bouts"]) == 1
    assert [x["label"] for x in client.get(labels, headers=headers).json()] == ["not_walking"]
    gone = client.delete(f"{labels}/{made.json()['id']}", headers=headers)
    assert gone.status_code == 204
    wait_for_analysis(app)
    result = client.get(f"/api/v1/recordings/{rec['id']}/analysis", headers=headers).json()
    assert len(result["bouts"]) == 2 and "hand_labels" not in result

    phone = require("phone-steps", "Nexus_Jamie_Hard_InHand_1", "accelerometer.csv")
    with open(phone, "rb") as stream:
        wrong = client.post(
            f"/api/v1/people/{person}/recordings",
            headers=headers,
            files={"file": (phone.name, stream)},
            data={"columns": "time_ns,acc_x,acc_y,acc_z", "recorded_on": "2025-06-05"},
        )
    assert wrong.status_code == 400
    detail = wrong.json()["detail"]
    assert "accelerometer.csv" in detail and "5 fields" in detail and "\n" not in detail
    with open(phone, "rb") as stream:
        right = client.post(
            f"/api/v1/people/{person}/recordings",
            headers=headers,
            files={"file": (phone.name, stream)},
            data={"columns": "time_ns,_,acc_x,acc_y,acc_z", "recorded_on": "2025-06-05"},
        )
    assert right.status_code == 201, right.text
    assert right.json()["columns"] == "time_ns,_,acc_x,acc_y,acc_z"
    assert right.json()["recorded_on"] == dt.date(2025, 6, 5).isoformat()
    wait_for_analysis(app)
    got = client.get(f"/api/v1/recordings/{right.json()['id']}", headers=headers).json()
    assert got["status"] == "done"


def test_calibration_names_the_bout_it_left_out(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """A real back-pocket walk that ends with the phone taken out: API and page name that bout."""
    headers, person = _setup(client)
    walk = require("phone-steps", "Samsung_Carmelo_Hard_BackPocket_1", "accelerometer.csv")
    url = f"/api/v1/people/{person}/calibrations"
    form = {"columns": "time_ns,_,acc_x,acc_y,acc_z", "placement": "pocket"}
    with open(walk, "rb") as stream:
        found = client.post(
            url, headers=headers, files={"file": (walk.name, stream)}, data=form
        ).json()["bouts"]
    labels = ", ".join(["forward"] * len(found))
    with open(walk, "rb") as stream:
        done = client.post(
            url,
            headers=headers,
            files={"file": (walk.name, stream)},
            data={**form, "labels": labels},
        )
    assert done.status_code == 200, done.text
    cal = done.json()["calibration"]
    [note] = cal["left_out"]
    assert note.startswith(f"bout {len(found)} (") and "left out" in note
    assert cal["left_out_bouts"][0]["index"] == len(found)
    assert client.get(url, headers=headers).json()[0]["left_out"] == [note]
    page = client.get(f"/people/{person}/calibration").text
    assert f"Not used: bout {len(found)} (" in page

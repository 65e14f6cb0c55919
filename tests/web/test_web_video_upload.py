"""A phone video uploaded in the app is analysed like any recording (needs the video extra).

Against a real HTTP server (uvicorn) with the real demo clip: the upload form and
the API take two floor points a known distance apart and the body proportions;
they are checked (one line naming the field), stored with the recording, and
reach the analysis through the stored row (speed in metres from the floor marks),
as every reanalysis reads them.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from webtest_helpers import CSRF_RE, make_settings

from browser_helpers import serve_app
from retrowalk.web.app import create_app

pytestmark = pytest.mark.slow

# Two points on the path of the demo's walker (1768x994 frame), 3 m apart as if
# marked with tape: the figure is for the mechanics, not an accuracy claim.
MARKS = "300,900,1500,900"


def _csrf(client: httpx.Client, page: str) -> str:
    match = CSRF_RE.search(client.get(page).text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def _sign_up(client: httpx.Client, email: str) -> None:
    token = _csrf(client, "/signup")
    response = client.post(
        "/signup",
        data={"email": email, "password": "correct horse", "csrf_token": token},
        follow_redirects=True,
    )
    assert response.status_code == 200 and response.url.path == "/people", response.text


def _add_person(client: httpx.Client, name: str, **fields: str) -> int:
    token = _csrf(client, "/people")
    response = client.post(
        "/people", data={"name": name, "csrf_token": token, **fields}, follow_redirects=True
    )
    assert response.status_code == 200, response.text
    return int(response.url.path.rsplit("/", 1)[-1])


def _upload_page(client: httpx.Client, person_id: int, path: Path, **form: str) -> httpx.Response:
    token = _csrf(client, f"/people/{person_id}")
    with open(path, "rb") as stream:
        return client.post(
            f"/people/{person_id}/recordings",
            files={"file": ("walk.mp4", stream)},
            data={"csrf_token": token, **form},
        )


def _wait_done(client: httpx.Client, recording_id: int, timeout_s: float = 300) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = client.get(f"/recordings/{recording_id}/status").json()["status"]
        if status in ("done", "failed"):
            return str(status)
        time.sleep(0.5)
    raise AssertionError("analysis did not finish")


def test_video_upload_with_floor_marks_over_http(
    database_url: str, tmp_path: Path, shared_data: Path, recording_file: Path
) -> None:
    pytest.importorskip("mediapipe", reason="the video extra is not installed")
    if not database_url.startswith("sqlite"):
        pytest.skip("the video path is the same on every database; run once")
    video = shared_data / "video" / "sports2d-demo.mp4"
    app = create_app(make_settings(database_url, tmp_path, worker="thread"))
    with serve_app(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        _sign_up(client, "video@example.org")
        pid = _add_person(client, "Vera")  # no height: metres only from the floor marks
        page = client.get(f"/people/{pid}").text
        for name in ("floor_marks", "floor_distance_m", "proportions"):
            assert f'name="{name}"' in page

        # Refused, one line naming the field by its label on the form, the typed
        # values kept in the form; nothing is stored.
        refused = [
            ({"floor_marks": "300,900,1500"}, "Floor marks: give four numbers"),
            ({"floor_marks": MARKS}, "Distance between the marks: give the distance"),
            (
                {"floor_marks": MARKS, "floor_distance_m": "three"},
                "Distance between the marks: give the distance in metres",
            ),
            ({"floor_distance_m": "3"}, "Floor marks: give the two floor points"),
            (
                {"floor_marks": "300,900,2500,900", "floor_distance_m": "3"},
                "Floor marks: (2500, 900) lies outside the 1768x994 frame",
            ),
            ({"proportions": "toddler"}, "Body proportions: choose one of From the age, Young"),
        ]
        for form, message in refused:
            response = _upload_page(client, pid, video, **form)
            assert response.status_code == 400, (form, response.text[:300])
            error = re.search(r'id="upload-error">([^<]*)<', response.text)
            assert error and error.group(1).startswith(message), (form, error)
            assert "\n" not in error.group(1)
            assert not re.search(r"floor_|_m\b|^proportions", error.group(1)), error.group(1)
            for name in ("floor_marks", "floor_distance_m"):
                if name in form:
                    assert f'name="{name}" value="{form[name]}"' in response.text
        # Floor marks on a sensor recording: videos only (the API says so as JSON).
        token = client.post(
            "/api/v1/tokens", json={"email": "video@example.org", "password": "correct horse"}
        ).json()["token"]
        api = {"Authorization": f"Bearer {token}"}
        with open(recording_file, "rb") as stream:
            response = client.post(
                f"/api/v1/people/{pid}/recordings",
                files={"file": (recording_file.name, stream)},
                data={"floor_marks": MARKS, "floor_distance_m": "3"},
                headers=api,
            )
        assert response.status_code == 400, response.text
        assert "floor_marks: applies to videos only" in response.text
        assert client.get(f"/api/v1/people/{pid}/recordings", headers=api).json() == []

        # Accepted through the API: stored with the recording, analysed with them.
        with open(video, "rb") as stream:
            response = client.post(
                f"/api/v1/people/{pid}/recordings",
                files={"file": ("walk.mp4", stream)},
                data={"floor_marks": " 300, 900,1500,900 ", "floor_distance_m": "3.0"},
                headers=api,
            )
        assert response.status_code == 201, response.text
        rec = response.json()
        assert (rec["floor_marks_px"], rec["floor_distance_m"], rec["proportions"]) == (
            MARKS,
            3.0,
            "",
        )
        assert _wait_done(client, rec["id"]) == "done"
        stored = client.get(f"/api/v1/recordings/{rec['id']}", headers=api).json()
        assert (stored["floor_marks_px"], stored["floor_distance_m"]) == (MARKS, 3.0)
        result = client.get(f"/recordings/{rec['id']}/analysis.json").json()
        assert result["recording"]["placement"] == "video"
        assert result["video"]["speed_unit"] == "m/s"
        walking = [b for b in result["bouts"] if b["n_steps"] >= 3]
        assert [b["direction"] for b in walking] == ["forward"]
        assert 7 <= walking[0]["n_steps"] <= 9
        assert walking[0]["speed_source"] == "floor marks at a known distance"
        assert walking[0]["speed_mps"] > 0
        report = client.get(f"/recordings/{rec['id']}/report").text
        assert "data:image/gif;base64," in report

        # What a reanalysis reads: the stored row gives the same video options.
        from retrowalk.app.analyse import upload_options
        from retrowalk.store.models import Recording

        with app.state.services.db.read() as session:
            row = session.get(Recording, rec["id"])
            options = upload_options(row.person, row)
        assert options["video"].floor_points_px == ((300.0, 900.0), (1500.0, 900.0))
        assert options["video"].floor_distance_m == 3.0
        assert options["video"].child is None

"""The REST API under /api/v1 with bearer tokens."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from webtest_helpers import api_token, sign_up, wait_for_analysis


def test_openapi_schema_lists_the_api(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/people" in paths and "/api/v1/recordings/{recording_id}/analysis" in paths
    assert not any(p.startswith("/people") for p in paths)  # pages are not part of the API
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    # Swagger UI would load from a CDN: not served; the OpenAPI JSON is the description.
    assert client.get("/api/docs").status_code == 404


def test_api_needs_a_valid_token(client: TestClient) -> None:
    response = client.get("/api/v1/people")
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    bad = client.get("/api/v1/people", headers={"Authorization": "Bearer rw_nope"})
    assert bad.status_code == 401
    sign_up(client, "a@example.org")  # a cookie is not enough for the API
    assert client.get("/api/v1/people").status_code == 401
    wrong = client.post("/api/v1/tokens", json={"email": "a@example.org", "password": "bad pass!"})
    assert wrong.status_code == 401


def test_api_token_rate_limited(client: TestClient) -> None:
    sign_up(client, "a@example.org")
    codes = [
        client.post(
            "/api/v1/tokens", json={"email": "a@example.org", "password": "x" * 9}
        ).status_code
        for _ in range(6)
    ]
    assert codes[-1] == 429


def test_api_full_flow(app, client: TestClient, recording_file: Path) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "api@example.org")
    auth = api_token(client, "api@example.org")
    person = client.post(
        "/api/v1/people",
        headers=auth,
        json={"name": "Kim", "kind": "adult", "birth_date": "1960-04-02", "height_m": 1.6},
    )
    assert person.status_code == 201, person.text
    pid = person.json()["id"]
    assert client.post("/api/v1/people", headers=auth, json={"name": ""}).status_code == 422
    updated = client.put(
        f"/api/v1/people/{pid}",
        headers=auth,
        json={"name": "Kim", "birth_date": "1960-04-02", "weight_kg": 64, "height_m": 1.6},
    )
    assert updated.json()["weight_kg"] == 64
    up = client.post(
        f"/api/v1/people/{pid}/recordings",
        headers=auth,
        files={"file": (recording_file.name, recording_file.read_bytes())},
        data={"recorded_on": "2025-01-08", "placement": "lower_back"},
    )
    assert up.status_code == 201, up.text
    rid = up.json()["id"]
    wait_for_analysis(app)
    detail = client.get(f"/api/v1/recordings/{rid}", headers=auth).json()
    assert detail["status"] == "done" and detail["summary"]["analysis_version"]
    analysis = client.get(f"/api/v1/recordings/{rid}/analysis", headers=auth).json()
    assert analysis["assumptions"]["weight_kg"] == 64 and analysis["assumptions"]["age_years"] > 60
    listed = client.get(f"/api/v1/people/{pid}/recordings", headers=auth).json()
    assert [r["id"] for r in listed] == [rid]
    file = client.get(f"/api/v1/recordings/{rid}/file", headers=auth)
    assert file.content == recording_file.read_bytes()
    weeks = client.get(f"/api/v1/people/{pid}/progress", headers=auth).json()
    assert weeks[0]["week_start"] == "2025-01-06"
    obs = client.post(
        f"/api/v1/people/{pid}/observations",
        headers=auth,
        json={"date": "2025-01-09", "kind": "3m_backward_walk", "payload": {"time_s": 6.1}},
    )
    assert obs.status_code == 201
    plan = client.post(
        f"/api/v1/people/{pid}/plans",
        headers=auth,
        json={
            "goal": "10 min",
            "level": "start",
            "payload": {
                "start": "2025-01-06",
                "stage": "wall_support",
                "weeks": [
                    {
                        "week": 1,
                        "sessions": 3,
                        "backward_min_per_session": 5,
                        "backward_min_week": 15,
                    }
                ],
            },
        },
    )
    assert plan.status_code == 201
    assert client.get(f"/api/v1/people/{pid}/observations", headers=auth).json()[0]["payload"] == {
        "time_s": 6.1
    }
    assert client.get(f"/api/v1/people/{pid}/plans", headers=auth).json()[0]["goal"] == "10 min"
    export = client.get(f"/api/v1/people/{pid}/export", headers=auth)
    with zipfile.ZipFile(io.BytesIO(export.content)) as zf:
        assert "3m_backward_walk" in zf.read("observations.csv").decode()
    assert client.post(f"/api/v1/recordings/{rid}/reanalyse", headers=auth).status_code == 200
    wait_for_analysis(app)
    assert client.delete(f"/api/v1/recordings/{rid}", headers=auth).status_code == 204
    assert client.get(f"/api/v1/recordings/{rid}", headers=auth).status_code == 404
    assert client.delete(f"/api/v1/people/{pid}", headers=auth).status_code == 204
    assert client.get("/api/v1/people", headers=auth).json() == []


def test_api_bad_upload_is_400_and_stores_nothing(client: TestClient, tmp_path: Path) -> None:
    sign_up(client, "bad@example.org")
    auth = api_token(client, "bad@example.org")
    pid = client.post("/api/v1/people", headers=auth, json={"name": "Z"}).json()["id"]
    response = client.post(
        f"/api/v1/people/{pid}/recordings",
        headers=auth,
        files={"file": ("photo.jpg", b"\xff\xd8\xff\xe0 not a recording")},
    )
    assert response.status_code == 400 and response.json()["detail"].startswith("photo.jpg")
    assert client.get(f"/api/v1/people/{pid}/recordings", headers=auth).json() == []
    bad_day = client.post(
        f"/api/v1/people/{pid}/recordings",
        headers=auth,
        files={"file": ("x.csv", b"a,b\n1,2\n")},
        data={"recorded_on": "yesterday"},
    )
    assert bad_day.status_code == 400 and "date" in bad_day.json()["detail"]

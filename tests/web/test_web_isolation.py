"""User B cannot read, list, download, change or delete user A's data by guessing ids.

Every route of the app that takes a person, recording or token id is called by B
with A's ids (pages with B's cookie and CSRF token, the API with B's token); each
must answer 404, and A's data must be intact afterwards.
"""

from __future__ import annotations

from fastapi.routing import APIRoute
from webtest_helpers import World, csrf

from retrowalk.web.routes import api, auth, calibration, people, progress, recordings

ID_PARAMS = ("{person_id}", "{recording_id}", "{token_id}")
PLAN = {
    "goal": "x",
    "payload": {
        "start": "2025-01-06",
        "stage": "wall_support",
        "weeks": [
            {"week": 1, "sessions": 3, "backward_min_per_session": 5, "backward_min_week": 15}
        ],
    },
}


def _id_routes() -> list[tuple[str, str]]:
    """(method, path) of every route that takes an id, pages and API."""
    routers = [(m.router, "") for m in (auth, people, progress, recordings, calibration)]
    routers.append((api.router, ""))
    routes = []
    for router, prefix in routers:
        for route in router.routes:
            path = prefix + route.path
            if isinstance(route, APIRoute) and any(p in path for p in ID_PARAMS):
                routes.extend((method, path) for method in sorted(route.methods))
    return routes


def _fill(path: str, world: World) -> str:
    return (
        path.replace("{person_id}", str(world.person_id))
        .replace("{recording_id}", str(world.recording_id))
        .replace("{token_id}", str(world.token_id))
        .replace("{placement}", "lower_back")
        .replace("{label_id}", "1")
    )


def test_every_id_route_is_isolated(app, world: World, recording_file) -> None:  # type: ignore[no-untyped-def]
    routes = _id_routes()
    assert len(routes) >= 25, routes  # the app really has these routes
    token = csrf(world.b, "/people")
    checked = []
    for method, path in routes:
        url = _fill(path, world)
        is_api = path.startswith("/api/")
        headers = dict(world.b_api) if is_api else {"x-csrf-token": token}
        kwargs: dict = {"headers": headers}
        if method in ("POST", "PUT", "PATCH"):
            if path.endswith(("/recordings", "/calibrations")):
                kwargs["files"] = {"file": ("x.csv", recording_file.read_bytes())}
                kwargs["data"] = {"csrf_token": token}
            elif is_api:
                kwargs["json"] = (
                    {"name": "Mallory"}
                    if path.endswith("{person_id}")
                    else {"date": "2025-01-01", "kind": "note"}
                    if path.endswith("observations")
                    else PLAN
                    if path.endswith("plans")
                    else {"recorded_on": "2025-01-01"}
                    if method == "PATCH"
                    else {"start_s": 0.0, "end_s": 5.0, "label": "backward"}
                    if path.endswith("bout-labels")
                    else {}
                )
            else:
                kwargs["data"] = {"csrf_token": token, "name": "Mallory"}
        response = world.b.request(method, url, follow_redirects=False, **kwargs)
        assert response.status_code == 404, (method, url, response.status_code, response.text)
        checked.append((method, path))
    # A still has everything
    a = world.a
    assert a.get(f"/api/v1/people/{world.person_id}", headers=world.a_api).json()["name"] == "Alice"
    assert a.get(f"/api/v1/recordings/{world.recording_id}", headers=world.a_api).status_code == 200
    assert a.get(f"/recordings/{world.recording_id}/download").status_code == 200
    assert len(a.get("/api/v1/people", headers=world.a_api).json()) == 1
    assert len(checked) == len(routes)


def test_lists_show_only_own_data(world: World) -> None:
    people_b = world.b.get("/api/v1/people", headers=world.b_api).json()
    assert [p["name"] for p in people_b] == ["Bob"]
    page = world.b.get("/people").text
    assert "Bob" in page and "Alice" not in page
    assert world.a.get("/api/v1/me", headers=world.a_api).json()["email"] == "a@example.org"


def test_b_cannot_upload_to_a_person(world: World, recording_file) -> None:  # type: ignore[no-untyped-def]
    response = world.b.post(
        f"/api/v1/people/{world.person_id}/recordings",
        headers=world.b_api,
        files={"file": ("copy.csv", recording_file.read_bytes())},
    )
    assert response.status_code == 404
    # the same bytes are not a duplicate for another account: accounts are separate
    own = world.b.get("/api/v1/people", headers=world.b_api).json()[0]["id"]
    response = world.b.post(
        f"/api/v1/people/{own}/recordings",
        headers=world.b_api,
        files={"file": ("copy.csv", recording_file.read_bytes())},
    )
    assert response.status_code == 201, response.text


def test_observations_and_plans_cannot_be_deleted_by_another_account(world: World) -> None:
    a, pid = world.a, world.person_id
    obs = a.post(
        f"/api/v1/people/{pid}/observations",
        headers=world.a_api,
        json={"date": "2025-01-01", "kind": "note", "payload": {}},
    ).json()["id"]
    plan = a.post(f"/api/v1/people/{pid}/plans", headers=world.a_api, json=PLAN).json()["id"]
    assert world.b.delete(f"/api/v1/observations/{obs}", headers=world.b_api).status_code == 404
    assert world.b.delete(f"/api/v1/plans/{plan}", headers=world.b_api).status_code == 404
    assert len(a.get(f"/api/v1/people/{pid}/observations", headers=world.a_api).json()) == 1
    assert len(a.get(f"/api/v1/people/{pid}/plans", headers=world.a_api).json()) == 1

"""A number larger than any database column holds, typed into an address, a form or an
API call, is "not found" (or refused in the form's words), never a server error.

SQLite refuses such a number with an OverflowError and PostgreSQL with "integer out
of range"; both reached the server's error response.
"""

from __future__ import annotations

import html
import re

import pytest
from webtest_helpers import World, csrf

HUGE = "9" * 25


@pytest.mark.parametrize(
    "path",
    [
        "/people/{huge}",
        "/recordings/{huge}",
        "/recordings/{huge}/report",
        "/children/{huge}",
        "/people/{person}/tests/3mbwt/{huge}",
        "/people/{huge}/export",
        "/reanalysis.json?person_id={huge}",
    ],
)
def test_a_huge_id_in_an_address_is_not_found(world: World, path: str) -> None:
    url = path.format(huge=HUGE, person=world.person_id)
    response = world.a.get(url, follow_redirects=False)
    assert response.status_code == 404, (url, response.status_code, response.text[:200])
    assert "Something is not right" in response.text  # the app's own page


def test_a_huge_id_in_a_form_or_the_api_is_refused_plainly(world: World) -> None:
    a = world.a
    token = csrf(a, "/people")
    deleted = a.post(f"/recordings/{HUGE}/delete", data={"csrf_token": token})
    assert deleted.status_code == 404
    for form, label in (("tests/3mbwt", "Recording"), ("coach/log", "From a recording")):
        url = f"/people/{world.person_id}/{form}"
        response = a.post(
            url, data={"csrf_token": token, "recording_id": HUGE, "backward_min": "5"}
        )
        assert response.status_code == 400, (form, response.text[:200])
        error = html.unescape(re.search(r'class="error"[^>]*>([^<]+)<', response.text)[1])  # type: ignore[index]
        assert error == f"{label}: choose one of the recordings in the list"
    again = a.post("/reanalyse-older", data={"csrf_token": token, "person_id": HUGE})
    assert again.status_code == 404
    api = a.get(f"/api/v1/recordings/{HUGE}", headers=world.a_api)
    assert api.status_code == 404 and "not found" in api.json()["detail"]
    body = {"recording_id": int(HUGE)}
    test = a.post(f"/api/v1/people/{world.person_id}/tests/3mbwt", headers=world.a_api, json=body)
    assert test.status_code in (404, 422), test.text
    # Everything of A is still there.
    assert a.get(f"/recordings/{world.recording_id}").status_code == 200


def test_an_address_that_is_not_a_page_is_the_apps_not_found_page(world: World) -> None:
    """/people/abc: the app's page saying so (it was FastAPI's JSON); the API keeps its 422."""
    for url in ("/people/abc", "/recordings/1.5", f"/people/{world.person_id}/tests/3mbwt/x"):
        response = world.a.get(url)
        assert response.status_code == 404, url
        assert "text/html" in response.headers["content-type"] and "No such page." in response.text
    api = world.a.get("/api/v1/people/abc", headers=world.a_api)
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["path", "person_id"]
    # A page form sent without one of its fields.
    signin = world.b.post("/signin", data={"email": "b@example.org", "csrf_token": csrf(world.b)})
    assert signin.status_code == 400 and "reload the page" in signin.text


def test_an_unknown_address_is_the_apps_page_and_the_api_keeps_json(world: World) -> None:
    """A mistyped address, or a form's address opened again: the app's page, not JSON."""
    for url, status in (
        ("/peopel", 404),
        (f"/people/{world.person_id}/calibration/from-recording", 405),
        (f"/recordings/{world.recording_id}/delete", 405),
    ):
        response = world.a.get(url)
        assert response.status_code == status, url
        assert "text/html" in response.headers["content-type"] and "No such page." in response.text
    assert world.a.get(f"/recordings/{world.recording_id}/delete").headers["allow"] == "POST"
    api = world.a.get("/api/v1/nothing-here", headers=world.a_api)
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    assert world.a.get("/static/nothing.js").status_code == 404

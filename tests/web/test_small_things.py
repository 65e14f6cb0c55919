"""What users notice first: favicon, height units, unsupported placements, one risk wording."""

from __future__ import annotations

import pytest
from webtest_helpers import add_person, csrf, sign_up

from retrowalk.domain.assess.threembwt import LEVEL_LABELS, interpret


def test_favicon_is_served_and_linked(client) -> None:  # type: ignore[no-untyped-def]
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and "<svg" in svg.text
    page = client.get("/signin").text
    assert 'rel="icon" href="/static/favicon.svg"' in page


@pytest.mark.parametrize(
    ("typed", "height_m", "said"),
    [("1.65", 1.65, False), ("165", 1.65, True), ("165 cm", 1.65, True), ("1,72 m", 1.72, False)],
)
def test_height_in_metres_or_centimetres(client, typed: str, height_m: float, said: bool) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "h@example.org")
    form = client.get("/people").text
    assert "metres or centimetres" in form and 'placeholder="1.65 m or 165 cm"' in form
    token = csrf(client, "/people")
    response = client.post("/people", data={"csrf_token": token, "name": "Hal", "height_m": typed})
    assert response.status_code == 200
    assert f"{height_m:.2f} m" in response.text
    notice = "Height typed in centimetres: saved as 1.65 m." in response.text
    assert notice is said


def test_a_height_that_is_neither_unit_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "h2@example.org")
    token = csrf(client, "/people")
    response = client.post("/people", data={"csrf_token": token, "name": "Hal", "height_m": "300"})
    assert response.status_code == 400
    assert "neither metres (0.3-2.5) nor centimetres (30-250)" in response.text


def test_wrist_and_hand_are_explained_not_offered(client) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "w@example.org")
    pid = add_person(client, "Wes")
    page = client.get(f"/people/{pid}").text
    assert '<option value="wrist" disabled>' in page and '<option value="hand" disabled>' in page
    hint = page.split('id="placement-hint"', 1)[1].split("</small>", 1)[0]
    assert "not supported" in hint and "backward from forward" in hint
    # the front of the waist and the hip need a calibration, linked from the hint
    assert "front of the waist or on the hip" in hint
    assert f'href="/people/{pid}/calibration"' in hint


def test_clinic_and_result_use_one_risk_wording(client) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "c@example.org")
    pid = add_person(client, "Cleo")
    token = csrf(client, f"/people/{pid}/tests/3mbwt")
    result = client.post(
        f"/people/{pid}/tests/3mbwt",
        data={"csrf_token": token, "time_s": "5.0", "group": "community"},
    )
    assert result.status_code == 200, result.text
    label = LEVEL_LABELS["high"]
    assert interpret(5.0, "community").level_label == label == "high fall risk"
    assert label in result.text
    clinic = client.get("/clinic").text
    assert label in clinic and "higher risk" not in clinic

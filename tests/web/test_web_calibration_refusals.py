"""A refused calibration form says why on the calibration page, in the form's words.

A tampered form (a recording id that is not one of the person's, a placement the
form does not offer) gets the calibration page again with the form filled in as
sent, never the general error page; another account's recording is refused exactly
as one that does not exist, and nothing names where the server keeps its files (a
walk that is not a recording is named as uploaded).
"""

from __future__ import annotations

import html
import re

import pytest
from webtest_helpers import (
    World,
    add_person,
    calibrate_walk,
    csrf,
    stored_path,
    upload,
    wait_for_analysis,
)

from realdata import require

NOT_LISTED = "Recording: choose one of the recordings in the list"
WORN_AT = "Worn at: choose one of Detect, Lower back or Pocket"


def _refusal(page: str) -> str:
    match = re.search(r'id="calibration-error">([^<]*)<', page)
    assert match, "no refusal on the page"
    return html.unescape(match.group(1))


def _other_accounts_recording(app, world: World) -> int:  # type: ignore[no-untyped-def]
    bob = add_person(world.b, "Bea")
    rec = upload(world.b, bob, require("ipol-gait", "1-2_lb.txt"))
    assert rec["http"] == 201, rec
    wait_for_analysis(app)
    return int(rec["id"])


def test_a_recording_not_of_the_person_is_refused_as_the_form_says(app, world: World) -> None:  # type: ignore[no-untyped-def]
    others = _other_accounts_recording(app, world)
    url = f"/people/{world.person_id}/calibration"
    token = csrf(world.a, url)
    said = {}
    for chosen in (str(others), "987654", "abc", "", "-3", "9" * 30):
        typed = {"recording_id": chosen, "labels": "backward, skip", "csrf_token": token}
        response = world.a.post(f"{url}/from-recording", data=typed)
        assert response.status_code == 400, (chosen, response.status_code)
        page = response.text
        assert "<h1>Calibrate walking direction</h1>" in page, chosen  # the form again
        said[chosen] = _refusal(page)
        assert 'name="labels" value="backward, skip"' in page  # kept as typed
        assert "file again" not in page  # nothing to choose again
        # A script gets the same sentence.
        answer = world.a.post(
            f"{url}/from-recording", data=typed, headers={"accept": "application/json"}
        )
        assert (answer.status_code, answer.json()["reason"]) == (400, said[chosen])
    # Another account's recording: exactly as one that does not exist.
    assert set(said.values()) == {NOT_LISTED}, said
    # Nothing was stored, for A or B.
    assert "None yet" in world.a.get(url).text
    assert world.b.get(f"/recordings/{others}").status_code == 200


@pytest.mark.parametrize("placement", ["xyz", "foot", "video"])
def test_a_placement_the_form_does_not_offer_is_refused_in_its_words(
    app, world: World, placement: str
) -> None:  # type: ignore[no-untyped-def]
    url = f"/people/{world.person_id}/calibration"
    token = csrf(world.a, url)
    data_dir = str(app.state.services.data_dir)
    from_recording = world.a.post(
        f"{url}/from-recording",
        data={
            "recording_id": str(world.recording_id),
            "labels": "forward",
            "placement": placement,
            "csrf_token": token,
        },
    )
    walk = require("ipol-gait", "1-2_lb.txt")
    with open(walk, "rb") as stream:
        uploaded = world.a.post(
            url,
            files={"file": (walk.name, stream)},
            data={"csrf_token": token, "labels": "forward", "placement": placement},
        )
    for response in (from_recording, uploaded):
        assert response.status_code == 400
        assert _refusal(response.text) == WORN_AT
        assert data_dir not in response.text
    assert "None yet" in world.a.get(url).text


def test_the_api_refuses_an_unknown_placement_without_naming_a_file(app, world: World) -> None:  # type: ignore[no-untyped-def]
    walk = require("ipol-gait", "1-2_lb.txt")
    with open(walk, "rb") as stream:
        response = world.a.post(
            f"/api/v1/people/{world.person_id}/calibrations",
            headers=world.a_api,
            files={"file": (walk.name, stream)},
            data={"labels": "forward", "placement": "xyz"},
        )
    assert response.status_code == 400
    assert response.json()["detail"] == "placement: choose one of auto, lower_back, pocket, foot"
    assert str(app.state.services.data_dir) not in response.text
    assert not list((app.state.services.data_dir / "tmp").glob("*"))  # the upload is gone


def test_an_unreadable_walk_is_named_as_uploaded(app, world: World) -> None:  # type: ignore[no-untyped-def]
    """An ActiLife epoch-count export (not a recording): the refusal names the file as the
    person chose it, never the name and folder the server gave the upload."""
    counts = require("device-exports", "generic-csv", "GGIR_ActiGraph13_timestamps_headers.csv")
    refused = calibrate_walk(world.a, world.person_id, counts, "forward", "pocket")
    assert refused.status_code == 400
    reason = _refusal(refused.text)
    assert reason.startswith(f"{counts.name}: this holds activity counts"), reason
    assert "upload-" not in reason and str(app.state.services.data_dir) not in refused.text
    assert 'name="labels" value="forward"' in refused.text  # kept as typed
    assert '<option value="pocket" selected>' in refused.text
    # The file is the one thing a browser cannot fill in again: the page says so.
    assert "choose the walk's file again below: a browser does not keep it" in refused.text


def test_labels_that_cannot_be_read_are_refused_in_the_forms_words(app, world: World) -> None:  # type: ignore[no-untyped-def]
    """The field is "What you walked" on the page (and its JSON), "labels" in the REST API."""
    url = f"/people/{world.person_id}/calibration"
    token = csrf(world.a, url)
    said = "one per walking bout in time order, each 'forward', 'backward' or 'skip', "
    said += "separated by commas (got 'forwards')"
    typed = {"recording_id": str(world.recording_id), "labels": "forwards", "csrf_token": token}
    page = world.a.post(f"{url}/from-recording", data=typed)
    assert page.status_code == 400
    assert _refusal(page.text) == f"What you walked: {said}"
    assert 'name="labels" value="forwards"' in page.text
    walk = require("ipol-gait", "1-2_lb.txt")
    with open(walk, "rb") as stream:
        uploaded = world.a.post(
            url,
            files={"file": (walk.name, stream)},
            data={"csrf_token": token, "labels": "skip", "placement": "lower_back"},
            headers={"accept": "application/json"},
        )
    assert uploaded.status_code == 400
    assert uploaded.json()["reason"] == (
        "What you walked: at least one bout must be 'forward' or 'backward'"
    )
    with open(walk, "rb") as stream:
        api = world.a.post(
            f"/api/v1/people/{world.person_id}/calibrations",
            headers=world.a_api,
            files={"file": (walk.name, stream)},
            data={"labels": "forwards", "placement": "lower_back"},
        )
    assert (api.status_code, api.json()["reason"]) == (400, f"labels: {said}")


def test_a_listed_recording_whose_file_is_gone_is_refused_saying_so(app, world: World) -> None:  # type: ignore[no-untyped-def]
    """The person's own recording, offered in the list, whose uploaded file is missing
    from the server: refused naming it and what to do, not as a recording not listed."""
    url = f"/people/{world.person_id}/calibration"
    name = world.a.get(f"/api/v1/recordings/{world.recording_id}", headers=world.a_api).json()
    stored_path(app, world.recording_id).unlink()
    assert f'value="{world.recording_id}"' in world.a.get(url).text  # still offered
    typed = {
        "recording_id": str(world.recording_id),
        "labels": "forward",
        "csrf_token": csrf(world.a, url),
    }
    response = world.a.post(f"{url}/from-recording", data=typed)
    assert response.status_code == 400
    assert _refusal(response.text) == (
        f"Recording: the uploaded file of {name['filename']} is missing from the server; "
        "delete that recording and upload the file again"
    )
    assert "None yet" in response.text  # nothing stored
    # Another account's recording whose file is gone too: as one that does not exist.
    others = _other_accounts_recording(app, world)
    stored_path(app, others).unlink()
    typed["recording_id"] = str(others)
    assert _refusal(world.a.post(f"{url}/from-recording", data=typed).text) == NOT_LISTED


def test_a_walk_worn_where_no_direction_is_read_is_refused_in_plain_words(
    app, world: World
) -> None:  # type: ignore[no-untyped-def]
    """A real phone walked in the hand, its placement left to be detected: refused
    saying it was not recognised as worn where a calibration serves, where it said
    'analysed as worn at the unsupported'; a foot sensor is named as at the foot."""
    said = {}
    for walk in (
        require("device-exports", "phyphox", "phyphox390_walking_hand_sophia.csv"),
        require("ipol-gait", "1-1_lf.txt"),
    ):
        refused = calibrate_walk(world.a, world.person_id, walk, "forward", "auto")
        assert refused.status_code == 400
        said[walk.name] = _refusal(refused.text)
    then = ": a calibration is made for the lower back or a pocket (a foot sensor needs none); "
    assert said == {
        "phyphox390_walking_hand_sophia.csv": "the walk was not recognised as worn at the lower "
        f"back, in a pocket or on the foot{then}choose where it was worn",
        "1-1_lf.txt": f"the walk was analysed as worn at the foot{then}choose where it was worn",
    }

"""A stored calibration file that cannot be read (damaged, cut short) is named, deletable
and never stops a page, an analysis or the queue; nothing else stored is lost.

Real walks through the app's HTTP interface on SQLite and PostgreSQL, with the analysis
worker: CMU 09_12 at the lower back (forward, turn, backward) and an ipol-gait lower-back
walk (forward only) calibrate a person twice; the file of the one in use is then cut in
half, or an earlier one's overwritten with bytes that are not text.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from webtest_helpers import (
    add_person,
    api_token,
    calibrate_walk,
    csrf,
    page_words,
    sign_up,
    upload,
    wait_for_analysis,
)

from realdata import require
from retrowalk.app.calibration import profile_store_dir, stored_profile_path


def _both_ways() -> Path:
    """A walk forward, a turn and a walk backward at the lower back."""
    return require("mocap-backward", "09_12_pelvis.csv")


def _item(page: str, marker: str) -> str:
    """The words of the list item holding ``marker`` (an attribute of its tag)."""
    match = re.search(rf"<li[^>]*{marker}[^>]*>(.*?)</li>", page, re.S)
    assert match, f"no <li {marker}> on the page"
    return page_words(match.group(1))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*.json")}


def _two_calibrations(app, client: TestClient) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    sign_up(client, "damaged@example.org")
    person = add_person(client, "Dee", height_m="1.70")
    first = calibrate_walk(
        client, person, require("mocap-backward", "09_12_pelvis.csv"), "forward, backward"
    )
    assert first.status_code == 303, first.text
    second = calibrate_walk(client, person, require("ipol-gait", "1-1_lb.txt"), "forward")
    assert second.status_code == 303, second.text
    return person, api_token(client, "damaged@example.org")


def test_a_damaged_calibration_in_use_is_named_deletable_and_noted(  # type: ignore[no-untyped-def]
    app, client: TestClient, recording_file: Path
) -> None:
    person, api = _two_calibrations(app, client)
    url = f"/people/{person}/calibration"
    data_dir = app.state.services.data_dir
    in_use = stored_profile_path("lower_back", person, data_dir)
    text = in_use.read_text()
    in_use.write_text(text[: len(text) // 2])  # cut short, as by a full disk
    before = _files(profile_store_dir(person, data_dir))

    # The page is shown (it was an error page): the damaged one named in plain words,
    # with a Delete button, and the earlier one still listed to use again.
    page = client.get(url)
    assert page.status_code == 200, page.text
    damaged = _item(page.text, 'data-placement="lower_back" class="unreadable"')
    assert "could not be read" in damaged and "damaged or incomplete" in damaged
    assert "Delete it, then calibrate again or use an earlier one again" in damaged
    assert f'action="/people/{person}/calibration/lower_back/delete"' in page.text
    (name,) = re.findall(r'data-name="([^"]+)"', page.text)
    assert "of 09_12_pelvis.csv" in _item(page.text, f'data-name="{name}"')
    assert f"/calibration/earlier/{name}/restore" in page.text
    assert 'id="replaces-note"' not in page.text  # no "now the one made ..." of a damaged one

    # The API says the same: listed, not readable.
    listed = client.get(f"/api/v1/people/{person}/calibrations", headers=api)
    assert listed.status_code == 200, listed.text
    assert [(c["placement"], c["readable"]) for c in listed.json()] == [("lower_back", False)]
    assert "could not be read" in listed.json()[0]["problem"]
    earlier = client.get(f"/api/v1/people/{person}/calibrations/earlier", headers=api).json()
    assert [(c["name"], c["readable"]) for c in earlier] == [(name, True)]

    # Nothing replaces it unread, as the command line refuses it: a new walk, and
    # the earlier one used again, are refused saying why, and nothing is written.
    refused = calibrate_walk(
        client, person, require("mocap-backward", "09_12_pelvis.csv"), "forward, backward"
    )
    assert refused.status_code == 400
    said = page_words(refused.text)
    assert "Nothing was stored" in said and "This walk cannot be used" not in said
    assert "lower back calibration in use could not be read" in said
    assert "delete it, then calibrate again" in said
    with open(_both_ways(), "rb") as stream:
        by_api = client.post(
            f"/api/v1/people/{person}/calibrations",
            headers=api,
            files={"file": ("walk.csv", stream)},
            data={"labels": "forward, backward", "placement": "lower_back"},
        )
    assert by_api.status_code == 400 and by_api.json()["unreadable"] == "lower_back"
    assert "delete it, then calibrate again" in by_api.json()["reason"]
    back = client.post(f"/api/v1/people/{person}/calibrations/earlier/{name}/restore", headers=api)
    assert back.status_code == 409 and "delete it, then use the earlier one again" in back.text
    again = client.post(f"{url}/earlier/{name}/restore", data={"csrf_token": csrf(client, url)})
    assert again.status_code == 200 and again.url.query == b"unreadable=lower_back"
    assert "could not be read, so nothing was changed" in page_words(again.text)
    assert _files(profile_store_dir(person, data_dir)) == before

    # An analysis at the lower back goes on without it, saying so in one line (the
    # worker raised on it, and the recording stayed queued before every later one).
    rec = upload(client, person, recording_file, placement="lower_back")
    assert rec["http"] == 201, rec
    wait_for_analysis(app)
    shown = client.get(rec["url"])
    assert 'data-status="done"' in shown.text
    line = re.search(r'<p class="muted" id="calibration-not-used">(.*?)</p>', shown.text, re.S)
    assert line, shown.text
    assert page_words(line.group(1)).startswith(
        "Your lower back calibration was not used: it could not be read (its stored file is "
        "damaged or incomplete); delete it on the calibration page and calibrate again."
    )
    offered = client.get(f"/api/v1/recordings/{rec['id']}/analysis", headers=api).json()
    profile = offered["assumptions"]["direction_profile"]
    assert profile["used"] is False and profile["placement"] == "lower_back"
    assert "could not be read" in client.get(f"/recordings/{rec['id']}/report").text
    assert _files(profile_store_dir(person, data_dir)) == before

    # Deleted, the earlier one is used again, and the recording is offered again.
    gone = client.post(f"{url}/lower_back/delete", data={"csrf_token": csrf(client, url)})
    assert gone.status_code == 200 and "could not be read" not in page_words(gone.text)
    restored = client.post(f"{url}/earlier/{name}/restore", data={"csrf_token": csrf(client, url)})
    assert restored.url.query == b"restored=lower_back"
    now = client.get(f"/api/v1/people/{person}/calibrations", headers=api).json()
    assert [(c["readable"], c["made_from"]) for c in now] == [(True, "09_12_pelvis.csv")]


def test_a_damaged_earlier_calibration_is_named_and_deletable(  # type: ignore[no-untyped-def]
    app, client: TestClient
) -> None:
    person, api = _two_calibrations(app, client)
    url = f"/people/{person}/calibration"
    data_dir = app.state.services.data_dir
    (kept,) = (profile_store_dir(person, data_dir) / "earlier").glob("*.json")
    kept.write_bytes(b"\xff\xfe\x00 not a calibration")
    name = kept.stem
    made = re.fullmatch(r"lower_back-(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)\d\d-\w+", name)
    assert made, name

    page = client.get(url)
    assert page.status_code == 200, page.text
    item = _item(page.text, f'data-name="{name}"')
    when = f"{made[1]}-{made[2]}-{made[3]} {made[4]}:{made[5]} UTC"
    assert item.startswith(f"Lower back , made {when}: could not be read"), item
    assert "cannot be used again" in item and "Delete" in item
    assert f"/calibration/earlier/{name}/restore" not in page.text
    assert f"/calibration/earlier/{name}/delete" in page.text
    in_use = _item(page.text, 'data-placement="lower_back"')
    assert "of 1-1_lb.txt" in in_use and "could not be read" not in in_use

    earlier = client.get(f"/api/v1/people/{person}/calibrations/earlier", headers=api)
    assert earlier.status_code == 200, earlier.text
    assert [(c["name"], c["readable"]) for c in earlier.json()] == [(name, False)]
    back = client.post(f"/api/v1/people/{person}/calibrations/earlier/{name}/restore", headers=api)
    assert back.status_code == 409 and "cannot be used again" in back.text
    again = client.post(f"{url}/earlier/{name}/restore", data={"csrf_token": csrf(client, url)})
    assert again.url.query == b"unreadable=earlier"
    assert "could not be read, so it cannot be used again" in page_words(again.text)

    gone = client.delete(f"/api/v1/people/{person}/calibrations/earlier/{name}", headers=api)
    assert gone.status_code == 204, gone.text
    assert not kept.exists()
    assert client.get(f"/api/v1/people/{person}/calibrations/earlier", headers=api).json() == []
    assert [
        c["readable"]
        for c in client.get(f"/api/v1/people/{person}/calibrations", headers=api).json()
    ] == [True]

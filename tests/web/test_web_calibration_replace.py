"""A new calibration never loses the one it replaces, and a reload never calibrates again.

Real walks through the app's HTTP interface on SQLite and PostgreSQL: CMU 09_12 at
the lower back (forward, turn, backward), an ipol-gait lower-back walk (forward
only) and an ActiLife epoch-count export (not a recording). After a stored
calibration or an "Analyse again" the browser is sent (303) to a page that only
shows what was done, so reloading it repeats nothing.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from webtest_helpers import (
    add_person,
    api_token,
    calibrate_walk,
    csrf,
    page_words,
    sign_up,
    stored_path,
    upload,
    wait_for_analysis,
)

from realdata import require


def _text(page: str, element_id: str) -> str:
    """The words of the element ``element_id`` (one not holding another of its tag)."""
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"no #{element_id} on the page"
    return page_words(match.group(2))


def _earlier(page: str) -> list[str]:
    return re.findall(r'data-name="([^"]+)"', page)


def test_a_new_calibration_keeps_the_one_it_replaces_restorable(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "keep@example.org")
    person = add_person(client, "Kim", height_m="1.72")
    both = require("mocap-backward", "09_12_pelvis.csv")
    forward = require("ipol-gait", "1-1_lb.txt")
    url = f"/people/{person}/calibration"

    first = calibrate_walk(client, person, both, "forward, backward")
    assert first.status_code == 303, first.text
    assert first.headers["location"] == f"{url}?stored=lower_back"
    shown = client.get(first.headers["location"]).text
    assert "Calibration stored: lower back" in shown
    assert "in 2 walking bouts of 09_12_pelvis.csv" in _text(shown, "calibration-result")
    # Reloading the page after it shows the same and stores nothing again.
    assert client.get(first.headers["location"]).text == shown
    assert _earlier(shown) == []
    # Before a second walk, the page says what is in use and that it would be kept.
    note = _text(shown, "replaces-note")
    assert re.search(r"lower back: now the one made \d{4}-\d\d-\d\d \d\d:\d\d UTC\)", note), note
    assert "kept under Earlier calibrations" in note
    row = _text(shown, "current-calibrations")
    assert "of 09_12_pelvis.csv" in row and "forward" in row and "backward" in row

    # A forward-only walk replaces it: said so, with what it loses, and the old one kept.
    second = calibrate_walk(client, person, forward, "forward")
    assert second.status_code == 303, second.text
    query = parse_qs(urlsplit(second.headers["location"]).query)
    assert query["stored"] == ["lower_back"]
    page = client.get(second.headers["location"]).text
    assert "Calibration replaced: lower back" in page
    replaced = _text(page, "replaced-calibration")
    assert "from 09_12_pelvis.csv, which learned forward and backward walking" in replaced
    assert "The new one learned only forward walking: it has no backward steps" in replaced
    [kept] = _earlier(page)
    assert query["replaced"] == [kept]
    [in_use] = client.get(f"/api/v1/people/{person}/calibrations", headers=_api(client)).json()
    assert in_use["made_from"] == "1-1_lb.txt" and in_use["directions"] == ["forward"]

    # Use the earlier one again: the forward-only one is kept in its turn.
    token = csrf(client, url)
    restored = client.post(
        f"{url}/earlier/{kept}/restore", data={"csrf_token": token}, follow_redirects=False
    )
    assert restored.status_code == 303
    page = client.get(restored.headers["location"]).text
    assert "The earlier lower back calibration is used again" in page
    assert "of 09_12_pelvis.csv" in _text(page, "current-calibrations")
    [forward_only] = _earlier(page)
    assert forward_only != kept and "of 1-1_lb.txt" in _text(page, "earlier-calibrations")
    # Gone for good only when the person deletes it.
    gone = client.post(
        f"{url}/earlier/{forward_only}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert gone.status_code == 303
    assert _earlier(client.get(url).text) == []
    # A button of a page shown before (the back button, another tab) finds it gone: the
    # page says so, not an error page leading to the start.
    again = client.post(f"{url}/earlier/{forward_only}/restore", data={"csrf_token": token})
    assert again.status_code == 200 and again.url.path == url
    assert "That earlier calibration is no longer kept" in _text(again.text, "calibration-notice")
    assert client.post(f"{url}/lower_back/delete", data={"csrf_token": token}).status_code == 200
    twice = client.post(f"{url}/lower_back/delete", data={"csrf_token": token})
    assert twice.status_code == 200 and twice.url.path == url
    assert "There is no lower back calibration (any more) to remove." in twice.text
    # Deleting the person deletes every file of their calibrations.
    calibrate_walk(client, person, both, "forward, backward")
    calibrate_walk(client, person, forward, "forward")
    folder = app.state.services.data_dir / "direction_profiles" / "people" / str(person)
    assert len(list(folder.rglob("*.json"))) == 2
    client.post(f"/people/{person}/delete", data={"csrf_token": token})
    assert list(folder.rglob("*.json")) == []


def _api(client: TestClient) -> dict:
    return api_token(client, "keep@example.org")


def test_analyse_again_redirects_and_a_reload_queues_nothing(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "again@example.org")
    person = add_person(client, "Rae", height_m="1.66")
    walk = require("mocap-backward", "09_12_pelvis.csv")
    rec = upload(client, person, walk, placement="lower_back", recorded_on="2025-03-04")
    assert rec["http"] == 201, rec
    wait_for_analysis(app)
    url = f"/people/{person}/calibration"
    made = calibrate_walk(client, person, walk, "forward, backward")
    page = client.get(made.headers["location"]).text
    assert "1 recording worn at the lower back was analysed without it" in page

    token = csrf(client, url)
    queued = client.post(
        f"{url}/lower_back/reanalyse", data={"csrf_token": token}, follow_redirects=False
    )
    assert queued.status_code == 303
    assert queued.headers["location"] == f"{url}?queued=lower_back&n=1"
    wait_for_analysis(app)
    analysed = client.get(f"/recordings/{rec['id']}/analysis.json").json()
    shown = client.get(queued.headers["location"]).text
    assert "1 recording at the lower back queued for analysis again." in shown
    assert "Reports that use it: 09_12_pelvis.csv (2025-03-04)" in _text(
        shown, "current-calibrations"
    )
    assert "again</button>" not in shown  # nothing left to analyse again
    # The reload showed it; the recording was not analysed a second time.
    assert app.state.worker.wait_idle(5)
    assert client.get(f"/recordings/{rec['id']}/analysis.json").json() == analysed

    # Removed: the recording analysed with it can be analysed again without it.
    client.post(f"{url}/lower_back/delete", data={"csrf_token": token})
    page = client.get(url).text
    said = "1 recording at the lower back was analysed with a calibration no longer in use"
    assert said in page_words(page)
    redo = client.post(
        f"{url}/lower_back/reanalyse", data={"csrf_token": token}, follow_redirects=False
    )
    assert redo.headers["location"].endswith("n=1")
    wait_for_analysis(app)
    result = client.get(f"/recordings/{rec['id']}/analysis.json").json()
    assert "direction_profile" not in result["assumptions"]
    assert "no longer in use" not in client.get(url).text


def test_analyse_again_queues_the_others_when_one_file_is_missing(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """Of two recordings to analyse again with a new calibration, one whose uploaded file
    is gone from the server: the other is queued, and the page says which could not be
    and what to do. Before, the first missing file stopped the button with an error
    page, the recordings after it not queued."""
    sign_up(client, "gone@example.org")
    person = add_person(client, "Gus", height_m="1.70")
    walk = require("mocap-backward", "09_12_pelvis.csv")
    ids = []
    for name, day in (("09_12_pelvis.csv", "2025-03-04"), ("07_01_pelvis.csv", "2025-03-05")):
        path = require("mocap-backward", name)
        rec = upload(client, person, path, placement="lower_back", recorded_on=day)
        assert rec["http"] == 201, rec
        ids.append(rec["id"])
    wait_for_analysis(app)
    url = f"/people/{person}/calibration"
    calibrate_walk(client, person, walk, "forward, backward")
    stored_path(app, ids[0]).unlink()
    queued = client.post(
        f"{url}/lower_back/reanalyse",
        data={"csrf_token": csrf(client, url)},
        follow_redirects=False,
    )
    assert queued.headers["location"] == f"{url}?queued=lower_back&n=1&missing=1"
    wait_for_analysis(app)
    said = page_words(client.get(queued.headers["location"]).text)
    assert "1 recording at the lower back queued for analysis again. 1 could not be: its" in said
    assert "delete it and upload the file again" in said
    redone = client.get(f"/recordings/{ids[1]}/analysis.json").json()
    assert "direction_profile" in redone["assumptions"]  # analysed again, offered it


def test_pages_suggesting_a_calibration_link_to_it(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """A real back-pocket phone walk whose direction stays uncertain: the recording and
    progress pages that suggest a calibration lead to the calibration page."""
    sign_up(client, "link@example.org")
    person = add_person(client, "Lou")
    walk = require("device-exports", "phyphox", "phyphox390_walking_back_pocket_chris.csv")
    rec = upload(client, person, walk, recorded_on="2025-05-06")
    assert rec["http"] == 201, rec
    wait_for_analysis(app)
    link = f'<a href="/people/{person}/calibration">a direction calibration</a>'
    recording = client.get(f"/recordings/{rec['id']}").text
    assert f"the uncertain walking was backward, {link} from a walk you label" in recording
    progress = client.get(f"/people/{person}/progress").text
    assert f"If you walked backward, {link} helps" in progress


def test_a_calibration_is_suggested_only_where_it_would_tell(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """A phone held in the hand (placement not recognised) and daily life whose
    uncertain bouts have too few straight steps or travel both ways: a calibration
    would not tell their direction, so the recording page does not suggest one (it
    did, to both); the daily life's page says where each bout's reason is."""
    sign_up(client, "where@example.org")
    person = add_person(client, "Wren")
    hand = require("device-exports", "phyphox", "phyphox390_walking_hand_sophia.csv")
    daily = require("mobgap-lab", "HA_001_Test11_Trial1.csv")
    ids = []
    for walk in (hand, daily):
        rec = upload(client, person, walk, recorded_on="2025-05-07")
        assert rec["http"] == 201, rec
        ids.append(rec["id"])
    wait_for_analysis(app)
    for rec_id in ids:
        shown = client.get(f"/recordings/{rec_id}").text
        analysis = client.get(f"/recordings/{rec_id}/analysis.json").json()
        uncertain = [b for b in analysis["bouts"] if b["direction"] == "uncertain"]
        assert uncertain and analysis["summary"]["backward"]["steps"] == 0
        said = page_words(re.search(r'id="no-backward">(.*?)</p>', shown, re.S).group(1))  # type: ignore[union-attr]
        assert "calibration" not in said, said
        beside = "why the direction of the uncertain walking could not be told is given beside"
        if analysis["recording"]["placement"] == "unsupported":
            assert 'id="placement-unknown"' in shown and beside not in said
        else:
            assert beside in said
            assert not any(b["direction_reason"].endswith("no calibration") for b in uncertain)
    # the progress page, adding them up, does not suggest one either (it did, from the
    # weeks' uncertain steps alone) ...
    said = page_words(_uncertain_why(client.get(f"/people/{person}/progress").text))
    assert "calibration would not tell it" in said and "helps" not in said, said
    # ... until a recording a calibration would tell is among them: then it names that one
    pocket = require("device-exports", "phyphox", "phyphox390_walking_back_pocket_chris.csv")
    rec = upload(client, person, pocket, recorded_on="2025-05-08")
    assert rec["http"] == 201, rec
    wait_for_analysis(app)
    shown = _uncertain_why(client.get(f"/people/{person}/progress").text)
    assert f'<a href="/people/{person}/calibration">a direction calibration</a> helps' in shown
    named = re.findall(r'<a href="/recordings/(\d+)">', shown)
    assert named == [str(rec["id"])], shown


def _uncertain_why(page: str) -> str:
    """The progress page's paragraph on the steps left uncertain."""
    return re.search(r'id="uncertain-why">(.*?)</p>', page, re.S).group(1)  # type: ignore[union-attr]


def test_only_recordings_a_calibration_serves_are_offered(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """A foot sensor needs no calibration: its recordings are not offered to make one
    (picking one was refused with advice to choose where it was worn, a field that
    form does not have)."""
    sign_up(client, "feet@example.org")
    person = add_person(client, "Fay", height_m="1.70")
    for name, placement in (("1-1_lf.txt", "foot"), ("1-1_lb.txt", "lower_back")):
        rec = upload(client, person, require("ipol-gait", name), placement=placement)
        assert rec["http"] == 201, rec
    wait_for_analysis(app)
    page = client.get(f"/people/{person}/calibration").text
    form = page.split('id="calibration-from-recording"', 1)[1].split("</form>", 1)[0]
    assert [page_words(o) for o in re.findall(r"<option[^>]*>(.*?)</option>", form)] == [
        "date unknown · 1-1_lb.txt"
    ]


def test_another_account_cannot_restore_or_delete_earlier_calibrations(  # type: ignore[no-untyped-def]
    app, client: TestClient, other_client: TestClient
) -> None:
    sign_up(client, "own@example.org")
    sign_up(other_client, "other@example.org")
    person = add_person(client, "Oda", height_m="1.70")
    both_ways = require("mocap-backward", "09_12_pelvis.csv")
    calibrate_walk(client, person, both_ways, "forward, backward")
    calibrate_walk(client, person, require("ipol-gait", "1-1_lb.txt"), "forward")
    url = f"/people/{person}/calibration"
    [kept] = _earlier(client.get(url).text)
    token = csrf(other_client, "/people")
    for action in ("restore", "delete"):
        response = other_client.post(f"{url}/earlier/{kept}/{action}", data={"csrf_token": token})
        assert response.status_code == 404, (action, response.status_code)
    page = client.get(url).text
    assert _earlier(page) == [kept] and "of 1-1_lb.txt" in _text(page, "current-calibrations")


def test_the_api_lists_restores_and_deletes_earlier_calibrations(  # type: ignore[no-untyped-def]
    app, client: TestClient, other_client: TestClient
) -> None:
    """What the page offers for earlier calibrations, the REST API offers too; another
    account's token gets 404 for all of it, and nothing of the owner's changes."""
    sign_up(client, "api-own@example.org")
    sign_up(other_client, "api-other@example.org")
    person = add_person(client, "Ola", height_m="1.70")
    both_ways = require("mocap-backward", "09_12_pelvis.csv")
    calibrate_walk(client, person, both_ways, "forward, backward")
    calibrate_walk(client, person, require("ipol-gait", "1-1_lb.txt"), "forward")
    own, other = (
        api_token(client, "api-own@example.org"),
        api_token(other_client, "api-other@example.org"),
    )
    url = f"/api/v1/people/{person}/calibrations"
    [earlier] = client.get(f"{url}/earlier", headers=own).json()
    assert earlier["made_from"] == "09_12_pelvis.csv" and earlier["directions"] == [
        "forward",
        "backward",
    ]
    name = earlier["name"]
    for method, path in (
        ("get", f"{url}/earlier"),
        ("post", f"{url}/earlier/{name}/restore"),
        ("delete", f"{url}/earlier/{name}"),
    ):
        assert getattr(other_client, method)(path, headers=other).status_code == 404, path
    restored = client.post(f"{url}/earlier/{name}/restore", headers=own)
    assert restored.status_code == 200 and restored.json()["made_from"] == "09_12_pelvis.csv"
    [in_use] = client.get(url, headers=own).json()
    assert in_use["made_from"] == "09_12_pelvis.csv"
    [replaced] = client.get(f"{url}/earlier", headers=own).json()
    assert replaced["made_from"] == "1-1_lb.txt"
    assert client.post(f"{url}/earlier/{name}/restore", headers=own).status_code == 404
    assert client.delete(f"{url}/earlier/{replaced['name']}", headers=own).status_code == 204
    assert client.delete(f"{url}/earlier/{replaced['name']}", headers=own).status_code == 404
    assert client.get(f"{url}/earlier", headers=own).json() == []


def test_the_export_holds_the_earlier_calibrations_too(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """The person's zip (which the page offers before deleting them) holds the
    calibration in use and the earlier ones it keeps, each as stored, so that nothing
    that can be used again is lost with the person."""
    sign_up(client, "zip@example.org")
    person = add_person(client, "Zia", height_m="1.70")
    calibrate_walk(
        client, person, require("mocap-backward", "09_12_pelvis.csv"), "forward, backward"
    )
    calibrate_walk(client, person, require("ipol-gait", "1-1_lb.txt"), "forward")
    [kept] = _earlier(client.get(f"/people/{person}/calibration").text)
    response = client.get(f"/people/{person}/export")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        names = sorted(n for n in zf.namelist() if n.startswith("calibrations/"))
        assert names == ["calibrations/earlier/" + kept + ".json", "calibrations/lower_back.json"]
        assert json.loads(zf.read(names[0]))["made_from"] == "09_12_pelvis.csv"
        assert json.loads(zf.read(names[1]))["made_from"] == "1-1_lb.txt"


def test_the_report_names_the_calibration_as_the_pages_do(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """A walk calibrated again the same day: the recording's HTML report names the
    calibration it used by its day and time, as its page and the calibration page do,
    where it gave the day alone, the same for both calibrations of that day."""
    sign_up(client, "same-day@example.org")
    person = add_person(client, "Sam", height_m="1.70")
    walk = require("mocap-backward", "09_12_pelvis.csv")
    calibrate_walk(client, person, walk, "forward, backward")
    calibrate_walk(client, person, walk, "forward, backward")
    rec = upload(client, person, walk, placement="lower_back", recorded_on="2025-03-04")
    wait_for_analysis(app)
    api = api_token(client, "same-day@example.org")
    [in_use] = client.get(f"/api/v1/people/{person}/calibrations", headers=api).json()
    made = in_use["created_when"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", made), made
    page = client.get(f"/recordings/{rec['id']}").text
    assert f"lower back calibration of {made}" in _text(page, "calibration-used")
    report = page_words(client.get(f"/recordings/{rec['id']}/report").text)
    assert f"Direction calibration used: made {made} for the lower back" in report
    assert f"lower back calibration of {made} stored calibration of this person" in report


def test_the_progress_page_names_the_calibrations_its_weeks_used(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """The progress page adds up walking directions: it names the calibration that
    decided some of them (with the recordings it did that for), each recording it was
    offered to and not used for, with why, as the recording's page says it, and how
    many were offered none. Recordings left out of the weeks (date unknown) are not
    named. Real pocket walks: CMU 09_12 at the thigh, a phyphox back-pocket phone."""
    sign_up(client, "weeks@example.org")
    person = add_person(client, "Wren", height_m="1.70")
    thigh = require("mocap-backward", "09_12_thigh.csv")
    made = calibrate_walk(client, person, thigh, "forward, backward", "auto", follow_redirects=True)
    assert made.status_code == 200 and "Calibration stored: pocket" in made.text
    used = upload(client, person, thigh, placement="pocket", recorded_on="2025-03-04")
    back = require("device-exports", "phyphox", "phyphox390_walking_back_pocket_chris.csv")
    other_way = upload(client, person, back, recorded_on="2025-03-05")
    upload(client, person, require("ipol-gait", "1-1_lb.txt"), recorded_on="2025-03-06")
    upload(client, person, thigh, "undated.csv", placement="pocket")  # date unknown
    wait_for_analysis(app)
    api = api_token(client, "weeks@example.org")
    [in_use] = client.get(f"/api/v1/people/{person}/calibrations", headers=api).json()
    when = in_use["created_when"]
    not_used = _text(client.get(f"/recordings/{other_way['id']}").text, "calibration-not-used")
    why = not_used.split(" was not used: ", 1)[1].split(". Directions come", 1)[0]
    assert "differently from the calibration" in why

    page = client.get(f"/people/{person}/progress").text
    named = _text(page, "calibrations-in-weeks")
    assert (
        f"The walking direction of 1 recording comes from Wren's pocket calibration of {when}: "
        "09_12_thigh.csv (2025-03-04)."
    ) in named
    assert (
        f"Wren's pocket calibration of {when} was not used for "
        f"phyphox390_walking_back_pocket_chris.csv (2025-03-05): {why}; its directions come "
        "from the built-in rules."
    ) in named
    assert "The other recording's directions come from the built-in rules" in named
    assert "undated.csv" not in named
    assert f'href="/recordings/{used["id"]}"' in page


def test_pages_say_when_the_calibration_they_name_is_no_longer_in_use(
    app, client: TestClient
) -> None:  # type: ignore[no-untyped-def]
    """A recording analysed with a calibration since replaced or removed: its page and
    the progress page, which name that calibration, say it is no longer in use; used
    again, it is in use again. Real walk: CMU 09_12 at the thigh (pocket)."""
    sign_up(client, "superseded@example.org")
    person = add_person(client, "Suki", height_m="1.70")
    thigh = require("mocap-backward", "09_12_thigh.csv")
    url = f"/people/{person}/calibration"

    def calibrate() -> None:
        made = calibrate_walk(
            client, person, thigh, "forward, backward", "auto", follow_redirects=True
        )
        assert made.status_code == 200 and "Calibration" in made.text

    def said() -> tuple[bool, bool]:
        page = client.get(f"/recordings/{rec['id']}").text
        assert "pocket calibration of" in _text(page, "calibration-used")
        progress = _text(client.get(f"/people/{person}/progress").text, "calibrations-in-weeks")
        assert "comes from Suki's pocket calibration of" in progress
        return 'id="calibration-superseded"' in page, "no longer in use" in progress

    calibrate()
    rec = upload(client, person, thigh, placement="pocket", recorded_on="2025-03-04")
    wait_for_analysis(app)
    assert said() == (False, False)
    calibrate()  # a newer one replaces it
    assert said() == (True, True)
    page = client.get(f"/recordings/{rec['id']}").text
    assert _text(page, "calibration-superseded") == (
        "That calibration is no longer in use (replaced or removed since); the calibration "
        "page analyses again the recordings it was used for."
    )
    [kept] = _earlier(client.get(url).text)
    client.post(f"{url}/earlier/{kept}/restore", data={"csrf_token": csrf(client, url)})
    assert said() == (False, False)  # the one it was analysed with is in use again
    client.post(f"{url}/pocket/delete", data={"csrf_token": csrf(client, url)})
    assert said() == (True, True)

"""A real recording's page says what was found and why not more, as the analysis has it.

The page and report name the uploaded file, never the name it is stored under;
they name the placement found, say why each uncertain bout is uncertain, why a
recording holds no walking (jumping), and why a placement was not recognised
(a phone held in the hand) with what the user can do about it.
"""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from webtest_helpers import add_person, sign_up, upload, wait_for_analysis

from realdata import require


def _uploaded(app, client: TestClient, *paths) -> list[int]:  # type: ignore[no-untyped-def]
    sign_up(client, "rec@example.org")
    person = add_person(client, "Rae")
    ids = []
    for path in paths:
        rec = upload(client, person, path, recorded_on="2026-01-05")
        assert rec["http"] == 201, rec
        ids.append(rec["id"])
    wait_for_analysis(app)
    return ids


def test_real_recording_page_names_its_file_placement_and_why_uncertain(
    app, client: TestClient
) -> None:  # type: ignore[no-untyped-def]
    """ipol 1-1 (holes bridged in reading) and mobgap HA_001 Test11 (uncertain bouts)."""
    holes = require("ipol-gait", "1-1_lb.txt")
    daily = require("mobgap-lab", "HA_001_Test11_Trial1.csv")
    first, second = _uploaded(app, client, holes, daily)

    # The note on bridged holes names the uploaded file, in the JSON and the report.
    analysis = client.get(f"/recordings/{first}/analysis.json").json()
    bridged = [n for n in analysis["recording"]["notes"] if "bridged" in n]
    assert bridged and all(n.startswith("1-1_lb.txt ") for n in bridged), bridged
    report = client.get(f"/recordings/{first}/report").text
    assert "1-1_lb.txt (acc, gyro): 82 short hole(s)" in report
    stored = re.compile(r"[0-9a-f]{32}-[0-9a-f]{16}")
    assert not stored.search(report) and not stored.search(str(analysis)), "storage name shown"

    page = client.get(f"/recordings/{second}").text
    assert re.search(r'id="placement">worn at the lower back \(detected from the recording\)', page)
    assert '<span id="format">Mobilise-D CSV</span>' in page  # the format in words, not a slug
    assert re.search(r"Mobilise-D CSV</span> · 2 min \d\d s ·", page)  # not "138 s"
    assert '<span id="format">Xsens text export</span>' in client.get(f"/recordings/{first}").text
    bouts = client.get(f"/recordings/{second}/analysis.json").json()["bouts"]
    uncertain = [b for b in bouts if b["direction"] == "uncertain"]
    assert uncertain
    whys = [html.unescape(w) for w in re.findall(r'class="muted uncertain-why">([^<]*)<', page)]
    assert whys == [f"Why uncertain: {b['direction_reason']}" for b in uncertain]
    # An uncertain bout's label is chosen, not preset to "backward".
    assert page.count('<option value="" selected disabled>choose…</option>') == len(uncertain)
    assert 'id="no-walking"' not in page and 'id="placement-unknown"' not in page


def test_no_walking_and_an_unknown_placement_say_why(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """phyphox jumping in place (no walking) and a Sensor Logger phone in the hand."""
    jumping = require("device-exports", "phyphox", "phyphox390_jumping_stationary_hand_brant.csv")
    in_hand = require("device-exports", "sensor-logger", "ronin_shopping_mall_eight.zip")
    jumped, walked = _uploaded(app, client, jumping, in_hand)

    page = client.get(f"/recordings/{jumped}").text
    said = html.unescape(re.search(r'id="no-walking">([^<]*)<', page).group(1))  # type: ignore[union-attr]
    assert said.startswith("No walking was found in this recording: ")
    assert "the body leaves the ground" in said and "jumping" in said
    assert 'id="placement-unknown"' not in page  # nothing walked: where it was worn is moot
    report = html.unescape(client.get(f"/recordings/{jumped}/report").text)
    assert re.search(r'id="no-walking-reasons">No walking: [^<]*the body leaves the ground', report)

    page = client.get(f"/recordings/{walked}").text
    analysis = client.get(f"/recordings/{walked}/analysis.json").json()
    assert analysis["recording"]["placement"] == "unsupported" and analysis["bouts"]
    assert 'id="placement">placement not recognised<' in page
    said = html.unescape(re.search(r'id="placement-unknown">([^<]*)<', page).group(1))  # type: ignore[union-attr]
    assert "phone held in the hand" in said and "=" not in said  # no measured figures
    assert 'upload the file again with "Worn at" set' in said
    # Told once above, not again beside each of its bouts.
    assert 'class="muted uncertain-why"' not in page
    assert 'id="no-walking"' not in page


def test_walking_removed_by_hand_is_said_so(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """phyphox, a front pocket: its one bout marked as not walking by hand."""
    walk = require("device-exports", "phyphox", "phyphox390_walking_front_pocket_brant.csv")
    (recording,) = _uploaded(app, client, walk)
    page = client.get(f"/recordings/{recording}").text
    assert 'id="placement">worn in a trouser pocket (detected from the recording)<' in page
    (bout,) = client.get(f"/recordings/{recording}/analysis.json").json()["bouts"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    labelled = client.post(
        f"/recordings/{recording}/bouts/label",
        data={
            "csrf_token": token,
            "start_s": str(bout["start_s"]),
            "end_s": str(bout["end_s"]),
            "label": "not_walking",
        },
    )
    assert labelled.status_code == 200
    wait_for_analysis(app)
    page = client.get(f"/recordings/{recording}").text
    said = html.unescape(re.search(r'id="no-walking">([^<]*)<', page).group(1))  # type: ignore[union-attr]
    assert said == "No walking was found in this recording: you marked its bout as not walking."
    report = client.get(f"/recordings/{recording}/report").text
    assert '"no-walking-reasons">No walking: you marked its bout as not walking.<' in report


def test_a_3mbwt_timed_from_a_recording_takes_its_day(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """mocap 09_12 (backward walking from 7.66 s), recorded on 2026-01-05, timed weeks later."""
    walk = require("mocap-backward", "09_12_pelvis.csv")
    (recording,) = _uploaded(app, client, walk)
    person = client.get(f"/recordings/{recording}").text
    person_id = re.search(r'href="/people/(\d+)"', person).group(1)  # type: ignore[union-attr]
    url = f"/people/{person_id}/tests/3mbwt"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text).group(1)  # type: ignore[union-attr]
    timed = client.post(
        url, data={"csrf_token": token, "recording_id": str(recording), "group": "community"}
    )
    assert timed.status_code == 200 and "from recording" in timed.text, timed.text
    assert "· 2026-01-05 · from recording" in timed.text
    # A day typed in wins.
    typed = client.post(
        url,
        data={
            "csrf_token": token,
            "recording_id": str(recording),
            "group": "community",
            "date": "2026-01-07",
        },
    )
    assert "· 2026-01-07 · from recording" in typed.text


def test_a_pocket_calibration_and_a_walk_it_cannot_tell(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """mocap 09_12 at the thigh calibrates a pocket; a phyphox back-pocket walk (the phone
    swings like a bag's, not a thigh's, and sits upside down against the calibration)
    stays uncertain, and the page says that the calibration was not used and why, where
    it had said the walk was read with it."""
    thigh = require("mocap-backward", "09_12_thigh.csv")
    back_pocket = require("device-exports", "phyphox", "phyphox390_walking_back_pocket_chris.csv")
    (first,) = _uploaded(app, client, require("ipol-gait", "1-1_lb.txt"))
    person = re.search(r'href="/people/(\d+)"', client.get(f"/recordings/{first}").text).group(1)  # type: ignore[union-attr]
    page = f"/people/{person}/calibration"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text).group(1)  # type: ignore[union-attr]
    with open(thigh, "rb") as stream:
        stored = client.post(
            page,
            files={"file": (thigh.name, stream)},
            data={"csrf_token": token, "placement": "pocket", "labels": "forward, backward"},
        ).text
    assert "Calibration stored: pocket" in stored
    assert "walking direction of recordings worn in a trouser pocket is taken" in stored

    rec = upload(client, int(person), back_pocket, recorded_on="2026-01-06")
    assert rec["http"] == 201, rec
    wait_for_analysis(app)
    analysis = client.get(f"/recordings/{rec['id']}/analysis.json").json()
    offered = analysis["assumptions"]["direction_profile"]
    assert offered["placement"] == "pocket" and offered["used"] is False
    assert "deg differently from the calibration" in offered["not_used_reason"]
    assert analysis["summary"]["uncertain"]["steps"] > 0 == analysis["summary"]["backward"]["steps"]
    shown = client.get(f"/recordings/{rec['id']}").text
    assert 'id="calibration-used"' not in shown
    said = html.unescape(re.search(r'id="calibration-not-used">(.*?)</p>', shown).group(1))  # type: ignore[union-attr]
    # named as the calibration page names it: its date and time (two of a day differ)
    assert re.match(r"Your pocket calibration of \d{4}-\d\d-\d\d \d\d:\d\d UTC was", said), said
    assert "was not used: the device sits " in said
    assert "calibrate again for this way of wearing it" in said
    said = html.unescape(re.search(r'id="no-backward">([^<]*)<', shown).group(1))  # type: ignore[union-attr]
    assert "could not be told even with the calibration" not in said
    # The calibration page lists it as worn otherwise, not among the reports using it,
    # nor among those to analyse again (that would not change it).
    calibration_page = client.get(page).text
    worn = re.search(r'class="worn-otherwise">(.*?)</p>', calibration_page)
    assert worn and f'href="/recordings/{rec["id"]}"' in worn.group(1)
    for kind in ("used-by", "reanalyse-form"):
        listed = re.search(rf'class="{kind}"[^>]*>(.*?)</(p|form)>', calibration_page, re.S)
        assert not listed or f'href="/recordings/{rec["id"]}"' not in listed.group(1)

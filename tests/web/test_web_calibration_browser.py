"""Browser tests of guided calibration, per-bout relabelling, recording dates and columns.

Playwright drives Debian's Chromium against a real uvicorn server with its
analysis worker. Real recordings: CMU 09_12 at the lower back (forward walk,
turn, backward walk; the file holds no date), ipol-gait lower-back walks, a
headerless phone-steps recording. These test what the user sees and that it
reaches the stored analyses; they make no accuracy claim.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser_helpers import CHROMIUM, sign_up_in_browser
from realdata import require

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")

WAIT_MS = 120_000


def _sign_up_with_person(page, server: str, email: str, name: str) -> int:  # type: ignore[no-untyped-def]
    sign_up_in_browser(page, server, email)
    page.fill("input[name=name]", name)
    page.fill("input[name=height_m]", "1.75")
    page.click("text=Add person")
    page.wait_for_url("**/people/*")
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def _upload(page, path: Path, placement: str = "lower_back", **fields: str) -> None:  # type: ignore[no-untyped-def]
    page.set_input_files("#file-input", str(path))
    page.select_option("#upload-form select[name=placement]", placement)
    for name, value in fields.items():
        if name == "columns":
            page.click("#upload-form .columns-field summary")
        page.fill(f"#upload-form input[name={name}]", value)
    page.click("#upload-button")


def _wait_done(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_url("**/recordings/*", timeout=60_000)
    page.wait_for_selector("#status-box[data-status=done]", timeout=WAIT_MS, state="attached")


def _analysis(page, server: str) -> dict:  # type: ignore[no-untyped-def]
    recording = page.url.split("/recordings/", 1)[1].split("#")[0].split("/")[0]
    response = page.request.get(f"{server}/recordings/{recording}/analysis.json")
    assert response.ok
    return json.loads(response.text())


def test_guided_calibration_flow(
    browser_side_once: None, server: str, page, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    walk = require("mocap-backward", "09_12_pelvis.csv")
    later = require("ipol-gait", "3-1_lb.txt")
    page.on("dialog", lambda dialog: dialog.accept())
    person = _sign_up_with_person(page, server, "cal@example.org", "Cleo")

    page.click("text=Calibrate direction")
    page.wait_for_url(f"**/people/{person}/calibration")
    instructions = page.locator("#instructions").inner_text()
    assert "walk 10 steps forward" in instructions and "10 steps backward" in instructions
    assert "Lower back" in instructions and "Pocket" in instructions
    assert page.locator("#no-calibration").is_visible()

    # One label for a walk with two bouts: refused, with the reason and the bouts found.
    page.select_option("#calibration-form select[name=placement]", "lower_back")
    page.fill("#calibration-form input[name=labels]", "backward")
    page.set_input_files("#calibration-form input[type=file]", str(walk))
    page.click("#calibration-form button[type=submit]")
    page.wait_for_selector("#calibration-result", timeout=WAIT_MS)
    assert page.locator("#calibration-result").get_attribute("data-outcome") == "refused"
    error = page.locator("#calibration-error").inner_text()
    assert "1 label for 2 walking bouts" in error
    assert "--" not in error  # no command-line option on a web page
    assert page.locator("#found-bouts li").count() == 2
    assert page.locator("#no-calibration").is_visible()
    page.screenshot(path=str(tmp_path / "calibration-refused.png"), full_page=True)

    # The walk as instructed: forward, then backward.
    page.fill("#calibration-form input[name=labels]", "forward, backward")
    page.set_input_files("#calibration-form input[type=file]", str(walk))
    page.click("#calibration-form button[type=submit]")
    page.wait_for_selector("#calibration-result[data-outcome=stored]", timeout=WAIT_MS)
    result = page.locator("#calibration-result").inner_text()
    assert "Lower back" in page.locator("#result-placement").inner_text().capitalize()
    steps = int(page.locator("#result-steps").inner_text().split()[0])
    assert steps >= 8
    assert "forward" in result and "backward" in result
    assert "What it changes" in result and "lower back" in result
    assert page.locator("#current-calibrations li[data-placement=lower_back]").count() == 1
    page.screenshot(path=str(tmp_path / "calibration-stored.png"), full_page=True)

    # A later recording at the same placement is offered it. Worn another way than the
    # calibration walk (another sensor, other axes), it is not used: the analysis, its
    # report, its page and the calibration page say so, and why.
    page.goto(f"{server}/people/{person}")
    _upload(page, later, recorded_on="2025-03-04")
    _wait_done(page)
    analysis = _analysis(page, server)
    offered = analysis["assumptions"]["direction_profile"]
    assert offered["source"] == "stored calibration of this person for lower_back"
    assert offered["used"] is False and "differently" in offered["not_used_reason"]
    report = page.frame_locator("iframe.report").locator("#assumptions-table")
    assert "Walking-direction calibration" in report.inner_text(timeout=30_000)
    assert "not used: the device sits" in report.inner_text()
    assert "was not used: the device sits" in page.locator("#calibration-not-used").inner_text()

    # Remove it: later analyses are uncalibrated; the page says so.
    page.goto(f"{server}/people/{person}/calibration")
    row = page.locator("#current-calibrations li[data-placement=lower_back]")
    # The recording it was offered to is named as worn otherwise, linked; nothing to redo.
    assert "so not used (calibrate again for that way of wearing it): 3-1_lb.txt (2025-03-04)" in (
        row.inner_text()
    )
    assert "Reports that use it" not in row.inner_text()
    assert "Analyse" not in row.inner_text()
    row.locator("button", has_text="Remove").click()
    page.wait_for_url("**/calibration?removed=lower_back")
    assert "removed" in page.locator("#calibration-notice").inner_text()
    assert page.locator("#no-calibration").is_visible()

    # Redo from a recording already uploaded (one bout, labelled backward).
    page.select_option("#calibration-from-recording select[name=recording_id]", index=0)
    page.fill("#calibration-from-recording input[name=labels]", "backward")
    page.click("#calibration-from-recording button[type=submit]")
    page.wait_for_selector("#calibration-result[data-outcome=stored]", timeout=WAIT_MS)
    assert "3-1_lb.txt" in page.locator("#calibration-result").inner_text()
    assert page.locator("#current-calibrations li[data-placement=lower_back]").count() == 1

    # Reanalysing the recording with the new calibration: every bout backward, named.
    page.locator("#calibration-result button", has_text="Analyse 1 recording again").click()
    page.wait_for_url("**/calibration?queued=lower_back&n=1")
    assert "queued for analysis again" in page.locator("#calibration-notice").inner_text()
    page.goto(f"{server}/people/{person}")
    page.click("text=3-1_lb.txt")
    _wait_done(page)
    again = _analysis(page, server)
    assert {b["direction"] for b in again["bouts"] if b["n_steps"] >= 8} == {"backward"}
    assert "direction_profile" in again["assumptions"]


def test_relabel_and_dates_reach_history_and_progress(
    browser_side_once: None, server: str, page
) -> None:  # type: ignore[no-untyped-def]
    walk = require("mocap-backward", "09_12_pelvis.csv")
    person = _sign_up_with_person(page, server, "lab@example.org", "Lia")
    # The upload form says when the date is needed.
    hint = page.locator("#upload-form label", has_text="Recorded on").inner_text()
    assert "needed when the file holds no date" in hint
    _upload(page, walk)
    _wait_done(page)
    url = page.url

    # No date in the file, none given: asked for, and out of progress.
    assert page.locator("#date-unknown").is_visible()
    assert page.request.get(f"{server}/people/{person}/progress.json").json() == []
    page.goto(f"{server}/people/{person}")
    assert page.locator("table.history a.date-unknown").inner_text() == "date unknown"
    assert "left out of the progress charts" in page.locator("#undated-note").inner_text()
    page.goto(url)

    before = _analysis(page, server)
    assert len(before["bouts"]) == 2
    second = before["bouts"][1]
    row = page.locator("#relabel-list > li").nth(1)
    row.locator("select[name=label]").select_option("backward")
    row.locator("button", has_text="Save").click()
    _wait_done(page)
    cell = page.locator("#relabel-list > li").nth(1).locator(".direction")
    assert "backward" in cell.inner_text() and "set by you" in cell.inner_text()
    after = _analysis(page, server)
    assert after["bouts"][1]["direction_set_by"] == "user"
    assert after["summary"]["backward"]["steps"] == second["n_steps"]
    stats = page.locator(".stats").inner_text()
    assert f"{second['n_steps']}\nbackward steps" in stats or str(second["n_steps"]) in stats
    report_row = page.frame_locator("iframe.report").locator("#bout-table tbody tr").nth(1)
    assert "set by you" in report_row.inner_text(timeout=30_000)
    assert page.locator("#my-labels li").count() == 1

    # Date the recording: history and progress follow; change it: they move.
    page.fill("#date-unknown input[name=recorded_on]", "2025-03-05")
    page.click("#date-unknown button[type=submit]")
    page.wait_for_url(url)
    assert "Recorded 2025-03-05 (set by you)" in page.locator("main").inner_text()
    weeks = page.request.get(f"{server}/people/{person}/progress.json").json()
    assert [w["week_start"] for w in weeks] == ["2025-03-03"]
    assert weeks[0]["backward_steps"] == second["n_steps"]
    page.click("#change-date summary")
    page.fill("#change-date input[name=recorded_on]", "2025-04-16")
    page.click("#change-date button[type=submit]")
    page.wait_for_url(url)
    weeks = page.request.get(f"{server}/people/{person}/progress.json").json()
    assert [w["week_start"] for w in weeks] == ["2025-04-14"]
    page.goto(f"{server}/people/{person}")
    assert page.locator("table.history tbody tr td").first.inner_text() == "2025-04-16"
    assert f"{second['n_steps']}" in page.locator("table.history tbody tr").first.inner_text()

    # Undo the label: the bout gets its detected direction back.
    page.goto(url)
    page.locator("#my-labels button", has_text="Undo").click()
    _wait_done(page)
    undone = _analysis(page, server)
    assert "direction_set_by" not in undone["bouts"][1]
    assert page.locator("#my-labels").count() == 0


def test_upload_columns_field(browser_side_once: None, server: str, page) -> None:  # type: ignore[no-untyped-def]
    path = require("phone-steps", "Nexus_Jamie_Hard_InHand_1", "accelerometer.csv")
    _sign_up_with_person(page, server, "col@example.org", "Cal")
    _upload(page, path, placement="auto", columns="time_ns,acc_x,acc_y,acc_z")
    error = page.locator("#upload-error")
    error.wait_for(state="visible", timeout=60_000)
    message = error.inner_text()
    assert "accelerometer.csv" in message and "5 fields" in message and "\n" not in message
    page.fill("#upload-form input[name=columns]", "time_ns,_,acc_x,acc_y,acc_z")
    page.set_input_files("#file-input", str(path))
    page.click("#upload-button")
    _wait_done(page)
    assert page.locator(".stats").count() == 1


def test_replacing_a_calibration_keeps_the_earlier_one(
    browser_side_once: None, server: str, page
) -> None:  # type: ignore[no-untyped-def]
    """Calibrate, reload, replace with a forward-only walk, and go back to the earlier one."""
    both = require("mocap-backward", "09_12_pelvis.csv")
    forward = require("ipol-gait", "1-1_lb.txt")
    person = _sign_up_with_person(page, server, "again@example.org", "Rio")
    page.goto(f"{server}/people/{person}/calibration")
    assert page.locator("#replaces-note").count() == 0

    def calibrate(walk: Path, labels: str) -> None:
        page.select_option("#calibration-form select[name=placement]", "lower_back")
        page.fill("#calibration-form input[name=labels]", labels)
        page.set_input_files("#calibration-form input[type=file]", str(walk))
        page.click("#calibration-form button[type=submit]")
        page.wait_for_selector("#calibration-result[data-outcome=stored]", timeout=WAIT_MS)

    calibrate(both, "forward, backward")
    assert page.url.endswith(f"/people/{person}/calibration?stored=lower_back")
    page.reload()  # shows it again; calibrates nothing
    assert page.locator("#calibration-result[data-outcome=stored]").count() == 1
    assert page.locator("#earlier-calibrations").count() == 0
    assert "kept under Earlier calibrations" in page.locator("#replaces-note").inner_text()

    calibrate(forward, "forward")
    replaced = page.locator("#replaced-calibration").inner_text()
    assert "from 09_12_pelvis.csv, which learned forward and backward walking" in replaced
    assert "it has no backward steps" in page.locator("#lost-direction").inner_text()
    assert page.locator("#earlier-calibrations li").count() == 1
    # Two calibrations of one day are told apart by their time.
    made = page.locator("#earlier-calibrations li").inner_text()
    assert " UTC: learned from" in made
    # Secondary buttons look secondary (white), and an item's buttons sit on one line.
    use_again = page.locator("#earlier-calibrations button", has_text="Use this one again")
    delete = page.locator("#earlier-calibrations button", has_text="Delete")
    white = "rgb(255, 255, 255)"
    assert use_again.evaluate("b => getComputedStyle(b).backgroundColor") == white
    assert abs(use_again.bounding_box()["y"] - delete.bounding_box()["y"]) < 2
    page.click("#replaced-calibration button")
    page.wait_for_url("**/calibration?restored=lower_back")
    assert "used again" in page.locator("#calibration-notice").inner_text()
    current = page.locator("#current-calibrations li[data-placement=lower_back]").inner_text()
    assert "of 09_12_pelvis.csv" in current
    assert "of 1-1_lb.txt" in page.locator("#earlier-calibrations li").inner_text()


def test_a_damaged_calibration_is_shown_and_deleted(
    browser_side_once: None, server: str, page, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A calibration in use whose file was cut short: the page names it, it is deleted
    after the question, and the earlier one is used again."""
    both = require("mocap-backward", "09_12_pelvis.csv")
    forward = require("ipol-gait", "1-1_lb.txt")
    person = _sign_up_with_person(page, server, "damaged@example.org", "Dee")
    page.goto(f"{server}/people/{person}/calibration")
    for walk, labels in ((both, "forward, backward"), (forward, "forward")):
        page.select_option("#calibration-form select[name=placement]", "lower_back")
        page.fill("#calibration-form input[name=labels]", labels)
        page.set_input_files("#calibration-form input[type=file]", str(walk))
        page.click("#calibration-form button[type=submit]")
        page.wait_for_selector("#calibration-result[data-outcome=stored]", timeout=WAIT_MS)
    stored = tmp_path / "data" / "direction_profiles" / "people" / str(person) / "lower_back.json"
    text = stored.read_text()
    stored.write_text(text[: len(text) // 2])

    page.goto(f"{server}/people/{person}/calibration")
    damaged = page.locator("#current-calibrations li.unreadable")
    assert "this calibration could not be read" in damaged.inner_text()
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    damaged.locator("button", has_text="Delete").click()
    page.wait_for_url("**/calibration?removed=lower_back")
    assert asked == ["Delete the lower back calibration that could not be read?"]
    assert not stored.exists()
    assert page.locator("#no-calibration").inner_text().startswith("None in use")
    page.click("#earlier-calibrations button:has-text('Use this one again')")
    page.wait_for_url("**/calibration?restored=lower_back")
    current = page.locator("#current-calibrations li[data-placement=lower_back]").inner_text()
    assert "of 09_12_pelvis.csv" in current

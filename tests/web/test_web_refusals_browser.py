"""In Chromium against a real server: refused forms keep what was typed; uncertain bouts say why.

A profile edit with an impossible weight comes back on the person's page with the
edit form open, filled in as typed, and one plain line; nothing stored changes.
A real daily-life recording (mobgap-lab HA_001 Test11, lower back) has bouts of
uncertain direction: each says why beside its relabel form, whose choice starts
empty, so Save does nothing until a direction is chosen. A session logged from that
recording is dated on the recording's day.
"""

from __future__ import annotations

import pytest

from browser_helpers import CHROMIUM, sign_up_in_browser
from realdata import require

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


def test_refused_edit_and_uncertain_bouts_in_a_browser(
    browser_side_once: None, server: str, page
) -> None:  # type: ignore[no-untyped-def]
    daily = require("mobgap-lab", "HA_001_Test11_Trial1.csv")
    sign_up_in_browser(page, server, "refusals@example.org")
    page.fill("input[name=name]", "Ida")
    page.fill("input[name=weight_kg]", "70")
    page.click("text=Add person")
    page.wait_for_url("**/people/*")
    person = page.url.split("?")[0]

    page.click("#edit-profile summary")
    form = page.locator("#edit-profile form")
    form.locator("input[name=weight_kg]").fill("700")
    form.locator("textarea[name=goals]").fill("ten minutes backward a day")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#edit-error")
    assert page.locator("#edit-error").inner_text().startswith("Weight: 700 kg is outside")
    assert page.locator("#edit-profile").get_attribute("open") is not None
    assert form.locator("textarea[name=goals]").input_value() == "ten minutes backward a day"
    page.goto(person)
    assert "70 kg" in page.locator("main").inner_text()  # as it was

    page.set_input_files("#file-input", str(daily))
    page.fill("#upload-form input[name=recorded_on]", "2026-01-05")
    page.click("#upload-button")
    page.wait_for_url("**/recordings/*", timeout=60_000)
    page.wait_for_selector("#status-box[data-status=done]", timeout=120_000, state="attached")
    recording = page.url
    analysis = page.request.get(recording + "/analysis.json").json()
    uncertain = [i for i, b in enumerate(analysis["bouts"]) if b["direction"] == "uncertain"]
    assert uncertain
    row = page.locator("#relabel-list > li").nth(uncertain[0])
    why = row.locator(".uncertain-why").inner_text()
    assert why == "Why uncertain: " + analysis["bouts"][uncertain[0]]["direction_reason"]
    assert row.locator("select[name=label]").input_value() == ""
    row.locator("button", has_text="Save").click()  # nothing chosen: the browser asks first
    page.wait_for_timeout(500)
    assert page.url == recording and page.locator("#my-labels").count() == 0
    row.locator("select[name=label]").select_option("backward")
    row.locator("button", has_text="Save").click()
    page.wait_for_selector("#my-labels", timeout=60_000)
    assert "backward" in page.locator("#my-labels").inner_text()

    # A session logged from that recording takes the recording's day, not today's.
    page.goto(person + "/coach/log")
    date = page.locator("#log-form input[name=date]")
    assert date.input_value() != "2026-01-05"
    recording_id = recording.rstrip("/").rsplit("/", 1)[-1]
    page.select_option("#log-form select[name=recording_id]", recording_id)
    assert date.input_value() == "2026-01-05"

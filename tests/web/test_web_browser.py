"""Browser tests: Playwright drives Debian's Chromium against a real uvicorn server.

Sign up, add a person, upload a recording by drag and drop, wait for the
report, open the progress chart; screenshots are checked for content.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_helpers import CHROMIUM, sign_up_in_browser
from browser_helpers import screenshot_has_content as _screenshot_has_content

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


def _drop_file(page, selector: str, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Drop a file on an element the way a user's drag and drop does."""
    data = list(path.read_bytes())
    handle = page.evaluate_handle(
        """([bytes, name]) => {
            const dt = new DataTransfer();
            dt.items.add(new File([new Uint8Array(bytes)], name, {type: "text/csv"}));
            return dt;
        }""",
        [data, path.name],
    )
    page.dispatch_event(selector, "drop", {"dataTransfer": handle})


def test_signup_upload_report_progress(
    server: str, page, recording_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    shots = tmp_path / "shots"
    shots.mkdir()
    sign_up_in_browser(page, server, "browser@example.org")
    page.fill("input[name=name]", "Ada")
    page.fill("input[name=height_m]", "1.62")
    page.click("text=Add person")
    page.wait_for_url("**/people/*")
    assert page.locator("h1").inner_text() == "Ada"
    page.screenshot(path=str(shots / "person.png"), full_page=True)

    page.fill("input[name=recorded_on]", "2025-03-04")  # the file holds no date
    _drop_file(page, "#dropzone", recording_file)
    page.wait_for_url("**/recordings/*", timeout=60_000)
    page.wait_for_selector("text=backward steps", timeout=120_000)  # polled until done
    assert recording_file.name in page.locator("h1").inner_text()
    page.screenshot(path=str(shots / "report.png"), full_page=True)
    # What was walked: backward, forward and (when any) uncertain steps; no backward
    # walking here, so no backward speed, and the page says so.
    walked = page.locator("#walked").inner_text()
    assert "backward steps" in walked and "forward steps" in walked
    assert page.locator(".stats .big").count() in (2, 3)
    assert page.locator("#no-backward").is_visible()

    page.click("text=← Ada")
    assert page.locator("table.history tbody tr").count() == 1
    assert "done" in page.locator("table.history").inner_text()
    page.click("text=Progress")
    page.wait_for_selector("#chart-walked .main-svg", timeout=30_000)
    assert page.locator(".js-plotly-plot").count() == 1
    page.screenshot(path=str(shots / "progress.png"), full_page=True)
    assert "Distance walked per week" in page.locator("#chart-walked").inner_text()
    assert "No backward walking yet" in page.locator("#no-backward").inner_text()

    for name in ("person.png", "report.png", "progress.png"):
        _screenshot_has_content(shots / name)


def test_bad_upload_shows_message(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sign_up_in_browser(page, server, "bad@example.org")
    page.fill("input[name=name]", "Bo")
    page.click("text=Add person")
    page.wait_for_url("**/people/*")
    bad = tmp_path / "shopping.csv"
    bad.write_text("milk,eggs\nbread,tea\n")
    page.set_input_files("#file-input", str(bad))
    page.click("#upload-button")
    error = page.locator("#upload-error")
    error.wait_for(state="visible", timeout=30_000)
    assert error.inner_text().startswith("shopping.csv")
    assert page.locator("table.history").count() == 0

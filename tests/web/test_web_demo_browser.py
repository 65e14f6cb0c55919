"""The demo as a new user first sees it, in Chromium at desktop and phone width.

The app is started the way ``retrowalk demo`` starts it (the demo seeded, then
served by uvicorn with its analysis worker); the browser signs in with the demo
account and checks what the user must see: backward steps and distance, the
calibration named, where the demo data comes from, a history over four weeks,
the progress charts, the clinician report's sensor measures, and a forward-only
person whose page shows what was walked instead of zeros.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from webtest_helpers import make_settings

from browser_helpers import CHROMIUM, launch_chromium, screenshot_has_content, serve_app
from retrowalk.app.demo import DEMO_SESSIONS
from retrowalk.app.services import (
    DAILY_LIFE_PERSON,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    DEMO_PERSON,
    seed_demo,
)
from retrowalk.web.app import create_app

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")

WIDTHS = {"desktop": (1200, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo seeded and served, every demo recording analysed."""
    tmp = tmp_path_factory.mktemp("demo-web")
    app = create_app(make_settings(f"sqlite:///{tmp / 'demo.db'}", tmp))
    services = app.state.services
    seed_demo(services)
    with serve_app(app) as base:
        deadline = time.monotonic() + 180
        account = services.sign_in(DEMO_EMAIL, DEMO_PASSWORD, client="test")
        while True:
            statuses = [
                r.status
                for p in services.list_people(account)
                for r in services.list_recordings(account, p.id)
            ]
            if statuses and all(s in ("done", "failed") for s in statuses):
                break
            assert time.monotonic() < deadline, f"demo analyses not done: {statuses}"
            time.sleep(0.5)
        assert set(statuses) == {"done"}
        yield base


@pytest.fixture(params=sorted(WIDTHS))
def demo_page(request: pytest.FixtureRequest, demo_server: str):  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    width, height = WIDTHS[request.param]
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(demo_server + "/signin")
        page.fill("input[name=email]", DEMO_EMAIL)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/people")
        yield page, request.param
        context.close()
        browser.close()


def _int(text: str) -> int:
    match = re.search(r"\d+", text)
    assert match, text
    return int(match.group())


def test_demo_shows_backward_walking_calibrated_over_four_weeks(demo_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, size = demo_page
    page.click(f"text={DEMO_PERSON}")
    page.wait_for_url("**/people/*")
    person_url = page.url
    assert page.locator("h1").inner_text() == DEMO_PERSON
    note = page.locator(".demo-note").first
    assert note.is_visible()
    assert "CMU" in note.inner_text() and "join the same take" in note.inner_text()

    rows = page.locator("#history-table tbody tr")
    assert rows.count() == len(DEMO_SESSIONS)
    dates = set()
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        dates.add(cells.nth(0).inner_text())
        backward = cells.nth(2).inner_text()
        assert _int(backward) > 0 and " m" in backward, backward
        assert _int(cells.nth(3).inner_text()) > 0  # forward steps
        assert cells.nth(4).inner_text().startswith("0 ")  # nothing uncertain
        assert "done" in cells.nth(5).inner_text()
    assert len(dates) == len(DEMO_SESSIONS)
    page.screenshot(path=str(tmp_path / f"person-{size}.png"), full_page=True)

    # The latest session: its headline and its report, which names the calibration.
    page.click(f"text={DEMO_SESSIONS[-1].file_name}")
    page.wait_for_url("**/recordings/*")
    stats = page.locator("#walked")
    stats.wait_for()
    assert stats.is_visible()
    headline = stats.inner_text()
    assert "backward steps" in headline and "backward speed" in headline
    backward_box = stats.locator("div").first.inner_text()
    assert _int(backward_box) > 0 and re.search(r"\d+\.\d m", backward_box), backward_box
    assert "join the same take" in page.locator("#demo-note").inner_text()
    report = page.frame_locator("iframe.report")
    assert "Direction calibration used" in report.locator("body").inner_text()
    assumptions = report.locator("#assumptions-table").inner_text()
    assert "stored calibration of this person for lower_back" in assumptions
    energy = report.locator("#card-backward").locator("xpath=..").inner_text()
    assert "Energy" in energy and "kcal" in energy
    page.screenshot(path=str(tmp_path / f"recording-{size}.png"), full_page=True)

    # Progress: four weeks of backward walking, charts drawn.
    page.goto(person_url + "/progress")
    weeks = page.locator("#weeks-table tbody tr")
    assert weeks.count() == len(DEMO_SESSIONS)
    backward = [_int(weeks.nth(i).locator("td").nth(2).inner_text()) for i in range(4)]
    assert all(n > 0 for n in backward) and backward == sorted(backward)
    assert "join the same take" in page.locator("#demo-note").inner_text()
    page.wait_for_selector("#chart-speed .main-svg", timeout=30_000)
    page.wait_for_selector("#chart-walked .main-svg", timeout=30_000)
    assert page.locator("#no-backward").count() == 0
    assert page.locator("#chart-speed").is_visible()
    page.screenshot(path=str(tmp_path / f"progress-{size}.png"), full_page=True)

    # The clinician report lists backward speed, cadence and step length measured.
    page.goto(person_url + "/report")
    sensor = page.locator("#sensor-table tbody tr")
    assert sensor.count() == len(DEMO_SESSIONS)
    first = sensor.first.locator("td")
    assert float(first.nth(4).inner_text()) > 0  # speed m/s
    assert float(first.nth(5).inner_text()) > 0  # cadence
    assert float(first.nth(6).inner_text()) > 0  # step length m

    for name in ("person", "recording", "progress"):
        screenshot_has_content(tmp_path / f"{name}-{size}.png")


def test_forward_only_person_sees_what_was_walked(demo_page) -> None:  # type: ignore[no-untyped-def]
    page, _ = demo_page
    page.click(f"text={DAILY_LIFE_PERSON}")
    page.wait_for_url("**/people/*")
    person_url = page.url
    row = page.locator("#history-table tbody tr").first.locator("td")
    assert _int(row.nth(3).inner_text()) > 0  # forward steps
    assert row.nth(2).inner_text().startswith("0 steps")
    page.click("#history-table tbody tr a")
    page.wait_for_url("**/recordings/*")
    walked = page.locator("#walked").inner_text()
    assert "forward steps" in walked and "backward speed" not in walked
    assert page.locator("#no-backward").is_visible()
    page.goto(person_url + "/progress")
    assert page.locator("#no-backward").is_visible()
    assert "No backward walking yet" in page.locator("#no-backward").inner_text()
    assert page.locator("#chart-speed").count() == 0
    page.wait_for_selector("#chart-walked .main-svg", timeout=30_000)
    assert _int(page.locator("#weeks-table tbody tr td").nth(5).inner_text()) > 0

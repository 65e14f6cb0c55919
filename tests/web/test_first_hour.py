"""A new user's first hour, in Chromium at desktop and phone width, against a real server.

Demo sign-in (backward walking read with a calibration), sign-up, a person, a real
recording uploaded and read, a guided calibration, a bout relabelled by hand, the
history, the progress charts and a child's page, each checked for what the user must see
(numbers and labels), and for fitting the screen. One step per function: a new
page of the product adds one function and one line in ``STEPS``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pagecheck import DESKTOP, PHONE, SIGNED_IN_NAV, assert_fits, assert_frame_fits, assert_inside

from browser_helpers import CHROMIUM, launch_chromium, serve_app
from realdata import require
from retrowalk.app.services import DEMO_EMAIL, DEMO_PASSWORD, DEMO_PERSON, seed_demo
from retrowalk.web.app import create_app

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"
UPLOAD = ("mobgap-lab", "HA_001_Test5_Trial1.csv")  # a short real lower-back walk
CALIBRATION_WALK = ("mocap-backward", "09_12_pelvis.csv")  # forward, turn, backward
EMAIL = "first-hour@example.org"
PASSWORD = "correct horse battery"
CHILD_AGE_DAYS = 580  # about 19 months


@dataclass
class Visit:
    """The browser page, the server and what earlier steps made."""

    page: Any
    base: str
    width: int
    ids: dict[str, str] = field(default_factory=dict)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def check_screen(self, what: str, *controls: str, signed_in: bool = True) -> None:
        """The page fits the screen; navigation and ``controls`` are on it."""
        assert_fits(self.page, f"{what} at {self.width} px")
        nav = SIGNED_IN_NAV if signed_in else ("nav a[href='/signin']",)
        for selector in (*nav, *controls):
            assert_inside(self.page, selector, f"{what} at {self.width} px")


@pytest.fixture
def demo_server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """The app under uvicorn with the demo account seeded; yields (base URL, app)."""
    from webtest_helpers import make_settings

    app = create_app(make_settings(database_url, tmp_path, worker="thread"))
    with serve_app(app) as base:
        seed_demo(app.state.services)
        yield base, app


def _snapshot(*parts: str) -> dict[str, Any]:
    """The pinned analysis of a real recording (tests/snapshots)."""
    path = SNAPSHOTS.joinpath(*parts[:-1], parts[-1] + ".json.gz")
    with gzip.open(path, "rt") as stream:
        return dict(json.load(stream))


def _wait_done(visit: Visit, recording_path: str) -> None:
    deadline = time.monotonic() + 180
    while True:
        status = visit.page.request.get(visit.base + recording_path + "/status").json()
        if status["status"] in ("done", "failed"):
            assert status["status"] == "done", status
            return
        assert time.monotonic() < deadline, "the analysis did not finish"
        time.sleep(0.5)


def _report_card(visit: Visit, direction: str) -> dict[str, str]:
    """The report's card of one direction as {label: value}, read from the recording page."""
    handle = visit.page.locator("iframe.report").element_handle()
    assert handle is not None
    frame = handle.content_frame()
    assert frame is not None
    frame.wait_for_selector(f".card.{direction}")
    return dict(
        frame.evaluate(
            """(direction) => {
                const card = document.querySelector(`.card.${direction}`);
                return [...card.querySelectorAll("dt")].map(
                    dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]);
            }""",
            direction,
        )
    )


# -- the steps, in the order a new user takes them ------------------------------------
def step_demo_sign_in(visit: Visit) -> None:
    """The demo account: a person, an analysed recording, a report saying what was walked."""
    visit.go("/signin")
    visit.check_screen("sign-in", "input[name=email]", "button[type=submit]", signed_in=False)
    visit.page.fill("input[name=email]", DEMO_EMAIL)
    visit.page.fill("input[name=password]", DEMO_PASSWORD)
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_url("**/people")
    tile = visit.page.locator("ul.tiles a", has_text=DEMO_PERSON)
    assert tile.is_visible()
    tile.click()
    visit.page.wait_for_url("**/people/*")
    row = visit.page.locator("table.history tbody tr").first
    recording = row.locator("a[href^='/recordings/']").get_attribute("href")
    assert recording
    _wait_done(visit, recording)
    visit.go(recording)
    visit.check_screen("demo recording", "iframe.report", ".stats div")
    assert_frame_fits(visit.page)
    analysis = visit.page.request.get(visit.base + recording + "/analysis.json").json()
    # What retrowalk is for: backward walking read from a real walk, and said so.
    backward = analysis["summary"]["backward"]["steps"]
    assert backward > 0
    assert f"{backward}\nbackward steps" in visit.page.locator("#walked").inner_text()
    assert visit.page.locator("#calibration-used").is_visible()
    for direction in ("forward", "backward", "uncertain"):
        steps = analysis["summary"][direction]["steps"]
        if steps:
            card = _report_card(visit, direction)
            assert card["Steps"] == str(steps), (direction, card)
    # Signing out is on the screen at every width.
    visit.page.click("nav button:has-text('Sign out')")
    visit.page.wait_for_url("**/signin")


def step_sign_up(visit: Visit) -> None:
    """A new account lands on an empty People page that says what to do."""
    visit.go("/signup")
    visit.check_screen("sign-up", "input[name=password]", signed_in=False)
    visit.page.fill("input[name=email]", EMAIL)
    visit.page.fill("input[name=password]", PASSWORD)
    visit.page.click("main button[type=submit]")
    visit.page.wait_for_url("**/people")
    assert "No profiles yet" in visit.page.locator("main").inner_text()
    assert visit.page.locator("nav a.account").inner_text() == EMAIL
    visit.check_screen("people", "form[action='/people'] button[type=submit]")


def step_add_person(visit: Visit) -> None:
    """A height typed in centimetres is saved in metres, and the page says so."""
    visit.page.fill("input[name=name]", "Ada")
    visit.page.fill("input[name=height_m]", "165")
    visit.page.fill("input[name=weight_kg]", "61")
    visit.page.click("text=Add person")
    visit.page.wait_for_url("**/people/*")
    visit.ids["person"] = "/people/" + visit.page.url.split("?")[0].rsplit("/", 1)[-1]
    assert visit.page.locator("h1").inner_text() == "Ada"
    assert "saved as 1.65 m" in visit.page.locator("#understood").inner_text()
    assert "1.65 m · 61 kg" in visit.page.locator("main").inner_text()
    visit.check_screen(
        "person", "#upload-button", "a:has-text('Export data (zip)')", "a:has-text('Progress')"
    )
    assert "not supported" in visit.page.locator("#placement-hint").inner_text()


def step_upload(visit: Visit) -> None:
    """A real recording is uploaded, analysed, and its report shows the pinned step count."""
    path = require(*UPLOAD)
    expected = _snapshot(*UPLOAD)["summary"]
    visit.page.set_input_files("#file-input", str(path))
    # The file holds no date: the form asks for the day it was recorded.
    visit.page.fill("#upload-form input[name=recorded_on]", dt.date.today().isoformat())
    visit.page.click("#upload-button")
    visit.page.wait_for_url("**/recordings/*", timeout=60_000)
    visit.ids["recording"] = "/recordings/" + visit.page.url.rsplit("/", 1)[-1]
    assert path.name in visit.page.locator("h1").inner_text()
    visit.page.wait_for_selector("iframe.report", timeout=180_000)  # the page polls until done
    visit.check_screen("report", "iframe.report", ".stats div")
    assert_frame_fits(visit.page)
    for direction in ("forward", "backward", "uncertain"):
        steps = expected[direction]["steps"]
        if steps:
            assert _report_card(visit, direction)["Steps"] == str(steps)
    analysis = visit.page.request.get(visit.base + visit.ids["recording"] + "/analysis.json")
    assert analysis.json()["assumptions"]["height_m"] == 1.65


def step_calibrate(visit: Visit) -> None:
    """A guided calibration from a labelled walk: stored, and what it learned is shown."""
    visit.go(visit.ids["person"])
    visit.page.click("text=Calibrate direction")
    visit.page.wait_for_url("**/calibration")
    assert "10 steps backward" in visit.page.locator("#instructions").inner_text()
    visit.check_screen("calibration", "#calibration-form button[type=submit]")
    visit.page.select_option("#calibration-form select[name=placement]", "lower_back")
    visit.page.fill("#calibration-form input[name=labels]", "forward, backward")
    visit.page.set_input_files(
        "#calibration-form input[type=file]", str(require(*CALIBRATION_WALK))
    )
    visit.page.click("#calibration-form button[type=submit]")
    visit.page.wait_for_selector("#calibration-result[data-outcome=stored]", timeout=180_000)
    assert int(visit.page.locator("#result-steps").inner_text().split()[0]) >= 8
    assert visit.page.locator("#current-calibrations li[data-placement=lower_back]").count() == 1
    visit.check_screen("calibration result", "#calibration-result")


def step_relabel(visit: Visit) -> None:
    """A bout relabelled by hand: the analysis follows and marks it as the user's."""
    visit.go(visit.ids["recording"])
    row = visit.page.locator("#relabel-list > li").first
    row.locator("select[name=label]").select_option("backward")
    row.locator("button", has_text="Save").click()
    visit.page.wait_for_selector("#status-box[data-status=done]", timeout=180_000, state="attached")
    cell = visit.page.locator("#relabel-list > li").first.locator(".direction")
    assert "backward" in cell.inner_text() and "set by you" in cell.inner_text()
    analysis = visit.page.request.get(visit.base + visit.ids["recording"] + "/analysis.json")
    assert analysis.json()["bouts"][0]["direction_set_by"] == "user"
    visit.check_screen("relabelled report", "#relabel-list")


def step_history(visit: Visit) -> None:
    """The person's history lists the recording, analysed, with today's upload in it."""
    visit.go(visit.ids["person"])
    rows = visit.page.locator("table.history tbody tr")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert UPLOAD[-1] in text and "done" in text
    visit.check_screen("history", "table.history")


def step_progress(visit: Visit) -> None:
    """The progress page draws its weekly charts inside the screen."""
    visit.go(visit.ids["person"] + "/progress")
    assert visit.page.locator("h1").inner_text() == "Progress of Ada"
    visit.page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    assert "per week" in visit.page.locator("main").inner_text()
    visit.check_screen("progress", ".js-plotly-plot")


def step_child(visit: Visit) -> None:
    """A child of 19 months: milestones with a legend, and a question before any alarm."""
    visit.go("/children")
    visit.page.fill("form[action='/children'] input[name=name]", "Mia")
    born = dt.date.today() - dt.timedelta(days=CHILD_AGE_DAYS)
    visit.page.fill("form[action='/children'] input[name=birth_date]", born.isoformat())
    visit.page.click("form[action='/children'] button[type=submit]")
    visit.page.wait_for_url("**/children/*")
    child = "/children/" + visit.page.url.rsplit("/", 1)[-1]
    visit.check_screen("child", "#timeline", "#timeline-legend", "a:has-text('Guidance')")
    assert "19 months" in visit.page.locator("#age").inner_text()
    assert visit.page.locator("#upload-form").count() == 0  # not the adult page
    legend = visit.page.locator("#timeline-legend").inner_text()
    assert "Usual age range" in legend and "Window open now" in legend
    visit.go("/people")
    visit.page.click("ul.tiles a:has-text('Mia')")
    visit.page.wait_for_url("**" + child)
    visit.page.click("a:has-text('Guidance')")
    visit.page.wait_for_url("**/guide")
    visit.check_screen("guidance", "#questions button.answer-not-yet")
    assert "Walking alone" in visit.page.locator("#reached").inner_text()
    assert visit.page.locator(".red-flag").count() == 0
    visit.page.click("#questions button.answer-not-yet")
    visit.page.wait_for_url("**/guide*")
    flag = visit.page.locator(".red-flag").inner_text()
    assert "Not walking alone yet" in flag and "paediatrician" in flag


STEPS: tuple[Callable[[Visit], None], ...] = (
    step_demo_sign_in,
    step_sign_up,
    step_add_person,
    step_upload,
    step_calibrate,
    step_relabel,
    step_history,
    step_progress,
    step_child,
)


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def viewport(request: pytest.FixtureRequest, database_url: str) -> dict[str, int]:
    """The screen size; the phone's is walked through once, on SQLite.

    Requested before ``demo_server``, so that no app is started for a skipped run.
    """
    if request.param is PHONE and not database_url.startswith("sqlite"):
        pytest.skip("the phone layout is the same on every database; run once")
    return dict(request.param)


@pytest.mark.slow
def test_first_hour(viewport: dict[str, int], demo_server: tuple[str, Any]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    base, _ = demo_server
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context(viewport=viewport)
        visit = Visit(context.new_page(), base, viewport["width"])
        try:
            for step in STEPS:
                step(visit)
        finally:
            context.close()
            browser.close()

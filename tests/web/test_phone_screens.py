"""Every page at phone width (360, 390 and 414 px) in Chromium against a real server.

No page is wider than the screen; the navigation (People, the account link,
Sign out) and each page's main controls are visible and inside the screen;
tables scroll inside their own box; the report inside the recording page fits
its frame; the progress charts are no wider than the screen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pagecheck import (
    PHONE_HEIGHT_PX,
    PHONE_WIDTHS_PX,
    SIGNED_IN_NAV,
    assert_fits,
    assert_frame_fits,
    assert_inside,
)

from browser_helpers import CHROMIUM, sign_up_in_browser

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
    pytest.mark.slow,
]

# (path template, controls that must be visible and inside the screen)
SIGNED_OUT_PAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("/signin", ("input[name=email]", "button[type=submit]", "nav a[href='/signup']")),
    ("/signup", ("input[name=password]", "button[type=submit]")),
    ("/learn", ("input[name=q]", "ul.learn-list a")),
    ("/learn/benefit-knee-oa", ("h1",)),
    ("/learn/no-such-entry", ("h1",)),  # the error page
)
SIGNED_IN_PAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("/people", ("ul.tiles a", "form[action='/people'] button[type=submit]")),
    (
        "/people/{person}",
        ("a:has-text('Export data (zip)')", "a:has-text('Progress')", "#upload-button"),
    ),
    ("/recordings/{recording}", ("iframe.report", ".stats div")),
    ("/recordings/{recording}/report", ("h1",)),
    ("/people/{person}/progress", (".js-plotly-plot",)),
    ("/people/{person}/coach", ("h1",)),
    ("/people/{person}/coach/screening", ("#screening-form button[type=submit]",)),
    ("/people/{person}/coach/log", ("h1",)),
    ("/people/{person}/tests/3mbwt", ("#time_s", "form:has(#time_s) button[type=submit]")),
    ("/people/{person}/tests/3mbwt/{test}", (".test-result", ".level-label")),
    ("/clinic", ("#clinic-table",)),
    ("/people/{person}/report", ("h1",)),
    ("/account", ("form[action='/account/tokens'] button", "#password-form button")),
    ("/children", ("ul.tiles a", "form[action='/children'] button")),
    ("/children/{child}", ("a:has-text('Guidance')", "#timeline", "#timeline-legend")),
    ("/children/{child}/guide", ("#questions button.answer-not-yet", "#now")),
    ("/children/{child}/count", ("button.tap",)),
    ("/learn?q=knee", ("input[name=q]",)),
    ("/people/999999", ("h1",)),  # not found: the error page
)


def _sign_up_and_fill(page, base: str, recording: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A new account with an adult (one analysed recording, one 3MBWT) and a child."""
    sign_up_in_browser(page, base, "phone@example.org")
    page.fill("input[name=name]", "Ada Longname-Backwardwalker")
    page.fill("input[name=height_m]", "1.62")
    page.click("text=Add person")
    page.wait_for_url("**/people/*")
    person = page.url.rsplit("/", 1)[-1]
    page.set_input_files("#file-input", str(recording))
    page.fill("#upload-form input[name=recorded_on]", "2025-03-04")  # the file holds none
    page.click("#upload-button")
    page.wait_for_url("**/recordings/*", timeout=60_000)
    recording_id = page.url.rsplit("/", 1)[-1]
    page.wait_for_selector("iframe.report", timeout=120_000)
    page.goto(f"{base}/people/{person}/tests/3mbwt")
    page.fill("#time_s", "5.1")
    page.click("form:has(#time_s) button[type=submit]")
    page.wait_for_url("**/tests/3mbwt/*")
    test = page.url.rsplit("/", 1)[-1]
    page.goto(base + "/children")
    page.fill("form[action='/children'] input[name=name]", "Mia")
    born = dt.date.today() - dt.timedelta(days=580)
    page.fill("form[action='/children'] input[name=birth_date]", born.isoformat())
    page.click("form[action='/children'] button[type=submit]")
    page.wait_for_url("**/children/*")
    child = page.url.rsplit("/", 1)[-1]
    return {"person": person, "recording": recording_id, "test": test, "child": child}


def test_every_page_fits_a_phone(
    browser_side_once: None, server: str, recording_file: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from browser_helpers import launch_chromium

    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        setup = browser.new_context(viewport={"width": 1280, "height": 900})
        ids = _sign_up_and_fill(setup.new_page(), server, recording_file)
        state = setup.storage_state()
        setup.close()
        try:
            for width in PHONE_WIDTHS_PX:
                viewport = {"width": width, "height": PHONE_HEIGHT_PX}
                out = browser.new_context(viewport=viewport)
                page = out.new_page()
                for path, controls in SIGNED_OUT_PAGES:
                    page.goto(server + path)
                    what = f"{path} at {width} px"
                    assert_fits(page, what)
                    for selector in ("nav a[href='/learn']", "nav a[href='/signin']", *controls):
                        assert_inside(page, selector, what)
                out.close()
                signed_in = browser.new_context(viewport=viewport, storage_state=state)
                page = signed_in.new_page()
                for template, controls in SIGNED_IN_PAGES:
                    path = template.format(**ids)
                    page.goto(server + path)
                    what = f"{path} at {width} px"
                    if ".js-plotly-plot" in controls:
                        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
                    assert_fits(page, what)
                    if not path.endswith("/report") or path.startswith("/people"):
                        for selector in (*SIGNED_IN_NAV, *controls):
                            assert_inside(page, selector, what)
                    else:
                        assert_inside(page, "h1", what)
                    for i in range(page.locator("main table").count()):
                        assert_inside(page, f"main table >> nth={i}", what)
                    if "iframe.report" in controls:
                        assert_frame_fits(page)
                signed_in.close()
        finally:
            browser.close()

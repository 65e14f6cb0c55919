"""The HTML report in a real headless browser (Chromium through Playwright).

Needs the Debian package ``chromium`` (``/usr/bin/chromium``) and the PyPI package
``playwright`` (its own browser download is not used). Skips when either is missing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from browser_helpers import CHROMIUM, launch_chromium
from retrowalk.report import write_report
from retrowalk.report.figures import PALETTE
from retrowalk.summary.contract import to_dict

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright (PyPI package) is not installed"
)
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found (Debian package 'chromium' is needed)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:100]}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, problems, requests


def _has_colour(image: np.ndarray, hex_colour: str, tol: int = 12) -> bool:
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return bool((np.abs(image[..., :3].astype(int) - rgb).max(axis=-1) <= tol).any())


def test_report_renders_in_chromium(browser, interval_analysis, tmp_path):
    from PIL import Image

    report = write_report(interval_analysis, tmp_path / "report.html")
    page, problems, requests = _open(browser, report)
    try:
        assert problems == []
        # Nothing but the file itself (figures are data: URIs) is requested.
        assert all(u.startswith(("file:", "data:")) for u in requests), requests
        timeline = page.locator("#timeline img")
        timeline.scroll_into_view_if_needed()
        assert timeline.is_visible()
        assert page.evaluate("document.querySelector('#timeline img').naturalWidth") > 500
        box = timeline.bounding_box()
        assert box["width"] > 600 and box["height"] > 120
        assert page.evaluate("document.querySelector('#cadence-speed img').naturalWidth") > 500
        table = page.locator("#bout-table")
        assert table.is_visible()
        assert table.locator("tbody tr").count() == len(interval_analysis.bouts)
        assert table.locator("thead th").first.is_visible()
        first_speed = table.locator("tbody tr").first.locator('[data-json="bouts.0.speed_mps"]')
        assert first_speed.inner_text() == str(to_dict(interval_analysis)["bouts"][0]["speed_mps"])
        assert page.locator("#steadiness-table").is_visible()
        assert page.locator("h2").count() >= 7

        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        image = np.asarray(Image.open(shot).convert("RGB"))
        assert image.shape[0] > 2000  # the whole page, not an empty viewport
        assert image.std() > 20  # not blank
        for colour in (PALETTE["backward"], PALETTE["forward"]):
            assert _has_colour(image, colour), colour
    finally:
        page.close()


def test_real_recording_report_renders(browser, mobgap_reference_analysis, tmp_path):
    report = write_report(mobgap_reference_analysis, tmp_path / "real.html")
    page, problems, _ = _open(browser, report)
    try:
        assert problems == []
        assert page.locator("#timeline img").is_visible()
        rows = page.locator("#bout-table tbody tr")
        assert rows.count() == len(mobgap_reference_analysis.bouts)
    finally:
        page.close()

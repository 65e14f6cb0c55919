"""Checks of a page as a person sees it in the browser: it fits the screen, controls are reachable.

Used by the phone-size tests and the first-hour walk-through (Playwright pages).
"""

from __future__ import annotations

PHONE_WIDTHS_PX = (360, 390, 414)
PHONE_HEIGHT_PX = 800
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SIGNED_IN_NAV = ("nav a[href='/people']", "nav a.account", "nav button:has-text('Sign out')")


def overflow_px(page) -> int:  # type: ignore[no-untyped-def]
    """How far the document is wider than the viewport (0 when it fits)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


def assert_fits(page, what: str = "") -> None:  # type: ignore[no-untyped-def]
    """No horizontal scrolling of the whole page."""
    extra = overflow_px(page)
    assert extra <= 0, f"{what or page.url}: the page is {extra} px wider than the screen"


def assert_inside(page, selector: str, what: str = "") -> None:  # type: ignore[no-untyped-def]
    """Every element matching ``selector`` is visible and inside the viewport's width."""
    width = page.viewport_size["width"]
    items = page.locator(selector)
    assert items.count() > 0, f"{what or page.url}: nothing matches {selector}"
    for i in range(items.count()):
        item = items.nth(i)
        assert item.is_visible(), f"{what or page.url}: {selector} is hidden"
        box = item.bounding_box()
        assert box is not None, f"{what or page.url}: {selector} has no box"
        assert box["x"] >= -0.5 and box["x"] + box["width"] <= width + 0.5, (
            f"{what or page.url}: {selector} spans {box['x']:.0f}-"
            f"{box['x'] + box['width']:.0f} px on a {width} px screen"
        )


def assert_frame_fits(page, selector: str = "iframe.report") -> None:  # type: ignore[no-untyped-def]
    """The document inside an iframe is no wider than the iframe."""
    frame = page.frame_locator(selector)
    frame.locator("body").wait_for()
    handle = page.locator(selector).element_handle()
    assert handle is not None
    inner = handle.content_frame()
    assert inner is not None
    extra = inner.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert extra <= 0, f"{selector}: the report is {extra} px wider than its frame"

"""Browser tests: a parent adds a child, logs with a photo, reads guidance, taps a count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kidstest_helpers import PNG, months_ago

from browser_helpers import screenshot_has_content as _has_content


def test_child_pages_and_tap_counter(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shots = tmp_path / "shots"
    shots.mkdir()
    page.goto(server + "/signup")
    page.fill("input[name=email]", "parent@example.org")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.wait_for_url("**/people")
    page.click("nav >> text=Children")
    page.wait_for_url("**/children")
    born = months_ago(11)
    page.fill("input[name=name]", "Noa")
    page.fill("input[name=birth_date]", born.isoformat())
    page.fill("input[name=due_date]", (born + dt.timedelta(weeks=9)).isoformat())
    page.click("text=Add child")
    page.wait_for_url("**/children/*")
    assert page.locator("h1").inner_text() == "Noa"
    assert "corrected age" in page.locator("#age").inner_text()
    assert page.locator(".tl-row").count() >= 9
    assert page.locator(".tl-now").count() == 1
    assert page.locator('.tl-row[data-status="now"]').count() >= 3

    photo = tmp_path / "noa.png"
    photo.write_bytes(PNG)
    page.select_option("select[name=skill]", "backward-crawling")
    page.check("input[value=crawls-only-backwards]")
    page.fill("textarea[name=note]", "backs under the table")
    page.set_input_files("input[name=file]", str(photo))
    page.click("#observe-form button[type=submit]")
    page.wait_for_selector("#log-table")
    row = page.locator("#log-table tbody tr").first
    assert "Crawls only backwards" in row.inner_text() and "photo" in row.inner_text()
    page.screenshot(path=str(shots / "child.png"), full_page=True)
    _has_content(shots / "child.png")

    page.click("text=Guidance")
    page.wait_for_selector("#flags")
    assert "not a sign of autism" in page.locator("#good-to-know").inner_text()
    assert "Tummy time" in page.locator("#ideas").inner_text()
    assert page.locator("#no-flags").count() == 1
    page.screenshot(path=str(shots / "guide.png"), full_page=True)
    _has_content(shots / "guide.png")
    page.go_back()

    page.click("text=Count backward steps")
    page.wait_for_selector("#tap")
    # the counter's script is the page's last element: a tap before it has run is lost
    page.wait_for_load_state("load")
    for _ in range(7):
        page.click("#tap")
        page.wait_for_timeout(60)
    assert page.locator("#count").inner_text() == "7"
    page.click("#undo")
    assert page.locator("#count").inner_text() == "6"
    assert float(page.locator("#timer").inner_text()) > 0.2
    page.screenshot(path=str(shots / "count.png"), full_page=True)
    page.select_option("#skill", "first-backward-steps")
    page.click("#save")
    page.wait_for_selector("#saved:not([hidden])")
    assert "6 steps" in page.locator("#saved").inner_text()
    page.click("#saved a")
    page.wait_for_selector("#log-table")
    first = page.locator("#log-table tbody tr").first.inner_text()
    assert "First backward steps" in first and "6" in first

    page.click("text=Summary for the doctor")
    page.wait_for_selector("#observations")
    assert page.locator("#observations tbody tr").count() == 2
    assert "Acta Paediatr" in page.content()
    page.screenshot(path=str(shots / "summary.png"), full_page=True)
    _has_content(shots / "summary.png")


def test_the_doctors_summary_prints_under_the_apps_security_policy(server: str, page) -> None:  # type: ignore[no-untyped-def]
    """The summary's Print link works in the app (an inline handler is blocked there)."""
    blocked: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    page.add_init_script("window.print = () => { window.printed = true; };")
    page.goto(server + "/signup")
    page.fill("input[name=email]", "doctor@example.org")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.wait_for_url("**/people")
    page.goto(server + "/children")
    page.fill("input[name=name]", "Ola")
    page.fill("input[name=birth_date]", months_ago(14).isoformat())
    page.click("text=Add child")
    page.wait_for_url("**/children/*")
    page.click("text=Summary for the doctor")
    page.wait_for_url("**/summary")
    page.click("text=Print")
    assert page.evaluate("window.printed === true")
    assert page.url.endswith("/summary")  # not sent to "#"
    assert not blocked, blocked

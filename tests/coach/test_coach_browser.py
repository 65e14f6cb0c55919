"""Browser test: screening -> plan -> log -> progression -> 3MBWT -> clinic -> printed report.

Playwright drives Debian's Chromium against a real uvicorn server; screenshots are
checked for content.
"""

from __future__ import annotations

from pathlib import Path

from browser_helpers import screenshot_has_content, sign_up_in_browser


def test_coach_and_3mbwt_flow(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shots = tmp_path / "shots"
    shots.mkdir()
    sign_up_in_browser(page, server, "physio@example.org")
    page.fill("input[name=name]", "Greta")
    page.fill("input[name=birth_date]", "1952-04-12")
    page.click("text=Add person")
    page.wait_for_url("**/people/*")

    page.click("a.button:has-text('Plan')")
    page.wait_for_url("**/coach")
    page.click("text=Safe-start questions")
    page.check("input[name=balance][value=unsteady]")
    page.check("input[name=knee_hip][value=mild]")
    page.click("text=See the result")
    outcome = page.locator("#screening-outcome")
    outcome.wait_for()
    assert "Go ahead with support" in outcome.inner_text()
    assert "You sometimes feel unsteady" in outcome.inner_text()
    assert page.locator("#screening-outcome a[href='/learn/safety-wall-railing']").count() == 1
    page.screenshot(path=str(shots / "screening.png"), full_page=True)

    page.click("text=Go to the plan")
    page.select_option("select[name=goal]", "knee_pain")
    page.select_option("select[name=level]", "beginner")
    page.click("text=Make the plan")
    page.wait_for_selector("#plan")
    assert "Knee pain" in page.locator("#plan h2").inner_text()
    assert "Walk backwards for 5 minutes" in page.locator("#session-steps").inner_text()
    assert page.locator("#form-cues a[href='/learn/form-toe-then-heel']").count() == 1

    page.click("text=Log a session")
    page.fill("input[name=backward_min]", "15")
    page.select_option("select[name=place]", "wall_support")
    page.fill("input[name=effort]", "4")
    page.fill("input[name=soreness]", "2")
    page.click("button:has-text('Save')")
    page.wait_for_selector("#recommendation")
    assert "16.5 minutes" in page.locator("#recommendation").inner_text()
    assert "All went well: add about 10 %" in page.locator("#recommendation-rule").inner_text()
    assert "15 of 15 min" in page.locator("#this-week").inner_text()
    page.screenshot(path=str(shots / "plan.png"), full_page=True)

    page.goto(page.url.split("/coach")[0] + "/tests/3mbwt")
    assert "as quickly as you safely can" in page.locator("#instructions").inner_text()
    page.click("#sw-start")
    page.wait_for_timeout(300)
    page.click("#sw-stop")
    assert float(page.input_value("#time_s")) > 0.2
    page.fill("#time_s", "4.7")
    page.select_option("#group", "community")
    page.click("text=Score the test")
    page.wait_for_selector("#result")
    text = page.locator("#result").inner_text()
    assert "4.70 s" in text and "4.5 s cut-off" in text and "J Geriatr Phys Ther" in text
    page.screenshot(path=str(shots / "result.png"), full_page=True)

    page.click("nav >> text=Clinic")
    page.wait_for_selector("#clinic-table")
    row = page.locator("#clinic-table tbody tr").first.inner_text()
    assert "Greta" in row and "4.70 s" in row and "15 / 15 min (100 %)" in row
    page.screenshot(path=str(shots / "clinic.png"), full_page=True)

    page.click("#clinic-table >> text=Report")
    page.wait_for_selector("#report-tests")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert page.locator("#report-tests").is_visible()
    page.screenshot(path=str(shots / "report-print.png"), full_page=True)
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")

    for name in ("screening.png", "plan.png", "result.png", "clinic.png", "report-print.png"):
        screenshot_has_content(shots / name)

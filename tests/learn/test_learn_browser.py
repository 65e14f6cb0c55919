"""Browser test: search, filter, open an entry and follow a related link in Chromium."""

from __future__ import annotations

from pathlib import Path


def test_search_filter_open_and_follow(learn_server, learn_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = learn_page
    page.goto(f"{learn_server}/learn")
    assert page.locator("h1").inner_text() == "Learn about backward walking"
    total = page.locator("ul.learn-list > li").count()
    assert total >= 34

    # Search.
    page.fill("input[name=q]", "knee")
    page.click("form.learn-filters button[type=submit]")
    page.wait_for_url("**/learn?q=knee*")
    titles = page.locator("ul.learn-list > li strong").all_inner_texts()
    assert titles[:2] == ["Less load on the knee", "Knee osteoarthritis"]

    # Filter by audience (parents) and clear the search.
    page.goto(f"{learn_server}/learn")
    page.select_option("select[name=audience]", "parents")
    page.click("form.learn-filters button[type=submit]")
    page.wait_for_url("**audience=parents*")
    ids = page.locator("ul.learn-list > li").evaluate_all("els => els.map(e => e.dataset.entry)")
    assert ids and len(ids) < total
    assert "kids-not-autism" in ids and "benefit-energy-cost" not in ids

    # Open an entry.
    page.click("a[href='/learn/kids-not-autism']")
    page.wait_for_url("**/learn/kids-not-autism")
    assert page.locator(".evidence .grade").inner_text() == "Evidence against"
    assert "not a sign of autism" in page.locator(".evidence .summary").inner_text()
    shot = tmp_path / "learn-entry.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    # Follow a related link.
    page.click(".related a[href='/learn/kids-when-to-ask']")
    page.wait_for_url("**/learn/kids-when-to-ask")
    assert page.locator("h1").inner_text() == "When to talk to your paediatrician"
    assert page.locator(".sources li").count() >= 1
    page.screenshot(path="/tmp/learn-when-to-ask.png", full_page=True)

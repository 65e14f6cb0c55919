"""Irreversible buttons ask first, in a real browser: dismissing the question keeps the data."""

from __future__ import annotations

from browser_helpers import sign_up_in_browser


def test_revoking_a_token_asks_first(browser_side_once: None, server: str, page) -> None:  # type: ignore[no-untyped-def]
    sign_up_in_browser(page, server, "tokens@example.org")
    page.goto(f"{server}/account")
    page.fill("input[name=name]", "laptop script")
    page.click("text=Create token")
    revoke = page.locator("form[action^='/account/tokens/'] button", has_text="Revoke")
    asked: list[str] = []

    def dismiss(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    revoke.click()
    page.wait_for_timeout(300)
    assert asked and "laptop script" in asked[0] and "cannot be undone" in asked[0]
    page.goto(f"{server}/account")
    assert revoke.count() == 1  # still there
    page.once("dialog", lambda dialog: dialog.accept())
    revoke.click()
    page.wait_for_load_state()
    page.goto(f"{server}/account")
    assert revoke.count() == 0

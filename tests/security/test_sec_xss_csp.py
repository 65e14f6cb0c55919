"""No user value runs as script; a Content-Security-Policy without inline script;
no page sends a request away from 127.0.0.1 (real Chromium against a real server)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "retrowalk" / "web" / "templates"
XSS_NAME = "Eve'+alert('xss-confirm')+'"
PASSWORD = "correct horse"


def _sign_up(page, server: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/signup")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/people")


def _add_person(page, server: str, name: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/people")
    page.fill("form[action='/people'] input[name=name]", name)
    page.click("form[action='/people'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/people/\d+$"))
    return str(page.url)


def test_person_name_never_runs_as_script(page, server: str) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[tuple[str, str]] = []

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append((dialog.type, dialog.message))
        dialog.accept()

    page.on("dialog", on_dialog)
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    _sign_up(page, server, "xss@example.org")
    url = _add_person(page, server, XSS_NAME)
    assert XSS_NAME in page.inner_text("h1")
    page.click("details.danger summary")
    page.click("form[action$='/delete'] button.danger")
    page.wait_for_url(f"{server}/people")
    # The one dialog is the confirmation, showing the name as text; no alert ran.
    assert dialogs == [("confirm", f"Delete {XSS_NAME} and all their data?")]
    assert XSS_NAME not in page.content()  # deleted after confirming
    assert page.goto(url).status == 404
    assert violations == []


def test_cancelled_confirmation_keeps_the_person(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.on("dialog", lambda dialog: dialog.dismiss())
    _sign_up(page, server, "keep@example.org")
    url = _add_person(page, server, "Keep Me")
    page.click("details.danger summary")
    page.click("form[action$='/delete'] button.danger")
    page.wait_for_timeout(300)
    assert page.goto(url).status == 200


def test_every_response_has_a_csp_without_inline_script(server: str) -> None:
    for path in ("/signin", "/signup", "/learn", "/static/page.js", "/api/v1/openapi.json"):
        policy = httpx.get(server + path).headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", policy
        assert directives["object-src"] == "'none'" and "default-src" in directives


def test_templates_hold_no_inline_script_or_handler() -> None:
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        found += [f"{path.name}: {m.group(0)}" for m in handler.finditer(text)]
        found += [f"{path.name}: {m.group(0)}" for m in inline.finditer(text)]
        found += [f"{path.name}: javascript: URL" for _ in re.finditer("javascript:", text)]
    assert found == []


@pytest.mark.parametrize("server_worker", ["thread"])
def test_no_request_leaves_127_0_0_1(page, server: str, recording_file: Path) -> None:  # type: ignore[no-untyped-def]
    """Every page, the API description included, loads from this server only."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    _sign_up(page, server, "offline@example.org")
    person = _add_person(page, server, "Ann")
    page.set_input_files("#file-input", str(recording_file))
    page.click("#upload-button")
    page.wait_for_url(re.compile(r".*/recordings/\d+$"))
    page.wait_for_selector("#status-box[data-status=done]", state="attached", timeout=120_000)
    recording = page.url
    pid = person.rsplit("/", 1)[-1]
    for path in (
        person,
        recording,
        f"{server}/people/{pid}/progress",
        f"{server}/people/{pid}/coach",
        f"{server}/people/{pid}/tests/3mbwt",
        f"{server}/people/{pid}/report",
        f"{server}/clinic",
        f"{server}/children",
        f"{server}/learn",
        f"{server}/account",
        f"{server}/api/v1/openapi.json",
    ):
        response = page.goto(path if path.startswith("http") else server + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert page.goto(f"{server}/api/docs").status == 404  # no CDN-hosted Swagger UI
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1:", "data:", "blob:"))]
    assert outside == []
    assert violations == []

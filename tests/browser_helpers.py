"""Browser test helpers: the app under a real uvicorn server, and Debian's headless Chromium.

Use the fixtures by importing them into a conftest or test module together:
``from browser_helpers import chromium, page, server, server_worker``. ``server`` needs the
``database_url`` fixture of ``webtest_helpers``; override ``server_worker`` to run
the app without its analysis worker.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from retrowalk.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_app(app: Any, **config: Any) -> Iterator[str]:
    """``app`` under uvicorn on a free port of 127.0.0.1 in a thread; yields its base URL.

    ``config`` goes to :class:`uvicorn.Config` (e.g. ``proxy_headers=True``).
    """
    port = free_port()
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config)
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(15)


def launch_chromium(playwright):  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, from a started Playwright."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)


@pytest.fixture
def browser_side_once(database_url: str) -> None:
    """Skip the PostgreSQL run of a browser test whose database side is tested elsewhere.

    Requested before ``server``, so that no app is started for the skipped run.
    """
    if not database_url.startswith("sqlite"):
        pytest.skip("the browser side is the same on every database; run once")


@pytest.fixture
def server_worker() -> str:
    """The app's analysis worker under ``server`` ("thread"; "none" runs no worker)."""
    return "thread"


@pytest.fixture
def server(database_url: str, tmp_path: Path, server_worker: str) -> Iterator[str]:
    """The app under uvicorn on a free local port; yields its base URL."""
    from webtest_helpers import make_settings  # tests/web is not on the path of every test

    app = create_app(make_settings(database_url, tmp_path, worker=server_worker))
    with serve_app(app) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():  # type: ignore[no-untyped-def]
    """Debian's headless Chromium (/usr/bin/chromium), started once per test module.

    Each test gets a context of its own from it (``page``): cookies, storage and
    cache are never shared between tests, only the browser process is.
    """
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):  # type: ignore[no-untyped-def]
    """A Playwright page in a new context (a fresh profile) of the module's Chromium."""
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    yield context.new_page()
    context.close()


def sign_up_in_browser(page: Any, base: str, email: str, password: str = "correct horse") -> None:
    """Sign up on the page at ``base`` and wait for the people page it leads to."""
    page.goto(base + "/signup")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/people")


def screenshot_has_content(path: Path) -> None:
    """Not blank: many distinct colours in the image."""
    from PIL import Image

    with Image.open(path) as img:
        colours = img.convert("RGB").resize((200, 150)).getcolors(maxcolors=200 * 150)
    assert colours is not None and len(colours) > 20, f"{path} looks blank"

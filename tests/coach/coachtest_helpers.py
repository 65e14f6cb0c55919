"""Helpers of the coaching web and browser tests: a real uvicorn server and Chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from webtest_helpers import csrf, make_settings

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


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[str]:
    app = create_app(make_settings(database_url, tmp_path, worker="thread"))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def page(tmp_path: Path):  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def post_form(client, url: str, data: dict, page: str = "/people"):  # type: ignore[no-untyped-def]
    """POST a page form with the session's CSRF token (follows the redirect)."""
    return client.post(url, data={"csrf_token": csrf(client, page), **data})


def screenshot_has_content(path: Path) -> None:
    """Not blank: many distinct colours in the image."""
    from PIL import Image

    with Image.open(path) as img:
        colours = img.convert("RGB").resize((200, 150)).getcolors(maxcolors=200 * 150)
    assert colours is not None and len(colours) > 20, f"{path} looks blank"


IPOL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ipol-gait"


def backward_walk_csv(folder: Path, trial: str = "4-1") -> Path:
    """A real lower-back walk played backwards in time (the stand-in for backward walking
    described in shared/data/README.md), written as a plain CSV in m/s^2 and deg/s."""
    import numpy as np

    from retrowalk.io import read_recording

    source = IPOL / f"{trial}_lb.txt"
    if not source.is_file():
        pytest.skip(f"real recordings not found at {IPOL}")
    rec = read_recording(source, placement="lower_back").time_reversed()
    n = rec.acc_mps2.shape[0]
    t = np.arange(n) / rec.sampling_rate_hz
    gyro = np.degrees(rec.gyro_rads)
    table = np.column_stack([t, rec.acc_mps2, gyro])
    path = folder / f"ipol-{trial}-reversed.csv"
    header = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt="%.6f")
    return path

"""Screenshots of every page at desktop and phone width, with page weights and load times.

Starts the real app (``python -m retrowalk.cli serve --demo``) on a free local port
with a fresh data directory, signs in to the demo account, adds a child, and
opens every page in headless Chromium at 1280 px and 390 px wide. For each page
and width it writes a full-page PNG and one row of an index: bytes transferred
(response bodies as sent plus headers, browser cache disabled, so every load is
a first load), the load time (navigation start to the load event), and how far
the page is wider than the screen (0 when nothing overflows).

Usage::

    python scripts/screenshots.py [--out screenshots] [--widths 1280,390]

The index is written as ``index.md`` (a table) and ``index.json`` beside the
images. Run it before and after a change to compare page weights and load times.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
DEMO_EMAIL = "demo@retrowalk.local"
DEMO_PASSWORD = "backward-walk"
PHONE_HEIGHT_PX = 844
DESKTOP_HEIGHT_PX = 900
CHILD_AGE_DAYS = 580  # about 19 months: the age of the milestone questions


@dataclass
class Shot:
    """One page at one width."""

    page: str
    path: str
    width_px: int
    status: int
    bytes_transferred: int
    requests: int
    load_ms: float
    overflow_px: int
    file: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_app(data_dir: Path) -> Iterator[str]:
    """``retrowalk serve --demo`` on a free port; yields the base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "retrowalk.cli",
        "serve",
        "--demo",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--database-url",
        f"sqlite:///{data_dir / 'retrowalk.sqlite'}",
    ]
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/signin", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    message = f"the app did not start; see {data_dir / 'server.log'}"
                    raise SystemExit(message) from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def measure(page: Any, cdp: Any, url: str) -> tuple[int, int, int, float, int]:
    """Open ``url``; (status, bytes transferred, requests, load ms, overflow px)."""
    sizes: dict[str, int] = {}

    def finished(event: dict[str, Any]) -> None:
        sizes[event["requestId"]] = int(event.get("encodedDataLength", 0))

    cdp.on("Network.loadingFinished", finished)
    response = page.goto(url, wait_until="load")
    # A page that keeps polling never goes idle; it still gets its screenshot.
    with contextlib.suppress(Exception):
        page.wait_for_load_state("networkidle", timeout=15_000)
    load_ms = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n ? n.loadEventEnd - n.startTime : 0; }"
    )
    overflow = page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )
    cdp.remove_listener("Network.loadingFinished", finished)
    status = response.status if response is not None else 0
    return status, sum(sizes.values()), len(sizes), float(load_ms), int(overflow)


def sign_in(page: Any, base: str) -> None:
    page.goto(base + "/signin")
    page.fill("input[name=email]", DEMO_EMAIL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/people")


def first_link(page: Any, base: str, url: str, prefix: str) -> str:
    """The first link on ``url`` whose path starts with ``prefix`` and ends in a number."""
    page.goto(base + url)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    for href in hrefs:
        if href.startswith(prefix) and href[len(prefix) :].isdigit():
            return str(href)
    raise SystemExit(f"no link to {prefix}N on {url}")


def prepare(page: Any, base: str) -> dict[str, str]:
    """Sign in, wait for the demo analysis, add a child; the ids the page list needs."""
    sign_in(page, base)
    person = first_link(page, base, "/people", "/people/")
    recording = first_link(page, base, person, "/recordings/")
    deadline = time.monotonic() + 300
    while True:
        status = page.request.get(base + recording + "/status").json().get("status")
        if status in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(1)
    page.goto(base + "/children")
    page.fill("form[action='/children'] input[name=name]", "Mia")
    born = dt.date.today() - dt.timedelta(days=CHILD_AGE_DAYS)
    page.fill("form[action='/children'] input[name=birth_date]", born.isoformat())
    page.click("form[action='/children'] button[type=submit]")
    page.wait_for_url("**/children/*")
    child = "/children/" + page.url.rstrip("/").rsplit("/", 1)[-1]
    learn_entry = ""
    page.goto(base + "/learn")
    hrefs = page.eval_on_selector_all("a[href^='/learn/']", "els => els.map(e => e.href)")
    if hrefs:
        learn_entry = "/learn/" + hrefs[0].rsplit("/learn/", 1)[-1]
    return {"person": person, "recording": recording, "child": child, "learn": learn_entry}


def pages(ids: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(name, path, signed in) of every page."""
    person, recording, child = ids["person"], ids["recording"], ids["child"]
    rows = [
        ("signin", "/signin", False),
        ("signup", "/signup", False),
        ("learn-signed-out", "/learn", False),
        ("people", "/people", True),
        ("person", person, True),
        ("recording", recording, True),
        ("report", recording + "/report", True),
        ("progress", person + "/progress", True),
        ("coach", person + "/coach", True),
        ("coach-screening", person + "/coach/screening", True),
        ("coach-log", person + "/coach/log", True),
        ("assess-3mbwt", person + "/tests/3mbwt", True),
        ("clinic", "/clinic", True),
        ("clinician-report", person + "/report", True),
        ("account", "/account", True),
        ("children", "/children", True),
        ("child", child, True),
        ("child-guide", child + "/guide", True),
        ("child-count", child + "/count", True),
        ("child-summary", child + "/summary", True),
        ("learn", "/learn", True),
        ("learn-search-knee", "/learn?q=knee", True),
        ("error-404", "/people/999999", True),
    ]
    if ids["learn"]:
        rows.insert(-1, ("learn-entry", ids["learn"], True))
    return rows


def shoot(base: str, out: Path, widths: list[int]) -> list[Shot]:
    from playwright.sync_api import sync_playwright

    shots: list[Shot] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        setup = browser.new_context()
        ids = prepare(setup.new_page(), base)
        state = setup.storage_state()
        setup.close()
        for width in widths:
            height = PHONE_HEIGHT_PX if width < 700 else DESKTOP_HEIGHT_PX
            contexts: dict[bool, Any] = {
                signed_in: browser.new_context(
                    viewport={"width": width, "height": height},
                    storage_state=state if signed_in else None,
                )
                for signed_in in (False, True)
            }
            for name, path, signed_in in pages(ids):
                page = contexts[signed_in].new_page()
                cdp = page.context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                status, size, count, load_ms, overflow = measure(page, cdp, base + path)
                file = f"{name}-{width}.png"
                page.screenshot(path=str(out / file), full_page=True)
                shots.append(Shot(name, path, width, status, size, count, load_ms, overflow, file))
                print(
                    f"{name:20s} {width:5d}px {size / 1024:9.1f} kB {load_ms:7.0f} ms", flush=True
                )
                page.close()
            for context in contexts.values():
                context.close()
        browser.close()
    return shots


def write_index(shots: list[Shot], out: Path) -> None:
    (out / "index.json").write_text(json.dumps([asdict(s) for s in shots], indent=1) + "\n")
    lines = [
        "| page | width px | status | kB transferred | requests | load ms | overflow px | file |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in shots:
        lines.append(
            f"| {s.page} | {s.width_px} | {s.status} | {s.bytes_transferred / 1024:.1f} | "
            f"{s.requests} | {s.load_ms:.0f} | {s.overflow_px} | {s.file} |"
        )
    (out / "index.md").write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--widths", default="1280,390", help="comma-separated widths in px")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"needs Chromium at {CHROMIUM}", file=sys.stderr)
        return 2
    widths = [int(w) for w in args.widths.split(",") if w.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="retrowalk-shots-") as tmp,
        running_app(Path(tmp)) as base,
    ):
        shots = shoot(base, args.out, widths)
    write_index(shots, args.out)
    print(f"{len(shots)} screenshots and index.md written to {args.out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""In Chromium: after an upgrade the people page offers to analyse the older
recordings again, and while the worker does, the page follows by itself (the count
left and the progress bar, which a reload keeps where the run is), can stop it,
and reloads without the notice once all are done.

The server runs no worker: the test analyses one recording at a time, so each
step the page must show is seen.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from browser_helpers import CHROMIUM, sign_up_in_browser
from retrowalk.app.jobs.runners import InlineRunner
from retrowalk.app.jobs.worker import run_once
from retrowalk.store.db import Database
from retrowalk.store.models import AnalysisResult

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")

EARLIER = "0.0.1+earlier-engine"
PASSWORD = "correct horse"


@pytest.fixture
def server_worker() -> str:
    return "none"


def _three_analysed_older(
    page, server: str, email: str, recording_file: Path, tmp_path: Path, db: Database
) -> tuple[dict[str, str], list[int]]:
    """Sign up in the browser, upload three copies of a real recording through the API,
    analyse them, and make their analyses an earlier version's (the upgrade, seen from
    the stored side); the API's headers and the recordings' ids."""
    sign_up_in_browser(page, server, email, PASSWORD)
    token = httpx.post(
        f"{server}/api/v1/tokens", json={"email": email, "password": PASSWORD}
    ).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    person = httpx.post(f"{server}/api/v1/people", json={"name": "Ada"}, headers=auth).json()
    ids = []
    for i in (1, 2, 3):
        copy = tmp_path / f"walk-{i}.csv"
        copy.write_bytes(recording_file.read_bytes() + b"\n" * i)
        with open(copy, "rb") as stream:
            created = httpx.post(
                f"{server}/api/v1/people/{person['id']}/recordings",
                files={"file": (copy.name, stream)},
                data={"recorded_on": "2026-03-02"},
                headers=auth,
                timeout=60,
            )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    while run_once(db, tmp_path / "data", InlineRunner()):
        pass
    with db.transaction() as session:
        session.execute(update(AnalysisResult).values(analysis_version=EARLIER))
    return auth, ids


def test_the_page_follows_the_older_recordings_analysed_again(  # type: ignore[no-untyped-def]
    browser_side_once: None,
    server: str,
    page,
    database_url: str,
    recording_file: Path,
    tmp_path: Path,
) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    db = Database(database_url, migrate=False)
    data_dir, runner = tmp_path / "data", InlineRunner()
    try:
        _three_analysed_older(page, server, "older@example.org", recording_file, tmp_path, db)

        page.goto(server + "/people")
        notice = page.locator("#older-engine-all")
        assert "3 recordings were analysed by an earlier version" in notice.inner_text()
        with page.expect_navigation():
            page.click("#reanalyse-older")
        assert "3 recordings left" in notice.inner_text()
        assert page.locator("#older-progress").get_attribute("max") == "3"

        run_once(db, data_dir, runner)  # one done: the page says so by itself
        expect(page.locator("#older-left")).to_have_text("2 recordings left", timeout=20_000)
        expect(page.locator("#older-done")).to_have_text("1 of 3 done")
        assert page.eval_on_selector("#older-progress", "m => [m.value, m.max]") == [1, 3]
        page.reload()  # mid-run: the bar goes on from where the run is
        assert page.eval_on_selector("#older-progress", "m => [m.value, m.max]") == [1, 3]
        expect(page.locator("#older-done")).to_have_text("1 of 3 done")

        with page.expect_navigation():  # stopped: the two left keep their analysis
            page.click("#stop-reanalysis")
        assert page.locator("#older-progress").count() == 0
        assert "2 recordings were analysed by an earlier version" in notice.inner_text()
        assert not run_once(db, data_dir, runner)  # nothing waits any more

        with page.expect_navigation():  # started again: the rest, then no notice
            page.click("#reanalyse-older")
        assert page.eval_on_selector("#older-progress", "m => [m.value, m.max]") == [1, 3]
        run_once(db, data_dir, runner)
        expect(page.locator("#older-left")).to_have_text("1 recording left", timeout=20_000)
        assert page.eval_on_selector("#older-progress", "m => [m.value, m.max]") == [2, 3]
        run_once(db, data_dir, runner)  # all done: the page reloads without the notice
        page.wait_for_selector("#older-engine-all", state="detached", timeout=20_000)
        assert "earlier version" not in page.locator("main").inner_text()
    finally:
        db.dispose()


def test_stopping_leaves_what_was_asked_for_otherwise_and_the_page_says_so(  # type: ignore[no-untyped-def]
    browser_side_once: None,
    server: str,
    page,
    database_url: str,
    recording_file: Path,
    tmp_path: Path,
) -> None:
    """A run of three, two of them then asked for again on their own: the notice says
    the two stay queued whatever the stop; once stopped, no stop button is left and
    the page follows them, reloading as each is analysed."""
    expect = pytest.importorskip("playwright.sync_api").expect
    db = Database(database_url, migrate=False)
    data_dir, runner = tmp_path / "data", InlineRunner()
    try:
        auth, ids = _three_analysed_older(
            page, server, "kept@example.org", recording_file, tmp_path, db
        )
        page.goto(server + "/people")
        notice = page.locator("#older-engine-all")
        with page.expect_navigation():
            page.click("#reanalyse-older")
        assert "3 recordings left" in notice.inner_text()
        assert page.locator("#older-kept").count() == 0
        for rid in ids[:2]:  # asked for again, each on its own, while the run waits
            asked = httpx.post(f"{server}/api/v1/recordings/{rid}/reanalyse", headers=auth)
            assert asked.status_code == 200, asked.text
        # The page follows by itself.
        expect(page.locator("#older-kept")).to_have_text(
            "2 of the recordings left were queued by its own Analyse again too: stopping "
            "leaves them queued, to be analysed as asked.",
            timeout=20_000,
        )
        with page.expect_navigation():
            page.click("#stop-reanalysis")
        assert page.locator("#stop-reanalysis").count() == 0
        assert "2 recordings left" in notice.inner_text()
        expect(page.locator("#older-kept")).to_have_text(
            "2 of the recordings left were queued by its own Analyse again too: they are "
            "analysed as asked."
        )
        run_once(db, data_dir, runner)  # one of the two done: the page reloads by itself
        expect(page.locator("#older-kept")).to_have_text(
            "1 of the recordings left was queued by its own Analyse again too: it is "
            "analysed as asked.",
            timeout=20_000,
        )
        run_once(db, data_dir, runner)  # both done: the stopped one is left as it was
        expect(page.locator("#older-count")).to_contain_text(
            "1 recording was analysed by an earlier version", timeout=20_000
        )
        assert page.locator("#older-progress").count() == 0
        assert not run_once(db, data_dir, runner)
    finally:
        db.dispose()


def test_the_page_follows_an_older_recording_analysed_again_for_its_own_reason(  # type: ignore[no-untyped-def]
    browser_side_once: None,
    server: str,
    page,
    database_url: str,
    recording_file: Path,
    tmp_path: Path,
) -> None:
    """One of three asked for again on its own before the run: the run's notice names it
    apart, and once it is analysed the page drops that line by itself, the run's count
    staying at none of its two done."""
    expect = pytest.importorskip("playwright.sync_api").expect
    db = Database(database_url, migrate=False)
    data_dir, runner = tmp_path / "data", InlineRunner()
    try:
        auth, ids = _three_analysed_older(
            page, server, "apart@example.org", recording_file, tmp_path, db
        )
        asked = httpx.post(f"{server}/api/v1/recordings/{ids[0]}/reanalyse", headers=auth)
        assert asked.status_code == 200, asked.text
        page.goto(server + "/people")
        with page.expect_navigation():
            page.click("#reanalyse-older")
        expect(page.locator("#older-queued")).to_have_text(
            "1 other recording analysed by an earlier version is being analysed again for "
            "its own reason, its own Analyse again: it is not counted above, and stopping "
            "leaves it to be analysed as asked."
        )
        expect(page.locator("#older-done")).to_have_text("0 of 2 done")
        run_once(db, data_dir, runner)  # the one asked for: the page reloads by itself
        page.wait_for_selector("#older-queued", state="detached", timeout=20_000)
        expect(page.locator("#older-done")).to_have_text("0 of 2 done")
        expect(page.locator("#older-left")).to_have_text("2 recordings left")
    finally:
        db.dispose()

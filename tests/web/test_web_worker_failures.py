"""Whatever goes wrong with one recording's analysis job ends that job, never the queue.

A recording whose analysis cannot be set up (a stored upload setting an earlier version
accepted and this one refuses), whose uploaded file is gone, or whose result cannot
be stored, is marked failed (or, analysed before, keeps its earlier analysis) with a
one-line reason in words on its page and in the API, no traceback and no server path;
the recordings queued after it, of any account, are analysed. Before, the first of
these stayed ``queued`` ahead of every later recording: the standalone worker exited
on it and the app's worker thread tried it again every two seconds. Real uploads
(SQLite and PostgreSQL), the standalone worker process and the app's worker thread
under a real server.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from webtest_helpers import (
    CSRF_RE,
    add_person,
    analyse_queued,
    api_token,
    csrf,
    make_settings,
    sign_up,
    stored_path,
    upload,
)

from browser_helpers import serve_app
from retrowalk.app.jobs import worker as worker_module
from retrowalk.app.reanalysis import FILE_GONE
from retrowalk.store.models import Recording
from retrowalk.web.app import create_app

# Floor marks an earlier version stored unchecked: the options of an analysis of this
# recording cannot be built from them (two numbers where four are needed).
BAD_MARKS = {"floor_marks_px": "12,40", "floor_distance_m": 2.0}
SET_UP_REASON = (
    "what was stored with it at upload cannot be used (floor marks: give four numbers "
    "X1,Y1,X2,Y2 (pixels), got '12,40'); delete it and upload the file again"
)


def _copies(source: Path, folder: Path, n: int) -> list[Path]:
    """``n`` files with the same walk and different bytes (uploads are kept once)."""
    paths = []
    for i in range(n):
        path = folder / f"walk-{i + 1}.csv"
        path.write_bytes(source.read_bytes() + b"\n" * (i + 1))
        paths.append(path)
    return paths


def _set_row(app, recording_id: int, **values: object) -> None:  # type: ignore[no-untyped-def]
    with app.state.services.db.transaction() as session:
        session.execute(update(Recording).where(Recording.id == recording_id).values(**values))


def _said(page: str, element_id: str | None = None) -> str:
    """The words of the page's failure line (``role="alert"``, or the one with that id)."""
    where = f'id="{element_id}"' if element_id else 'role="alert"'
    match = re.search(rf'<p class="error"[^>]*{where}[^>]*>(.*?)</p>', page, re.S)
    assert match, page
    return " ".join(html.unescape(match.group(1)).split())


def _no_internals(text: str, data_dir: Path) -> None:
    assert "Traceback" not in text and str(data_dir) not in text and "\n" not in text


def test_the_standalone_worker_fails_one_recording_and_goes_on(  # type: ignore[no-untyped-def]
    database_url: str, recording_file: Path, tmp_path: Path
) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    data_dir = app.state.services.data_dir
    with TestClient(app) as a, TestClient(app) as b:
        sign_up(a, "a@example.org")
        sign_up(b, "b@example.org")
        ann, bob = add_person(a, "Ann"), add_person(b, "Bob")
        walks = _copies(recording_file, tmp_path, 4)
        bad_row = upload(a, ann, walks[0])["id"]
        gone = upload(b, bob, walks[1])["id"]
        later_b = upload(b, bob, walks[2])["id"]
        later_a = upload(a, ann, walks[3])["id"]
        _set_row(app, bad_row, **BAD_MARKS)
        stored_path(app, gone).unlink()

        worker = subprocess.run(
            [sys.executable, "-m", "retrowalk.app.jobs.worker", "--once"]
            + ["--database-url", database_url, "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert worker.returncode == 0, worker.stderr[-2000:]

        status = {
            i: c.get(f"/recordings/{i}/status").json()
            for i, c in ((bad_row, a), (gone, b), (later_b, b), (later_a, a))
        }
        assert [status[i]["status"] for i in (bad_row, gone, later_b, later_a)] == [
            "failed",
            "failed",
            "done",
            "done",
        ], status
        assert status[bad_row]["error"] == SET_UP_REASON
        assert status[gone]["error"] == FILE_GONE
        page = a.get(f"/recordings/{bad_row}").text
        assert _said(page) == f"The analysis failed: {SET_UP_REASON}"
        assert b.get(f"/recordings/{gone}").status_code == 200
        assert _said(b.get(f"/recordings/{gone}").text) == f"The analysis failed: {FILE_GONE}"
        api = a.get(f"/api/v1/recordings/{bad_row}", headers=api_token(a, "a@example.org"))
        assert (api.json()["status"], api.json()["error"]) == ("failed", SET_UP_REASON)
        for one in status.values():
            _no_internals(one["error"], data_dir)


def test_the_servers_worker_thread_goes_on_past_a_recording_it_cannot_set_up(  # type: ignore[no-untyped-def]
    database_url: str, recording_file: Path, tmp_path: Path
) -> None:
    walks = _copies(recording_file, tmp_path, 3)
    setup = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = setup.state.services
    with TestClient(setup) as a, TestClient(setup) as b:
        sign_up(a, "a@example.org")
        sign_up(b, "b@example.org")
        ann = add_person(a, "Ann")
        analysed = upload(a, ann, walks[0])["id"]
        analyse_queued(services)
        never = upload(a, ann, walks[1])["id"]  # never analysed: fails
        _set_row(setup, never, **BAD_MARKS)
        _set_row(setup, analysed, **BAD_MARKS)  # analysed before: keeps that analysis
        url = f"/recordings/{analysed}"
        queued = a.post(f"{url}/reanalyse", data={"csrf_token": csrf(a, url)})
        assert 'data-status="queued"' in queued.text
        other = upload(b, add_person(b, "Bob"), walks[2])["id"]  # another account, later

    app = create_app(make_settings(database_url, tmp_path, worker="thread"))
    with serve_app(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        assert app.state.worker.wait_idle(300)
        token = CSRF_RE.search(http.get("/signin").text).group(1)  # type: ignore[union-attr]
        signed = http.post(
            "/signin",
            data={"email": "a@example.org", "password": "correct horse", "csrf_token": token},
        )
        assert signed.status_code in (200, 303), signed.text
        states = {i: http.get(f"/recordings/{i}/status").json() for i in (never, analysed)}
        assert states[never] == {
            "status": "failed",
            "error": SET_UP_REASON,
            "stage": "",
            "percent": None,
        }
        assert (states[analysed]["status"], states[analysed]["error"]) == ("done", SET_UP_REASON)
        page = http.get(f"/recordings/{analysed}").text
        assert _said(page, "reanalysis-error") == (
            f"Analysing it again failed: {SET_UP_REASON}. The analysis below is the earlier "
            "one, kept as it was."
        )
        assert 'id="walked"' in page  # the earlier numbers still shown
    with app.state.services.db.read() as session:
        assert session.get(Recording, other).status == "done"  # type: ignore[union-attr]


def test_a_result_that_cannot_be_stored_fails_its_recording_only(  # type: ignore[no-untyped-def]
    database_url: str, recording_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The analysis of a real recording always gives a result the database takes, so the
    failure is injected at the one step between the analysis and its row: the summary
    stored beside the result (``summarise``), for the first recording only."""
    real = worker_module.summarise
    calls = []

    def first_fails(result):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("cannot write /srv/retrowalk/data/results/7.json\nat line 3")
        return real(result)

    monkeypatch.setattr(worker_module, "summarise", first_fails)
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    with TestClient(app) as client:
        sign_up(client, "s@example.org")
        person = add_person(client, "Sam")
        first, second = (
            upload(client, person, p)["id"] for p in _copies(recording_file, tmp_path, 2)
        )
        analyse_queued(services)
        failed = client.get(f"/recordings/{first}/status").json()
        assert failed["status"] == "failed"
        assert failed["error"] == (
            "its analysis could not be stored because of an unexpected error on the server; "
            "try again later"
        )
        assert client.get(f"/recordings/{second}/status").json()["status"] == "done"
        reports = list((services.data_dir / "reports").glob("*.html"))
        assert len(reports) == 1  # the report of the failed one is not left behind


def test_a_reason_is_one_line_without_server_paths() -> None:
    from retrowalk.app.jobs.worker import plain_reason

    assert plain_reason("cannot read /srv/data/files/ab12.csv:\n  broken") == (
        "cannot read a file on the server: broken"
    )
    assert plain_reason("speed 1.2 m/s, forward/backward") == "speed 1.2 m/s, forward/backward"
    assert plain_reason("") == "the analysis failed for a reason that was not recorded"
    assert len(plain_reason("x" * 1000)) == 400

"""The app's analysis worker is one thread however many clients enter the app, and
waiting for it to be idle waits for every upload queued before (SQLite and
PostgreSQL): the web tests' fixtures use two test clients on one app."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webtest_helpers import add_person, sign_up, upload, wait_for_analysis

from retrowalk.app.jobs import worker as worker_module


def _worker_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "retrowalk-worker" and t.is_alive())


def _copy(source: Path, folder: Path, i: int) -> Path:
    path = folder / f"walk-{i}.csv"
    path.write_bytes(source.read_bytes() + b"\n" * i)
    return path


def test_two_clients_share_one_worker_thread(app) -> None:  # type: ignore[no-untyped-def]
    before = _worker_threads()
    with TestClient(app), TestClient(app):
        assert _worker_threads() == before + 1
    deadline = time.monotonic() + 10
    while _worker_threads() > before:
        assert time.monotonic() < deadline, "the worker did not stop with the last client"
        time.sleep(0.05)


def test_waiting_for_the_worker_waits_for_every_upload(  # type: ignore[no-untyped-def]
    app, recording_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = worker_module.analyse_file

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(1.0)  # long enough for a second thread to find the queue empty
        return real(*args, **kwargs)

    monkeypatch.setattr(worker_module, "analyse_file", slow)
    with TestClient(app) as a:
        with TestClient(app) as b:
            sign_up(a, "a@example.org")
            sign_up(b, "b@example.org")
            pid = add_person(a, "Ann")
            ids = [upload(a, pid, _copy(recording_file, tmp_path, i))["id"] for i in (1, 2)]
            wait_for_analysis(app)
            assert [a.get(f"/recordings/{i}/status").json()["status"] for i in ids] == [
                "done",
                "done",
            ]
        # The second client has left: the first one's uploads are still analysed.
        later = upload(a, pid, _copy(recording_file, tmp_path, 3))["id"]
        wait_for_analysis(app)
        assert a.get(f"/recordings/{later}/status").json()["status"] == "done"

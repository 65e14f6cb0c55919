"""Analysis processes die with the server; a restart never runs a job twice at once.

- The real server runs as a subprocess with its process pool; while it analyses
  a recording it is killed with SIGKILL. Its analysis processes must be gone
  within a few seconds, and a restarted server finishes the job.
- A job whose lock is held by a live process (an analysis still running there)
  is not re-queued by recovery nor taken by another worker; once that process
  dies it is (SQLite and PostgreSQL).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
from sec_live_server import api_headers, api_person, browser_session

from browser_helpers import free_port
from dbtest_helpers import DEMO, database_url  # noqa: F401
from retrowalk.app.jobs.locks import job_is_held, job_lock_path
from retrowalk.app.jobs.runners import InlineRunner
from retrowalk.app.jobs.worker import process, recover_stuck, run_once
from retrowalk.app.services import Services
from retrowalk.store.db import Database
from retrowalk.store.models import Recording
from retrowalk.store.schemas import PersonIn

SERVER = (
    "import sys; from retrowalk.cli.serve import run_server; "
    "run_server(port=int(sys.argv[1]), database_url=sys.argv[2], data_dir=sys.argv[3])"
)
HOLDER = (
    "import sys, time; from retrowalk.app.jobs.locks import run_locked; "
    "run_locked(sys.argv[1], time.sleep, 120)"
)


def _long_recording(path: Path, repeats: int = 4) -> Path:
    """The demo recording repeated end to end (about 15 min at 100 Hz).

    Long enough that its analysis process is still at work when the server is
    killed (it is killed as soon as the job is claimed); each repeat adds to the
    file written, uploaded and analysed twice, so no longer than that.
    """
    demo = pd.read_csv(DEMO)
    step = float(np.median(np.diff(demo["time_s"])))
    parts = []
    for k in range(repeats):
        part = demo.copy()
        part["time_s"] = demo["time_s"] + k * (len(demo) * step)
        parts.append(part)
    pd.concat(parts).to_csv(path, index=False, float_format="%.6f")
    return path


def _children(pid: int) -> set[int]:
    """All living descendants of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    out: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - out
        out |= frontier
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _start_server(port: int, url: str, data_dir: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), url, str(data_dir)])
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, "server exited"
        assert time.monotonic() < deadline, "server did not start"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/signin", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)


@pytest.mark.slow
def test_sigkilled_server_leaves_no_analysis_processes(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc")
    data_dir = tmp_path / "data"
    recording = _long_recording(tmp_path / "long_walk.csv")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _start_server(port, database_url, data_dir)
    survivors: set[int] = set()
    try:
        email = "kill@example.org"
        browser_session(url, email).close()
        headers = api_headers(url, email)
        person = api_person(url, headers)
        with open(recording, "rb") as stream:
            created = httpx.post(
                f"{url}/api/v1/people/{person}/recordings",
                files={"file": (recording.name, stream)},
                headers=headers,
                timeout=300,
            )
        assert created.status_code == 201, created.text
        rec = created.json()["id"]
        deadline = time.monotonic() + 60
        while httpx.get(f"{url}/api/v1/recordings/{rec}", headers=headers).json()["status"] not in (
            "running",
            "done",
        ):
            assert time.monotonic() < deadline, "the analysis did not start"
            time.sleep(0.1)
        workers = _children(server.pid)
        assert workers, "no analysis processes were started"
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        deadline = time.monotonic() + 5
        while (survivors := {p for p in workers if _alive(p)}) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not survivors, f"analysis processes {sorted(survivors)} outlived the server"

        # A restarted server takes the interrupted job up again and finishes it.
        server = _start_server(port, database_url, data_dir)
        deadline = time.monotonic() + 300
        while (
            status := httpx.get(f"{url}/api/v1/recordings/{rec}", headers=headers).json()["status"]
        ) != "done":
            assert status in ("queued", "running"), status
            assert time.monotonic() < deadline, "the restarted server did not finish the job"
            time.sleep(0.5)
    finally:
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()


def _hold(path: Path) -> subprocess.Popen[bytes]:
    """Another process holding a job lock, as an analysis running there would."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)])
    deadline = time.monotonic() + 30
    while not path.exists() or not _held(path):
        assert proc.poll() is None
        assert time.monotonic() < deadline, "the lock was not taken"
        time.sleep(0.05)
    return proc


def _held(path: Path) -> bool:
    import fcntl

    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _status(db: Database, recording_id: int) -> str:
    with db.read() as session:
        row = session.get(Recording, recording_id)
        assert row is not None
        return row.status


def test_a_job_held_elsewhere_is_neither_requeued_nor_run_twice(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    db = Database(database_url)
    try:
        services = Services(db, data_dir)
        account = services.sign_up("lock@example.org", "Backward-walk-on-the-beach-2026")
        person = services.create_person(account, PersonIn(name="L")).id
        with open(DEMO, "rb") as stream:
            rec = services.upload(account, person, DEMO.name, stream).id
        with db.transaction() as session:
            row = session.get(Recording, rec)
            assert row is not None
            row.status, row.attempts = "running", 1

        # An analysis of it still runs in another process: recovery leaves it alone.
        holder = _hold(job_lock_path(data_dir, rec, "run"))
        try:
            assert job_is_held(data_dir, rec)
            assert recover_stuck(db, data_dir=data_dir) == []
            assert _status(db, rec) == "running"
        finally:
            holder.kill()
            holder.wait(10)
        # That process died: the job is re-queued.
        assert not job_is_held(data_dir, rec)
        assert recover_stuck(db, data_dir=data_dir) == [rec]
        assert _status(db, rec) == "queued"

        # Another worker holds its claim: this one does not take it.
        holder = _hold(job_lock_path(data_dir, rec, "claim"))
        try:
            assert process(db, data_dir, rec, InlineRunner()) == ""
            assert _status(db, rec) == "queued"
        finally:
            holder.kill()
            holder.wait(10)
        assert run_once(db, data_dir, InlineRunner())
        assert _status(db, rec) == "done"
        assert not list((data_dir / "locks").iterdir())  # lock files go with their job
    finally:
        db.dispose()

"""``retrowalk account reanalyse EMAIL``: after an upgrade, an account's recordings
that an earlier engine analysed are analysed again, with their progress line by
line; a recording whose file is gone keeps its earlier analysis and is named with
the reason; another account's recordings are not touched. SQLite and PostgreSQL.

The upgrade is seen from the stored side (the command is another process): the
stored results are marked as an earlier engine's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import select, update

from dbtest_helpers import database_url, recording_file  # noqa: F401
from retrowalk.app.jobs.worker import run_once
from retrowalk.app.reanalysis import FILE_GONE
from retrowalk.app.services import Services
from retrowalk.core.provenance import engine_version
from retrowalk.store.db import Database
from retrowalk.store.models import AnalysisResult, Recording
from retrowalk.store.schemas import PersonIn

EARLIER = "0.0.1+earlier-engine"


def _versions(db: Database) -> dict[int, list[str]]:
    with db.read() as session:
        rows = session.execute(
            select(AnalysisResult.recording_id, AnalysisResult.analysis_version).order_by(
                AnalysisResult.id
            )
        ).all()
    out: dict[int, list[str]] = {}
    for rid, version in rows:
        out.setdefault(rid, []).append(version)
    return out


def _services(url: str, tmp_path: Path) -> tuple[Path, Database, Services, int]:
    """A data folder, the database, the services and the owner's account id."""
    data_dir = tmp_path / "data"
    db = Database(url)
    services = Services(db, data_dir, hasher=PasswordHasher(time_cost=1, memory_cost=1024))
    return data_dir, db, services, services.sign_up("owner@example.org", "walk backward 1")


def test_reanalyse_an_account_from_the_command_line(
    database_url: str,  # noqa: F811
    recording_file: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    data_dir, db, services, owner = _services(database_url, tmp_path)
    other = services.sign_up("other@example.org", "walk backward 1")
    ids = {}
    for account, names in ((owner, ("walk-1.csv", "walk-2.csv")), (other, ("theirs.csv",))):
        person = services.create_person(account, PersonIn(name="P")).id
        for i, name in enumerate(names):
            copy = tmp_path / name
            copy.write_bytes(recording_file.read_bytes() + b"\n" * (i + 1))
            with open(copy, "rb") as stream:
                ids[name] = services.upload(account, person, name, stream).id
    while run_once(db, data_dir, services.runner):
        pass
    with db.transaction() as session:
        session.execute(update(AnalysisResult).values(analysis_version=EARLIER))
        gone = session.scalar(
            select(Recording.stored_path).where(Recording.id == ids["walk-2.csv"])
        )
    Path(gone).unlink()

    env = {
        **os.environ,
        "RETROWALK_DATA_DIR": str(data_dir),
        "RETROWALK_DATABASE_URL": database_url,
    }
    cmd = [sys.executable, "-m", "retrowalk.cli", "account", "reanalyse"]
    run = subprocess.run(
        [*cmd, "owner@example.org"], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 1, run.stderr  # one recording could not be analysed again
    lines = run.stdout.splitlines()
    assert "[1/1] walk-1.csv: analysed again" in lines
    assert f"walk-2.csv: not analysed again, keeps its earlier analysis: {FILE_GONE}" in lines
    assert lines[-1] == (
        f"1 recording analysed again with {engine_version()}; "
        "1 still holds another version's analysis."
    )
    versions = _versions(db)
    assert versions[ids["walk-1.csv"]] == [EARLIER, engine_version()]
    assert versions[ids["walk-2.csv"]] == [EARLIER]  # kept as it was
    assert versions[ids["theirs.csv"]] == [EARLIER]  # another account's: untouched
    with db.read() as session:
        kept = session.get(Recording, ids["walk-2.csv"])
        assert kept is not None and (kept.status, kept.error) == ("done", FILE_GONE)

    unknown = subprocess.run(
        [*cmd, "nobody@example.org"], env=env, capture_output=True, text=True, timeout=120
    )
    assert unknown.returncode == 2 and "no account" in unknown.stderr
    db.dispose()


def test_ctrl_c_stops_and_leaves_every_recording_consistent(
    database_url: str,  # noqa: F811
    recording_file: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    import signal

    data_dir, db, services, owner = _services(database_url, tmp_path)
    person = services.create_person(owner, PersonIn(name="P")).id
    ids = []
    for i in range(4):
        copy = tmp_path / f"walk-{i + 1}.csv"
        copy.write_bytes(recording_file.read_bytes() + b"\n" * (i + 1))
        with open(copy, "rb") as stream:
            ids.append(services.upload(owner, person, copy.name, stream).id)
    while run_once(db, data_dir, services.runner):
        pass
    with db.transaction() as session:
        session.execute(update(AnalysisResult).values(analysis_version=EARLIER))

    env = {
        **os.environ,
        "RETROWALK_DATA_DIR": str(data_dir),
        "RETROWALK_DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "retrowalk.cli", "account", "reanalyse", "owner@example.org"]
    run = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as at a terminal, also when the tests run in the background (which
        # would hand the command an ignored SIGINT).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert run.stdout is not None
    first = run.stdout.readline()  # the first is analysed again; Ctrl-C during the next
    assert first.startswith("[1/4] walk-1.csv: analysed again"), first + run.stderr.read()
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    last = out.splitlines()[-1]
    assert last.startswith("Stopped: ") and "keep their earlier analysis, unchanged." in last

    versions = _versions(db)
    again = sum(v[-1] == engine_version() for v in versions.values())
    assert last.startswith(f"Stopped: {again} recording{'s' if again != 1 else ''} analysed again")
    assert f"; {4 - again} not analysed again" in last
    assert versions[ids[0]] == [EARLIER, engine_version()]
    assert versions[ids[-1]] == [EARLIER]  # never started: as it was
    with db.read() as session:
        rows = session.scalars(select(Recording).where(Recording.id.in_(ids))).all()
        assert {r.status for r in rows} == {"done"}  # nothing left waiting or running
        assert all(r.error == "" and r.progress_pct is None for r in rows)
    after = services.older_engine(owner)
    assert after.pending == 0 and after.recordings == sum(
        v[-1] == EARLIER for v in versions.values()
    )
    db.dispose()

"""Batch analysis on real recordings: folders, manifests, resume, bad files, Dask."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from retrowalk.app.analyse import AnalysisRequest
from retrowalk.app.jobs.batch import collect_inputs, run_batch
from retrowalk.cli import app
from retrowalk.summary.tables import BOUT_COLUMNS, RECORDING_COLUMNS, STEP_COLUMNS

SMALL = ["HA_001_Test5_Trial1.csv", "HA_002_Test5_Trial1.csv", "MS_001_Test5_Trial2.csv"]


@pytest.fixture()
def study(tmp_path: Path, shared_data: Path) -> Path:
    """A study folder: three real recordings in sub-folders, a bad file, a note."""
    root = tmp_path / "study"
    for i, name in enumerate(SMALL):
        target = root / f"person{i}"
        target.mkdir(parents=True)
        shutil.copy(shared_data / "mobgap-lab" / name, target / name)
    (root / "person0" / "broken.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (root / "notes.md").write_text("not a recording")
    return root


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    return {n: pd.read_parquet(out / f"{n}.parquet") for n in ("recordings", "bouts", "steps")}


def test_folder_is_searched_and_bad_file_does_not_stop_the_batch(study: Path, tmp_path: Path):
    items = collect_inputs([study])
    assert sorted(i.path.name for i in items) == sorted([*SMALL, "broken.csv"])
    out = tmp_path / "out"
    summary = run_batch(items, out, serial=True)
    assert (summary.analysed, summary.failed, summary.skipped) == (3, 1, 0)
    errors = pd.read_parquet(out / "errors.parquet")
    assert list(errors["path"].map(lambda p: Path(p).name)) == ["broken.csv"]
    assert "broken.csv" in errors["reason"].iloc[0]
    tables = _tables(out)
    assert set(RECORDING_COLUMNS) <= set(tables["recordings"].columns)
    assert list(tables["bouts"].columns) == BOUT_COLUMNS
    assert list(tables["steps"].columns) == STEP_COLUMNS
    assert len(tables["recordings"]) == 3
    assert tables["recordings"]["duration_s"].gt(5).all()
    for name in ("recordings", "bouts", "steps", "errors"):
        csv = pd.read_csv(out / f"{name}.csv")
        assert len(csv) == len(pd.read_parquet(out / f"{name}.parquet"))


def test_tables_with_no_row_keep_their_columns_and_types(tmp_path: Path, shared_data: Path):
    """Jumping in place (real, no walking) and no file refused: ``bouts``, ``steps`` and
    ``errors`` have no row but their columns, typed as when they have rows, in Parquet
    and CSV (before, an empty CSV and a Parquet file without columns, which a script
    reading the columns failed on)."""
    jumping = shared_data / "device-exports" / "phyphox"
    jumping /= "phyphox390_jumping_stationary_hand_brant.csv"
    out = tmp_path / "out"
    summary = run_batch(collect_inputs([jumping]), out, serial=True)
    assert (summary.analysed, summary.failed) == (1, 0)
    columns = {
        "bouts": BOUT_COLUMNS,
        "steps": STEP_COLUMNS,
        "errors": ["recording_id", "path", "reason"],
    }
    for name, expected in columns.items():
        table = pd.read_parquet(out / f"{name}.parquet")
        assert list(table.columns) == expected and table.empty
        assert list(pd.read_csv(out / f"{name}.csv").columns) == expected
    bouts = pd.read_parquet(out / "bouts.parquet")
    steps = pd.read_parquet(out / "steps.parquet")
    assert bouts["n_steps"].dtype == "int64" and bouts["cadence_spm"].dtype == "float64"
    assert steps["bout"].dtype == "int64" and steps["inferred"].dtype == "bool"
    assert pd.api.types.is_string_dtype(steps["direction"])
    assert pd.read_parquet(out / "recordings.parquet")["n_bouts"].tolist() == [0]


def test_rerun_skips_and_interrupted_work_is_redone(study: Path, tmp_path: Path):
    items = collect_inputs([study])
    out = tmp_path / "out"
    first = run_batch(items, out, serial=True)
    before = _tables(out)["recordings"].sort_values("recording_id").reset_index(drop=True)
    second = run_batch(items, out, serial=True)
    # the broken file is not tried again: it is still failed, as in the first run
    assert (second.analysed, second.skipped, second.failed, second.failed_before) == (0, 3, 1, 1)
    # Simulate a run killed after writing parts but before marking one recording done,
    # and a half-written temporary file left behind.
    marker = next((out / "parts" / "done").glob("*.json"))
    lost = len(json.loads(marker.read_text())["recordings"])  # a group of them
    assert 0 < lost < first.total
    marker.unlink()
    (out / "parts" / "bouts" / ".half.parquet.tmp").write_bytes(b"PAR1 half")
    third = run_batch(items, out, serial=True)
    assert third.analysed + third.failed - third.failed_before == lost
    assert third.skipped + third.failed_before == first.total - lost
    after = _tables(out)["recordings"].sort_values("recording_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)


def test_manifest_carries_person_columns(study: Path, tmp_path: Path):
    manifest = tmp_path / "manifest.csv"
    pd.DataFrame(
        {
            "path": [str(study / "person0" / SMALL[0]), f"study/person1/{SMALL[1]}"],
            "id": ["p0", "p1"],
            "height_m": [1.59, 1.80],
            "weight_kg": [73.0, None],
        }
    ).to_csv(manifest, index=False)
    items = collect_inputs([manifest])
    assert [i.person["id"] for i in items] == ["p0", "p1"]
    out = tmp_path / "out"
    run_batch(items, out, serial=True)
    rec = _tables(out)["recordings"].set_index("id").sort_index()
    assert list(rec.index) == ["p0", "p1"]
    assert rec.loc["p1", "height_m"] == pytest.approx(1.80)
    assert rec.loc["p1", "weight_kg"] == pytest.approx(70.0)  # stated default


def test_local_cluster_matches_serial(study: Path, tmp_path: Path):
    items = collect_inputs([study])
    serial_out, dask_out = tmp_path / "serial", tmp_path / "dask"
    run_batch(items, serial_out, serial=True)
    summary = run_batch(items, dask_out, n_workers=2)
    assert summary.analysed == 3 and summary.failed == 1
    for name in ("recordings", "bouts", "steps"):
        a = _tables(serial_out)[name].sort_values(list(_tables(serial_out)[name].columns[:2]))
        b = _tables(dask_out)[name].sort_values(list(_tables(dask_out)[name].columns[:2]))
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_external_scheduler_address(study: Path, tmp_path: Path):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        summary = run_batch(
            collect_inputs([study]), tmp_path / "out", scheduler=cluster.scheduler_address
        )
    assert summary.analysed == 3


_HELD_STOP = """
import os, signal, time
from retrowalk.app.jobs.stopping import stop_requests

def ctrl_c():
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.05)  # the handler runs here, at the latest

seconds, steps = [], []
with stop_requests(at_once=seconds.append) as stop:
    try:
        with stop.cut_short():
            with stop.held():
                ctrl_c()
                steps.append("held to its end")
            steps.append("after the held part")
    except KeyboardInterrupt:
        steps.append("stopped")
    ctrl_c()  # a second one
print(steps, seconds)
with stop_requests() as stop:
    try:
        with stop.cut_short():
            ctrl_c()
            steps.append("not reached")
    except KeyboardInterrupt:
        print("stopped at once")
"""


def test_a_stop_asked_in_a_held_call_is_raised_as_it_ends() -> None:
    """A real Ctrl-C to a process of its own: inside ``cut_short`` it raises where the
    main thread is; inside a ``held`` part of it, the held work runs to its end and the
    stop raises there; a second Ctrl-C then is the stop at once."""
    run = subprocess.run(
        [sys.executable, "-c", _HELD_STOP],
        capture_output=True,
        text=True,
        timeout=60,
        # Ctrl-C as at a terminal, also when the tests run in the background
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert run.returncode == 0, run.stderr
    said = run.stdout.splitlines()
    assert said == ["['held to its end', 'stopped'] [2]", "stopped at once"], run.stdout


@pytest.mark.parametrize("where", ["local", "scheduler"])
def test_a_stop_never_falls_inside_a_blocking_dask_call(
    study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Dask's blocking client calls (``distributed.utils.sync``) made by a batch's main
    thread while a stop may raise there: none but the connection to a scheduler. A
    Ctrl-C raised in one before Dask's loop had taken it up made Dask log a traceback
    (a NameError in its ``cancel``) on top of the stop's line. The real calls run; each
    is only noted, with whether a stop would have been raised in it."""
    import distributed.client
    import distributed.utils
    from dask.distributed import LocalCluster

    from retrowalk.app.jobs import stopping

    real = distributed.utils.sync
    open_in: list[str] = []
    calls: list[str] = []

    def noted(loop, func, *args, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread() is threading.main_thread():
            name = getattr(func, "__name__", repr(func))
            calls.append(name)
            requests = stopping.current()
            if requests is not None and requests._open:
                open_in.append(name)
        return real(loop, func, *args, **kwargs)

    monkeypatch.setattr(distributed.utils, "sync", noted)  # Client.sync's (its methods)
    monkeypatch.setattr(distributed.client, "sync", noted)  # Client.start's
    items = collect_inputs([study])
    if where == "local":
        summary = run_batch(items, tmp_path / "out", n_workers=1)
        allowed: list[str] = []
    else:
        with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
            summary = run_batch(items, tmp_path / "out", scheduler=cluster.scheduler_address)
        allowed = ["_start"]  # connecting: a stop may end a 30-s wait for a scheduler
    assert summary.analysed == 3
    assert calls  # the spy saw the batch's calls
    assert open_in == allowed, (open_in, calls)


def test_cli_batch(study: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(study), "--out", str(out), "--serial"])
    assert result.exit_code == 0, result.output
    assert "3 analysed" in result.output and "1 failed" in result.output
    assert (out / "steps.csv").exists()


def test_cli_batch_serial_says_it_leaves_the_scheduler_of_the_environment(
    study: Path, tmp_path: Path
):
    """--serial runs in this process, and says so when a scheduler is set (here one that
    nothing answers: it is not contacted)."""
    args = ["batch", str(study), "--out", str(tmp_path / "out"), "--serial"]
    env = {"RETROWALK_DASK_SCHEDULER": "tcp://127.0.0.1:9"}
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "3 analysed" in result.output
    assert "the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert "is not used" in result.output


def test_a_rerun_counts_earlier_refusals_as_failed(study: Path, tmp_path: Path):
    out = tmp_path / "out"
    args = ["batch", str(study), "--out", str(out), "--serial"]
    CliRunner().invoke(app, args)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "0 analysed, 3 already done, 1 failed (1 in an earlier run)" in result.output
    errors = pd.read_parquet(out / "errors.parquet")
    assert list(errors["path"].map(lambda p: Path(p).name)) == ["broken.csv"]


def test_a_rerun_tries_again_what_failed_for_another_reason_than_its_content(
    study: Path, tmp_path: Path
):
    """A file that failed with an internal error (here: marked so by hand) is analysed
    again, and its row leaves ``errors``; a refused file is not."""
    items = collect_inputs([study])
    out = tmp_path / "out"
    run_batch(items, out, serial=True)
    marker = next((out / "parts" / "done").glob("*.json"))
    content = json.loads(marker.read_text())
    good = next(r for r in content["recordings"] if "reason" not in r)
    good["reason"] = "internal error: MemoryError: "
    written = marker.with_name(".new.tmp")  # a new file, as every marker is
    written.write_text(json.dumps(content))
    written.replace(marker)
    again = run_batch(items, out, serial=True)
    assert (again.analysed, again.skipped, again.failed, again.failed_before) == (1, 2, 1, 1)
    assert len(_tables(out)["recordings"]) == 3
    errors = pd.read_parquet(out / "errors.parquet")
    assert list(errors["path"].map(lambda p: Path(p).name)) == ["broken.csv"]


def test_a_file_changed_since_an_earlier_run_has_only_its_latest_rows(study: Path, tmp_path: Path):
    """A recording broken since the last run moves from ``recordings`` to ``errors``;
    mended again, back: the tables hold each file's latest content only."""
    items = collect_inputs([study])
    out = tmp_path / "out"
    run_batch(items, out, serial=True)
    one = next(i.path for i in items if i.path.name == SMALL[0])
    good = one.read_bytes()

    def names(table: str) -> list[str]:
        frame = pd.read_parquet(out / f"{table}.parquet")
        return sorted(frame["path"].map(lambda p: Path(p).name))

    assert names("errors") == ["broken.csv"] and SMALL[0] in names("recordings")
    one.write_bytes(b"\x89PNG\r\n\x1a\n broken since")
    broken = run_batch(items, out, serial=True)
    assert (broken.analysed, broken.failed, broken.skipped) == (0, 2, 2)
    assert names("errors") == sorted(["broken.csv", SMALL[0]])
    assert SMALL[0] not in names("recordings") and len(names("recordings")) == 2
    one.write_bytes(good)  # mended: its first analysis is still marked done
    run_batch(items, out, serial=True)
    assert names("errors") == ["broken.csv"] and len(names("recordings")) == 3


def test_missing_input_is_a_clear_error(tmp_path: Path):
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "nope"), "--serial"])
    assert result.exit_code == 2
    assert "nope: no such file or folder" in result.output


def test_groups_shrink_towards_the_end_when_shared(tmp_path: Path):
    from retrowalk.app.jobs.batch import group_items
    from retrowalk.app.jobs.inputs import BatchItem
    from retrowalk.pipeline import AnalysisOptions

    tasks = []
    for i in range(100):
        path = tmp_path / f"r{i:03d}.csv"
        path.write_text("x\n")
        tasks.append((BatchItem(path=path), AnalysisOptions()))
    fixed = group_items(tasks, max_files=8, max_bytes=2**20)
    assert [len(g) for g in fixed] == [8] * 12 + [4]
    shared = group_items(tasks, max_files=8, max_bytes=2**20, shares=8, min_files=3)
    sizes = [len(g) for g in shared]
    assert [t for g in shared for t in g] == tasks  # every file once, in order
    assert sizes[0] == 8 and sizes == sorted(sizes, reverse=True)
    assert min(sizes[:-1]) == 3 and sizes[-1] <= 3


def test_rerun_after_an_engine_change_analyses_again(
    study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from retrowalk.app.jobs import batch
    from retrowalk.summary import contract

    items = collect_inputs([study])
    out = tmp_path / "out"
    first = run_batch(items, out, serial=True)
    changed = "0.0.0+another-engine"  # the code that computes an analysis changed
    monkeypatch.setattr(batch, "engine_version", lambda: changed)
    monkeypatch.setattr(contract, "engine_version", lambda: changed)
    second = run_batch(items, out, serial=True)
    assert second.skipped == 0 and second.analysed == first.analysed == 3
    recordings = _tables(out)["recordings"]
    assert len(recordings) == 3  # the old results are not mixed in
    assert set(recordings["analysis_version"]) == {changed}


def _bad_files(folder: Path, n: int) -> list:
    folder.mkdir()
    for i in range(n):  # each fails to read, and is marked done as failed
        (folder / f"bad{i:02d}.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([i]))
    return collect_inputs([folder])


def test_a_group_is_marked_done_together_and_redone_together(tmp_path: Path):
    items = _bad_files(tmp_path / "bad", 12)
    out = tmp_path / "out"
    first = run_batch(items, out, serial=True)
    assert first.failed == 12
    markers = sorted((out / "parts" / "done").glob("*.json"))
    assert len(markers) == 2  # groups of 6: half the files each
    # a run killed after writing a group's parts but before its marker
    markers[0].unlink()
    second = run_batch(items, out, serial=True)
    assert (second.failed, second.failed_before, second.skipped) == (12, 6, 0)
    assert len(pd.read_parquet(out / "errors.parquet")) == 12


def test_markers_of_one_recording_each_are_still_read(tmp_path: Path):
    """An output folder whose recordings were marked done one file each (earlier versions)."""

    items = _bad_files(tmp_path / "bad", 8)
    out = tmp_path / "out"
    run_batch(items, out, serial=True)
    before = pd.read_parquet(out / "errors.parquet")
    for marker in (out / "parts" / "done").glob("*.json"):
        for status in json.loads(marker.read_text())["recordings"]:
            (marker.parent / f"{status['key']}.json").write_text(json.dumps(status))
        marker.unlink()
    again = run_batch(items, out, serial=True)
    assert (again.skipped, again.failed, again.failed_before) == (0, 8, 8)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "errors.parquet"), before)


def test_done_markers_are_read_once_and_the_later_one_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Each marker is read once by a process, whatever order the markers appear in;
    a recording marked twice keeps the later marker's status, and a marker that is
    gone makes the folder read afresh."""
    from retrowalk.app.jobs.batch import _done_statuses

    done = tmp_path / "done"
    done.mkdir()

    def mark(name: str, mtime_s: int, part: str, keys: list[str]) -> Path:
        marker = done / f"{name}.json"
        statuses = [{"key": k, "part": part} for k in keys]
        marker.write_text(json.dumps({"part": part, "recordings": statuses}))
        os.utime(marker, (mtime_s, mtime_s))
        return marker

    mark("b", 2_000, "p2", ["k1", "k2"])
    assert {k: s["part"] for k, s in _done_statuses(done).items()} == {"k1": "p2", "k2": "p2"}
    older = mark("a", 1_000, "p1", ["k1", "k3"])  # appears later, marked earlier
    assert {k: s["part"] for k, s in _done_statuses(done).items()} == {
        "k1": "p2", "k2": "p2", "k3": "p1",
    }  # fmt: skip
    mark("c", 3_000, "p3", ["k2"])
    read = []
    real_open = open

    def counting_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        read.append(Path(path).name)
        return real_open(path, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr("builtins.open", counting_open)
        statuses = _done_statuses(done)
    assert read == ["c.json"]  # only the new marker
    assert {k: s["part"] for k, s in statuses.items()} == {"k1": "p2", "k2": "p3", "k3": "p1"}
    older.unlink()
    assert {k: s["part"] for k, s in _done_statuses(done).items()} == {"k1": "p2", "k2": "p3"}


def test_a_short_file_is_read_once_for_its_hash_and_its_analysis(
    study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A file up to WHOLE_READ_BYTES is hashed and analysed from one read of its
    bytes; a longer one, or a folder, is hashed as it streams and read as before."""
    from retrowalk.app.jobs import inputs

    path = study / "person1" / SMALL[1]
    digest, data = inputs.hash_and_bytes(path)
    assert digest == inputs.content_hash(path) and data == path.read_bytes()
    assert inputs.hash_and_bytes(study) == (inputs.content_hash(study), None)
    monkeypatch.setattr(inputs, "WHOLE_READ_BYTES", 1000)
    assert inputs.hash_and_bytes(path) == (digest, None)
    with pytest.raises(OSError):
        inputs.hash_and_bytes(tmp_path / "gone.csv")
    monkeypatch.undo()
    from retrowalk.app.jobs import batch

    def then_spoiled(file: Path) -> tuple[str, bytes | None]:
        read = inputs.hash_and_bytes(file)
        file.write_bytes(b"\x89PNG\r\n\x1a\n")  # the file changes once hashed
        return read

    want = run_batch(collect_inputs([path]), tmp_path / "want", serial=True)
    monkeypatch.setattr(batch, "hash_and_bytes", then_spoiled)
    summary = run_batch(collect_inputs([path]), tmp_path / "out", serial=True)
    assert (summary.analysed, summary.failed, want.analysed) == (1, 0, 1)
    for name in ("recordings", "bouts", "steps"):
        got = pd.read_parquet(tmp_path / "out" / f"{name}.parquet")
        assert got.equals(pd.read_parquet(tmp_path / "want" / f"{name}.parquet"))


@pytest.mark.parametrize("ahead", [1, 2, 8])
def test_recordings_read_ahead_keep_their_order_and_failures(
    study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ahead: int
):
    """Recordings read a few at a time before their analysis: the same statuses in
    the same order, the same tables, and a failure while reading or analysing
    one is that recording's row in ``errors``."""
    from retrowalk.app.jobs import batch

    items = collect_inputs([study])
    want: list[dict] = []
    run_batch(items, tmp_path / "want", serial=True, on_result=want.append)
    monkeypatch.setattr(batch, "READ_AHEAD_FILES", ahead)
    real = batch.analyse_recording

    def failing(recording, options, **kwargs):  # type: ignore[no-untyped-def]
        if SMALL[1] in recording.path:
            raise ValueError("no luck")
        return real(recording, options, **kwargs)

    got: list[dict] = []
    run_batch(items, tmp_path / "got", serial=True, on_result=got.append)
    assert [(s["path"], s["status"]) for s in got] == [(s["path"], s["status"]) for s in want]
    for name in ("recordings", "bouts", "steps", "errors"):
        assert (tmp_path / "got" / f"{name}.csv").read_bytes() == (
            tmp_path / "want" / f"{name}.csv"
        ).read_bytes()
    monkeypatch.setattr(batch, "analyse_recording", failing)
    got = []
    run_batch(items, tmp_path / "failing", serial=True, on_result=got.append)
    assert [s["status"] for s in got] == [
        "failed" if SMALL[1] in s["path"] or s["status"] == "failed" else "analysed" for s in want
    ]
    errors = pd.read_parquet(tmp_path / "failing" / "errors.parquet")
    assert "internal error: ValueError: no luck" in set(errors["reason"])
    assert len(pd.read_parquet(tmp_path / "failing" / "recordings.parquet")) == 2


def _stopped_again(command: list[str], out: Path, n: int) -> int:
    """Run ``command`` (a batch over ``n`` recordings, some done in ``out`` already) and
    stop it by SIGTERM once one more is done: the "Stopped: K of n" count K it says."""
    markers = len(list((out / "parts" / "done").glob("*.json")))
    returncode, _, stderr = _start_and_stop(command, out, signal.SIGTERM, markers_before=markers)
    assert returncode == 143, stderr
    stopped = re.search(r"Stopped: (\d+) of (\d+) recordings done", " ".join(stderr.split()))
    assert stopped and int(stopped.group(2)) == n, stderr
    return int(stopped.group(1))


def _in_own_group(command: list[str], stdout: int = subprocess.PIPE) -> subprocess.Popen[str]:
    """``command`` started in a process group of its own (which a stop is sent to, as a
    terminal sends Ctrl-C), its output unbuffered, its text piped (``stdout``: or not)."""
    return subprocess.Popen(
        command,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as at a terminal, also when the tests run in the background
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        start_new_session=True,
    )


def _start_and_stop(
    command: list[str], out: Path, stop: signal.Signals, *, markers_before: int = 0
) -> tuple[int, str, str]:
    """Start ``command`` in a process group of its own and send ``stop`` to the whole
    group once a recording more is marked done, as a terminal (Ctrl-C) or a job
    scheduler (SIGTERM) does; its exit code, stdout and stderr."""
    run = _in_own_group(command)
    done = out / "parts" / "done"
    deadline = time.monotonic() + 120
    while not (done.is_dir() and len(list(done.glob("*.json"))) > markers_before):
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "no recording done in 120 s"
        time.sleep(0.02)
    os.killpg(run.pid, stop)
    stdout, stderr = run.communicate(timeout=120)
    return run.returncode, stdout, stderr


def _walks(folder: Path, shared_data: Path, n: int) -> None:
    """``n`` real recordings, each its own content (one content is analysed once)."""
    source = (shared_data / "mobgap-lab" / "HA_001_Test5_Trial1.csv").read_bytes()
    folder.mkdir(exist_ok=True)
    for i in range(n):
        (folder / f"walk{i:03d}.csv").write_bytes(source + b"\n" * (i + 1))


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_batch_says_what_it_kept_and_the_same_command_goes_on(
    tmp_path: Path, shared_data: Path, stop: signal.Signals
) -> None:
    """SIGTERM (a job scheduler's stop) or Ctrl-C once the first recordings are done, sent
    to every process of the command as a terminal or a scheduler does: the workers stop,
    one message says how far it got (no library warnings or tracebacks, no leaked
    resources), the exit code is the signal's; the same command analyses only the rest."""
    folder = tmp_path / "many"
    n = 320
    _walks(folder, shared_data, n)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "retrowalk", "batch", str(folder), "--out", str(out)]
    command += ["--workers", "1"]
    returncode, stdout, stderr = _start_and_stop(command, out, stop)
    assert returncode == 128 + stop, stderr
    said = " ".join(stderr.split())
    stopped = re.search(r"Stopped: (\d+) of (\d+) recordings done", said)
    assert stopped, said
    kept = int(stopped.group(1))
    assert 0 < kept < n and int(stopped.group(2)) == n
    assert "run the same command again to go on" in said
    for noise in ("leaked semaphore", "CancelledError", "Traceback", "WARNING"):
        assert noise not in stdout + stderr, noise
    assert not (out / "recordings.parquet").exists()  # tables once all are done

    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    line = " ".join(again.stdout.split())
    counts = re.search(rf"{n} recordings: (\d+) analysed, (\d+) already done, 0 failed", line)
    assert counts, line
    assert int(counts.group(2)) >= kept and int(counts.group(1)) + int(counts.group(2)) == n
    assert len(pd.read_parquet(out / "recordings.parquet")) == n


def test_a_stopped_batch_does_not_count_files_changed_since_an_earlier_run(
    tmp_path: Path, shared_data: Path
) -> None:
    """Every recording analysed, then every file changed (a line added): a batch stopped
    soon after counts only the changed files analysed anew as done, not those whose
    earlier content is marked done; the same command then analyses at most the rest."""
    folder = tmp_path / "many"
    n = 320  # enough that the workers cannot finish them all while they are stopped
    _walks(folder, shared_data, n)
    out = tmp_path / "out"
    assert run_batch(collect_inputs([folder]), out, serial=True).analysed == n
    for walk in folder.iterdir():
        with walk.open("ab") as handle:
            handle.write(b"\n")
    command = [sys.executable, "-m", "retrowalk", "batch", str(folder), "--out", str(out)]
    command += ["--workers", "1"]
    kept = _stopped_again(command, out, n)
    assert 0 < kept < n, kept  # was n: each file's earlier marker counted

    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    line = " ".join(again.stdout.split())
    counts = re.search(rf"{n} recordings: (\d+) analysed, (\d+) already done, 0 failed", line)
    assert counts, line
    assert int(counts.group(2)) >= kept and int(counts.group(1)) + int(counts.group(2)) == n


def _batch(*args: str, env: dict[str, str] | None = None, timeout: float = 300):
    command = [sys.executable, "-m", "retrowalk", "batch", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def test_an_output_folder_that_cannot_be_written_is_one_clear_line(study: Path, tmp_path: Path):
    """Refused before any work, naming the folder and why; before, a traceback (a file in
    the way) or every recording analysed with nothing written (a read-only folder)."""
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    cases = {a_file: "File exists", a_file / "out": "Not a directory"}
    if os.geteuid() != 0:
        cases[read_only / "out"] = "Permission denied"
    elif subprocess.run(["chattr", "+i", str(read_only)], capture_output=True).returncode == 0:
        cases[read_only] = "Operation not permitted"  # root writes in a folder unless immutable
    try:
        for out, reason in cases.items():
            done = _batch(str(study), "--out", str(out), "--serial")
            assert done.returncode == 2, done.stderr
            assert done.stderr.strip().splitlines()[-1] == (
                f"retrowalk: error: {out}: cannot write the results there ({reason})"
            )
            assert "Traceback" not in done.stderr and not done.stdout
    finally:
        subprocess.run(["chattr", "-i", str(read_only)], capture_output=True)
        read_only.chmod(0o755)


def test_a_scheduler_that_does_not_answer_is_one_clear_line(study: Path, tmp_path: Path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    quick = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    address = f"tcp://127.0.0.1:{port}"
    done = _batch(str(study), "--out", str(tmp_path / "out"), "--scheduler", address, env=quick)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"retrowalk: error: no Dask scheduler answers at {address} ("), last
    assert "after 2 s" in last and "Traceback" not in done.stderr
    done = _batch(str(study), "--out", str(tmp_path / "out"), env={"RETROWALK_DASK_SCHEDULER": "x"})
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "retrowalk: error: Dask scheduler address 'x': missing port number in address 'x' "
        "(give tcp://host:port)"
    )


def test_a_dask_scheduler_and_workers_started_apart_give_the_local_run_s_tables(
    study: Path, tmp_path: Path
):
    """The documented cluster: `dask scheduler` and two `dask worker` processes. A batch
    sent there before any worker has joined says it waits for one (before, it said
    nothing), goes on when they join, and its tables equal those of a local run."""
    address, started = _dask_cluster(tmp_path, 0)
    waiting = f"Waiting for a worker to join the Dask scheduler at {address}"
    try:
        out = tmp_path / "cluster"
        batch = subprocess.Popen(
            [sys.executable, "-m", "retrowalk", "batch", str(study), "--out", str(out),
             "--scheduler", address],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        said: list[str] = []
        says_it_waits = threading.Event()

        def read_stderr() -> None:
            assert batch.stderr is not None
            for line in batch.stderr:
                said.append(line)
                if line.startswith(waiting):
                    says_it_waits.set()
            says_it_waits.set()  # ended without saying it

        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        says_it_waits.wait(120)
        assert any(line.startswith(waiting) for line in said), "".join(said)
        assert batch.poll() is None  # no worker yet: it waits
        started += _dask_workers(tmp_path, address, 2)
        batch.wait(timeout=300)  # its few lines of stdout fit in the pipe
        assert batch.stdout is not None
        stdout = batch.stdout.read()
        reader.join(60)
        stderr = "".join(said)
        assert batch.returncode == 0, stderr
        assert f"Waiting for a worker to join the Dask scheduler at {address}" in stderr
        assert "Traceback" not in stderr and "ERROR" not in stderr, stderr  # while it waited
        assert "3 analysed" in " ".join(stdout.split())
    finally:
        _stopped(started)
    run_batch(collect_inputs([study]), tmp_path / "local", n_workers=2)
    for name in ("recordings", "bouts", "steps", "errors"):
        here = pd.read_parquet(tmp_path / "local" / f"{name}.parquet")
        there = pd.read_parquet(out / f"{name}.parquet")
        pd.testing.assert_frame_equal(there, here)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_batch_waiting_for_a_worker_stops_when_asked(
    study: Path, tmp_path: Path, stop: signal.Signals
) -> None:
    """Ctrl-C or SIGTERM to a batch that waits for a worker to join its scheduler: it
    stops within seconds, with the signal's exit code and its one Stopped line (nothing
    done, nothing kept but what it found), no traceback; the scheduler runs on."""
    address, started = _dask_cluster(tmp_path, 0)
    waiting = f"Waiting for a worker to join the Dask scheduler at {address}"
    try:
        out = tmp_path / "out"
        command = [sys.executable, "-m", "retrowalk", "batch", str(study), "--out", str(out)]
        batch = _in_own_group([*command, "--scheduler", address])
        assert batch.stderr is not None
        said: list[str] = []
        for line in batch.stderr:
            said.append(line)
            if line.startswith(waiting):
                break
        assert said and said[-1].startswith(waiting), "".join(said)
        time.sleep(1.5)  # inside its wait
        asked = time.monotonic()
        os.killpg(batch.pid, stop)
        try:
            stdout, rest = batch.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(batch.pid, signal.SIGKILL)
            raise
        took = time.monotonic() - asked
        stderr = "".join(said) + rest
        assert batch.returncode == 128 + stop, stderr
        assert took < 5, took
        assert re.search(r"Stopped: 0 of 4 recordings done", " ".join(stderr.split())), stderr
        for noise in ("Traceback", "ERROR", "WARNING", "CancelledError"):
            assert noise not in stdout + stderr, noise
        assert started[0].poll() is None  # the scheduler is not the batch's to stop
    finally:
        _stopped(started)


def _dask_cluster(folder: Path, workers: int, env: dict[str, str] | None = None):
    """A `dask scheduler` process and ``workers`` `dask worker` processes (with ``env``):
    the scheduler's address and the processes, for :func:`_stopped`."""
    info = folder / "scheduler.json"
    command = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1"]
    command += ["--port", "0", "--dashboard-address", ":0", "--scheduler-file", str(info)]
    quiet = subprocess.DEVNULL
    started = [subprocess.Popen(command, stdout=quiet, stderr=quiet, cwd=folder)]
    deadline = time.monotonic() + 60
    while not info.exists():
        assert time.monotonic() < deadline, "no scheduler in 60 s"
        time.sleep(0.1)
    address = json.loads(info.read_text())["address"]
    return address, started + _dask_workers(folder, address, workers, env)


def _dask_workers(
    folder: Path, address: str, n: int, env: dict[str, str] | None = None
) -> list[subprocess.Popen[bytes]]:
    """``n`` `dask worker` processes of the scheduler at ``address``, with ``env`` (by
    default they import this retrowalk, as the batch does)."""
    import retrowalk

    env = {"PYTHONPATH": str(Path(retrowalk.__file__).parents[1]), **(env or {})}
    command = [sys.executable, "-m", "distributed.cli.dask_worker", address]
    command += ["--nthreads", "1", "--no-dashboard"]
    return [
        subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=folder,
        )
        for _ in range(n)
    ]


def _stopped(started: list[subprocess.Popen[bytes]]) -> None:
    """Stop the cluster's processes: SIGTERM, then SIGKILL to one that has not exited
    within 20 s (a worker may take its time reconnecting to a scheduler that is gone)."""
    for process in reversed(started):
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


@pytest.mark.parametrize("changed", ["core/types.py", "app/jobs/batch.py"])
def test_a_worker_running_another_engine_is_refused(study: Path, tmp_path: Path, changed: str):
    """A worker whose retrowalk computes analyses (or keys them) differently: another
    install on its machine. Refused in one line naming it, where its recordings were
    counted analysed and left out of the tables (rows of two engines are never gathered
    together), or keyed otherwise than the calling process's."""
    import retrowalk

    other = tmp_path / "other"
    shutil.copytree(Path(retrowalk.__file__).parent, other / "retrowalk")
    with (other / "retrowalk" / changed).open("a") as code:
        code.write("\n# another version\n")
    address, started = _dask_cluster(tmp_path, 1, {"PYTHONPATH": str(other)})
    try:
        client_wait = subprocess.run(
            [sys.executable, "-c", f"from dask.distributed import Client; "
             f"Client({address!r}).wait_for_workers(1, timeout=60)"],
            capture_output=True, timeout=120,
        )  # fmt: skip
        assert client_wait.returncode == 0, client_wait.stderr
        done = _batch(str(study), "--out", str(tmp_path / "out"), "--scheduler", address)
    finally:
        _stopped(started)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"retrowalk: error: the Dask worker tcp://\S+ of the scheduler at {address} runs "
        r"retrowalk \S+ \(batch code \w+\), this command \S+ \(batch code \w+\): install the "
        r"same retrowalk on every worker "
        r"\(results of two versions of the engine are not mixed\)",
        last,
    ), last
    assert not (tmp_path / "out" / "recordings.parquet").exists()


def _same_as_analyze(out: Path, options: list[str]) -> int:
    """Every recording of the batch in ``out`` against `retrowalk analyze FILE --json -`
    with ``options``: each table value is the JSON's (the bouts and steps, the totals,
    the body measures). How many recordings were compared."""
    tables = {n: pd.read_parquet(out / f"{n}.parquet") for n in ("recordings", "bouts", "steps")}
    for row in tables["recordings"].to_dict("records"):
        res = CliRunner().invoke(app, ["analyze", row["path"], "--json", "-", *options])
        assert res.exit_code == 0, res.output
        got = json.loads(res.stdout)
        summary, session = got["summary"], got["session"]
        want = {
            "format": got["recording"]["format"],
            "duration_s": got["recording"]["duration_s"],
            "placement": got["recording"]["placement"],
            "n_bouts": len(got["bouts"]),
            "backward_steps": summary["backward"]["steps"],
            "backward_distance_m": summary["backward"]["distance_m"],
            "forward_steps": summary["forward"]["steps"],
            "forward_distance_m": summary["forward"]["distance_m"],
            "backward_speed_mps": session["backward"]["mean_speed_mps"],
            "energy_kcal": summary["energy_kcal"],
            "uncertain_steps": summary["uncertain"]["steps"],
            "uncertain_duration_s": summary["uncertain"]["duration_s"],
            "uncertain_distance_m": summary["uncertain"]["distance_m"],
            "height_m": got["assumptions"]["height_m"],
            "height_source": got["assumptions"]["height_source"],
            "weight_kg": got["assumptions"]["weight_kg"],
            "weight_source": got["assumptions"]["weight_source"],
            "analysis_version": got["analysis_version"],
        }
        assert {k: row[k] for k in want} == want, row["path"]
        mine = tables["bouts"][tables["bouts"]["recording_id"] == row["recording_id"]]
        columns = [c for c in BOUT_COLUMNS if c not in ("recording_id", "bout")]
        assert "direction_reason" in columns  # why a bout is uncertain, as the JSON says
        bouts = [{c: b[c] for c in columns} for b in got["bouts"]]
        assert mine[columns].to_dict("records") == bouts, row["path"]
        steps = tables["steps"][tables["steps"]["recording_id"] == row["recording_id"]]
        assert steps[["time_s", "direction"]].to_dict("records") == [
            {"time_s": s["time_s"], "direction": s["direction"]} for s in got["steps"]
        ]
    return len(tables["recordings"])


def test_the_analysis_options_apply_in_batch_as_in_analyze(tmp_path: Path, shared_data: Path):
    """Units, body measures, placement and a calibration file given to `retrowalk batch`
    give every recording the numbers `retrowalk analyze` gives it with the same options.
    Before, batch had no --acc-unit, --gyro-unit, --age-years, --profile or --columns,
    and took a height in centimetres (175) as metres: every speed a hundred times too
    large, where analyze refuses it."""
    folder = tmp_path / "lower backs"
    folder.mkdir()
    for trial in ("1-1", "3-1"):
        (folder / f"{trial}_lb.txt").symlink_to(shared_data / "ipol-gait" / f"{trial}_lb.txt")
    profile = tmp_path / "backward.json"  # a walk labelled backward: later ones are called so
    made = CliRunner().invoke(
        app,
        ["calibrate", str(shared_data / "ipol-gait" / "2-1_lb.txt"), "--labels", "backward",
         "--profile", str(profile)],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    options = ["--placement", "lower_back", "--acc-unit", "mps2", "--gyro-unit", "rads"]
    options += ["--height-m", "1.62", "--weight-kg", "81", "--age-years", "67"]
    options += ["--profile", str(profile)]
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["batch", str(folder), "--out", str(out), "--serial", *options])
    assert res.exit_code == 0, res.output
    assert _same_as_analyze(out, options) == 2
    bouts = pd.read_parquet(out / "bouts.parquet")
    assert set(bouts.loc[bouts["n_steps"] >= 8, "direction"]) == {"backward"}  # the profile's
    assert set(pd.read_parquet(out / "recordings.parquet")["height_m"]) == {1.62}

    res = CliRunner().invoke(app, ["batch", str(folder), "--out", str(out), "--height-m", "175"])
    assert res.exit_code == 2 and "Invalid value for '--height-m'" in res.output


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ("height_m=175", "line 4, field 'height_m': 175 is outside 0.5-2.6 m; give it in metres"),
        ("height_m=1,75", "line 4, field 'height_m': not a number: '1,75'"),
        ("weight_kg=7000", "line 4, field 'weight_kg': 7000 is outside 2-400 kg; give it in"),
        ("placement=waist", "line 4, field 'placement': placement must be one of auto, "),
    ],
)
def test_a_manifest_cell_out_of_its_range_is_refused_naming_its_line(
    study: Path, tmp_path: Path, cell: str, said: str
):
    """A manifest's body measures are checked as the command line's options are; before,
    a height in centimetres gave every speed a hundred times too large, and '1,75' a
    traceback. Refused before any work, in one line naming the manifest's line and column."""
    name, value = cell.split("=")
    rows = [{"path": str(p.path)} for p in collect_inputs([study])][:2]
    rows[1][name] = value
    manifest = tmp_path / "manifest.csv"
    pd.DataFrame(rows).to_csv(manifest, index=False)
    header, *lines = manifest.read_text().splitlines()  # a blank line counts too
    manifest.write_text("\n".join([header, "", *lines]) + "\n")
    res = CliRunner().invoke(app, ["batch", str(manifest), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert f"retrowalk: error: {manifest}, {said}" in " ".join(res.output.split())
    assert not (tmp_path / "out").exists()


def test_every_file_given_has_rows_of_its_own_under_its_own_path(study: Path, tmp_path: Path):
    """The same recording under three names (a copy made by mistake, or on purpose for
    two people), a file renamed and one removed since an earlier run, a manifest's id
    changed: the tables hold one recording per file given, each under its own path and
    manifest row, with a recording_id of its own. Before, a copy in a later group was
    'already done' on a first run and had no row, copies in one group shared one
    recording_id (each of their bouts joined to each of them), a renamed file kept its
    old path, and a removed one stayed in the tables."""
    folder = tmp_path / "copies"
    folder.mkdir()
    source = study / "person1" / SMALL[1]
    names = ["a.csv", "b.csv", "sub ñ/c.csv", *(f"d{i}.csv" for i in range(6))]
    for name in names:
        (folder / name).parent.mkdir(exist_ok=True)
        shutil.copy(source, folder / name)
    out = tmp_path / "out"

    def tables() -> dict[str, pd.DataFrame]:
        return {n: pd.read_parquet(out / f"{n}.parquet") for n in ("recordings", "bouts")}

    first = run_batch(collect_inputs([folder]), out, serial=True)
    assert (first.analysed, first.skipped) == (len(names), 0)
    got = tables()
    recordings = got["recordings"]
    assert sorted(recordings["path"]) == sorted(str(folder / n) for n in names)
    assert recordings["recording_id"].is_unique
    assert got["bouts"].groupby("recording_id").size().eq(1).all()  # one bout each
    assert set(got["bouts"]["recording_id"]) == set(recordings["recording_id"])
    assert recordings["content_sha256"].nunique() == 1  # one content, said so

    (folder / "a.csv").rename(folder / "renamed.csv")
    (folder / "b.csv").unlink()
    again = run_batch(collect_inputs([folder]), out, serial=True)
    assert (again.analysed, again.skipped) == (1, len(names) - 2)
    paths = sorted(tables()["recordings"]["path"])
    assert paths == sorted(str(folder / n) for n in [*names[2:], "renamed.csv"])

    manifest = tmp_path / "manifest.csv"
    for person in ("p1", "p2"):
        pd.DataFrame({"path": [str(folder / "renamed.csv")], "id": [person]}).to_csv(
            manifest, index=False
        )
        run_batch(collect_inputs([manifest]), out, serial=True)
        assert list(tables()["recordings"]["id"]) == [person]


def test_every_column_of_the_tables_is_documented_with_its_unit(study: Path, tmp_path: Path):
    """docs/batch-tables.md names every column each table has (with a manifest's person
    columns and a refused file), under its table's heading; before, no document did. The
    recordings table also says what walking of uncertain direction there was and
    whether the height and weight were given or assumed, as the JSON does."""
    docs = Path(__file__).resolve().parents[3] / "docs" / "batch-tables.md"
    sections = re.split(r"^## ", docs.read_text(encoding="utf-8"), flags=re.M)
    documented = {
        part.split("\n", 1)[0].strip(): set(re.findall(r"`(\w+)`", part)) for part in sections
    }
    items = collect_inputs([study])
    manifest = tmp_path / "manifest.csv"
    rows = [{"path": str(i.path), "id": f"p{k}", "height_m": 1.7} for k, i in enumerate(items)]
    pd.DataFrame(rows).to_csv(manifest, index=False)
    out = tmp_path / "out"
    run_batch(collect_inputs([manifest]), out, serial=True)
    for name in ("recordings", "bouts", "steps", "errors"):
        columns = set(pd.read_parquet(out / f"{name}.parquet").columns) - {"id"}  # the manifest's
        assert columns and columns <= documented[name], (name, columns - documented[name])
    recordings = pd.read_parquet(out / "recordings.parquet")
    assert set(recordings["height_source"]) == {"given"}
    assert set(recordings["weight_source"]) == {"default"}


def test_progress_in_a_log_file_is_a_line_at_every_tenth(tmp_path: Path, shared_data: Path):
    """Not at a terminal (a job scheduler's log), progress is plain lines a log keeps:
    before, nothing was written until the end, then one bar."""
    folder = tmp_path / "many"
    _walks(folder, shared_data, 20)
    done = _batch(str(folder), "--out", str(tmp_path / "out"), "--serial")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    said = [line for line in lines if line.startswith("Analysing: ")]
    assert len(said) >= 2 and said[-1].startswith(
        "Analysing: 20 of 20 recordings done (100 %), 0 failed, "
    ), lines
    assert re.fullmatch(r".*files/s, \d+:\d\d:\d\d so far, about \d+:\d\d:\d\d left", said[0])
    assert lines[-1] == "Writing the tables" and "━" not in done.stderr


def test_a_batch_stopped_while_it_writes_its_tables_says_so_and_keeps_one_run_s_tables(
    tmp_path: Path, shared_data: Path
):
    """Ctrl-C once every recording is done, while the tables are written: the message of
    a stopped batch (before: exit code 130 and nothing said), and the folder holds the
    four tables of one run, never a new recordings table beside earlier bouts."""
    folder = tmp_path / "many"
    _walks(folder, shared_data, 1200)
    out = tmp_path / "out"
    run_batch(collect_inputs([folder]), out, serial=True)
    first = {n: pd.read_parquet(out / f"{n}.parquet") for n in ("recordings", "bouts")}
    for walk in sorted(folder.iterdir())[::2]:
        walk.unlink()  # the next run's tables hold half the recordings
    command = [sys.executable, "-m", "retrowalk", "batch", str(folder), "--out", str(out)]
    for _ in range(3):  # should the tables be written before the signal arrives
        run = _in_own_group([*command, "--serial"], stdout=subprocess.DEVNULL)
        assert run.stderr is not None
        for line in run.stderr:
            if line.startswith("Writing the tables"):
                os.killpg(run.pid, signal.SIGINT)
                break
        stderr = run.stderr.read()  # what it says once stopped
        run.wait(timeout=120)
        if run.returncode != 0:
            break
        first = {n: pd.read_parquet(out / f"{n}.parquet") for n in ("recordings", "bouts")}
    assert run.returncode == 130, stderr
    said = " ".join(stderr.split())
    assert "Stopped: 600 of 600 recordings done" in said and "Traceback" not in said, said
    now = {n: pd.read_parquet(out / f"{n}.parquet") for n in ("recordings", "bouts")}
    for name, table in now.items():
        pd.testing.assert_frame_equal(table, first[name])
    assert not list(out.glob(".*.tmp"))


#: When a sweep sends Ctrl-C to `batch --workers 2` (or `--serial`): after the stderr
#: line beginning so, the delay in seconds, and how many Ctrl-C 0.05 s apart (two: the
#: second while the batch stops); whether the run may end complete instead (a Ctrl-C
#: that comes once the tables are written, up to the process's exit).
_CTRL_C_MOMENTS = [
    ("--workers", "Starting 2 local workers", 0.0, 1, False),
    ("--workers", "Starting 2 local workers", 0.6, 1, False),
    ("--workers", "Analysing: ", 0.0, 1, False),
    ("--workers", "Analysing: ", 0.0, 2, False),
    *(("--workers", "Writing the tables", s, 1, True) for s in (0.0, 0.2, 0.3, 0.4, 0.5)),
    ("--serial", "Analysing: ", 0.0, 2, False),
    ("--serial", "Writing the tables", 0.05, 1, True),
]


def test_ctrl_c_at_any_moment_of_a_batch_ends_with_its_stopped_line_and_the_next_run_goes_on(
    tmp_path: Path, shared_data: Path
):
    """Ctrl-C to `batch --workers 2` (and `--serial`) at moments over its whole run, driven
    by what it says (while the local workers start, while recordings are analysed, while
    the tables are written and the workers close, as it exits; twice while it stops),
    each run in a folder of its own: every run ends with its "Stopped" line and exit code
    130 (or, stopped once the tables were written, complete with exit code 0), never a
    traceback; and the same batch run again ends with the tables of an uninterrupted run,
    so nothing was marked done without its rows. Before, a Ctrl-C while the workers
    closed, as the tables were written, ended with exit code 130, no "Stopped" line and a
    traceback of the cluster closed at exit; one while they started, with their own
    tracebacks and the cluster's; one as the process exited killed it (exit code -2)."""
    folder = tmp_path / "walks"
    n = 60
    _walks(folder, shared_data, n)
    names = ("recordings", "bouts", "steps", "errors")
    run_batch(collect_inputs([folder]), tmp_path / "whole", serial=True)
    whole = {name: pd.read_parquet(tmp_path / "whole" / f"{name}.parquet") for name in names}
    failed = []
    for k, (how, after, delay, presses, may_end) in enumerate(_CTRL_C_MOMENTS):
        out = tmp_path / f"out{k}"
        command = [sys.executable, "-m", "retrowalk", "batch", str(folder), "--out", str(out)]
        run = _in_own_group([*command, how, *(["2"] if how == "--workers" else [])])
        assert run.stderr is not None and run.stdout is not None
        said = []
        for line in run.stderr:
            said.append(line)
            if line.startswith(after):
                time.sleep(delay)
                for press in range(presses):
                    time.sleep(0.05 * press)
                    os.killpg(run.pid, signal.SIGINT)
                break
        said.append(run.stderr.read())
        stdout = run.stdout.read()
        run.wait(timeout=120)
        stderr = "".join(said)
        moment = f"{how}: Ctrl-C x{presses} {delay} s after {after!r}"
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        stopped = "Stopped at once: " if presses == 2 else "Stopped: "
        complete = f"{n} recordings: " in stdout and "Tables written to" in stdout
        if "Traceback" in stderr + stdout or "Exception" in stderr + stdout:
            failed.append(f"{moment}: a traceback (exit code {run.returncode}): {stderr}")
            continue
        if not (
            (run.returncode == 130 and last.startswith(("Stopped: ", stopped)))
            or (may_end and run.returncode == 0 and complete)
        ):
            failed.append(f"{moment}: exit code {run.returncode}, ends {last!r}")
            continue
        run_batch(collect_inputs([folder]), out, serial=True)  # the same batch again
        for name in names:
            table = pd.read_parquet(out / f"{name}.parquet")
            if not table.equals(whole[name]):
                failed.append(f"{moment}: then {name} differs from an uninterrupted run's")
    assert not failed, "\n".join(failed)


def test_a_folder_without_recordings_is_refused_and_earlier_tables_stay(
    study: Path, tmp_path: Path
):
    """A mistyped or wrong folder (nothing a batch reads in it) is one line naming it,
    and the output folder's tables stay as they were: before, exit code 0 and empty
    tables written over an earlier run's."""
    out = tmp_path / "out"
    run_batch(collect_inputs([study]), out, serial=True)
    before = (out / "recordings.csv").read_bytes()
    notes = tmp_path / "notes only"
    (notes / "deeper").mkdir(parents=True)
    (notes / "deeper" / "readme.md").write_text("no recordings here")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,id\n")
    for given in (notes, manifest):
        res = CliRunner().invoke(app, ["batch", str(given), "--out", str(out)])
        assert res.exit_code == 2, res.output
        line = " ".join(res.output.split())
        assert line.startswith(f"retrowalk: error: {given}: "), line
    assert "no recordings found in this folder or its subfolders (files ending .csv" in " ".join(
        CliRunner().invoke(app, ["batch", str(notes)]).output.split()
    )
    assert (out / "recordings.csv").read_bytes() == before


def test_progress_in_a_log_goes_on_while_one_long_recording_is_analysed(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A day-long wearable file takes a while: the log says how far the batch is at
    least every LOG_EVERY_S (here shortened), not only when a recording is done."""
    import io

    from rich.console import Console

    from retrowalk.cli import display

    monkeypatch.setattr(display, "LOG_EVERY_S", 0.2)
    log = io.StringIO()
    long_one = shared_data / "device-exports" / "gt3x" / "pygt3x_small.gt3x"  # 13.6 h
    with display.BatchProgress(1, Console(file=log, force_terminal=False)) as progress:
        run_batch(
            collect_inputs([long_one]),
            tmp_path / "out",
            serial=True,
            on_result=progress.on_result,
            on_stage=progress.on_stage,
        )
    lines = log.getvalue().splitlines()
    waiting = [line for line in lines if line.startswith("Analysing: 0 of 1 recordings done")]
    assert waiting and lines[-2].startswith("Analysing: 1 of 1 recordings done (100 %)"), lines
    assert lines[-1] == "Writing the tables"


def test_a_stopped_batch_counts_what_it_found_done_though_touched_since(
    tmp_path: Path, shared_data: Path
):
    """Every file touched since an earlier run (modified time changed, content the same,
    as a copy or a sync tool leaves it): stopped after 100 of them were found done,
    the count is 100; before, 0 (their markers' modification times differ)."""
    from retrowalk.app.jobs.batch import BatchStopped

    folder = tmp_path / "many"
    _walks(folder, shared_data, 160)
    out = tmp_path / "out"
    items = collect_inputs([folder])
    run_batch(items, out, serial=True)
    for walk in folder.iterdir():
        os.utime(walk, (time.time() + 60, time.time() + 60))
    seen = []

    def ctrl_c_at_the_100th(status: dict) -> None:
        seen.append(status)
        if len(seen) == 100:
            raise KeyboardInterrupt  # what Ctrl-C raises in the command's thread

    with pytest.raises(BatchStopped) as stopped:
        run_batch(items, out, serial=True, on_result=ctrl_c_at_the_100th)
    assert {s["status"] for s in seen} == {"skipped"}
    assert (stopped.value.done, stopped.value.total) == (100, 160)


def test_an_output_folder_inside_the_input_folder_is_not_analysed(
    study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """`retrowalk batch .` (the default --out results lies inside) run twice, then from
    another folder with an absolute path: the same 3 recordings each time, under absolute
    paths. Before, the second run analysed its own tables as recordings (4 more files
    failed) and a run from elsewhere analysed every recording again."""
    monkeypatch.chdir(study)
    for _ in range(2):
        res = CliRunner().invoke(app, ["batch", ".", "--serial"])
        assert res.exit_code == 0, res.output
    assert "4 recordings: 0 analysed, 3 already done, 1 failed (1 in an earlier run)" in (
        " ".join(res.output.split())
    )
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["batch", str(study), "--out", str(study / "results")])
    assert "0 analysed, 3 already done" in " ".join(res.output.split()), res.output
    recordings = pd.read_parquet(study / "results" / "recordings.parquet")
    assert sorted(recordings["path"]) == sorted(
        str(i.path) for i in collect_inputs([study]) if i.path.name != "broken.csv"
    )
    assert all(Path(p).is_absolute() for p in recordings["path"])
    other = tmp_path / "another batch's results"
    run_batch(collect_inputs([study / "person0"]), other, serial=True)
    shutil.move(other, study / "person1")  # another batch's output among the recordings
    assert len(collect_inputs([study])) == 4


def test_a_file_listed_twice_in_a_manifest_is_two_recordings(study: Path, tmp_path: Path):
    """One file for two people (a sensitivity analysis, two heights): two recordings,
    each with its row's measures, kept done by a re-run. Before, the second row was
    dropped without a word."""
    one, other = (i.path for i in collect_inputs([study]) if i.path.name in SMALL[:2])
    manifest = tmp_path / "manifest.csv"
    pd.DataFrame(
        {"path": [one, one, other, one], "id": ["p1", "p2", "p3", "p1"],
         "height_m": [1.6, 1.9, 1.7, 1.6]}
    ).to_csv(manifest, index=False)  # fmt: skip
    out = tmp_path / "out"
    first = run_batch(collect_inputs([manifest]), out, serial=True)
    again = run_batch(collect_inputs([manifest]), out, serial=True)
    assert (first.analysed, again.analysed, again.skipped) == (3, 0, 3)
    recordings = pd.read_parquet(out / "recordings.parquet").set_index("id").sort_index()
    assert list(recordings.index) == ["p1", "p2", "p3"]
    assert list(recordings["height_m"]) == [1.6, 1.9, 1.7]
    assert recordings.loc["p1", "path"] == recordings.loc["p2", "path"] == str(one)
    distance = recordings["forward_distance_m"] + recordings["uncertain_distance_m"]
    assert distance["p2"] > distance["p1"]  # the taller person's longer steps


def test_local_workers_and_a_scheduler_together_are_refused(study: Path, tmp_path: Path):
    """--workers with a scheduler (given, or from RETROWALK_DASK_SCHEDULER) had no effect,
    without a word: now one line says which to leave out, before any work."""
    res = CliRunner().invoke(
        app,
        ["batch", str(study), "--out", str(tmp_path / "out"), "--workers", "4"],
        env={"RETROWALK_DASK_SCHEDULER": "tcp://127.0.0.1:8786"},
    )
    assert res.exit_code == 2, res.output
    assert " ".join(res.output.split()) == (
        "retrowalk: error: --workers sets this machine's worker processes; with the Dask "
        "scheduler at tcp://127.0.0.1:8786 (--scheduler or RETROWALK_DASK_SCHEDULER) the "
        "cluster's workers analyse: leave out one of them"
    )
    assert not (tmp_path / "out").exists()


def test_a_resumed_batch_s_log_gives_the_time_left_at_the_pace_of_new_work(
    tmp_path: Path, shared_data: Path
):
    """Half the recordings done by an earlier run: the log says so, and gives no time
    left until recordings are analysed, then at their pace. Before, the recordings found
    done in a moment made the first lines say a second or so was left."""
    import io

    from rich.console import Console

    from retrowalk.cli.display import BatchProgress

    folder = tmp_path / "many"
    _walks(folder, shared_data, 80)
    out = tmp_path / "out"
    run_batch(collect_inputs([folder])[:40], out, serial=True)
    log = io.StringIO()
    with BatchProgress(80, Console(file=log, force_terminal=False)) as progress:
        run_batch(
            collect_inputs([folder]),
            out,
            serial=True,
            on_result=progress.on_result,
            on_stage=progress.on_stage,
        )
    lines = [line for line in log.getvalue().splitlines() if line.startswith("Analysing: ")]
    assert lines[0].startswith("Analysing: 8 of 80 recordings done (8 by an earlier run) (10 %)")
    assert all("left" not in line for line in lines if int(line.split()[1]) <= 40), lines
    assert all("left" in line for line in lines if int(line.split()[1]) > 40), lines


def test_a_mistyped_columns_option_is_one_line_before_any_work(study: Path, tmp_path: Path):
    """Before, every file of the batch failed with the same reason, kept as refused."""
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["batch", str(study), "--out", str(out), "--columns", "t,x"])
    assert res.exit_code == 2, res.output
    assert " ".join(res.output.split()).startswith(
        "retrowalk: error: --columns: unknown column name 't' in columns (use time_s,"
    )
    assert not out.exists()


def test_a_worker_without_retrowalk_is_refused(study: Path, tmp_path: Path):
    """A `dask worker` on a machine where retrowalk is not installed (here: a worker
    process in which it cannot be imported): one line saying so; before, a traceback."""
    address, started = _dask_cluster(tmp_path, 0)
    code = (
        "import sys; sys.modules['retrowalk'] = None  # not installed here\n"
        "from distributed.cli.dask_worker import main\n"
        f"sys.argv = ['dask-worker', {address!r}, '--no-nanny', '--nthreads', '1',"
        " '--no-dashboard']\n"
        "main()\n"
    )
    started.append(
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp_path,
        )
    )
    try:
        done = _batch(str(study), "--out", str(tmp_path / "out"), "--scheduler", address)
    finally:
        _stopped(started)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(
        f"retrowalk: error: a Dask worker of the scheduler at {address} cannot run retrowalk ("
    ), last
    assert last.endswith("): install the same retrowalk on every worker")
    assert "Traceback" not in done.stderr


def _same_tables(a: Path, b: Path) -> None:
    """The four tables of two output folders are equal, column by column and byte for
    byte in CSV."""
    for name in ("recordings", "bouts", "steps", "errors"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(a / f"{name}.parquet"), pd.read_parquet(b / f"{name}.parquet")
        )
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes(), name


def _marked(out: Path) -> list[dict]:
    """Every recording's status in the done markers of an output folder."""
    return [
        status
        for marker in (out / "parts" / "done").glob("*.json")
        for status in json.loads(marker.read_text())["recordings"]
    ]


def _summary(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())


def _all_done_once(said: str) -> None:
    """Five recordings, one refused, the others analysed, or one of the two copies reused
    from the other when that was marked done first."""
    counts = re.search(r"5 recordings: (\d) analysed, (\d) already done", said)
    assert counts and int(counts.group(1)) >= 3, said
    assert int(counts.group(1)) + int(counts.group(2)) == 4 and "1 failed, in" in said, said


def test_a_study_folder_moved_or_copied_keeps_its_results_under_the_new_paths(
    study: Path, tmp_path: Path
):
    """A study folder with its results inside (a copy of one recording in another
    folder, a refused file), copied to another disk: the copy's run analyses nothing
    and its tables equal, column by column and byte for byte, those of a fresh run of
    the copy (the new paths, recording ids and the refusal's reason naming the new
    path); copies keep rows of their own. Before, every file was analysed again. A file
    changed since, or other options, are still analysed."""
    (study / "person3").mkdir()
    shutil.copy(study / "person0" / SMALL[0], study / "person3" / SMALL[0])
    _all_done_once(_summary(_batch(str(study), "--out", str(study / "results"), "--workers", "2")))

    scratch = tmp_path / "scratch" / "study on scratch"
    shutil.copytree(study, scratch)
    moved = _summary(_batch(str(scratch), "--out", str(scratch / "results"), "--workers", "2"))
    assert (
        "5 recordings: 0 analysed, 4 already done (4 of them at another path), "
        "1 failed (1 in an earlier run)"
    ) in moved, moved
    _all_done_once(
        _summary(_batch(str(scratch), "--out", str(tmp_path / "fresh"), "--workers", "2"))
    )
    _same_tables(scratch / "results", tmp_path / "fresh")
    recordings = pd.read_parquet(scratch / "results" / "recordings.parquet")
    assert recordings["path"].str.startswith(f"{scratch}/").all()
    assert recordings["recording_id"].is_unique and len(recordings) == 4
    errors = pd.read_parquet(scratch / "results" / "errors.parquet")
    assert errors["reason"].iloc[0].startswith(f"{scratch / 'person0' / 'broken.csv'}: ")
    # the earlier paths' results stay in the copy's parts too: files not given to this
    # run, they are not superseded at their paths
    marked = {s["path"] for s in _marked(scratch / "results")}
    assert {*recordings["path"], *errors["path"]} <= marked
    assert {p for p in marked if not p.startswith(f"{scratch}/")} == {
        p.replace(str(scratch), str(study)) for p in (*recordings["path"], *errors["path"])
    }

    with (scratch / "person1" / SMALL[1]).open("ab") as handle:
        handle.write(b"\n")
    changed = _summary(_batch(str(scratch), "--out", str(scratch / "results"), "--serial"))
    assert "5 recordings: 1 analysed, 3 already done, 1 failed (1 in an earlier run)" in changed
    other = _batch(str(scratch), "--out", str(scratch / "results"), "--serial", "--height-m", "1.8")
    assert "5 recordings: 3 analysed, 1 already done (1 of them at another path), 1 failed," in (
        _summary(other)
    )  # in one process, one copy is reused from the other


def test_a_manifest_moved_with_its_recordings_is_reused_unless_a_row_changed(
    study: Path, tmp_path: Path
):
    """A manifest with relative paths, its folder renamed: its recordings are reused
    with their person columns, as a fresh run gives them; a row whose height changed
    since is analysed again, a file renamed too (its name can tell where it was worn)."""
    manifest = study / "manifest.csv"
    rows = {"path": [f"person0/{SMALL[0]}", f"person1/{SMALL[1]}"], "id": ["p0", "p1"]}
    pd.DataFrame({**rows, "height_m": [1.59, 1.80]}).to_csv(manifest, index=False)
    out = tmp_path / "out"
    assert run_batch(collect_inputs([manifest]), out, serial=True).analysed == 2
    renamed = study.rename(tmp_path / "study-2025")
    again = run_batch(collect_inputs([renamed / "manifest.csv"]), out, serial=True)
    assert (again.analysed, again.skipped, again.reused) == (0, 2, 2)
    run_batch(collect_inputs([renamed / "manifest.csv"]), tmp_path / "fresh", serial=True)
    _same_tables(out, tmp_path / "fresh")
    assert list(pd.read_parquet(out / "recordings.parquet").sort_values("id")["id"]) == rows["id"]

    pd.DataFrame({**rows, "height_m": [1.59, 1.85]}).to_csv(renamed / "manifest.csv", index=False)
    changed = run_batch(collect_inputs([renamed / "manifest.csv"]), out, serial=True)
    assert (changed.analysed, changed.skipped, changed.reused) == (1, 1, 0)
    (renamed / "person0" / SMALL[0]).rename(renamed / "person0" / "renamed.csv")
    pd.DataFrame(
        {
            "path": ["person0/renamed.csv", rows["path"][1]],
            "id": rows["id"],
            "height_m": [1.59, 1.85],
        }
    ).to_csv(renamed / "manifest.csv", index=False)
    named = run_batch(collect_inputs([renamed / "manifest.csv"]), out, serial=True)
    assert (named.analysed, named.skipped) == (1, 1)


def _part_files(out: Path) -> set[str]:
    return {
        str(p.relative_to(out / "parts"))
        for p in (out / "parts").rglob("*")
        if p.is_file() and p.name != ".in-use.lock"
    }


def test_parts_keep_the_results_of_the_tables_and_no_others(study: Path, tmp_path: Path):
    """After a complete run, parts/ holds no result superseded at its path: an earlier
    run's with other options, a part no marker names and a temporary file left by a
    killed run are removed, and the command says how many. Never by a stopped run (its
    same command goes on from what was done), nor while another batch uses the folder;
    and a run on part of the study keeps the others' results. Before, parts/ grew with
    every change of options or files."""
    from retrowalk.app.jobs.batch import BatchStopped
    from retrowalk.app.jobs.locks import SharedUse

    items = collect_inputs([study])
    out = tmp_path / "out"
    first = run_batch(items, out, serial=True)
    assert first.pruned == 0 and first.parts_line() == ""
    earlier = _part_files(out)

    def stop_at_first(status: dict) -> None:
        raise KeyboardInterrupt

    taller = AnalysisRequest(height_m=1.8)
    with pytest.raises(BatchStopped):
        run_batch(
            items, out, serial=True, defaults=taller, on_result=stop_at_first, files_per_task=1
        )
    assert earlier < _part_files(out)  # a stopped run removes nothing

    stray = out / "parts" / "steps"
    shutil.copy(next(stray.glob("*.parquet")), stray / "unmarked.parquet")
    (stray / ".half.parquet.tmp").write_bytes(b"PAR1 half")
    with SharedUse(out / "parts" / ".in-use.lock"):  # another batch in the folder
        shared = run_batch(items, out, serial=True, defaults=taller)
    assert shared.pruned is None
    assert "another batch is using the folder" in shared.parts_line()
    assert earlier < _part_files(out)

    result = CliRunner().invoke(
        app, ["batch", str(study), "--out", str(out), "--serial", "--height-m", "1.8"]
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "0 analysed, 3 already done, 1 failed" in said
    assert f"Removed from {out}/parts the earlier results of 4 recordings" in said
    assert not earlier & _part_files(out)
    statuses = _marked(out)
    tables = {n: pd.read_parquet(out / f"{n}.parquet") for n in ("recordings", "errors")}
    assert sorted(s["key"] for s in statuses) == sorted(
        [*tables["recordings"]["recording_id"], *tables["errors"]["recording_id"]]
    )
    parts = {s["part"] for s in statuses}
    assert _part_files(out) == {
        *(f"done/{p}.json" for p in parts),
        *(str(p.relative_to(out / "parts")) for p in (out / "parts").glob("*/*.parquet")),
    }
    assert {p.stem for p in (out / "parts").glob("*/*.parquet")} == parts
    again = run_batch(items, out, serial=True, defaults=taller)  # nothing more to remove
    assert (again.analysed, again.pruned) == (0, 0)

    # A run on one person's folder with other options replaces that person's results
    # only: the others' stay, and the whole study then analyses that person alone.
    one = collect_inputs([study / "person1"])
    shorter = AnalysisRequest(height_m=1.6)
    assert run_batch(one, out, serial=True, defaults=taller).analysed == 0
    subset = run_batch(one, out, serial=True, defaults=shorter)
    assert (subset.analysed, subset.pruned) == (1, 0)  # its earlier part holds the others'
    whole = run_batch(items, out, serial=True, defaults=taller)
    assert (whole.analysed, whole.skipped) == (1, 2) and whole.pruned == 1  # the shorter


def test_a_folder_search_finds_videos_as_analyze_reads_them(
    tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
):
    """A video in a study folder is found by a folder search, as when named (before,
    only a video named on the command line was analysed). Without the video extra the
    command says how to include the videos and each has a row in errors, which the
    first run after installing it analyses again."""
    import retrowalk.video

    folder = tmp_path / "study"
    (folder / "session 1").mkdir(parents=True)
    video = folder / "session 1" / "walk.MP4"
    shutil.copy(shared_data / "video" / "sports2d-demo.mp4", video)
    shutil.copy(shared_data / "mobgap-lab" / SMALL[0], folder / SMALL[0])
    items = collect_inputs([folder])
    assert items == collect_inputs([folder / SMALL[0], video])
    out = tmp_path / "out"

    monkeypatch.setattr(retrowalk.video, "available", lambda: False)
    result = CliRunner().invoke(app, ["batch", str(folder), "--out", str(out), "--serial"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "1 video among the 2 recordings: install the video extra" in said
    assert "2 recordings: 1 analysed, 0 already done, 1 failed" in said
    reason = pd.read_parquet(out / "errors.parquet")["reason"].iloc[0]
    assert reason.startswith(f"not installed: {video}: this is a video; install the video extra")

    monkeypatch.undo()
    installed = run_batch(collect_inputs([folder]), out, serial=True)
    assert (installed.analysed, installed.skipped, installed.failed) == (1, 1, 0)
    recordings = pd.read_parquet(out / "recordings.parquet").set_index("path")
    assert recordings.loc[str(video), "format"] == "video"
    assert recordings.loc[str(video), "forward_steps"] == 8  # as `retrowalk analyze` says


def test_a_moved_folder_s_batch_stopped_counts_what_it_marked_and_goes_on(
    tmp_path: Path, shared_data: Path
) -> None:
    """A study of 320 recordings moved, its batch stopped (SIGTERM) soon after it began:
    the stop count is the recordings marked done at their new paths, and the same
    command then reuses the rest, analysing none."""
    folder = tmp_path / "many"
    n = 320
    _walks(folder, shared_data, n)
    out = tmp_path / "out"
    assert run_batch(collect_inputs([folder]), out, serial=True).analysed == n
    moved = folder.rename(tmp_path / "moved")
    command = [sys.executable, "-m", "retrowalk", "batch", str(moved), "--out", str(out)]
    command += ["--workers", "1"]
    kept = _stopped_again(command, out, n)
    assert 0 < kept < n
    assert kept == sum(s["path"].startswith(f"{moved}/") for s in _marked(out))

    again = _summary(subprocess.run(command, capture_output=True, text=True, timeout=300))
    assert (
        f"{n} recordings: 0 analysed, {n} already done ({n - kept} of them at another path), "
        "0 failed"
    ) in again, again
    assert len(pd.read_parquet(out / "recordings.parquet")) == n


def test_a_batch_stopped_on_a_dask_cluster_cancels_what_waits_and_says_what_runs_on(
    tmp_path: Path, shared_data: Path
) -> None:
    """A batch on a cluster of its own (`dask scheduler`, two `dask worker` processes)
    stopped by SIGTERM once a group is done: it sends no more work, cancels what waits,
    and says what the workers were running, which cannot be stopped from here and goes on
    to be kept. It said 'Stopped: K of n recordings done' and a run again found more than
    K done; now the count is 'at least K' with how many more were running, and a run
    again finds K to K + running done: nothing that waited was analysed."""
    from dask.distributed import Client

    from retrowalk.app.jobs.batch import _running_keys

    folder = tmp_path / "many"
    n = 200
    _walks(folder, shared_data, n)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "retrowalk", "batch", str(folder), "--out", str(out)]
    address, started = _dask_cluster(tmp_path, 2)
    try:
        returncode, _, stderr = _start_and_stop(
            [*command, "--scheduler", address], out, signal.SIGTERM
        )
        assert returncode == 143, stderr
        said = " ".join(stderr.split())
        stopped = re.search(r"Stopped: at least (\d+) of (\d+) recordings done, kept in", said)
        running = re.search(
            r"no more work was sent and the work waiting was cancelled, but the cluster's "
            r"workers were analysing (\d+) more recordings?, which could not be stopped: "
            r"(they|it) may finish and be kept; run the same command again to go on",
            said,
        )
        assert stopped and running and int(stopped.group(2)) == n, said
        kept, ran_on = int(stopped.group(1)), int(running.group(1))
        assert 0 < kept < n and 0 < ran_on < n - kept
        with Client(address) as client:  # the workers finish what they were running
            deadline = time.monotonic() + 120
            while any(client.run(_running_keys).values()):
                assert time.monotonic() < deadline, "the cluster still works after 120 s"
                time.sleep(0.2)
    finally:
        _stopped(started)

    again = subprocess.run([*command, "--serial"], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    line = " ".join(again.stdout.split())
    counts = re.search(rf"{n} recordings: (\d+) analysed, (\d+) already done, 0 failed", line)
    assert counts, line
    found = int(counts.group(2))
    assert kept < found <= kept + ran_on  # what ran on was kept; what waited never ran
    assert int(counts.group(1)) == n - found

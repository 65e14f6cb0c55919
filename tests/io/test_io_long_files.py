"""Long text tables: read in chunks into temporary files, with the same results as one pass.

The chunked path (frames of rows parsed into file-backed arrays, the time
column included, and every whole-column step done a chunk of rows at a time)
normally starts above 32 MB; here its thresholds are lowered so that a
20-minute file tiled from real lower-back trials (Voisard et al. 2023, IPOL
13:497; reached through ``tests/realdata.py``) takes it with many chunks, and
the recording and its analysis are compared with the one-pass read. A
six-hour file read in a child process shows that the reader's memory follows
its chunks, not the file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from realdata import ipol_trial_ids, load_ipol_trial
from retrowalk.core.errors import InputError
from retrowalk.dsp.memory import is_file_backed
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.summary.contract import to_json

MINUTES = 20.0
RATE_HZ = 100.0


@pytest.fixture(scope="module")
def tiled() -> tuple[np.ndarray, np.ndarray]:
    """Real lower-back trials one after another: acc (m/s^2) and gyro (deg/s) rows."""
    ids = ipol_trial_ids()
    if not ids:
        pytest.skip("real ipol-gait recordings not found")
    acc, gyro, n = [], [], 0
    for trial in ids:
        rec = load_ipol_trial(trial, "lb")[0]
        if rec.gyro_rads is None:
            continue
        acc.append(rec.acc_mps2)
        gyro.append(np.rad2deg(rec.gyro_rads))
        n += rec.n_samples
        if n >= MINUTES * 60 * RATE_HZ:
            break
    rows = int(MINUTES * 60 * RATE_HZ)
    return np.concatenate(acc)[:rows], np.concatenate(gyro)[:rows]


def _write(path: Path, acc: np.ndarray, gyro: np.ndarray, time_col: str) -> Path:
    """The rows as a CSV with a ``time_s`` (seconds) or ``time_ms`` (integer ms) column."""
    idx = np.arange(acc.shape[0])
    times = (
        [f"{i / RATE_HZ:.2f}" for i in idx] if time_col == "time_s" else [str(i * 10) for i in idx]
    )
    body = np.char.mod("%.6f", np.column_stack([acc, gyro]))
    lines = [",".join([t, *row]) for t, row in zip(times, body.tolist(), strict=True)]
    path.write_text(f"{time_col},acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n" + "\n".join(lines) + "\n")
    return path


def _force_chunks(m: pytest.MonkeyPatch) -> None:
    """Every table read in chunks of 7,000 rows into temporary files, steps in 5,000 rows."""
    m.setattr("retrowalk.io.table.CHUNK_BYTES", 1)
    m.setattr("retrowalk.io.chunked.CHUNK_ROWS", 7_000)
    m.setattr("retrowalk.io.chunked.FILE_BACKED_BYTES", 1)
    m.setattr("retrowalk.io.longarrays.CHUNK_ROWS", 5_000)


@pytest.mark.parametrize("time_col", ["time_s", "time_ms"])
def test_chunked_read_and_analysis_equal_one_pass(
    tmp_path: Path,
    tiled: tuple[np.ndarray, np.ndarray],
    time_col: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _write(tmp_path / "long.csv", *tiled, time_col)
    whole = read_recording(path, placement="lower_back")
    assert not is_file_backed(whole.acc_mps2)
    with monkeypatch.context() as m:
        _force_chunks(m)
        streamed = read_recording(path, placement="lower_back")
    assert is_file_backed(streamed.acc_mps2) and streamed.gyro_rads is not None
    assert is_file_backed(streamed.gyro_rads)
    assert whole.n_samples == streamed.n_samples == tiled[0].shape[0]
    np.testing.assert_array_equal(whole.acc_mps2, streamed.acc_mps2)
    np.testing.assert_array_equal(whole.gyro_rads, streamed.gyro_rads)
    assert whole.notes == streamed.notes
    assert whole.units == streamed.units
    assert whole.gaps == streamed.gaps
    assert whole.sampling_rate_hz == streamed.sampling_rate_hz
    assert whole.source_rate_hz == streamed.source_rate_hz
    options = AnalysisOptions(placement="lower_back")
    first, second = analyze(whole, options), analyze(streamed, options)
    assert len(first.bouts) > 10  # real walking, not an empty result compared with itself
    assert to_json(first) == to_json(second)


def _set_cells(path: Path, lines: range, field: int, value: str = "") -> None:
    """Set the ``field``-th cell (0-based) of the given 1-based lines of ``path`` (empty)."""
    text = path.read_text().splitlines(keepends=True)
    for line in lines:
        cells = text[line - 1].rstrip("\n").split(",")
        cells[field] = value
        text[line - 1] = ",".join(cells) + "\n"
    path.write_text("".join(text))


@pytest.mark.parametrize("use_chunks", [False, True])
def test_bad_cell_late_in_a_long_file_names_its_line(
    tmp_path: Path,
    tiled: tuple[np.ndarray, np.ndarray],
    use_chunks: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acc, gyro = tiled
    rows = int(5 * 60 * RATE_HZ)  # the line-by-line diagnosis is slow: 5 minutes, 5 chunks
    path = _write(tmp_path / "bad.csv", acc[:rows], gyro[:rows], "time_s")
    bad_line = rows + 1 - 1_500  # 1-based line number of the damaged row, near the end
    _set_cells(path, range(bad_line, bad_line + 1), 2, "n/a?")
    if use_chunks:
        _force_chunks(monkeypatch)
    with pytest.raises(InputError) as caught:
        read_recording(path)
    err = caught.value
    assert err.line == bad_line and err.field == "acc_y"
    message = str(err)
    assert "\n" not in message and "bad.csv" in message and str(bad_line) in message


def test_empty_cells_at_the_end_dropped_as_in_one_pass(
    tmp_path: Path,
    tiled: tuple[np.ndarray, np.ndarray],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acc, gyro = tiled
    rows = int(5 * 60 * RATE_HZ)
    path = _write(tmp_path / "cut.csv", acc[:rows], gyro[:rows], "time_s")
    # the last 12,000 rows lack acc_y (over two 5,000-row steps), and one row
    # before them lacks gyr_z: the run at the end is dropped, the row before it
    # too as its blank is only followed by blank rows
    tail = 12_000
    last_line = rows + 1
    _set_cells(path, range(last_line - tail + 1, last_line + 1), 2)
    _set_cells(path, range(last_line - tail, last_line - tail + 1), 6)
    whole = read_recording(path)
    with monkeypatch.context() as m:
        _force_chunks(m)
        streamed = read_recording(path)
    assert is_file_backed(streamed.acc_mps2)
    assert whole.n_samples == streamed.n_samples == rows - tail - 1
    assert any(f"dropped {tail + 1} rows with empty cells" in n for n in whole.notes)
    assert whole.notes == streamed.notes
    np.testing.assert_array_equal(whole.acc_mps2, streamed.acc_mps2)


@pytest.mark.parametrize("use_chunks", [False, True])
def test_empty_cell_inside_a_long_file_names_its_line(
    tmp_path: Path,
    tiled: tuple[np.ndarray, np.ndarray],
    use_chunks: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acc, gyro = tiled
    rows = int(5 * 60 * RATE_HZ)
    path = _write(tmp_path / "hole.csv", acc[:rows], gyro[:rows], "time_s")
    hole = rows - 7_321  # a row in the fourth 5,000-row step, with good rows after it
    _set_cells(path, range(hole, hole + 1), 4)
    _set_cells(path, range(rows + 1, rows + 2), 4)  # and the last row: not a run at the end
    if use_chunks:
        _force_chunks(monkeypatch)
    with pytest.raises(InputError) as caught:
        read_recording(path)
    assert caught.value.line == hole


# Reads argv[1] as a long recording in miniature (temporary files from 8 MB,
# steps of 50,000 rows) after a short file (argv[2]) and pandas have done every import, and
# prints the peak resident memory the read added and what it left resident.
READ_CHILD = """
import json, sys
from retrowalk.dsp import memory
from retrowalk.io import chunked, longarrays, read_recording

def status(key):
    with open("/proc/self/status") as fh:
        return [int(x.split()[1]) / 1024 for x in fh if x.startswith(key + ":")][0]

memory.FILE_BACKED_BYTES = chunked.FILE_BACKED_BYTES = 8 * 1024**2
chunked.CHUNK_ROWS = longarrays.CHUNK_ROWS = 50_000
read_recording(sys.argv[2])
import pandas  # the chunks' parser (the short file is read without it)
before = status("VmRSS")
try:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # the peak from here on
except OSError:
    pass
rec = read_recording(sys.argv[1])
print(json.dumps({
    "n_samples": rec.n_samples,
    "file_backed": memory.is_file_backed(rec.acc_mps2),
    "added_mb": status("VmHWM") - before,
    "left_mb": status("VmRSS") - before,
}))
"""


def _synthetic_csv(path: Path, hours: float) -> Path:
    """``hours`` of 100 Hz rows (integer ms, noise about gravity and 20 deg/s), quickly."""
    n = int(hours * 3600 * RATE_HZ)
    rng = np.random.default_rng(5)
    period = 60_000
    acc = rng.normal(size=(period, 3)) * 0.8 + [0.0, 0.0, 9.81]
    gyro = rng.normal(size=(period, 3)) * 20.0
    body = [",".join(r) for r in np.char.mod("%.4f", np.column_stack([acc, gyro])).tolist()]
    with path.open("w") as fh:
        fh.write("time_ms,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n")
        for start in range(0, n, period):
            stop = min(start + period, n)
            fh.write("".join(f"{i * 10},{body[i - start]}\n" for i in range(start, stop)))
    return path


def test_reading_a_long_file_keeps_only_chunks_in_memory(tmp_path: Path) -> None:
    """Six hours (2.16 million rows, 99 MB of float64 samples) add a small fraction of that.

    Measured on this reader: about 13 MB added, nothing left resident. Read in
    one pass the same file adds about 190 MB, and in chunks kept in memory
    about 77 MB; one whole column made in memory (17 MB) also crosses the bound.
    """
    if not Path("/proc/self/status").exists():
        pytest.skip("reads /proc/self/status")
    path = _synthetic_csv(tmp_path / "six_hours.csv", 6.0)
    small = _synthetic_csv(tmp_path / "small.csv", 0.01)
    done = subprocess.run(
        [sys.executable, "-c", READ_CHILD, str(path), str(small)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["n_samples"] == int(6 * 3600 * RATE_HZ) and got["file_backed"]
    arrays_mb = got["n_samples"] * 48 / 2**20  # acc + gyro, float64
    assert got["added_mb"] < 0.25 * arrays_mb, f"{got['added_mb']:.0f} MB added"
    assert got["left_mb"] < 0.1 * arrays_mb, f"{got['left_mb']:.0f} MB left resident"

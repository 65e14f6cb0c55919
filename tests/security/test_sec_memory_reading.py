"""Reading uploads with bounded memory: zip bombs refused unpacked, large CSVs in chunks.

- A zip whose member unpacks to 1 GB (or compresses far better than any sensor
  export) is refused at once, with a one-line error naming the member, by the
  same call that checks an upload (``describe_file``) in a child process whose
  peak memory stays low.
- A table larger than the chunk threshold is read in chunks; the Recording is
  identical, to the bit, to reading it in one pass, including a truncated last
  line, ISO date-time stamps and the error for a bad cell.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import retrowalk.io.chunked as chunked_module
import retrowalk.io.table as table_module
from dbtest_helpers import DEMO
from retrowalk.core.errors import InputError
from retrowalk.io import read_recording

MB = 1024 * 1024
# Peak resident memory of the child's own address space (VmHWM): ru_maxrss
# would also count the parent's resident set at the time of the fork.
CHILD = (
    "import json, sys; from retrowalk.app.jobs.worker import describe_file; "
    "out = describe_file(sys.argv[1]); "
    "hwm = [int(line.split()[1]) for line in open('/proc/self/status') "
    "if line.startswith('VmHWM')][0]; "
    "print(json.dumps({'out': out, 'peak_mb': hwm / 1024}))"
)
# Interpreter, numpy, pandas and scipy take about 200 MB before anything is read.
MAX_PEAK_MB = 400


def _zip_of_zeros(path: Path, member: str, size: int) -> Path:
    zeros = b"0" * MB
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open(member, "w", force_zip64=True) as out,
    ):
        written = 0
        while written < size:
            n = min(MB, size - written)
            out.write(zeros[:n])
            written += n
    return path


def _describe_in_child(path: Path) -> tuple[dict, float, float]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    return got["out"], float(got["peak_mb"]), time.monotonic() - start


def test_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    bomb = _zip_of_zeros(tmp_path / "export.zip", "Accelerometer.csv", 1_000_000_000)
    assert bomb.stat().st_size < 5 * MB
    out, peak_mb, elapsed = _describe_in_child(bomb)
    assert not out["ok"]
    reason = out["reason"]
    assert "Accelerometer.csv" in reason and "\n" not in reason
    assert peak_mb < MAX_PEAK_MB, f"peak {peak_mb:.0f} MB"
    assert elapsed < 30


def test_member_compressed_too_well_is_refused(tmp_path: Path) -> None:
    bomb = _zip_of_zeros(tmp_path / "phone.zip", "Gyroscope.csv", 200 * MB)
    with pytest.raises(InputError, match=r"Gyroscope\.csv .*zip bomb") as info:
        read_recording(bomb)
    assert "\n" not in str(info.value)


def _tiled_csv(path: Path, repeats: int, *, iso: bool = False, tail: str = "") -> Path:
    """The demo recording repeated end to end (a continuing time column)."""
    header, *lines = DEMO.read_text().splitlines()
    times = np.array([float(line.split(",", 1)[0]) for line in lines])
    rests = [line.split(",", 1)[1] for line in lines]
    span = len(lines) * float(np.median(np.diff(times)))
    epoch = np.datetime64("2025-03-31T08:00:00", "us")
    with open(path, "w") as out:
        out.write(("timestamp" + header[len("time_s") :] if iso else header) + "\n")
        for k in range(repeats):
            shifted = times + k * span
            if iso:
                stamps = epoch + np.round(shifted * 1e6).astype("timedelta64[us]")
                out.write("".join(f"{s}Z,{r}\n" for s, r in zip(stamps, rests, strict=True)))
            else:
                out.write("".join(f"{t:.6f},{r}\n" for t, r in zip(shifted, rests, strict=True)))
        out.write(tail)
    return path


def _both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """The recording read in chunks (small threshold) and in one pass."""
    monkeypatch.setattr(table_module, "CHUNK_BYTES", 1 * MB)
    monkeypatch.setattr(chunked_module, "CHUNK_ROWS", 50_000)
    chunked = read_recording(path)
    monkeypatch.setattr(table_module, "CHUNK_BYTES", 1 << 40)
    whole = read_recording(path)
    return chunked, whole


def _same(a: object, b: object) -> None:
    assert np.array_equal(a.acc_mps2, b.acc_mps2)  # type: ignore[attr-defined]
    assert np.array_equal(a.gyro_rads, b.gyro_rads)  # type: ignore[attr-defined]
    for name in ("sampling_rate_hz", "start_time", "notes", "gaps", "units", "format"):
        assert getattr(a, name) == getattr(b, name), name


@pytest.mark.parametrize(
    ("iso", "tail"),
    [(False, ""), (False, "9999.990000,9.5,0.1"), (True, "")],
    ids=["plain", "truncated-last-line", "iso-timestamps"],
)
def test_chunked_read_is_identical_to_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, iso: bool, tail: str
) -> None:
    path = _tiled_csv(tmp_path / "walk.csv", 3, iso=iso, tail=tail)
    assert path.stat().st_size > 3 * MB  # several chunks
    chunked, whole = _both_ways(path, monkeypatch)
    _same(chunked, whole)
    if tail:
        assert any("cut off" in n for n in chunked.notes)  # type: ignore[attr-defined]


def test_chunked_read_names_the_same_bad_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _tiled_csv(tmp_path / "bad.csv", 3)
    lines = path.read_text().splitlines(keepends=True)
    row = 50_000  # inside the second chunk
    cells = lines[row].split(",")
    cells[2] = "oops"
    lines[row] = ",".join(cells)
    path.write_text("".join(lines))
    monkeypatch.setattr(table_module, "CHUNK_BYTES", 1 * MB)
    monkeypatch.setattr(chunked_module, "CHUNK_ROWS", 20_000)
    with pytest.raises(InputError) as chunked:
        read_recording(path)
    monkeypatch.setattr(table_module, "CHUNK_BYTES", 1 << 40)
    with pytest.raises(InputError) as whole:
        read_recording(path)
    assert str(chunked.value) == str(whole.value)
    assert f"line {row + 1}" in str(chunked.value) and "acc_y" in str(chunked.value)


PEAK_CHILD = """
import json, sys
from retrowalk.app.jobs.worker import describe_file

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024

describe_file(sys.argv[2])  # the same call on a small file: every import done
import pandas  # the chunks' parser (a small file of plain numbers is read without it)
before = status("VmRSS")
out = describe_file(sys.argv[1])
print(json.dumps({"out": out, "added_mb": status("VmHWM") - before}))
"""


def test_large_csv_peak_memory_stays_near_the_result(tmp_path: Path) -> None:
    """A 60 MB CSV (read in chunks) adds little more than its decoded arrays."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads /proc/self/status")
    path = _tiled_csv(tmp_path / "long.csv", 40)
    assert path.stat().st_size / MB > 55
    done = subprocess.run(
        [sys.executable, "-c", PEAK_CHILD, str(path), str(DEMO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["out"]["ok"], got
    # acc + gyro float64 of the Recording: 48 bytes per sample.
    arrays_mb = got["out"]["n_samples"] * 48 / MB
    added = got["added_mb"]
    # Read in chunks about twice the arrays; in one pass it took about four times.
    assert added < 2.6 * arrays_mb + 10, f"{added:.0f} MB added for {arrays_mb:.0f} MB of arrays"

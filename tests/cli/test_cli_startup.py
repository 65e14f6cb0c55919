"""``retrowalk --help`` and ``retrowalk analyze`` load neither the store, the web app nor the
video model, and ``analyze`` of a sensor table neither pandas nor the video
analysis: each runs in a fresh interpreter and lists what it imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from realdata import require

HEAVY = (
    "sqlalchemy",
    "fastapi",
    "starlette",
    "uvicorn",
    "retrowalk.store",
    "retrowalk.web.app",
    "retrowalk.app.services",
    "cv2",
    "mediapipe",
    "dask",
    # start-up time: a plain table is read by pyarrow's CSV reader, video
    # registered only
    "pandas",
    "retrowalk.video.analysis",
    # the reports' figures, only when a report is asked for
    "matplotlib",
)

#: The code under test, where the tests were told to find it.
_PYTHONPATH = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}

PROBE = """
import json, sys
from retrowalk.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
loaded = [m for m in {heavy!r} if m in sys.modules]
sys.stderr.write("LOADED=" + json.dumps(loaded) + "\\n")
"""


def _loaded(tmp_path: Path, *args: str) -> list[str]:
    env_dir = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"RETROWALK_DATA_DIR": str(env_dir), "PATH": "/usr/bin:/bin", **_PYTHONPATH},
    )
    line = [x for x in proc.stderr.splitlines() if x.startswith("LOADED=")]
    assert line, proc.stderr[-2000:]
    return json.loads(line[-1][len("LOADED=") :])


def test_help_loads_nothing_heavy(tmp_path: Path) -> None:
    assert _loaded(tmp_path, "--help") == []


def test_analyze_loads_nothing_heavy(tmp_path: Path) -> None:
    recording = require("ipol-gait", "3-1_lb.txt")
    out = tmp_path / "out.json"
    assert _loaded(tmp_path, "analyze", str(recording), "--json", str(out)) == []
    assert json.loads(out.read_text())["bouts"]


def test_analyze_of_a_csv_loads_nothing_heavy(tmp_path: Path) -> None:
    """A lower-back CSV of plain numbers (the mobgap lab layout) is read, analysed and
    written as JSON without pandas or the video analysis."""
    rng = np.random.default_rng(4)
    t = np.arange(3000) / 100.0
    acc = rng.normal(size=(t.size, 3)) + [9.81, 0.0, 0.0]
    gyro = rng.normal(size=(t.size, 3)) * 20.0
    recording = tmp_path / "walk.csv"
    rows = np.column_stack([t, acc, gyro])
    header = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
    np.savetxt(recording, rows, delimiter=",", header=header, comments="", fmt="%.6f")
    out = tmp_path / "out.json"
    args = ("analyze", str(recording), "--placement", "lower_back", "--json", str(out))
    assert _loaded(tmp_path, *args) == []
    assert json.loads(out.read_text())["recording"]["format"] == "mobgap-csv"


def test_python_dash_m_runs_the_same_command_line() -> None:
    from retrowalk import __version__

    for args in (["--version"], ["version"]):
        proc = subprocess.run(
            [sys.executable, "-m", "retrowalk", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == __version__
    proc = subprocess.run(
        [sys.executable, "-m", "retrowalk", "no-such-command"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "Usage: retrowalk" in proc.stderr


BLAS_PROBE = """
import os, sys
import retrowalk.cli
assert "numpy" not in sys.modules, "numpy loaded before its thread count could be set"
print(os.environ.get("OPENBLAS_NUM_THREADS"))
"""


def test_the_command_line_runs_numpy_s_matrix_library_on_one_thread_unless_told() -> None:
    def threads(**given: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-c", BLAS_PROBE],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env={"PATH": "/usr/bin:/bin", **_PYTHONPATH, **given},
        )
        return proc.stdout.strip()

    assert threads() == "1"
    assert threads(OPENBLAS_NUM_THREADS="2") == "2"  # the user's choice is kept

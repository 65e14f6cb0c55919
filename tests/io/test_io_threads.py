"""Files read in several threads at once, pandas not loaded yet: as the web app does.

The web app reads an upload in a request thread while its worker thread starts
the analysis stack and reads another file. A headerless phone CSV loaded pandas'
C reader by its submodule before pandas itself, and with another thread importing
pandas meanwhile the two got pandas half-imported: an upload refused as "not a
readable recording (ImportError: ... partially initialized module
'pandas._libs.parsers')", or the whole server crashing (a segmentation fault).
Each run is a fresh interpreter, where pandas is not imported yet.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from realdata import require

SCRIPT = """
import sys, threading
from pathlib import Path

xsens, headerless = Path(sys.argv[1]), Path(sys.argv[2])
start = threading.Barrier(3)
errors = []


def worker():  # the analysis worker: the analysis stack, then its file
    start.wait()
    try:
        import retrowalk.app.analyse  # noqa: F401
        from retrowalk.io import read_recording

        read_recording(xsens)
    except Exception as exc:
        errors.append(repr(exc))


def upload():  # an upload read in a request thread
    start.wait()
    try:
        from retrowalk.io import read_recording

        read_recording(headerless)
    except Exception as exc:
        errors.append(repr(exc))


def other():  # anything else that imports pandas meanwhile
    start.wait()
    import pandas  # noqa: F401


threads = [threading.Thread(target=f) for f in (worker, upload, other)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(errors)
sys.exit(1 if errors else 0)
"""


@pytest.mark.parametrize("run", range(3))
def test_reading_in_threads_while_pandas_loads(run: int) -> None:
    xsens = require("ipol-gait", "1-1_lb.txt")
    headerless = require("phone-steps", "Pixel_Jamie_Hard_BackPocket_1", "accelerometer.csv")
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(xsens), str(headerless)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, (done.returncode, done.stdout[-500:], done.stderr[-1500:])

"""Files read in several threads of a started server, as the web app reads them.

The web app reads an upload in a request thread while its worker thread reads
another file. A headerless phone CSV loaded pandas' C reader by its submodule
before pandas itself, and with another thread importing pandas meanwhile the two
got pandas half-imported: an upload refused as "not a readable recording
(ImportError: ... partially initialized module 'pandas._libs.parsers')", or the
whole server crashing (a segmentation fault). Importing pandas first made that
rare, not impossible: in CPython 3.11 a thread can still be handed a half-imported
module when another thread's first import of the same package fails
(python/cpython#143650; seen as "module 'pandas' has no attribute 'read_csv'").
The app now imports what the readers load on first use when it starts, before
any thread reads a file. Each run is a fresh interpreter, where pandas is not
imported yet.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from realdata import require

SCRIPT = """
import sys, threading
from pathlib import Path

from fastapi.testclient import TestClient

from retrowalk.web.app import create_app
from retrowalk.web.settings import Settings

xsens, headerless, data_dir = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
app = create_app(
    Settings(data_dir=data_dir, worker="thread", secret_key="k" * 32, fast_password_hashing=True)
)
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


with TestClient(app):  # started, not yet serving anything
    loaded = sys.modules.get("pandas")
    if loaded is None or not hasattr(loaded, "read_csv"):
        errors.append("the started app had not imported pandas")
    threads = [threading.Thread(target=f) for f in (worker, upload, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
print(errors)
sys.exit(1 if errors else 0)
"""


def test_reading_in_threads_of_a_started_app(tmp_path: Path) -> None:
    xsens = require("ipol-gait", "1-1_lb.txt")
    headerless = require("phone-steps", "Pixel_Jamie_Hard_BackPocket_1", "accelerometer.csv")
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(xsens), str(headerless), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, (done.returncode, done.stdout[-500:], done.stderr[-1500:])

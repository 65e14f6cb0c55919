"""Peak memory of reading an upload: a 250 MB CSV and a zip bomb.

An upload is checked by reading it with the recording readers in a separate
process (``retrowalk.app.jobs.worker.describe_file`` in the web app's process pool).
This benchmark runs exactly that call in a fresh child process for each input
and prints the child's peak resident memory (``VmHWM``, imports included),
the time and the outcome, beside the targets:

- a 250 MB CSV (the bundled MS_001 lab recording tiled end to end, about ten
  hours at 100 Hz): read in full, peak < 600 MB;
- a 3 MB zip holding a 1 GB ``Accelerometer.csv`` of zeros (a zip bomb):
  refused with a one-line error naming the member, peak < 600 MB, in seconds.

``--analyse`` also runs the full analysis of the CSV in a child (the worker's
``analyse_file``) and prints its peak, for information.

Run: ``.venv/bin/python benchmarks/upload_memory.py [--csv-mb 250] [--analyse]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TypedDict

import numpy as np

from retrowalk.app.demo import demo_recording_path

TARGET_PEAK_MB = 600.0
BOMB_BYTES = 1_000_000_000

CHILD = """
import json, sys, time
from retrowalk.app.jobs.worker import {fn}
start = time.perf_counter()
out = {call}
elapsed = time.perf_counter() - start
# VmHWM: the peak of this process's own memory (ru_maxrss would include the
# parent's resident set at the fork)
peak_mb = [int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM")][0] / 1024
summary = {{k: v for k, v in out.items() if k != "result"}}
print(json.dumps({{"peak_mb": peak_mb, "elapsed_s": elapsed, "out": summary}}))
"""


def write_csv(path: Path, target_mb: float) -> Path:
    """The demo recording repeated with a continuing time column until ``target_mb``."""
    source = demo_recording_path()
    header, *lines = source.read_text().splitlines()
    times = np.array([float(line.split(",", 1)[0]) for line in lines])
    rests = [line.split(",", 1)[1] for line in lines]
    span = len(lines) * float(np.median(np.diff(times)))
    target = target_mb * 1024 * 1024
    with open(path, "w", newline="") as out:
        out.write(header + "\n")
        k = 0
        while out.tell() < target:
            shifted = times + k * span
            out.write("".join(f"{t:.6f},{r}\n" for t, r in zip(shifted, rests, strict=True)))
            k += 1
    return path


def write_bomb(path: Path) -> Path:
    """A zip whose one member unpacks to 1 GB of zeros (a few MB packed)."""
    zeros = b"0" * (1 << 20)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("Accelerometer.csv", "w", force_zip64=True) as member,
    ):
        written = 0
        while written < BOMB_BYTES:
            chunk = zeros[: min(len(zeros), BOMB_BYTES - written)]
            member.write(chunk)
            written += len(chunk)
    return path


class ChildRun(TypedDict):
    """What the child prints: its peak memory (MB), the call's time (s) and what it
    returned but the result itself (a dict of JSON values)."""

    peak_mb: float
    elapsed_s: float
    out: object


def run_child(fn: str, call: str) -> ChildRun:
    code = CHILD.format(fn=fn, call=call)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=3600, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    child: ChildRun = json.loads(done.stdout.strip().splitlines()[-1])
    return child


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv-mb", type=float, default=250.0)
    parser.add_argument("--analyse", action="store_true", help="also time the full analysis")
    args = parser.parse_args(argv)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="retrowalk-upload-memory-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        csv_path = write_csv(folder / "long_walk.csv", args.csv_mb)
        bomb = write_bomb(folder / "export.zip")
        print(
            f"inputs built in {time.perf_counter() - t0:.0f} s: "
            f"{csv_path.stat().st_size / 1024**2:.0f} MB CSV, "
            f"{bomb.stat().st_size / 1024**2:.1f} MB zip holding {BOMB_BYTES / 1e9:.0f} GB"
        )
        print(f"{'input':<28}{'peak MB':>9}{'target':>9}{'time s':>8}  outcome")
        csv = run_child("describe_file", f"describe_file({str(csv_path)!r})")
        out = csv["out"]
        assert isinstance(out, dict)
        ok = bool(out["ok"]) and float(csv["peak_mb"]) < TARGET_PEAK_MB
        failures += not ok
        outcome = (
            f"read: {out['n_samples']} samples, {float(out['duration_s']) / 3600:.1f} h"
            if out["ok"]
            else f"refused: {out['reason']}"
        )
        print(
            f"{'CSV ' + format(csv_path.stat().st_size / 1024**2, '.0f') + ' MB':<28}"
            f"{csv['peak_mb']:>9.0f}{'< 600':>9}{csv['elapsed_s']:>8.1f}  "
            f"{outcome}  [{'ok' if ok else 'OVER TARGET'}]"
        )
        zb = run_child("describe_file", f"describe_file({str(bomb)!r})")
        out = zb["out"]
        assert isinstance(out, dict)
        refused = not out["ok"] and "Accelerometer.csv" in str(out["reason"])
        ok = refused and float(zb["peak_mb"]) < TARGET_PEAK_MB
        failures += not ok
        print(
            f"{'zip bomb (1 GB member)':<28}{zb['peak_mb']:>9.0f}{'< 600':>9}"
            f"{zb['elapsed_s']:>8.2f}  {'refused' if refused else 'NOT refused'}: "
            f"{out.get('reason')}  [{'ok' if ok else 'FAILED'}]"
        )
        if args.analyse:
            reports = folder / "reports"
            an = run_child(
                "analyse_file",
                f"analyse_file({str(csv_path)!r}, {{'placement': 'lower_back'}}, "
                f"{str(reports)!r}, 'long_walk.csv')",
            )
            out = an["out"]
            assert isinstance(out, dict)
            print(
                f"{'analysis of the CSV':<28}{an['peak_mb']:>9.0f}{'(info)':>9}"
                f"{an['elapsed_s']:>8.1f}  {'done' if out['ok'] else out.get('reason')}"
            )
    print("all targets met" if not failures else f"{failures} target(s) missed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

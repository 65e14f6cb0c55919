"""Read speed and peak memory of ``read_recording`` against plain ``pandas.read_csv``.

Builds two 1-hour 100 Hz files in a temporary folder by tiling real recordings
from the shared real data (``tests/realdata.py``): a generic 6-axis CSV (from the
mobgap-lab CSVs) and an
Xsens text export (from an ipol-gait ``_lb.txt`` file, PacketCounter continued and
wrapped at 65536 as the device does, its real packet drops kept). Each reader
runs three times, every run in a fresh process; the table shows the median time
and the peak resident memory added by the call, next to the size of the decoded
arrays of the Recording. Peak memory is the high-water mark of the resident set
during the call minus the resident set just before it (Linux ``/proc/self/status``). The two
readers' runs alternate so that both see the same load on a shared machine.

Run: ``.venv/bin/python benchmarks/read_speed.py [--minutes 60]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from _data import data_root

DATA = data_root()
RATE = 100

_CHILD = r"""
import json, sys, time
kind, path = sys.argv[1], sys.argv[2]
import numpy as np, pandas as pd
import scipy.signal  # loaded by any analysis anyway; keep import time out of the read time
from retrowalk.io import read_recording

def status_kib(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0

before = status_kib("VmRSS")
try:  # reset the peak-RSS mark so that import-time peaks do not hide the call's peak
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
except OSError:
    pass
t0 = time.perf_counter()
if kind == "retrowalk":
    rec = read_recording(path)
    decoded = rec.acc_mps2.nbytes + (0 if rec.gyro_rads is None else rec.gyro_rads.nbytes)
    extra = {"n": rec.n_samples, "format": rec.format}
elif kind == "pandas-tsv":
    df = pd.read_csv(path, sep="\t", skiprows=1)
    decoded, extra = 0, {"n": len(df)}
else:
    df = pd.read_csv(path)
    decoded, extra = 0, {"n": len(df)}
elapsed = time.perf_counter() - t0
peak = max(status_kib("VmHWM") - before, 0)
print(json.dumps({"s": elapsed, "peak_mib": peak / 1024, "decoded_mib": decoded / 2**20, **extra}))
"""


def make_generic_csv(path: Path, minutes: float) -> None:
    """1 hour (or ``minutes``) of 100 Hz 6-axis samples tiled from mobgap-lab."""
    parts = [pd.read_csv(f) for f in sorted((DATA / "mobgap-lab").glob("*.csv"))]
    src = pd.concat(parts, ignore_index=True)
    n = int(minutes * 60 * RATE)
    reps = -(-n // len(src))
    vals = np.tile(
        src[["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]].to_numpy(), (reps, 1)
    )
    df = pd.DataFrame(vals[:n], columns=["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"])
    df.insert(0, "time", np.arange(n) / RATE)
    df.to_csv(path, index=False, float_format="%.6f")


def make_xsens(path: Path, minutes: float) -> None:
    """1 hour of an Xsens export tiled from ipol-gait 1-1_lb.txt (counter continued)."""
    src = DATA / "ipol-gait" / "1-1_lb.txt"
    lines = src.read_text().splitlines()
    head, header, rows = lines[0], lines[1], lines[2:]
    counters = np.array([float(r.split("\t", 1)[0]) for r in rows], dtype=np.int64)
    rests = [r.split("\t", 1)[1] for r in rows]
    span = int(counters[-1] - counters[0] + 1)
    target = int(minutes * 60 * RATE)
    out = [head, header]
    k = 0
    while k * span < target:
        base = k * span
        out.extend(
            f"{float((c + base) % 65536):.1f}\t{rest}"
            for c, rest in zip(counters, rests, strict=True)
            if c + base < target
        )
        k += 1
    path.write_text("\n".join(out) + "\n")


def run(kind: str, path: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"shared data not found at {DATA.resolve()}; nothing to measure")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        files = {
            "generic-csv": (Path(tmp) / "hour.csv", make_generic_csv, "pandas"),
            "xsens-txt": (Path(tmp) / "hour_lb.txt", make_xsens, "pandas-tsv"),
        }
        print(
            f"{args.minutes:g} min at {RATE} Hz, median of {args.repeat} runs, fresh process each"
        )
        print(
            f"{'file':<12} {'size MiB':>8} {'reader':<24} {'seconds':>8} {'peak MiB':>9} "
            f"{'decoded MiB':>11} {'peak/decoded':>12}"
        )
        ok = True
        for name, (path, make, pandas_kind) in files.items():
            make(path, args.minutes)
            size = path.stat().st_size / 2**20
            runs: dict[str, list[dict[str, float]]] = {"retrowalk": [], pandas_kind: []}
            for _ in range(args.repeat):
                for kind in runs:
                    runs[kind].append(run(kind, path))
            rows = {
                kind: {
                    "s": statistics.median(r["s"] for r in rs),
                    "peak": statistics.median(r["peak_mib"] for r in rs),
                    "decoded": rs[0]["decoded_mib"],
                    "n": rs[0]["n"],
                }
                for kind, rs in runs.items()
            }
            decoded = rows["retrowalk"]["decoded"]
            for kind, r in rows.items():
                label = (
                    "read_recording"
                    if kind == "retrowalk"
                    else (
                        "pandas.read_csv default"
                        if kind == "pandas"
                        else "pandas.read_csv(sep=\\t)"
                    )
                )
                ratio = r["peak"] / decoded if decoded else float("nan")
                print(
                    f"{name:<12} {size:8.1f} {label:<24} {r['s']:8.3f} {r['peak']:9.1f} "
                    f"{decoded:11.1f} {ratio:12.2f}"
                )
            fast = rows["retrowalk"]["s"] <= rows[pandas_kind]["s"]
            lean = rows["retrowalk"]["peak"] < 5 * decoded
            ok &= fast and lean
            print(
                f"{'':<12} samples={rows['retrowalk']['n']}  as fast as pandas: {fast}  "
                f"peak < 5x decoded: {lean}"
            )
        print("targets met" if ok else "TARGETS MISSED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

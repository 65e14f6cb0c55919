"""Peak memory and time per hour of ``retrowalk analyze`` on long recording files.

Run: ``.venv/bin/python benchmarks/long_recording.py [--hours 1,24,72] [--keep DIR]``

For each length a CSV file (``time_s, acc_x..z`` in m/s^2, ``gyr_x..z`` in deg/s,
100 Hz, the layout of the mobgap lab CSVs) is written by tiling the real
ipol-gait lower-back trials (Voisard et al. 2023, IPOL 13:497; read through
``tests/realdata.py``), then ``retrowalk analyze FILE --placement lower_back
--json OUT`` runs on it in a fresh process, one core. The table gives the
whole-process wall time, wall and CPU seconds per hour of data (the CPU time is
the child's own, ``wait4``'s ``ru_utime + ru_stime``: other work on the machine
slows the wall time far more) and the peak resident memory of that process
(its own ``VmHWM``, imports included: ``wait4``'s ``ru_maxrss`` would count this
script's memory at the fork), beside the targets: peak memory below 500 MB at
24 h, and time per hour flat with length (each length's CPU s/h over the first
length's). Text tables are read in chunks whatever their size, so a week
(``--hours 168``, a 4 GB file) is read too. The machine's load average is
printed with each row.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

FS = 100.0
TARGET_PEAK_MB_24H = 500.0
SINGLE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _tile() -> tuple[np.ndarray, np.ndarray]:
    import _data

    ids = _data.ipol_trial_ids()
    if not ids:
        raise SystemExit(f"no ipol-gait recordings under {_data.data_root()}")
    parts = [_data.load_ipol_trial(t, "lb")[0] for t in ids]
    acc = np.concatenate([p.acc_mps2 for p in parts])
    gyro = np.concatenate([p.gyro_rads for p in parts if p.gyro_rads is not None])
    return acc, np.rad2deg(gyro)


def write_file(path: Path, hours: float, acc: np.ndarray, gyro_dps: np.ndarray) -> None:
    """``hours`` of the tiled trials as one CSV, written an hour at a time.

    The six sample columns of one pass through the trials are formatted once
    (``%.6f``, as ``pandas.DataFrame.to_csv(float_format="%.6f")`` writes them)
    and reused, and the time column ``i / 100`` is written as its exact two
    decimals, so a week's file takes minutes instead of an hour.
    """
    n = int(hours * 3600 * FS)
    per = int(3600 * FS)
    assert FS == 100.0  # the time text below is exact for 100 Hz only
    body = [",".join(f"{v:.6f}" for v in row) for row in np.column_stack([acc, gyro_dps]).tolist()]
    period = len(body)
    with open(path, "w") as fh:
        fh.write("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n")
        for start in range(0, n, per):
            stop = min(start + per, n)
            fh.write(
                "".join(
                    f"{i // 100}.{i % 100:02d}0000,{body[i % period]}\n" for i in range(start, stop)
                )
            )


# Runs ``python -m retrowalk.cli ARGS`` and writes the process's own peak
# resident memory (VmHWM, kB) to the file named by RW_PEAK_FILE as it exits.
_MEASURED = """
import atexit, os, runpy, sys

def _peak():
    with open("/proc/self/status") as fh:
        kb = [int(x.split()[1]) for x in fh if x.startswith("VmHWM:")][0]
    with open(os.environ["RW_PEAK_FILE"], "w") as out:
        out.write(str(kb))

atexit.register(_peak)
sys.argv = ["retrowalk", *sys.argv[1:]]
runpy.run_module("retrowalk.cli", run_name="__main__", alter_sys=True)
"""


def run_cli(path: Path, out: Path) -> tuple[float, float, float, int]:
    """Wall and CPU seconds, peak RSS in MB (VmHWM) and exit code of one ``retrowalk analyze``."""
    peak_file = out.with_suffix(".peak")
    env = {
        **os.environ, **SINGLE_CORE,
        "PYTHONPATH": str(ROOT / "src"), "RW_PEAK_FILE": str(peak_file),
    }  # fmt: skip
    args = [
        sys.executable, "-c", _MEASURED, "analyze", str(path),
        "--placement", "lower_back", "--json", str(out),
    ]  # fmt: skip
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own CPU time
        elapsed = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        if code != 0:
            err.seek(0)
            print(err.read().decode(errors="replace").strip()[-400:])
    peak_mb = int(peak_file.read_text()) / 1024.0 if peak_file.exists() else float("nan")
    peak_file.unlink(missing_ok=True)
    return elapsed, usage.ru_utime + usage.ru_stime, peak_mb, code


def _load() -> str:
    with open("/proc/loadavg") as fh:
        return fh.read().split()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", default="1,24", help="comma-separated lengths in hours")
    parser.add_argument("--keep", help="write the files here and keep them")
    args = parser.parse_args(argv)
    lengths = [float(h) for h in args.hours.split(",")]
    acc, gyro = _tile()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rw-long-"))
    folder.mkdir(parents=True, exist_ok=True)
    print("retrowalk analyze on long CSV files (tiled ipol-gait lower back, 100 Hz, acc + gyro)")
    print(
        f"{'length':>8} {'file MB':>8} {'time s':>8} {'s/hour':>8} {'cpu s/h':>8} "
        f"{'vs first':>8} {'peak MB':>8} {'load':>5}"
    )
    base: float | None = None
    try:
        for hours in lengths:
            path = folder / f"long_{hours:g}h.csv"
            if not path.exists():
                write_file(path, hours, acc, gyro)
            seconds, cpu, peak_mb, code = run_cli(path, folder / f"long_{hours:g}h.json")
            load = _load()
            per_hour, cpu_per_hour = seconds / hours, cpu / hours
            base = cpu_per_hour if base is None else base
            label = f"{hours:g} h" if hours < 48 else f"{hours / 24:g} d"
            mark = "" if code == 0 else f"  (exit {code})"
            target = ""
            if hours == 24:
                ok = "met" if peak_mb < TARGET_PEAK_MB_24H else "MISSED"
                target = f"  target peak < {TARGET_PEAK_MB_24H:g} MB: {ok}"
            print(
                f"{label:>8} {path.stat().st_size / 2**20:8.0f} {seconds:8.1f} {per_hour:8.2f} "
                f"{cpu_per_hour:8.2f} {cpu_per_hour / base:7.2f}x {peak_mb:8.0f} {load:>5}"
                f"{mark}{target}"
            )
            if not args.keep:
                path.unlink()
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed and memory of the full ``analyze()`` pipeline on long lower-back recordings.

Run: ``.venv/bin/python benchmarks/throughput.py [--quick]``

A recording of the requested length is built by tiling the real ipol-gait
lower-back trials (100 Hz, acc + gyro; standing, walking, turning), and the
full pipeline runs on it on one core. Each length runs in its own process so
that its peak memory (VmHWM) is its own; the memory reported is the growth of
the peak during ``analyze()`` over the peak after building the input.
Lengths: 1 h (median of 5 runs), 24 h, 7 days (skipped with ``--quick``).

The reference tools (mobgap, scikit-digital-health, gaitmap) are measured side
by side with retrowalk on the same hour by ``benchmarks/anchors.py``
(``make bench-anchors``); no anchor figure is written here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _memory import peak_mb, reset_peak  # noqa: E402

TARGET_S_PER_H = 0.65
FS = 100.0
SINGLE_CORE = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}


def tiled_signals(hours: float) -> tuple[np.ndarray, np.ndarray]:
    """acc (m/s^2) and gyro (rad/s) of ``hours`` at 100 Hz from the ipol lower-back trials."""
    import _data

    ids = _data.ipol_trial_ids()
    if not ids:
        raise SystemExit(f"no ipol-gait recordings under {_data.data_root()}")
    parts = [_data.load_ipol_trial(t, "lb")[0] for t in ids]
    acc = np.concatenate([p.acc_mps2 for p in parts])
    gyro = np.concatenate([p.gyro_rads for p in parts])
    n = int(hours * 3600 * FS)
    idx = np.arange(n) % acc.shape[0]
    return acc[idx], gyro[idx]


def child(hours: float, runs: int) -> dict[str, float]:
    """Run inside a fresh process: build the input, time ``analyze()``."""
    from retrowalk.core.recording import Recording
    from retrowalk.pipeline import AnalysisOptions, analyze

    acc, gyro = tiled_signals(hours)
    rec = Recording(acc_mps2=acc, gyro_rads=gyro, sampling_rate_hz=FS, placement="lower_back")
    del acc, gyro
    reset_peak()
    base = peak_mb()
    times = []
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = analyze(rec, AnalysisOptions())
        times.append(time.perf_counter() - t0)
    peak = peak_mb()
    assert result is not None
    assert rec.gyro_rads is not None
    return {
        "hours": hours,
        "samples": rec.n_samples,
        "median_s": float(np.median(times)),
        "runs": runs,
        "input_mb": (rec.acc_mps2.nbytes + rec.gyro_rads.nbytes) / 2**20,
        "base_mb": base,
        "peak_mb": peak,
        "bouts": len(result.bouts),
        "steps": len(result.steps),
    }


def spawn(hours: float, runs: int) -> dict[str, float]:
    env = {**os.environ, **SINGLE_CORE}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(hours), "--runs", str(runs)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _ratio(row: dict[str, float], per_hour: float) -> str:
    return f"{row['median_s'] / row['hours'] / per_hour:.2f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="throughput of analyze()")
    parser.add_argument("--quick", action="store_true", help="skip the 7-day recording")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.runs)))
        return 0

    lengths = [(1.0, 5), (24.0, 1)] + ([] if args.quick else [(168.0, 1)])
    print("retrowalk throughput — full analyze(), lower back, 100 Hz, acc + gyro, one core")
    print(
        f"{'length':>8} {'samples':>12} {'time s':>8} {'s/hour':>8} {'input MB':>9} "
        f"{'extra peak MB':>13} {'bouts':>7} {'steps':>8}"
    )
    rows = []
    for hours, runs in lengths:
        r = spawn(hours, runs)
        rows.append(r)
        extra = r["peak_mb"] - r["base_mb"]
        label = f"{hours:g} h" if hours < 48 else f"{hours / 24:g} d"
        print(
            f"{label:>8} {r['samples']:>12,d} {r['median_s']:8.2f} {r['median_s'] / hours:8.3f} "
            f"{r['input_mb']:9.0f} {extra:13.0f} {r['bouts']:7d} {r['steps']:8d}"
            + (f"   (median of {runs})" if runs > 1 else "")
        )
    per_hour = rows[0]["median_s"]
    print(
        f"\nper hour: {per_hour:.3f} s (target < {TARGET_S_PER_H} s); "
        f"linearity: {', '.join(_ratio(r, per_hour) for r in rows)} "
        "of the 1-hour rate per hour"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed and memory of the full ``analyze()`` pipeline on long lower-back recordings.

Run: ``.venv/bin/python benchmarks/throughput.py [--quick] [--mobgap-python PATH]``

A recording of the requested length is built by tiling the real ipol-gait
lower-back trials (100 Hz, acc + gyro; standing, walking, turning), and the
full pipeline runs on it on one core. Each length runs in its own process so
that its peak memory (VmHWM) is its own; the memory reported is the growth of
the peak during ``analyze()`` over the peak after building the input.
Lengths: 1 h (median of 5 runs), 24 h, 7 days (skipped with ``--quick``).

``--mobgap-python`` names a Python that has mobgap installed (kept out of this
project's dependencies); its full Mobilise-D pipeline (MobilisedPipelineHealthy)
then runs on the same 1-hour signal in the same invocation. Without it the
anchor figure (13 s per hour) is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MOBGAP_ANCHOR_S_PER_H = 13.0
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


def _vm_hwm_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _reset_hwm() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def child(hours: float, runs: int) -> dict[str, float]:
    """Run inside a fresh process: build the input, time ``analyze()``."""
    from retrowalk.core.recording import Recording
    from retrowalk.pipeline import AnalysisOptions, analyze

    acc, gyro = tiled_signals(hours)
    rec = Recording(acc_mps2=acc, gyro_rads=gyro, sampling_rate_hz=FS, placement="lower_back")
    del acc, gyro
    _reset_hwm()
    base = _vm_hwm_mb()
    times = []
    result = None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = analyze(rec, AnalysisOptions())
        times.append(time.perf_counter() - t0)
    peak = _vm_hwm_mb()
    assert result is not None
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


MOBGAP_SCRIPT = r"""
import json, sys, time, warnings
import numpy as np, pandas as pd
warnings.filterwarnings("ignore")
from mobgap.data import GaitDatasetFromData
from mobgap.pipeline import MobilisedPipelineHealthy
data = np.load(sys.argv[1])
acc, gyro = data["acc"], np.rad2deg(data["gyro"])
# ipol lower back: X up, Y left, Z backward -> mobgap body frame: x up, y ML, z AP forward
# (a proper rotation: 180 degrees about x)
df = pd.DataFrame({"acc_x": acc[:, 0], "acc_y": -acc[:, 1], "acc_z": -acc[:, 2],
                   "gyr_x": gyro[:, 0], "gyr_y": -gyro[:, 1], "gyr_z": -gyro[:, 2]})
ds = GaitDatasetFromData(
    {"p1": {"LowerBack": df}}, 100.0,
    {"p1": {"height_m": 1.7, "sensor_height_m": 0.95, "cohort": "HA", "foot_length_cm": 26,
            "weight_kg": 70, "sensor_type_su": "", "handedness": "right", "indip_data_used": ""}},
    {"p1": {"measurement_condition": "free_living"}},
)
t0 = time.perf_counter()
pipe = MobilisedPipelineHealthy().safe_run(ds[0])
elapsed = time.perf_counter() - t0
n = 0 if pipe.per_wb_parameters_ is None else len(pipe.per_wb_parameters_)
print(json.dumps({"seconds": elapsed, "bouts": n}))
"""


def run_mobgap(python: str, hours: float) -> dict[str, float] | str:
    acc, gyro = tiled_signals(hours)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "signal.npz"
        np.savez(path, acc=acc, gyro=gyro)
        script = Path(tmp) / "run_mobgap.py"
        script.write_text(MOBGAP_SCRIPT)
        env = {**os.environ, **SINGLE_CORE}
        proc = subprocess.run(
            [python, str(script), str(path)], capture_output=True, text=True, env=env, check=False
        )
    if proc.returncode != 0:
        return f"mobgap failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else '?'}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


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
    parser.add_argument("--mobgap-python", help="a Python with mobgap installed")
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
    if args.mobgap_python:
        mg = run_mobgap(args.mobgap_python, 1.0)
        if isinstance(mg, str):
            print(f"{mg}; anchor: {MOBGAP_ANCHOR_S_PER_H} s per hour")
        else:
            print(
                f"mobgap MobilisedPipelineHealthy on the same 1 h: {mg['seconds']:.2f} s "
                f"({mg['bouts']} bouts) -> retrowalk is {mg['seconds'] / per_hour:.0f}x faster"
            )
    else:
        print(
            f"mobgap anchor: {MOBGAP_ANCHOR_S_PER_H} s per hour -> retrowalk is "
            f"{MOBGAP_ANCHOR_S_PER_H / per_hour:.0f}x faster (target >= 20x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

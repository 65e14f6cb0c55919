"""Accuracy of the single-foot gait engine on ipol-gait (both feet, all trials).

Run: ``.venv/bin/python benchmarks/foot_accuracy.py [--trials 1-1 1-2 ...]``

Measures, per condition:

- initial-contact recall / precision against the dataset's heel strikes (one-to-one
  matching within +/-0.25 s, only reference events inside TrialBoundaries; the
  detections are restricted to the same boundaries), timing error mean and MAE;
- stride direction: forward recording -> "forward", time-reversed -> "backward",
  share "uncertain";
- stride length plausibility: summed horizontal displacement of the strides of each
  straight 10 m leg (before / after the U-turn) against 10 m.

Conditions: the recordings as they are; rotated by a random 3D rotation; time
reversed (``Recording.time_reversed``, the stand-in for backward walking; its
contacts are compared with the reversed toe-offs); time reversed and slowed to
60 % speed (``resample_poly(x, 5, 3)`` at the same rate; the angular rate is
scaled by 0.6 so that the foot turns through the same angles, while the
acceleration is only stretched in time, so its dynamic part is too large for
the slower motion and the stride lengths of that condition are inflated by about
(1/0.6)^2 - only its contacts and directions are meaningful).

The Xsens exports drop packets (``PacketCounter`` jumps); the reference events
are in packet-counter time, so the loader puts the samples on the packet grid and
interpolates the dropped ones.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import signal
from scipy.spatial.transform import Rotation

from _data import data_root
from retrowalk.gait.foot import FootGaitAnalyzer

FS = 100.0
TOLERANCE_S = 0.25


def data_dir() -> Path:
    return data_root() / "ipol-gait"


def load_foot(trial: str, side: str) -> tuple[np.ndarray, np.ndarray, dict]:
    """Acc, gyro on the packet-counter grid, and the trial's JSON."""
    folder = data_dir()
    frame = pd.read_csv(folder / f"{trial}_{side}.txt", sep="\t", skiprows=1)
    frame.columns = [c.strip() for c in frame.columns]
    counter = frame["PacketCounter"].to_numpy(dtype=np.int64)
    counter = counter - counter[0]
    keep = np.concatenate([[True], np.diff(counter) > 0])
    frame, counter = frame[keep], counter[keep]
    grid = np.arange(counter[-1] + 1)

    def cols(names: list[str]) -> np.ndarray:
        return np.column_stack([np.interp(grid, counter, frame[c].to_numpy(float)) for c in names])

    acc = cols(["Acc_X", "Acc_Y", "Acc_Z"])
    gyro = cols(["Gyr_X", "Gyr_Y", "Gyr_Z"])
    with open(folder / f"{trial}.json") as fh:
        info = json.load(fh)
    return acc, gyro, info


def match(detected: np.ndarray, reference: np.ndarray, tol: int) -> np.ndarray:
    """One-to-one greedy matching by distance; returns (det_index, ref_index) pairs."""
    if len(detected) == 0 or len(reference) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    dist = np.abs(detected[:, None] - reference[None, :])
    pairs = []
    used_d: set[int] = set()
    used_r: set[int] = set()
    for flat in np.argsort(dist, axis=None):
        i, j = np.unravel_index(flat, dist.shape)
        if dist[i, j] > tol:
            break
        if i in used_d or j in used_r:
            continue
        used_d.add(int(i))
        used_r.add(int(j))
        pairs.append((int(i), int(j)))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


class Tally:
    def __init__(self) -> None:
        self.tp = self.n_ref = self.n_det = 0
        self.errors: list[float] = []
        self.directions: list[str] = []
        self.leg_ratios: list[float] = []

    def add_contacts(self, det: np.ndarray, ref: np.ndarray, fs: float) -> None:
        pairs = match(det, ref, round(TOLERANCE_S * fs))
        self.tp += len(pairs)
        self.n_ref += len(ref)
        self.n_det += len(det)
        self.errors += list((det[pairs[:, 0]] - ref[pairs[:, 1]]) / fs * 1000.0)

    def row(self, name: str, expected: str) -> str:
        recall = self.tp / max(self.n_ref, 1)
        precision = self.tp / max(self.n_det, 1)
        err = np.array(self.errors) if self.errors else np.array([np.nan])
        d = np.array(self.directions)
        n = max(len(d), 1)
        legs = np.array(self.leg_ratios) if self.leg_ratios else np.array([np.nan])
        return (
            f"{name:<26} {self.n_ref:>5} {100 * recall:>6.1f} {100 * precision:>6.1f} "
            f"{err.mean():>7.1f} {np.abs(err).mean():>6.1f} "
            f"{len(d):>6} {100 * np.mean(d == expected) if len(d) else np.nan:>6.1f} "
            f"{100 * np.sum((d != expected) & (d != 'uncertain')) / n:>6.1f} "
            f"{100 * np.mean(d == 'uncertain') if len(d) else np.nan:>6.1f} "
            f"{np.nanmedian(legs) * 10:>6.2f} {np.nanpercentile(legs, 10) * 10:>5.2f}-"
            f"{np.nanpercentile(legs, 90) * 10:<5.2f}"
        )


def leg_ratio(strides: pd.DataFrame, lo: int, hi: int) -> float:
    """Summed stride length between lo and hi (samples) divided by 10 m."""
    inside = strides[(strides["start_sample"] >= lo) & (strides["end_sample"] <= hi)]
    return float(inside["stride_length_m"].sum()) / 10.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", nargs="*", help="trial ids like 1-1 (default: all)")
    args = parser.parse_args(argv)
    folder = data_dir()
    if not folder.is_dir():
        print(f"ipol-gait data not found at {folder}", file=sys.stderr)
        return 1
    trials = args.trials or sorted(
        (p.stem for p in folder.glob("*-*.json")),
        key=lambda t: tuple(int(v) for v in t.split("-")),
    )
    rng = np.random.default_rng(0)
    names = ["as recorded", "random 3D rotation", "time-reversed", "reversed, 60 % speed"]
    expected = ["forward", "forward", "backward", "backward"]
    tallies = {name: Tally() for name in names}
    toe_ok = 0
    n_files = 0
    t_start = time.perf_counter()
    for trial in trials:
        for side, key in (("lf", "LeftFootEvents"), ("rf", "RightFootEvents")):
            acc, gyro, info = load_foot(trial, side)
            n = acc.shape[0]
            lo, hi = (int(v) for v in info["TrialBoundaries"])
            hi = min(hi, n - 1)
            u0, u1 = (int(v) for v in info["UTurnBoundaries"])
            events = np.array([e for e in info[key] if len(e) >= 2], dtype=np.int64)
            ref_ic = np.sort(events[:, 1][(events[:, 1] >= lo) & (events[:, 1] <= hi)])
            ref_to = np.sort(events[:, 0][(events[:, 0] >= lo) & (events[:, 0] <= hi)])
            n_files += 1

            rot = Rotation.random(random_state=rng).as_matrix()
            variants = {
                "as recorded": (acc, gyro, 1.0),
                "random 3D rotation": (acc @ rot.T, gyro @ rot.T, 1.0),
                "time-reversed": (acc[::-1], -gyro[::-1], 1.0),
            }
            slow_acc = signal.resample_poly(acc[::-1], 5, 3, axis=0)
            slow_gyro = signal.resample_poly(-gyro[::-1], 5, 3, axis=0) * 0.6
            variants["reversed, 60 % speed"] = (slow_acc, slow_gyro, 5.0 / 3.0)

            for name, (a, g, stretch) in variants.items():
                res = FootGaitAnalyzer().analyze(a, g, FS)
                tally = tallies[name]
                reversed_ = name.startswith("reversed") or name == "time-reversed"
                if reversed_:
                    # Sample k of the reversed signal is sample n-1-k of the original.
                    total = a.shape[0]
                    r_lo, r_hi = (total - 1 - hi * stretch), (total - 1 - lo * stretch)
                    ref = np.sort(np.round((n - 1 - ref_to) * stretch).astype(np.int64))
                    legs = [
                        (total - 1 - u0 * stretch, r_hi),
                        (r_lo, total - 1 - u1 * stretch),
                    ]
                else:
                    r_lo, r_hi = lo, hi
                    ref = ref_ic
                    legs = [(lo, u0), (u1, hi)]
                det = res.initial_contacts_
                det = det[(det >= r_lo - TOLERANCE_S * FS) & (det <= r_hi + TOLERANCE_S * FS)]
                tally.add_contacts(det, ref, FS)
                strides = res.strides_
                inside = strides[(strides["ic_sample"] >= r_lo) & (strides["ic_sample"] <= r_hi)]
                tally.directions += list(inside["direction"])
                for leg_lo, leg_hi in legs:
                    tally.leg_ratios.append(leg_ratio(strides, int(leg_lo), int(leg_hi)))
                if name == "as recorded" and res.toe_axis_ is not None:
                    # Test-only check with the README's axes: toe towards -X.
                    toe_ok += int(res.toe_axis_[0] < -0.5)

    elapsed = time.perf_counter() - t_start
    print(f"ipol-gait foot sensors: {len(trials)} trials, {n_files} foot recordings")
    print(
        f"toe end of the long axis correct (README axes, test only): {toe_ok}/{n_files}; "
        f"{elapsed:.1f} s for {4 * n_files} analyses"
    )
    header = (
        f"{'condition':<26} {'n_ref':>5} {'recall':>6} {'prec':>6} {'err_ms':>7} {'mae_ms':>6} "
        f"{'strides':>6} {'%right':>6} {'%wrong':>6} {'%unc':>6} {'leg_m':>6} {'p10-p90':<11}"
    )
    print(header)
    print("-" * len(header))
    for name, exp in zip(names, expected, strict=True):
        print(tallies[name].row(name, exp))
    print(
        "\nreversed conditions: contacts are compared with the reversed toe-offs (the "
        "first ground contact of the reversed stride); leg_m = summed stride length per "
        "straight 10 m leg (median, 10th-90th percentile)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

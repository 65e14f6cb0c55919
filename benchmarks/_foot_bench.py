"""Foot-sensor rows of the direction benchmark, and the foot mechanics.

Accuracy (real recordings): ipol-gait feet, 12 people walking forward (both
feet, every trial). A straight stride is one the analysis does not flag as
turning, inside the trial boundaries; the U-turn pivots are left out of the
stride figures and kept in the bout time. No real backward walking with a foot
sensor is in the shared data: the backward targets are printed as not
measured.

Nothing in the foot path was tuned on these recordings for this table: the
foot thresholds are the analyser's defaults (see ``retrowalk.gait.foot``), so
the leave-one-person-out column is the same figure. The foot path does not use
a direction calibration either (the toe end comes from the foot's
plantarflexion range), so the calibrated column is the same figure too.

Mechanics (``--mechanics``, never accuracy): a kinematic model of toe-first
backward strides, and real forward walks followed without a pause by their
first leg turned 180 degrees about the vertical (``tests/gait/foot_helpers``).
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from _data import ipol_trial_ids, load_ipol_trial
from retrowalk.gait.foot import FootGaitAnalyzer
from retrowalk.pipeline import AnalysisOptions, analyze

_GAIT_TESTS = str(Path(__file__).resolve().parents[1] / "tests" / "gait")
CONFIDENT = 0.9
Row = tuple[str, str, str, "float | str"]


@lru_cache(maxsize=1)
def foot_rows() -> tuple[Row, ...]:
    """Rows ``(data set, figure, target, value)`` of the foot path (real data only)."""
    n_straight = 0
    counts = {"forward": 0, "backward": 0, "uncertain": 0, "sideways": 0}
    time_by: dict[str, float] = {"all": 0.0, "forward": 0.0, "backward": 0.0}
    confident: list[bool] = []
    people: dict[int, list[int]] = {}
    for tid in ipol_trial_ids():
        for side in ("lf", "rf"):
            rec, meta = load_ipol_trial(tid, side)
            lo, hi = meta["trial_boundaries"]
            foot = FootGaitAnalyzer().analyze(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)
            s = foot.strides_
            inside = s[(s["ic_sample"] >= lo) & (s["ic_sample"] <= hi) & ~s["turning"]]
            n_straight += len(inside)
            for label in counts:
                counts[label] += int((inside["direction"] == label).sum())
            person = people.setdefault(int(meta["subject"]), [0, 0])
            person[0] += int((inside["direction"] == "forward").sum())
            person[1] += len(inside)
            result = analyze(rec, AnalysisOptions(placement="foot"))
            for bout in result.bouts:
                time_by["all"] += bout.duration_s
                if bout.direction in time_by:
                    time_by[bout.direction] += bout.duration_s
                called = bout.direction in ("forward", "backward")
                if called and bout.direction_confidence >= CONFIDENT:
                    confident.append(bout.direction == "forward")
    name = "ipol foot (real, forward)"
    pct = {k: 100.0 * v / max(n_straight, 1) for k, v in counts.items()}
    worst = min(100.0 * f / max(n, 1) for f, n in people.values()) if people else float("nan")
    total = max(time_by["all"], 1e-9)
    wrong = sum(not ok for ok in confident)
    share_wrong = (
        f"{100.0 * wrong / len(confident):.1f} % of {len(confident)}"
        if confident
        else "no calls >= 0.9"
    )
    time_label = f"bout time forward, % ({time_by['all']:.0f} s)"
    rows: list[Row] = [
        (name, f"straight strides right, % (n={n_straight})", ">= 98", pct["forward"]),
        (name, "straight strides right, worst person, %", "", worst),
        (name, "straight strides called backward, %", "0", pct["backward"]),
        (name, "straight strides uncertain/sideways, %", "", pct["uncertain"] + pct["sideways"]),
        (name, time_label, ">= 90", 100.0 * time_by["forward"] / total),
        (name, "bout time backward, %", "0", 100.0 * time_by["backward"] / total),
        (name, "wrong among calls >= 0.9", "<= 2 %", share_wrong),
        ("foot, real backward", "strides right, %", ">= 95", "no data"),
        ("foot, real backward", "distance error, %", "<= 10", "no data"),
    ]
    return tuple(rows)


def foot_mechanics() -> None:
    """Print the toe-first mechanics: the kinematic model and the turned splices."""
    if _GAIT_TESTS not in sys.path:
        sys.path.insert(0, _GAIT_TESTS)
    from foot_helpers import forward_then_turned
    from foot_model import backward_walk

    print("\n== FOOT MECHANICS (models of toe-first strides; not accuracy)")
    kinds: dict[str, dict[str, Any]] = {
        "plain": {},
        "pitch turns round in mid-swing": {"reversal_deg": 20.0},
        "glide in mid-swing": {"glide_share": 0.25},
        "short slow strides": {"stride_m": 0.6, "swing_s": 0.6, "land_deg": 20.0},
        "small pitch range": {"stride_m": 0.5, "swing_s": 0.55, "lift_deg": 4.0, "land_deg": 10.0},
    }
    for kind, kw in kinds.items():
        walk = backward_walk(**kw)
        s = FootGaitAnalyzer().analyze(walk.acc_mps2, walk.gyro_rads, 100.0).strides_
        err = 100.0 * (s["stride_length_m"].median() / walk.stride_m - 1.0)
        back = 100.0 * float((s["direction"] == "backward").mean()) if len(s) else float("nan")
        print(f"model {kind:<32} strides {len(s)}/{walk.toe_landings.size}  "
              f"length error {err:+.1f} %  backward {back:.0f} %")  # fmt: skip
    n = split_ok = 0
    ratios: list[float] = []
    backward: list[float] = []
    for tid in ipol_trial_ids():
        for side in ("lf", "rf"):
            rec, junction, offset = forward_then_turned(tid, side)
            fwd = load_ipol_trial(tid, side)[0]
            res = FootGaitAnalyzer().analyze(rec.acc_mps2, rec.gyro_rads, 100.0)
            orig = FootGaitAnalyzer().analyze(fwd.acc_mps2, fwd.gyro_rads, 100.0).strides_
            s = res.strides_
            after = s[s["start_sample"] >= junction]
            n += 1
            if len(after):
                backward.append(float((after["direction"] == "backward").mean()))
            own = np.sort(s["ic_sample"].to_numpy())
            if res.walking_bouts_:
                cut = res.walking_bouts_[-1][0]
                k_cut = int(np.searchsorted(own, cut))
                split_ok += abs(k_cut - int(np.searchsorted(own, junction))) <= 2
            starts = orig["start_sample"].to_numpy()
            for start, length in zip(after["start_sample"], after["stride_length_m"], strict=True):
                j = int(np.argmin(np.abs(starts - (start + offset))))
                if abs(int(starts[j]) - (start + offset)) <= 3:
                    ratios.append(length / float(orig["stride_length_m"].iloc[j]))
    r = np.array(ratios)
    print(f"forward walk + its first leg turned 180 deg about the vertical, {n} walks:")
    print(
        f"  new bout within 2 strides of the change {split_ok}/{n}; turned strides backward "
        f"{100 * np.mean(backward):.1f} % (median walk {100 * np.median(backward):.0f} %)"
    )
    print(f"  turned stride / stride it was built from: median {np.median(r):.3f}, "
          f"within 10 % {100 * np.mean(np.abs(r - 1) <= 0.1):.1f} % of {r.size}")  # fmt: skip

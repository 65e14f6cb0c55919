"""Mechanics of direction (never accuracy): walks joined to their time reversal, devices moved.

Each ipol-gait lower-back trial is cut to: quiet standing and the first leg,
then the return leg and the standing played backwards (no pause at the
junction). Through :func:`retrowalk.pipeline.analyze` the walk must come out as
two bouts of opposite direction (or both uncertain where no anchor applies),
split within 2 steps of the junction, each step in one bout, each bout counting
only its own steps. Time reversal is not backward walking; these figures test
splitting and bookkeeping only.

:func:`moved_devices`: the same lower backs as a device at the right hip or the
front of the waist would read them (``realdata.ipol_lower_back_moved``: rigid-body
mechanics), each walk alone and each person's walks joined into one recording
(6-8 turns): the share of bout time called forward, backward and uncertain. The
turns mark the back of the body only for a device behind the turning axis, so
these show where the lower-back anchor misleads, not how often real hips do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from _data import ipol_trial_ids, load_ipol_trial
from realdata import PELVIS_PLACES, ipol_lower_back_moved, ipol_lower_back_rows
from retrowalk.core.recording import Recording
from retrowalk.pipeline import AnalysisOptions, analyze


def mechanics() -> None:
    """Print how often the junction is split within 2 steps and the bookkeeping holds."""
    n = split_ok = labels_ok = books_ok = 0
    for tid in ipol_trial_ids():
        rec, ((a0, a1), (b0, b1)), _ = ipol_lower_back_rows(tid)
        assert rec.gyro_rads is not None
        acc = np.vstack([rec.acc_mps2[:a1], rec.acc_mps2[b0:b1][::-1], rec.acc_mps2[:a0][::-1]])
        gyro = np.vstack(
            [rec.gyro_rads[:a1], -rec.gyro_rads[b0:b1][::-1], -rec.gyro_rads[:a0][::-1]]
        )
        result = analyze(Recording(acc, gyro, 100.0), AnalysisOptions(placement="lower_back"))
        n += 1
        times = np.array([s.time_s for s in result.steps])
        junction = int(np.searchsorted(times, a1 / 100.0))
        starts = [int(np.searchsorted(times, b.start_s)) for b in result.bouts[1:]]
        split_ok += any(abs(k - junction) <= 2 for k in starts)
        dirs = [b.direction for b in result.bouts]
        labels_ok += dirs in (["forward", "backward"], ["uncertain", "uncertain"])
        own = [sum(s.bout == k for s in result.steps) for k in range(len(result.bouts))]
        books_ok += own == [b.n_steps for b in result.bouts] and len(set(times)) == times.size
    print("\n== MECHANICS (ipol lower back + its own time reversal; not accuracy)")
    print(f"trials {n}: split within 2 steps of the junction {split_ok}, bouts forward|backward")
    print(f"(or both uncertain) {labels_ok}, bout step counts = own steps {books_ok}")


def moved_devices(profile_of: Callable[[Recording], Any] | None = None) -> None:
    """Print the bout time called each way of the ipol-gait lower backs moved on the pelvis.

    ``profile_of`` (a forward walk -> its calibration, or ``None`` when refused):
    then also each person's later walks analysed with the calibration made from
    their first walk at the same place.
    """
    people: dict[str, list[Recording]] = defaultdict(list)
    for tid in ipol_trial_ids():
        people[tid.split("-")[0]].append(load_ipol_trial(tid, "lb")[0])
    places = {"back of the waist (as recorded)": None, **PELVIS_PLACES}
    print("\n== DEVICES MOVED ON THE PELVIS (ipol lower backs, rigid-body mechanics; not accuracy)")
    print(f"{'place':<34}{'walks':<12}{'forward %':>11}{'backward %':>11}{'uncertain %':>12}")
    modes = ["alone", "joined"] + (["calibrated"] if profile_of is not None else [])
    for place, where in places.items():
        for mode in modes:
            time_by: dict[str, float] = defaultdict(float)
            for recs in people.values():
                moved = [_moved(rec, where) for rec in recs]
                profile = None
                if mode == "calibrated":
                    assert profile_of is not None
                    profile, moved = profile_of(moved[0]), moved[1:]
                parts = [_joined(moved)] if mode == "joined" else moved
                for rec in parts:
                    options = AnalysisOptions(direction_profile=profile)
                    for bout in analyze(rec, options).bouts:
                        time_by[bout.direction] += bout.duration_s
                        time_by["all"] += bout.duration_s
            total = max(time_by["all"], 1e-9)
            shares = [100 * time_by[d] / total for d in ("forward", "backward", "uncertain")]
            widths = (11, 11, 12)
            print(
                f"{place:<34}{mode:<12}"
                + "".join(f"{x:>{w}.1f}" for x, w in zip(shares, widths, strict=True))
            )
    if profile_of is not None:
        print("(calibrated: each person's first walk at that place is the calibration walk;")
        print(" the later walks are analysed with it)")


def _moved(rec: Recording, where: tuple[tuple[float, float, float], float] | None) -> Recording:
    """``rec`` as a device at ``where`` on the pelvis reads it (``None``: as recorded)."""
    if where is None:
        acc, gyro = rec.acc_mps2, rec.gyro_rads
    else:
        acc, gyro = ipol_lower_back_moved(rec, *where)
    return Recording(acc, gyro, rec.sampling_rate_hz, placement="lower_back")


def _joined(recs: list[Recording]) -> Recording:
    """One person's walks one after another, as one recording."""
    acc = np.concatenate([r.acc_mps2 for r in recs])
    gyro = np.concatenate([r.gyro_rads for r in recs if r.gyro_rads is not None])
    return Recording(acc, gyro, recs[0].sampling_rate_hz, placement="lower_back")

"""Weak contacts that the walk's rhythm does not need, at the lower back (RhythmContactFilter).

Mechanics on contact times alone (a weak contact in mid-step goes, one that
fills a step of a slow walk stays, one at either end of a walk goes, turning
steps are not judged), then real walks: the ipol-gait trials whose held-out
count the rule mends, and a pocket that it leaves alone.
"""

from __future__ import annotations

import numpy as np
import pytest
from trunk_helpers import data_module

import realdata
from retrowalk.gait.contacts import RhythmContactFilter
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.pipeline.trunk import TrunkPipeline

FS = 100.0
RULE = RhythmContactFilter(min_strength=0.35)


def _walk(step_s: float, n: int = 12) -> np.ndarray:
    return np.round(np.arange(n) * step_s * FS).astype(np.int64)


def test_a_weak_contact_in_mid_step_goes() -> None:
    ic = np.sort(np.append(_walk(0.6), round(3.3 * FS)))  # half-way between two steps
    strength = np.ones(ic.size)
    strength[np.flatnonzero(ic == round(3.3 * FS))] = 0.32
    keep = RULE.filter(ic, strength, FS).keep_
    assert np.array_equal(ic[keep], _walk(0.6))


def test_a_weak_step_of_a_slow_walk_stays() -> None:
    """Without it two steps of 0.9 s would be one interval of 1.8 s: a pause in a walk."""
    ic = _walk(0.9)
    strength = np.ones(ic.size)
    strength[5] = 0.32
    assert RULE.filter(ic, strength, FS).keep_.all()
    # at a normal pace (1.2 s without it) it is a step only by the step-time rule
    ic = _walk(0.6)
    assert not RULE.filter(ic, strength, FS).keep_[5]
    by_step_time = RhythmContactFilter(min_strength=0.35, min_span_steps=1.6)
    assert by_step_time.filter(ic, strength, FS).keep_.all()


def test_weak_contacts_at_the_ends_of_a_walk_go_and_turning_ones_are_not_judged() -> None:
    ic = _walk(0.6)
    strength = np.ones(ic.size)
    strength[[0, 1, -1]] = [0.31, 0.33, 0.34]  # a weight shift, a soft first step, a settling
    keep = RULE.filter(ic, strength, FS).keep_
    assert np.array_equal(np.flatnonzero(~keep), [0, 1, ic.size - 1])
    turning = np.zeros(ic.size, dtype=bool)
    turning[-1] = True
    keep = RULE.filter(ic, strength, FS, turning).keep_
    assert np.array_equal(np.flatnonzero(~keep), [0, 1])
    assert RhythmContactFilter(min_strength=None).filter(ic, strength, FS).keep_.all()


def _count(trial: str, pipeline: TrunkPipeline | None = None) -> tuple[int, int]:
    """Steps found in the trial (its boundaries, 0.25 s either side) and its true steps."""
    rec, meta = data_module().load_ipol_trial(trial, "lb")
    options = AnalysisOptions(placement="lower_back", height_m=meta["height_m"])
    pipelines = None if pipeline is None else {"trunk": pipeline}
    times = np.array([s.time_s for s in analyze(rec, options, pipelines=pipelines).steps])
    lo, hi = meta["trial_boundaries"]
    inside = (times * FS >= lo - 0.25 * FS) & (times * FS <= hi + 0.25 * FS)
    return int(np.count_nonzero(inside)), int(meta["ic"].size)


OFF = TrunkPipeline(rhythm_filter=RhythmContactFilter(min_strength=None))
ON = TrunkPipeline(rhythm_filter=RULE)


@pytest.mark.parametrize(("trial", "before"), [("1-2", 34), ("2-4", 34), ("6-6", 33)])
def test_real_walks_count_closer_to_the_reference(trial: str, before: int) -> None:
    """ipol-gait walks whose extra contact (at the U-turn, before the first step) is weak."""
    found_off, truth = _count(trial, OFF)
    found, _ = _count(trial, ON)
    assert found_off == before
    assert abs(found - truth) < abs(found_off - truth)


def test_daily_life_bouts_count_closer_to_indip() -> None:
    """mobgap-lab: the four reference bouts the rule changes all come closer to INDIP's
    contacts (HA_002's first bout 10 -> 9 of 9, MS_001's fifth 15 -> 13 of 12)."""
    realdata.require("mobgap-lab")

    def counts(name: str, pipeline: TrunkPipeline | None) -> list[tuple[int, int]]:
        rec, meta = realdata.load_mobgap(name)
        pipelines = None if pipeline is None else {"trunk": pipeline}
        steps = analyze(rec, AnalysisOptions(placement="lower_back"), pipelines=pipelines).steps
        found = np.round(np.array([s.time_s for s in steps]) * FS)
        tol = 0.25 * FS
        out = []
        for wb in meta["walking_bouts"]:
            lo, hi = wb["start"] - tol, wb["end"] + tol
            ref = meta["ic"][(meta["ic"] >= lo) & (meta["ic"] <= hi)]
            out.append((int(np.count_nonzero((found >= lo) & (found <= hi))), int(ref.size)))
        return out

    moved = 0
    for name in ("HA_001_Test11_Trial1", "HA_002_Test11_Trial1", "MS_001_Test11_Trial1"):
        for (off, truth), (on, _) in zip(counts(name, OFF), counts(name, ON), strict=True):
            assert abs(on - truth) <= abs(off - truth)
            moved += on != off
    assert moved == 4


def test_a_pocket_is_left_alone() -> None:
    """The rule is for the lower back only: a pocket's steps alternate strong and weak."""
    rec, _ = data_module().load_ipol_trial("2-4", "lb")
    pocket = AnalysisOptions(placement="pocket")
    on = analyze(rec, pocket, pipelines={"trunk": ON}).steps
    off = analyze(rec, pocket, pipelines={"trunk": OFF}).steps
    assert [s.time_s for s in on] == [s.time_s for s in off]

"""The bout detector's run logic against a plain per-run reference (random contact trains)."""

from __future__ import annotations

import numpy as np
import pytest

from retrowalk.gait.bouts import BoutDetector


def _reference(det: BoutDetector, ic: np.ndarray, fs: float) -> list[tuple[int, int]]:
    """One linked run at a time, as the rule reads (no gaps)."""
    if ic.size < det.min_steps:
        return []
    dt = np.diff(ic) / fs
    link = dt < det.max_pause_s
    rhythmic = link & (dt >= det.min_step_s) & (dt <= det.max_step_s)
    ratio = np.ones_like(dt)
    ratio[1:] = np.maximum(dt[1:], dt[:-1]) / np.maximum(np.minimum(dt[1:], dt[:-1]), 1e-9)
    out = []
    start = 0
    ends = [*np.flatnonzero(~link).tolist(), link.size]
    for end in ends:
        first, last = start, end
        start = end + 1
        if last - first + 1 < det.min_steps:
            continue
        steady = [bool(rhythmic[first]) if k == first else
                  bool(rhythmic[k] and ratio[k] <= det.max_step_ratio)
                  for k in range(first, last)]  # fmt: skip
        best = run = 0
        for value in steady:
            run = run + 1 if value else 0
            best = max(best, run)
        if best >= det.min_steps - 1:
            out.append((first, last))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_bouts_equal_the_per_run_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    # step times: mostly walking, some pauses, some too quick or irregular
    dt = rng.choice([0.5, 0.55, 0.3, 1.2, 3.5, 0.1], size=n, p=[0.4, 0.3, 0.1, 0.1, 0.05, 0.05])
    dt = dt * rng.uniform(0.9, 1.1, n)
    ic = np.round(np.cumsum(dt) * 100).astype(np.int64)
    ic = np.unique(ic)
    det = BoutDetector().detect(ic, 100.0)
    got = [(b.first, b.last) for b in det.bouts_]
    assert got == _reference(BoutDetector(), ic, 100.0)
    expected_in = np.zeros(ic.size, dtype=bool)
    for first, last in got:
        expected_in[first : last + 1] = True
    assert np.array_equal(det.in_bout_, expected_in)


def _spans(ic: np.ndarray, rng: np.random.Generator) -> list:
    """Random bouts over sorted contacts: runs of 1 to 40 contacts, some apart."""
    from retrowalk.gait.bouts import BoutSpan

    spans, first = [], int(rng.integers(0, 3))
    while first < ic.size:
        last = min(first + int(rng.integers(0, 40)), ic.size - 1)
        spans.append(BoutSpan(first, last, int(ic[first]), int(ic[last])))
        first = last + 1 + int(rng.integers(0, 3))
    return spans


def _initiation_bout_at_a_time(rule, ic, prom, bouts) -> np.ndarray:  # type: ignore[no-untyped-def]
    from retrowalk.dsp.rows import small_median

    keep = np.ones(ic.size, dtype=bool)
    gaps, n_ref = ic[1:] - ic[:-1], rule.reference_steps
    for b in bouts:
        if b.n_steps < n_ref + 3:
            continue
        intervals = gaps[b.first : b.first + n_ref + 1]
        later = prom[b.first + 1 : b.first + n_ref + 3]
        later = later[later > 0]
        if later.size == 0:
            continue
        quick = intervals[0] < rule.max_interval_ratio * small_median(intervals[1:])
        weak = prom[b.first] < rule.max_prominence_ratio * small_median(later)
        keep[b.first] = not (quick and weak)
    return keep


def _edges_bout_at_a_time(rule, ic, bouts) -> np.ndarray:  # type: ignore[no-untyped-def]
    from retrowalk.dsp.rows import small_median

    keep = np.ones(ic.size, dtype=bool)
    for b in bouts:
        if b.n_steps < rule.min_contacts:
            continue
        members = ic[b.first : b.last + 1]
        limit = rule.max_stride_ratio * small_median(members[2:] - members[:-2])
        first, last = 0, members.size - 1
        for _ in range(rule.max_drops):
            if (
                last - first + 1 <= rule.min_contacts
                or members[first + 2] - members[first] <= limit
            ):
                break
            first += 1
        for _ in range(rule.max_drops):
            if last - first + 1 <= rule.min_contacts or members[last] - members[last - 2] <= limit:
                break
            last -= 1
        keep[b.first : b.first + first] = False
        keep[b.first + last + 1 : b.last + 1] = False
    return keep


def _weak_edges_bout_at_a_time(rule, prom, bouts, fs) -> np.ndarray:  # type: ignore[no-untyped-def]
    from retrowalk.dsp.rows import small_median

    keep = np.ones(prom.size, dtype=bool)
    reach, run = rule.context_s * fs, max(int(rule.min_run), 1)
    starts = np.array([c.start_sample for c in bouts])
    ends = np.array([c.end_sample for c in bouts])
    firsts = np.searchsorted(ends, starts - reach, "left").tolist()
    stops = np.searchsorted(starts, ends + reach, "right").tolist()
    for b, first, stop in zip(bouts, firsts, stops, strict=True):
        walk = max(bouts[first:stop], key=lambda c: c.n_steps)
        limit = rule.min_prominence_ratio * small_median(prom[walk.first : walk.last + 1])
        strong = prom[b.first : b.last + 1] >= limit
        windows = [strong[k : k + run].all() for k in range(max(strong.size - run + 1, 0))]
        steady = np.flatnonzero(windows)
        if steady.size == 0:
            keep[b.first : b.last + 1] = False
            continue
        keep[b.first : b.first + steady[0]] = False
        keep[b.first + steady[-1] + run : b.last + 1] = False
    return keep


@pytest.mark.parametrize("seed", range(6))
def test_edge_rules_with_medians_of_all_bouts_at_once_are_a_bout_at_a_times(seed: int) -> None:
    """The initiation, edge, weak-edge and stationary rules, their bout medians taken
    for all bouts at once, keep and drop what one bout at a time does (closing
    contacts without prominence, hesitations, weak ends, pauses and unmeasured steps)."""
    from retrowalk.dsp.rows import small_median
    from retrowalk.gait.bouts import (
        BoutEdgeFilter,
        GaitInitiationFilter,
        StationaryBoutFilter,
        WeakEdgeFilter,
    )

    rng = np.random.default_rng(seed)
    ic = np.cumsum(rng.integers(20, 90, size=400)) + int(rng.integers(0, 50))
    prom = rng.uniform(0.05, 3.0, size=ic.size)
    prom[rng.random(ic.size) < 0.1] = 0.0  # closing contacts
    bouts = _spans(ic, rng)
    for rule in (GaitInitiationFilter(), GaitInitiationFilter(max_interval_ratio=1.1)):
        got = rule.filter(ic, prom, bouts).keep_
        assert np.array_equal(got, _initiation_bout_at_a_time(rule, ic, prom, bouts))
    for edge in (BoutEdgeFilter(), BoutEdgeFilter(max_stride_ratio=1.05, max_drops=3)):
        assert np.array_equal(edge.filter(ic, bouts).keep_, _edges_bout_at_a_time(edge, ic, bouts))
    for ratio in (0.3, 0.6):
        weak = WeakEdgeFilter(min_prominence_ratio=ratio).filter(prom, bouts, 100.0)
        assert np.array_equal(weak.keep_, _weak_edges_bout_at_a_time(weak, prom, bouts, 100.0))
    lengths = [rng.uniform(0.0, 0.9, size=b.n_steps - 1) for b in bouts]
    for k, x in enumerate(lengths):
        x[rng.random(x.size) < (0.9 if k % 5 == 0 else 0.2)] = np.nan
    medians = StationaryBoutFilter().filter(lengths).median_step_m_
    for x, median in zip(lengths, medians.tolist(), strict=True):
        finite = x[np.isfinite(x)]
        ref = small_median(finite) if finite.size else float("nan")
        assert median == ref or (np.isnan(median) and np.isnan(ref))


def test_a_pause_of_exactly_the_limit_ends_the_bout() -> None:
    """The contract: pauses under 2 s do not end a bout, so one of 2 s does."""
    fs = 30.0  # a gap of 60 samples is exactly 2 s
    walk = np.arange(0, 8 * 15, 15)  # 0.5-s steps
    for gap, bouts in ((60, 2), (59, 1)):
        ic = np.concatenate([walk, walk[-1] + gap + walk])
        assert len(BoutDetector().detect(ic, fs).bouts_) == bouts, gap

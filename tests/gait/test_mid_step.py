"""Contacts in mid-step at the lower back (MidStepContactFilter).

Mechanics on a synthetic step signal (a strong peak at each step, a weaker one
of another shape in mid-step), then the real walks: slow straight walks at the
pelvis (mocap-backward) lose their mid-step contacts, real lower-back walks
(ipol-gait) keep every contact, and a pocket is left alone.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
from trunk_helpers import data_module

import realdata
from retrowalk.core.recording import Recording
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.contacts import MidStepContactFilter, TrunkContactDetector
from retrowalk.pipeline import AnalysisOptions, analyze

FS = 100.0


def _doubled_signal(step_s: float = 0.8, n_steps: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """A step signal with a sharp peak per step and a broad weak one between: (signal, contacts)."""
    t = np.arange(int((n_steps + 1) * step_s * FS)) / FS
    x = np.zeros_like(t)
    contacts = []
    for k in range(n_steps):
        real = (k + 0.5) * step_s
        mid = real + 0.5 * step_s
        x += 3.0 * np.exp(-0.5 * ((t - real) / 0.05) ** 2) - 1.0 * np.exp(
            -0.5 * ((t - real - 0.12) / 0.06) ** 2
        )
        x += 1.0 * np.exp(-0.5 * ((t - mid) / 0.12) ** 2)
        contacts += [real, mid]
    rng = np.random.default_rng(3)
    x += 0.02 * rng.standard_normal(t.size)
    ic = np.round(np.array(contacts) * FS).astype(np.int64)
    ic = ic[ic < t.size]
    return x, ic


def test_mid_step_contacts_are_dropped_and_the_steps_kept() -> None:
    x, ic = _doubled_signal()
    prom = np.where(np.arange(ic.size) % 2 == 0, 3.0, 1.0)
    rule = MidStepContactFilter().filter(ic, prom, x, FS)
    assert rule.doubled_.all()
    assert np.array_equal(np.flatnonzero(rule.keep_), np.arange(0, ic.size, 2))


def test_alike_steps_are_not_doubled() -> None:
    """Every contact a real step (the signal repeats every contact): nothing dropped."""
    x, ic = _doubled_signal()
    steps = ic[0::2]
    rule = MidStepContactFilter().filter(steps, np.full(steps.size, 3.0), x, FS)
    assert rule.keep_.all() and not rule.doubled_.any()


def test_the_rule_can_be_switched_off() -> None:
    x, ic = _doubled_signal()
    rule = MidStepContactFilter(min_contrast=None).filter(ic, np.ones(ic.size), x, FS)
    assert rule.keep_.all()


def test_correlations_do_not_depend_on_how_many_stretches_are_summed_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The running sums of many stretches share one buffer; a buffer that holds one
    stretch at a time gives the same correlations bit for bit."""
    from retrowalk.gait import contacts

    x, ic = _doubled_signal(n_steps=40)
    first = np.arange(ic.size - 7)
    wide = contacts._step_contrasts(x, ic, first, 8, join=None)
    monkeypatch.setattr(contacts, "_PRODUCT_SAMPLES", 1)
    narrow = contacts._step_contrasts(x, ic, first, 8, join=None)
    assert np.array_equal(wide[0], narrow[0]) and np.array_equal(wide[1], narrow[1])


def _stretch_products_one_by_one(x, row, aa, bb, lag, join):  # type: ignore[no-untyped-def]
    """_stretch_products with each stretch's running sum taken alone (np.cumsum, real)."""
    new = np.diff(row, prepend=-1) != 0
    if join is not None:
        rank = row * (x.size + join + 1)
        new[1:] |= aa[1:] + rank[1:] > np.maximum.accumulate(bb + rank)[:-1] + join
    bounds = np.append(np.flatnonzero(new), row.size)
    span = np.empty(row.size)
    for p0, p1 in itertools.pairwise(bounds.tolist()):
        start, stop, shift = aa[p0:p1].min(), bb[p0:p1].max(), lag[p0]
        size = stop - shift - start
        sums = np.concatenate(
            [[0.0], np.cumsum(x[start : start + size] * x[start + shift :][:size])]
        )
        span[p0:p1] = sums[bb[p0:p1] - lag[p0:p1] - start] - sums[aa[p0:p1] - start]
    return span


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("buffer", [1, 1 << 18])
def test_stretch_products_in_one_buffer_are_each_stretchs_own_bit_for_bit(
    seed: int, buffer: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The running cross products of stretches laid one after another in one buffer
    are each stretch's own running sum, bit for bit (a buffer of one stretch and of
    many)."""
    from retrowalk.gait import contacts

    monkeypatch.setattr(contacts, "_PRODUCT_SAMPLES", buffer)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=4_000)
    for pairs in (1, 2, 7, 40):
        row = np.sort(rng.integers(0, 3 + seed, size=pairs))
        lag = (row + 1) * 7 + int(rng.integers(1, 90))  # one lag per row of pairs
        aa = rng.integers(0, 3_000, size=pairs)
        bb = aa + lag + rng.integers(1, 600, size=pairs)
        order = np.lexsort((aa, row))
        row, aa, bb, lag = row[order], aa[order], bb[order], lag[order]
        for join in (None, 50):
            got = contacts._stretch_products(x, row, aa, bb, lag, join)
            want = _stretch_products_one_by_one(x, row, aa, bb, lag, join)
            assert np.array_equal(got.view(np.int64), want.view(np.int64))


@pytest.mark.parametrize("seed", range(3))
def test_sums_and_energies_as_one_complex_running_sum_are_numpys_bit_for_bit(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The windows' running sums of the samples and of their squares, taken as one
    complex running sum, are np.cumsum's of each: the contrasts come out bit for bit."""
    from retrowalk.gait import contacts

    rng = np.random.default_rng(seed)
    x, ic = _doubled_signal(n_steps=50)
    x = x + rng.normal(scale=0.3, size=x.size)
    first = np.arange(ic.size - 7)
    seen = []

    def contrasts(x, s1, s2, *rest):  # type: ignore[no-untyped-def]
        seen.append((s1.copy(), s2.copy()))
        return plain(x, s1, s2, *rest)

    plain = contacts._contrasts
    monkeypatch.setattr(contacts, "_contrasts", contrasts)
    for join in (None, 300):
        contacts._step_contrasts(x, ic, first, 8, join=join)
    lo, hi = int(ic[first].min()), int(ic[first + 7].max()) + 1
    want = x[lo:hi]
    for s1, s2 in seen:
        assert np.array_equal(s1, np.concatenate([[0.0], np.cumsum(want)]))
        assert np.array_equal(s2, np.concatenate([[0.0], np.cumsum(want * want)]))


def _apart(ic: np.ndarray, first: np.ndarray, join: int, w: int = 8) -> np.ndarray:
    """Where a group of nearby windows starts (as _step_contrasts parts them)."""
    starts, ends = ic[first], ic[np.minimum(first + w - 1, ic.size - 1)]
    return np.flatnonzero(starts[1:] > np.maximum.accumulate(ends)[:-1] + join) + 1


def _each_group_on_its_own(x, ic, first, w, join, floor):  # type: ignore[no-untyped-def]
    """_step_contrasts as one _nearby_contrasts call per group of nearby windows."""
    from retrowalk.dsp.rows import split_at
    from retrowalk.gait import contacts

    contrast, lag = np.full(first.size, -np.inf), np.zeros(first.size, dtype=np.int64)
    for group in split_at(np.arange(first.size), _apart(ic, first, join, w)):
        contrast[group], lag[group] = contacts._nearby_contrasts(
            x, ic, first[group], w, join, floor
        )
    return contrast, lag


@pytest.mark.parametrize("seed", range(4))
def test_groups_of_windows_measured_together_are_each_groups_own(seed: int) -> None:
    """Windows in many groups (walks far apart, some too short or too slow to measure)
    measured in one pass give each group's own contrasts and lags bit for bit, with
    and without the floor, whichever join parts them."""
    from retrowalk.gait import contacts

    rng = np.random.default_rng(seed)
    parts, ics, at = [], [], 0
    for k in range(int(rng.integers(2, 7))):
        x, ic = _doubled_signal(n_steps=int(rng.integers(6, 30)))
        x = x * rng.uniform(0.5, 2.0) + rng.normal(scale=0.05, size=x.size)
        if k % 3 == 2:
            x = x[::2].repeat(2)[: x.size]  # slower, coarser
        parts.append(x)
        ics.append(ic + at)
        at += x.size + int(rng.integers(0, 4000))
        parts.append(np.zeros(at - sum(p.size for p in parts)))
    x, ic = np.concatenate(parts), np.concatenate(ics)
    # the windows within each walk (none bridges two), some left out
    sizes = np.cumsum([0, *(c.size for c in ics)])
    first = np.concatenate([np.arange(a, b - 7) for a, b in itertools.pairwise(sizes)])
    first = first[rng.random(first.size) < 0.8]
    groups = 0
    for join in (0, 300, 3000):
        for floor in (None, 0.2, 0.6):
            got = contacts._step_contrasts(x, ic, first, 8, join=join, floor=floor)
            expected = _each_group_on_its_own(x, ic, first, 8, join, floor)
            assert got[0].tobytes() == expected[0].tobytes()
            assert np.array_equal(got[1], expected[1])
        groups += len(contacts.split_at(first, _apart(ic, first, join)))
    assert np.isfinite(got[0]).any()
    assert groups > 3 * 2


def _mocap(trial: str, sensor: str) -> tuple[Recording, int]:
    folder = realdata.require("mocap-backward")
    df = pd.read_csv(folder / f"{trial}_{sensor}.csv")
    acc = df[["acc_x", "acc_y", "acc_z"]].to_numpy(float)
    gyro = df[["gyro_x", "gyro_y", "gyro_z"]].to_numpy(float)
    info = json.loads((folder / f"{trial}.json").read_text())
    return Recording(acc, gyro, FS), sum(int(s["steps_true"]) for s in info["segments"])


@pytest.mark.parametrize("trial", ["07_04", "07_05", "08_04"])
def test_slow_walks_at_the_pelvis_count_their_steps(trial: str) -> None:
    """Before the rule: 8, 11 and 10 steps for 5, 5 and 6."""
    rec, truth = _mocap(trial, "pelvis")
    found = len(analyze(rec, AnalysisOptions(placement="lower_back")).steps)
    assert abs(found - truth) <= 1


def test_a_pocket_is_left_alone() -> None:
    """At the thigh the same rule would halve real steps (one leg's are the stronger)."""
    rec, _ = _mocap("09_12", "thigh")
    found = len(analyze(rec, AnalysisOptions(placement="pocket")).steps)
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, FS)
    det = TrunkContactDetector().detect(
        frame.acc_vertical_mps2, frame.acc_horizontal_mps2, FS, frame.gyro_vertical_rads
    )
    rule = MidStepContactFilter().filter(
        det.ic_samples_, det.prominence_mps2_, det.signals_.coarse, FS
    )
    assert rule.doubled_.any()  # the measure alone would call the thigh's steps doubled
    assert found == 27  # but the pocket's count stays the detector's (28 true steps)


@pytest.mark.parametrize("trial", ["1-1", "5-3", "9-4", "12-5", "3-2", "7-4"])
def test_real_lower_back_walks_keep_every_contact(trial: str) -> None:
    rec, _ = data_module().load_ipol_trial(trial, "lb")
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, FS)
    det = TrunkContactDetector().detect(
        frame.acc_vertical_mps2, frame.acc_horizontal_mps2, FS, frame.gyro_vertical_rads
    )
    rule = MidStepContactFilter().filter(
        det.ic_samples_, det.prominence_mps2_, det.signals_.coarse, FS
    )
    assert not rule.doubled_.any()


@pytest.mark.parametrize("seed", range(3))
def test_cross_products_summed_pair_by_pair_are_the_stretches_to_rounding(seed: int) -> None:
    """The quick look's cross products at two intervals, summed for each window and lag on
    its own, agree with the running sums over stretches to rounding, and give the
    same windows above the screen's floor."""
    from retrowalk.gait import contacts

    rng = np.random.default_rng(seed)
    x, ic = _doubled_signal(n_steps=60)
    x = x + rng.normal(scale=0.2, size=x.size)
    first = np.arange(ic.size - 7)
    aa = ic[first]
    bb = ic[first + 7] + 1
    lag = rng.integers(1, 60, size=first.size)
    expected = [
        float(np.dot(x[a : b - g], x[a + g : b])) for a, b, g in zip(aa, bb, lag, strict=True)
    ]
    got = contacts._lagged_products(x, aa, bb, lag)
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert contacts._lagged_products(x, aa[:2], aa[:2] + 3, np.array([3, 5])).tolist() == [0, 0]
    for floor in (None, 0.2):
        plain = contacts._step_contrasts(x, ic, first, 8, join=300, floor=floor)
        direct = contacts._step_contrasts(x, ic, first, 8, join=300, floor=floor, direct=True)
        assert np.array_equal(np.isfinite(plain[0]), np.isfinite(direct[0]))
        ok = np.isfinite(plain[0])
        assert np.allclose(plain[0][ok], direct[0][ok], rtol=0, atol=1e-9)
        assert np.array_equal(plain[1], direct[1])

"""Mechanics of contacts, bouts and step length on synthetic signals (not accuracy)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from trunk_helpers import data_module, regular_steps, walking_recording

from retrowalk.core.recording import Recording
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.bouts import (
    BoutDetector,
    BoutEdgeFilter,
    GaitInitiationFilter,
    WeakEdgeFilter,
)
from retrowalk.gait.contacts import (
    ClosingContactDetector,
    LateralityEstimator,
    TrunkContactDetector,
)
from retrowalk.gait.spatial import (
    TrunkStepLength,
    ZijlstraStepLength,
    height_based_step_length_m,
    step_excursion_m,
    step_turn_rad,
)
from retrowalk.pipeline.trunk import TrunkPipeline

FS = 100.0


def _contacts(rec):
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)
    det = TrunkContactDetector().detect(
        frame.acc_vertical_mps2, frame.acc_horizontal_mps2, rec.sampling_rate_hz
    )
    return det.ic_samples_


def test_contacts_found_near_each_synthetic_step():
    steps = regular_steps(3.0, 12)
    ic = _contacts(walking_recording(steps, 12.0)) / FS
    assert ic.size == steps.size
    assert np.max(np.abs(ic - steps)) < 0.05


def test_no_contacts_in_a_still_recording():
    rec = walking_recording([], 30.0)
    assert _contacts(rec).size == 0


def test_detector_returns_self_and_handles_tiny_input():
    det = TrunkContactDetector()
    assert det.detect(np.zeros(10), np.zeros((10, 2)), FS) is det
    assert det.ic_samples_.size == 0


def test_bouts_need_three_steps_and_split_on_long_pauses():
    ic = (np.array([1.0, 1.5, 2.0, 2.5, 6.0, 6.5, 10.0, 10.5, 11.0]) * FS).astype(int)
    det = BoutDetector().detect(ic, FS)
    spans = [(b.first, b.last) for b in det.bouts_]
    # 2.5 -> 6.0 is a 3.5 s pause (split); the 2-contact run at 6 s is no bout
    assert spans == [(0, 3), (6, 8)]
    assert det.in_bout_.tolist() == [True] * 4 + [False] * 2 + [True] * 3


def test_short_pause_stays_inside_a_bout():
    ic = (np.array([1.0, 1.5, 2.0, 3.8, 4.3, 4.8]) * FS).astype(int)
    spans = BoutDetector().detect(ic, FS).bouts_
    assert len(spans) == 1 and spans[0].n_steps == 6


def test_a_gap_splits_a_bout():
    ic = (np.arange(10) * 0.5 * FS).astype(int)
    gap = np.zeros(600, dtype=bool)
    gap[int(2.2 * FS) : int(2.4 * FS)] = True
    spans = BoutDetector().detect(ic, FS, gap).bouts_
    assert [(b.first, b.last) for b in spans] == [(0, 4), (5, 9)]


def test_irregular_peaks_are_not_a_bout():
    ic = (np.array([1.0, 1.3, 2.9, 3.2, 4.9]) * FS).astype(int)  # 0.3 / 1.6 / 0.3 / 1.7 s
    assert BoutDetector().detect(ic, FS).bouts_ == []


def test_step_excursion_of_a_sinusoid():
    fs = 200.0
    t = np.arange(int(5 * fs)) / fs
    h = 0.03  # peak-to-peak height change per step
    f = 2.0  # steps per second
    z = 0.5 * h * np.cos(2 * np.pi * f * t)
    acc = np.gradient(np.gradient(z, t), t)
    ic = (np.arange(1, 9) * fs / f).astype(int)
    got = step_excursion_m(acc, ic, fs)
    assert got == pytest.approx(np.full(7, h), rel=0.02)


def _excursion_in_one_array(acc: np.ndarray, ic: np.ndarray, fs: float) -> np.ndarray:
    """step_excursion_m's arithmetic on all steps at once (one running sum over them)."""
    a = acc[ic[0] : ic[-1]]
    bounds = ic[:-1] - ic[0]
    lengths = np.diff(ic)

    def segment_cumsum(x: np.ndarray) -> np.ndarray:
        total = np.cumsum(x)
        return total - np.repeat(np.concatenate([[0.0], total[bounds[1:] - 1]]), lengths)

    v = segment_cumsum(a - np.repeat(np.add.reduceat(a, bounds) / lengths, lengths)) / fs
    p = segment_cumsum(v - np.repeat(np.add.reduceat(v, bounds) / lengths, lengths)) / fs
    return np.maximum.reduceat(p, bounds) - np.minimum.reduceat(p, bounds)


def test_step_excursion_in_blocks_is_one_running_sum_bit_for_bit(monkeypatch):
    import retrowalk.gait.spatial as spatial

    rng = np.random.default_rng(5)
    for case in range(30):
        n = int(rng.integers(20, 60_000))
        acc = 9.8 + rng.normal(0.0, 3.0, n)
        if case % 6 == 0:
            acc[:] = 9.8  # every sum a zero of one sign or the other
        if case % 5 == 0:
            acc[: n // 3] = -0.0
        ic = np.unique(np.r_[rng.integers(0, n, int(rng.integers(2, 800))), 0, n - 1])
        want = _excursion_in_one_array(acc, ic, 100.0)
        for block in (spatial._EXCURSION_BLOCK, 1, 97, 5000):
            monkeypatch.setattr(spatial, "_EXCURSION_BLOCK", block)
            got = step_excursion_m(acc, ic, 100.0)
            assert got.tobytes() == want.tobytes(), (case, block)


def test_zijlstra_formula_and_height_fallback():
    sl = ZijlstraStepLength(k_factor=1.0)
    fs = 100.0
    t = np.arange(500) / fs
    acc = np.gradient(np.gradient(0.02 * np.cos(2 * np.pi * 2.0 * t), t), t)
    sl.estimate(acc, np.arange(50, 450, 50), fs, leg_length_m=0.9)
    h = sl.h_m_
    assert sl.step_length_m_ == pytest.approx(2 * np.sqrt(2 * 0.9 * h - h**2))
    assert 0.6 < height_based_step_length_m(1.70, 108.0) < 0.8


def test_laterality_alternates_and_needs_gyro():
    ic = np.arange(100, 1000, 55)
    gyro_v = np.zeros(1100)
    for k, c in enumerate(ic):  # clockwise (negative) before even contacts
        gyro_v[max(c - 27, 0) : c + 13] = -0.3 if k % 2 == 0 else 0.3
    sides = LateralityEstimator().estimate(gyro_v, ic).sides_
    assert sides[0] == "left" and sides[1] == "right"
    assert all(a != b for a, b in itertools.pairwise(sides))
    assert LateralityEstimator().estimate(None, ic).sides_ == [None] * ic.size


def test_trunk_step_length_limits_outliers_and_ignores_the_excursion_floor():
    h = np.full(9, 0.03)
    h[4] = 0.09  # an integration blow-up in the middle of steady steps
    h[7] = np.nan  # a pause: no length
    model = TrunkStepLength(max_h_fraction=0.2)
    got = model.estimate(h, leg_length_m=0.9).step_length_m_
    typical = got[0]
    hp = 0.03 - model.h_floor_m
    assert typical == pytest.approx(model.k_factor * 2 * np.sqrt(2 * 0.9 * hp - hp**2))
    assert got[4] == pytest.approx(model.max_ratio * typical)
    assert np.isnan(got[7])
    # stepping on the spot (excursion below the floor) carries no distance
    assert model.estimate(np.full(5, 0.5 * model.h_floor_m), 0.9).step_length_m_[0] == 0.0


def test_turning_steps_are_shortened_by_their_heading_change():
    fs = 100.0
    ic = np.array([0, 50, 110, 170, 230])
    yaw = np.zeros(300)
    yaw[110:170] = np.pi / 2 / 0.6  # a quarter turn during the third step
    yaw[0:50] = 0.5 * np.sin(np.linspace(0, 2 * np.pi, 50))  # the pelvis yawing to and fro
    turn = step_turn_rad(yaw, ic, fs)
    assert turn == pytest.approx([0.0, 0.0, np.pi / 2, 0.0], abs=1e-9)
    h = np.full(4, 0.03)
    model = TrunkStepLength()
    straight = model.estimate(h, 0.9).step_length_m_
    got = model.estimate(h, 0.9, turn).step_length_m_
    assert got[[0, 1, 3]] == pytest.approx(straight[[0, 1, 3]])
    assert got[2] == pytest.approx(straight[2] / (1 + (np.pi / 2 / model.turn_rad0) ** 2))
    # a turn either way shortens the same; without a gyroscope (nan) nothing changes
    assert model.estimate(h, 0.9, -turn).step_length_m_ == pytest.approx(got)
    assert model.estimate(h, 0.9, np.full(4, np.nan)).step_length_m_ == pytest.approx(straight)
    # the correction off, and many bouts at once, as one bout at a time
    off = TrunkStepLength(turn_rad0=None).estimate(h, 0.9, turn).step_length_m_
    assert off == pytest.approx(straight)
    bouts = model.estimate_bouts([h, h[:3]], 0.9, [turn, turn[:3]])
    assert bouts[0] == pytest.approx(got)
    assert bouts[1] == pytest.approx(model.estimate(h[:3], 0.9, turn[:3]).step_length_m_)


def test_gait_initiation_filter_drops_a_quick_weak_first_peak():
    ic = (np.array([0.6, 1.0, 1.6, 2.2, 2.8, 3.4, 4.0]) * FS).astype(int)
    prom = np.array([0.5, 3.0, 3.2, 3.1, 2.9, 3.0, 3.1])
    bouts = BoutDetector().detect(ic, FS).bouts_
    assert GaitInitiationFilter().filter(ic, prom, bouts).keep_.tolist() == [False] + [True] * 6
    # a strong first peak, or a slow first step, is a real first contact
    strong = prom.copy()
    strong[0] = 2.5
    assert GaitInitiationFilter().filter(ic, strong, bouts).keep_.all()
    slow = ic.copy()
    slow[0] = int(0.3 * FS)
    bouts = BoutDetector().detect(slow, FS).bouts_
    assert GaitInitiationFilter().filter(slow, prom, bouts).keep_.all()


def test_a_contact_splitting_one_step_in_two_is_dropped():
    steps = regular_steps(3.0, 14)
    split = (steps[6] + steps[7]) / 2  # an impact half way through a step
    rec = walking_recording(np.sort(np.append(steps, split)), 14.0)
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, FS)
    args = (frame.acc_vertical_mps2, frame.acc_horizontal_mps2, FS)
    found = TrunkContactDetector().detect(*args).ic_samples_ / FS
    assert found.size == steps.size
    assert np.max(np.abs(found - steps)) < 0.05
    # without the rule the split contact is a step of its own
    assert TrunkContactDetector(min_two_step_ratio=None).detect(*args).ic_samples_.size == 15


def test_at_a_turn_the_weaker_of_two_contacts_half_a_step_apart_is_dropped():
    from retrowalk.gait.contacts import _turning_pairs

    ic = np.arange(12) * 60
    ic = np.sort(np.append(ic, ic[5] + 25))  # a swivel 0.25 step times after a step
    prom = np.full(ic.size, 2.0)
    prom[6] = 0.6
    turning = np.zeros(ic.size, dtype=bool)
    turning[4:9] = True
    keep = _turning_pairs(ic, prom, turning, 0.5)
    assert keep.tolist() == [True] * 6 + [False] + [True] * 6
    # the stronger stays, whichever comes first
    prom[5], prom[6] = 0.6, 2.0
    assert np.flatnonzero(~_turning_pairs(ic, prom, turning, 0.5)).tolist() == [5]
    # walking straight, or a looser ratio: nothing goes
    assert _turning_pairs(ic, prom, np.zeros(ic.size, dtype=bool), 0.5).all()
    assert _turning_pairs(ic, prom, turning, 0.4).all()
    # a run of close contacts: each judged against the one kept before it
    run = np.array([0, 60, 120, 135, 148, 240, 300, 360, 420])
    strength = np.array([2.0, 2.0, 2.0, 0.5, 0.4, 2.0, 2.0, 2.0, 2.0])
    kept = _turning_pairs(run, strength, np.ones(run.size, dtype=bool), 0.5)
    assert run[kept].tolist() == [0, 60, 120, 240, 300, 360, 420]


def test_bout_edge_filter_drops_contacts_cut_off_by_a_hesitation():
    # a thigh-like rhythm: the two feet's step times alternate (0.43 s / 0.61 s)
    walk = 2.0 + np.cumsum(np.tile([0.43, 0.61], 8))
    ic = (np.concatenate([[0.0, 0.9], walk, [walk[-1] + 1.2]]) * FS).astype(int)
    bouts = BoutDetector().detect(ic, FS).bouts_
    assert len(bouts) == 1
    keep = BoutEdgeFilter().filter(ic, bouts).keep_
    # the shuffle before the walk and the lone contact after its pause go, the walk stays
    assert keep.tolist() == [False, False] + [True] * walk.size + [False]
    # a steady walk, alternating or not, loses nothing
    steady = (walk * FS).astype(int)
    assert BoutEdgeFilter().filter(steady, BoutDetector().detect(steady, FS).bouts_).keep_.all()
    # short bouts are left alone; at most max_drops contacts go at each end
    short = ic[:6]
    assert BoutEdgeFilter().filter(short, BoutDetector().detect(short, FS).bouts_).keep_.all()
    one = BoutEdgeFilter(max_drops=1).filter(ic, bouts).keep_
    assert one.tolist() == [False, True] + [True] * walk.size + [False]


def test_weak_edge_filter_drops_handling_at_the_ends_of_a_walk():
    # a pocket walk: the two legs' steps alternate in strength (3 and 1.5 m/s^2)
    walk_t = 3.0 + 0.55 * np.arange(30)
    walk_p = np.tile([3.0, 1.5], 15)
    walk_p[12] = 0.1  # a weak turning step inside the walk
    # before it, the phone put into the pocket: weak peaks with a step-like
    # rhythm, one of them stronger; after a 4 s pause, the phone taken out
    before_t, before_p = np.array([0.8, 1.35, 1.9, 2.45]), np.array([0.2, 0.9, 0.1, 0.15])
    after_t = walk_t[-1] + 4.0 + 0.5 * np.arange(6)
    after_p = np.array([0.2, 0.3, 0.1, 0.6, 0.2, 0.1])
    t = np.concatenate([before_t, walk_t, after_t])
    prom = np.concatenate([before_p, walk_p, after_p])
    ic = (t * FS).astype(int)
    bouts = BoutDetector().detect(ic, FS).bouts_
    assert [b.n_steps for b in bouts] == [34, 6]
    keep = WeakEdgeFilter().filter(prom, bouts, FS).keep_
    assert keep.tolist() == [False] * 4 + [True] * 30 + [False] * 6
    # a walk's own weaker first and last steps (from rest, to a stop) stay
    ends = walk_p.copy()
    ends[[0, 1, -1]] = [0.8, 0.6, 0.5]
    walk_ic = (walk_t * FS).astype(int)
    walk_bouts = BoutDetector().detect(walk_ic, FS).bouts_
    assert WeakEdgeFilter().filter(ends, walk_bouts, FS).keep_.all()
    # a walk alone is its own measure; the rule can be switched off
    assert WeakEdgeFilter(min_prominence_ratio=None).filter(prom, bouts, FS).keep_.all()
    # far from any walk, a bout is measured against itself (its peaks are alike): kept
    alone = BoutDetector().detect(ic[-6:], FS).bouts_
    assert WeakEdgeFilter().filter(after_p, alone, FS).keep_.all()


def test_the_two_weak_last_steps_of_a_stop_are_both_found():
    """Slowing down, the last step but one is weak too: the search goes on after it."""
    steps = regular_steps(3.0, 14)
    strong = walking_recording(steps[:-2], 14.0)
    weak = walking_recording(steps[-2:-1], 14.0, amplitude_mps2=0.6, noise_mps2=0.0)
    soft = walking_recording(steps[-1:], 14.0, amplitude_mps2=0.15, noise_mps2=0.0)
    gravity = np.array([0.0, 0.0, 9.81])
    rec = Recording(
        acc_mps2=strong.acc_mps2 + weak.acc_mps2 + soft.acc_mps2 - 2 * gravity,
        gyro_rads=strong.gyro_rads,
        sampling_rate_hz=FS,
        placement="lower_back",
    )
    once = TrunkPipeline(closing_detector=ClosingContactDetector(max_contacts=1))
    found = TrunkPipeline()._scan_contacts(rec).sample / FS
    assert found.size == steps.size
    assert np.max(np.abs(found - steps)) < 0.05
    # one search only: the weak step is taken for the closing one, the last is lost
    assert once._scan_contacts(rec).sample.size == steps.size - 1


def test_pocket_backward_steps_are_shorter_not_forward_sized():
    forward = height_based_step_length_m(1.70, 108.0, "forward")
    backward = height_based_step_length_m(1.70, 108.0, "backward")
    assert backward == pytest.approx(forward * 0.73 / 1.36)
    assert height_based_step_length_m(1.70, 108.0, "uncertain") == forward


def _closing_one_search_at_a_time(det, contacts, last, step, prom, limit) -> np.ndarray:
    """ClosingContactDetector.detect as one search per bout end, each window's own
    find_peaks, its bounds in Python floats (the form the batched search replaced)."""
    from retrowalk.dsp.kernels import find_peaks

    sig = contacts.signals_
    fs = sig.sampling_rate_hz
    last = np.array(last, dtype=np.int64)
    out = np.full((last.size, max(det.max_contacts, 1)), -1, dtype=np.int64)
    searching, start = np.arange(last.size), det.window_steps[0]
    for j in range(out.shape[1]):
        found = []
        for k in searching.tolist():
            i0 = int(int(last[k]) + start * step[k] * fs)
            i1 = min(int(int(last[k]) + det.window_steps[1] * step[k] * fs), int(limit[k]) - 1)
            if i1 - i0 < 3:
                continue
            c1 = min(int(i1 + det.context_steps * step[k] * fs), int(limit[k]), sig.coarse.size)
            peaks, props = find_peaks(sig.coarse[i0:c1], prominence=0.0)
            inside = peaks + i0 < i1
            peaks, prominences = peaks[inside] + i0, props["prominences"][inside]
            if peaks.size == 0:
                continue
            best = int(np.argmax(prominences))
            floor = max(det.min_prominence_mps2, det.min_relative_prominence * prom[k])
            if prominences[best] >= floor:
                found.append((k, int(peaks[best]), float(prominences[best])))
        if not found:
            break
        bouts, peaks, peak_prominence = (np.array(p) for p in zip(*found, strict=True))
        out[bouts, j] = last[bouts] = contacts.place(peaks)
        searching = bouts[peak_prominence >= det.repeat_relative_prominence * prom[bouts]]
        start = max(det.repeat_min_steps, det.window_steps[0])
    return out


@pytest.mark.parametrize("trial", ["1-1", "5-3", "9-4"])
def test_closing_searches_together_find_each_searchs_contact(trial: str) -> None:
    """The bout ends' searches worked together find, contact for contact, what one
    search at a time finds, on real walks (ipol-gait lower back, three trials end to
    end) and with windows narrowed, widened and cut short by the next contact."""
    data = data_module()
    parts = [data.load_ipol_trial(t, "lb")[0] for t in (trial, "2-2", "7-1")]
    acc = np.vstack([r.acc_mps2 for r in parts])
    gyro = np.vstack([r.gyro_rads for r in parts])  # type: ignore[misc]
    frame = body_frame(acc, gyro, FS)
    contacts = TrunkContactDetector().detect(
        frame.acc_vertical_mps2, frame.acc_horizontal_mps2, FS, frame.gyro_vertical_rads
    )
    ic = contacts.ic_samples_
    rng = np.random.default_rng(4)
    last = np.sort(rng.choice(ic[:-1], size=min(60, ic.size - 1), replace=False))
    nxt = ic[np.searchsorted(ic, last, "right")]
    step = rng.uniform(0.3, 1.4, size=last.size)
    prom = rng.uniform(0.0, 3.0, size=last.size)
    for limit in (nxt, np.full(last.size, acc.shape[0])):
        for det in (
            ClosingContactDetector(),
            ClosingContactDetector(window_steps=(0.2, 2.0), max_contacts=3),
            ClosingContactDetector(min_prominence_mps2=0.5, repeat_relative_prominence=0.01),
        ):
            got = det.detect(contacts, last, step, prom, limit).closing_samples_
            expected = _closing_one_search_at_a_time(det, contacts, last, step, prom, limit)
            assert np.array_equal(got, expected)
    assert np.any(got >= 0)

"""The bent-trunk rule (:class:`retrowalk.gait.bouts.BentTrunkFilter`) on real daily life.

mobgap-lab Test11 (lower back, INDIP reference): people stand up, sit down
and bend while our contact detector still finds steps; HA_002 stands up and
bends down twice at 142-154 s, where the INDIP system has no walking. The
shipped rule trims a bout's bent ends; the split at every bend is measured
and not used (``benchmarks/bout_agreement.py``, sections 4 and 5).
"""

from __future__ import annotations

import numpy as np
import pytest

import realdata
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.bouts import BentTrunkFilter
from retrowalk.pipeline import AnalysisOptions, TrunkPipeline, analyze


def _mobgap(name: str):  # type: ignore[no-untyped-def]
    realdata.require("mobgap-lab", f"{name}.csv")
    return realdata.load_mobgap(name)


def _analyse(rec, max_bend_deg, ends_only=False):  # type: ignore[no-untyped-def]
    rule = BentTrunkFilter(max_bend_deg=max_bend_deg, ends_only=ends_only)
    pipeline = TrunkPipeline(bent_trunk_filter=rule)
    return analyze(rec, AnalysisOptions(placement="lower_back"), pipelines={"trunk": pipeline})


def test_bent_ends_are_trimmed_outside_the_reference_walking() -> None:
    out_s = 0.0
    for name in ("HA_001_Test11_Trial1", "HA_002_Test11_Trial1", "MS_001_Test11_Trial1"):
        rec, meta = _mobgap(name)
        fs = rec.sampling_rate_hz
        ref = [(w["start"] / fs, w["end"] / fs) for w in meta["walking_bouts"]]
        off = _analyse(rec, None)
        on = analyze(rec, AnalysisOptions(placement="lower_back"))  # the shipped rule
        kept = {round(s.time_s, 3) for s in on.steps}
        trimmed = [s.time_s for s in off.steps if round(s.time_s, 3) not in kept]
        # nothing inside the reference system's walking bouts is left out
        assert not [t for t in trimmed if any(a + 0.1 < t < b - 0.1 for a, b in ref)], name
        for bout in on.bouts:  # each bout is a trimmed bout of the rule off, same call
            whole = next(b for b in off.bouts if b.start_s <= bout.start_s <= b.end_s)
            assert bout.end_s <= whole.end_s
            assert bout.direction == whole.direction
            assert bout.direction_confidence == pytest.approx(whole.direction_confidence)
        assert not any(s.direction == "backward" for s in on.steps)
        out_s += sum(b.duration_s for b in off.bouts) - sum(b.duration_s for b in on.bouts)
    assert out_s > 10.0  # 12.4 s of standing up, sitting down and bending


def test_deep_bends_split_a_bout_outside_the_reference_walking() -> None:
    rec, meta = _mobgap("HA_002_Test11_Trial1")
    fs = rec.sampling_rate_hz
    off = _analyse(rec, None)
    on = _analyse(rec, 50.0)  # split at every bend: measured, not used
    whole = [b for b in off.bouts if b.start_s < 150.0 < b.end_s]
    assert len(whole) == 1 and whole[0].start_s < 143.0 and whole[0].end_s > 153.0
    parts = [b for b in on.bouts if whole[0].start_s <= b.start_s and b.end_s <= whole[0].end_s]
    assert len(parts) >= 2  # split at the bends
    kept = {round(s.time_s, 3) for s in on.steps}
    dropped = [s.time_s for s in off.steps if s.bout == off.bouts.index(whole[0])]
    dropped = [t for t in dropped if round(t, 3) not in kept]
    # every contact left out lies in one of the two bends (about 145 and 148.5 s)
    assert dropped and all(144.5 <= t <= 146.0 or 147.5 <= t <= 149.5 for t in dropped)
    # no contact of the reference system's walking is left out of a bout
    ref = [(w["start"] / fs, w["end"] / fs) for w in meta["walking_bouts"]]
    lost = [
        s.time_s
        for s in off.steps
        if round(s.time_s, 3) not in kept and any(a <= s.time_s <= b for a, b in ref)
    ]
    assert lost == []
    # the parts keep the whole bout's direction (uncertain here)
    assert {b.direction for b in parts} == {whole[0].direction}
    # The pipeline's 0.25-Hz gravity is too slow for a bend: at the bend's
    # contacts it leans far less from the walking posture than the 1-s
    # posture the rule uses.
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, fs)
    idx = np.round(np.array(dropped) * fs).astype(np.int64)
    walking = np.round(np.array([t for t in kept if whole[0].start_s <= t <= 144.0]) * fs)
    upright = walking.astype(np.int64)

    def lean(up: np.ndarray) -> np.ndarray:
        ref_up = np.median(up[upright], axis=0)
        ref_up /= np.linalg.norm(ref_up)
        return np.degrees(np.arccos(np.clip(up[idx] @ ref_up, -1.0, 1.0)))

    kernel = np.ones(int(fs)) / int(fs)
    mean = np.column_stack([np.convolve(rec.acc_mps2[:, k], kernel, "same") for k in range(3)])
    mean /= np.linalg.norm(mean, axis=1, keepdims=True)
    slow, fast = lean(frame.up_unit), lean(mean)
    assert fast.max() > 50.0
    assert slow.max() < fast.max() - 5.0


def test_parts_of_a_called_bout_keep_its_call() -> None:
    rec, _ = _mobgap("HA_001_Test11_Trial1")
    off = _analyse(rec, None)
    on = _analyse(rec, 30.0)  # split at every bend: measured, not used
    whole = next(b for b in off.bouts if b.start_s < 121.0 < b.end_s)
    assert whole.direction == "forward"
    parts = [b for b in on.bouts if whole.start_s <= b.start_s and b.end_s <= whole.end_s]
    assert len(parts) == 2
    for part in parts:
        assert part.direction == whole.direction
        assert part.direction_confidence == pytest.approx(whole.direction_confidence)
        assert part.extra["direction_reason"] == whole.extra["direction_reason"]
    assert sum(p.n_steps for p in parts) < whole.n_steps
    assert not any(s.direction == "backward" for s in on.steps)


def _bends_a_bout_at_a_time(acc, ic, bouts, half):  # type: ignore[no-untyped-def]
    """The rule's angles worked one bout at a time, as the rule first did."""
    n = acc.shape[0]
    out = np.full(ic.size, np.nan)
    for span in bouts:
        members = ic[span.first : span.last + 1]
        lo = max(int(members[0]) - half, 0)
        hi = min(int(members[-1]) + half + 1, n)
        part = acc[lo:hi]
        total = np.zeros((part.shape[0] + 1, 3))
        np.cumsum(part, axis=0, out=total[1:])
        a = np.maximum(members - half - lo, 0)
        b = np.minimum(members + half + 1 - lo, part.shape[0])
        g = (total[b] - total[a]) / np.maximum(b - a, 1)[:, None]
        g /= np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-12)
        ref = np.array([np.median(col) for col in g.T])
        ref /= max(float(np.linalg.norm(ref)), 1e-12)
        out[span.first : span.last + 1] = np.degrees(np.arccos(np.clip(g @ ref, -1.0, 1.0)))
    return out


@pytest.mark.parametrize("rows", [1, 700, 1 << 18])
@pytest.mark.parametrize("seed", range(6))
def test_bends_of_all_bouts_at_once_are_a_bout_at_a_times_bit_for_bit(
    seed: int, rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule's angles, worked for all bouts' contacts at once, are those of one bout
    at a time: bouts at the recording's ends, of one contact, contacts outside bouts,
    a still device (zero windows) and a bending one; the bouts' running sums kept a
    bout, a few bouts or all bouts at a time."""
    from retrowalk.gait import bouts as bouts_module
    from retrowalk.gait.bouts import BoutSpan

    monkeypatch.setattr(bouts_module, "_BEND_ROWS", rows)

    rng = np.random.default_rng(seed)
    n = int(rng.integers(300, 6000))
    acc = rng.normal(size=(n, 3)) + [0.0, 0.0, 9.81]
    acc[n // 3 : n // 2] = np.cumsum(rng.normal(size=(n // 2 - n // 3, 3)), axis=0)  # bending
    if seed % 2:
        acc[: n // 5] = 0.0  # no signal: zero posture
    ic = np.unique(rng.integers(0, n, size=int(rng.integers(3, 120))))
    bouts, k = [], 0
    while k < ic.size:
        size = int(rng.integers(1, 15))
        last = min(k + size, ic.size) - 1
        if rng.random() < 0.8:  # some contacts belong to no bout
            bouts.append(BoutSpan(k, last, int(ic[k]), int(ic[last])))
        k = last + 1 + int(rng.integers(0, 3))
    for half in (1, 50, 100):
        rule = BentTrunkFilter(posture_window_s=2 * half / 100.0).filter(acc, ic, bouts, 100.0)
        expected = _bends_a_bout_at_a_time(acc, ic, bouts, half)
        assert np.array_equal(rule.bend_deg_, expected, equal_nan=True)

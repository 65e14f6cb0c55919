"""The bent-trunk split (:class:`retrowalk.gait.bouts.BentTrunkFilter`) on real daily life.

mobgap-lab Test11 (lower back, INDIP reference): HA_002 stands up and bends
down twice at 142-154 s, where the INDIP system has no walking, and our
contact detector finds a bout of 19 contacts. The rule ships off (held out it
did not pay, ``benchmarks/bout_agreement.py``, section 4); these check what it
measures, so that switching it on means what its documentation says.
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


def _analyse(rec, max_bend_deg):  # type: ignore[no-untyped-def]
    pipeline = TrunkPipeline(bent_trunk_filter=BentTrunkFilter(max_bend_deg=max_bend_deg))
    return analyze(rec, AnalysisOptions(placement="lower_back"), pipelines={"trunk": pipeline})


def test_deep_bends_are_split_off_a_bout_outside_the_reference_walking() -> None:
    rec, meta = _mobgap("HA_002_Test11_Trial1")
    fs = rec.sampling_rate_hz
    off = _analyse(rec, None)
    on = _analyse(rec, 50.0)
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
    on = _analyse(rec, 30.0)
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

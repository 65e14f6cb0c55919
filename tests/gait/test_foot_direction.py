"""Foot sensor: direction per stride carried through, bouts cut where it changes.

Real backward foot walking is not in the shared data; these are mechanics
checks on real forward walks (ipol-gait) spliced, without a pause, with their
own time reversal (the foot's kinematics in backward walking are close to a
time-reversed forward stride: toe-first landing, heel-last leaving).
"""

from __future__ import annotations

import numpy as np
import pytest
from foot_helpers import load_foot

from realdata import data_root
from retrowalk.core.recording import Recording
from retrowalk.gait.foot import FootGaitAnalyzer, direction_runs
from retrowalk.pipeline import AnalysisOptions, analyze

DATA = data_root() / "ipol-gait"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"ipol-gait not found at {DATA}")
SPLICES = [("1-1", "lf"), ("5-4", "rf"), ("8-6", "lf"), ("12-2", "rf")]


def spliced(trial: str, side: str) -> tuple[Recording, int]:
    """The first straight leg, then the same leg reversed in time (no pause)."""
    rec, lo, u0 = load_foot(trial, side)
    acc, gyro = rec.acc_mps2[lo:u0], rec.gyro_rads[lo:u0]
    joined = Recording(
        acc_mps2=np.vstack([acc, acc[::-1]]),
        gyro_rads=np.vstack([gyro, -gyro[::-1]]),
        sampling_rate_hz=rec.sampling_rate_hz,
        placement="foot",
    )
    return joined, acc.shape[0]


@needs_data
@pytest.mark.parametrize(("trial", "side"), SPLICES)
def test_direction_change_without_pause_gives_two_bouts(trial: str, side: str) -> None:
    rec, junction = spliced(trial, side)
    res = FootGaitAnalyzer().analyze(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)
    strides = res.strides_
    first = strides[strides["ic_sample"] < junction]
    second = strides[strides["ic_sample"] >= junction]
    assert (first["direction"] == "forward").mean() >= 0.85
    assert (second["direction"] == "backward").mean() >= 0.85
    # Toe-first (reversed) strides keep their full length: not cut in two.
    assert len(second) <= len(first) + 1
    ratio = second["stride_length_m"].median() / first["stride_length_m"].median()
    assert 0.9 <= ratio <= 1.1
    # Two bouts, the cut within 2 strides of the junction.
    assert len(res.walking_bouts_) == 2
    cut = res.walking_bouts_[1][0]
    own = np.sort(strides["ic_sample"].to_numpy())
    k_cut, k_true = np.searchsorted(own, cut), np.searchsorted(own, junction)
    assert abs(int(k_cut) - int(k_true)) <= 2


@needs_data
def test_steps_keep_their_direction_through_the_analysis() -> None:
    rec, junction = spliced("5-4", "rf")
    result = analyze(rec, AnalysisOptions(placement="foot"))
    assert [b.direction for b in result.bouts] == ["forward", "backward"]
    fs = rec.sampling_rate_hz
    for step in result.steps:
        expected = "forward" if step.time_s * fs < junction else "backward"
        near = abs(step.time_s * fs - junction) < 1.5 * fs
        assert step.direction == expected or near
    distances = [b.distance_m for b in result.bouts]
    assert distances[1] == pytest.approx(distances[0], rel=0.15)


def test_direction_runs_mechanics() -> None:
    f, b, u, s = "forward", "backward", "uncertain", "sideways"
    as_lists = lambda labels: [r.tolist() for r in direction_runs(labels)]  # noqa: E731
    assert as_lists([f, f, f, b, b, b]) == [[0, 1, 2], [3, 4, 5]]
    # One stray stride does not cut a walk; uncertain strides join their run.
    assert as_lists([f, f, u, f, b, f, f]) == [[0, 1, 2, 3, 4, 5, 6]]
    assert as_lists([f, f, s, s, s]) == [[0, 1], [2, 3, 4]]
    assert as_lists([u, u]) == [[0, 1]]
    assert as_lists([]) == []

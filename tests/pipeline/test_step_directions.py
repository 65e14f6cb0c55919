"""Steps keep their own direction, bouts count only their own steps, changes split bouts.

Mechanics only: real ipol-gait forward walks joined, without a pause, to their
own time reversal (a stand-in that tests splitting and bookkeeping, never
accuracy). Trunk path (lower back) and foot path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from realdata import ipol_lower_back_rows
from retrowalk.core.recording import Recording
from retrowalk.core.types import Direction
from retrowalk.gait.direction import WalkingDirectionClassifier
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.pipeline.foot import own_step_directions

F, B, U = Direction.FORWARD, Direction.BACKWARD, Direction.UNCERTAIN


def _forward_then_reversed(trial: str) -> tuple[Recording, float]:
    """Standing, the first leg, then the return leg and the standing reversed in time."""
    rec, ((a0, a1), (b0, b1)), _ = ipol_lower_back_rows(trial)
    acc = np.vstack([rec.acc_mps2[:a1], rec.acc_mps2[b0:b1][::-1], rec.acc_mps2[:a0][::-1]])
    gyro = np.vstack([rec.gyro_rads[:a1], -rec.gyro_rads[b0:b1][::-1], -rec.gyro_rads[:a0][::-1]])
    return Recording(acc, gyro, rec.sampling_rate_hz), a1 / rec.sampling_rate_hz


def _bookkeeping(result) -> None:
    """Every step in exactly one bout; a bout's step count is its own steps."""
    for k, bout in enumerate(result.bouts):
        own = [s for s in result.steps if s.bout == k]
        assert bout.n_steps == len(own)
        assert all(bout.start_s <= s.time_s <= bout.end_s for s in own)
    assert sum(b.n_steps for b in result.bouts) == len(result.steps)
    times = [s.time_s for s in result.steps]
    assert len(set(times)) == len(times)


@pytest.mark.parametrize("trial", ["2-1", "5-3"])
def test_trunk_change_of_direction_gives_two_bouts_within_two_steps(trial: str) -> None:
    """Calibrated (a plain walk has no body-fixed anchor at the lower back)."""
    from calibration_helpers import stand_in_profile

    rec, junction_s = _forward_then_reversed(trial)
    options = AnalysisOptions(placement="lower_back", direction_profile=stand_in_profile())
    result = analyze(rec, options)
    assert [b.direction for b in result.bouts] == [F, B]
    _bookkeeping(result)
    times = np.array([s.time_s for s in result.steps])
    first_of_second = int(np.searchsorted(times, result.bouts[1].start_s))
    assert abs(first_of_second - int(np.searchsorted(times, junction_s))) <= 2
    for step in result.steps:  # each step's own label, never the other way
        assert step.direction in ((F, U) if step.bout == 0 else (B, U))


def test_a_step_whose_own_stride_disagrees_is_uncertain_not_its_bouts() -> None:
    score = np.array([1.2, 0.8, -0.6, np.nan, 2.0])
    labels, conf = WalkingDirectionClassifier._own_labels(score, "forward", 0.85)
    assert labels.tolist() == ["forward", "forward", "uncertain", "forward", "forward"]
    assert conf.tolist() == [0.85, 0.85, 0.5, 0.85, 0.85]
    labels, _ = WalkingDirectionClassifier._own_labels(score, "backward", 0.85)
    assert labels.tolist() == ["uncertain", "uncertain", "backward", "backward", "uncertain"]
    labels, _ = WalkingDirectionClassifier._own_labels(score, "uncertain", 0.5)
    assert set(labels.tolist()) == {"uncertain"}


def test_the_steps_of_many_bouts_take_their_own_labels_as_each_bouts_do() -> None:
    """The own labels of the steps of many split bouts worked at once are each
    bout's _own_labels (signed zeros, NaN and infinities among the scores)."""
    rng = np.random.default_rng(8)
    scores, labels, confs, expected = [], [], [], []
    for k in range(40):
        score = rng.normal(size=int(rng.integers(0, 9)))
        score[rng.random(score.size) < 0.2] = np.nan
        score[rng.random(score.size) < 0.1] = -0.0
        score[rng.random(score.size) < 0.1] = np.inf * rng.choice([-1.0, 1.0])
        label = ("forward", "backward", "uncertain")[k % 3]
        conf = float(rng.uniform(0.5, 1.0))
        scores.append(score)
        labels += [label] * score.size
        confs += [conf] * score.size
        expected.append(WalkingDirectionClassifier._own_labels(score, label, conf))
    own, own_conf = WalkingDirectionClassifier._steps_own_labels(
        np.concatenate(scores), np.array(labels, dtype=object), np.array(confs)
    )
    assert own.tolist() == [x for e in expected for x in e[0].tolist()]
    assert own_conf.tobytes() == np.concatenate([e[1] for e in expected]).tobytes()


def test_foot_steps_take_their_own_stride_label() -> None:
    rows = pd.DataFrame(
        {
            "ic_sample": [100, 200, 300, 400],
            "direction": ["forward", "sideways", "forward", "backward"],
        }
    )
    contacts = np.array([100, 150, 200, 250, 300, 400])  # 150, 250: the other foot, inferred
    assert own_step_directions(rows, contacts, F) == [F, U, U, F, F, U]
    assert own_step_directions(rows.iloc[:0], contacts[:2], F) == [U, U]

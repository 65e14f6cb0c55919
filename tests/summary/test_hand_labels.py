"""Hand labels of bouts: matched by time overlap, applied once, every aggregate follows.

Real recording: CMU 09_12 at the lower back (a forward walk, a turn, a backward
walk), analysed without calibration: its two bouts come out "uncertain", the
case a user corrects by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from realdata import require
from retrowalk.app.analyse import AnalysisRequest, analyse_file
from retrowalk.core.results import Analysis
from retrowalk.summary.contract import to_dict
from retrowalk.summary.labels import HandLabel, apply_hand_labels, match_labels


@pytest.fixture(scope="module")
def walk() -> Analysis:
    path: Path = require("mocap-backward", "09_12_pelvis.csv")
    analysis = analyse_file(
        path, AnalysisRequest(placement="lower_back", use_stored_profiles=False)
    )
    assert len(analysis.bouts) == 2
    return analysis


def test_overlap_rule(walk: Analysis) -> None:
    first, second = walk.bouts
    whole = HandLabel(first.start_s, first.end_s, "forward")
    # Half of the first bout or more: applies; less: does not.
    mid = (first.start_s + first.end_s) / 2
    half = HandLabel(mid - 0.01, first.end_s, "forward")
    too_little = HandLabel(first.end_s - 0.3 * first.duration_s, first.end_s + 0.2, "forward")
    assert match_labels(walk.bouts, [whole]) == [0, None]
    assert match_labels(walk.bouts, [half]) == [0, None]
    assert match_labels(walk.bouts, [too_little]) == [None, None]
    # The label overlapping a bout most wins.
    wide = HandLabel(first.start_s - 5, second.end_s + 5, "backward")
    assert match_labels(walk.bouts, [wide, whole]) == [1, 0]


def test_relabel_changes_direction_totals_and_marks(walk: Analysis) -> None:
    first, second = walk.bouts
    # Spans a little off, as after a reanalysis that moved the bout edges.
    labels = [
        HandLabel(first.start_s + 0.4, first.end_s - 0.3, "forward"),
        HandLabel(second.start_s - 0.2, second.end_s + 0.5, "backward"),
    ]
    out = to_dict(apply_hand_labels(walk, labels))
    assert [b["direction"] for b in out["bouts"]] == ["forward", "backward"]
    assert all(b["direction_set_by"] == "user" for b in out["bouts"])
    assert [b["direction_detected"] for b in out["bouts"]] == [
        str(first.direction),
        str(second.direction),
    ]
    assert out["summary"]["backward"]["steps"] == second.n_steps
    assert out["summary"]["forward"]["steps"] == first.n_steps
    assert out["session"]["backward"]["steps"] == second.n_steps
    back_steps = [s for s in out["steps"] if s["bout"] == 1]
    assert back_steps and {s["direction"] for s in back_steps} == {"backward"}
    # Backward walking costs more than forward at the same speed: energy re-estimated.
    if first.speed_mps is not None and second.energy_kcal is not None:
        assert out["bouts"][1]["met"] is not None
    assert [entry["bouts"] for entry in out["hand_labels"]["labels"]] == [[0], [1]]
    # The analysis given is not changed.
    assert str(walk.bouts[1].direction) == str(second.direction)
    assert "hand_labels" not in to_dict(walk)


def test_not_walking_removes_the_bout_and_its_steps(walk: Analysis) -> None:
    first, second = walk.bouts
    out = to_dict(apply_hand_labels(walk, [HandLabel(first.start_s, first.end_s, "not_walking")]))
    assert len(out["bouts"]) == 1
    assert out["bouts"][0]["start_s"] == pytest.approx(second.start_s, abs=1e-3)
    assert out["session"]["n_bouts"] == 1
    assert {s["bout"] for s in out["steps"] if s["bout"] >= 0} == {0}
    removed = out["hand_labels"]["removed_bouts"]
    assert len(removed) == 1 and removed[0]["n_steps"] == first.n_steps
    total = sum(out["summary"][d]["steps"] for d in ("forward", "backward", "uncertain"))
    assert total == second.n_steps


def test_no_labels_is_the_same_analysis(walk: Analysis) -> None:
    assert apply_hand_labels(walk, []) is walk

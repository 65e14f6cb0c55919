"""A placement or a unit stated wrongly must not turn into a confident walking direction.

Real forward walks (ipol-gait: a foot and the lower back of the same walks)
analysed with the placement the user might state by mistake, with the
gyroscope left out, or with a unit read wrong. Each case made a backward call
before the signal was checked against what was stated (2-4 right foot as a
pocket: backward at 0.85; 4-5 lower back as a foot: 0.33; feet without a
gyroscope: 2 bouts at 0.77; 12-4 lower back in m/s^2 read as g: 0.8; 5-3 lower
back as a foot, its deg/s taken as rad/s: 0.67). Now every bout of them is
"uncertain" with the reason, and the correctly stated walks keep their calls.
"""

from __future__ import annotations

from typing import Literal

import pytest

import realdata
from retrowalk.core.recording import Recording
from retrowalk.core.results import Analysis
from retrowalk.pipeline import AnalysisOptions, analyze

pytestmark = pytest.mark.usefixtures("shared_data")

G = 9.80665


def _trial(trial: str, sensor: Literal["lb", "lf", "rf"]) -> Recording:
    return realdata.load_ipol_trial(trial, sensor)[0]


def _directions(result: Analysis) -> list[str]:
    return [str(b.direction) for b in result.bouts]


def _no_call(result: Analysis, words: str) -> None:
    assert result.bouts
    for bout in result.bouts:
        assert str(bout.direction) == "uncertain"
        assert words in bout.extra["direction_reason"]
    assert all(str(s.direction) == "uncertain" for s in result.steps)
    assert any(words in note for note in result.notes)


def test_a_foot_stated_as_a_pocket_is_not_read_as_a_thigh():
    rec = _trial("2-4", "rf")
    _no_call(analyze(rec, AnalysisOptions(placement="pocket")), "moves like a foot")
    _no_call(analyze(rec, AnalysisOptions(placement="lower_back")), "moves like a foot")
    as_foot = analyze(rec, AnalysisOptions(placement="foot"))
    assert _directions(as_foot) == ["forward", "forward"]
    assert as_foot.bouts[0].direction_confidence == pytest.approx(1.0)


def test_a_lower_back_stated_as_a_foot_is_not_read_as_a_foot():
    for trial in ("4-5", "9-1"):
        rec = _trial(trial, "lb")
        _no_call(analyze(rec, AnalysisOptions(placement="foot")), "more slowly than a thigh")
        as_lower_back = analyze(rec, AnalysisOptions(placement="lower_back"))
        assert "forward" in _directions(as_lower_back)
        assert "backward" not in _directions(as_lower_back)


def test_a_foot_without_gyroscope_has_no_body_anchor():
    for rec in (_trial("4-2", "lf"), _trial("5-2", "rf")):
        rec = rec.with_(gyro_rads=None)
        result = analyze(rec, AnalysisOptions(placement="foot"))
        assert result.bouts
        for bout in result.bouts:
            assert str(bout.direction) == "uncertain"
            assert "on a foot without a gyroscope" in bout.extra["direction_reason"]


def test_acceleration_in_the_wrong_unit_gives_no_direction():
    rec = _trial("12-4", "lb")
    as_g = rec.with_(acc_mps2=rec.acc_mps2 * G)  # m/s^2 read as g
    _no_call(analyze(as_g, AnalysisOptions()), "m/s^2 taken as g")
    as_mps2 = rec.with_(acc_mps2=rec.acc_mps2 / G)  # g read as m/s^2
    for bout in analyze(as_mps2, AnalysisOptions()).bouts:
        assert str(bout.direction) == "uncertain"
    assert _directions(analyze(rec, AnalysisOptions()))[0] == "forward"


def test_angular_rate_in_the_wrong_unit_gives_no_direction():
    rec = _trial("5-3", "lb")
    fast = rec.with_(gyro_rads=rec.gyro_rads * (180.0 / 3.141592653589793))  # deg/s as rad/s
    # Stated as a foot, the lower back never stands still as a foot does in every
    # stride: its stretches of "strides" are refused, and the notes say why.
    as_foot = analyze(fast, AnalysisOptions(placement="foot"))
    assert as_foot.bouts == [] and as_foot.steps == []
    assert any("angular-rate unit is wrong" in note for note in as_foot.notes)
    assert any("not on a foot" in note for note in as_foot.notes)
    assert all(str(b.direction) == "uncertain" for b in analyze(fast, AnalysisOptions()).bouts)
    assert _directions(analyze(rec, AnalysisOptions()))[0] == "forward"

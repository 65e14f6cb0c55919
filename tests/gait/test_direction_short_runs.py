"""Short calibrated runs on real walking: called, with a confidence their few strides allow.

A run of 5 real steps has 3 distinct stride windows (the edge steps share their
neighbour's); with the person's calibration it is called when they all travel
the same way, at the rule-of-succession confidence (below 0.9), and a
daily-life turn whose windows disagree stays uncertain.
"""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.transform import Rotation

from realdata import data_root, load_ipol_trial, load_mobgap
from retrowalk.core.recording import Recording
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.bouts import StationaryBoutFilter
from retrowalk.gait.calibration import calibrate
from retrowalk.gait.contacts import RhythmContactFilter
from retrowalk.gait.direction import (
    BACKWARD,
    FORWARD,
    BodyAnchor,
    WalkingDirectionClassifier,
    agreeing_windows,
    body_anchors,
    step_evidence,
    window_ceiling,
)
from retrowalk.gait.not_walking import WalkingCheck
from retrowalk.pipeline import AnalysisOptions, TrunkPipeline, analyze

FOLDER = data_root() / "mocap-backward"


def _mocap(trial: str, sensor: str = "pelvis") -> tuple[Recording, dict]:
    path = FOLDER / f"{trial}_{sensor}.csv"
    if not path.is_file():
        pytest.skip(f"real recordings not found at {FOLDER}")
    df = pd.read_csv(path)
    acc = df[["acc_x", "acc_y", "acc_z"]].to_numpy(float)
    gyro = df[["gyro_x", "gyro_y", "gyro_z"]].to_numpy(float)
    return Recording(acc, gyro, 100.0), json.loads((FOLDER / f"{trial}.json").read_text())


def _forward_profile(recs: list[Recording], placement: str = "lower_back"):  # type: ignore[no-untyped-def]
    """The person's calibration: forward walks one after another, all bouts labelled forward."""
    gyro = np.vstack([r.gyro_rads for r in recs])  # type: ignore[misc]
    rec = Recording(np.vstack([r.acc_mps2 for r in recs]), gyro, 100.0)
    result = analyze(rec, AnalysisOptions(placement=placement))
    fs = rec.sampling_rate_hz
    bouts = [(int(b.start_s * fs), int(b.end_s * fs)) for b in result.bouts]
    ic = np.array([round(s.time_s * fs) for s in result.steps], dtype=np.int64)
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, fs)
    return calibrate(frame, bouts, ic, [FORWARD] * len(bouts), placement=placement)


@pytest.mark.parametrize(
    ("trial", "others"), [("07_04", ("07_05", "07_06")), ("08_11", ("08_04", "08_05"))]
)
def test_a_five_step_forward_run_is_called_forward_below_0_9(
    trial: str, others: tuple[str, ...]
) -> None:
    profile = _forward_profile([_mocap(t)[0] for t in others])
    rec, meta = _mocap(trial)
    run = next(r for r in meta["runs_raw"] if r["direction"] == "forward")
    result = analyze(
        rec.slice_s(run["start_s"], run["end_s"]),
        AnalysisOptions(placement="lower_back", direction_profile=profile),
    )
    assert [b.n_steps for b in result.bouts] == [5]
    bout = result.bouts[0]
    assert bout.direction == FORWARD
    assert 0.75 <= bout.direction_confidence < 0.9
    assert "straight strides" in bout.extra["direction_reason"]


def test_the_real_backward_run_is_called_backward_below_0_9() -> None:
    """The one real backward walker, calibrated on the forward run of the same take."""
    rec, meta = _mocap("09_12")
    runs = meta["runs_raw"]
    fwd = next(r for r in runs if r["direction"] == "forward")
    profile = _forward_profile([rec.slice_s(fwd["start_s"], fwd["end_s"])])
    back = max(
        (r for r in runs if r["direction"] == "backward"), key=lambda r: r["end_s"] - r["start_s"]
    )
    result = analyze(
        rec.slice_s(back["start_s"], back["end_s"]),
        AnalysisOptions(placement="lower_back", direction_profile=profile),
    )
    assert result.bouts
    assert all(b.direction == BACKWARD for b in result.bouts)
    assert all(0.75 <= b.direction_confidence < 0.9 for b in result.bouts)


def test_a_daily_life_turn_with_disagreeing_strides_stays_uncertain() -> None:
    """mobgap-lab MS_001 Test11 at 28.5-32.3 s: three strides around a turn, one
    backward-looking (counted twice as an edge window); calling short bouts from
    5 usable steps put it backward (0.86). Nothing here may come out backward."""
    calib, _ = load_mobgap("MS_001_Test5_Trial1")
    profile = _forward_profile([calib])
    rec, _ = load_mobgap("MS_001_Test11_Trial1")
    result = analyze(rec, AnalysisOptions(placement="lower_back", direction_profile=profile))
    assert sum(b.direction == FORWARD for b in result.bouts) >= 3
    assert all(b.direction != BACKWARD for b in result.bouts)


def test_the_real_take_splits_at_its_change_and_never_calls_the_forward_part_backward() -> None:
    """09_12 whole, calibrated on its forward run: the forward start's travel (6 usable
    steps, 0.989) fell just short of the split's 0.99, and the whole take was one bout
    called backward at 0.998, most of its forward steps included. Now it splits within
    2 true steps of the labelled change, the weak forward side undecided."""
    rec, meta = _mocap("09_12")
    fwd = next(r for r in meta["runs_raw"] if r["direction"] == "forward")
    profile = _forward_profile([rec.slice_s(fwd["start_s"], fwd["end_s"])])
    result = analyze(rec, AnalysisOptions(placement="lower_back", direction_profile=profile))
    change = next(s["end_s"] for s in meta["segments"] if s["direction"] == "forward")
    assert all(s.direction != BACKWARD for s in result.steps if s.time_s < change)
    edges = [(a.end_s + b.start_s) / 2 for a, b in pairwise(result.bouts)]
    assert edges
    edge = min(edges, key=lambda e: abs(e - change))
    contacts = [t for foot in meta["foot_contacts_s"].values() for t in foot]
    assert sum(min(edge, change) < t < max(edge, change) for t in contacts) <= 2
    late = [s for s in result.steps if s.time_s > 11.3]
    assert late and all(s.direction == BACKWARD for s in late)
    assert all(b.direction_confidence < 0.9 or b.direction != FORWARD for b in result.bouts)


@pytest.mark.parametrize(
    ("trial", "others", "sensor", "placement"),
    [
        ("07_06", ("07_04", "07_05"), "pelvis", "lower_back"),
        ("08_04", ("08_05", "08_06"), "thigh", "pocket"),
    ],
)
def test_a_real_run_with_few_distinct_windows_stays_below_0_9(
    trial: str, others: tuple[str, ...], sensor: str, placement: str
) -> None:
    """A 3.5 s forward run of 6 or more usable steps has only 4-6 distinct stride
    windows; its noise came from those few windows (edge ones counted twice) and
    it was called at 0.99-1.0. Its confidence is now held to what that number of
    windows supports (rule of succession), below 0.9, and it is still forward."""
    profile = _forward_profile([_mocap(t, sensor)[0] for t in others], placement)
    rec, meta = _mocap(trial, sensor)
    run = next(r for r in meta["runs_raw"] if r["direction"] == "forward")
    result = analyze(
        rec.slice_s(run["start_s"], run["end_s"]),
        AnalysisOptions(placement=placement, direction_profile=profile),
    )
    called = [b for b in result.bouts if b.direction != "uncertain"]
    assert called
    assert all(b.direction == FORWARD for b in called)
    assert all(0.75 <= b.direction_confidence < 0.9 for b in called)
    assert any(b.n_steps >= 6 for b in called)
    assert all("straight strides" in b.extra["direction_reason"] for b in called)


def test_a_daily_life_turn_is_not_called_backward_from_its_distinct_windows() -> None:
    """mobgap-lab HA_001 Test11 at 111 s, calibrated: 5 distinct windows, one clearly
    forward (the edge one, counted twice before) and three clearly backward. Averaged
    over distinct windows alone it would be backward at 0.86; 3 of 4 clear windows
    agreeing support at most 0.67 (0.57 weighed by evidence: the one against is the
    strongest), so it stays uncertain, like all of the walk's bouts that are not
    forward."""
    calib, _ = load_mobgap("HA_001_Test5_Trial1")
    profile = _forward_profile([calib])
    rec, _ = load_mobgap("HA_001_Test11_Trial1")
    result = analyze(rec, AnalysisOptions(placement="lower_back", direction_profile=profile))
    assert all(b.direction != BACKWARD for b in result.bouts)
    turn = [b for b in result.bouts if b.start_s <= 111.5 <= b.end_s]
    assert turn and turn[0].direction == "uncertain"


def test_a_window_against_counts_by_its_evidence_among_the_bouts_windows() -> None:
    """All agreeing: the plain count. One weak window against strong ones counts less
    than one whole window against; one stronger than the rest counts more."""
    assert agreeing_windows(np.array([1.0, 2.0, 3.0, 4.0])) == 4.0
    assert agreeing_windows(np.zeros(0)) == 0.0
    weak_against = agreeing_windows(np.array([1.1, 2.5, 1.8, 1.8, -1.0]))
    strong_against = agreeing_windows(np.array([1.1, 2.5, 1.8, 1.8, -4.0]))
    assert 4.0 < weak_against < 5.0
    assert strong_against < 4.0
    # never above the ceiling of all windows agreeing
    assert window_ceiling(weak_against, 5) < window_ceiling(5, 5)


def test_a_daily_life_walk_whose_one_window_against_is_weak_is_called_forward() -> None:
    """mobgap-lab MS_001 Test11 at 97-107 s, calibrated: 4 of 5 clear distinct windows
    travel forward (+1.1 to +2.5 noise units), the one against is the weakest (-1.1),
    just after a turn. Counted whole it left the bout uncertain (0.71); weighed by
    its evidence the bout is forward at 0.81. The walk's turn-like bouts whose
    windows against are as strong as those for it stay uncertain, none backward."""
    calib, _ = load_mobgap("MS_001_Test5_Trial1")
    profile = _forward_profile([calib])
    rec, _ = load_mobgap("MS_001_Test11_Trial1")
    result = analyze(rec, AnalysisOptions(placement="lower_back", direction_profile=profile))
    assert all(b.direction != BACKWARD for b in result.bouts)
    walk = [b for b in result.bouts if b.start_s <= 100.0 <= b.end_s]
    assert walk and walk[0].direction == FORWARD
    assert 0.75 <= walk[0].direction_confidence < 0.9


def _ha001_daily_life(**rules: object):  # type: ignore[no-untyped-def]
    rec, meta = load_mobgap("HA_001_Test11_Trial1")
    clf = WalkingDirectionClassifier(**rules)  # type: ignore[arg-type]
    pipe = TrunkPipeline(direction_classifier=clf)
    result = analyze(rec, AnalysisOptions(placement="lower_back"), pipelines={"trunk": pipe})
    return result, meta


def test_anchored_short_runs_and_an_end_run_are_called_only_where_their_strides_agree() -> None:
    """mobgap-lab HA_001 Test11, uncalibrated: its trunk-flexion anchor holds for the
    whole walk. Three short bouts (93.8, 119.9, 131.2 s) have only 2-4 usable
    strides, all clearly forward: called forward at the anchor's cap or below.
    The bout at 37.8 s walks forward, then its last 2.5 s travel clearly the
    other way: its forward part is called, the end stays uncertain; the end
    begins shortly before the reference system's walking bout ends (INDIP, 50.85 s).
    Without the two rules all four are uncertain; none is ever backward."""
    before, _ = _ha001_daily_life(short_run_anchored=False, min_end_run_windows=None)
    after, meta = _ha001_daily_life()
    for result in (before, after):
        assert all(b.direction != BACKWARD for b in result.bouts)
        assert all(s.direction != BACKWARD for s in result.steps)

    def at(result, t: float):  # type: ignore[no-untyped-def]
        return next(b for b in result.bouts if b.start_s - 0.1 <= t <= b.end_s)

    for t in (94.0, 120.0, 131.3):
        assert at(before, t).direction == "uncertain"
        bout = at(after, t)
        assert bout.direction == FORWARD
        assert 0.75 <= bout.direction_confidence <= 0.85
        reason = bout.extra["direction_reason"]
        assert "trunk flexion" in reason and "straight strides" in reason
    whole = at(before, 38.0)
    # its last two contacts (the trunk bent up to 21 deg) are trimmed off (BentTrunkFilter)
    assert whole.direction == "uncertain" and whole.end_s > 52.0
    head, tail = at(after, 38.0), at(after, 52.0)
    assert head.direction == FORWARD and 0.75 <= head.direction_confidence <= 0.85
    assert 47.5 < head.end_s < tail.start_s < 51.5
    walk = next(w for w in meta["walking_bouts"] if w["start"] < 45 * 100 < w["end"])
    reference_end = walk["end"] / 100
    # the end run begins 1.8 s before the reference's walk ends (with windows of 0.5
    # noise units counted, as before, at it): the part between is uncertain, not wrong
    assert head.end_s <= reference_end and tail.start_s <= reference_end + 0.7
    assert tail.direction == "uncertain"
    assert "travel the other way" in tail.extra["direction_reason"]


def test_an_end_run_is_split_off_only_when_it_is_the_exception() -> None:
    """ipol-gait 8-5 (forward walking), its walk back after the U-turn, with the true
    forward axis as the anchor and looser rules (4 usable steps, turning up to 0.5
    rad/s, windows of 0.5 noise units counted): 3 clear windows travel backward
    (the turn's end) and 3 forward. Split at its forward end, the rest was called
    backward (0.8), wrong. An end run is split off only when the whole bout's clear
    windows, weighed by evidence, lean the way the rest is called; nothing here is
    backward."""
    rec, _ = load_ipol_trial("8-5", "lb")
    whole = TrunkPipeline(
        direction_classifier=WalkingDirectionClassifier(split=False),
        stationary_filter=StationaryBoutFilter(min_median_step_m=None),
        # the stepping after the trial (36.7-46.1 s) hardly moves the trunk
        # (0.20 m/s^2 at the step rhythm): kept here for the direction rule
        walking_check=WalkingCheck(min_vertical_mps2=0.0),
    )
    result = analyze(rec, AnalysisOptions(placement="lower_back"), pipelines={"trunk": whole})
    fs = rec.sampling_rate_hz
    bouts = [(round(b.start_s * fs), round(b.end_s * fs)) for b in result.bouts]
    ic = np.array([round(s.time_s * fs) for s in result.steps], dtype=np.int64)
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, fs)
    clf = WalkingDirectionClassifier(
        min_usable_steps=4, max_turn_rate_rads=0.5, short_run_min_score=0.5
    )
    ev = step_evidence(frame, bouts, ic, max_turn_rate_rads=0.5)
    truth = BodyAnchor(np.array([0.0, 0.0, -1.0]), "truth", 0.0, 0.85, "the known forward axis")
    n_stretches = int(clf.stretches(ev).max()) + 1
    clf.classify_evidence(ev, bouts, ic, anchors=[truth] * n_stretches)
    assert any("travel the other way" in r for r in clf.bout_reason_)
    assert BACKWARD not in clf.bout_direction_
    assert FORWARD in clf.bout_direction_


def test_an_anchored_short_run_across_the_anchors_axis_stays_uncertain() -> None:
    """HA_001 Test11's short bout at 93.8 s (4 windows, all clearly forward) with its
    trunk-flexion anchor is forward; with the anchor turned 75 deg about the vertical
    its travel runs mostly across the axis, and it is uncertain ("sideways"), as a
    longer bout would be, not called from the small share along it."""
    rec, _ = load_mobgap("HA_001_Test11_Trial1")
    whole = TrunkPipeline(direction_classifier=WalkingDirectionClassifier(split=False))
    result = analyze(rec, AnalysisOptions(placement="lower_back"), pipelines={"trunk": whole})
    fs = rec.sampling_rate_hz
    bouts = [(round(b.start_s * fs), round(b.end_s * fs)) for b in result.bouts]
    ic = np.array([round(s.time_s * fs) for s in result.steps], dtype=np.int64)
    clf = WalkingDirectionClassifier()
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, fs)
    ev = step_evidence(frame, bouts, ic, max_turn_rate_rads=clf.max_turn_rate_rads)
    [anchor] = body_anchors(rec.acc_mps2, fs, bouts, ev, clf, "lower_back")
    assert anchor.forward_unit is not None
    up = ev.bout_up.mean(axis=0) / np.linalg.norm(ev.bout_up.mean(axis=0))
    turned = Rotation.from_rotvec(np.radians(75.0) * up).apply(anchor.forward_unit)

    def at_94_s(forward: np.ndarray) -> tuple[str, str]:
        clf.classify_evidence(ev, bouts, ic, anchors=[replace(anchor, forward_unit=forward)])
        k = next(i for i, (a, b) in enumerate(clf.split_bouts_) if a <= 94.0 * fs <= b)
        return clf.bout_direction_[k], clf.bout_reason_[k]

    label, reason = at_94_s(anchor.forward_unit)
    assert label == FORWARD and "straight strides that all travel" in reason
    label, reason = at_94_s(turned)
    assert label == "uncertain" and "across the body's forward axis" in reason


def test_a_short_run_with_weak_windows_is_called_only_when_they_are_left_out() -> None:
    """mobgap-lab HA_001 Test11 at 28.0-34.5 s, uncalibrated (its trunk-flexion and
    turn anchor): 4 straight strides inside the reference system's walking bout
    (28.6-33.2 s), two clearly forward (+3.1, +1.1 noise units) and two too weak to
    count (+0.2, +0.0). The shipped rule refuses the run (every window must be
    clear); with ``short_run_weak_ignored`` the two clear ones call it forward at
    0.75 and say so. It is off by default: chosen leave-one-person-out, only this
    person gains. Nothing is backward either way."""
    shipped, meta = _ha001_daily_life()
    loose, _ = _ha001_daily_life(short_run_weak_ignored=True)
    for result in (shipped, loose):
        assert all(b.direction != BACKWARD for b in result.bouts)

    def at(result, t: float):  # type: ignore[no-untyped-def]
        return next(b for b in result.bouts if b.start_s - 0.1 <= t <= b.end_s)

    walk = next(w for w in meta["walking_bouts"] if w["start"] < 30 * 100 < w["end"])
    assert at(shipped, 30.0).direction == "uncertain"
    assert "too few straight steps" in at(shipped, 30.0).extra["direction_reason"]
    bout = at(loose, 30.0)
    assert bout.start_s < walk["end"] / 100 and bout.end_s > walk["start"] / 100
    assert bout.direction == FORWARD
    assert bout.direction_confidence == pytest.approx(0.75)
    assert "2 too weak to count" in bout.extra["direction_reason"]
    # every other bout is the same
    rest = [(b.start_s, b.direction) for b in loose.bouts if b is not bout]
    assert rest == [(b.start_s, b.direction) for b in shipped.bouts if b.start_s != bout.start_s]


def test_a_daily_life_shuffle_whose_strides_travel_both_ways_says_so() -> None:
    """mobgap-lab HA_002 Test11 at 17.9-39.1 s, uncalibrated: the reference system's
    slowest walk (3.5 m in 18 s), mostly turning. Its mean travel runs across the
    anchored forward axis, but not because the body steps sideways: its clear
    straight strides travel both ways along the axis (1 forward, 2 backward) and
    cancel. It stays uncertain and its reason says that; a bout whose clear strides
    do not travel both ways (MS_001 at 114 s: one clear stride) keeps the sideways
    reason (kept as a bout for this, its weak contacts too: with the rhythm rule,
    two clear strides, one each way). Nothing is backward."""
    rec, _ = load_mobgap("HA_002_Test11_Trial1")
    result = analyze(rec, AnalysisOptions(placement="lower_back"))
    assert all(b.direction != BACKWARD for b in result.bouts)
    shuffle = next(b for b in result.bouts if b.start_s <= 20.0 <= b.end_s)
    assert shuffle.duration_s > 15.0
    assert shuffle.direction == "uncertain"
    reason = shuffle.extra["direction_reason"]
    assert "travel both ways" in reason and "(1 forward, 2 backward)" in reason
    rec, _ = load_mobgap("MS_001_Test11_Trial1")  # its bout at 114 s steps in place:
    keep = TrunkPipeline(
        stationary_filter=StationaryBoutFilter(min_median_step_m=None),
        rhythm_filter=RhythmContactFilter(min_strength=None),
    )
    result = analyze(rec, AnalysisOptions(placement="lower_back"), pipelines={"trunk": keep})
    side = next(b for b in result.bouts if b.start_s <= 116.0 <= b.end_s)
    assert side.direction == "uncertain"
    assert side.extra["direction_reason"].startswith("travel mostly across")

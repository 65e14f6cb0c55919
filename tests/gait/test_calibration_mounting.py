"""A calibration walk keeps its main mounting: bouts worn differently are left out and named.

Real phones (phone-steps, forward walking, no gyroscope): Carmelo's back-pocket
walk ends with the phone taken out of the pocket, a short bout of its own at a
steep angle; labelled all forward, it calibrates from the walk and names the
handling bout. Two real walks of the same phone, front pocket then back pocket,
are a walk with the device really moved half-way: refused. The guided walk
whose backward part sat differently uses the time-reversed stand-in (mechanics
only, not backward walking).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from realdata import ipol_lower_back_rows, require
from retrowalk.app.calibration import describe_profile, load_profile, save_profile
from retrowalk.app.calibration import profile_from_analysis as fit
from retrowalk.core.recording import Recording
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.calibration import (
    DirectionCalibrator,
    DirectionProfile,
    LeftOutBout,
    calibrate,
)
from retrowalk.gait.direction import BACKWARD, FORWARD
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.pipeline.options import resolve_direction_profile
from retrowalk.report.content import assumption_rows, calibration_text
from retrowalk.summary.contract import to_dict


def _phone(name: str) -> Recording:
    return read_recording(require("phone-steps", name, "accelerometer.csv"))


def _all_forward(analysis):  # type: ignore[no-untyped-def]
    return fit(analysis, labels=[FORWARD] * len(analysis.bouts))


def test_phone_taken_out_at_the_end_is_left_out_and_named(tmp_path) -> None:
    analysis = analyze(_phone("Samsung_Carmelo_Hard_BackPocket_1"), AnalysisOptions())
    assert analysis.placement == "pocket" and len(analysis.bouts) >= 2
    profile = _all_forward(analysis)
    bouts = sorted(analysis.bouts, key=lambda b: b.start_s)
    [left] = profile.left_out
    last = bouts[-1]
    assert left.index == len(bouts) and left.label == FORWARD
    assert left.angle_deg > profile.max_tilt_deg
    assert abs(left.start_s - last.start_s) < 0.05 and abs(left.end_s - last.end_s) < 0.05
    assert 0 < left.n_steps <= last.n_steps
    assert profile.n_bouts == {FORWARD: len(bouts) - 1, BACKWARD: 0}
    main_steps = sum(b.n_steps for b in bouts[:-1])
    assert profile.n_steps[FORWARD] > 0.75 * main_steps
    [note] = profile.left_out_notes()
    assert note.startswith(f"bout {len(bouts)} (") and "left out" in note
    assert f"{left.angle_deg:.0f} deg" in note
    shown = describe_profile(profile)
    assert shown["left_out"] == [note] and shown["left_out_bouts"][0]["index"] == len(bouts)
    loaded = load_profile(save_profile(profile, tmp_path / "pocket.json"))
    assert loaded == profile and loaded.left_out_notes() == [note]

    # The same person's other back-pocket walk, analysed with it: forward, never backward.
    later = analyze(
        _phone("Samsung_Carmelo_Hard_BackPocket_2"),
        AnalysisOptions(placement="pocket", direction_profile=profile),
    )
    directions = [s.direction for s in later.steps]
    assert BACKWARD not in directions
    assert directions.count(FORWARD) > 0.5 * len(directions)
    # The analysis that uses it says so where it names the profile: JSON and report.
    assert later.assumptions["direction_profile"]["left_out"] == [note]
    assert note in calibration_text(to_dict(later))


def _profile_leaving_out(n: int) -> DirectionProfile:
    bouts = [LeftOutBout(k + 3, 10.0 * k, 10.0 * k + 4, FORWARD, 6, 41.0) for k in range(n)]
    return DirectionProfile(
        "pocket", [[0.0, 0.0, 1.0]], [1.0, 0.0, 0.0], [1], "2026-11-02T10:00:00+00:00", "ab",
        left_out=bouts,
    )  # fmt: skip


def test_an_analysis_names_the_bouts_its_profile_left_out_and_only_then() -> None:
    for n in (0, 1, 2):
        assumptions: dict = {}
        profile = _profile_leaving_out(n)
        assert resolve_direction_profile(profile, "pocket", assumptions) is profile
        info = assumptions["direction_profile"]
        assert info.get("left_out", []) == profile.left_out_notes()
        data = {"assumptions": assumptions, "recording": {"placement": "pocket"}}
        text = calibration_text(data)
        row = next(r for r in assumption_rows(data) if r[0] == "Walking-direction calibration")
        if n == 0:
            assert "not used" not in text and "not used" not in row[2]
            continue
        plural = "bouts" if n > 1 else "bout"
        assert f"{n} labelled {plural} of its walk, worn differently, not used" in text
        assert all(note in text for note in profile.left_out_notes())
        assert row[2].endswith(f"; {n} labelled {plural} of its walk, worn differently, not used")


def test_device_moved_half_way_is_refused() -> None:
    front = _phone("Samsung_Carmelo_Hard_FrontPocket_1")
    back = _phone("Samsung_Carmelo_Hard_BackPocket_1")
    assert front.sampling_rate_hz == back.sampling_rate_hz
    walk = Recording(np.vstack([front.acc_mps2, back.acc_mps2]), None, front.sampling_rate_hz)
    analysis = analyze(walk, AnalysisOptions(placement="pocket"))
    with pytest.raises(ValueError, match="the device moved during the calibration walk") as err:
        _all_forward(analysis)
    assert "keep it in one place" in str(err.value) and "% of the labelled steps" in str(err.value)


def _guided(turn_backward_part: bool) -> tuple:
    """Four forward walks of one person, then one of them time-reversed (stand-in only).

    With ``turn_backward_part`` the reversed walk is seen by the device tilted
    by 60 deg, as if it had been taken off and put back between the parts.
    """
    parts, bouts, ic, offset = [], [], [], 0
    for trial in ("3-1", "3-2", "3-3", "3-4"):
        rec, b, c = ipol_lower_back_rows(trial)
        parts.append(rec)
        bouts += [(lo + offset, hi + offset) for lo, hi in b]
        ic.append(c + offset)
        offset += rec.n_samples
    rec, b, c = ipol_lower_back_rows("3-1")
    back = rec.time_reversed()
    if turn_backward_part:
        up = back.acc_mps2.mean(axis=0)
        side = np.cross(up, [1.0, 0.0, 0.0])
        rot = Rotation.from_rotvec(np.radians(60) * side / np.linalg.norm(side))
        back = back.rotated(rot.as_matrix())
    n = rec.n_samples
    lo, hi = b[0]
    parts.append(back)
    bouts.append((n - 1 - hi + offset, n - 1 - lo + offset))
    ic.append(np.sort(n - 1 - c[(c >= lo) & (c <= hi)]) + offset)
    acc = np.vstack([p.acc_mps2 for p in parts])
    gyro = np.vstack([p.gyro_rads for p in parts])
    return body_frame(acc, gyro, 100.0), bouts, np.concatenate(ic)


def test_backward_part_worn_differently_is_refused_not_dropped() -> None:
    frame, bouts, ic = _guided(turn_backward_part=False)
    labels = [FORWARD] * (len(bouts) - 1) + [BACKWARD]
    together = DirectionCalibrator("lower_back").fit(frame, bouts, ic, labels)
    assert together.left_out_ == [] and together.profile_.n_bouts[BACKWARD] == 1
    share = together.profile_.n_steps[BACKWARD] / sum(together.profile_.n_steps.values())
    assert share < 0.25  # the share rule alone would keep the walk

    frame, bouts, ic = _guided(turn_backward_part=True)
    with pytest.raises(ValueError, match="every backward bout sat differently"):
        calibrate(frame, bouts, ic, labels, placement="lower_back")
    # Labelled forward, the same tilted bout is an edge accident: left out and named.
    profile = calibrate(frame, bouts, ic, [FORWARD] * len(bouts), placement="lower_back")
    [left] = profile.left_out
    assert left.index == len(bouts) and 50 < left.angle_deg < 70
    assert profile.n_bouts == {FORWARD: len(bouts) - 1, BACKWARD: 0}


def test_profile_stored_before_left_out_existed_still_loads() -> None:
    profile = DirectionProfile("pocket", [[1.0, 0.0, 0.0]], [0.0, 0.0, 1.0], [1], "t", "h")
    data = profile.to_dict()
    assert data.pop("left_out") == []
    old = DirectionProfile.from_dict(data)
    assert old == profile and old.left_out_notes() == []

"""3MBWT scoring against the published numbers, and timing 3 m from a recording's steps."""

from __future__ import annotations

import json
import math

import pytest

from realdata import data_root
from retrowalk.core.errors import InputError
from retrowalk.domain.assess.norms import procedure
from retrowalk.domain.assess.threembwt import compare, interpret, time_from_analysis

IPOL = data_root() / "ipol-gait"


def test_carter_2019_community_cutoffs() -> None:
    assert interpret(3.0, "community").level == "low"  # <= 3.0 s low risk
    assert interpret(3.01, "community").level == "medium"
    assert interpret(4.49, "community").level == "medium"
    high = interpret(4.5, "community")  # >= 4.5 s high risk
    assert high.level == "high" and "4.5 s" in high.summary
    assert any("J Geriatr Phys Ther. 2019;42(4):249" in f.citation for f in high.findings)


def test_polo_ferrero_2025_cutoff_and_group_means() -> None:
    fallers = interpret(6.8, "community")  # mean of fallers
    polo = next(f for f in fallers.findings if f.threshold_s == 5.5)
    assert polo.met and "59.5 %" in polo.note and "68.6 %" in polo.note
    non_fallers = interpret(5.1, "community")  # mean of non-fallers
    assert not next(f for f in non_fallers.findings if f.threshold_s == 5.5).met


def test_kapan_2025_nursing_homes() -> None:
    under = interpret(8.0, "nursing_home")  # Kapan 2025 defines no low risk
    assert under.level == "under_high" and "low fall risk" not in under.level_label
    assert "8.15 s high-risk cut-off" in under.level_label
    at_815 = interpret(8.15, "nursing_home")
    assert at_815.level == "high"
    assert [f.met for f in at_815.findings] == [True, False]
    assert all(f.met for f in interpret(9.31, "nursing_home").findings)
    assert "jamda" in at_815.findings[0].citation


def test_carter_2020_parkinsons() -> None:
    assert interpret(4.19, "parkinsons").level == "under_high"
    assert interpret(4.2, "parkinsons").level == "high"


def test_under_a_high_risk_only_cut_off_is_not_low_risk() -> None:
    """Parkinson's, MS and nursing homes have only a high-risk cut-off: a faster time is
    under it, and no source says it is low risk."""
    for time_s, group_id, cut in (
        (3.0, "parkinsons", 4.2),
        (5.0, "ms", 7.86),
        (7.0, "nursing_home", 8.15),
    ):
        i = interpret(time_s, group_id)
        assert i.level == "under_high"
        assert i.level_label == (
            f"under the {cut:g} s high-risk cut-off; "
            "no low-risk cut-off is published for this group"
        )
        assert f"under the {cut:g} s cut-off for high fall risk" in i.summary
        assert "no low-risk cut-off is published" in i.summary
        assert "does not mean a low fall risk" in i.summary
    assert interpret(2.9, "community").level == "low"  # Carter 2019 does define low risk


def test_stroke_has_no_published_cutoff_and_says_so() -> None:
    result = interpret(6.0, "stroke")
    assert result.level == "unknown" and result.findings == []
    assert "no published" in result.summary
    assert result.no_cutoff_note and "Healthcare. 2023" in result.no_cutoff_note


def test_speed_against_fritz_2013_and_gong_2026() -> None:
    result = interpret(5.0, "community")
    assert result.speed_mps == pytest.approx(0.6)
    slow = interpret(6.0, "community")
    assert "this is below 0.6 m/s" in slow.speed_notes[0]
    assert "0.73" in slow.speed_notes[1]


@pytest.mark.parametrize(("group", "mdc"), [("parkinsons", 2.13), ("ms", 1.69), ("stroke", 1.57)])
def test_change_against_the_mdc(group: str, mdc: float) -> None:
    small = compare(8.0, 8.0 - (mdc - 0.05), group)
    assert small.verdict == "no_real_change" and small.message.startswith("No real change")
    better = compare(8.0, 8.0 - (mdc + 0.05), group)
    assert better.verdict == "improved" and better.mdc_s == mdc
    worse = compare(6.0, 6.0 + mdc + 0.05, group)
    assert worse.verdict == "worse"


def test_stroke_speed_mdc_demark_2023() -> None:
    change = compare(6.0, 5.0, "stroke")
    assert change.speed_mdc_mps == {"subacute": 0.07, "chronic": 0.11}
    assert "DeMark" in change.message


def test_no_published_mdc_for_community_says_so() -> None:
    change = compare(6.0, 4.0, "community")
    assert change.verdict == "unknown" and "no published minimal detectable" in change.message


def test_bad_times_and_groups() -> None:
    with pytest.raises(InputError):
        interpret(0, "community")
    with pytest.raises(InputError):
        interpret(4.0, "astronauts")


def test_procedure_has_instructions() -> None:
    p = procedure()
    assert "as quickly as you safely can" in p["instructions"]
    assert p["stroke_variant"]["timed_from_m"] == 1.0 and p["stroke_variant"]["trials"] == 2


def _analysis(step_len: float = 0.5, step_time: float = 0.6, n: int = 12, **bout) -> dict:
    steps = [
        {
            "time_s": 10 + i * step_time,
            "bout": 1,
            "direction": "backward",
            **({"length_m": step_len} if i else {}),
        }
        for i in range(n)
    ]
    forward = [
        {"time_s": 1.0 + i * 0.5, "bout": 0, "direction": "forward", "length_m": 0.7}
        for i in range(10)
    ]
    return {
        "bouts": [
            {"direction": "forward", "step_length_m": 0.7},
            {"direction": "backward", "step_length_m": step_len, **bout},
        ],
        "steps": forward + steps,
    }


def test_three_metres_timed_from_steps() -> None:
    # 0.5 m steps every 0.6 s: 3 m after 6 steps = 3.6 s after the first contact.
    timed = time_from_analysis(_analysis(), step_length_rel_error=0.10, contact_timing_sd_s=0.0)
    assert timed.bout == 1 and timed.time_s == pytest.approx(3.6)
    # +/-10 % step length: 3 m after 3/0.55 or 3/0.45 steps.
    assert timed.low_s == pytest.approx(3 / 0.55 * 0.6, abs=0.01)
    assert timed.high_s == pytest.approx(3 / 0.45 * 0.6, abs=0.01)
    assert timed.uncertainty_s == pytest.approx((timed.high_s - timed.low_s) / 2, abs=0.01)


def test_uncertainty_includes_contact_timing() -> None:
    exact = time_from_analysis(_analysis(), step_length_rel_error=0.0, contact_timing_sd_s=0.03)
    assert exact.uncertainty_s == pytest.approx(math.sqrt(2) * 0.03, abs=0.005)


def test_stroke_variant_times_the_middle_three_metres() -> None:
    timed = time_from_analysis(_analysis(), start_m=1.0, end_m=4.0, contact_timing_sd_s=0.0)
    assert timed.time_s == pytest.approx(3.6)
    assert timed.start_time_s == pytest.approx(10 + 2 * 0.6)


def test_missing_step_lengths_take_the_bout_mean() -> None:
    data = _analysis()
    backward = [s for s in data["steps"] if s["bout"] == 1]
    del backward[3]["length_m"]
    timed = time_from_analysis(data, contact_timing_sd_s=0.0)
    assert timed.time_s == pytest.approx(3.6) and timed.notes


def test_too_short_bout_is_refused() -> None:
    with pytest.raises(InputError, match=r"covers 2\.0 m"):
        time_from_analysis(_analysis(n=5))
    with pytest.raises(InputError, match="not a backward bout"):
        time_from_analysis(_analysis(), bout=0)


@pytest.mark.skipif(not IPOL.is_dir(), reason=f"real recordings not found at {IPOL}")
def test_real_time_reversed_walks_against_the_reference_leg_time() -> None:
    """ipol-gait walks (10 m, U-turn, 10 m) played backwards in time: timing the first
    10 m from the steps matches the reference duration of that leg. The walks are
    analysed with a direction calibration (see calibration_helpers), as a user who
    calibrated would, so they are called backward."""
    from calibration_helpers import stand_in_profile
    from retrowalk.io import read_recording
    from retrowalk.pipeline import AnalysisOptions, analyze
    from retrowalk.summary.contract import to_dict

    profile = stand_in_profile()

    within = 0
    trials = ("1-1", "2-1", "4-1", "6-1")
    for trial in trials:
        meta = json.loads((IPOL / f"{trial}.json").read_text())
        rec = read_recording(IPOL / f"{trial}_lb.txt", placement="lower_back")
        height = meta.get("Height")
        options = AnalysisOptions(
            placement="lower_back",
            height_m=height / 100 if height else None,
            direction_profile=profile,
        )
        analysis = analyze(rec.time_reversed(), options)
        reference = (meta["TrialBoundaries"][1] - meta["UTurnBoundaries"][1]) / 100.0
        timed = time_from_analysis(to_dict(analysis), end_m=10.0)
        error = abs(timed.time_s - reference)
        assert error <= 1.5 * timed.uncertainty_s, (trial, timed, reference)
        within += error <= timed.uncertainty_s
    assert within >= len(trials) - 1

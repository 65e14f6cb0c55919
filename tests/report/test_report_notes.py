"""A long recording's many notes about single stretches are told once per kind in the report."""

from __future__ import annotations

from retrowalk.report.content import assumption_rows, calibration_text, grouped_notes

REFUSED = "not walking: the body hardly moves at the step rhythm ({} m/s^2 up and down); no bout"


def test_stretch_notes_saying_the_same_are_one_line_in_order():
    notes = [
        "pocket: step length from body height and cadence",
        "12.0-18.5 s: " + REFUSED.format("0.16"),
        "30.2-31.0 s: a bout of 3 steps at a pause",
        "40.0-44.5 s: " + REFUSED.format("0.18"),
        "50.0-52.5 s: " + REFUSED.format("0.11"),
        "61.0-66.0 s: " + REFUSED.format("0.19"),
    ]
    assert grouped_notes(notes) == [
        "pocket: step length from body height and cadence",
        REFUSED.format("0.16")
        + " - 4 stretches: 12.0-18.5 s (its figures), 40.0-44.5 s, 50.0-52.5 s and 1 more",
        "30.2-31.0 s: a bout of 3 steps at a pause",  # said once: kept as it is
    ]


def test_the_report_groups_them_and_the_json_keeps_every_note():
    notes = [f"{10 * k}.0-{10 * k + 5}.0 s: " + REFUSED.format(f"0.1{k}") for k in range(9)]
    data = {"notes": notes, "recording": {}, "assumptions": {}}
    rows = [value for what, value, _ in assumption_rows(data) if what == "Note (analysis)"]
    assert rows == [
        REFUSED.format("0.10") + " - 9 stretches: 0.0-5.0 s (its figures), 10.0-15.0 s, "
        "20.0-25.0 s and 6 more"
    ]
    assert len(data["notes"]) == 9


def test_a_calibration_used_is_one_row_of_the_assumptions():
    profile = {
        "placement": "lower_back",
        "created_at": "2026-01-05T10:00:00",
        "source": "stored calibration of this person for lower_back",
    }
    refused = {
        **profile,
        "used": False,
        "not_used_reason": "direction profile (lower_back, 2026-01-05) not used: the device "
        "sits 92 deg differently from the calibration (limit 30 deg); calibrate again",
    }
    for used, expected in (
        (
            profile,
            [("Walking-direction calibration", "lower back calibration of 2026-01-05 10:00 UTC")],
        ),
        (
            {**profile, "used": True},
            [("Walking-direction calibration", "lower back calibration of 2026-01-05 10:00 UTC")],
        ),
        (
            refused,
            [
                (
                    "Walking-direction calibration",
                    "lower back calibration of 2026-01-05 10:00 UTC: not used",
                )
            ],
        ),
        (None, [("Direction calibration", "none")]),
    ):
        data = {"recording": {}, "assumptions": {"direction_profile": used} if used else {}}
        rows = [row[:2] for row in assumption_rows(data) if "calibration" in row[0]]
        assert rows == expected


def test_a_calibration_offered_but_not_used_says_so_and_why():
    """A calibration the analysis could not use (the device worn another way) is named
    as not used, with the reason once and without the profile's name twice."""
    info = {
        "placement": "lower_back",
        "created_at": "2026-01-05T10:00:00",
        "source": "stored calibration of this person for lower_back",
        "used": False,
        "not_used_reason": "direction profile (lower_back, 2026-01-05) not used: the device "
        "sits 92 deg differently from the calibration (limit 30 deg); calibrate again",
    }
    text = calibration_text({"assumptions": {"direction_profile": info}})
    assert text.startswith(
        "Direction calibration not used: made 2026-01-05 10:00 UTC for the lower back"
    )
    assert ", but the device sits 92 deg differently" in text
    assert "used:" not in text.replace("not used:", "")
    row = [
        r
        for r in assumption_rows({"recording": {}, "assumptions": {"direction_profile": info}})
        if "calibration" in r[0]
    ]
    assert row[0][2].endswith(
        "; not used: the device sits 92 deg differently from the "
        "calibration (limit 30 deg); calibrate again"
    )

"""A week's averages are rounded as a recording's (the progress page, its JSON, the
API and the export's weekly table)."""

from __future__ import annotations

import datetime as dt

from retrowalk.summary.progress import weekly


def test_a_weeks_averages_are_rounded_as_a_recordings() -> None:
    """A week of two recordings: its cadence and steadiness to 0.01 as each
    recording's (they were given to 0.001), its speed to 0.001 as each's."""
    rows = [
        (dt.date(2025, 3, 3), _stored(7.6, 0.73, 102.63, 8.14)),
        (dt.date(2025, 3, 5), _stored(3.31, 0.6, 110.17, 5.29)),
    ]
    (week,) = weekly(rows)
    assert week.backward_cadence_spm == 104.92  # 104.918 before
    assert week.backward_step_time_cv_pct == 7.28  # 7.275 before
    assert week.backward_speed_mps == 0.691


def _stored(seconds: float, speed: float, cadence: float, cv: float) -> dict[str, float]:
    return {
        "backward_steps": 10,
        "backward_duration_s": seconds,
        "backward_distance_m": round(speed * seconds, 2),
        "backward_speed_mps": speed,
        "cadence_spm": cadence,
        "step_time_cv_pct": cv,
    }

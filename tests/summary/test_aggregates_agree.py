"""Every consumer shows the same aggregates for the same analysis.

ipol ``1-1_lb`` played backwards (time reversal stands in for backward walking
here; it tests the mechanics, not accuracy) is analysed once, and its backward
totals, cadence, speed and step-time CV are read from the four places a person
sees them: the JSON (``summary`` and ``session``), the HTML and PDF report, the
weekly progress of the web app, and the batch tables. All must be equal. Before
the aggregates were computed once, the report said 13.73 % and the progress
chart 16.68 % for the backward step-time CV of this very analysis.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from realdata import ipol_file
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.report import report_data
from retrowalk.report.content import fmt
from retrowalk.report.html import render_html
from retrowalk.report.pdf import summary_rows
from retrowalk.store.progress import weekly as stored_weekly
from retrowalk.summary.contract import to_json
from retrowalk.summary.progress import summarise, weekly
from retrowalk.summary.tables import analysis_tables


@pytest.fixture(scope="module")
def reversed_walk() -> Any:
    from calibration_helpers import stand_in_profile

    recording = read_recording(ipol_file("2-1_lb")).time_reversed()
    # Calibrated: a plain walk has no body-fixed anchor at the lower back.
    options = AnalysisOptions(placement="lower_back", direction_profile=stand_in_profile())
    analysis = analyze(recording, options)
    assert any(b.direction == "backward" for b in analysis.bouts), "no backward bout to compare"
    return analysis


def _report_numbers(html: str) -> dict[str, str]:
    """``{json path: text shown}`` of every number of the HTML report."""
    cells = re.findall(r'data-json="([^"]+)">([^<]*)<', html)
    return {path: text for path, text in cells}


def test_report_json_progress_and_tables_agree(reversed_walk: Any) -> None:
    data = json.loads(to_json(reversed_walk))
    session, summary = data["session"], data["summary"]
    back, steady = session["backward"], session["steadiness"]["backward"]
    assert steady["step_time_cv_pct"] is not None and back["mean_cadence_spm"] is not None

    # JSON: the summary block and the session block share one totals function
    for direction in ("forward", "backward", "uncertain"):
        assert summary[direction]["steps"] == session[direction]["steps"]
        assert summary[direction]["duration_s"] == session[direction]["duration_s"]
        assert summary[direction]["distance_m"] == (session[direction]["distance_m"] or 0.0)

    # report (HTML and PDF) shows the JSON's numbers
    shown = _report_numbers(render_html(report_data(reversed_walk)))
    for key in ("steps", "duration_s", "distance_m", "mean_speed_mps", "mean_cadence_spm"):
        assert shown[f"session.backward.{key}"] == fmt(back[key])
    for key in ("step_time_cv_pct", "cadence_cv_pct"):
        assert shown[f"session.steadiness.backward.{key}"] == fmt(steady[key])
    header, rows = summary_rows(report_data(reversed_walk))
    pdf = {row[0].split(" (")[0]: row[1 + header[1:].index("Backward")] for row in rows}
    assert pdf["Cadence"] == fmt(back["mean_cadence_spm"])
    assert pdf["Steps"] == fmt(back["steps"])

    # web progress: what is stored beside the analysis, and the week it falls in
    stored = summarise(data)
    assert stored["backward_steps"] == back["steps"]
    assert stored["backward_duration_s"] == back["duration_s"]
    assert stored["backward_distance_m"] == (back["distance_m"] or 0.0)
    assert stored["backward_speed_mps"] == back["mean_speed_mps"]
    assert stored["cadence_spm"] == back["mean_cadence_spm"]
    assert stored["step_time_cv_pct"] == steady["step_time_cv_pct"]
    day = dt.date(2026, 1, 7)
    week = weekly([(day, stored)])[0]
    assert week.backward_steps == back["steps"]
    assert week.backward_speed_mps == back["mean_speed_mps"]
    assert week.backward_cadence_spm == back["mean_cadence_spm"]
    assert week.backward_step_time_cv_pct == steady["step_time_cv_pct"]
    shown_week = stored_weekly([(day, stored)])[0]  # what the web chart plots
    assert shown_week.cadence_spm == back["mean_cadence_spm"]
    assert shown_week.step_time_cv_pct == steady["step_time_cv_pct"]

    # batch tables
    row = analysis_tables(reversed_walk, "r1")["recordings"].iloc[0]
    assert row["backward_steps"] == back["steps"]
    assert row["backward_duration_s"] == back["duration_s"]
    assert row["backward_distance_m"] == (back["distance_m"] or 0.0)
    assert row["backward_speed_mps"] == back["mean_speed_mps"]
    assert row["backward_cadence_spm"] == back["mean_cadence_spm"]
    assert row["backward_step_time_cv_pct"] == steady["step_time_cv_pct"]


def test_stored_json_without_session_block_gives_the_same_figures(reversed_walk: Any) -> None:
    """An analysis stored before the session block existed is summarised by the same rules."""
    data = json.loads(to_json(reversed_walk))
    with_session = summarise(data)
    data.pop("session")
    without = summarise(data)
    assert without["backward_steps"] == with_session["backward_steps"]
    assert without["step_time_cv_pct"] == pytest.approx(with_session["step_time_cv_pct"], abs=0.05)
    assert without["cadence_spm"] == pytest.approx(with_session["cadence_spm"], abs=0.05)

"""The one rule figures are shown by (:mod:`retrowalk.report.display`)."""

from __future__ import annotations

from retrowalk.report import display


def test_a_tie_of_the_json_reads_half_up_from_the_json_value_or_the_unrounded_one() -> None:
    # 9.25 is exactly 9.25 in binary, and binary rounding to even took it down.
    assert f"{9.25:.1f}" == "9.2" and display.distance(9.25) == "9.3"
    # The unrounded figure the command line holds reads as its JSON value does.
    for unrounded, json_value in ((9.2534, 9.25), (9.2449, 9.24), (5.5501, 5.55)):
        assert round(unrounded, 2) == json_value
        assert display.distance(unrounded) == display.distance(json_value)
    assert display.distance(5.55) == "5.6" and f"{5.55:.1f}" == "5.5"
    assert display.speed(1.555) == "1.56" and f"{1.555:.2f}" == "1.55"
    assert display.cadence(102.5) == "103" and f"{102.5:.0f}" == "102"
    assert display.cv_pct(7.25) == "7.3"
    assert display.time_s(12.25) == "12.3"
    # A bout's length from its JSON start and end, subtracted in decimal.
    assert display.span_s(0.0, 1.005) == "1.01" and f"{1.005 - 0.0:.2f}" == "1.00"
    assert display.step_length(0.525) == "0.53"
    # A running analysis's percent, as the page's script (Math.round) writes it.
    assert display.percent(12.5) == "13" and f"{12.5:.0f}" == "12"
    assert display.distance(0.0) == "0.0" and display.distance(-0.01) == "0.0"
    assert display.distance(None) == display.MISSING == display.speed(float("nan"))


def test_one_duration_format() -> None:
    assert display.duration(7.6) == "8 s"
    assert display.duration(7.5) == "8 s"  # half up, where round(7.5) gives 8 and round(6.5) 6
    assert display.duration(6.5) == "7 s"
    assert display.duration(59.5) == "1 min 00 s"
    assert display.duration(83.4) == "1 min 23 s"
    assert display.duration(3599.4) == "59 min 59 s"
    assert display.duration(6396.41) == "1 h 47 min"
    assert display.duration(6618) == "1 h 50 min"
    assert display.duration(None) == display.MISSING


def test_body_measures_read_as_entered() -> None:
    assert display.weight(71.5) == "71.5" and f"{71.5:.0f}" == "72"
    assert display.weight(72.0) == "72" and display.weight(3.45) == "3.45"
    assert display.height(1.74) == "1.74"
    assert display.height(1.625) == "1.63" and f"{1.625:.2f}" == "1.62"


def test_a_3mbwt_speed_reads_the_same_in_its_sentence_beside_it_and_on_the_command_line() -> None:
    """4.8 s over 3 m is 0.625 m/s: the sentence said 0.62 (binary rounding to even)."""
    from typer.testing import CliRunner

    from retrowalk.cli import app
    from retrowalk.domain.assess.threembwt import interpret

    reading = interpret(4.8, "community")
    assert reading.speed_mps == 0.625 and f"{0.625:.2f}" == "0.62"
    assert display.speed(reading.speed_mps) == "0.63"
    assert any("Backward speed 0.63 m/s." in note for note in reading.speed_notes)
    said = CliRunner().invoke(app, ["test", "3mbwt", "--time", "4.8", "--group", "community"])
    assert said.exit_code == 0, said.output
    assert "(0.63 m/s)" in said.stdout and "Backward speed 0.63 m/s." in " ".join(
        said.stdout.split()
    )


def test_the_command_line_counts_a_3mbwt_bout_from_1_as_the_web_page_does() -> None:
    """A real walk, forward then backward: the test is timed from its second bout
    (index 1 in the JSON); the web page says "Timed from bout 2", the command line
    said "timed from bout 1"."""
    import json
    from pathlib import Path

    from typer.testing import CliRunner

    from retrowalk.cli import app

    walk = Path(__file__).resolve().parents[2] / "src/retrowalk/data/demo/cmu_09_12_lower_back.csv"
    args = ["test", "3mbwt", "--recording", str(walk), "--height-m", "1.89"]
    timing = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)["timing"]
    said = CliRunner().invoke(app, args)
    assert said.exit_code == 0, said.output
    assert timing["bout"] == 1 and f"timed from bout {timing['bout'] + 1}: " in said.stdout


def test_backward_minutes_read_half_up_and_the_coaching_sentences_write_them_the_same() -> None:
    """12.125 min is exactly 12.125 in binary: binary rounding to even took it to 12.12."""
    from retrowalk.domain.coach.weekly import minutes_text

    assert f"{round(12.125, 2) + 0.0:g}" == "12.12" and display.minutes(12.125) == "12.13"
    assert display.minutes(12.5) == "12.5" and display.minutes(30) == "30"
    assert display.minutes(10.0) == "10" and display.minutes(0.004) == "0"
    assert display.minutes(None) == display.MISSING
    # A recording's 7.5 s of backward walking is 0.125 min.
    for value in (12.125, 7.5 / 60, 2.675, 1 / 3, 12.5, 10.0, 0.0):
        assert minutes_text(value) == display.minutes(value), value


def test_a_3mbwt_time_reads_as_its_json_holds_it() -> None:
    """A test's time is stored to 0.01 s: 10.125 s typed is stored 10.12 and reads 10.12
    everywhere, trailing zero kept (as the pages wrote it)."""
    from retrowalk.app.assess import ThreeMbwtIn

    assert round(10.125, 2) == 10.12
    assert display.threembwt_s(10.125) == display.threembwt_s(10.12) == "10.12"
    assert ThreeMbwtIn(trials_s=[10.0, 10.25]).time_s == 10.12  # the mean, as stored
    assert display.threembwt_s(4.3) == "4.30" and display.threembwt_s(None) == display.MISSING


def test_a_childs_age_in_months_reads_half_up_from_the_json_and_weeks_early_whole() -> None:
    from retrowalk.domain.kids.age import DAYS_PER_MONTH

    months = 76 / DAYS_PER_MONTH  # 76 days old: 2.497 months, 2.5 in the JSON
    assert round(months, 2) == 2.5 and f"{months:.0f}" == "2"
    assert display.age_months(months) == "3" and display.age_months(2.5) == "3"
    assert display.weeks(25 / 7) == "4" and display.weeks(24 / 7) == "3"
    assert display.percent(12.0) == "12" and display.percent(-0.4) == "0"
    assert display.percent(None) == display.MISSING


def test_the_reports_gaps_total_reads_by_the_rule() -> None:
    """Two gaps of the JSON (0.001 s) adding up to 0.25 s: binary rounding said 0.2."""
    from retrowalk.report.content import assumption_rows

    gaps = [{"start_s": 1.0, "end_s": 1.125}, {"start_s": 3.0, "end_s": 3.125}]
    rows = assumption_rows({"recording": {"gaps": gaps}})
    assert f"{0.25:.1f}" == "0.2"
    assert ("Gaps in the data", "2 (0.3 s)", "no walking is reported inside") in rows

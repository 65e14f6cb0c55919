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

"""The top-level commands through the real CLI: analyse, errors, demo."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from retrowalk.cli import app
from retrowalk.report.content import without_figures
from retrowalk.report.display import time_s


def test_analyze_json_on_stdout_follows_the_contract(shared_data: Path) -> None:
    path = shared_data / "mobgap-lab" / "HA_002_Test5_Trial1.csv"
    result = CliRunner().invoke(app, ["analyze", str(path), "--json", "-", "--height-m", "1.8"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1
    assert doc["recording"]["format"] == "mobgap-csv"
    assert doc["recording"]["units"]["gyro"]["unit"] == "dps"
    assert (
        doc["assumptions"]["height_m"] == 1.8 and doc["assumptions"]["weight_source"] == "default"
    )
    assert doc["bouts"] and sum(b["n_steps"] for b in doc["bouts"]) == len(doc["steps"])


def test_the_bout_table_says_why_a_direction_is_uncertain(shared_data: Path) -> None:
    """A real daily-life recording with bouts of uncertain direction: the plain output
    totals their steps and gives every distinct reason the JSON gives, each once."""
    path = shared_data / "mobgap-lab" / "HA_001_Test11_Trial1.csv"
    doc = json.loads(CliRunner().invoke(app, ["analyze", str(path), "--json", "-"]).stdout)
    uncertain = [b for b in doc["bouts"] if b["direction"] == "uncertain"]
    assert uncertain, "the recording no longer has an uncertain bout: pick another"
    result = CliRunner().invoke(app, ["analyze", str(path)])
    assert result.exit_code == 0, result.output
    steps = sum(b["n_steps"] for b in uncertain)
    assert f"uncertain: {steps} steps, " in result.stdout
    why = " ".join(result.stdout.split("why uncertain:")[1].split())  # lines may wrap
    for reason in {b["direction_reason"] for b in uncertain}:
        spans = [f"{time_s(b['start_s'])}-{time_s(b['end_s'])} s" for b in uncertain
                 if b["direction_reason"] == reason]  # fmt: skip
        told = f"{', '.join(spans)}: {' '.join(reason.split())}"
        assert why.count(told) == 1, (told, why)
        assert why.count(": " + " ".join(reason.split())) == 1


def test_a_direction_nothing_anchors_comes_with_how_to_calibrate(
    shared_data: Path, tmp_path: Path, monkeypatch
) -> None:
    """Where the signal does not show which way the body faces, the plain output ends
    with the calibration walk to make for that placement and the command that learns
    it; not where the steps themselves leave the direction open, nor once a
    calibration is offered. The JSON on stdout is unchanged."""
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path / "store"))
    from retrowalk.app.calibration import INSTRUCTIONS

    runner = CliRunner()

    def plain(path: Path, *options: str) -> str:
        result = runner.invoke(app, ["analyze", str(path), *options])
        assert result.exit_code == 0, result.output
        return " ".join(result.stdout.split())

    # A straight walk at the lower back: no bend, no turn.
    walk = shared_data / "mobgap-lab" / "HA_001_Test5_Trial1.csv"
    said = plain(walk)
    assert "To tell forward from backward here, calibrate once: " in said
    assert " ".join(INSTRUCTIONS["lower_back"].split()) in said
    assert "retrowalk calibrate WALK --labels forward,backward --placement lower_back" in said
    doc = json.loads(runner.invoke(app, ["analyze", str(walk), "--json", "-"]).stdout)
    assert doc["bouts"] and {b["direction"] for b in doc["bouts"]} == {"uncertain"}

    # A thigh whose swing is too even to show its front (real backward walker).
    thigh = shared_data / "mocap-backward" / "09_12_thigh.csv"
    units = ["--placement", "pocket", "--acc-unit", "mps2", "--gyro-unit", "rads"]
    said = plain(thigh, *units)
    assert " ".join(INSTRUCTIONS["pocket"].split()) in said
    assert "--placement pocket" in said

    # Daily life: its uncertain bouts have too few straight steps or travel both ways,
    # which a calibration does not change.
    daily = shared_data / "mobgap-lab" / "HA_001_Test11_Trial1.csv"
    reasons = {
        b["direction_reason"]
        for b in json.loads(runner.invoke(app, ["analyze", str(daily), "--json", "-"]).stdout)[
            "bouts"
        ]
        if b["direction"] == "uncertain"
    }
    assert reasons and not any(r.endswith("no calibration") for r in reasons), reasons
    assert "calibrate once" not in plain(daily)

    # Once a pocket calibration is stored, the analysis names it instead.
    phone = shared_data / "phone-steps" / "Samsung_Carmelo_Hard_BackPocket_1" / "accelerometer.csv"
    found = json.loads(runner.invoke(app, ["analyze", str(phone), "--json", "-"]).stdout)["bouts"]
    labels = ",".join(["forward"] * len(found))
    made = runner.invoke(app, ["calibrate", str(phone), "--labels", labels])
    assert made.exit_code == 0, made.output
    said = plain(thigh, *units)
    assert "calibrate once" not in said and "calibration" in said


def test_no_walking_says_why(shared_data: Path) -> None:
    """Jumping in place with a phone in the hand (real): no bout, and the plain output
    says the stretch was refused and why, as the JSON's note does."""
    phyphox = shared_data / "device-exports" / "phyphox"
    path = phyphox / "phyphox390_jumping_stationary_hand_brant.csv"
    doc = json.loads(CliRunner().invoke(app, ["analyze", str(path), "--json", "-"]).stdout)
    assert doc["bouts"] == []
    (refused,) = [n for n in doc["notes"] if "not walking" in n]
    result = CliRunner().invoke(app, ["analyze", str(path)])
    assert result.exit_code == 0, result.output
    told = " ".join(result.stdout.split("no walking:")[1].split())
    assert told == " ".join(refused.split())
    # the phone in the hand is an unsupported placement: the reason, without its figures
    placement = without_figures(doc["placement_support"]["reason"])
    assert "=" not in placement and placement.startswith("unsupported placement: ")
    assert " ".join(placement.split()) in " ".join(result.stdout.split())


def test_unreadable_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    rows = ["0.0,0.1,0.2,9.8", "0.01,x,0.2,9.8", "0.02,0.1,0.2,9.8", "0.03,0.1,0.2,9.8"]
    bad.write_text("time,ax,ay,az\n" + "\n".join(rows) + "\n")
    result = CliRunner().invoke(app, ["analyze", str(bad), "--json", "-"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.csv, line 3" in lines[0] and "'ax'" in lines[0]


def test_a_mistaken_option_is_one_line_naming_the_recording_and_exit_2(tmp_path: Path) -> None:
    """An option's value out of range or not one of its words is refused as a bad
    recording is: exit 2, one line on stderr naming the recording and the option, no
    usage text; the same for batch (which names the option)."""
    walk = tmp_path / "walk.csv"
    walk.write_text("time_s,acc_x,acc_y,acc_z\n0,0,0,9.8\n")
    for option, value in (
        ("--placement", "wrist"),
        ("--height-m", "-1.7"),
        ("--height-m", "0"),
        ("--weight-kg", "1000"),
        ("--acc-unit", "furlongs"),
    ):
        for args in ([str(walk), option, value], [option, value, str(walk)]):
            result = CliRunner().invoke(app, ["analyze", *args, "--json", "-"])
            assert result.exit_code == 2 and result.stdout == ""
            (line,) = result.stderr.splitlines()
            assert line.startswith(f"retrowalk: error: {walk}: Invalid value for '{option}'")
    result = CliRunner().invoke(app, ["batch", str(walk), "--placement", "wrist"])
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("retrowalk: error: Invalid value for '--placement': 'wrist' is not")


def test_a_body_measure_is_refused_in_the_words_of_a_manifest(tmp_path: Path) -> None:
    """The command line checks a body measure as a batch manifest does (one range, one
    wording), and ``nan`` or ``inf``, which pass a range check, are not a number."""
    walk = tmp_path / "walk.csv"
    walk.write_text("time_s,acc_x,acc_y,acc_z\n0,0,0,9.8\n")
    for option, value, words in (
        ("--height-m", "175", "175 is outside 0.5-2.6 m; give it in metres"),
        ("--height-m", "nan", "not a number: nan"),
        ("--weight-kg", "inf", "not a number: inf"),
        ("--age-years", "-1", "-1 is outside 0-120 years; give it in years"),
    ):
        for command in (["analyze", str(walk), "--json", "-"], ["batch", str(walk)]):
            result = CliRunner().invoke(app, [*command, option, value])
            assert result.exit_code == 2 and result.stdout == ""
            (line,) = result.stderr.splitlines()
            assert f"Invalid value for '{option}': {words}" in line


def test_demo_analyses_the_calibrated_session_and_writes_a_report(tmp_path: Path) -> None:
    report = tmp_path / "demo.html"
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "demo-week-4-take-x4.csv" in result.stdout and "forward:" in result.stdout
    backward = next(line for line in result.stdout.splitlines() if "backward:" in line)
    assert int(backward.split(":")[1].split()[0]) > 0
    html = report.read_text()
    assert "<table" in html and "demo-week-4-take-x4.csv" in html
    assert "Direction calibration used" in html and "CMU" in html

"""``retrowalk calibrate`` then ``retrowalk analyze --profile``: a round trip on real data."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from realdata import ipol_lower_back_rows as _ipol
from realdata import require
from retrowalk.app.analyse import AnalysisRequest, analyse_file
from retrowalk.cli import app


def _write_csv(path, acc, gyro) -> None:
    t = np.arange(acc.shape[0]) / 100.0
    gyro_dps = np.rad2deg(gyro)
    pd.DataFrame(
        {
            "time_s": t,
            **{f"acc_{a}": acc[:, k] for k, a in enumerate("xyz")},
            **{f"gyr_{a}": gyro_dps[:, k] for k, a in enumerate("xyz")},
        }
    ).to_csv(path, index=False, float_format="%.6f")


UNITS = ["--acc-unit", "mps2", "--gyro-unit", "dps"]


def test_calibrate_then_analyze_with_profile(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path / "store"))
    rec, bouts, _ = _ipol("3-1")
    # Stand-in labelled walk: the forward trial, then the same trial time-reversed.
    n = rec.n_samples
    acc = np.vstack([rec.acc_mps2, rec.acc_mps2[::-1]])
    gyro = np.vstack([rec.gyro_rads, -rec.gyro_rads[::-1]])
    walk = tmp_path / "walk.csv"
    _write_csv(walk, acc, gyro)
    lo, hi = bouts[0][0], bouts[1][1]
    back = f"{(2 * n - hi) / 100:.1f}-{(2 * n - lo) / 100:.1f}:backward"
    segments = f"{lo / 100:.1f}-{hi / 100:.1f}:forward,{back}"
    runner = CliRunner()
    res = runner.invoke(
        app, ["calibrate", str(walk), "--segments", segments, "--placement", "lower_back", *UNITS]
    )
    assert res.exit_code == 0, res.output
    stored = tmp_path / "store" / "direction_profiles" / "lower_back.json"
    assert stored.is_file()
    assert json.loads(stored.read_text())["n_bouts"] == {"forward": 1, "backward": 1}
    # How well the labels fit, in the words and the figure of the calibration page and API.
    from retrowalk.app.calibration import describe_profile
    from retrowalk.gait.calibration import DirectionProfile
    from retrowalk.report import display

    described = describe_profile(DirectionProfile.from_dict(json.loads(stored.read_text())))
    fit = display.percent(described["consistency_pct"])
    assert f"labels fit {fit} % of steps" in " ".join(res.stdout.split())

    # Another recording of the same person, forward then (as a new file) reversed.
    rec2, _, _ = _ipol("3-4")
    for name, a, g, truth in (
        ("later.csv", rec2.acc_mps2, rec2.gyro_rads, "forward"),
        ("later_back.csv", rec2.acc_mps2[::-1], -rec2.gyro_rads[::-1], "backward"),
    ):
        _write_csv(tmp_path / name, a, g)
        res = runner.invoke(
            app,
            ["analyze", str(tmp_path / name), "--placement", "lower_back", "--json", "-", *UNITS],
        )
        assert res.exit_code == 0, res.output
        out = json.loads(res.stdout)
        assert "stored default" in out["assumptions"]["direction_profile"]["source"]
        assert any("calibration profile" in note for note in out["notes"])
        directions = [b["direction"] for b in out["bouts"] if b["n_steps"] >= 8]
        assert directions and set(directions) == {truth}

    # An explicit --profile path works the same; a missing one is a clean error.
    res = runner.invoke(
        app,
        ["analyze", str(tmp_path / "later.csv"), "--profile", str(stored), "--json", "-", *UNITS],
    )
    assert res.exit_code == 0 and json.loads(res.stdout)["assumptions"]["direction_profile"]
    res = runner.invoke(app, ["analyze", str(walk), "--profile", str(tmp_path / "nope.json")])
    assert res.exit_code == 2


def test_calibrate_needs_labels_that_fit(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path / "store"))
    rec, _, _ = _ipol("3-1")
    walk = tmp_path / "walk.csv"
    _write_csv(walk, rec.acc_mps2, rec.gyro_rads)
    res = CliRunner().invoke(app, ["calibrate", str(walk), *UNITS])
    assert res.exit_code == 2
    res = CliRunner().invoke(
        app, ["calibrate", str(walk), "--labels", "forward,backward,forward,backward", *UNITS]
    )
    assert res.exit_code == 2
    assert not (tmp_path / "store").exists()


def test_calibrate_names_the_bout_it_left_out(tmp_path, monkeypatch) -> None:
    """Carmelo's back-pocket walk (real phone) ends with the phone taken out of the pocket."""
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path / "store"))
    walk = require("phone-steps", "Samsung_Carmelo_Hard_BackPocket_1", "accelerometer.csv")
    found = analyse_file(walk, AnalysisRequest(use_stored_profiles=False)).bouts
    labels = ",".join(["forward"] * len(found))
    res = CliRunner().invoke(app, ["calibrate", str(walk), "--labels", labels])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    stored = json.loads((tmp_path / "store" / "direction_profiles" / "pocket.json").read_text())
    [left] = stored["left_out"]
    assert left["index"] == len(found) and left["angle_deg"] > stored["max_tilt_deg"]
    assert f"Not used: bout {len(found)} (" in said and "left out" in said


def test_stored_calibrations_are_listed_left_unused_and_removed(tmp_path, monkeypatch) -> None:
    """A command-line user sees the calibrations analyze and batch use, analyses without
    them (--no-profile), replaces one and brings the earlier back (--restore) and
    deletes one (--remove); a wrong combination of these options, or an unknown name,
    is one error line (exit 2), and nothing is deleted."""
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path / "store"))
    runner = CliRunner()
    walk, later = require("ipol-gait", "2-1_lb.txt"), require("ipol-gait", "3-1_lb.txt")

    def said(*args: str) -> tuple[int, str]:
        res = runner.invoke(app, list(args))
        return res.exit_code, " ".join((res.stdout + res.stderr).split())

    code, text = said("calibrate", "--list")
    assert code == 0 and text.startswith("No calibration in use")
    assert said("calibrate", str(walk), "--labels", "backward")[0] == 0
    code, text = said("calibrate", "--list")
    assert code == 0 and text.startswith("lower_back: made ")
    assert "0 forward and 30 backward steps" in text

    def directions(*extra: str) -> set[str]:
        res = runner.invoke(app, ["analyze", str(later), "--json", "-", *extra])
        assert res.exit_code == 0, res.output
        return {b["direction"] for b in json.loads(res.stdout)["bouts"] if b["n_steps"] >= 8}

    assert directions() == {"backward"}  # the stored (deliberately wrong) calibration
    assert directions("--no-profile") == {"forward"}  # the built-in rules

    # A new calibration takes over and keeps the one it replaces, which --restore brings back.
    code, text = said("calibrate", str(later), "--labels", "forward")
    kept = re.search(r"kept as (lower_back-\d{8}-\d{6}-[0-9a-f]{8}):", text)
    assert code == 0 and kept, text
    assert directions() == {"forward"}
    code, text = said("calibrate", "--list")
    assert f"earlier lower_back ({kept.group(1)}): made " in text
    assert re.search(r"lower_back: made .* of 3-1_lb.txt, \d+ forward and 0 backward", text)
    code, text = said("calibrate", "--restore", kept.group(1))
    assert code == 0 and "calibration of " in text and "is in use again" in text
    assert directions() == {"backward"}
    stored = tmp_path / "store" / "direction_profiles" / "lower_back.json"
    for wrong in (
        ["analyze", str(later), "--profile", str(stored), "--no-profile"],
        ["calibrate", "--list", "--remove", "lower_back"],
        ["calibrate", "--restore", "lower_back-20200101-000000-00000000"],
        ["calibrate", str(walk), "--remove", "lower_back"],
        ["calibrate", "--remove", "pocket"],
        ["calibrate"],
    ):
        res = runner.invoke(app, wrong)
        assert res.exit_code == 2 and res.stderr.startswith("retrowalk: error: ")
        assert res.stderr.count("\n") == 1 and stored.is_file()
    code, text = said("calibrate", "--remove", "lower_back")
    assert code == 0 and text.startswith("Removed your calibration for lower_back")
    assert not stored.exists() and directions() == {"forward"}

    # A damaged calibration in use is named, never silently replaced; --remove deletes it.
    stored.write_text("{damaged")
    code, text = said("calibrate", str(walk), "--labels", "backward")
    assert code == 2 and "the calibration in use cannot be read" in text
    assert stored.read_text() == "{damaged"
    assert said("calibrate", "--remove", "lower_back")[0] == 0
    assert said("calibrate", str(walk), "--labels", "backward")[0] == 0


def test_a_damaged_calibration_is_listed_with_how_to_delete_it(tmp_path, monkeypatch) -> None:
    """--list lists the calibrations it can read and names the one whose file is damaged
    as could not be read, with the --remove command (it was one error line naming
    neither, exit 2, and nothing listed); an earlier one damaged is named too, with its
    file to delete. --restore with the one in use damaged is refused saying the same;
    no file is changed."""
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path / "store"))
    runner = CliRunner()
    walk, later = require("ipol-gait", "2-1_lb.txt"), require("ipol-gait", "3-1_lb.txt")

    def said(*args: str) -> tuple[int, str, str]:
        res = runner.invoke(app, list(args))
        return res.exit_code, " ".join(res.stdout.split()), " ".join(res.stderr.split())

    assert said("calibrate", str(walk), "--labels", "backward")[0] == 0
    assert said("calibrate", str(later), "--labels", "forward")[0] == 0
    folder = tmp_path / "store" / "direction_profiles"
    stored = folder / "lower_back.json"
    (kept,) = (folder / "earlier").glob("*.json")
    stored.write_text(stored.read_text()[:40])  # cut short, as by a full disk
    files = {p: p.read_bytes() for p in folder.rglob("*.json")}

    code, text, errors = said("calibrate", "--list")
    assert code == 0 and errors == "", errors
    assert text.startswith(
        f"lower_back: could not be read (its file {stored} is damaged or incomplete: not "
        "JSON: it stops in the middle of line 3 (cut short)), and analyze and batch refuse "
        "lower_back recordings; retrowalk calibrate --remove lower_back deletes it, "
        "then calibrate again or use an earlier one again (--restore NAME)."
    ), text
    assert f"earlier lower_back ({kept.stem}): made " in text and "of 2-1_lb.txt" in text

    code, text, errors = said("calibrate", "--restore", kept.stem)
    assert code == 2 and text == ""
    assert errors == (
        f"retrowalk: error: {stored}: the calibration in use could not be read (its file is "
        "damaged or incomplete: not JSON: it stops in the middle of line 3 (cut short)), so "
        "nothing was changed; retrowalk calibrate --remove "
        f"lower_back deletes it, then retrowalk calibrate --restore {kept.stem} uses the "
        "earlier one again"
    )
    assert {p: p.read_bytes() for p in folder.rglob("*.json")} == files

    kept.write_bytes(b"\xff\xfe not a calibration")
    code, text, errors = said("calibrate", "--list")
    assert code == 0 and errors == ""
    assert text.endswith(
        f"earlier lower_back ({kept.stem}): could not be read (its file is damaged or "
        "incomplete: not text: byte 0xff at line 1, column 1 is not UTF-8), so it cannot be "
        f"used again; delete {kept}"
    ), text
    code, text, errors = said("calibrate", "--restore", kept.stem)
    assert code == 2 and "this earlier calibration could not be read" in errors
    assert said("calibrate", "--remove", "lower_back")[0] == 0
    code, text, errors = said("calibrate", "--list")
    assert code == 0 and text.startswith("No calibration in use") and "could not be read" in text

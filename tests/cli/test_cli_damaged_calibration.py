"""``retrowalk analyze`` and ``retrowalk batch`` with a stored calibration whose file is
damaged say what ``retrowalk calibrate --list`` says of it: the file, the command that
deletes it, and --no-profile, which analyses without the stored calibrations. It was one
error line naming neither ('cannot read direction profile: not a direction profile
(JSONDecodeError ...)'), and batch had made its output folder first. analyze refuses a
recording of that placement (exit 2, nothing written); batch gives it a row in ``errors``
with the same line. With --no-profile both analyse. Real recordings, a real calibration
walk.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from realdata import require
from retrowalk.cli import app


def _said(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.mark.parametrize(
    ("damage", "earlier", "problem"),
    [
        # as by a full disk
        ("cut short", False, "not JSON: it stops in the middle of line 3 (cut short)"),
        # and an earlier calibration of the placement kept
        ("not text", True, "not text: byte 0xff at line 1, column 1 is not UTF-8"),
    ],
)
def test_analyze_and_batch_name_a_damaged_calibration_and_how_to_fix_it(
    runner: CliRunner, tmp_path: Path, damage: str, earlier: bool, problem: str
) -> None:
    walk, later = require("ipol-gait", "2-1_lb.txt"), require("ipol-gait", "3-1_lb.txt")
    recording = require("ipol-gait", "3-4_lb.txt")
    assert _said(runner, "calibrate", str(walk), "--labels", "backward")[0] == 0
    if earlier:
        assert _said(runner, "calibrate", str(later), "--labels", "forward")[0] == 0
    stored = tmp_path / "store" / "direction_profiles" / "lower_back.json"
    if damage == "cut short":
        stored.write_text(stored.read_text()[:40])
    else:
        stored.write_bytes(b"\xff\xfe not a calibration")
    store = {p: p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file()}
    then = "then calibrate again" + (
        " or use an earlier one again (--restore NAME)" if earlier else ""
    )
    named = (
        f"lower_back: your stored calibration could not be read (its file {stored} is damaged "
        f"or incomplete: {problem}); retrowalk calibrate --remove lower_back deletes it, {then}; "
        "or --no-profile analyses without your stored calibrations"
    )
    code, text, _ = _said(runner, "calibrate", "--list")
    assert code == 0 and "retrowalk calibrate --remove lower_back deletes it, " + then in text

    json_out, report = tmp_path / "a.json", tmp_path / "a.html"
    code, text, errors = _said(
        runner, "analyze", str(recording), "--json", str(json_out), "--report", str(report)
    )
    assert (code, text) == (2, "")
    assert errors == f"retrowalk: error: {named} (nothing was analysed)\n"
    assert not json_out.exists() and not report.exists()

    out = tmp_path / "tables"
    for how in (["--serial"], []):  # in this process, and local workers
        tables = out / (how[0][2:] if how else "workers")
        code, text, errors = _said(runner, "batch", str(recording), "--out", str(tables), *how)
        assert code == 0, errors
        assert "1 recordings: 0 analysed, 0 already done, 1 failed" in " ".join(text.split())
        assert errors.startswith(
            f"retrowalk: warning: {named.split('; or --no-profile')[0]}; until then the "
            "lower_back recordings are refused, each with this reason in the errors table, "
            "and the others analysed\n"
        )
        failed = pd.read_csv(tables / "errors.csv")
        assert list(failed["reason"]) == [f"{named} (not analysed)"]
        assert pd.read_csv(tables / "recordings.csv").empty
    assert {p: p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file()} == store

    # --no-profile: the built-in direction rules, the damaged file left as it is.
    code, text, errors = _said(runner, "analyze", str(recording), "--no-profile", "--json", "-")
    assert code == 0, errors
    analysis = json.loads(text)
    assert analysis["bouts"] and not analysis["assumptions"].get("direction_profile")
    code, text, errors = _said(runner, "batch", str(recording), "--out", str(out), "--no-profile")
    assert code == 0, errors
    assert "1 analysed" in text and (out / "steps.csv").is_file()
    assert {p: p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file()} == store


def _edited(path: Path, edit: str) -> str:
    """Edit the stored calibration at ``path`` as by hand; what the one line says is wrong."""
    text = path.read_text(encoding="utf-8")
    if edit == "comma dropped":
        path.write_text(text.replace('"lower_back",', '"lower_back"', 1), encoding="utf-8")
        return "not JSON: expecting ',' delimiter at line 3, column 3"
    data = json.loads(text)
    if edit == "field removed":
        del data["up"]
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        return "field 'up' missing"
    data["consistency"] = "high"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return (
        "field 'consistency': input should be a valid number, unable to parse string as a "
        'number (it is "high")'
    )


@pytest.mark.parametrize("edit", ["comma dropped", "field removed", "not a number"])
def test_the_one_line_says_what_is_wrong_in_a_calibration_edited_by_hand(
    runner: CliRunner, tmp_path: Path, edit: str
) -> None:
    """A stored calibration edited by hand (a comma dropped, a field removed, text where a
    number belongs) stops analyze and batch with one line naming the file and now also
    what is wrong in it: where its JSON breaks (line and column) or which field is
    missing or not a number; ``calibrate --list`` says the same. It said only 'damaged or
    incomplete'. Real recordings, a real calibration walk."""
    walk, recording = require("ipol-gait", "2-1_lb.txt"), require("ipol-gait", "1-1_lb.txt")
    assert _said(runner, "calibrate", str(walk), "--labels", "backward")[0] == 0
    stored = tmp_path / "store" / "direction_profiles" / "lower_back.json"
    problem = _edited(stored, edit)
    said = f"(its file {stored} is damaged or incomplete: {problem})"

    code, text, errors = _said(runner, "calibrate", "--list")
    assert code == 0 and errors == ""
    assert " ".join(text.split()).startswith(f"lower_back: could not be read {said}, and ")
    code, text, errors = _said(runner, "analyze", str(recording))
    assert (code, text) == (2, "") and errors.count("\n") == 1
    assert errors.startswith(
        f"retrowalk: error: lower_back: your stored calibration could not be read {said}; "
    )
    out = tmp_path / "tables"
    code, text, errors = _said(runner, "batch", str(recording), "--out", str(out), "--serial")
    assert code == 0 and " 1 failed" in text and said in errors
    (reason,) = pd.read_csv(out / "errors.csv")["reason"]
    assert reason.startswith(
        f"lower_back: your stored calibration could not be read {said}; "
    ) and reason.endswith("(not analysed)")
    code, _, errors = _said(runner, "analyze", str(recording), "--profile", str(stored))
    assert code == 2 and errors == (
        f"retrowalk: error: cannot read direction profile {stored}: {problem}\n"
    )


def test_a_calibration_renamed_to_another_placements_file_is_named_never_used(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A lower-back calibration copied onto the pocket's file name (or renamed to it) was
    skipped without a word by ``calibrate --list``, analyze and batch: a pocket recording
    was analysed without calibration, as if none were stored. Now --list names the file
    and why it is not used (it holds the lower back's calibration), and analyze and batch
    refuse a pocket recording in one line naming it and what to do, as for a damaged one;
    nothing is written and no file changed. A lower-back recording is analysed with the
    lower back's own calibration, the file named in one warning line. Renamed (no
    lower-back file left), the line says to move it back. Real recordings: an ipol-gait
    lower-back walk and a phone in a trouser pocket."""
    walk = require("ipol-gait", "2-1_lb.txt")
    phone_walk = require("phone-steps", "Samsung_Carmelo_Hard_BackPocket_1", "accelerometer.csv")
    pocket = require("phone-steps", "Samsung_Dario_Hard_FrontPocket_1", "accelerometer.csv")
    lower_back = require("ipol-gait", "1-1_lb.txt")
    assert _said(runner, "calibrate", str(walk), "--labels", "backward")[0] == 0
    assert _said(runner, "calibrate", str(phone_walk), "--labels", "forward,forward")[0] == 0
    folder = tmp_path / "store" / "direction_profiles"
    (folder / "pocket.json").write_bytes((folder / "lower_back.json").read_bytes())
    store = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    wrong = (
        f"pocket: your stored calibration file {folder / 'pocket.json'} holds a calibration "
        "made for lower_back, not pocket (renamed or copied?), so it is not used; "
    )

    code, text, errors = _said(runner, "calibrate", "--list")
    text = " ".join(text.split())
    assert code == 0 and errors == ""
    assert text.startswith("lower_back: made ")
    assert (
        f"pocket: not used: its file {folder / 'pocket.json'} holds a calibration made for "
        "lower_back (made "
    ) in text
    assert (
        "of 2-1_lb.txt), not pocket, and analyze and batch refuse pocket recordings; "
        "retrowalk calibrate --remove pocket deletes it, then calibrate again for pocket."
    ) in text
    fix = "retrowalk calibrate --remove pocket deletes it, then calibrate again for pocket"
    code, text, errors = _said(runner, "analyze", str(pocket), "--json", "-")
    assert (code, text) == (2, "")
    assert errors == (
        f"retrowalk: error: {wrong}{fix}; or --no-profile analyses without your stored "
        "calibrations (nothing was analysed)\n"
    )
    code, text, errors = _said(runner, "analyze", str(lower_back), "--json", "-")
    assert code == 0
    assert errors == (
        f"retrowalk: warning: {wrong}{fix} (this recording, analysed as lower_back, does "
        "not use it)\n"
    )
    used = json.loads(text)["assumptions"]["direction_profile"]
    assert used["source"].endswith(str(folder / "lower_back.json")) and used["used"]
    out = tmp_path / "tables"
    code, text, errors = _said(
        runner, "batch", str(pocket), str(lower_back), "--out", str(out), "--serial"
    )
    assert code == 0 and "2 recordings: 1 analysed, 0 already done, 1 failed" in text
    assert errors.startswith(f"retrowalk: warning: {wrong}{fix}; until then the pocket ")
    failed = pd.read_csv(out / "errors.csv")
    assert list(failed["path"]) == [str(pocket)]
    assert list(failed["reason"]) == [
        f"{wrong}{fix}; or --no-profile analyses without your stored calibrations (not analysed)"
    ]
    done = pd.read_csv(out / "recordings.csv")
    assert list(done["placement"]) == ["lower_back"]
    assert list(done["direction_calibration"]) == ["used"]
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == store

    (folder / "lower_back.json").replace(folder / "pocket.json")  # renamed
    code, text, errors = _said(runner, "analyze", str(pocket))
    assert code == 2 and errors.startswith(f"retrowalk: error: {wrong}move it to ")
    assert f"move it to {folder / 'lower_back.json'} to use it for lower_back, or " in errors
    code, text, _ = _said(runner, "calibrate", "--list")
    assert code == 0 and "to use it for lower_back, or retrowalk calibrate --remove pocket" in (
        " ".join(text.split())
    )
    # A lower-back recording reads no pocket file: analysed (no lower-back file is left),
    # the line saying where the renamed one would go back.
    code, text, errors = _said(runner, "analyze", str(lower_back), "--json", "-")
    assert code == 0 and errors.startswith(f"retrowalk: warning: {wrong}move it to ")
    assert errors.endswith("(this recording, analysed as lower_back, does not use it)\n")
    assert not json.loads(text)["assumptions"].get("direction_profile")
    code, text, errors = _said(runner, "analyze", str(pocket), "--no-profile", "--json", "-")
    assert (code, errors) == (0, "")
    assert not json.loads(text)["assumptions"].get("direction_profile")

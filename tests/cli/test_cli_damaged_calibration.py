"""``retrowalk analyze`` and ``retrowalk batch`` with a stored calibration whose file is
damaged say what ``retrowalk calibrate --list`` says of it: the file, the command that
deletes it, and --no-profile, which analyses without the stored calibrations. It was one
error line naming neither ('cannot read direction profile: not a direction profile
(JSONDecodeError ...)'), and batch had made its output folder first. Exit 2, nothing
written; with --no-profile both analyse. Real recordings, a real calibration walk.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from realdata import require
from retrowalk.cli import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("RETROWALK_DASK_SCHEDULER", raising=False)
    return CliRunner()


def _said(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.mark.parametrize(
    ("damage", "earlier"),
    [
        ("cut short", False),  # as by a full disk
        ("not text", True),  # and an earlier calibration of the placement kept
    ],
)
def test_analyze_and_batch_name_a_damaged_calibration_and_how_to_fix_it(
    runner: CliRunner, tmp_path: Path, damage: str, earlier: bool
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
        f"lower_back: your stored calibration could not be read (its file is damaged or "
        f"incomplete: {stored}); retrowalk calibrate --remove lower_back deletes it, {then}; "
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
    for how in (["--serial"], []):  # in this process, and local workers (none started)
        code, text, errors = _said(runner, "batch", str(recording), "--out", str(out), *how)
        assert (code, text) == (2, "")
        assert errors == f"retrowalk: error: {named} (the batch did not start)\n"
        assert not out.exists()
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

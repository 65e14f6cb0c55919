"""``retrowalk batch`` after a stored calibration changed analyses again the recordings of
that placement alone. A recording's 'already done' key held every stored calibration, so a
new lower-back calibration made batch analyse the pocket recordings again too (and a new
pocket one the lower-back recordings); its key now holds the calibration it used, that of
the placement it was analysed as worn at, or none. A recording whose calibration changed
(replaced, or removed) is always analysed again. Real recordings of two placements in one
batch: an ipol-gait lower-back walk and a phone in a trouser pocket (phone-steps).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from realdata import require
from retrowalk.cli import app


def _ok(runner: CliRunner, *args: str) -> str:
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return " ".join(res.stdout.split())


def _counts(said: str) -> str:
    """'N analysed, M already done' of a batch's summary line."""
    return said.split(": ", 1)[1].split(", 0 failed")[0]


def _rows(out: Path) -> dict[str, tuple[str, str, int, int]]:
    """Each recording's placement -> its id, calibration column and step counts."""
    table = pd.read_csv(out / "recordings.csv")
    return {
        row.placement: (
            row.recording_id,
            row.direction_calibration,
            int(row.forward_steps),
            int(row.backward_steps),
        )
        for row in table.itertuples()
    }


def _analysed(runner: CliRunner, recording: Path) -> tuple[int, int]:
    """Forward and backward steps as ``retrowalk analyze`` gives them now."""
    res = runner.invoke(app, ["analyze", str(recording), "--json", "-"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)["summary"]
    return int(summary["forward"]["steps"]), int(summary["backward"]["steps"])


def test_a_new_calibration_for_one_placement_leaves_the_others_done(
    runner: CliRunner, tmp_path: Path
) -> None:
    lower_back = require("ipol-gait", "1-1_lb.txt")
    pocket = require("phone-steps", "Samsung_Dario_Hard_FrontPocket_1", "accelerometer.csv")
    back_walk, forward_walk = require("ipol-gait", "2-1_lb.txt"), require("ipol-gait", "3-1_lb.txt")
    phone_walk = require("phone-steps", "Samsung_Carmelo_Hard_BackPocket_1", "accelerometer.csv")
    out = tmp_path / "tables"

    def batch() -> str:
        return _counts(
            _ok(runner, "batch", str(lower_back), str(pocket), "--out", str(out), "--serial")
        )

    _ok(runner, "calibrate", str(back_walk), "--labels", "backward")  # wrong on purpose
    _ok(runner, "calibrate", str(phone_walk), "--labels", "forward,forward")
    assert batch() == "2 analysed, 0 already done"
    assert batch() == "0 analysed, 2 already done"
    first = _rows(out)
    # offered to both; the phone sat otherwise in the front pocket than in the back one
    assert first["lower_back"][1:] == ("used", 0, 35) and first["pocket"][1] == "not used"

    # A new lower-back calibration: the lower-back recording alone is analysed again.
    _ok(runner, "calibrate", str(forward_walk), "--labels", "forward")
    assert batch() == "1 analysed, 1 already done"
    second = _rows(out)
    assert second["pocket"] == first["pocket"]
    assert second["lower_back"][0] != first["lower_back"][0]
    assert second["lower_back"][2:] == _analysed(runner, lower_back) == (35, 0)
    assert batch() == "0 analysed, 2 already done"

    # A new pocket calibration, then none: the pocket recording alone, each time.
    _ok(runner, "calibrate", str(phone_walk), "--labels", "forward,forward")
    assert batch() == "1 analysed, 1 already done"
    third = _rows(out)
    assert third["lower_back"] == second["lower_back"]
    assert third["pocket"][0] != first["pocket"][0] and third["pocket"][1] == "not used"
    _ok(runner, "calibrate", "--remove", "pocket")
    assert batch() == "1 analysed, 1 already done"
    fourth = _rows(out)
    assert fourth["lower_back"] == second["lower_back"] and fourth["pocket"][1] == "none"
    assert fourth["pocket"][2:] == _analysed(runner, pocket)

    # The lower-back one removed: the lower-back recording alone.
    _ok(runner, "calibrate", "--remove", "lower_back")
    assert batch() == "1 analysed, 1 already done"
    assert _rows(out)["pocket"] == fourth["pocket"]


def test_a_folder_done_before_the_keys_said_the_placement_stays_done_where_it_may(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Done markers written before the placement was noted in them (an earlier version's
    folder, analysed without calibrations): once a lower-back calibration is made, the
    pocket recording stays done (its placement read from its row), the lower-back one is
    analysed again."""
    lower_back = require("ipol-gait", "1-1_lb.txt")
    pocket = require("phone-steps", "Samsung_Dario_Hard_FrontPocket_1", "accelerometer.csv")
    out = tmp_path / "tables"
    args = ["batch", str(lower_back), str(pocket), "--out", str(out), "--serial"]
    assert _counts(_ok(runner, *args)) == "2 analysed, 0 already done"
    for marker in (out / "parts" / "done").glob("*.json"):  # as an earlier version wrote it
        content = json.loads(marker.read_text())
        for status in content["recordings"]:
            assert status.pop("placement") in ("lower_back", "pocket")
        marker.write_text(json.dumps(content))
    assert _counts(_ok(runner, *args)) == "0 analysed, 2 already done"
    before = _rows(out)

    _ok(runner, "calibrate", str(require("ipol-gait", "2-1_lb.txt")), "--labels", "backward")
    assert _counts(_ok(runner, *args)) == "1 analysed, 1 already done"
    after = _rows(out)
    assert after["pocket"] == before["pocket"]
    assert after["lower_back"][1:] == ("used", 0, 35) != before["lower_back"][1:]

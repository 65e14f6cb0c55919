"""``retrowalk analyze``, ``retrowalk batch`` and ``retrowalk calibrate`` take the options
they share (units, placement, stored calibrations) one way: a batch's tables hold, for
each recording, what ``analyze --json`` says of it with the same options. Real
recordings, the real command line (typer's runner), serial batches.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from realdata import require
from retrowalk.cli import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("RETROWALK_DASK_SCHEDULER", raising=False)
    return CliRunner()


BOUT_FIELDS = ("start_s", "end_s", "direction", "direction_confidence", "n_steps", "distance_m")


def _analysed(runner: CliRunner, recording: Path, *options: str) -> list[dict[str, object]]:
    res = runner.invoke(app, ["analyze", str(recording), "--json", "-", *options])
    assert res.exit_code == 0, res.output
    return [{k: b[k] for k in BOUT_FIELDS} for b in json.loads(res.stdout)["bouts"]]


def _batch(runner: CliRunner, out: Path, recording: Path, *options: str) -> str:
    res = runner.invoke(app, ["batch", str(recording), "--serial", "--out", str(out), *options])
    assert res.exit_code == 0, res.output
    return res.stdout


def _tabled(out: Path) -> list[dict[str, object]]:
    bouts = pd.read_csv(out / "bouts.csv").sort_values("bout")
    return [{k: row[k] for k in BOUT_FIELDS} for _, row in bouts.iterrows()]


def test_batch_reads_its_recordings_in_the_units_given(runner: CliRunner, tmp_path: Path) -> None:
    """--acc-unit and --gyro-unit apply to a batch's recordings as to analyze's. Batch
    took them and read every file in the units told from the data: a lower-back file in
    m/s^2 given as g had, in analyze, its direction refused for gravity at 98 m/s^2, and
    in batch a forward walk; a run again with the units set right found it done."""
    recording = require("ipol-gait", "1-1_lb.txt")
    out = tmp_path / "out"
    _batch(runner, out, recording)
    assert _tabled(out) == _analysed(runner, recording)
    said = _batch(runner, out, recording, "--acc-unit", "g")
    assert "1 analysed" in said  # other units: not the recording done before
    as_g = _analysed(runner, recording, "--acc-unit", "g")
    assert {b["direction"] for b in as_g} == {"uncertain"}
    assert _tabled(out) == as_g
    said = _batch(runner, out, recording, "--acc-unit", "mps2", "--gyro-unit", "rads")
    assert _tabled(out) == _analysed(runner, recording, "--acc-unit", "mps2")
    assert {b["direction"] for b in _tabled(out)} == {"forward"}

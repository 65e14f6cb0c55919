"""A stored direction calibration is honoured by ``retrowalk analyze``, ``retrowalk batch``
and the web worker alike: all three build their options in one place.

Real recordings (ipol-gait, lower back). Mechanics of the options path, not an
accuracy claim: the person calibrates on a walk labelled ``backward`` (the
trial is a forward walk, so the calibration says "this device, worn this way,
walks backward when the signal looks like this"), and every later analysis of
the same person and placement must then say backward where it did not say so
before.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from realdata import require
from retrowalk.app.calibration import load_stored_profile, store_profile
from retrowalk.cli import app

CALIBRATION_TRIAL = "2-1_lb.txt"
LATER_TRIAL = "3-1_lb.txt"


def _directions(bouts: list[dict]) -> set[str]:
    return {b["direction"] for b in bouts if b["n_steps"] >= 8}


@pytest.fixture(scope="module")
def trials() -> tuple[Path, Path]:
    return require("ipol-gait", CALIBRATION_TRIAL), require("ipol-gait", LATER_TRIAL)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(folder))
    return folder


def _calibrate_backward(path: Path) -> None:
    res = CliRunner().invoke(app, ["calibrate", str(path), "--labels", "backward"])
    assert res.exit_code == 0, res.output


def _analyze(path: Path) -> dict:
    res = CliRunner().invoke(app, ["analyze", str(path), "--json", "-"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _batch_bouts(path: Path, out: Path, *extra: str) -> pd.DataFrame:
    res = CliRunner().invoke(app, ["batch", str(path), "--out", str(out), "--serial", *extra])
    assert res.exit_code == 0, res.output
    return pd.read_parquet(out / "bouts.parquet")


def test_cli_analyze_uses_the_stored_calibration(trials, data_dir: Path) -> None:
    calibration, later = trials
    before = _analyze(later)
    assert "backward" not in _directions(before["bouts"])
    assert "direction_profile" not in before["assumptions"]
    _calibrate_backward(calibration)
    profile, path = load_stored_profile("lower_back")
    assert profile is not None and path.is_relative_to(data_dir)
    after = _analyze(later)
    assert _directions(after["bouts"]) == {"backward"}
    offered = after["assumptions"]["direction_profile"]
    assert "stored default for lower_back" in offered["source"]
    assert offered["used"] is True and "not_used_reason" not in offered
    shown = " ".join(CliRunner().invoke(app, ["analyze", str(later)]).stdout.split())
    assert "Direction calibration used: made " in shown


def test_a_calibration_that_does_not_apply_is_named_not_used_with_why(
    trials, data_dir: Path
) -> None:
    """A stored lower-back calibration offered to a recording worn another way (the
    mocap pelvis: its sensor axes differ) decides no bout: the JSON, the summary and the
    report say it was not used and why, where they had said it was used. A foot sensor's
    analysis never uses one."""
    calibration, _ = trials
    _calibrate_backward(calibration)
    other = require("mocap-backward", "09_12_pelvis.csv")
    result = _analyze(other)
    offered = result["assumptions"]["direction_profile"]
    assert offered["used"] is False
    assert "deg differently from the calibration" in offered["not_used_reason"]
    assert not any(b["direction_reason"].startswith("calibration") for b in result["bouts"])
    assert {b["direction"] for b in result["bouts"]} == {"forward", "backward"}  # its anchors
    shown = " ".join(CliRunner().invoke(app, ["analyze", str(other)]).stdout.split())
    assert "Direction calibration not used: made " in shown
    assert "calibrate again for this way of wearing it" in shown

    from retrowalk.io import read_recording
    from retrowalk.pipeline import AnalysisOptions, analyze

    profile, _ = load_stored_profile("lower_back")
    foot = read_recording(require("ipol-gait", "3-1_lf.txt"))
    analysis = analyze(foot, AnalysisOptions(placement="foot", direction_profile=profile))
    offered = analysis.assumptions["direction_profile"]
    assert offered["used"] is False and "foot sensor" in offered["not_used_reason"]


def test_batch_uses_the_stored_calibration(trials, data_dir: Path, tmp_path: Path) -> None:
    calibration, later = trials
    before = _batch_bouts(later, tmp_path / "before")
    assert "backward" not in set(before.loc[before["n_steps"] >= 8, "direction"])
    _calibrate_backward(calibration)
    after = _batch_bouts(later, tmp_path / "after")
    assert set(after.loc[after["n_steps"] >= 8, "direction"]) == {"backward"}
    # In the first run's folder the calibrated analysis is a new one, not skipped.
    again = _batch_bouts(later, tmp_path / "before")
    new = again[~again["recording_id"].isin(before["recording_id"])]
    assert set(new.loc[new["n_steps"] >= 8, "direction"]) == {"backward"}
    # The recordings table says whether a calibration decided any bout.
    use = {
        folder: pd.read_parquet(tmp_path / folder / "recordings.parquet")["direction_calibration"]
        for folder in ("before", "after")
    }
    assert list(use["after"]) == ["used"] and list(use["before"]) == ["used"]
    worn_otherwise = require("mocap-backward", "09_12_pelvis.csv")
    _batch_bouts(worn_otherwise, tmp_path / "other")
    table = pd.read_parquet(tmp_path / "other" / "recordings.parquet")
    assert list(table["direction_calibration"]) == ["not used"]
    # --no-profile: the built-in rules, as before the calibration.
    unused = _batch_bouts(later, tmp_path / "unused", "--no-profile")
    assert "backward" not in set(unused.loc[unused["n_steps"] >= 8, "direction"])
    table = pd.read_parquet(tmp_path / "unused" / "recordings.parquet")
    assert list(table["direction_calibration"]) == ["none"]


def test_web_worker_uses_the_persons_stored_calibration(
    trials, data_dir: Path, tmp_path: Path
) -> None:
    from retrowalk.app.analyse import AnalysisRequest, analyse_file
    from retrowalk.app.calibration import profile_from_analysis
    from retrowalk.app.jobs.worker import run_once
    from retrowalk.app.services import Services
    from retrowalk.store.db import Database
    from retrowalk.store.schemas import PersonIn

    calibration, later = trials
    web_dir = tmp_path / "web"
    db = Database(f"sqlite:///{tmp_path / 'web.db'}")
    services = Services(
        db, web_dir, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    try:
        account = services.sign_up("cal@example.org", "a long calibration passphrase")
        calibrated = services.create_person(account, PersonIn(name="Calibrated")).id
        other_account = services.sign_up("other@example.org", "another long passphrase")
        other = services.create_person(other_account, PersonIn(name="Other")).id
        walk = analyse_file(calibration, AnalysisRequest(use_stored_profiles=False))
        store_profile(profile_from_analysis(walk, labels=["backward"]), calibrated, web_dir)
        # The command-line user's profiles are not the web people's.
        assert not (data_dir / "direction_profiles").exists()

        results = {}
        for owner, person in ((account, calibrated), (other_account, other)):
            with open(later, "rb") as stream:
                rec = services.upload(owner, person, later.name, stream)
            while run_once(services.db, services.data_dir, services.runner):
                pass
            stored = services.get_recording(owner, rec.id)
            assert stored.status == "done", stored.error
            results[person] = services.analysis_json(owner, rec.id)
        assert _directions(results[calibrated]["bouts"]) == {"backward"}
        source = results[calibrated]["assumptions"]["direction_profile"]["source"]
        assert source == "stored calibration of this person for lower_back"
        assert "backward" not in _directions(results[other]["bouts"])
        assert "direction_profile" not in results[other]["assumptions"]
    finally:
        services.runner.shutdown()
        db.dispose()

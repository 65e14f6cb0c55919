"""``retrowalk analyze``, ``retrowalk batch`` and ``retrowalk calibrate`` take the options
they share (units, placement, stored calibrations) one way: a batch's tables hold, for
each recording, what ``analyze --json`` says of it with the same options. Real
recordings, the real command line (typer's runner), serial batches.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from realdata import require
from retrowalk.cli import app

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


def _refused(runner: CliRunner, *args: str) -> str:
    """The one error line of a refused command (exit 2)."""
    res = runner.invoke(app, list(args))
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("retrowalk: error: ") and res.stderr.count("\n") == 1
    return res.stderr


def _stored(tmp_path: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file()}


def test_calibrate_refuses_a_walk_no_calibration_serves(runner: CliRunner, tmp_path: Path) -> None:
    """A walk analysed as worn at the foot, or where it was worn could not be told (a phone
    in the hand), is refused as the calibration page refuses it: analyze and batch never
    use a calibration there, and calibrate stored one and listed it as used by them."""
    foot = require("ipol-gait", "1-1_lf.txt")
    hand = require("phone-steps", "Pixel_Jamie_Hard_InHand_1")
    back = require("ipol-gait", "1-1_lb.txt")
    for args in (
        [str(foot), "--labels", "forward"],
        [str(hand), "--labels", "forward"],
        [str(back), "--labels", "forward", "--placement", "foot"],
    ):
        said = _refused(runner, "calibrate", *args)
        assert f"{args[0]}: calibration failed: " in said
        assert "a calibration is made for the lower back or a pocket" in said
        assert "give --placement lower_back or pocket" in said
    assert _stored(tmp_path) == {}
    assert runner.invoke(app, ["calibrate", str(back), "--labels", "forward"]).exit_code == 0


def test_calibrate_says_in_one_line_what_it_could_not_store(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A store (or --profile path) that cannot be written is one error line naming the file
    and why, exit 2, and the calibration in use stays in use; it was a traceback (exit 1).
    Mistakes in calibrate's options are one line too, as in analyze's and batch's."""
    first, later = require("ipol-gait", "1-1_lb.txt"), require("ipol-gait", "2-1_lb.txt")
    assert runner.invoke(app, ["calibrate", str(first), "--labels", "forward"]).exit_code == 0
    folder = tmp_path / "store" / "direction_profiles"
    (folder / "earlier").write_text("a file where the earlier calibrations go")
    before = _stored(tmp_path)
    said = _refused(runner, "calibrate", str(later), "--labels", "backward")
    assert "the calibration was not stored; your stored calibrations are as they were" in said
    assert str(folder / "earlier") in said
    assert _stored(tmp_path) == before  # nothing moved, no file half written
    said = _refused(
        runner, "calibrate", str(later), "--labels", "backward", "--profile",
        str(folder / "earlier" / "mine.json"),
    )  # fmt: skip
    assert "the calibration was not stored" in said and _stored(tmp_path) == before
    said = _refused(runner, "calibrate", str(later), "--labels", "forward", "--placement", "hip")
    assert f"{later}: Invalid value for '--placement': 'hip'" in said
    _refused(runner, "calibrate", "--list", "--labels", "forward")
    res = runner.invoke(app, ["calibrate", "--list"])
    assert res.exit_code == 0 and "lower_back: made " in res.stdout
    assert "of 1-1_lb.txt" in " ".join(res.stdout.split())  # the one in use still


def test_calibrate_reads_a_table_without_a_header_as_analyze_does(
    runner: CliRunner, tmp_path: Path
) -> None:
    """--columns names the columns of a table without a header line in calibrate as in
    analyze and batch (and the calibration page): such a walk could be analysed, not
    calibrated from. The same walk, with and without its header line, gives one profile."""
    walk = require("mobgap-lab", "HA_001_Test5_Trial1.csv")
    bare = tmp_path / "walk.csv"
    bare.write_text(walk.read_text().split("\n", 1)[1])
    columns = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
    made = []
    for args in ([str(walk)], [str(bare), "--columns", columns]):
        out = tmp_path / f"profile{len(made)}.json"
        res = runner.invoke(app, ["calibrate", *args, "--labels", "forward", "--profile", str(out)])
        assert res.exit_code == 0, res.output
        profile = json.loads(out.read_text())
        made.append({k: v for k, v in profile.items() if k not in ("created_at", "made_from")})
    assert made[0] == made[1]


def test_analyze_refuses_to_annotate_a_sensor_recording(runner: CliRunner, tmp_path: Path) -> None:
    """--annotate (videos only, its help says) on a sensor's recording is one error line,
    exit 2, and nothing written; it was a traceback (exit 1) from drawing on frames."""
    recording = require("ipol-gait", "1-1_lb.txt")
    gif, report = tmp_path / "walk.gif", tmp_path / "walk.json"
    args = ["analyze", str(recording), "--annotate", str(gif), "--json", str(report)]
    said = _refused(runner, *args)
    assert f"{recording}: --annotate applies to videos only" in said
    assert not gif.exists() and not report.exists()


def test_analyze_says_in_one_line_where_its_json_cannot_be_written(
    runner: CliRunner, tmp_path: Path
) -> None:
    """--json to a path that cannot be written is one error line naming it, exit 2, as a
    report's is; it was a traceback (exit 1)."""
    recording = require("ipol-gait", "1-1_lb.txt")
    (tmp_path / "file").write_text("a file, not a folder")
    target = tmp_path / "file" / "walk.json"
    said = _refused(runner, "analyze", str(recording), "--json", str(target))
    assert said.startswith(f"retrowalk: error: {target}: cannot write the analysis JSON (")


def test_calibrate_reads_labels_as_the_calibration_page_does(
    runner: CliRunner, tmp_path: Path
) -> None:
    """--labels takes 'skip' for a bout that was neither way (a turn, a stop), as the
    calibration page's labels do, and fits the page's profile from the same walk and
    labels; the command refused 'skip', so a walk whose turn was found as a bout of its
    own could be calibrated from on the page only. A label mistyped is named."""
    from retrowalk.app.calibration_walk import fit_walk

    walk = require("ipol-gait", "1-3_lb.txt")  # a straight walk, then a short bout
    out = tmp_path / "profile.json"
    res = runner.invoke(
        app, ["calibrate", str(walk), "--labels", "forward,skip", "--profile", str(out)]
    )
    assert res.exit_code == 0, res.output
    page = fit_walk(str(walk), labels="forward, skip")
    assert page["ok"], page

    def fitted(profile: dict[str, object]) -> dict[str, object]:
        return {k: v for k, v in profile.items() if k not in ("created_at", "made_from")}

    assert fitted(json.loads(out.read_text())) == fitted(page["profile"])
    said = _refused(runner, "calibrate", str(walk), "--labels", "forward,forwad")
    assert "--labels: " in said and "(got 'forward,forwad')" in said
    said = _refused(runner, "calibrate", str(walk), "--labels", "forward")
    assert f"{walk}: calibration failed: 1 label for 2 walking bouts found (" in said
    assert "('skip' for a bout that was neither, such as a turn)" in said


def test_batch_says_serial_leaves_workers_unused(runner: CliRunner, tmp_path: Path) -> None:
    """--serial analyses in the calling process: --workers given with it is said to be
    unused, as the Dask scheduler is; it was silently ignored."""
    recording = require("ipol-gait", "1-1_lb.txt")
    res = runner.invoke(
        app,
        ["batch", str(recording), "--serial", "--workers", "2", "--out", str(tmp_path / "o")],
    )
    assert res.exit_code == 0, res.output
    assert "--workers 2 is not used" in " ".join(res.stderr.split())
    assert _tabled(tmp_path / "o") == _analysed(runner, recording)


def test_calibrate_names_a_segment_after_the_recording_ends(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A --segments period that starts after the recording ends is named, with the
    recording's length; it was 'only 0 usable labelled steps', as if the walk were short."""
    walk = require("ipol-gait", "1-1_lb.txt")
    said = _refused(runner, "calibrate", str(walk), "--segments", "5-25:forward,100-200:backward")
    assert "segment 100-200 s starts after the recording ends (30.4 s)" in said
    assert _stored(tmp_path) == {}

"""A stored calibration that cannot be used (damaged, or holding another placement's) stops
only the analyses that would read it: those of recordings worn where it is named for.

A damaged pocket calibration stopped ``retrowalk analyze`` of a lower-back recording and
kept ``retrowalk batch`` from starting at all, lower-back recordings included. Now a
recording worn elsewhere (the placement given, stated by the file or detected) is analysed
as if the file were not there, the file named in one warning line on stderr (the JSON on
stdout is the one it gives without that file); one worn where the file is named for is
refused as before. In a batch each such recording is a row in ``errors`` with that one
line, the others are analysed, and once the file is mended, removed or made again the
next run analyses those recordings and no other. Real recordings: ipol-gait's and
mobgap's lower backs (the mobgap CSV states no placement: it is detected) and phones in
a front trouser pocket (phone-steps, detected).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from realdata import require
from retrowalk.cli import app


def _said(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def _calibrated(runner: CliRunner, tmp_path: Path) -> Path:
    """A lower-back and a pocket calibration stored, from real labelled walks; their folder."""
    back_walk = require("ipol-gait", "2-1_lb.txt")
    phone_walk = require("phone-steps", "Samsung_Carmelo_Hard_BackPocket_1", "accelerometer.csv")
    assert _said(runner, "calibrate", str(back_walk), "--labels", "backward")[0] == 0
    assert _said(runner, "calibrate", str(phone_walk), "--labels", "forward,forward")[0] == 0
    return tmp_path / "store" / "direction_profiles"


CUT_SHORT = "not JSON: it stops in the middle of line 3 (cut short)"


def _damaged(folder: Path, placement: str) -> str:
    """Cut the stored calibration of ``placement`` short, as a full disk does; what
    analyze's one line says of it (without what was not done)."""
    stored = folder / f"{placement}.json"
    stored.write_text(stored.read_text()[:40])
    return (
        f"{placement}: your stored calibration could not be read (its file {stored} is "
        f"damaged or incomplete: {CUT_SHORT}); retrowalk calibrate --remove {placement} "
        "deletes it, then calibrate again"
    )


def test_analyze_is_refused_only_for_the_placement_of_the_damaged_calibration(
    runner: CliRunner, tmp_path: Path
) -> None:
    stated = require("ipol-gait", "1-1_lb.txt")  # the file's name says lower_back
    detected = require("mobgap-lab", "HA_001_Test5_Trial1.csv")  # detected at the lower back
    pocket = require("phone-steps", "Samsung_Dario_Hard_FrontPocket_1", "accelerometer.csv")
    folder = _calibrated(runner, tmp_path)
    good = (folder / "pocket.json").read_bytes()
    named = _damaged(folder, "pocket")

    for recording in (stated, detected):
        code, text, errors = _said(runner, "analyze", str(recording), "--json", "-")
        assert code == 0, errors
        assert errors == (
            f"retrowalk: warning: {named} (this recording, analysed as lower_back, does not "
            "use it)\n"
        )
        analysis = json.loads(text)
        assert analysis["recording"]["placement"] == "lower_back"
        used = analysis["assumptions"]["direction_profile"]
        assert used["source"].endswith(str(folder / "lower_back.json")) and used["used"]
        # The same JSON as without the pocket file: it is not read.
        aside = folder / "pocket.json.aside"
        (folder / "pocket.json").replace(aside)
        code, alone, errors = _said(runner, "analyze", str(recording), "--json", "-")
        assert (code, errors) == (0, "")
        assert json.loads(alone) == analysis
        aside.replace(folder / "pocket.json")
        code, _, errors = _said(runner, "analyze", str(recording), "--no-profile")
        assert (code, errors) == (0, "")  # the store is not read at all

    # A pocket recording is refused as before, nothing written; --placement says so too.
    report = tmp_path / "a.html"
    refused = f"retrowalk: error: {named}; or --no-profile analyses without your stored "
    for args in ([str(pocket)], [str(detected), "--placement", "pocket"]):
        code, text, errors = _said(runner, "analyze", *args, "--report", str(report))
        assert (code, text) == (2, "")
        assert errors == f"{refused}calibrations (nothing was analysed)\n"
        assert not report.exists()

    # The other way round: a damaged lower-back calibration never stops a recording
    # detected in a pocket, which is analysed with the pocket's.
    (folder / "pocket.json").write_bytes(good)
    named = _damaged(folder, "lower_back")
    code, text, errors = _said(runner, "analyze", str(pocket), "--json", "-")
    assert code == 0, errors
    assert errors == (
        f"retrowalk: warning: {named} (this recording, analysed as pocket, does not use it)\n"
    )
    analysis = json.loads(text)
    assert analysis["recording"]["placement"] == "pocket"
    assert analysis["assumptions"]["direction_profile"]["source"].endswith(
        str(folder / "pocket.json")
    )
    code, text, errors = _said(runner, "analyze", str(detected))
    assert (code, text) == (2, "") and errors.startswith(f"retrowalk: error: {named}; ")


def _counts(text: str) -> str:
    """'N analysed, M already done, K failed ...' of a batch's summary line."""
    line = " ".join(text.split())
    return line.split("recordings: ", 1)[1].split(", in ")[0]


def test_batch_refuses_the_recordings_of_that_placement_alone_until_it_is_mended(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = _calibrated(runner, tmp_path)
    study = tmp_path / "study"  # one folder of two lower-back and two pocket recordings
    study.mkdir()
    sources = {
        "lb_ipol_lb.txt": require("ipol-gait", "1-1_lb.txt"),
        "lb_mobgap.csv": require("mobgap-lab", "HA_001_Test5_Trial1.csv"),
        "pocket_dario.csv": require(
            "phone-steps", "Samsung_Dario_Hard_FrontPocket_1", "accelerometer.csv"
        ),
        "pocket_jamie.csv": require(
            "phone-steps", "Pixel_Jamie_Hard_FrontPocket_1", "accelerometer.csv"
        ),
    }
    for name, source in sources.items():
        (study / name).symlink_to(source)
    pockets = sorted(str(study / n) for n in sources if n.startswith("pocket"))
    good = (folder / "pocket.json").read_bytes()
    named = _damaged(folder, "pocket")
    out = tmp_path / "tables"

    def batch() -> tuple[str, str]:
        """The run's counts, and its warning line ("" when it has none)."""
        code, text, errors = _said(runner, "batch", str(study), "--out", str(out), "--serial")
        assert code == 0, errors
        warned = [line for line in errors.splitlines() if line.startswith("retrowalk: ")]
        assert len(warned) <= 1, warned
        return _counts(text), "".join(line + "\n" for line in warned)

    def rows() -> dict[str, tuple[str, str, str]]:
        table = pd.read_csv(out / "recordings.csv")
        return {
            Path(r.path).name: (r.recording_id, r.placement, r.direction_calibration)
            for r in table.itertuples()
        }

    def refused() -> list[tuple[str, str]]:
        table = pd.read_csv(out / "errors.csv")
        return sorted(zip(table["path"], table["reason"], strict=True))

    reason = f"{named}; or --no-profile analyses without your stored calibrations (not analysed)"
    counts, errors = batch()
    assert counts == "2 analysed, 0 already done, 2 failed"
    assert errors.startswith(
        f"retrowalk: warning: {named}; until then the pocket recordings are refused, each "
        "with this reason in the errors table, and the others analysed\n"
    )
    lower_back = rows()
    assert {k: v[1:] for k, v in lower_back.items()} == {
        "lb_ipol_lb.txt": ("lower_back", "used"),
        "lb_mobgap.csv": ("lower_back", "used"),
    }
    assert refused() == [(p, reason) for p in pockets]
    assert batch()[0] == "0 analysed, 2 already done, 2 failed (2 in an earlier run)"
    assert refused() == [(p, reason) for p in pockets]

    # Mended (the file as it was): the pocket recordings alone are analysed, with it.
    (folder / "pocket.json").write_bytes(good)
    assert batch() == ("2 analysed, 2 already done, 0 failed", "")
    mended = rows()
    assert {k: v for k, v in mended.items() if k.startswith("lb")} == lower_back
    assert {v[1] for k, v in mended.items() if k.startswith("pocket")} == {"pocket"}
    assert refused() == []
    assert batch() == ("0 analysed, 4 already done, 0 failed", "")

    # Damaged again, then removed: the pocket recordings refused, then analysed without.
    _damaged(folder, "pocket")
    assert batch()[0] == "0 analysed, 2 already done, 2 failed"
    assert refused() == [(p, reason) for p in pockets] and rows() == lower_back
    assert _said(runner, "calibrate", "--remove", "pocket")[0] == 0
    assert batch() == ("2 analysed, 2 already done, 0 failed", "")
    removed = rows()
    assert {k: v for k, v in removed.items() if k.startswith("lb")} == lower_back
    assert {v[1:] for k, v in removed.items() if k.startswith("pocket")} == {("pocket", "none")}

    # The lower back's calibration copied onto the pocket's name: refused for what it
    # holds; calibrating the pocket again makes it the pocket's, and they are analysed.
    (folder / "pocket.json").write_bytes((folder / "lower_back.json").read_bytes())
    counts, errors = batch()
    assert counts == "0 analysed, 2 already done, 2 failed"
    wrong = f"pocket: your stored calibration file {folder / 'pocket.json'} holds a calibration"
    assert errors.startswith(f"retrowalk: warning: {wrong}")
    assert [r.startswith(wrong) for _, r in refused()] == [True, True]
    phone_walk = require("phone-steps", "Samsung_Carmelo_Hard_BackPocket_1", "accelerometer.csv")
    assert _said(runner, "calibrate", str(phone_walk), "--labels", "forward,forward")[0] == 0
    assert batch() == ("2 analysed, 2 already done, 0 failed", "")
    again = rows()
    assert {k: v for k, v in again.items() if k.startswith("lb")} == lower_back
    assert {v[1] for k, v in again.items() if k.startswith("pocket")} == {"pocket"}
    assert refused() == []
    assert batch() == ("0 analysed, 4 already done, 0 failed", "")

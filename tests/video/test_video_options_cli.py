"""Video options on the command line: floor marks and child/adult, with one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from retrowalk.core.errors import AnalysisError
from retrowalk.video.options import video_options_from_text


def test_nothing_given_is_none() -> None:
    assert video_options_from_text(None, None, None) is None


def test_floor_marks_and_child_parsed() -> None:
    opts = video_options_from_text(" 100, 900,1100 ,900", 4.0, True)
    assert opts is not None
    assert opts.floor_points_px == ((100.0, 900.0), (1100.0, 900.0))
    assert opts.m_per_px() == pytest.approx(0.004)
    assert opts.child is True
    adult = video_options_from_text(None, None, False)
    assert adult is not None and adult.child is False and adult.m_per_px() is None


@pytest.mark.parametrize(
    ("marks", "distance", "message"),
    [
        ("100,900,1100", 4.0, "four numbers"),
        ("a,b,c,d", 4.0, "four numbers"),
        ("100,900,1100,900", None, "both or neither"),
        (None, 4.0, "both or neither"),
        ("100,900,1100,900", -1.0, "must be positive"),
        ("100,900,102,900", 4.0, "at least 5 px apart"),
        ("-5,900,1100,900", 4.0, "0 or more"),
    ],
)
def test_bad_floor_marks_are_refused(marks: str | None, distance: float | None, message: str):
    with pytest.raises(AnalysisError, match=message) as info:
        video_options_from_text(marks, distance, None)
    assert "\n" not in str(info.value)
    assert "floor_points_px" not in str(info.value)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "retrowalk.cli", "analyze", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_bad_floor_marks_one_line(tmp_path: Path) -> None:
    clip = tmp_path / "walk.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    proc = _cli(str(clip), "--floor-marks", "1,2,3", "--floor-distance-m", "2")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "floor marks" in lines[0], proc.stderr


def test_cli_video_options_refused_for_sensor_files(tmp_path: Path) -> None:
    table = tmp_path / "walk.csv"
    rows = "\n".join(f"{i / 100:.2f},0.1,9.8,0.2" for i in range(2000))
    table.write_text("time_s,acc_x,acc_y,acc_z\n" + rows + "\n")
    proc = _cli(str(table), "--child")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "videos only" in lines[0], proc.stderr


def test_cli_floor_marks_outside_the_frame(demo_video: Path) -> None:
    proc = _cli(str(demo_video), "--floor-marks", "100,900,5000,900", "--floor-distance-m", "4")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "outside the 1768x994 frame" in lines[0], proc.stderr


def test_cli_video_analysis_writes_nothing_but_the_result(demo_video: Path, tmp_path: Path) -> None:
    """The pose model's native log lines (TensorFlow Lite, absl) do not reach the terminal."""
    from clips import read_frames, write_clip

    frames, fps = read_frames(demo_video)
    clip = write_clip(frames[: int(3 * fps)], fps, tmp_path / "start.mp4")  # the first 3 s
    proc = _cli(str(clip), "--json", str(tmp_path / "out.json"))
    assert proc.returncode == 0, proc.stderr
    for native in ("XNNPACK", "absl::", "W0000", "Feedback manager", "GetPrototype"):
        assert native not in proc.stderr, proc.stderr

"""Video analysis on the real Sports2D demo video (slow: runs the pose model).

Reference: tests/video/fixtures/sports2d_contacts.json (foot contacts of the
walking woman annotated by eye, frame by frame; see "method" inside).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from realdata import data_root

pytest.importorskip("mediapipe", reason="the video extra (mediapipe) is not installed")
cv2 = pytest.importorskip("cv2", reason="the video extra (opencv) is not installed")

import retrowalk.video  # noqa: E402, F401  (registers video as a source and its pipeline)
from retrowalk.summary.contract import bout_to_dict, to_dict  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
VIDEO = data_root() / "video" / "sports2d-demo.mp4"
FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "sports2d_contacts.json").read_text())

pytestmark = [
    pytest.mark.slow,
    # one test process runs every test of the demo clip: its analyses are made once
    pytest.mark.xdist_group("demo-video"),
    pytest.mark.skipif(not VIDEO.exists(), reason=f"shared video missing: {VIDEO}"),
]


def _reverse(src: Path, dst: Path) -> None:
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for frame in reversed(frames):
        out.write(frame)
    out.release()


@pytest.fixture(scope="session")
def reversed_video(tmp_path_factory) -> Path:
    """The demo clip played backwards (written once per test process)."""
    path = tmp_path_factory.mktemp("video") / "reversed.mp4"
    _reverse(VIDEO, path)
    return path


@pytest.fixture(scope="session")
def reversed_analysis(reversed_video):
    from retrowalk.io import read_recording
    from retrowalk.pipeline import analyze

    return analyze(read_recording(reversed_video)), reversed_video


def _walk_bout(analysis):
    walks = [b for b in analysis.bouts if b.n_steps >= 3]
    assert len(walks) == 1, [bout_to_dict(b) for b in analysis.bouts]
    return walks[0]


def test_forward_bout_steps_and_contact_times(forward_analysis):
    data = to_dict(forward_analysis)
    assert data["recording"]["placement"] == "video"
    bout = _walk_bout(forward_analysis)
    assert bout.direction == "forward"
    assert all(b["direction_reason"] for b in data["bouts"])  # every bout says why
    assert abs(bout.n_steps - FIXTURE["n_steps"]) <= 1
    fps = FIXTURE["fps"]
    detected = np.array([s.time_s * fps for s in forward_analysis.steps])
    for contact in FIXTURE["contacts"]:
        if contact["edge"]:
            continue
        nearest = float(np.min(np.abs(detected - contact["frame"])))
        assert nearest <= FIXTURE["tolerance_frames"], (contact, detected.round(1))
    # her walk, not the man on the box: every step lies inside her walk
    lo, hi = FIXTURE["walk_frames"]
    assert np.all((detected >= lo) & (detected <= hi))


def test_several_people_seen_and_only_walker_counted(forward_analysis):
    video = to_dict(forward_analysis)["video"]
    assert video["people_seen"] >= 2  # the man on the box is followed too
    assert "body heights" in video["walker"]["why"]
    # the man on the box: his own track yields no walking bout
    from retrowalk.video.gait import find_contacts, group_bouts

    fps = forward_analysis.recording.sampling_rate_hz
    for other in forward_analysis.others:
        hip = np.nanmedian(other[:, 23, 1])
        if np.isfinite(hip) and hip < 0.5 * 994:  # standing on the box, high in the frame
            assert group_bouts(find_contacts(other, fps), fps) == []
            break
    else:
        pytest.fail("the man on the box was not tracked")


def test_reversed_video_is_backward_with_same_steps(forward_analysis, reversed_analysis):
    analysis, _ = reversed_analysis
    bout = _walk_bout(analysis)
    assert bout.direction == "backward"
    assert abs(bout.n_steps - _walk_bout(forward_analysis).n_steps) <= 1
    assert abs(bout.n_steps - FIXTURE["n_steps"]) <= 1
    cues = to_dict(analysis)["video"]["form"][0]["cues"]
    assert [c["check"] for c in cues] == [
        "look_ahead",
        "shorter_steps",
        "toe_then_heel",
        "upright",
    ]
    learn = {x for c in cues for x in c["learn"]}
    assert learn == {"form-look-ahead", "form-shorter-steps", "form-toe-then-heel", "form-upright"}
    # time reversal of forward walking: contacts become toe-first, steps as long as forward
    by = {c["check"]: c for c in cues}
    assert by["toe_then_heel"]["ok"] is True
    assert by["shorter_steps"]["ok"] is False


def test_cli_json_and_annotated_gif(reversed_video, tmp_path):
    # the CLI analyses the file itself: it needs the reversed clip, not its analysis
    path = reversed_video
    gif = tmp_path / "walk.gif"
    report = tmp_path / "walk.html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "retrowalk.cli",
            "analyze",
            str(path),
            "--json",
            "-",
            "--annotate",
            str(gif),
            "--report",
            str(report),
            "--floor-marks",
            "100,900,1100,900",
            "--floor-distance-m",
            "4",
            "--child",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert data["recording"]["placement"] == "video"
    assert data["summary"]["backward"]["steps"] >= FIXTURE["n_steps"] - 1
    # the video options reach the analysis: metres from the floor marks, child proportions
    assert data["video"]["speed_unit"] == "m/s"
    assert data["video"]["child_proportions"] is True
    walk = max(data["bouts"], key=lambda b: b["n_steps"])
    assert walk["speed_mps"] > 0
    assert walk["speed_source"].startswith("floor marks")
    assert gif.read_bytes()[:4] == b"GIF8"
    html = report.read_text()
    assert "data:image/gif;base64," in html
    assert "/learn/form-toe-then-heel" in html

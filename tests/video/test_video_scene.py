"""Camera motion, shot cuts and contacts from the feet, on the real demo clip.

Fast tests feed real frames of the demo (moved, zoomed and spliced with OpenCV)
to the camera-motion estimator and the cut detector. Slow tests run the whole
analysis (pose model included) on clips derived from the demo: a simulated pan
that follows the walker, one that over-pans (she drifts backwards in the image),
the clip cut and spliced to a second view, and frames dropped. Each must give
the original's steps (within 1) and direction (forward or uncertain, never
backward). These are mechanical checks on one real walk, not accuracy figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from clips import analyse, drop, pan, read_frames, splice, write_clip

cv2 = pytest.importorskip("cv2", reason="the video extra (opencv) is not installed")


@pytest.fixture(scope="module")
def frames(demo_video: Path) -> tuple[list[np.ndarray], float]:
    return read_frames(demo_video)


def _rgb(frame: np.ndarray, long_side: int = 960) -> np.ndarray:
    h, w = frame.shape[:2]
    f = long_side / max(h, w)
    small = cv2.resize(frame, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_BGR2RGB)


def _run_scene(images: list[np.ndarray], fps: float) -> tuple[Any, Any]:
    from retrowalk.video.camera import CameraMotion
    from retrowalk.video.shots import ShotDetector

    camera, shots = CameraMotion(), ShotDetector()
    for i, rgb in enumerate(images):
        share = camera.feed(i, rgb, [])
        if shots.decide(i, shots.distance(rgb), fps, share):
            camera.restart(i)
    return camera.estimate(), shots.detect()


# --- camera motion and cuts on real frames (no pose model) ---------------------------------


def test_static_camera_stays_exact(frames):
    images, fps = frames
    camera, shots = _run_scene([_rgb(f) for f in images[:60]], fps)
    assert shots.cuts_ == []
    assert camera.static_shots_ == [0]
    for m in camera.transforms_.values():
        assert np.array_equal(m, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))


def test_pan_is_measured_from_the_background(frames):
    """A window sliding 8 px per frame over a real frame: the chain undoes the slide."""
    images, fps = frames
    base = _rgb(images[20], 1400)
    width, step = 700, 8
    moved = [
        np.ascontiguousarray(base[:, 40 + step * k : 40 + step * k + width]) for k in range(50)
    ]
    camera, shots = _run_scene(moved, fps)
    assert shots.cuts_ == []
    assert camera.static_shots_ == []
    for k in (10, 30, 49):
        # scene x = image x + how far the window has slid since the first frame
        assert camera.transforms_[k][0, 2] == pytest.approx(step * k, rel=0.03, abs=1.0)
        assert abs(camera.transforms_[k][1, 2]) < 1.0
        assert camera.transforms_[k][0, 0] == pytest.approx(1.0, abs=0.01)


def test_zoom_is_measured_as_scale(frames):
    images, fps = frames
    base = _rgb(images[20], 1400)
    h, w = base.shape[:2]
    zoomed = []
    for k in range(30):
        z = 1.0 + 0.005 * k  # zooming in 0.5 % per frame
        ch, cw = round(h / z), round(w / z)
        y0, x0 = (h - ch) // 2, (w - cw) // 2
        crop = base[y0 : y0 + ch, x0 : x0 + cw]
        zoomed.append(cv2.resize(crop, (960, round(960 * h / w)), interpolation=cv2.INTER_AREA))
    camera, _ = _run_scene(zoomed, fps)
    scale = float(np.sqrt(np.linalg.det(camera.transforms_[29][:, :2])))
    assert scale == pytest.approx(1 / 1.145, rel=0.02)  # scene = image shrunk back


def test_cut_is_found_where_the_clip_was_spliced(frames):
    images, fps = frames
    spliced = splice(images[60:160], 50)
    camera, shots = _run_scene([_rgb(f) for f in spliced], fps)
    assert shots.cuts_ == [50]
    assert sorted(camera.static_shots_) == [0, 50]


def test_video_options_are_checked():
    from retrowalk.video.options import VideoOptions

    with pytest.raises(ValueError, match="floor_distance_m"):
        VideoOptions(floor_points_px=((0, 0), (100, 0)))
    with pytest.raises(ValueError, match="positive"):
        VideoOptions(floor_points_px=((0, 0), (100, 0)), floor_distance_m=0.0)
    with pytest.raises(ValueError, match="5 px apart"):
        VideoOptions(floor_points_px=((0, 0), (1, 1)), floor_distance_m=2.0)
    assert VideoOptions(floor_points_px=((0, 0), (300, 400)), floor_distance_m=2.5).m_per_px() == (
        pytest.approx(0.005)
    )


def test_child_proportions():
    from retrowalk.video.body import scale_m_per_leg

    # a 0.9 m toddler's leg is shorter in proportion than an adult's
    assert scale_m_per_leg(0.9, child=True) / 0.9 < scale_m_per_leg(1.7) / 1.7
    assert scale_m_per_leg(0.9, child=True) == pytest.approx(0.378)


# --- the whole analysis on the demo and on clips derived from it (slow) --------------------

slow = pytest.mark.slow
# The tests reading the demo's analysis or the derived clips' run in one test process,
# so that each analysis is made once (see also test_video_sports2d).
shared = pytest.mark.xdist_group("demo-video")


def _walk(analysis: Any) -> tuple[int, set[str]]:
    walks = [b for b in analysis.bouts if b.n_steps >= 3]
    return sum(b.n_steps for b in walks), {str(b.direction) for b in walks}


@pytest.fixture(scope="module")
def walker_x(forward_analysis) -> np.ndarray:
    kp = forward_analysis.keypoints
    return (kp[:, 23, 0] + kp[:, 24, 0]) / 2


@slow
@shared
def test_demo_every_step_with_entry_and_exit(forward_analysis, demo_contacts):
    n, directions = _walk(forward_analysis)
    assert directions == {"forward"}
    assert abs(n - demo_contacts["n_steps"]) <= 1
    detected = np.array([s.time_s * demo_contacts["fps"] for s in forward_analysis.steps])
    # the exit step at the frame edge is found (within 3 frames of the annotation)
    exit_frame = demo_contacts["contacts"][-1]["frame"]
    assert np.min(np.abs(detected - exit_frame)) <= 3
    video = forward_analysis.video
    assert video["camera"]["moving"] is False
    assert video["cuts_s"] == []
    assert video["pose_rate_hz"] > 0 and "interpolated" in video["contact_timing"]
    assert video["no_walking_reason"] is None
    assert video["speed_unit"].startswith("body heights per second")
    bout = forward_analysis.bouts[0]
    assert bout.speed_mps is None and bout.extra["speed_body_heights_per_s"] > 0.3


@pytest.fixture(scope="module")
def derived(frames, walker_x, tmp_path_factory) -> dict[str, Any]:
    """The derived clips, analysed lazily (each at most once per module)."""
    images, fps = frames
    folder = tmp_path_factory.mktemp("derived")
    makers = {
        "pan": lambda: pan(images, walker_x, 800),
        "over-pan": lambda: pan(images, walker_x, 800, lead_px=-300),
        "spliced": lambda: splice(images, 124),
        "dropped": lambda: drop(images, seed=0, share=0.15),
    }
    cache: dict[str, Any] = {}

    def get(name: str) -> Any:
        if name not in cache:
            path = write_clip(makers[name](), fps, folder / f"{name}.mp4")
            cache[name] = analyse(path)
        return cache[name]

    return {"get": get}


@slow
@shared
@pytest.mark.parametrize("name", ["pan", "over-pan", "spliced", "dropped"])
def test_derived_clip_same_steps_and_direction(name, derived, forward_analysis):
    analysis = derived["get"](name)
    n0, _ = _walk(forward_analysis)
    n, directions = _walk(analysis)
    assert "backward" not in {str(b.direction) for b in analysis.bouts}
    assert directions <= {"forward", "uncertain"} and directions
    assert abs(n - n0) <= 1, (name, n, n0)
    video = analysis.video
    if name in ("pan", "over-pan"):
        assert video["camera"]["moving"] is True
        assert video["cuts_s"] == []
        # travel from the background: the same speed as the original, within 10 %
        v0 = forward_analysis.bouts[0].extra["speed_body_heights_per_s"]
        v = max(b.extra["speed_body_heights_per_s"] for b in analysis.bouts)
        assert v == pytest.approx(v0, rel=0.1)
    if name == "spliced":
        assert video["cuts_s"] == [pytest.approx(124 / 30, abs=0.07)]
        # no bout spans the cut, and the walker is looked for again after it
        for b in analysis.bouts:
            assert b.end_s < 124 / 30 or b.start_s >= 124 / 30
        assert len(video["shots"]) == 2 and all(s["walker"] for s in video["shots"])


@slow
@shared
def test_over_pan_drifts_backwards_in_the_image(derived, forward_analysis):
    """The over-pan really makes her drift backwards in the image (the trap it sets)."""
    analysis = derived["get"]("over-pan")
    kp = analysis.keypoints
    hip = (kp[:, 23, 0] + kp[:, 24, 0]) / 2
    # frames 60-140: the camera turns faster than she walks (before it reaches the end of
    # its turn): she moves right in the image, while she walks left in the scene
    image_travel = np.nanmedian(hip[135:145]) - np.nanmedian(hip[55:65])
    assert image_travel > 50
    assert analysis.bouts[0].extra["travel"] == "left"
    assert str(analysis.bouts[0].direction) == "forward"


@slow
@shared
def test_limp_by_time_warp_keeps_every_step(forward_analysis):
    """Mechanical limp: the right foot's stances played at half speed (twice as long).

    The demo walker's keypoints are time-warped so every right-foot stance lasts
    twice as long (and the left swing with it): an asymmetric, limping rhythm.
    Every step must still be found, at the warped times. This checks the
    contact logic on uneven timing; it is not a recording of a real limp.
    """
    from retrowalk.video.body import smooth_leg
    from retrowalk.video.gait import find_contacts, group_bouts, stance_contacts

    kp = forward_analysis.keypoints
    fps = 30.0
    right = stance_contacts(kp, fps, "right", smooth_leg(kp, fps))
    repeat = np.ones(len(kp), dtype=int)
    for c in right:
        a = round(c.frame)
        repeat[a : a + round(c.stance_s * fps) if np.isfinite(c.stance_s) else a] = 2
    warped = np.repeat(kp, repeat, axis=0)
    new_index = np.cumsum(repeat) - repeat  # where each original frame starts
    original = find_contacts(kp, fps)
    limp = find_contacts(warped, fps)
    bouts = group_bouts(limp, fps)
    assert len(bouts) == 1 and bouts[0].direction == "forward"
    assert abs(len(bouts[0].contacts) - len(original)) <= 1
    stance_r = [c.stance_s for c in limp if c.side == "right" and np.isfinite(c.stance_s)]
    stance_l = [c.stance_s for c in limp if c.side == "left" and np.isfinite(c.stance_s)]
    assert np.median(stance_r) > 1.4 * np.median(stance_l)  # the rhythm is uneven
    for c in original[:-1]:
        target = np.interp(c.frame, np.arange(len(kp)), new_index)
        nearest = min(abs(x.frame - target) for x in limp)
        assert nearest <= 3, (c.frame, target)


@slow
def test_no_walking_says_why(frames, tmp_path):
    """Before the walker enters, nobody walks: the JSON and the report say why."""
    from retrowalk.video.report import video_section_html

    images, fps = frames
    path = write_clip(images[:40], fps, tmp_path / "before.mp4")
    analysis = analyse(path)
    assert analysis.bouts == []
    reason = analysis.video["no_walking_reason"]
    assert reason in ("not tracked", "too few contacts", "not moving", "view unsupported")
    assert any(reason in n for n in analysis.notes)
    html = video_section_html({"video": analysis.video})
    assert reason in html


@slow
@shared
def test_floor_marks_give_metres(forward_analysis):
    """Two floor points at a known spacing set the scale (mechanics: a made-up spacing)."""
    from retrowalk.video.gait import VideoBout
    from retrowalk.video.options import VideoOptions
    from retrowalk.video.speed import bout_speed

    kp = forward_analysis.keypoints
    bout = VideoBout(forward_analysis.contacts, "forward", 1.0)
    marks = VideoOptions(floor_points_px=((100.0, 900.0), (1100.0, 900.0)), floor_distance_m=4.0)
    by_marks = bout_speed(kp, bout, 30.0, marks.m_per_px(), None, False)
    by_height = bout_speed(kp, bout, 30.0, None, 1.70, False)
    none = bout_speed(kp, bout, 30.0, None, None, False)
    assert by_marks["speed_source"].startswith("floor marks")
    assert none["speed_mps"] is None and none["speed_body_heights_per_s"] > 0
    # metres per pixel 0.004: the same path in pixels, a different unit
    ratio = by_marks["speed_mps"] / by_height["speed_mps"]
    leg_px = float(np.median([c.leg_px for c in bout.contacts]))
    assert ratio == pytest.approx(0.004 * leg_px / (0.53 * 1.70), rel=1e-6)

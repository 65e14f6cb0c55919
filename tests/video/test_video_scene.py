"""Camera motion, shot cuts and contacts from the feet, on the real demo clip.

Fast tests feed real frames of the demo (moved, zoomed and spliced with OpenCV)
to the camera-motion estimator and the cut detector. Slow tests run the whole
analysis (pose model included) on clips derived from the demo: a simulated pan
that follows the walker, one that over-pans (she drifts backwards in the image),
the clip cut and spliced to a second view, frames dropped, a 1920x1080 and a
re-encoded copy. Each must give the original's steps (within 1) and direction
(forward or uncertain, never backward). These are mechanical checks on one real
walk, not accuracy figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from clips import analyse, drop, pan, read_frames, resize, splice, write_clip

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


def test_frames_are_shrunk_to_the_analysis_size(frames):
    """The demo's 1768x994 frames to 960x540: close to pixel-area averaging, far
    from dropping pixels; a whole factor (a 1920x1080 copy) is area averaging itself."""
    from retrowalk.video.source import shrink

    images, _ = frames
    frame = images[100]
    scale = 960 / 1768
    out = shrink(frame, scale)
    assert out.shape == (540, 960, 3)
    area = cv2.resize(frame, (960, 540), interpolation=cv2.INTER_AREA).astype(float)
    nearest = cv2.resize(frame, (960, 540), interpolation=cv2.INTER_NEAREST).astype(float)
    error = np.mean(np.abs(out - area))
    assert error < 2.0 and error < 0.3 * np.mean(np.abs(nearest - area))
    big = cv2.resize(frame, (1920, 1080), interpolation=cv2.INTER_CUBIC)
    assert np.array_equal(
        shrink(big, 0.5), cv2.resize(big, (960, 540), interpolation=cv2.INTER_AREA)
    )
    odd = np.ascontiguousarray(big[:1079, :1919])  # odd sides: the last pixel is cropped
    assert shrink(odd, 960 / 1919).shape == (540, 960, 3)


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
        "1080p": lambda: resize(images, (1920, 1080)),
        "re-encoded": lambda: images,
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
@pytest.mark.parametrize("name", ["1080p", "re-encoded"])
def test_copies_same_contacts(name, derived, forward_analysis, demo_contacts):
    """Copies of the demo (upscaled to 1920x1080; re-encoded at its own size): the
    same steps, each contact where it was annotated.

    Other pixels make the pose model answer a little differently (on the 1080p
    copy it once put a foot back, still, at the border after the exit; on the
    re-encoded one it lost her as she left the image); the contacts, the exit
    step included, must not move beyond the tolerance.
    """
    analysis = derived["get"](name)
    n, directions = _walk(analysis)
    assert directions == {"forward"}
    assert n == _walk(forward_analysis)[0]
    fps = demo_contacts["fps"]
    detected = np.array([s.time_s * fps for s in analysis.steps])
    for contact in demo_contacts["contacts"]:
        tolerance = 3 if contact["edge"] else demo_contacts["tolerance_frames"]
        assert np.min(np.abs(detected - contact["frame"])) <= tolerance, (contact, detected)


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
@shared
def test_exit_step_ignores_feet_seen_after_leaving(forward_analysis):
    """What the pose model says once the foot has left the image does not hide the exit step.

    After leaving the image, a foot is sometimes found again for a frame or
    two in the sliver at the border (here: held still inside the image for 3
    frames, then lost). The exit step is judged from the swing into the
    border, so it stays where it was. Mechanical: the keypoints of the demo
    with that glitch added after the exit.
    """
    from retrowalk.video.body import FEET, smooth_leg
    from retrowalk.video.gait import find_contacts, stance_contacts
    from retrowalk.video.walk import _edges

    kp = forward_analysis.keypoints
    fps = 30.0
    size = tuple(forward_analysis.video["frame_size"])
    edge = _edges(kp, size)
    before = find_contacts(kp, fps, "side", edge)
    exit_step = next(c for c in before if not np.isfinite(c.stance_s))
    e = round(exit_step.frame)
    # the foot reached the border there
    assert edge[exit_step.side][e] and not edge[exit_step.side][e - 1]
    glitch = kp.copy()
    points = list(FEET[exit_step.side])
    glitch[e + 4 : e + 7, points, :2] = kp[e - 1, points, :2]  # seen again, still, inside the image
    glitch[e + 7 : e + 10, points, :2] = np.nan  # then lost
    glitch_edge = _edges(glitch, size)
    leg = smooth_leg(glitch, fps)
    own = stance_contacts(glitch, fps, exit_step.side, leg, glitch_edge[exit_step.side])
    assert any(c.frame == exit_step.frame and not np.isfinite(c.stance_s) for c in own)
    kept = [c for c in find_contacts(glitch, fps, "side", glitch_edge) if c.frame < e + 4]
    assert [c.side for c in kept] == [c.side for c in before if c.frame < e + 4]
    assert np.allclose(
        [c.frame for c in kept], [c.frame for c in before if c.frame < e + 4], atol=0.1
    )


@dataclass(frozen=True)
class WalkerPoses:
    """The demo walker's own poses, to be analysed again with some left out."""

    keypoints: np.ndarray
    fps: float
    stride: int
    frame_size: tuple[int, int]
    posed: list[int]  # frames with a pose of her
    annotated: np.ndarray  # annotated contact frames
    tolerance_frames: float
    exit_at_border: bool

    def contacts_with(self, frames: list[int]) -> np.ndarray:
        """Contact frames found from her poses at ``frames`` only (a static camera)."""
        from retrowalk.video.tracking import Track
        from retrowalk.video.walk import analyse_walk

        kp, n = self.keypoints, len(self.keypoints)
        static = np.tile(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), (n, 1, 1))
        track = Track(0, frames, [kp[f] for f in frames])
        walk = analyse_walk(
            [track], static, [], self.fps, n, self.stride, self.frame_size, height_m=None
        )
        return np.array([step["time_s"] * self.fps for step in walk.steps])


@pytest.fixture(scope="module")
def walker_poses(forward_analysis, demo_contacts) -> WalkerPoses:
    kp = forward_analysis.keypoints
    fps = float(demo_contacts["fps"])
    n, stride = len(kp), round(fps / forward_analysis.video["pose_rate_hz"])
    return WalkerPoses(
        keypoints=kp,
        fps=fps,
        stride=stride,
        frame_size=tuple(forward_analysis.video["frame_size"]),
        posed=[f for f in range(0, n, stride) if np.isfinite(kp[f, 23, 0])],
        annotated=np.array([c["frame"] for c in demo_contacts["contacts"]]),
        tolerance_frames=demo_contacts["tolerance_frames"],
        exit_at_border=bool(demo_contacts["contacts"][-1]["edge"]),
    )


@slow
@shared
def test_one_missed_pose_near_the_last_contacts(walker_poses):
    """A pose the model missed near the last two contacts does not lose or move them.

    The walker's poses of the demo (one every second frame) are analysed again
    with one of them left out, in turn, around the last contact in the image
    and the exit step at its border: the gap is bridged from the poses either
    side, so every contact is still found, within the tolerance of the
    annotation (3 frames for the exit step). Mechanical: real poses, one removed.
    """
    posed, stride, annotated = walker_poses.posed, walker_poses.stride, walker_poses.annotated
    assert walker_poses.exit_at_border
    for missed in range(annotated[-2] - 6, annotated[-1] + 6, stride):
        frames = [f for f in posed if f != missed]
        detected = walker_poses.contacts_with(frames)
        assert len(detected) == len(annotated), (missed, detected.round(1))
        error = np.abs(detected - annotated)
        assert error[:-1].max() <= walker_poses.tolerance_frames, (missed, detected.round(1))
        assert error[-1] <= 3, (missed, detected.round(1))


@slow
@shared
def test_one_missed_pose_anywhere_in_the_walk(walker_poses):
    """Any one pose of the walk missed: every contact found, within 3 frames of the annotation.

    As above, with each of her poses from just before her first contact to the
    exit step left out in turn. A landing in the 4-frame gap is timed from the
    poses either side (so up to 3 frames off), and a rest of the foot cut short
    by the gap and then by the pose model taking the other foot for it as it
    passes (at her sixth contact) is still where the stance began.
    Mechanical: real poses, one removed.
    """
    posed, annotated = walker_poses.posed, walker_poses.annotated
    for missed in [f for f in posed if annotated[0] - 6 <= f <= annotated[-1]]:
        frames = [f for f in posed if f != missed]
        detected = walker_poses.contacts_with(frames)
        assert len(detected) == len(annotated), (missed, detected.round(1))
        assert np.abs(detected - annotated).max() <= 3, (missed, detected.round(1))


@slow
@shared
def test_walker_lost_as_she_leaves_keeps_the_exit_step(walker_poses):
    """The pose model loses the walker half out of the image: the exit step is still found.

    The demo walker's poses are analysed again without the last ones, from
    the annotated exit step on (the last pose kept is then up to 3 frames
    before her foot reaches the border; a re-encoded copy of the demo lost her
    so): the foot, last seen swinging towards the border, is carried on at its
    speed to the border, and the exit step lies within 3 frames of the
    annotation. Mechanical: real poses, the last ones removed.
    """
    posed, stride, annotated = walker_poses.posed, walker_poses.stride, walker_poses.annotated
    for lost_from in range(annotated[-1], annotated[-1] + 6, stride):
        frames = [f for f in posed if f < lost_from]
        detected = walker_poses.contacts_with(frames)
        assert len(detected) == len(annotated), (lost_from, detected.round(1))
        assert abs(detected[-1] - annotated[-1]) <= 3, (lost_from, detected.round(1))


@slow
@shared
def test_foot_taken_for_the_other_early_in_its_stance_keeps_the_contact(forward_analysis):
    """The pose model swaps the feet for 3 frames early in a stance: the contact stays.

    As the swinging foot passes the standing one, the pose model now and then
    puts one foot where the other is. Here, 4 frames after each contact of
    the demo walker (stances of 0.5 s or more), the landed foot takes the
    other foot's place for 3 frames. Its rest before the swap is too short for
    a stance on its own; since the foot rests again at the same place after it,
    the contact stays where the stance began (within 2 frames), not at the end
    of the swap. Mechanical: the demo's keypoints with the swap added.
    """
    from retrowalk.video.body import FEET
    from retrowalk.video.gait import find_contacts
    from retrowalk.video.walk import _edges

    kp = forward_analysis.keypoints
    fps = 30.0
    size = tuple(forward_analysis.video["frame_size"])
    before = find_contacts(kp, fps, "side", _edges(kp, size))
    landed = [c for c in before if np.isfinite(c.stance_s) and c.stance_s >= 0.5]
    assert len(landed) >= 4
    for c in landed:
        a = int(np.ceil(c.frame)) + 4
        other = "right" if c.side == "left" else "left"
        swapped = kp.copy()
        swapped[a : a + 3, list(FEET[c.side])] = kp[a : a + 3, list(FEET[other])]
        after = find_contacts(swapped, fps, "side", _edges(swapped, size))
        nearest = min(abs(x.frame - c.frame) for x in after if x.side == c.side)
        assert nearest <= 2, (c.frame, [round(x.frame, 1) for x in after])


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

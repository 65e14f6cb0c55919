"""When a video yields no walking, the JSON and the report say why: each of the four reasons.

Mechanics only: built keypoints of one person (a stick figure in image pixels,
no pose model), fed through the same shot-by-shot walk analysis as a real
video. They check which reason each situation gives, not accuracy on footage
(the real demo clip's case is in ``test_video_scene.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from retrowalk.video.report import _REASON_HELP, video_section_html
from retrowalk.video.tracking import Track
from retrowalk.video.walk import NO_WALKING_REASONS, analyse_walk

FPS = 30.0
STRIDE = 2
FRAME = (1280, 720)


def _person(
    n: int, hip_x: np.ndarray, *, facing_camera: bool, feet_apart_px: float = 0.0
) -> np.ndarray:
    """``(n, 33, 3)`` keypoints of a person 400 px tall, hips at ``hip_x`` (per frame).

    Side on (``facing_camera=False``) the shoulders overlap; facing the camera
    they are a shoulder-width apart. The feet stay ``feet_apart_px`` apart
    around the hips (they move with the hips: no stance phases).
    """
    kp = np.zeros((n, 33, 3))
    kp[:, :, 2] = 0.99
    x = hip_x[:, None]
    width = 60.0 if facing_camera else 3.0
    y = {"head": 180.0, "shoulder": 240.0, "hip": 380.0, "knee": 480.0, "ankle": 575.0}
    for i in range(33):  # everything near the hips first, then the named points
        kp[:, i, 0], kp[:, i, 1] = hip_x, 300.0
    for idx, dx in ((0, 0.0), (2, 5.0), (5, -5.0), (7, 12.0), (8, -12.0)):
        kp[:, idx, 0], kp[:, idx, 1] = x[:, 0] + dx, y["head"]
    for idx, dx in ((11, width), (12, -width)):
        kp[:, idx, 0], kp[:, idx, 1] = x[:, 0] + dx, y["shoulder"]
    for side, sign in (((23, 25, 27, 29, 31), 1.0), ((24, 26, 28, 30, 32), -1.0)):
        hip, knee, ankle, heel, toe = side
        foot = x[:, 0] + sign * feet_apart_px / 2
        kp[:, hip, 0], kp[:, hip, 1] = x[:, 0] + sign * width / 3, y["hip"]
        kp[:, knee, 0], kp[:, knee, 1] = (x[:, 0] + foot) / 2, y["knee"]
        kp[:, ankle, 0], kp[:, ankle, 1] = foot, y["ankle"]
        kp[:, heel, 0], kp[:, heel, 1] = foot - 8.0, y["ankle"] + 12.0
        kp[:, toe, 0], kp[:, toe, 1] = foot + 25.0, y["ankle"] + 15.0
    kp[:, :, :2] += np.random.default_rng(1).normal(0.0, 0.5, (n, 33, 2))  # pose-model jitter
    return kp


def _analyse(kp: np.ndarray | None, n: int, seen: slice = slice(None)):  # type: ignore[no-untyped-def]
    """The walk analysis of one person seen on the pose frames of ``seen``."""
    tracks = []
    if kp is not None:
        frames = [f for f in range(n)[seen] if f % STRIDE == 0]
        tracks.append(Track(0, frames=frames, keypoints=[kp[f] for f in frames]))
    transforms = np.repeat(np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]), n, axis=0)
    return analyse_walk(tracks, transforms, [], FPS, n, STRIDE, FRAME, height_m=None)


def _says(result, reason: str) -> None:  # type: ignore[no-untyped-def]
    assert result.bouts == [] and result.steps == []
    assert result.video["no_walking_reason"] == reason
    assert result.video["shots"][0]["no_walking_reason"] == reason
    assert f"no walking was found: {reason}" in result.notes
    html = video_section_html({"video": result.video})
    assert f"No walking was found: {reason}." in html
    assert _REASON_HELP[reason] in html


N = 120  # 4 s


def test_nobody_in_view_is_not_tracked() -> None:
    _says(_analyse(None, N), "not tracked")


def test_a_person_seen_only_briefly_is_not_tracked() -> None:
    kp = _person(N, np.full(N, 600.0), facing_camera=False)
    _says(_analyse(kp, N, slice(40, 64)), "not tracked")  # 0.8 s


@pytest.mark.parametrize("facing_camera", [False, True])
def test_a_person_standing_still_is_not_moving(facing_camera: bool) -> None:
    kp = _person(N, np.full(N, 600.0), facing_camera=facing_camera, feet_apart_px=30.0)
    _says(_analyse(kp, N), "not moving")


def test_sideways_drift_facing_the_camera_is_an_unsupported_view() -> None:
    """Facing the camera and sliding sideways (less than a leg length): neither a side
    view nor a walk towards or away from the camera."""
    kp = _person(N, np.linspace(560.0, 700.0, N), facing_camera=True, feet_apart_px=30.0)
    _says(_analyse(kp, N), "view unsupported")


def test_gliding_without_steps_gives_too_few_contacts() -> None:
    """Side on, travelling across the frame with the feet never at rest (a scooter, a
    wheelchair being pushed): the hips travel, no foot has a stance."""
    kp = _person(N, np.linspace(200.0, 1100.0, N), facing_camera=False, feet_apart_px=60.0)
    _says(_analyse(kp, N), "too few contacts")


def test_every_reason_has_help_in_the_report() -> None:
    assert set(_REASON_HELP) == set(NO_WALKING_REASONS)

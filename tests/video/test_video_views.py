"""Views towards and away from the camera: direction from facing and apparent size.

No real video of walking towards or away from the camera is available here, so
these tests build the keypoints of a walker seen head-on with a pinhole camera
(feet planted alternately on the floor, body growing as it comes closer). They
check the rules (facing from face and shoulder order, travel from the change of
size, steps from each foot's stance), not accuracy on real footage.
"""

from __future__ import annotations

import numpy as np
import pytest

from retrowalk.video.gait import find_contacts, group_bouts
from retrowalk.video.view import camera_facing, classify_view

FPS = 30.0


def _walker(approaching: bool, facing_camera: bool, face_visibility: float, n: int = 150):
    """``(n, 33, 3)`` keypoints of a walker on the camera's axis, and the plantings seen."""
    f, cx, horizon, cam_h = 900.0, 640.0, 250.0, 1.2
    step, period = 0.7, 1.1  # step length (m), stride time (s)
    v = 2 * step / period
    t = np.arange(n) / FPS
    d0 = 9.0 if approaching else 2.5
    sign = -1.0 if approaching else 1.0  # distance change per metre walked
    kp = np.zeros((n, 33, 3))
    kp[:, :, 2] = 0.99
    # the person's left is on the image's right when they face the camera
    lr = 1.0 if facing_camera else -1.0
    plantings = 0
    for side, offset, idx in (
        ("left", 0.0, (23, 25, 27, 29, 31)),
        ("right", 0.5, (24, 26, 28, 30, 32)),
    ):
        cycle = t / period + offset
        k, p = np.floor(cycle), cycle - np.floor(cycle)
        planted = v * period * (k + 0.2 - offset)
        ease = np.clip((p - 0.6) / 0.4, 0.0, 1.0)
        s = planted + 2 * step * (3 * ease**2 - 2 * ease**3)
        d_foot = d0 + sign * s
        d_hip = d0 + sign * v * t
        x_off = (0.1 if side == "left" else -0.1) * lr
        hip, knee, ankle, heel, toe = idx
        kp[:, ankle, 0] = cx + f * x_off / d_foot
        kp[:, ankle, 1] = horizon + f * (cam_h - 0.08) / d_foot
        kp[:, heel, :2] = kp[:, ankle, :2] + np.column_stack([0 * t, f * 0.03 / d_foot])
        kp[:, toe, :2] = kp[:, ankle, :2] + np.column_stack([0 * t, f * 0.06 / d_foot])
        kp[:, hip, 0] = cx + f * x_off * 1.2 / d_hip
        kp[:, hip, 1] = horizon + f * (cam_h - 0.95) / d_hip
        kp[:, knee, :2] = (kp[:, hip, :2] + kp[:, ankle, :2]) / 2 + np.column_stack([0 * t, 0 * t])
        plantings += int(np.sum(np.diff(k) > 0))
    d = d0 + sign * v * t
    for i, (dx, h) in {
        11: (0.2, 1.45),
        12: (-0.2, 1.45),
        7: (0.08, 1.62),
        8: (-0.08, 1.62),
    }.items():
        kp[:, i, 0] = cx + f * dx * lr / d
        kp[:, i, 1] = horizon + f * (cam_h - h) / d
    for i, dx in ((0, 0.0), (2, 0.03), (5, -0.03)):
        kp[:, i, 0] = cx + f * dx * lr / d
        kp[:, i, 1] = horizon + f * (cam_h - 1.6) / d
        kp[:, i, 2] = face_visibility
    kp[:, :, :2] += np.random.default_rng(0).normal(0.0, 0.7, (n, 33, 2))  # pose-model jitter
    return kp, plantings


@pytest.mark.parametrize(
    ("approaching", "facing", "expected"),
    [
        (True, True, "forward"),
        (False, False, "forward"),
        (True, False, "backward"),
        (False, True, "backward"),
    ],
)
def test_head_on_direction_from_facing_and_size(approaching, facing, expected):
    kp, plantings = _walker(approaching, facing, 0.99 if facing else 0.2)
    view = classify_view(kp, FPS)
    assert view["view"] == "depth"
    contacts = find_contacts(kp, FPS, "depth")
    bouts = group_bouts(contacts, FPS, "depth")
    assert len(bouts) == 1
    assert bouts[0].direction == expected
    assert abs(len(bouts[0].contacts) - plantings) <= 1
    # the contract's direction_reason: what decided it
    assert bouts[0].reason.startswith(
        "the walker faced the way" if expected == "forward" else "the walker faced away"
    )


def test_head_on_unclear_face_is_uncertain():
    """Face half visible: the two facing cues do not agree, so no direction is claimed."""
    kp, _ = _walker(True, False, 0.65)
    assert not camera_facing(kp).any()
    bouts = group_bouts(find_contacts(kp, FPS, "depth"), FPS, "depth")
    assert bouts and all(b.direction == "uncertain" for b in bouts)
    assert all(b.reason.startswith("the walker") for b in bouts)  # why it is uncertain

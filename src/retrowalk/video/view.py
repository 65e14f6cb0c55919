"""Which way a person is seen and which way they face, from their keypoints.

- Side view: facing comes from the toes (heel to toe points the way the body
  faces) and the nose against the ears.
- Views towards or away from the camera: facing from which side of the head and
  shoulders is seen (face and the person's left shoulder on the image's right =
  facing the camera).
- The view itself (side, depth, on the spot) from the hips' travel across the
  scene against the change of the body's apparent size (leg length in pixels).
"""

from __future__ import annotations

import numpy as np

from retrowalk.video.body import FEET, hip_x, smooth_leg
from retrowalk.video.pose import (
    LEFT_EAR,
    LEFT_EYE,
    LEFT_HIP,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_EAR,
    RIGHT_EYE,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)


def facing_votes(kp: np.ndarray) -> dict[str, np.ndarray]:
    """Per frame facing signs (+1 right, -1 left, 0 unknown) from toes and from the nose."""
    toes = np.zeros(len(kp))
    for heel, toe, _ in FEET.values():
        d = kp[:, toe, 0] - kp[:, heel, 0]
        ok = np.isfinite(d)
        toes[ok] += np.sign(d[ok])
    ears = (kp[:, LEFT_EAR, 0] + kp[:, RIGHT_EAR, 0]) / 2
    head = kp[:, NOSE, 0] - ears
    return {"toes": np.sign(toes), "head": np.sign(np.nan_to_num(head))}


def camera_facing(kp: np.ndarray) -> np.ndarray:
    """Per frame +1 facing the camera, -1 back to the camera, 0 unclear.

    Two cues must agree: the person's left shoulder on the image's right (they
    face the camera) or left (back turned), by at least 15 % of the trunk length;
    and the face (nose, eyes) seen clearly (visibility > 0.8) or not (< 0.5).
    """
    trunk = np.linalg.norm(
        (kp[:, LEFT_SHOULDER, :2] + kp[:, RIGHT_SHOULDER, :2]) / 2
        - (kp[:, LEFT_HIP, :2] + kp[:, RIGHT_HIP, :2]) / 2,
        axis=1,
    )
    order = (kp[:, LEFT_SHOULDER, 0] - kp[:, RIGHT_SHOULDER, 0]) / np.maximum(trunk, 1.0)
    shoulder = np.where(order > 0.15, 1, np.where(order < -0.15, -1, 0))
    face_vis = np.nanmean(kp[:, [NOSE, LEFT_EYE, RIGHT_EYE], 2], axis=1)
    face = np.where(face_vis > 0.8, 1, np.where(face_vis < 0.5, -1, 0))
    out = np.where((shoulder == face) & np.isfinite(order), shoulder, 0)
    return out.astype(int)


def classify_view(kp: np.ndarray, fps: float) -> dict[str, float | str]:
    """``side``, ``depth`` (towards/away from the camera) or ``unsupported``, with the cues.

    Side view: the hips travel at least 1 leg length across the scene and the
    shoulders are seen narrow (side on). Depth view: the body's apparent size
    (leg length in pixels) changes by 25 % or more.
    """
    leg = smooth_leg(kp, fps)
    seen = np.flatnonzero(np.isfinite(leg) & np.isfinite(hip_x(kp)))
    if len(seen) < fps:
        return {"view": "unsupported", "lateral_leg": 0.0, "size_change": 0.0}
    k = max(int(fps // 2), 1)
    hx = hip_x(kp)
    lateral = abs(np.median(hx[seen[-k:]]) - np.median(hx[seen[:k]])) / np.nanmedian(leg)
    size = float(np.log(np.median(leg[seen[-k:]]) / np.median(leg[seen[:k]])))
    shoulders = np.abs(kp[seen, LEFT_SHOULDER, 0] - kp[seen, RIGHT_SHOULDER, 0])
    width = float(np.nanmedian(shoulders / leg[seen]))
    out: dict[str, float | str] = {
        "lateral_leg": round(float(lateral), 2),
        "size_change": round(size, 3),
        "shoulder_width_leg": round(width, 3),
    }
    if lateral >= 1.0 and lateral >= 4 * abs(size):
        out["view"] = "side"
    elif abs(size) >= np.log(1.25):
        out["view"] = "depth"
    elif lateral >= 1.0:
        out["view"] = "side"
    else:
        out["view"] = "on the spot" if width < 0.5 else "unsupported"
    return out

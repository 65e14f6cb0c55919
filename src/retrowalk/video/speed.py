"""Walking speed of a video bout from the hips' path in the scene.

Speed comes from a known distance marked on the floor (two points, in pixels of
the first shot, at a known spacing), else from the stated height (leg length
against the leg in pixels), else it is given in body heights per second only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from retrowalk.video.body import leg_fraction, scale_m_per_leg
from retrowalk.video.gait import VideoBout
from retrowalk.video.pose import LEFT_HIP, RIGHT_HIP


def bout_speed(
    scene: np.ndarray,
    bout: VideoBout,
    fps: float,
    m_per_px: float | None,
    height_m: float | None,
    child: bool,
) -> dict[str, Any]:
    """Mean speed of a bout from the hips' scene path, in the best unit available."""
    cs = bout.contacts
    a, b = round(cs[0].frame), round(cs[-1].frame)
    hip = (scene[a : b + 1, LEFT_HIP, :2] + scene[a : b + 1, RIGHT_HIP, :2]) / 2
    hip = hip[np.isfinite(hip).all(axis=1)]
    duration = max((cs[-1].frame - cs[0].frame) / fps, 1e-9)
    leg_px = float(np.nanmedian([c.leg_px for c in cs]))
    out: dict[str, Any] = {"speed_mps": None, "distance_m": None, "m_per_leg": None}
    if len(hip) < 2 or not np.isfinite(leg_px) or leg_px <= 0:
        out["speed_source"] = "not measured"
        return out
    dist_px = float(abs(hip[-1, 0] - hip[0, 0]))  # along the path, side view
    body_px = leg_px / leg_fraction(child)
    out["speed_body_heights_per_s"] = round(float(dist_px / body_px / duration), 3)
    if m_per_px is not None:
        out["m_per_leg"] = m_per_px * leg_px
        out["speed_source"] = "floor marks at a known distance"
    elif height_m is not None:
        out["m_per_leg"] = scale_m_per_leg(height_m, child)
        out["speed_source"] = "stated height"
    else:
        out["speed_source"] = "none given: speed in body heights per second only"
        return out
    out["distance_m"] = dist_px / leg_px * out["m_per_leg"]
    out["speed_mps"] = out["distance_m"] / duration
    return out

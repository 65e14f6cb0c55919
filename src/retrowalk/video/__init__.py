"""Backward-walking analysis from a phone video (extra ``retrowalk[video]``).

``retrowalk analyze VIDEO`` finds the person who walks, follows them, counts
their steps, tells forward from backward walking (the body's facing against the
hips' travel) and checks backward-walking form against the common tips.
"""

from __future__ import annotations


def available() -> bool:
    """True when the pose model (mediapipe) and OpenCV are installed."""
    try:
        import cv2  # noqa: F401
        import mediapipe  # noqa: F401
    except ImportError:
        return False
    return True

"""Where something moves that nobody followed yet: when and where to look for new people.

Looking for a new person (the pose detector on a whole frame or a tile of it)
costs more than following one. It is only worth doing where the image changes
and no followed person explains the change: someone entering, or someone who
starts to move. The change is the difference between consecutive frames fed
(grey, shrunk), after the previous frame is warped by the camera's motion so
that a panning camera does not make the whole background "move" (frame
differencing with camera-motion compensation; Irani & Anandan 1998, "A unified
approach to moving object detection in 2D and 3D scenes", IEEE TPAMI 20:577).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in the pixels of the image fed


class UnexplainedMotion:
    """Moving pixels outside the people already followed, frame by frame.

    Parameters
    ----------
    max_side_px
        Frames are shrunk to this long side (grey) before differencing.
    diff_level
        Grey-level change (0-255, after a 5x5 blur) that counts as motion.
    person_pad
        How far the people's boxes are widened (in box heights) before they are
        masked out.

    Attributes
    ----------
    moving_
        Boolean image (shrunk) of the moving pixels outside the people, or
        ``None`` on the first frame fed (everything unknown).
    scale_
        How much the frames fed were shrunk to make ``moving_``.
    """

    def __init__(
        self, *, max_side_px: int = 240, diff_level: int = 25, person_pad: float = 0.2
    ) -> None:
        self.max_side_px = max_side_px
        self.diff_level = diff_level
        self.person_pad = person_pad
        self.moving_: np.ndarray | None = None
        self.scale_ = 1.0
        self._prev: np.ndarray | None = None

    def detect(
        self, rgb: np.ndarray, boxes: Sequence[Box], to_prev: np.ndarray | None = None
    ) -> Self:
        """Compare ``rgb`` with the previous frame fed.

        Parameters
        ----------
        rgb
            The frame (as fed to the tracker).
        boxes
            The people followed in this frame (pixels of ``rgb``).
        to_prev
            2x3 transform from this frame's pixels to the previous frame's (the
            camera's motion); ``None`` for a still camera.
        """
        import cv2

        h, w = rgb.shape[:2]
        f = min(1.0, self.max_side_px / max(h, w))
        size = (max(round(w * f), 1), max(round(h * f), 1))
        grey = cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
        grey = cv2.GaussianBlur(grey, (5, 5), 0)
        prev, self._prev = self._prev, grey
        self.scale_ = f
        if prev is None or prev.shape != grey.shape:
            self.moving_ = None
            return self
        valid = np.ones_like(grey, dtype=bool)
        if to_prev is not None and not np.allclose(to_prev, [[1, 0, 0], [0, 1, 0]], atol=1e-3):
            m = to_prev.copy()
            m[:, 2] *= f  # the same transform in shrunk pixels
            flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
            prev = cv2.warpAffine(prev, m, size, flags=flags)
            inside = cv2.warpAffine(np.full_like(grey, 255), m, size, flags=flags)
            valid = cv2.erode(inside, np.ones((5, 5), np.uint8)) == 255
        moving = (cv2.absdiff(grey, prev) >= self.diff_level) & valid
        for x0, y0, x1, y1 in boxes:
            pad = self.person_pad * (y1 - y0)
            moving[
                max(int((y0 - pad) * f), 0) : max(int((y1 + pad) * f) + 1, 0),
                max(int((x0 - pad) * f), 0) : max(int((x1 + pad) * f) + 1, 0),
            ] = False
        self.moving_ = moving
        return self

    def share(self, tile: tuple[int, int, int, int]) -> float:
        """Share of moving pixels in ``tile`` (pixels of the frame fed); 1.0 when unknown."""
        if self.moving_ is None:
            return 1.0
        f = self.scale_
        x0, y0, x1, y1 = (round(v * f) for v in tile)
        part = self.moving_[y0:y1, x0:x1]
        return float(part.mean()) if part.size else 0.0

"""Shot cuts: where an edited video jumps from one view to another.

A cut is a frame whose colour histogram differs sharply from the previous
frame's (hue-saturation histograms compared by the Bhattacharyya distance; Zhang,
Kankanhalli & Smoliar 1993, "Automatic partitioning of full-motion video",
Multimedia Systems 1:10), or one where the histogram changes moderately *and*
the background features of the previous frame cannot be found again (the
camera motion of :mod:`retrowalk.video.camera` loses them). Each shot is
analysed on its own: the walker is looked for again after a cut, and a walking
bout never spans one.
"""

from __future__ import annotations

from typing import Self

import numpy as np


class ShotDetector:
    """Cuts between consecutive frames fed with :meth:`feed`.

    Parameters
    ----------
    hard_distance
        Histogram distance (Bhattacharyya, 0-1) that is a cut on its own.
    soft_distance
        Histogram distance that is a cut when the background is also lost.
    lost_share
        Share of background features followed below which the background is lost.
    min_shot_s
        Shortest shot; a second cut sooner than this is ignored (flashes, blur).

    Attributes
    ----------
    cuts_
        Frame indices where a new shot starts (the first frame of the video excluded).
    distances_
        ``{frame index: histogram distance to the previous frame fed}``.
    """

    def __init__(
        self,
        *,
        hard_distance: float = 0.5,
        soft_distance: float = 0.1,
        lost_share: float = 0.25,
        min_shot_s: float = 0.5,
    ) -> None:
        self.hard_distance = hard_distance
        self.soft_distance = soft_distance
        self.lost_share = lost_share
        self.min_shot_s = min_shot_s
        self.cuts_: list[int] = []
        self.distances_: dict[int, float] = {}
        self._prev_hist: np.ndarray | None = None
        self._last_cut = 0

    @staticmethod
    def histogram(rgb: np.ndarray) -> np.ndarray:
        """Normalised 16x16 hue-saturation histogram of a (shrunk) frame."""
        import cv2

        h, w = rgb.shape[:2]
        f = min(1.0, 160 / max(h, w))
        small = cv2.resize(
            rgb, (max(round(w * f), 1), max(round(h * f), 1)), interpolation=cv2.INTER_AREA
        )
        hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
        hist = cv2.calcHist([hsv], [0, 1], None, [16, 16], [0, 180, 0, 256])
        return cv2.normalize(hist, hist).astype(np.float32)

    def distance(self, rgb: np.ndarray) -> float:
        """Histogram distance of ``rgb`` to the previous frame fed (0 on the first)."""
        import cv2

        hist = self.histogram(rgb)
        prev, self._prev_hist = self._prev_hist, hist
        if prev is None:
            return 0.0
        return float(cv2.compareHist(prev, hist, cv2.HISTCMP_BHATTACHARYYA))

    def decide(self, index: int, distance: float, fps: float, background_share: float) -> bool:
        """True when frame ``index`` starts a new shot.

        ``distance`` is :meth:`distance` of the frame; ``background_share`` the
        share of the previous frame's background features followed into this one
        (1.0 when unknown).
        """
        self.distances_[index] = round(distance, 3)
        if len(self.distances_) == 1:
            return False
        cut = distance >= self.hard_distance or (
            distance >= self.soft_distance and background_share < self.lost_share
        )
        if cut and (index - self._last_cut) >= self.min_shot_s * fps:
            self.cuts_.append(index)
            self._last_cut = index
            return True
        return False

    def detect(self) -> Self:
        """Nothing more to do once all frames are fed; returns ``self``."""
        return self


def shot_bounds(cuts: list[int], n_frames: int) -> list[tuple[int, int]]:
    """``[(first, last + 1), ...]`` frames of each shot."""
    starts = [0, *sorted(c for c in cuts if 0 < c < n_frames)]
    ends = [*starts[1:], n_frames]
    return list(zip(starts, ends, strict=True))

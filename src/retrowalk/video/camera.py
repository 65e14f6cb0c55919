"""The camera's own motion, from the background, so that travel is measured in the scene.

A forward walker filmed by a camera that pans to keep them centred drifts
*backwards* in the image when the camera turns a little faster than they walk.
Travel in image coordinates is therefore not travel. The camera's motion is
estimated from the background: corners (Shi & Tomasi 1994, "Good features to
track", CVPR) outside the people's boxes are followed from frame to frame with
pyramidal Lucas-Kanade optical flow (Bouguet 2001, "Pyramidal implementation of
the affine Lucas Kanade feature tracker", Intel), and a similarity transform
(translation, scale, a small rotation) is fitted to them with RANSAC (Fischler &
Bolles 1981, "Random sample consensus", Commun. ACM 24:381). Chaining the
frame-to-frame transforms maps every frame of a shot onto its first frame: the
*scene* coordinates in which the walker's travel and the feet's stillness are
measured. When the camera follows the walker, their travel in the scene comes
from the background's motion.

A camera that does not move stays exact: frame-to-frame motion below
``static_px`` is taken as none, and a shot whose chained motion never exceeds
``static_px`` (and whose zoom stays within 0.5 %) is declared static and left
untouched.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Self

import numpy as np

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in the pixels of the image fed


def _identity() -> np.ndarray:
    return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def _compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The 2x3 transform ``a`` after ``b``."""
    a3 = np.vstack([a, [0.0, 0.0, 1.0]])
    b3 = np.vstack([b, [0.0, 0.0, 1.0]])
    return (a3 @ b3)[:2]


def _invert(m: np.ndarray) -> np.ndarray:
    return np.linalg.inv(np.vstack([m, [0.0, 0.0, 1.0]]))[:2]


class CameraMotion:
    """Frame-to-frame camera motion from background features, chained per shot.

    Frames are fed one at a time with :meth:`feed` (any subset of the video's
    frames, in order); :meth:`estimate` finishes and returns ``self``.

    Parameters
    ----------
    max_side_px
        Frames are shrunk to this long side for feature tracking.
    max_corners
        Most background corners tracked per frame.
    static_px
        Motion (in the pixels of the frames fed) below which the camera is still.
    min_inliers
        Fewest consistent background features for a motion estimate; with fewer,
        the previous frame's motion is carried on (and the frame is counted as
        uncertain).
    person_pad
        How far the people's boxes are widened (in box heights) before the
        background is taken outside them.

    Attributes
    ----------
    transforms_
        ``{frame index: 2x3 array}`` mapping that frame's pixels (of the frames fed)
        to the first frame of its shot.
    tracked_share_
        ``{frame index: share of background features followed consistently}``.
    static_shots_
        Start frames of the shots declared static (their transforms are identity).
    """

    def __init__(
        self,
        *,
        max_side_px: int = 480,
        max_corners: int = 200,
        static_px: float = 0.5,
        min_inliers: int = 12,
        person_pad: float = 0.2,
    ) -> None:
        self.max_side_px = max_side_px
        self.max_corners = max_corners
        self.static_px = static_px
        self.min_inliers = min_inliers
        self.person_pad = person_pad
        self.transforms_: dict[int, np.ndarray] = {}
        self.tracked_share_: dict[int, float] = {}
        self.static_shots_: list[int] = []
        self._prev: np.ndarray | None = None
        self._prev_mask: np.ndarray | None = None
        self._f = 1.0
        self._chain = _identity()
        self._last_step = _identity()
        self._shot_start: int | None = None
        self._shot_starts: list[int] = []

    def _small(self, rgb: np.ndarray) -> np.ndarray:
        import cv2

        h, w = rgb.shape[:2]
        self._f = min(1.0, self.max_side_px / max(h, w))
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        if self._f < 1.0:
            size = (max(round(w * self._f), 1), max(round(h * self._f), 1))
            gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
        return gray

    def _mask(self, shape: tuple[int, ...], boxes: Sequence[Box]) -> np.ndarray:
        mask = np.full(shape[:2], 255, dtype=np.uint8)
        f = self._f
        for x0, y0, x1, y1 in boxes:
            pad = self.person_pad * (y1 - y0)
            mask[
                max(int((y0 - pad) * f), 0) : max(int((y1 + pad) * f) + 1, 0),
                max(int((x0 - pad) * f), 0) : max(int((x1 + pad) * f) + 1, 0),
            ] = 0
        return mask

    def _step(self, cur: np.ndarray) -> tuple[np.ndarray | None, float]:
        """Motion ``prev -> cur`` in small-image pixels, and the share of features kept."""
        import cv2

        assert self._prev is not None
        pts = cv2.goodFeaturesToTrack(
            self._prev,
            maxCorners=self.max_corners,
            qualityLevel=0.01,
            minDistance=7,
            mask=self._prev_mask,
            blockSize=7,
        )
        if pts is None or len(pts) < self.min_inliers:
            return None, 0.0
        nxt, status, _ = cv2.calcOpticalFlowPyrLK(
            self._prev, cur, pts, None, winSize=(21, 21), maxLevel=3
        )
        ok = status.ravel() == 1
        if ok.sum() < self.min_inliers:
            return None, float(ok.mean())
        a, b = pts[ok].reshape(-1, 2), nxt[ok].reshape(-1, 2)
        flow = b - a
        if float(np.median(np.linalg.norm(flow, axis=1))) < self.static_px * self._f:
            still = np.linalg.norm(flow, axis=1) < 1.0
            if still.mean() > 0.5:
                return _identity(), float(still.sum() / len(pts))
        m, inliers = cv2.estimateAffinePartial2D(
            a, b, method=cv2.RANSAC, ransacReprojThreshold=1.5, maxIters=500, confidence=0.99
        )
        if m is None or inliers is None or int(inliers.sum()) < self.min_inliers:
            return None, 0.0
        return m.astype(np.float64), float(inliers.sum() / len(pts))

    def feed(self, index: int, rgb: np.ndarray, boxes: Sequence[Box], cut: bool = False) -> float:
        """Add one frame; ``boxes`` are the people in it, ``cut`` starts a new shot.

        Returns the share of background features followed consistently from the
        previous frame fed (1.0 on the first frame of a shot).
        """
        cur = self._small(rgb)
        share = 1.0
        if self._prev is None or cut or self._prev.shape != cur.shape:
            self._close_shot()
            self._chain = _identity()
            self._last_step = _identity()
            self._shot_start = index
            self._shot_starts.append(index)
        else:
            m, share = self._step(cur)
            if m is None:
                m = self._last_step  # too little background: keep the last motion
            self._last_step = m
            # m maps prev -> cur (small pixels); in fed pixels: S^-1 m S
            s = np.array([[self._f, 0.0, 0.0], [0.0, self._f, 0.0]])
            s_inv = np.array([[1 / self._f, 0.0, 0.0], [0.0, 1 / self._f, 0.0]])
            step = _compose(s_inv, _compose(m, s))
            self._chain = _compose(self._chain, _invert(step))
        self.transforms_[index] = self._chain.copy()
        self.tracked_share_[index] = share
        self._prev = cur
        self._prev_mask = self._mask(cur.shape, boxes)
        return share

    def restart(self, index: int) -> None:
        """Frame ``index`` (already fed) starts a new shot after all."""
        if self._shot_start == index:
            return
        self.transforms_.pop(index, None)
        self._close_shot()
        self._chain = _identity()
        self._last_step = _identity()
        self._shot_start = index
        self._shot_starts.append(index)
        self.transforms_[index] = _identity()
        self.tracked_share_[index] = 0.0

    def _close_shot(self) -> None:
        if self._shot_start is None:
            return
        frames = [i for i in self.transforms_ if i >= self._shot_start]
        corners = np.array([[0.0, 0.0], [640.0, 0.0], [0.0, 480.0], [640.0, 480.0]])
        worst = 0.0
        zoom = 0.0
        for i in frames:
            m = self.transforms_[i]
            moved = corners @ m[:, :2].T + m[:, 2] - corners
            worst = max(worst, float(np.abs(moved).max()))
            zoom = max(zoom, abs(float(np.sqrt(abs(np.linalg.det(m[:, :2])))) - 1.0))
        if worst <= self.static_px and zoom <= 0.005:
            for i in frames:
                self.transforms_[i] = _identity()
            self.static_shots_.append(self._shot_start)

    def estimate(self) -> Self:
        """Finish the last shot (declare it static if the camera did not move)."""
        self._close_shot()
        self._shot_start = None
        return self

    def dense(self, n_frames: int, scale: float, shot_starts: Sequence[int]) -> np.ndarray:
        """``(n_frames, 2, 3)`` transforms in full-frame pixels, interpolated between frames fed.

        ``scale`` is how much the frames fed were shrunk; frames before the first
        frame fed of a shot take that frame's transform.
        """
        out = np.repeat(_identity()[None], n_frames, axis=0)
        if not self.transforms_:
            return out
        s = np.array([[scale, 0.0, 0.0], [0.0, scale, 0.0]])
        s_inv = np.array([[1 / scale, 0.0, 0.0], [0.0, 1 / scale, 0.0]])
        idx = np.array(sorted(self.transforms_))
        full = np.array([_compose(s_inv, _compose(self.transforms_[i], s)) for i in idx])
        bounds = sorted(set(shot_starts) | {0}) + [n_frames]
        for a, b in itertools.pairwise(bounds):
            sel = (idx >= a) & (idx < b)
            if not sel.any():
                continue
            frames = np.arange(a, b)
            for r in range(2):
                for c in range(3):
                    out[a:b, r, c] = np.interp(frames, idx[sel], full[sel, r, c])
        return out

    def summary(self, fps: float, scale: float) -> dict[str, Any]:
        """What the JSON says about the camera: moving or still, and how far it panned."""
        if not self.transforms_:
            return {"moving": False}
        pans = [abs(float(m[0, 2])) / scale for m in self.transforms_.values()]
        uncertain = sum(1 for v in self.tracked_share_.values() if v < 0.2)
        return {
            "moving": len(self.static_shots_) < len(self._shot_starts),
            "max_shift_px": round(max(pans), 1),
            "frames_with_little_background": uncertain,
            "method": "background corners (Shi-Tomasi) followed by Lucas-Kanade flow, "
            "similarity transform by RANSAC, people masked out",
        }


def to_scene(kp: np.ndarray, transforms: np.ndarray) -> np.ndarray:
    """Keypoints ``(n, 33, 3)`` (image pixels) mapped into their shot's scene frame."""
    out = kp.copy()
    a = transforms[:, :, :2]  # (n, 2, 2)
    t = transforms[:, :, 2]  # (n, 2)
    out[:, :, :2] = np.einsum("nij,nkj->nki", a, kp[:, :, :2]) + t[:, None, :]
    return out

"""Following several people through a video and choosing the one who walks.

MediaPipe Pose sees one person per image. To see several, each person found gets
their own tracker that works on a crop around where they were last seen, and a
detector looks for someone new every few frames on the frame with everybody
already tracked painted out. A track whose hip centre jumps further than a
person can move is treated as lost (the tracker latched onto someone else).
Choosing the walker among the tracks is in :mod:`retrowalk.video.walker`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from retrowalk.video.camera import CameraMotion
from retrowalk.video.pose import (
    LEFT_HIP,
    LEFT_SHOULDER,
    RIGHT_HIP,
    RIGHT_SHOULDER,
    PoseBackend,
    PoseTracker,
)
from retrowalk.video.shots import ShotDetector

MIN_VISIBILITY = 0.5  # mean visibility of shoulders and hips to accept a pose
CROP_SIDE = 1.5  # crop side as a multiple of the person's height
CROP_MAX_PX = 320  # crops are shrunk to this long side before pose estimation
DETECT_MAX_PX = 960  # the discovery pass sees the frame at this long side
MAX_JUMP = 0.35  # hip jump between frames, in body heights per frame, that means "lost"
IDLE_TRAVEL = 0.25  # hip travel over 1.5 s, in body heights, below which a person is idle
IDLE_EVERY = 4  # idle people are updated on every 4th processed frame
_CORE = (LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP)


@dataclass
class Track:
    """One person followed through the video (keypoints in full-frame pixels)."""

    track_id: int
    frames: list[int] = field(default_factory=list)
    keypoints: list[np.ndarray] = field(default_factory=list)
    lost_frames: list[int] = field(default_factory=list)
    tracker: PoseTracker | None = None
    misses: int = 0
    shot: int = 0  # the shot (between cuts) the person was seen in

    @property
    def last(self) -> np.ndarray:
        return self.keypoints[-1]

    def height_px(self) -> float:
        return _height(self.last)

    def hip(self) -> np.ndarray:
        return _hip(self.last)


def _hip(kp: np.ndarray) -> np.ndarray:
    return (kp[LEFT_HIP, :2] + kp[RIGHT_HIP, :2]) / 2


def _height(kp: np.ndarray) -> float:
    vis = kp[kp[:, 2] > 0.3]
    pts = vis if len(vis) >= 5 else kp
    return float(max(np.ptp(pts[:, 1]), 1.0))


def _box(kp: np.ndarray) -> tuple[float, float, float, float]:
    vis = kp[kp[:, 2] > 0.3]
    pts = vis if len(vis) >= 5 else kp
    return (
        float(pts[:, 0].min()),
        float(pts[:, 1].min()),
        float(pts[:, 0].max()),
        float(pts[:, 1].max()),
    )


def _crop_box(kp: np.ndarray, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = _box(kp)
    side = CROP_SIDE * max(y1 - y0, x1 - x0, 40.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    h, w = shape[:2]
    return (
        max(int(cx - side / 2), 0),
        max(int(cy - side / 2), 0),
        min(int(cx + side / 2), w),
        min(int(cy + side / 2), h),
    )


def _tiles(shape: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
    """The whole frame, then overlapping squares across its long side.

    The pose detector sees a small square image; people far from the camera are
    found only in a square tile of the frame.
    """
    h, w = shape[:2]
    tiles = [(0, 0, w, h)]
    side, long = min(h, w), max(h, w)
    n = int(np.ceil(long / side)) + 1 if long > 1.2 * side else 0
    for k in range(n):
        off = round(k * (long - side) / max(n - 1, 1))
        tiles.append((off, 0, off + side, h) if w >= h else (0, off, w, off + side))
    return tiles


def _accept(kp: np.ndarray | None) -> bool:
    return kp is not None and float(np.mean(kp[list(_CORE), 2])) >= MIN_VISIBILITY


def _shrink(img: np.ndarray, max_px: int) -> tuple[np.ndarray, float]:
    import cv2

    h, w = img.shape[:2]
    f = min(1.0, max_px / max(h, w))
    if f >= 1.0:
        return np.ascontiguousarray(img), 1.0
    small = cv2.resize(
        img, (max(round(w * f), 1), max(round(h * f), 1)), interpolation=cv2.INTER_AREA
    )
    return small, f


class MultiPersonTracker:
    """Tracks up to ``max_people`` people through frames fed one at a time.

    Parameters
    ----------
    backend
        Where pose trackers and the detector come from.
    fps
        Frame rate of the video (for the loss and discovery intervals).
    scale
        How much the frames fed were shrunk; keypoints are stored in original pixels.
    max_people
        Most people followed at once.
    discover_every_s
        How often to look for someone new.
    """

    def __init__(
        self,
        backend: PoseBackend,
        fps: float,
        scale: float = 1.0,
        max_people: int = 4,
        discover_every_s: float = 0.1,
    ) -> None:
        self.backend = backend
        self.fps = fps
        self.scale = scale
        self.max_people = max_people
        self.discover_every = max(1, round(discover_every_s * fps))
        self.lose_after = max(1, round(1.0 * fps))
        self.active: list[Track] = []
        self.finished: list[Track] = []
        self._detector: PoseTracker | None = None
        self._next_id = 0
        self._last_frame = -1
        self._tile = 0
        self._n_fed = 0
        self._shot = 0
        self._force_discover = False
        self._last_discovery = -(10**9)
        self.camera: CameraMotion | None = None

    def _scene(self, index: int, xy: np.ndarray) -> np.ndarray:
        """A point (original pixels) of frame ``index`` in scene pixels (camera motion removed)."""
        if self.camera is None or index not in self.camera.transforms_:
            return xy
        m = self.camera.transforms_[index]
        fed = xy * self.scale
        return (m[:, :2] @ fed + m[:, 2]) / self.scale

    def cut(self, index: int) -> None:
        """A new shot starts at frame ``index``: everybody is looked for again."""
        for track in list(self.active):
            self._finish(track)
        self._shot += 1
        self._force_discover = True

    def boxes(self) -> list[tuple[float, float, float, float]]:
        """Boxes of the people being followed, in the pixels of the frames fed."""
        s = self.scale
        return [_box(t.last * [s, s, 1.0]) for t in self.active]

    def _idle(self, track: Track) -> bool:
        k = round(1.5 * self.fps)
        if track.misses or track.frames[-1] - track.frames[0] < 2 * k:
            return False
        recent = [
            kp
            for f, kp in zip(track.frames, track.keypoints, strict=True)
            if f >= track.frames[-1] - k
        ]
        first = next(f for f in track.frames if f >= track.frames[-1] - k)
        moved = float(
            np.linalg.norm(
                self._scene(track.frames[-1], _hip(recent[-1]))
                - self._scene(first, _hip(recent[0]))
            )
        )
        return moved < IDLE_TRAVEL * _height(recent[-1])

    def feed(self, index: int, rgb: np.ndarray) -> None:
        """Process one frame (``rgb`` already shrunk by ``scale``)."""
        self._last_frame = index
        self._n_fed += 1
        for track in list(self.active):
            if self._n_fed % IDLE_EVERY and self._idle(track):
                continue  # people who stay in place are followed at a lower rate
            self._update(track, index, rgb, index - track.frames[-1])
        due = index - self._last_discovery >= self.discover_every or self._force_discover
        if due and len(self.active) < self.max_people:
            self._force_discover = False
            self._last_discovery = index
            self._discover(index, rgb)

    def _update(self, track: Track, index: int, rgb: np.ndarray, gap: int) -> None:
        s = self.scale
        x0, y0, x1, y1 = _crop_box(track.last * [s, s, 1.0], rgb.shape)
        kp = None
        if x1 - x0 > 8 and y1 - y0 > 8:
            crop, f = _shrink(rgb[y0:y1, x0:x1], CROP_MAX_PX)
            assert track.tracker is not None
            raw = track.tracker.estimate(crop)
            if raw is not None:
                kp = raw.copy()
                kp[:, 0] = (raw[:, 0] / f + x0) / s
                kp[:, 1] = (raw[:, 1] / f + y0) / s
        jump = kp is not None and float(
            np.linalg.norm(_hip(kp) - track.hip())
        ) > MAX_JUMP * track.height_px() * min(gap + track.misses, 3)
        if _accept(kp) and not jump:
            assert kp is not None
            track.frames.append(index)
            track.keypoints.append(kp)
            track.misses = 0
            return
        track.misses += gap
        track.lost_frames.append(index)
        if jump and track.tracker is not None:  # latched onto someone else: start afresh
            track.tracker.close()
            track.tracker = self.backend.tracker()
        if track.misses >= self.lose_after:
            self._finish(track)

    def _finish(self, track: Track) -> None:
        if track.tracker is not None:
            track.tracker.close()
            track.tracker = None
        track.lost_frames = [f for f in track.lost_frames if f <= track.frames[-1]]
        self.active.remove(track)
        self.finished.append(track)

    def _discover(self, index: int, rgb: np.ndarray) -> None:
        masked = rgb.copy()
        s = self.scale
        for track in self.active:
            if track.misses:
                continue  # a person being looked for may be found here again
            bx0, by0, bx1, by1 = _box(track.last * [s, s, 1.0])
            pad = 0.15 * (by1 - by0)
            masked[
                max(int(by0 - pad), 0) : max(int(by1 + pad), 0),
                max(int(bx0 - pad), 0) : max(int(bx1 + pad), 0),
            ] = 127
        tiles = _tiles(masked.shape)
        tx0, ty0, tx1, ty1 = tiles[self._tile % len(tiles)]
        self._tile += 1
        small, f = _shrink(masked[ty0:ty1, tx0:tx1], DETECT_MAX_PX)
        if self._detector is None:
            self._detector = self.backend.detector()
        raw = self._detector.estimate(small)
        if not _accept(raw):
            return
        assert raw is not None
        kp = raw.copy()
        kp[:, 0] = (raw[:, 0] / f + tx0) / s
        kp[:, 1] = (raw[:, 1] / f + ty0) / s
        hip = _hip(kp)
        for track in self.active:
            bx0, by0, bx1, by1 = _box(track.last)
            if bx0 <= hip[0] <= bx1 and by0 <= hip[1] <= by1:
                if track.misses:  # a person being looked for: found again, follow afresh
                    track.frames.append(index)
                    track.keypoints.append(kp)
                    track.misses = 0
                    if track.tracker is not None:
                        track.tracker.close()
                    track.tracker = self.backend.tracker()
                return  # the same person again
        track = Track(self._next_id, [index], [kp], tracker=self.backend.tracker(), shot=self._shot)
        self._next_id += 1
        self.active.append(track)

    def close(self) -> list[Track]:
        """Finish all tracks; return every track, merged where one person was re-found."""
        for track in list(self.active):
            self._finish(track)
        if self._detector is not None:
            self._detector.close()
            self._detector = None
        return merge_tracks(self.finished, gap_frames=round(1.0 * self.fps))


def merge_tracks(tracks: list[Track], gap_frames: int) -> list[Track]:
    """Join a track to one that ended shortly before, close by (the same person re-found)."""
    ordered = sorted(tracks, key=lambda t: t.frames[0])
    merged: list[Track] = []
    for track in ordered:
        for prev in merged:
            gap = track.frames[0] - prev.frames[-1]
            near = np.linalg.norm(_hip(track.keypoints[0]) - _hip(prev.keypoints[-1]))
            same_shot = track.shot == prev.shot
            if same_shot and 0 < gap <= gap_frames and near < 0.6 * _height(prev.keypoints[-1]):
                prev.lost_frames.extend(range(prev.frames[-1] + 1, track.frames[0]))
                prev.frames.extend(track.frames)
                prev.keypoints.extend(track.keypoints)
                prev.lost_frames.extend(track.lost_frames)
                break
        else:
            merged.append(track)
    for i, track in enumerate(merged):
        track.track_id = i
    return merged


def track_video(
    frames: Iterable[tuple[int, np.ndarray | None]],
    backend: PoseBackend,
    fps: float,
    scale: float,
    on_frame: Callable[[int], None] | None = None,
    camera: CameraMotion | None = None,
    shots: ShotDetector | None = None,
) -> list[Track]:
    """Run the multi-person tracker over ``(index, rgb or None)`` frames.

    With ``camera`` and ``shots``, every frame decoded is also fed to the camera
    motion and the cut detector (people's boxes masked out of the background);
    a cut restarts every track.
    """
    mpt = MultiPersonTracker(backend, fps=fps, scale=scale)
    mpt.camera = camera
    for index, rgb in frames:
        if rgb is not None:
            if camera is not None and shots is not None:
                distance = shots.distance(rgb)
                share = camera.feed(index, rgb, mpt.boxes())
                if shots.decide(index, distance, fps, share):
                    camera.restart(index)
                    mpt.cut(index)
            mpt.feed(index, rgb)
        if on_frame is not None:
            on_frame(index)
    if camera is not None:
        camera.estimate()
    return mpt.close()

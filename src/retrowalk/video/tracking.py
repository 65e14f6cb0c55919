"""Following several people through a video and choosing the one who walks.

MediaPipe Pose sees one person per image. To see several, each person found gets
their own tracker that works on a crop around where they were last seen, and a
detector looks for someone new every few frames on the frame with everybody
already tracked painted out. The detector runs only where something moves
that nobody followed explains (:mod:`retrowalk.video.motion`), with a slow
search of the whole frame in between. A track whose hip centre jumps further than a
person can move is treated as lost (the tracker latched onto someone else).
Choosing the walker among the tracks is in :mod:`retrowalk.video.walker`.

The pose of the people followed runs in a small thread pool (MediaPipe releases
the interpreter lock while its graph runs): each person's tracker on its own
thread, while the caller works on the same frame's camera motion and cut test.
The result is the same as with the trackers run one after the other.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from retrowalk.video.camera import CameraMotion, _compose, _invert
from retrowalk.video.motion import UnexplainedMotion
from retrowalk.video.pose import (
    LEFT_ANKLE,
    LEFT_HIP,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
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
IDLE_TRAVEL = 0.2  # hip travel over 1 s, in body heights, below which a person does not travel
IDLE_SWING = 0.2  # range of the feet's spread over 1 s, in body heights, of a person standing
IDLE_EVERY = 4  # people who do not walk are updated on every 4th processed frame
KNOWN_AFTER_S = 1.5  # how long a person is followed at the full rate before being judged
EARLY_LEAD_S = 0.5  # how long a newcomer is seen before their travel sets the pace of others
MIN_MOTION = 0.002  # share of a tile's pixels moving unexplained that calls for the detector
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


@dataclass
class _Pose:
    """A tracker's answer on a crop (a future while it runs) and where the crop lies."""

    raw: np.ndarray | Future[np.ndarray | None] | None
    x0: int
    y0: int
    f: float  # how much the crop was shrunk


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
        How often to look for someone new where something moves unexplained.
    search_every_s
        How often to look for someone new when nothing moves unexplained.
    pose_workers
        Threads that run the people's pose trackers; 1 runs them one after the
        other in :meth:`feed`.
    """

    def __init__(
        self,
        backend: PoseBackend,
        fps: float,
        scale: float = 1.0,
        max_people: int = 4,
        discover_every_s: float = 0.1,
        search_every_s: float = 1.0,
        pose_workers: int = 2,
    ) -> None:
        self.backend = backend
        self.fps = fps
        self.scale = scale
        self.max_people = max_people
        self.discover_every = max(1, round(discover_every_s * fps))
        self.search_every = max(1, round(search_every_s * fps))
        self.lose_after = max(1, round(1.0 * fps))
        self.active: list[Track] = []
        self.finished: list[Track] = []
        self._detector: PoseTracker | None = None
        self._next_id = 0
        self._last_frame = -1
        self._tile = 0
        self._n_fed = 0
        self._shot = 0
        self._sweep = 4  # detector calls due regardless of motion (start, after a cut)
        self._last_discovery = -(10**9)
        self.camera: CameraMotion | None = None
        self.motion = UnexplainedMotion()
        self._prev_index: int | None = None
        self.n_detector_calls = 0
        self.pose_workers = pose_workers
        self._pool = ThreadPoolExecutor(pose_workers) if pose_workers > 1 else None
        self._pending: tuple[int, list[tuple[Track, _Pose]]] | None = None
        self._started: int | None = None

    def _scene(self, index: int, xy: np.ndarray) -> np.ndarray:
        """A point (original pixels) of frame ``index`` in scene pixels (camera motion removed)."""
        if self.camera is None or index not in self.camera.transforms_:
            return xy
        m = self.camera.transforms_[index]
        fed = xy * self.scale
        return (m[:, :2] @ fed + m[:, 2]) / self.scale

    def cut(self, index: int) -> None:
        """A new shot starts at frame ``index``: everybody is looked for again."""
        self._collect(index)  # poses already started on this frame belong to the old shot
        for track in list(self.active):
            self._finish(track)
        self._shot += 1
        self._sweep = 4

    def boxes(self) -> list[tuple[float, float, float, float]]:
        """Boxes of the people being followed, in the pixels of the frames fed."""
        s = self.scale
        return [_box(t.last * [s, s, 1.0]) for t in self.active]

    def _motion(
        self, track: Track, known_after_s: float = KNOWN_AFTER_S
    ) -> tuple[float, float] | None:
        """Hip travel in the scene and range of the feet's spread over the last second.

        Both in body heights (travel per second); ``None`` for a person seen for
        less than ``known_after_s`` or missing now. A person seen for less than a
        second has their travel so far scaled to a second.
        """
        k = round(1.0 * self.fps)
        seen = track.frames[-1] - track.frames[0]
        if track.misses or seen < known_after_s * k:
            return None
        start = bisect.bisect_left(track.frames, track.frames[-1] - k)  # frames are in order
        recent = track.keypoints[start:]
        moved = float(
            np.linalg.norm(
                self._scene(track.frames[-1], _hip(recent[-1]))
                - self._scene(track.frames[start], _hip(recent[0]))
            )
        )
        if seen < k:
            moved *= k / max(seen, 1)
        # unsigned: the pose model swaps left and right feet now and then
        spread = [abs(kp[LEFT_ANKLE, 0] - kp[RIGHT_ANKLE, 0]) for kp in recent]
        height = _height(recent[-1])
        return moved / height, float(np.ptp(spread)) / height

    def _every(self) -> dict[int, int]:
        """How often each person is followed: on every frame fed or every ``IDLE_EVERY``-th.

        People who stay in place (hips still, feet not swinging), and people who
        travel less than half as far as the one who travels most (while someone
        travels), are followed at the lower rate: the walker is the one who
        travels most (:mod:`retrowalk.video.walker`). Only people followed for
        ``KNOWN_AFTER_S`` are judged; while none of them travels, someone seen
        for ``EARLY_LEAD_S`` who travels already sets the pace (a walker entering
        while others stand about), but is not judged before ``KNOWN_AFTER_S``.
        """
        motion = {t.track_id: self._motion(t) for t in self.active}
        lead = max((m[0] for m in motion.values() if m is not None), default=0.0)
        if lead < IDLE_TRAVEL:
            early = (
                self._motion(t, EARLY_LEAD_S) for t in self.active if motion[t.track_id] is None
            )
            lead = max([lead, *(m[0] for m in early if m is not None)])
        every = {}
        for i, m in motion.items():
            standing = m is not None and m[0] < IDLE_TRAVEL and m[1] < IDLE_SWING
            behind = m is not None and lead >= IDLE_TRAVEL and m[0] < 0.5 * lead
            every[i] = IDLE_EVERY if standing or behind else 1
        return every

    def start(self, index: int, rgb: np.ndarray) -> None:
        """Start the pose of the people due on this frame (in the pool, when there is one).

        :meth:`feed` of the same frame takes the results; :meth:`cut` drops them.
        """
        if self._started == index:
            return  # started already (or dropped by a cut on this frame)
        self._collect(None)
        self._started = index
        self._n_fed += 1
        every = self._every()
        due = [t for t in self.active if not self._n_fed % every[t.track_id]]
        # people who stay in place or do not walk are followed at a lower rate
        self._pending = (index, [(t, self._pose(t, rgb)) for t in due])

    def _pose(self, track: Track, rgb: np.ndarray) -> _Pose:
        """The tracker's keypoints on a crop around the person (started in the pool)."""
        s = self.scale
        x0, y0, x1, y1 = _crop_box(track.last * [s, s, 1.0], rgb.shape)
        if x1 - x0 <= 8 or y1 - y0 <= 8:
            return _Pose(None, x0, y0, 1.0)
        crop, f = _shrink(rgb[y0:y1, x0:x1], CROP_MAX_PX)
        tracker = track.tracker
        assert tracker is not None
        if self._pool is None:
            return _Pose(tracker.estimate(crop), x0, y0, f)
        return _Pose(self._pool.submit(tracker.estimate, crop), x0, y0, f)

    def _collect(self, index: int | None) -> list[tuple[Track, _Pose]]:
        """Wait for the poses started on frame ``index`` (any frame for ``None``)."""
        pending, self._pending = self._pending, None
        if pending is None:
            return []
        for _, pose in pending[1]:
            if isinstance(pose.raw, Future):
                pose.raw = pose.raw.result()
        return pending[1] if index is None or pending[0] == index else []

    def feed(self, index: int, rgb: np.ndarray) -> None:
        """Process one frame (``rgb`` already shrunk by ``scale``)."""
        self._last_frame = index
        self.start(index, rgb)
        for track, pose in self._collect(index):
            if track in self.active:
                self._update(track, index, pose, index - track.frames[-1])
        self.motion.detect(rgb, self._seen_boxes(), self._to_prev(index))
        self._prev_index = index
        if len(self.active) >= self.max_people:
            return
        since = index - self._last_discovery
        tiles = _tiles(rgb.shape)
        if self._sweep > 0 or since >= self.search_every:
            tile = tiles[self._tile % len(tiles)]  # look everywhere in turn
        elif since >= self.discover_every:
            moving = [t for t in tiles if self.motion.share(t) >= MIN_MOTION]
            if not moving:
                return
            tile = moving[self._tile % len(moving)]  # only where something moves unexplained
        else:
            return
        self._sweep = max(self._sweep - 1, 0)
        self._last_discovery = index
        self._tile += 1
        self._discover(index, rgb, tile)

    def _seen_boxes(self) -> list[tuple[float, float, float, float]]:
        """Boxes (pixels of the frames fed) of the people seen in the last frame."""
        s = self.scale
        return [_box(t.last * [s, s, 1.0]) for t in self.active if not t.misses]

    def _to_prev(self, index: int) -> np.ndarray | None:
        """The camera's motion from frame ``index`` to the previous frame fed (fed pixels)."""
        if self.camera is None or self._prev_index is None:
            return None
        cur = self.camera.transforms_.get(index)
        prev = self.camera.transforms_.get(self._prev_index)
        if cur is None or prev is None:
            return None
        return _compose(_invert(prev), cur)

    def _update(self, track: Track, index: int, pose: _Pose, gap: int) -> None:
        s = self.scale
        kp = None
        raw = pose.raw
        if raw is not None:
            assert isinstance(raw, np.ndarray)
            kp = raw.copy()
            kp[:, 0] = (raw[:, 0] / pose.f + pose.x0) / s
            kp[:, 1] = (raw[:, 1] / pose.f + pose.y0) / s
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

    def _discover(self, index: int, rgb: np.ndarray, tile: tuple[int, int, int, int]) -> None:
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
        tx0, ty0, tx1, ty1 = tile
        self.n_detector_calls += 1
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

    def stop(self) -> None:
        """Wait for the poses still running and stop the thread pool (idempotent)."""
        self._collect(None)
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def close(self) -> list[Track]:
        """Finish all tracks; return every track, merged where one person was re-found."""
        self.stop()
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
    pose_workers: int = 2,
) -> list[Track]:
    """Run the multi-person tracker over ``(index, rgb or None)`` frames.

    With ``camera`` and ``shots``, every frame decoded is also fed to the camera
    motion and the cut detector (people's boxes masked out of the background);
    a cut restarts every track. ``pose_workers`` threads run the people's pose
    trackers (:class:`MultiPersonTracker`).
    """
    mpt = MultiPersonTracker(backend, fps=fps, scale=scale, pose_workers=pose_workers)
    mpt.camera = camera
    try:
        for index, rgb in frames:
            if rgb is not None:
                if camera is not None and shots is not None:
                    mpt.start(index, rgb)  # the people's poses run while the camera is followed
                    distance = shots.distance(rgb)
                    share = camera.feed(index, rgb, mpt.boxes())
                    if shots.decide(index, distance, fps, share):
                        camera.restart(index)
                        mpt.cut(index)
                mpt.feed(index, rgb)
            if on_frame is not None:
                on_frame(index)
    except BaseException:
        mpt.stop()
        raise
    if camera is not None:
        camera.estimate()
    return mpt.close()

"""Recognising and decoding video files (OpenCV; no ffmpeg binary needed).

Decoding runs in a background thread so that it overlaps pose estimation.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Container signatures: ISO base media (mp4, mov, m4v, 3gp) has "ftyp" (or an
# early "moov"/"mdat"/"wide"/"free" atom in old QuickTime files) at byte 4;
# AVI is a RIFF file of type "AVI "; WebM/Matroska starts with the EBML magic.
_ISO_ATOMS = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
_EBML = b"\x1a\x45\xdf\xa3"

#: The names of the video files :func:`looks_like_video` recognises (what a folder
#: search of ``retrowalk batch`` takes as videos).
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv"})


def video_path(recording: object) -> str:
    """The video file of a recording (its ``source_path`` when it has one)."""
    return str(getattr(recording, "source_path", "") or getattr(recording, "path", ""))


def looks_like_video(head: bytes) -> bool:
    """True when the first bytes are those of an mp4/mov, AVI or WebM/MKV file."""
    if len(head) >= 8 and head[4:8] in _ISO_ATOMS:
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return True
    return head[:4] == _EBML


def is_video_file(path: Path) -> bool:
    """Sniff a file's first bytes for a video container."""
    try:
        if not path.is_file():
            return False
        with path.open("rb") as fh:
            return looks_like_video(fh.read(16))
    except OSError:
        return False


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video."""

    fps: float
    n_frames: int
    width: int
    height: int

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.fps


def probe(path: Path) -> VideoInfo:
    """Frame rate, frame count and size of a video.

    Raises
    ------
    ValueError
        If OpenCV cannot open the file or it has no frames.
    """
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise ValueError("the video cannot be opened (unknown codec or damaged file)")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        ok, frame = cap.read()
    finally:
        cap.release()
    if not ok or frame is None or w <= 0 or h <= 0:
        raise ValueError("the video has no readable frames")
    if not 1.0 <= fps <= 1000.0:
        fps = 30.0  # a few containers do not say; phones record at 30
    if n <= 0:
        n = _count_frames(path)
    return VideoInfo(fps=fps, n_frames=n, width=w, height=h)


def _count_frames(path: Path) -> int:
    import cv2

    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.grab():
        n += 1
    cap.release()
    return n


def work_scale(info: VideoInfo, max_side: int) -> float:
    """The factor frames are shrunk by so the long side is at most ``max_side``."""
    return min(1.0, max_side / max(info.width, info.height))


def shrink(frame: np.ndarray, scale: float) -> np.ndarray:
    """A frame shrunk by ``scale`` (< 1) to ``round(w * scale) x round(h * scale)``.

    Pixel-area averaging (no aliasing) is cheap when the sides shrink by a
    whole factor and several times dearer otherwise (a 1768 px wide frame to
    960 px: about 9 ms against 1 ms on one core). So the frame is averaged down
    by the largest whole factor that keeps it at least as large as the target
    (the odd pixel at the right and bottom cropped), and the rest of the way,
    less than 2x, is interpolated linearly (at such a step every pixel still
    counts).
    """
    import cv2

    h, w = frame.shape[:2]
    size = (max(round(w * scale), 1), max(round(h * scale), 1))
    k = min(w // size[0], h // size[1])
    if k >= 2:
        frame = cv2.resize(
            frame[: h - h % k, : w - w % k], (w // k, h // k), interpolation=cv2.INTER_AREA
        )
        if (w // k, h // k) == size:
            return frame
    return cv2.resize(frame, size, interpolation=cv2.INTER_LINEAR)


def iter_frames(
    path: Path, scale: float, stride: int = 1, max_queue: int = 16
) -> Iterator[tuple[int, np.ndarray | None]]:
    """Yield ``(index, rgb)`` for every frame; ``rgb`` is ``None`` on skipped frames.

    Frames are decoded and shrunk by ``scale`` in a background thread; only every
    ``stride``-th frame is converted (the others are only grabbed).
    """
    import cv2

    q: queue.Queue[tuple[int, np.ndarray | None] | None] = queue.Queue(max_queue)
    stop = threading.Event()

    def produce() -> None:
        cap = cv2.VideoCapture(str(path))
        i = 0
        try:
            while not stop.is_set():
                if i % stride == 0:
                    ok, frame = cap.read()
                    if not ok:
                        break
                    if scale < 1.0:
                        frame = shrink(frame, scale)
                    q.put((i, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)))
                else:
                    if not cap.grab():
                        break
                    q.put((i, None))
                i += 1
        finally:
            cap.release()
            q.put(None)

    thread = threading.Thread(target=produce, name="retrowalk-video-decode", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is None:
                break
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(0.05)

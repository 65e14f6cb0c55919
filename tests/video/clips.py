"""Derived clips made from a real video with OpenCV: simulated pans, cuts, dropped frames.

Each function takes the frames of the original (BGR, as ``cv2.VideoCapture``
reads them) and returns new frames; :func:`write_clip` stores them as mp4. The
walker's path (her hip's x per frame, from the analysis of the original) steers
the simulated camera.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def analyse(path: Path, **kw: Any) -> Any:
    """The video analysis of one file (pose model included)."""
    from retrowalk.video.analysis import analyze_video, read_video

    return analyze_video(read_video(path), None, **kw)


def read_frames(path: Path) -> tuple[list[np.ndarray], float]:
    """All frames of a video (BGR) and its frame rate."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    fps = float(cap.get(cv2.CAP_PROP_FPS))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames, fps


def write_clip(frames: list[np.ndarray], fps: float, path: Path) -> Path:
    """Write frames (all the same size) as an mp4 file."""
    import cv2

    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for frame in frames:
        out.write(frame)
    out.release()
    return path


def fill_path(x: np.ndarray) -> np.ndarray:
    """A per-frame path with its gaps filled (held at the ends, linear inside)."""
    idx = np.arange(len(x))
    ok = np.isfinite(x)
    return np.interp(idx, idx[ok], x[ok])


def pan(
    frames: list[np.ndarray], walker_x: np.ndarray, width: int, lead_px: float = 0.0
) -> list[np.ndarray]:
    """A camera that turns to follow the walker: a crop window moving with her.

    The window's centre is the walker's (smoothed) x plus ``lead_px`` times a
    ramp from 0 to 1 over the clip; a negative ``lead_px`` for a walker moving
    left makes the camera over-pan (she drifts backwards in the image). The
    window stays inside the frame (the camera stops at the ends of its turn).
    """
    full_w = frames[0].shape[1]
    x = fill_path(walker_x)
    kernel = np.ones(15) / 15
    x = np.convolve(np.pad(x, 7, mode="edge"), kernel, mode="valid")
    ramp = np.linspace(0.0, 1.0, len(frames))
    centre = np.clip(x + lead_px * ramp, width / 2, full_w - width / 2)
    left = np.round(centre - width / 2).astype(int)
    return [f[:, x0 : x0 + width] for f, x0 in zip(frames, left, strict=True)]


def splice(frames: list[np.ndarray], at: int, zoom: float = 1.25) -> list[np.ndarray]:
    """Two shots: the original up to ``at``, then a mirrored, zoomed-in view.

    The second shot shows the same walk from the other side of the path
    (mirrored) and closer (a crop enlarged by ``zoom``, centred across, down to the
    bottom edge so the feet stay in view), as after a cut
    to a second camera.
    """
    import cv2

    h, w = frames[0].shape[:2]
    ch, cw = round(h / zoom), round(w / zoom)
    y0, x0 = h - ch, (w - cw) // 2  # the feet stay in view
    second = [
        cv2.resize(
            cv2.flip(f[y0 : y0 + ch, x0 : x0 + cw], 1), (w, h), interpolation=cv2.INTER_LINEAR
        )
        for f in frames[at:]
    ]
    return list(frames[:at]) + second


def resize(frames: list[np.ndarray], size: tuple[int, int]) -> list[np.ndarray]:
    """Every frame resized to ``size`` (width, height), as a copy at another resolution."""
    import cv2

    return [cv2.resize(f, size, interpolation=cv2.INTER_CUBIC) for f in frames]


def drop(frames: list[np.ndarray], seed: int = 0, share: float = 0.15) -> list[np.ndarray]:
    """Frames dropped at random (``share`` of them), as by a phone under load."""
    rng = np.random.default_rng(seed)
    keep = rng.random(len(frames)) >= share
    keep[0] = True
    return [f for f, k in zip(frames, keep, strict=True) if k]

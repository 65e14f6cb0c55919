"""The annotated video: skeleton, step marks, direction and form cues.

Written as a small animated GIF (for reports and the app) or an MP4 (OpenCV
``mp4v``); the other people in the frame are drawn as grey boxes.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from retrowalk.video.pose import SKELETON
from retrowalk.video.source import iter_frames, probe, video_path

COLOURS = {"forward": (70, 130, 220), "backward": (230, 120, 30), "uncertain": (150, 150, 150)}


def _frame_labels(analysis: object, n: int, fps: float) -> list[str | None]:
    labels: list[str | None] = [None] * n
    for bout in analysis.bouts:  # type: ignore[attr-defined]
        a, b = int(bout.start_s * fps), min(int(bout.end_s * fps) + 1, n)
        for i in range(max(a, 0), b):
            labels[i] = bout.direction
    return labels


def draw(rgb: np.ndarray, index: int, analysis: object, scale: float, label: str | None) -> None:
    """Draw the walker, the steps so far and the direction on one frame (in place)."""
    import cv2

    fps = analysis.recording.sampling_rate_hz  # type: ignore[attr-defined]
    for other in analysis.others:  # type: ignore[attr-defined]
        kp = other[index]
        if np.isfinite(kp[:, 0]).any():
            pts = kp[np.isfinite(kp[:, 0]), :2] * scale
            x0, y0 = pts.min(axis=0).astype(int)
            x1, y1 = pts.max(axis=0).astype(int)
            cv2.rectangle(rgb, (x0, y0), (x1, y1), (160, 160, 160), 1)
    kp = analysis.keypoints  # type: ignore[attr-defined]
    colour = COLOURS.get(label or "uncertain", (150, 150, 150))
    if kp is not None and np.isfinite(kp[index, :, 0]).all():
        p = kp[index, :, :2] * scale
        for a, b in SKELETON:
            cv2.line(rgb, tuple(p[a].astype(int)), tuple(p[b].astype(int)), colour, 2)
    for c in analysis.contacts:  # type: ignore[attr-defined]
        if c.frame <= index and kp is not None:
            i = round(c.frame)
            foot = (29, 31) if c.side == "left" else (30, 32)
            pos = np.nanmean(kp[i, list(foot), :2], axis=0) * scale
            if np.isfinite(pos).all():
                fresh = index - c.frame < 0.3 * fps
                cv2.circle(rgb, tuple(pos.astype(int)), 7 if fresh else 4, (240, 40, 40), -1)
    n_steps = sum(c.frame <= index for c in analysis.contacts)  # type: ignore[attr-defined]
    text = f"{label or 'not walking'}  steps: {n_steps}"
    cv2.rectangle(rgb, (0, 0), (rgb.shape[1], 26), (255, 255, 255), -1)
    cv2.putText(rgb, text, (6, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.6, colour, 2)


def render_gif(analysis: object, width: int = 360, fps_out: float = 6.0) -> bytes:
    """The annotated video as GIF bytes (``width`` px wide, about ``fps_out`` frames/s)."""
    from PIL import Image

    path = Path(video_path(analysis.recording))  # type: ignore[attr-defined]
    info = getattr(analysis.recording, "video", None) or probe(path)  # type: ignore[attr-defined]
    scale = width / info.width
    stride = max(1, round(info.fps / fps_out))
    labels = _frame_labels(analysis, info.n_frames, info.fps)
    images = []
    for index, rgb in iter_frames(path, scale, stride):
        if rgb is None or index >= len(labels):
            continue
        frame = rgb.copy()
        draw(frame, index, analysis, scale, labels[index])
        images.append(Image.fromarray(frame).quantize(colors=64))
    buf = io.BytesIO()
    if images:
        images[0].save(
            buf,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=round(1000 * stride / info.fps),
            loop=0,
        )
    return buf.getvalue()


def write_annotated(analysis: object, out: Path) -> Path:
    """Write the annotated video: ``.gif`` (small) or ``.mp4`` (full frame rate)."""
    out = Path(out)
    if out.suffix.lower() == ".gif":
        out.write_bytes(render_gif(analysis))
        return out
    import cv2

    path = Path(video_path(analysis.recording))  # type: ignore[attr-defined]
    info = getattr(analysis.recording, "video", None) or probe(path)  # type: ignore[attr-defined]
    scale = min(1.0, 960 / max(info.width, info.height))
    labels = _frame_labels(analysis, info.n_frames, info.fps)
    size = (round(info.width * scale), round(info.height * scale))
    fourcc = cv2.VideoWriter_fourcc(*"mp4v")  # type: ignore[attr-defined]
    writer = cv2.VideoWriter(str(out), fourcc, info.fps, size)
    try:
        for index, rgb in iter_frames(path, scale, 1):
            if rgb is None or index >= len(labels):
                continue
            frame = rgb.copy()
            draw(frame, index, analysis, scale, labels[index])
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    return out

"""Frames per second of the video analysis, against real time (30 frames/s).

Runs the full pipeline (decode, multi-person pose tracking, gait) on the shared
Sports2D demo video at its own resolution (1768x994) and on a 1920x1080 copy made
on the fly with OpenCV. Usage: ``python benchmarks/video_speed.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

VIDEO = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "video" / "sports2d-demo.mp4"
)


def upscale_1080p(src: Path, dst: Path) -> None:
    """Write a 1920x1080 copy of ``src``."""
    import cv2

    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    out = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (1920, 1080))
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        out.write(cv2.resize(frame, (1920, 1080), interpolation=cv2.INTER_CUBIC))
    out.release()
    cap.release()


def measure(path: Path) -> tuple[float, int]:
    """Frames per second of read + analyse, and the number of frames."""
    from retrowalk.analysis import analyze
    from retrowalk.io import read_recording

    start = time.perf_counter()
    analysis = analyze(read_recording(path))
    elapsed = time.perf_counter() - start
    return analysis.recording.n_samples / elapsed, analysis.recording.n_samples


def main() -> None:
    if not VIDEO.exists():
        sys.exit(f"missing {VIDEO}")
    import mediapipe  # noqa: F401  (import time is not part of the measurement)

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "sports2d-1080p.mp4"
        upscale_1080p(VIDEO, big)
        for name, path in (("1768x994 (original)", VIDEO), ("1920x1080 (upscaled)", big)):
            fps, n = measure(path)
            print(f"{name}: {n} frames, {fps:.1f} frames/s = {fps / 30:.2f} x real time (30 fps)")


if __name__ == "__main__":
    main()

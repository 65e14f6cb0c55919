"""Frames per second of the video analysis, against real time (the video's own rate).

Runs the full pipeline (decode, camera motion and cut detection, multi-person
pose tracking, gait) on the shared Sports2D demo video at its own resolution
(1768x994) and on a 1920x1080 copy made on the fly with OpenCV, and prints the
share of real time with the number of CPUs and the load average, since other
work on a shared machine slows the figure down.

Each case is measured side by side, alternating, with the people's pose
trackers run one after the other (``pose_workers=1``, as before they ran in a
thread pool) and in two threads beside the camera-motion work
(``pose_workers=2``, the default); both give the same analysis. Usage::

    python benchmarks/video_speed.py [--only-1080p] [--repeats N]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from _data import data_root


def upscale_1080p(src: Path, dst: Path) -> None:
    """Write a 1920x1080 copy of ``src``."""
    import cv2

    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    out = cv2.VideoWriter(str(dst), cv2.VideoWriter.fourcc(*"mp4v"), fps, (1920, 1080))
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        out.write(cv2.resize(frame, (1920, 1080), interpolation=cv2.INTER_CUBIC))
    out.release()
    cap.release()


def measure(path: Path, pose_workers: int = 2) -> tuple[float, int, float, float, float]:
    """``(frames analysed per second, frames, video fps, CPU s per video s, pose rate in Hz)``.

    CPU time is that of the whole process (the decoding thread and the pose
    model's threads included); it is less sensitive to other work on the
    machine than the wall-clock rate.
    """
    from retrowalk.video.analysis import analyze_video, read_video

    start, cpu0 = time.perf_counter(), time.process_time()
    recording = read_video(path)
    analysis = analyze_video(recording, pose_workers=pose_workers)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu0
    n = recording.n_samples
    fps = recording.sampling_rate_hz
    pose_rate_hz = float(analysis.video["pose_rate_hz"])
    del analysis
    return n / elapsed, n, fps, cpu / (n / fps), pose_rate_hz


def main() -> None:
    video = data_root() / "video" / "sports2d-demo.mp4"
    if not video.exists():
        sys.exit(f"missing {video}")
    import mediapipe  # noqa: F401  (import time is not part of the measurement)

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "sports2d-1080p.mp4"
        upscale_1080p(video, big)
        cases = [("1920x1080 (upscaled)", big)]
        if "--only-1080p" not in sys.argv:
            cases.insert(0, ("1768x994 (original)", video))
        repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 2
        for name, path in cases:
            for _ in range(repeats):
                for workers in (1, 2):
                    load = os.getloadavg()[0]
                    rate, n, fps, cpu_per_s, pose_hz = measure(path, workers)
                    print(
                        f"{name}, pose_workers={workers}: {n} frames, {rate:.1f} frames/s = "
                        f"{rate / fps:.2f} x real time ({fps:g} fps, pose at {pose_hz:g} Hz); "
                        f"{cpu_per_s:.2f} CPU s per video s; {os.cpu_count()} CPUs, "
                        f"load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end",
                        flush=True,
                    )


if __name__ == "__main__":
    main()

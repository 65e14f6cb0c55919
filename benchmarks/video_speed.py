"""Frames per second of the video analysis, against real time (the video's own rate).

Runs the full pipeline (decode, camera motion and cut detection, multi-person
pose tracking, gait) on the shared Sports2D demo video at its own resolution
(1768x994) and on a 1920x1080 copy made on the fly with OpenCV, and prints the
share of real time, the CPU seconds per second of video, the number of CPUs and
the load average, since other work on a shared machine slows the figures down,
and the processor, since the pose model's cost per call depends on it far more
than on the image size.

Each measurement runs in a fresh Python process (the import of the pose model
is not part of it). The variants are measured side by side, alternating, in
one run:

- ``pose_workers=1``: the people's pose trackers one after the other;
- ``pose_workers=2`` (the default): in two threads beside the camera-motion work;
- with ``--baseline-src DIR``: also the analysis of another source tree (for
  example an older commit unpacked with ``git archive``), for before/after.

Usage::

    python benchmarks/video_speed.py [--only-1080p] [--repeats N] [--baseline-src DIR]
"""

from __future__ import annotations

import json
import os
import subprocess
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


def measure(path: Path, pose_workers: int | None = 2) -> dict[str, float]:
    """Time one analysis of ``path`` in this process.

    Returns frames, video fps, frames analysed per second, CPU seconds per
    video second and the pose rate. CPU time is that of the whole process (the
    decoding thread and the pose model's threads included); it is less
    sensitive to other work on the machine than the wall-clock rate.
    ``pose_workers=None`` calls the analysis without that argument (a source
    tree from before it existed).
    """
    import mediapipe  # noqa: F401  (import time is not part of the measurement)

    from retrowalk.video.analysis import analyze_video, read_video

    start, cpu0 = time.perf_counter(), time.process_time()
    recording = read_video(path)
    if pose_workers is None:
        analysis = analyze_video(recording)
    else:
        analysis = analyze_video(recording, pose_workers=pose_workers)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu0
    n, fps = recording.n_samples, recording.sampling_rate_hz
    return {
        "frames": n,
        "fps": fps,
        "rate": n / elapsed,
        "cpu_per_s": cpu / (n / fps),
        "pose_hz": float(analysis.video["pose_rate_hz"]),
        "steps": len(analysis.steps),
    }


def measure_in_child(path: Path, src: Path, pose_workers: int | None) -> dict[str, float]:
    """:func:`measure` in a fresh process importing retrowalk from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src), "GLOG_minloglevel": "2"}
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); from video_speed import measure; "
        "w = None if sys.argv[3] == 'none' else int(sys.argv[3]); "
        "print('RESULT' + json.dumps(measure(__import__('pathlib').Path(sys.argv[2]), w)))"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(Path(__file__).parent),
            str(path),
            "none" if pose_workers is None else str(pose_workers),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT"))
    return dict(json.loads(line[len("RESULT") :]))


def processor() -> str:
    """The processor's name and its widest vector units (``/proc/cpuinfo``, else ``platform``)."""
    import platform

    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    lines = dict(
        (k.strip(), v.strip()) for k, _, v in (x.partition(":") for x in info.splitlines()) if v
    )
    flags = set(lines.get("flags", "").split())
    widest = ("avx512f", "avx2", "avx", "sse4_2", "asimd", "neon")
    simd = next((f for f in widest if f in flags), "")
    name = lines.get("model name", platform.processor() or platform.machine())
    return f"{name}{f' ({simd})' if simd else ''}"


def main() -> None:
    video = data_root() / "video" / "sports2d-demo.mp4"
    if not video.exists():
        sys.exit(f"missing {video}")
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 2
    here = Path(__file__).resolve().parents[1] / "src"
    variants: list[tuple[str, Path, int | None]] = [
        ("pose_workers=1", here, 1),
        ("pose_workers=2", here, 2),
    ]
    if "--baseline-src" in sys.argv:
        baseline = Path(sys.argv[sys.argv.index("--baseline-src") + 1]).resolve()
        variants.insert(0, (f"baseline {baseline.name}", baseline, None))
    print(f"processor: {processor()}, {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "sports2d-1080p.mp4"
        upscale_1080p(video, big)
        cases = [("1920x1080 (upscaled)", big)]
        if "--only-1080p" not in sys.argv:
            cases.insert(0, ("1768x994 (original)", video))
        for name, path in cases:
            for _ in range(repeats):
                for label, src, workers in variants:
                    load = os.getloadavg()[0]
                    r = measure_in_child(path, src, workers)
                    print(
                        f"{name}, {label}: {r['frames']:.0f} frames, {r['rate']:.1f} frames/s = "
                        f"{r['rate'] / r['fps']:.2f} x real time ({r['fps']:g} fps, pose at "
                        f"{r['pose_hz']:g} Hz, {r['steps']:.0f} steps); "
                        f"{r['cpu_per_s']:.2f} CPU s per video s; {os.cpu_count()} CPUs, "
                        f"load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end",
                        flush=True,
                    )


if __name__ == "__main__":
    main()

"""Video in, :class:`~retrowalk.core.results.Analysis` (placement ``"video"``) out.

:class:`VideoPipeline` is the pipeline that :mod:`retrowalk.video` registers
for recordings of format ``"video"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np

from retrowalk.core.algorithm import Algorithm
from retrowalk.core.errors import AnalysisError
from retrowalk.core.recording import Recording, UnitDecision
from retrowalk.core.results import Analysis, Bout, Step
from retrowalk.core.types import Direction, Placement
from retrowalk.pipeline.options import AnalysisOptions, resolve_assumptions
from retrowalk.pipeline.registry import PlacementDecision
from retrowalk.video.annotate import render_gif
from retrowalk.video.camera import CameraMotion
from retrowalk.video.gait import Contact
from retrowalk.video.options import VideoOptions
from retrowalk.video.pose import PoseBackend, default_backend
from retrowalk.video.shots import ShotDetector
from retrowalk.video.source import VideoInfo, iter_frames, probe, video_path, work_scale
from retrowalk.video.tracking import track_video
from retrowalk.video.walk import analyse_walk

WORK_MAX_SIDE = 960  # frames are shrunk to this long side before pose estimation
POSE_RATE_HZ = 15.0  # pose is estimated at about this rate; frames between are interpolated


@dataclass(frozen=True)
class VideoRecording(Recording):
    """A video file seen as a recording: one (empty) sample per frame.

    ``acc_mps2`` holds zeros so that the Recording API (duration, time base) works;
    the content is in the frames, read again by :func:`analyze_video`.
    """

    video: VideoInfo | None = None
    source_path: str = ""  # the file itself (``path`` may be replaced by a display name)


def read_video(path: Path) -> VideoRecording:
    """Probe a video file (no pose estimation yet)."""
    info = probe(path)
    return VideoRecording(
        acc_mps2=np.zeros((info.n_frames, 3)),
        gyro_rads=None,
        sampling_rate_hz=info.fps,
        path=str(path),
        format="video",
        placement=Placement.VIDEO,
        units={"video": UnitDecision("frames", "file", f"{info.width}x{info.height}")},
        notes=(f"video {info.width}x{info.height} at {info.fps:g} frames/s",),
        source_rate_hz=info.fps,
        video=info,
        source_path=str(path),
    )


@dataclass
class VideoAnalysis(Analysis):
    """An analysis of a video, with what is needed to draw the annotated video."""

    video: dict[str, Any] = field(default_factory=dict)
    keypoints: np.ndarray | None = None
    others: list[np.ndarray] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    annotated_gif: bytes | None = None

    def __post_init__(self) -> None:
        self.sections["video"] = self.video  # the contract's "video" block

    def report_media(self) -> dict[str, str]:
        """The annotated GIF as a data URI, for the self-contained report."""
        import base64

        if self.annotated_gif is None:
            self.annotated_gif = render_gif(self)
        if not self.annotated_gif:
            return {}
        return {
            "annotated_gif": "data:image/gif;base64,"
            + base64.b64encode(self.annotated_gif).decode("ascii")
        }


def analyze_video(
    recording: Recording,
    options: AnalysisOptions | None = None,
    *,
    backend: PoseBackend | None = None,
    on_frame: Callable[[int, int], None] | None = None,
    video_options: VideoOptions | None = None,
    pose_workers: int = 2,
) -> VideoAnalysis:
    """Find the walker, their steps and bouts, and check backward-walking form.

    Parameters
    ----------
    recording
        A :class:`VideoRecording` from :func:`read_video` (or ``read_recording``).
    options
        Height (for metres; leg lengths otherwise), weight, age.
    backend
        The pose model (MediaPipe by default).
    on_frame
        Called with ``(frame index, number of frames)`` as frames are processed.
    video_options
        Floor marks at a known distance (for metres), child proportions.
    pose_workers
        Threads that run the people's pose trackers side by side (1: one after
        the other); the result is the same, only the time differs.
    """
    options = options or AnalysisOptions(placement="video")
    source = Path(video_path(recording))
    info = getattr(recording, "video", None) or probe(source)
    if video_options is not None and video_options.floor_points_px is not None:
        for x, y in video_options.floor_points_px:
            if not (0 <= x <= info.width and 0 <= y <= info.height):
                raise AnalysisError(
                    f"floor marks: ({x:g}, {y:g}) lies outside the {info.width}x{info.height} frame"
                )
    backend = backend or default_backend()
    fps = info.fps
    scale = work_scale(info, WORK_MAX_SIDE)
    stride = max(1, round(fps / POSE_RATE_HZ))
    camera, shots = CameraMotion(), ShotDetector()
    tracks = track_video(
        iter_frames(source, scale, stride),
        backend,
        fps,
        scale,
        None if on_frame is None else (lambda i: on_frame(i, info.n_frames)),
        camera=camera,
        shots=shots,
        pose_workers=pose_workers,
    )
    assumptions = resolve_assumptions(options)
    shot_starts = [0, *shots.cuts_]
    walk = analyse_walk(
        tracks,
        camera.dense(info.n_frames, scale, shot_starts),
        shots.cuts_,
        fps,
        info.n_frames,
        stride,
        (info.width, info.height),
        height_m=options.height_m,
        age_years=options.age_years,
        options=video_options,
        background_share=camera.tracked_share_,
        moving_shots={i for i, f in enumerate(shot_starts) if f not in camera.static_shots_},
    )
    assumptions["scale"] = walk.video["speed_unit"]
    video: dict[str, Any] = {
        "pose_backend": backend.name,
        "frame_size": [info.width, info.height],
        "fps": fps,
        "pose_rate_hz": round(fps / stride, 2),
        "contact_timing": f"sub-frame, interpolated between poses at {fps / stride:.4g} Hz",
        "people_seen": len(tracks),
        "camera": camera.summary(fps, scale),
        **walk.video,
    }
    bouts = [
        Bout(
            b["start_s"],
            b["end_s"],
            Direction(b["direction"]),
            b["direction_confidence"],
            b["n_steps"],
            b["cadence_spm"],
            speed_mps=b["speed_mps"],
            distance_m=b["distance_m"],
            step_length_m=b["step_length_m"],
            extra=b["extra"],
        )
        for b in walk.bouts
    ]
    steps = [
        Step(
            x["time_s"],
            x["bout"],
            Direction(x["direction"]),
            side="left" if x["side"] == "left" else "right",
            length_m=x["length_m"],
        )
        for x in walk.steps
    ]
    notes = list(walk.notes)
    if len(tracks) > 1:
        notes.append(f"{len(tracks)} people were seen; only the one who walked was analysed")
    return VideoAnalysis(
        recording,
        "video",
        1.0,
        assumptions,
        bouts,
        steps,
        notes,
        video=video,
        keypoints=walk.keypoints,
        others=walk.others,
        contacts=walk.contacts,
    )


class VideoPipeline(Algorithm):
    """The pipeline of video recordings (registered for format ``"video"``).

    Parameters
    ----------
    backend
        The pose model; ``None`` uses MediaPipe (:func:`~retrowalk.video.pose.default_backend`).
    video_options
        Floor marks at a known distance, child proportions
        (:class:`~retrowalk.video.options.VideoOptions`).

    Attributes
    ----------
    analysis_
        The :class:`VideoAnalysis`.
    """

    action_method = "analyze"

    def __init__(
        self, *, backend: PoseBackend | None = None, video_options: VideoOptions | None = None
    ) -> None:
        self.backend = backend
        self.video_options = video_options

    def analyze(
        self, recording: Recording, options: AnalysisOptions, placement: PlacementDecision
    ) -> Self:
        """Analyse one video (``placement`` is the camera's, always ``"video"``).

        Parameters
        ----------
        recording
            A :class:`VideoRecording`.
        options
            Height (for metres), weight, age.
        placement
            Not used: a video has no sensor placement to decide.
        """
        self.analysis_: Analysis = analyze_video(
            recording, options, backend=self.backend, video_options=self.video_options
        )
        return self

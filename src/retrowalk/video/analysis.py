"""Video in, :class:`~retrowalk.analysis.Analysis` (placement ``"video"``) out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from retrowalk.analysis import Analysis, AnalysisOptions, Bout, Step, resolve_assumptions
from retrowalk.recording import Recording, UnitDecision
from retrowalk.video.form import form_cues
from retrowalk.video.gait import Contact, find_contacts, group_bouts, scale_m_per_leg
from retrowalk.video.pose import PoseBackend, default_backend
from retrowalk.video.source import VideoInfo, iter_frames, probe, work_scale
from retrowalk.video.tracking import choose_walker, dense_keypoints, track_video

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


def video_path(recording: Recording) -> str:
    """The video file of a recording (its ``source_path`` when it has one)."""
    return getattr(recording, "source_path", "") or recording.path


def read_video(path: Path) -> VideoRecording:
    """Probe a video file (no pose estimation yet)."""
    info = probe(path)
    return VideoRecording(
        acc_mps2=np.zeros((info.n_frames, 3)),
        gyro_rads=None,
        sampling_rate_hz=info.fps,
        path=str(path),
        format="video",
        placement="video",
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

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["video"] = self.video
        return out

    def report_media(self) -> dict[str, str]:
        """The annotated GIF as a data URI, for the self-contained report."""
        import base64

        if self.annotated_gif is None:
            from retrowalk.video.annotate import render_gif

            self.annotated_gif = render_gif(self)
        if not self.annotated_gif:
            return {}
        return {
            "annotated_gif": "data:image/gif;base64,"
            + base64.b64encode(self.annotated_gif).decode("ascii")
        }


def _intervals(frames: np.ndarray, fps: float) -> list[dict[str, float]]:
    if not len(frames):
        return []
    breaks = np.flatnonzero(np.diff(frames) > 1)
    starts = np.r_[frames[0], frames[breaks + 1]]
    ends = np.r_[frames[breaks], frames[-1]]
    return [
        {"start_s": round(a / fps, 3), "end_s": round((b + 1) / fps, 3)}
        for a, b in zip(starts, ends, strict=True)
    ]


def analyze_video(
    recording: Recording,
    options: AnalysisOptions | None = None,
    *,
    backend: PoseBackend | None = None,
    on_frame: Callable[[int, int], None] | None = None,
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
    """
    options = options or AnalysisOptions(placement="video")
    source = Path(video_path(recording))
    info = getattr(recording, "video", None) or probe(source)
    backend = backend or default_backend()
    fps = info.fps
    scale = work_scale(info, WORK_MAX_SIDE)
    stride = max(1, round(fps / POSE_RATE_HZ))
    tracks = track_video(
        iter_frames(source, scale, stride),
        backend,
        fps,
        scale,
        None if on_frame is None else (lambda i: on_frame(i, info.n_frames)),
    )
    dense = [dense_keypoints(t, info.n_frames, stride) for t in tracks]
    walker, reason = choose_walker(dense, fps)
    assumptions = resolve_assumptions(options)
    notes: list[str] = []
    video: dict[str, Any] = {
        "pose_backend": backend.name,
        "frame_size": [info.width, info.height],
        "fps": fps,
        "pose_rate_hz": round(fps / stride, 2),
        "people_seen": len(tracks),
        "walker": None,
        "form": [],
    }
    if walker is None:
        notes.append("nobody was found in the video")
        return VideoAnalysis(recording, "video", 1.0, assumptions, [], [], notes, video=video)
    kp = dense[walker]
    contacts = find_contacts(kp, fps)
    vbouts = group_bouts(contacts, fps)
    m_per_leg = scale_m_per_leg(assumptions["height_m"])
    assumptions["scale"] = (
        "leg length from the stated height"
        if assumptions["height_source"] == "given"
        else "leg length from the default height; give the height for metres you can trust"
    )
    bouts: list[Bout] = []
    steps: list[Step] = []
    forward = [c for b in vbouts if b.direction == "forward" for c in b.contacts]
    for i, vb in enumerate(vbouts):
        cs = vb.contacts
        t0, t1 = cs[0].frame / fps, cs[-1].frame / fps
        lengths = [c.length_leg * m_per_leg for c in cs[1:]]
        distance = float(np.nansum(lengths))
        duration = max(t1 - t0, 1e-9)
        cadence = 60.0 * (len(cs) - 1) / duration
        step_len = float(np.nanmean(lengths)) if lengths else None
        extra = {
            "step_length_leg": round(float(np.nanmedian([c.length_leg for c in cs])), 3),
            "travel": "right" if cs[0].travel > 0 else "left",
        }
        bouts.append(
            Bout(
                t0,
                t1,
                vb.direction,  # type: ignore[arg-type]
                vb.confidence,
                len(cs),
                cadence,
                speed_mps=distance / duration,
                distance_m=distance,
                step_length_m=step_len,
                extra=extra,
            )
        )
        for j, c in enumerate(cs):
            steps.append(
                Step(
                    c.frame / fps,
                    i,
                    vb.direction,  # type: ignore[arg-type]
                    side=c.side,  # type: ignore[arg-type]
                    length_m=None if j == 0 else c.length_leg * m_per_leg,
                )
            )
        if vb.direction == "backward":
            video["form"].append({"bout": i, "cues": form_cues(kp, cs, forward, fps)})
    seen = np.flatnonzero(np.isfinite(kp[:, 23, 0]))
    span = np.arange(seen[0], seen[-1] + 1) if len(seen) else np.array([], dtype=int)
    lost = np.setdiff1d(span, seen)
    video["walker"] = {
        "why": reason,
        "seen": _intervals(seen, fps),
        "tracking_lost": _intervals(lost, fps),
    }
    if len(tracks) > 1:
        notes.append(
            f"{len(tracks)} people were seen; only the one who walked was analysed ({reason})"
        )
    if len(lost):
        notes.append(f"the walker was lost for {len(lost) / fps:.1f} s (see video.tracking_lost)")
    return VideoAnalysis(
        recording,
        "video",
        1.0,
        assumptions,
        bouts,
        steps,
        notes,
        video=video,
        keypoints=kp,
        others=[d for k, d in enumerate(dense) if k != walker],
        contacts=[c for vb in vbouts for c in vb.contacts],
    )

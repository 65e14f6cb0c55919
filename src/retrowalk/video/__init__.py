"""Backward-walking analysis from a phone video (extra ``retrowalk[video]``).

``retrowalk analyze VIDEO`` finds the person who walks, follows them, counts
their steps, tells forward from backward walking (the body's facing against the
hips' travel) and checks backward-walking form against the common tips.

Importing this package registers video as a source of recordings
(:mod:`retrowalk.io.registry`) and its pipeline for them
(:mod:`retrowalk.pipeline.registry`); nothing below it imports it. Only the
registration is imported here: the video analysis modules load when a video
is read or analysed (:func:`retrowalk.pipeline.registry.register_pipeline_maker`),
the pose model and OpenCV when a video is decoded, so registering video costs
the start-up of ``retrowalk analyze`` nothing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from retrowalk.core.errors import ExtraMissingError
from retrowalk.core.recording import Recording
from retrowalk.io.registry import SourceReader, register_source
from retrowalk.pipeline.registry import Pipeline, register_pipeline_maker
from retrowalk.video.source import is_video_file, looks_like_video

__all__ = ["VIDEO_FORMAT", "available"]

VIDEO_FORMAT = "video"


def available() -> bool:
    """True when the pose model (mediapipe) and OpenCV are installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("cv2", "mediapipe"))


def _read(path: Path) -> Recording:
    """A video (mp4/mov/avi/webm) for the ``video`` extra; probed, not analysed yet."""
    if not available():
        raise ExtraMissingError(
            path, "this is a video; install the video extra: pip install 'retrowalk[video]'"
        )
    from retrowalk.video.analysis import read_video

    return read_video(path)


def _pipeline() -> Pipeline:
    from retrowalk.video.analysis import VideoPipeline

    return VideoPipeline()


register_source(
    SourceReader(
        VIDEO_FORMAT, "mp4 / mov / avi / webm video", is_video_file, _read, looks_like_video
    )
)
register_pipeline_maker("video", _pipeline, formats=(VIDEO_FORMAT,))

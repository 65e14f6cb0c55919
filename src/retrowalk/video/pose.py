"""Pose estimation behind a small interface.

Everything downstream works on BlazePose-33 keypoints (Bazarevsky et al. 2020,
"BlazePose: On-device Real-time Body Pose tracking", arXiv:2006.10204) in
full-frame pixels, so another model can replace MediaPipe by implementing
:class:`PoseBackend` and mapping its keypoints onto the same 33 indices.

MediaPipe is pinned to 0.10.14 (see ``pyproject.toml``, extra ``video``): it is the
last release whose wheel ships the pose detector and the full pose-landmark model
(``mediapipe/modules/pose_landmark/pose_landmark_full.tflite``), so it runs
offline. Later releases download models at run time and fail without a network.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import numpy as np

# BlazePose-33 indices used by retrowalk.
NOSE = 0
LEFT_EYE, RIGHT_EYE = 2, 5
LEFT_EAR, RIGHT_EAR = 7, 8
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28
LEFT_HEEL, RIGHT_HEEL = 29, 30
LEFT_TOE, RIGHT_TOE = 31, 32  # "foot_index" in MediaPipe
N_KEYPOINTS = 33

# Segments drawn in the annotated video.
SKELETON = (
    (11, 12),
    (11, 23),
    (12, 24),
    (23, 24),
    (11, 13),
    (13, 15),
    (12, 14),
    (14, 16),
    (23, 25),
    (25, 27),
    (27, 29),
    (29, 31),
    (27, 31),
    (24, 26),
    (26, 28),
    (28, 30),
    (30, 32),
    (28, 32),
    (0, 7),
    (0, 8),
)


class PoseTracker(Protocol):
    """Follows one person through consecutive images.

    ``estimate`` takes an RGB ``uint8`` image and returns ``(33, 3)`` float
    ``(x, y, visibility)`` with x, y in pixels of that image, or ``None`` when no
    person is found.
    """

    def estimate(self, rgb: np.ndarray) -> np.ndarray | None: ...

    def close(self) -> None: ...


class PoseBackend(Protocol):
    """A source of pose trackers.

    ``tracker()`` follows one person from image to image (a video crop);
    ``detector()`` finds a person in an unrelated image (no memory between calls).
    """

    name: str

    def tracker(self) -> PoseTracker: ...

    def detector(self) -> PoseTracker: ...


_quiet_lock = threading.Lock()
_quiet: list[int] = []  # the saved standard error while it is quiet, one entry per user


@contextmanager
def _native_messages_hidden() -> Iterator[None]:
    """Standard error at the level of the process (file descriptor 2) sent to the null
    device while the block runs, then given back.

    MediaPipe's graph starts on a tracker's first image and its native code writes
    log lines to the process's standard error (TensorFlow Lite's delegate, absl's
    "Feedback manager ..." warnings), which neither Python's logging nor
    ``GLOG_minloglevel`` reaches. Threads that start trackers at once share one
    quiet spell. Where descriptor 2 cannot be copied (closed), nothing is hidden.
    """
    with _quiet_lock:
        if not _quiet:
            sys.stderr.flush()
            try:
                saved = os.dup(2)
            except OSError:
                saved = -1
            if saved >= 0:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 2)
                os.close(null)
            _quiet.append(saved)
        else:
            _quiet.append(_quiet[0])
    try:
        yield
    finally:
        with _quiet_lock:
            saved = _quiet.pop()
            if not _quiet and saved >= 0:
                os.dup2(saved, 2)
                os.close(saved)


class _MediaPipeTracker:
    def __init__(self, static: bool, model_complexity: int) -> None:
        import mediapipe as mp

        # protobuf's deprecation warning from MediaPipe's own calls, once per run
        warnings.filterwarnings("ignore", message=r"SymbolDatabase\.GetPrototype\(\) is deprecated")
        self._pose = mp.solutions.pose.Pose(
            static_image_mode=static,
            model_complexity=model_complexity,
            smooth_landmarks=not static,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )
        self._started = False

    def estimate(self, rgb: np.ndarray) -> np.ndarray | None:
        if self._started:
            result = self._pose.process(rgb)
        else:
            with _native_messages_hidden():  # the graph starts: its native log lines
                result = self._pose.process(rgb)
            self._started = True
        if result.pose_landmarks is None:
            return None
        h, w = rgb.shape[:2]
        out = np.array(
            [(lm.x * w, lm.y * h, lm.visibility) for lm in result.pose_landmarks.landmark],
            dtype=np.float64,
        )
        return out

    def close(self) -> None:
        self._pose.close()


class MediaPipePose:
    """MediaPipe Pose (BlazePose full, ``model_complexity=1``), offline.

    Parameters
    ----------
    model_complexity
        1 = the "full" model shipped in the mediapipe 0.10.14 wheel. 0 and 2 need a
        download and are therefore not offered.
    """

    name = "mediapipe-0.10.14-blazepose-full"

    def __init__(self, model_complexity: int = 1) -> None:
        import mediapipe  # noqa: F401  (fail early with ImportError)

        self.model_complexity = model_complexity

    def tracker(self) -> PoseTracker:
        return _MediaPipeTracker(static=False, model_complexity=self.model_complexity)

    def detector(self) -> PoseTracker:
        return _MediaPipeTracker(static=True, model_complexity=self.model_complexity)


def default_backend() -> PoseBackend:
    """The pose backend used when none is given (MediaPipe)."""
    return MediaPipePose()

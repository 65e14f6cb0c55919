"""Unexplained motion (where to look for new people) on real frames of the demo clip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from clips import read_frames

cv2 = pytest.importorskip("cv2", reason="the video extra (opencv) is not installed")

from retrowalk.video.motion import UnexplainedMotion  # noqa: E402
from retrowalk.video.tracking import MIN_MOTION, _tiles  # noqa: E402


@pytest.fixture(scope="module")
def frames(demo_video: Path) -> list[np.ndarray]:
    images, _ = read_frames(demo_video)
    return [cv2.cvtColor(f, cv2.COLOR_BGR2RGB) for f in images[:60]]


def test_nothing_changes_nothing_moves(frames):
    motion = UnexplainedMotion()
    assert motion.detect(frames[10], []).moving_ is None  # first frame: unknown
    assert motion.share((0, 0, 10, 10)) == 1.0
    motion.detect(frames[10], [])
    h, w = frames[10].shape[:2]
    assert motion.share((0, 0, w, h)) == 0.0


def test_walker_entering_is_seen_where_she_enters(frames):
    """She enters at the right edge near frame 42: motion there, and masked by her box."""
    motion = UnexplainedMotion()
    motion.detect(frames[42], [])
    motion.detect(frames[44], [])
    tiles = _tiles(frames[44].shape)
    shares = [motion.share(t) for t in tiles]
    assert shares[-1] >= MIN_MOTION  # the right-most square tile
    assert shares[-1] == max(shares[1:])
    h, w = frames[44].shape[:2]
    masked = UnexplainedMotion()
    masked.detect(frames[42], [])
    masked.detect(frames[44], [(0.0, 0.0, float(w), float(h))])
    assert masked.share((0, 0, w, h)) == 0.0


def test_pan_is_compensated(frames):
    """A still scene seen by a camera that moved 24 px: no motion once the camera's is removed."""
    frame = frames[10]
    w = 1600
    a, b = (
        np.ascontiguousarray(frame[:, 100 : 100 + w]),
        np.ascontiguousarray(frame[:, 124 : 124 + w]),
    )
    tile = (0, 0, w, frame.shape[0])
    raw = UnexplainedMotion()
    raw.detect(a, [])
    raw.detect(b, [])
    assert raw.share(tile) > 10 * MIN_MOTION
    # b's pixel x is a's pixel x + 24: the transform from b to a
    to_prev = np.array([[1.0, 0.0, 24.0], [0.0, 1.0, 0.0]])
    comp = UnexplainedMotion()
    comp.detect(a, [])
    comp.detect(b, [], to_prev)
    assert comp.share(tile) < MIN_MOTION

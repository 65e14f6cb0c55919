"""The people's pose trackers run in a thread pool: the same analysis as one after the other.

A 1.5-second stretch of the real demo clip (the walker entering, the man on the
box, a third person) is analysed with ``pose_workers=1`` and ``pose_workers=2``;
every tracked keypoint, contact and note must be identical.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from clips import analyse, read_frames, write_clip

pytestmark = pytest.mark.slow


def test_pose_pool_gives_the_same_analysis(demo_video: Path, tmp_path: Path) -> None:
    images, fps = read_frames(demo_video)
    clip = write_clip(images[36:80], fps, tmp_path / "entry.mp4")
    one = analyse(clip, pose_workers=1)
    two = analyse(clip, pose_workers=2)
    assert one.video["people_seen"] >= 2
    assert np.isfinite(one.keypoints).any()
    np.testing.assert_array_equal(one.keypoints, two.keypoints)
    assert len(one.others) == len(two.others)
    for a, b in zip(one.others, two.others, strict=True):
        np.testing.assert_array_equal(a, b)
    assert [c.frame for c in one.contacts] == [c.frame for c in two.contacts]
    assert one.notes == two.notes

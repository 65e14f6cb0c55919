"""From the tracked people to the one who walks.

A track's keypoints are spread over every frame of the video (gaps left by the
pose stride filled in). The walker is the track with the largest consistent
horizontal travel (in body heights); when nobody travels (treadmill) it is the
one whose feet swing most.
"""

from __future__ import annotations

import numpy as np

from retrowalk.video.pose import LEFT_ANKLE, LEFT_HIP, N_KEYPOINTS, RIGHT_ANKLE, RIGHT_HIP
from retrowalk.video.tracking import Track


def dense_keypoints(track: Track, n_frames: int, max_gap: int) -> np.ndarray:
    """``(n_frames, 33, 3)`` keypoints, NaN where the person was not seen.

    Frames between two poses at most ``max_gap`` frames apart (skipped by the
    pose stride) are filled by linear interpolation.
    """
    out = np.full((n_frames, N_KEYPOINTS, 3), np.nan)
    frames = np.asarray(track.frames)
    kps = np.asarray(track.keypoints)
    out[frames] = kps
    for a, b, ka, kb in zip(frames[:-1], frames[1:], kps[:-1], kps[1:], strict=True):
        if 1 < b - a <= max_gap:
            w = (np.arange(a + 1, b) - a)[:, None, None] / (b - a)
            out[a + 1 : b] = ka + (kb - ka) * w
    return out


def travel_score(kp: np.ndarray, fps: float) -> tuple[float, float]:
    """``(travel, swing)``: net horizontal hip travel and mean ankle spread, in body heights.

    Travel is measured between the medians of the first and the last second the
    person is seen (quarter of the time seen, if shorter), so jitter and jumping
    on the spot do not count.
    """
    hip_x = (kp[:, LEFT_HIP, 0] + kp[:, RIGHT_HIP, 0]) / 2
    seen = np.flatnonzero(np.isfinite(hip_x))
    if len(seen) < fps:
        return 0.0, 0.0
    height = np.nanmedian(np.ptp(kp[seen, :, 1], axis=1))
    k = max(min(int(fps), len(seen) // 4), 1)
    travel = abs(np.median(hip_x[seen[-k:]]) - np.median(hip_x[seen[:k]])) / max(height, 1.0)
    spread = np.abs(kp[seen, LEFT_ANKLE, 0] - kp[seen, RIGHT_ANKLE, 0])
    return float(travel), float(np.std(spread) / max(height, 1.0))


def choose_walker(
    dense: list[np.ndarray], fps: float, min_travel: float = 0.75
) -> tuple[int | None, str]:
    """Index of the track that walks, and why it was chosen.

    The largest net horizontal travel (at least ``min_travel`` body heights) wins;
    when nobody travels that far (a treadmill), the largest ankle swing does.
    """
    if not dense:
        return None, "nobody was found in the video"
    scores = [travel_score(kp, fps) for kp in dense]
    travel = [t for t, _ in scores]
    best = int(np.argmax(travel))
    if travel[best] >= min_travel:
        return best, f"travelled {travel[best]:.1f} body heights across the frame"
    swing = [s for _, s in scores]
    best = int(np.argmax(swing))
    return best, "nobody travelled across the frame; chose the person whose feet moved most"

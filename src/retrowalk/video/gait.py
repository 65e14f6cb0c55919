"""From one person's keypoints to steps, bouts, direction, step length and speed.

- Travel direction: the sign of the hips' horizontal motion (smoothed over 1 s);
  on a treadmill, where the hips stay, the side the feet swing towards.
- Foot contacts: the moments the foot (mean of heel and toe) is furthest ahead of
  the hips in the direction of travel (Zeni, Richards & Higginson 2008, Gait
  Posture 27:710, "heel-strike" from kinematic data), refined to sub-frame by a
  parabola through the peak.
- Facing: the toes (foot index) point from the heel the way the body faces, and
  the nose sits ahead of the ears; walking is backward when the body faces away
  from the direction of travel.
- Scale: the leg (hip-knee-ankle) in pixels against the leg length implied by the
  stated height (pelvis height 0.53 x body height, Winter 2009).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import find_peaks, savgol_filter

from retrowalk.gait.spatial import LEG_LENGTH_FRACTION
from retrowalk.video.pose import (
    LEFT_ANKLE,
    LEFT_EAR,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_TOE,
    NOSE,
    RIGHT_ANKLE,
    RIGHT_EAR,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_TOE,
)

MIN_BOUT_STEPS = 3
MAX_PAUSE_S = 2.0
MIN_STEP_LEG = 0.2  # shorter "steps" (in leg lengths) are shuffling or jitter
MIN_PROMINENCE_LEG = 0.25  # foot excursion (leg lengths) that makes a contact peak
FEET = {"left": (LEFT_HEEL, LEFT_TOE, LEFT_ANKLE), "right": (RIGHT_HEEL, RIGHT_TOE, RIGHT_ANKLE)}


@dataclass
class Contact:
    """One foot contact found in the video."""

    frame: float  # sub-frame position
    side: str
    length_leg: float  # distance between the feet along travel, in leg lengths
    travel: int  # +1 right, -1 left in the image
    facing: int  # +1 right, -1 left, 0 unknown
    leg_px: float


@dataclass
class VideoBout:
    """A walking bout with its contacts (indices into the contact list)."""

    contacts: list[Contact]
    direction: str
    confidence: float
    facing_votes: dict[str, float] = field(default_factory=dict)


def _smooth(x: np.ndarray, fps: float) -> np.ndarray:
    """Savitzky-Golay smoothing (~0.2 s window) over each finite stretch."""
    out = np.full_like(x, np.nan)
    finite = np.isfinite(x)
    win = max(5, round(0.2 * fps) | 1)
    edges = np.flatnonzero(np.diff(np.r_[0, finite.astype(int), 0]))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if b - a > win:
            out[a:b] = savgol_filter(x[a:b], win, 2)
        else:
            out[a:b] = x[a:b]
    return out


def _moving_mean(x: np.ndarray, n: int) -> np.ndarray:
    out = np.full_like(x, np.nan)
    for i in range(len(x)):
        w = x[max(i - n // 2, 0) : i + n // 2 + 1]
        if np.isfinite(w).sum() >= max(n // 3, 1):
            out[i] = np.nanmean(w)
    return out


def leg_length_px(kp: np.ndarray) -> np.ndarray:
    """Per-frame leg length (hip-knee + knee-ankle, mean of both legs) in pixels."""

    def seg(a: int, b: int) -> np.ndarray:
        return np.linalg.norm(kp[:, a, :2] - kp[:, b, :2], axis=1)

    left = seg(LEFT_HIP, LEFT_KNEE) + seg(LEFT_KNEE, LEFT_ANKLE)
    right = seg(RIGHT_HIP, RIGHT_KNEE) + seg(RIGHT_KNEE, RIGHT_ANKLE)
    return (left + right) / 2


def hip_x(kp: np.ndarray) -> np.ndarray:
    return (kp[:, LEFT_HIP, 0] + kp[:, RIGHT_HIP, 0]) / 2


def foot_x(kp: np.ndarray, side: str) -> np.ndarray:
    heel, toe, _ = FEET[side]
    return (kp[:, heel, 0] + kp[:, toe, 0]) / 2


def travel_sign(kp: np.ndarray, fps: float, leg: np.ndarray) -> np.ndarray:
    """Per frame +1 (moving right in the image), -1 (left) or 0 (unknown)."""
    hx = _smooth(hip_x(kp), fps)
    v = np.gradient(hx) * fps / leg  # leg lengths per second
    v = _moving_mean(v, max(int(fps), 3))
    sign = np.where(np.abs(v) > 0.15, np.sign(np.nan_to_num(v)), 0.0)
    if np.any(sign != 0) or not np.isfinite(hx).any():
        return sign.astype(int)
    # Treadmill: feet swing fast towards the travel side and slide back slowly,
    # so foot-minus-hip velocity is skewed towards the direction of travel.
    votes = []
    for side in FEET:
        rel = np.diff(_smooth(foot_x(kp, side) - hip_x(kp), fps))
        rel = rel[np.isfinite(rel)]
        if len(rel) > 10:
            votes.append(np.mean((rel - rel.mean()) ** 3))
    s = int(np.sign(np.sum(votes))) if votes else 0
    return np.full(len(kp), s, dtype=int)


def facing_votes(kp: np.ndarray) -> dict[str, np.ndarray]:
    """Per frame facing signs (+1 right, -1 left, 0 unknown) from toes and from the nose."""
    toes = np.zeros(len(kp))
    for heel, toe, _ in FEET.values():
        d = kp[:, toe, 0] - kp[:, heel, 0]
        ok = np.isfinite(d)
        toes[ok] += np.sign(d[ok])
    ears = (kp[:, LEFT_EAR, 0] + kp[:, RIGHT_EAR, 0]) / 2
    head = kp[:, NOSE, 0] - ears
    return {"toes": np.sign(toes), "head": np.sign(np.nan_to_num(head))}


def find_contacts(kp: np.ndarray, fps: float) -> list[Contact]:
    """Foot contacts of both feet, in time order."""
    leg = _moving_mean(leg_length_px(kp), max(int(fps), 3))
    travel = travel_sign(kp, fps, leg)
    votes = facing_votes(kp)
    hx = _smooth(hip_x(kp), fps)
    contacts: list[Contact] = []
    for side in FEET:
        other = "right" if side == "left" else "left"
        fx = _smooth(foot_x(kp, side), fps)
        ox = _smooth(foot_x(kp, other), fps)
        rel = travel * (fx - hx) / leg
        sig = np.where(np.isfinite(rel) & (travel != 0), rel, -np.inf)
        peaks, _ = find_peaks(
            np.where(np.isfinite(sig), sig, -10.0),
            prominence=MIN_PROMINENCE_LEG,
            distance=max(int(0.35 * fps), 1),
        )
        for p in peaks:
            if not np.isfinite(sig[p]) or sig[p] <= 0:
                continue
            frame = float(p)
            if 0 < p < len(sig) - 1 and np.isfinite(sig[p - 1]) and np.isfinite(sig[p + 1]):
                den = sig[p - 1] - 2 * sig[p] + sig[p + 1]
                if den < 0:
                    frame += float(np.clip(0.5 * (sig[p - 1] - sig[p + 1]) / den, -0.5, 0.5))
            length = abs(fx[p] - ox[p]) / leg[p] if np.isfinite(ox[p]) else np.nan
            lo, hi = max(p - int(fps // 4), 0), p + int(fps // 4) + 1
            face = int(np.sign(np.sum(votes["toes"][lo:hi])))
            contacts.append(Contact(frame, side, float(length), int(travel[p]), face, leg[p]))
    contacts.sort(key=lambda c: c.frame)
    kept: list[Contact] = []
    for c in contacts:  # two contacts within 0.25 s: keep the longer step
        if kept and c.frame - kept[-1].frame < 0.25 * fps:
            if np.nan_to_num(c.length_leg) > np.nan_to_num(kept[-1].length_leg):
                kept[-1] = c
            continue
        kept.append(c)
    return kept


def group_bouts(contacts: list[Contact], fps: float) -> list[VideoBout]:
    """Walking bouts: alternating contacts of real steps, pauses < 2 s, one direction."""
    real = [c for c in contacts if np.isfinite(c.length_leg) and c.length_leg >= MIN_STEP_LEG]
    groups: list[list[Contact]] = []
    for c in real:
        direction = _direction(c)
        if (
            groups
            and (c.frame - groups[-1][-1].frame) / fps < MAX_PAUSE_S
            and _direction(groups[-1][-1]) == direction
            and c.travel == groups[-1][-1].travel
        ):
            groups[-1].append(c)
        else:
            groups.append([c])
    bouts = []
    for g in groups:
        if len(g) < MIN_BOUT_STEPS:
            continue
        alternating = np.mean([a.side != b.side for a, b in itertools.pairwise(g)])
        if alternating < 0.6:
            continue  # both feet together: jumping or shuffling, not walking
        agree = np.mean([c.facing == c.travel for c in g])
        direction = _direction(g[0])
        confidence = float(max(agree, 1 - agree)) if direction != "uncertain" else 0.0
        bouts.append(VideoBout(g, direction, confidence))
    return bouts


def _direction(c: Contact) -> str:
    if c.facing == 0 or c.travel == 0:
        return "uncertain"
    return "forward" if c.facing == c.travel else "backward"


def scale_m_per_leg(height_m: float) -> float:
    """Metres per leg length for a person of ``height_m``."""
    return LEG_LENGTH_FRACTION * height_m

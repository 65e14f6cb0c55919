"""From one person's keypoints (in scene coordinates) to steps, bouts and direction.

- Foot contacts from each foot's own contact phases: a foot that is nearly
  still in the scene is in stance; the moment it comes to rest after a swing is
  its initial contact (the kinematic definition of gait events by foot velocity,
  O'Connor et al. 2007, "Automatic detection of gait events using kinematic
  data", Gait Posture 25:469). No symmetric-gait template is assumed, so a limp
  (one stance longer), shuffling (short swings) or walking aids still give the
  feet's contacts. The contact time is refined to sub-frame by linear
  interpolation of the threshold crossing, between pose frames.
- Direction: walking is backward when the body faces away from the direction
  of travel (side view: travel from the hips, facing from the toes; views
  towards or away from the camera: travel from the change of the body's
  apparent size, facing from the head and shoulders, :mod:`retrowalk.video.view`).
  Direction is "uncertain" when the cues disagree or are weak.
- On the spot (a treadmill): contacts are where the foot is furthest ahead of
  the hips (Zeni, Richards & Higginson 2008, "Two simple methods for determining
  gait events during treadmill and overground walking using kinematic data", Gait
  Posture 27:710).

Leg length, hip and foot positions, travel and scale are in
:mod:`retrowalk.video.body`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from retrowalk.dsp.kernels import find_peaks
from retrowalk.video.body import (
    FEET,
    foot_x,
    foot_xy,
    hip_x,
    moving_mean,
    smooth,
    smooth_leg,
    travel_sign,
)
from retrowalk.video.view import camera_facing, facing_votes

MIN_BOUT_STEPS = 3
MAX_PAUSE_S = 2.0
MIN_STEP_LEG = 0.2  # shorter "steps" (in leg lengths) are shuffling or jitter (side view)
MIN_PROMINENCE_LEG = 0.25  # foot excursion (leg lengths) that makes a contact peak (on the spot)
MIN_SWING_LEG = 0.12  # a foot must move this far (leg lengths) between two stances
STANCE_SPEED_LEG_S = 0.8  # foot speed (leg lengths/s) below which the foot is still
STANCE_SHARE_OF_PEAK = 0.3  # ... or below this share of its swing speed, if higher
DEPTH_SPEED_LEG_S = 0.15  # the same floor towards/away from the camera (foreshortened swings)
MIN_STANCE_S = 0.15  # a shorter rest of the foot is a hitch in its swing
EXIT_LOOK_BACK = 4  # frames back to the feet last seen, for an exit step's length
MIN_STRIDE_S = 0.45  # the same foot cannot land twice sooner (cadence 267 steps/min)


@dataclass
class Contact:
    """One foot contact found in the video."""

    frame: float  # sub-frame position
    side: str
    length_leg: float  # distance between the feet along travel, in leg lengths (NaN: unknown)
    travel: int  # side view: +1 right, -1 left in the scene; depth view: +1 closer, -1 away
    facing: int  # side view: +1 right, -1 left; depth view: +1 facing the camera; 0 unknown
    leg_px: float
    stance_s: float = float("nan")  # how long the foot then stayed still


@dataclass
class VideoBout:
    """A walking bout with its contacts."""

    contacts: list[Contact]
    direction: str
    confidence: float
    facing_votes: dict[str, float] = field(default_factory=dict)
    reason: str = ""  # what decided the direction, or why it is uncertain


def treadmill_sign(kp: np.ndarray, fps: float) -> int:
    """On the spot: feet swing fast towards the travel side and slide back slowly."""
    votes = []
    for side in FEET:
        rel = np.diff(smooth(foot_x(kp, side) - hip_x(kp), fps))
        rel = rel[np.isfinite(rel)]
        if len(rel) > 10:
            votes.append(np.mean((rel - rel.mean()) ** 3))
    return int(np.sign(np.sum(votes))) if votes else 0


def stance_contacts(
    kp: np.ndarray,
    fps: float,
    side: str,
    leg: np.ndarray,
    edge: np.ndarray | None = None,
    depth: bool = False,
) -> list[Contact]:
    """Initial contacts of one foot: the moments it comes to rest after a swing.

    ``edge`` marks frames where the foot is at the border of the image (its
    position there is not trusted). A swing that carries the foot out of the
    image ends in a contact at the first such frame (the exit step), marked by
    a NaN stance duration; whether the foot swung there is judged from the
    stance before that frame only, so what the pose model says once the foot
    is gone (feet found again in a sliver at the border, briefly "still") does
    not change it. A rest too short for a stance is a pause in a swing, unless
    the foot rests again at the same place right after (the pose model took
    the other foot for it for a moment as that one passed): then the stance,
    and the contact, began with that first rest. ``depth``: the person walks
    towards or away from the
    camera, so a swing is foreshortened (the more, the further away); the
    threshold then follows the swing speed of the last two seconds and has a
    lower floor.
    """
    xy = foot_xy(kp, side).copy()
    if edge is not None:
        xy[edge] = np.nan
    pos = np.column_stack([smooth(xy[:, 0], fps), smooth(xy[:, 1], fps)])
    vel = np.gradient(pos, axis=0) * fps / leg[:, None]
    speed = np.linalg.norm(vel, axis=1)
    finite = np.isfinite(speed)
    if finite.sum() < fps // 2:
        return []
    if depth:
        n = max(int(2 * fps), 3)
        local = np.array(
            [
                np.nanpercentile(w, 90) if np.isfinite(w).any() else np.nan
                for w in (speed[max(i - n // 2, 0) : i + n // 2 + 1] for i in range(len(speed)))
            ]
        )
        thresholds = np.maximum(DEPTH_SPEED_LEG_S, STANCE_SHARE_OF_PEAK * np.nan_to_num(local))
        min_swing = MIN_SWING_LEG / 3
    else:
        peak = float(np.nanpercentile(speed, 90))
        thresholds = np.full(len(speed), max(STANCE_SPEED_LEG_S, STANCE_SHARE_OF_PEAK * peak))
        min_swing = MIN_SWING_LEG
    still = finite & (speed < thresholds)
    edges = np.flatnonzero(np.diff(np.r_[0, still.astype(int), 0]))
    starts, ends = edges[::2], edges[1::2]
    min_len = max(round(MIN_STANCE_S * fps), 2)
    contacts: list[Contact] = []
    stance_ends: list[int] = []  # where each stance (not a pause in a swing) ended

    def swung(a: int) -> bool:
        """The foot was seen swinging (moving, far enough) since its last stance before ``a``."""
        before = [e for e in stance_ends if e <= a]
        prev_end = before[-1] if before else None
        start = prev_end if prev_end is not None else a
        if prev_end is None:  # first stance: the swing must be seen from where it enters
            while start > 0 and finite[start - 1]:
                start -= 1
        moving = finite[start:a] & ~still[start:a]
        swing = pos[start:a][np.isfinite(pos[start:a]).all(axis=1)]
        reach = np.linalg.norm(swing[-1] - swing[0]) if len(swing) > 1 else 0.0
        seen_moving = int(moving.sum()) >= max(round(0.08 * fps), 2)
        return bool(seen_moving and reach / leg[a - 1] >= min_swing)

    short: list[int] = []  # rests too short for a stance since the last stance
    for a, b in zip(starts, ends, strict=True):
        if b - a < min_len and b < len(speed) and finite[b]:
            short.append(a)  # a pause in a swing, not a stance (or a stance cut short)
            continue
        rests, short = short, []
        if a == 0 or not finite[a - 1]:
            stance_ends.append(b)  # already still when first seen: no contact seen
            continue
        if not swung(a):
            stance_ends.append(b)  # the foot barely moved: the same stance continues
            continue
        for r in rests:
            # the foot came to rest here before, at the same place, and only seemed to move
            # in between (the pose model taking the other foot for it as it passes): the
            # stance began then
            same_place = np.linalg.norm(xy[r] - xy[a]) / leg[a] < min_swing
            if finite[r - 1] and same_place and swung(r):
                a = r
                break
        frame = float(a)
        s0, s1, threshold = speed[a - 1], speed[a], thresholds[a]
        if s0 > s1:
            frame = a - 1 + float(np.clip((s0 - threshold) / (s0 - s1), 0.0, 1.0))
        contacts.append(
            Contact(frame, side, float("nan"), 0, 0, float(leg[a]), stance_s=(b - a) / fps)
        )
        stance_ends.append(b)
    if edge is not None:
        # swings that leave the image: the foot lands at (or beyond) the border
        for a in np.flatnonzero(edge[1:] & ~edge[:-1]) + 1:
            before = np.flatnonzero(finite[max(a - 4, 0) : a])
            if not len(before) or still[max(a - 4, 0) + before[-1]]:
                continue  # the foot was not seen swinging into the border
            if contacts and a - contacts[-1].frame < 0.25 * fps:
                continue
            later = [c for c in contacts if c.frame > a]
            if later or not swung(int(a)):
                continue
            contacts.append(Contact(float(a), side, float("nan"), 0, 0, float(leg[a - 1])))
    return sorted(contacts, key=lambda c: c.frame)


def _merge(contacts: list[Contact], fps: float) -> list[Contact]:
    """Contacts in time order, without the ones a person cannot make.

    Two contacts within 0.2 s are one (the pose model mixed the feet). The same
    foot landing again sooner than ``MIN_STRIDE_S`` after its last contact is
    the same stance (a glitch of the pose model as the other foot passes): a
    stride that short would be a cadence above 260 steps/min.
    """
    contacts = sorted(contacts, key=lambda c: c.frame)
    kept: list[Contact] = []
    last: dict[str, float] = {}
    for c in contacts:
        if kept and c.frame - kept[-1].frame < 0.2 * fps:
            continue
        if c.frame - last.get(c.side, -np.inf) < MIN_STRIDE_S * fps:
            continue
        kept.append(c)
        last[c.side] = c.frame
    return kept


def find_contacts(
    kp: np.ndarray,
    fps: float,
    view: str = "side",
    edge: dict[str, np.ndarray] | None = None,
) -> list[Contact]:
    """Foot contacts of both feet, in time order, with travel and facing at each.

    ``kp`` are keypoints in scene coordinates (see :mod:`retrowalk.video.camera`);
    ``view`` is from :func:`~retrowalk.video.view.classify_view`; ``edge`` marks,
    per foot, the frames where it is at the image border. An exit step's
    length is that of the feet as last seen (up to ``EXIT_LOOK_BACK`` frames
    before it; shorter than the step when the foot was lost in its swing).
    """
    if view == "on the spot":
        return find_contacts_on_the_spot(kp, fps)
    leg = smooth_leg(kp, fps)
    edge = edge or {}
    contacts = _merge(
        [
            c
            for side in FEET
            for c in stance_contacts(kp, fps, side, leg, edge.get(side), view == "depth")
        ],
        fps,
    )
    if view == "depth":
        size = np.log(leg)
        grow = np.gradient(smooth(size, fps)) * fps
        grow = moving_mean(grow, max(int(fps), 3))
        toward = camera_facing(kp)
        for c in contacts:
            p = round(c.frame)
            lo, hi = max(p - int(fps // 2), 0), p + int(fps // 2) + 1
            g = grow[p]
            c.travel = 0 if not np.isfinite(g) or abs(g) < 0.05 else int(np.sign(g))
            near = toward[lo:hi]
            share = float(np.mean(near == np.sign(near.sum()))) if near.any() else 0.0
            c.facing = int(np.sign(near.sum())) if share >= 0.7 and near.any() else 0
        return contacts
    travel = travel_sign(kp, fps, leg)
    votes = facing_votes(kp)
    for c in contacts:
        p = round(c.frame)
        side = c.side
        other = "right" if side == "left" else "left"
        q = min(p, len(kp) - 1)
        fx, ox = foot_x(kp, side)[q], foot_x(kp, other)[q]
        for back in range(1, EXIT_LOOK_BACK + 1):  # an exit step: the feet as last seen
            if np.isfinite(fx) or q < back:
                break
            fx, ox = foot_x(kp, side)[q - back], foot_x(kp, other)[q - back]
        c.length_leg = abs(fx - ox) / leg[p] if np.isfinite(ox) and np.isfinite(fx) else np.nan
        lo, hi = max(p - int(fps // 4), 0), p + int(fps // 4) + 1
        c.travel = int(travel[p])
        c.facing = int(np.sign(np.sum(votes["toes"][lo:hi])))
    return contacts


def find_contacts_on_the_spot(kp: np.ndarray, fps: float) -> list[Contact]:
    """Contacts where the foot is furthest ahead of the hips (no travel: a treadmill)."""
    leg = smooth_leg(kp, fps)
    s = treadmill_sign(kp, fps)
    travel = np.full(len(kp), s, dtype=int)
    votes = facing_votes(kp)
    hx = smooth(hip_x(kp), fps)
    contacts: list[Contact] = []
    for side in FEET:
        other = "right" if side == "left" else "left"
        fx = smooth(foot_x(kp, side), fps)
        ox = smooth(foot_x(kp, other), fps)
        rel = travel * (fx - hx) / leg
        sig = np.where(np.isfinite(rel) & (travel != 0), rel, -10.0)
        peaks, _ = find_peaks(sig, prominence=MIN_PROMINENCE_LEG, distance=max(int(0.35 * fps), 1))
        for p in peaks:
            if sig[p] <= 0:
                continue
            length = abs(fx[p] - ox[p]) / leg[p] if np.isfinite(ox[p]) else np.nan
            lo, hi = max(p - int(fps // 4), 0), p + int(fps // 4) + 1
            face = int(np.sign(np.sum(votes["toes"][lo:hi])))
            contacts.append(Contact(float(p), side, float(length), s, face, leg[p]))
    return _merge(contacts, fps)


def group_bouts(contacts: list[Contact], fps: float, view: str = "side") -> list[VideoBout]:
    """Walking bouts: contacts of real steps, pauses < 2 s, one direction.

    In side view a contact counts when the feet are at least ``MIN_STEP_LEG``
    apart and the hips travel; in a depth view step length is not seen, every
    contact made while the body's size changes counts.
    Direction is "backward" only when the facing and travel cues agree on it in
    at least 80 % of the bout's contacts; weaker evidence is "uncertain".
    """
    if view == "side":
        real = [
            c
            for c in contacts
            if np.isfinite(c.length_leg) and c.length_leg >= MIN_STEP_LEG and c.travel != 0
        ]
    elif view == "depth":
        real = [c for c in contacts if c.travel != 0]
    else:
        real = list(contacts)
    groups: list[list[Contact]] = []
    for c in real:
        if (
            groups
            and (c.frame - groups[-1][-1].frame) / fps < MAX_PAUSE_S
            and (c.travel == groups[-1][-1].travel or view == "on the spot")
        ):
            groups[-1].append(c)
        else:
            groups.append([c])
    bouts = []
    for g in groups:
        if len(g) < MIN_BOUT_STEPS:
            continue
        travel = int(np.sign(sum(c.travel for c in g)))
        if travel == 0 and view != "on the spot":
            continue  # no travel: not walking
        known = [c for c in g if c.facing != 0 and c.travel != 0]
        agree = float(np.mean([c.facing == c.travel for c in known])) if known else 0.5
        direction, confidence = "uncertain", 0.0
        facing_the_way = sum(c.facing == c.travel for c in known)
        seen = f"at {len(known)} of its {len(g)} contacts"
        reason = f"the walker's facing was seen {seen}, too few to tell the direction (half needed)"
        if len(known) >= 0.5 * len(g):
            if agree >= 0.6:
                direction, confidence = "forward", agree
            elif agree <= 0.2:
                direction, confidence = "backward", 1.0 - agree
            reason = {
                "forward": f"the walker faced the way they travelled at {facing_the_way} of "
                f"{len(known)} contacts where the facing was seen",
                "backward": f"the walker faced away from the way they travelled at "
                f"{len(known) - facing_the_way} of {len(known)} contacts where the facing "
                "was seen",
            }.get(
                direction,
                f"the walker faced the way they travelled at {facing_the_way} of {len(known)} "
                "contacts where the facing was seen: neither forward (60 %) nor backward "
                "(at most 20 %)",
            )
        bouts.append(VideoBout(g, direction, round(confidence, 3), {"agree": agree}, reason))
    return bouts


def alternation(contacts: list[Contact]) -> float:
    """Share of consecutive contacts made by different feet."""
    if len(contacts) < 2:
        return 1.0
    return float(np.mean([a.side != b.side for a, b in itertools.pairwise(contacts)]))

"""From the people tracked in a video to the walker's bouts and steps, shot by shot.

Each shot (between two cuts, :mod:`retrowalk.video.shots`) is analysed on its
own: its keypoints are mapped into the scene (the camera's motion removed,
:mod:`retrowalk.video.camera`), the walker is chosen among the shot's people,
the view is classified (side, towards/away from the camera), contacts are found
from each foot's stance and grouped into bouts; a bout never spans a cut. For
the contacts, a single missed pose of the walker is filled in from the poses
either side (linear, like the frames between poses), so that a landing or an
exit step at the image border falling in the gap is still found and timed. When
a shot yields no walking, ``no_walking_reason`` says why.

Speed is measured per bout (:mod:`retrowalk.video.speed`); what the user told
about the video is in :class:`~retrowalk.video.options.VideoOptions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retrowalk.video.body import FEET, leg_length_px
from retrowalk.video.form import form_cues
from retrowalk.video.gait import Contact, find_contacts, group_bouts
from retrowalk.video.options import VideoOptions
from retrowalk.video.pose import LEFT_HIP
from retrowalk.video.shots import shot_bounds
from retrowalk.video.speed import bout_speed
from retrowalk.video.tracking import Track
from retrowalk.video.view import classify_view
from retrowalk.video.walker import choose_walker, dense_keypoints

NO_WALKING_REASONS = ("not tracked", "too few contacts", "not moving", "view unsupported")
MIN_SEEN_S = 1.0  # a walker seen for less than this is "not tracked"
SHORT_VIDEO_S = 3.0  # less walking than this: "too short" message
HIDDEN_FEET_SHARE = 0.3  # feet not visible in more than this share of frames: "partly hidden"
CHILD_MAX_AGE_YEARS = 4.0
EDGE_MARGIN = 0.1  # a foot this close to the image border (in leg lengths) is at the edge
# a foot lost while swinging out is at the border if its path gets there this soon
EXIT_AHEAD_S = 0.1
BRIDGE_POSES = 2  # contacts: gaps of up to this many pose intervals (one missed pose) filled


@dataclass
class WalkResult:
    """The walker's bouts and steps (as plain fields) and the video block of the JSON."""

    bouts: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    keypoints: np.ndarray | None = None
    others: list[np.ndarray] = field(default_factory=list)
    video: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _intervals(frames: np.ndarray, fps: float) -> list[dict[str, float]]:
    if not len(frames):
        return []
    breaks = np.flatnonzero(np.diff(frames) > 1)
    starts = np.r_[frames[0], frames[breaks + 1]]
    ends = np.r_[frames[breaks], frames[-1]]
    return [
        {"start_s": round(float(a) / fps, 3), "end_s": round(float(b + 1) / fps, 3)}
        for a, b in zip(starts, ends, strict=True)
    ]


def _to_scene(kp: np.ndarray, transforms: np.ndarray) -> np.ndarray:
    from retrowalk.video.camera import to_scene

    return to_scene(kp, transforms)


def _edges(kp: np.ndarray, frame_size: tuple[int, int], ahead: int = 0) -> dict[str, np.ndarray]:
    """Per foot, the frames where it is at (or beyond) the image border.

    ``ahead`` > 0: a foot last seen swinging towards the border and then not
    seen (the pose model often loses a person half out of the image) is taken
    to be at the border from the frame its path, carried on at its last speed,
    reaches it, if that is at most ``ahead`` frames on and still unseen.
    """
    w, h = frame_size
    leg = float(np.nanmedian(leg_length_px(kp))) if np.isfinite(kp[:, :, 0]).any() else 0.0
    margin = EDGE_MARGIN * (leg if np.isfinite(leg) else 0.0)

    def outside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.asarray(((x < margin) | (x > w - margin) | (y > h - margin)).any(axis=-1))

    out = {}
    for side, points in FEET.items():
        x, y = kp[:, list(points), 0], kp[:, list(points), 1]
        near = outside(x, y)
        seen = np.isfinite(x).all(axis=1) & np.isfinite(y).all(axis=1)
        lost = np.flatnonzero(seen[1:-1] & seen[:-2] & ~seen[2:]) + 1  # last seen before a gap
        for last in lost if ahead else []:
            if near[last]:
                continue
            vx, vy = x[last] - x[last - 1], y[last] - y[last - 1]
            for k in range(1, ahead + 1):
                if last + k >= len(kp) or seen[last + k]:
                    break
                if outside(x[last] + k * vx, y[last] + k * vy):
                    gap = np.flatnonzero(seen[last + k :])
                    near[last + k : last + k + (gap[0] if len(gap) else len(kp))] = True
                    break
        out[side] = near
    return out


def _choose(
    scene: list[np.ndarray], dense: list[np.ndarray], fps: float, frame_size: tuple[int, int]
) -> tuple[int | None, str]:
    """The walker of a shot: the person with the most steps in walking bouts.

    Ties (and shots where nobody walks) go to the largest travel across the scene
    (:func:`~retrowalk.video.walker.choose_walker`).
    """
    if not scene:
        return None, "nobody was found"
    fallback, why = choose_walker(scene, fps)
    steps = []
    for kp, img in zip(scene, dense, strict=True):
        view = str(classify_view(kp, fps)["view"])
        if view in ("unsupported", "on the spot"):
            steps.append(0)
            continue
        contacts = find_contacts(kp, fps, view, _edges(img, frame_size))
        steps.append(sum(len(b.contacts) for b in group_bouts(contacts, fps, view)))
    best = int(np.argmax(steps))
    if steps[best] == 0 or steps.count(steps[best]) > 1:
        return fallback, why
    return best, f"walked {steps[best]} steps ({why})" if best == fallback else (
        f"walked the most steps ({steps[best]})"
    )


def _hidden_feet_share(kp: np.ndarray, edge: dict[str, np.ndarray]) -> float:
    """Share of the frames the person is seen in where a foot is cut by the image border
    or not visible (pose-model visibility below 0.5)."""
    seen = np.isfinite(kp[:, LEFT_HIP, 0])
    if not seen.any():
        return 0.0
    feet = [i for side in FEET.values() for i in side]
    vis = np.nanmin(kp[seen][:, feet, 2], axis=1)
    cut = np.zeros(int(seen.sum()), dtype=bool)
    for mask in edge.values():
        cut |= mask[seen]
    return float(np.mean((vis < 0.5) | cut))


def _no_walking_reason(
    walker: int | None, seen_s: float, view: dict[str, Any], contacts: list[Contact]
) -> str:
    if walker is None or seen_s < MIN_SEEN_S:
        return "not tracked"
    if view["view"] in ("unsupported", "on the spot") and len(contacts) < 3:
        moving = (
            float(view.get("lateral_leg", 0.0)) >= 0.5
            or abs(float(view.get("size_change", 0.0))) >= 0.1
        )
        return "view unsupported" if moving else "not moving"
    if view["view"] == "unsupported":
        return "view unsupported"
    return "too few contacts"


def analyse_walk(
    tracks: list[Track],
    transforms: np.ndarray,
    cuts: list[int],
    fps: float,
    n_frames: int,
    stride: int,
    frame_size: tuple[int, int],
    *,
    height_m: float | None,
    age_years: float | None = None,
    options: VideoOptions | None = None,
    background_share: dict[int, float] | None = None,
    moving_shots: set[int] | None = None,
) -> WalkResult:
    """Bouts and steps of the walker, shot by shot.

    Parameters
    ----------
    tracks
        Everybody tracked (each with the shot it was seen in).
    transforms
        ``(n_frames, 2, 3)`` image-to-scene transforms (the camera's motion).
    cuts
        First frames of the shots after the first.
    fps, n_frames, stride
        Frame rate, frame count and pose stride (frames between poses).
    frame_size
        Width and height of the frames in pixels.
    height_m
        The stated height, or ``None`` (no metres then, unless floor marks).
    age_years
        Decides child proportions when ``options.child`` is ``None``.
    options
        Floor marks, child.
    background_share
        Per frame fed, the share of background features followed (camera
        motion quality); frames below 0.2 make a moving camera's travel unsure.
    moving_shots
        Indices of the shots in which the camera moved.
    """
    options = options or VideoOptions()
    child = (
        bool(options.child)
        if options.child is not None
        else (age_years is not None and age_years < CHILD_MAX_AGE_YEARS)
    )
    who = "the child" if child else "the walker"
    shots = shot_bounds(cuts, n_frames)
    result = WalkResult()
    walker_kp = np.full((n_frames, 33, 3), np.nan)
    result.keypoints = walker_kp
    shot_info: list[dict[str, Any]] = []
    m_per_px_marks = options.m_per_px()
    forward_contacts: list[Contact] = []
    backward: list[tuple[int, np.ndarray, list[Contact]]] = []
    for s, (a, b) in enumerate(shots):
        mine = [t for t in tracks if t.shot == s]
        dense = [dense_keypoints(t, n_frames, stride) for t in mine]
        scene = [_to_scene(d, transforms) for d in dense]
        walker, why = _choose(scene, dense, fps, frame_size)
        info: dict[str, Any] = {
            "shot": s,
            "start_s": round(a / fps, 3),
            "end_s": round(b / fps, 3),
            "people_seen": len(mine),
            "camera_moving": bool(moving_shots and s in moving_shots),
            "walker": None,
            "view": None,
            "contacts": 0,
            "bouts": 0,
            "no_walking_reason": None,
        }
        result.others.extend(d for k, d in enumerate(dense) if k != walker)
        if walker is None:
            info["no_walking_reason"] = "not tracked"
            shot_info.append(info)
            continue
        kp_img, kp = dense[walker], scene[walker]
        walker_kp[a:b] = kp_img[a:b]
        seen = np.flatnonzero(np.isfinite(kp[:, LEFT_HIP, 0]))
        span = np.arange(seen[0], seen[-1] + 1) if len(seen) else np.array([], dtype=int)
        lost = np.setdiff1d(span, seen)
        seen_s = len(seen) / fps
        view = classify_view(kp, fps)
        edge = _edges(kp_img, frame_size)
        # one missed pose is bridged for the contacts: a landing (or the foot reaching
        # the image border) in the gap is timed from the poses either side of it
        bridged_img = dense_keypoints(mine[walker], n_frames, BRIDGE_POSES * stride)
        bridged = _to_scene(bridged_img, transforms)
        ahead = max(round(EXIT_AHEAD_S * fps), 1)
        contacts = (
            find_contacts(bridged, fps, str(view["view"]), _edges(bridged_img, frame_size, ahead))
            if seen_s >= MIN_SEEN_S
            else []
        )
        vbouts = group_bouts(contacts, fps, str(view["view"])) if contacts else []
        hidden = _hidden_feet_share(kp_img, edge)
        info.update(
            walker={
                "why": why,
                "seen": _intervals(seen, fps),
                "tracking_lost": _intervals(lost, fps),
                "feet_hidden_share": round(hidden, 3),
            },
            view=view,
            contacts=len(contacts),
            bouts=len(vbouts),
        )
        if hidden > HIDDEN_FEET_SHARE:
            result.notes.append(
                f"shot {s + 1}: the feet of {who} were hidden in {hidden:.0%} of the frames; "
                f"keep {who} whole, feet included, in view"
            )
        if not vbouts:
            info["no_walking_reason"] = _no_walking_reason(walker, seen_s, view, contacts)
        if info["camera_moving"] and background_share is not None:
            fed = [f for f in background_share if a <= f < b]
            poor = [f for f in fed if background_share[f] < 0.2]
            if fed and len(poor) > 0.3 * len(fed):
                for vb in vbouts:
                    vb.direction, vb.confidence = "uncertain", 0.0
                    vb.reason = (
                        "the camera moved and too little background was seen to measure travel"
                    )
                result.notes.append(
                    f"shot {s + 1}: the camera moved and too little background was seen to "
                    "measure travel; direction is uncertain"
                )
        for vb in vbouts:
            sp = bout_speed(kp, vb, fps, m_per_px_marks if s == 0 else None, height_m, child)
            self_index = len(result.bouts)
            cs = vb.contacts
            t0, t1 = cs[0].frame / fps, cs[-1].frame / fps
            duration = max(t1 - t0, 1e-9)
            m_per_leg = sp.pop("m_per_leg")
            lengths = [c.length_leg for c in cs[1:] if np.isfinite(c.length_leg)]
            side_view = view["view"] == "side"
            travel = cs[0].travel
            if side_view or view["view"] == "on the spot":
                travel_word = "right" if travel > 0 else "left"
            else:
                travel_word = "towards the camera" if travel > 0 else "away from the camera"
            extra: dict[str, Any] = {
                "shot": s,
                "view": view["view"],
                "travel": travel_word,
                "step_length_leg": round(float(np.median(lengths)), 3) if lengths else None,
                "speed_body_heights_per_s": sp.get("speed_body_heights_per_s"),
                "speed_source": sp["speed_source"],
                "direction_reason": vb.reason,
            }
            step_len = (
                float(np.mean(lengths)) * m_per_leg if lengths and m_per_leg is not None else None
            )
            result.bouts.append(
                {
                    "start_s": t0,
                    "end_s": t1,
                    "direction": vb.direction,
                    "direction_confidence": vb.confidence,
                    "n_steps": len(cs),
                    "cadence_spm": 60.0 * (len(cs) - 1) / duration,
                    "speed_mps": sp["speed_mps"],
                    "distance_m": sp["distance_m"],
                    "step_length_m": step_len if side_view else None,
                    "extra": extra,
                }
            )
            for j, c in enumerate(cs):
                length = (
                    c.length_leg * m_per_leg
                    if j and m_per_leg is not None and np.isfinite(c.length_leg) and side_view
                    else None
                )
                result.steps.append(
                    {
                        "time_s": c.frame / fps,
                        "bout": self_index,
                        "direction": vb.direction,
                        "side": c.side,
                        "length_m": length,
                    }
                )
            result.contacts.extend(cs)
            if vb.direction == "forward":
                forward_contacts.extend(cs)
            elif vb.direction == "backward":
                backward.append((self_index, kp, cs))
        walked_s = sum(x["end_s"] - x["start_s"] for x in result.bouts if x["extra"]["shot"] == s)
        if seen_s < SHORT_VIDEO_S and (not vbouts or walked_s < SHORT_VIDEO_S / 2):
            result.notes.append(
                f"shot {s + 1}: too short: {who} was seen walking for {seen_s:.1f} s; "
                f"film at least {SHORT_VIDEO_S:.0f} s (6 or more steps) for a count you can trust"
            )
        shot_info.append(info)
    form = [{"bout": i, "cues": form_cues(kp, cs, forward_contacts, fps)} for i, kp, cs in backward]
    main = max(shot_info, key=lambda x: (x["contacts"], x["walker"] is not None), default=None)
    reasons = [x["no_walking_reason"] for x in shot_info if x["no_walking_reason"]]
    result.video = {
        "shots": shot_info,
        "cuts_s": [round(c / fps, 3) for c in cuts],
        "walker": main["walker"] if main else None,
        "no_walking_reason": None
        if result.bouts
        else (main["no_walking_reason"] if main and main["no_walking_reason"] else "not tracked"),
        "child_proportions": child,
        "speed_unit": "m/s"
        if (m_per_px_marks is not None or height_m is not None)
        else "body heights per second (no height or floor distance given)",
        "form": form,
    }
    if not result.bouts:
        reason = result.video["no_walking_reason"]
        result.notes.append(f"no walking was found: {reason}")
    elif reasons:
        result.notes.append(
            "shots without walking: "
            + ", ".join(
                f"{x['shot'] + 1} ({x['no_walking_reason']})"
                for x in shot_info
                if x["no_walking_reason"]
            )
        )
    return result

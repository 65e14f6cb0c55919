"""Form checks per backward bout, one per common tip (``data/video/form.toml``).

Each check returns a cue dict: the tip it serves, its Learn entries, the value
measured, whether it looks fine, and a plain-words message.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np

from retrowalk.video.body import FEET
from retrowalk.video.gait import Contact
from retrowalk.video.pose import (
    LEFT_EAR,
    LEFT_HIP,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_EAR,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)


@cache
def form_rules() -> dict[str, Any]:
    """The thresholds and wording of the checks."""
    text = (files("retrowalk") / "data" / "video" / "form.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _cue(key: str, ok: bool, value: float | None, message: str) -> dict[str, Any]:
    rule = form_rules()[key]
    return {
        "check": key,
        "tip": rule["tip"],
        "learn": list(rule["learn"]),
        "links": [f"/learn/{x}" for x in rule["learn"]],
        "value": None if value is None else round(float(value), 3),
        "ok": bool(ok),
        "message": message,
    }


def head_check(kp: np.ndarray, frames: slice, travel: int) -> dict[str, Any]:
    """Share of time the head is turned towards the travel side or bent down."""
    rule = form_rules()["look_ahead"]
    k = kp[frames]
    ears = (k[:, LEFT_EAR, :2] + k[:, RIGHT_EAR, :2]) / 2
    d = k[:, NOSE, :2] - ears
    ok = np.isfinite(d).all(axis=1)
    if not ok.any():
        return _cue("look_ahead", True, None, "The head was not visible enough to check.")
    d = d[ok]
    turned = np.sign(d[:, 0]) == travel  # nose points where you are going: looking back
    down = np.degrees(np.arctan2(d[:, 1], np.abs(d[:, 0]) + 1e-9)) > rule["down_deg"]
    share = float(np.mean(turned | down))
    fine = share <= rule["max_share"]
    msg = rule["ok"] if fine else rule["cue"].format(share=share)
    return _cue("look_ahead", fine, share, msg)


def step_check(back: list[Contact], forward: list[Contact]) -> dict[str, Any]:
    """Backward step length against forward walking, or against leg length."""
    rule = form_rules()["shorter_steps"]
    back_len = float(np.nanmedian([c.length_leg for c in back]))
    if forward:
        fwd_len = float(np.nanmedian([c.length_leg for c in forward]))
        ratio = back_len / fwd_len
        fine = ratio <= rule["max_ratio_to_forward"]
        text = f"{ratio:.0%} of your forward steps"
        msg = rule["ok"] if fine else rule["cue"].format(value=text)
        return _cue("shorter_steps", fine, ratio, msg)
    fine = back_len <= rule["max_leg_lengths"]
    text = f"{back_len:.2f} leg lengths"
    msg = rule["ok"] if fine else rule["cue"].format(value=text)
    return _cue("shorter_steps", fine, back_len, msg)


def contact_check(kp: np.ndarray, contacts: list[Contact], fps: float) -> dict[str, Any]:
    """Share of contacts where the toe is lower than the heel as the foot lands."""
    rule = form_rules()["toe_then_heel"]
    votes = []
    for c in contacts:
        heel, toe, _ = FEET[c.side]
        i = round(c.frame)
        lo = max(i - max(int(fps // 15), 1), 0)
        dy = kp[lo : i + 1, toe, 1] - kp[lo : i + 1, heel, 1]  # image y grows downwards
        dy = dy[np.isfinite(dy)]
        if len(dy) and c.leg_px > 0:
            votes.append(float(np.mean(dy)) / c.leg_px)
    if not votes:
        return _cue("toe_then_heel", True, None, "The feet were not visible enough to check.")
    share = float(np.mean(np.asarray(votes) > rule["margin_leg"]))
    fine = share >= rule["min_share"]
    msg = (rule["ok"] if fine else rule["cue"]).format(share=share)
    return _cue("toe_then_heel", fine, share, msg)


def trunk_check(kp: np.ndarray, frames: slice, facing: int) -> dict[str, Any]:
    """Mean trunk angle from vertical, positive when leaning the way the body faces."""
    rule = form_rules()["upright"]
    k = kp[frames]
    sh = (k[:, LEFT_SHOULDER, :2] + k[:, RIGHT_SHOULDER, :2]) / 2
    hp = (k[:, LEFT_HIP, :2] + k[:, RIGHT_HIP, :2]) / 2
    v = sh - hp
    v = v[np.isfinite(v).all(axis=1)]
    if not len(v):
        return _cue("upright", True, None, "The trunk was not visible enough to check.")
    angle = float(np.degrees(np.arctan2(facing * np.median(v[:, 0]), -np.median(v[:, 1]))))
    fine = -rule["max_backward_deg"] <= angle <= rule["max_forward_deg"]
    msg = (rule["ok"] if fine else rule["cue"]).format(angle=angle)
    return _cue("upright", fine, angle, msg)


def form_cues(
    kp: np.ndarray, back: list[Contact], forward: list[Contact], fps: float
) -> list[dict[str, Any]]:
    """All four checks for one backward bout."""
    frames = slice(int(back[0].frame), int(back[-1].frame) + 1)
    travel = back[0].travel
    facing = -travel
    return [
        head_check(kp, frames, travel),
        step_check(back, forward),
        contact_check(kp, back, fps),
        trunk_check(kp, frames, facing),
    ]

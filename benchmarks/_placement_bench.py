"""Placement detection on real recordings: accuracy per place, in-sample and leave-one-person-out.

Cases (truth in brackets): phone-steps (front/back pocket [pocket]; hand,
swinging arm, arm band, neck pouch, purse [unsupported]; no gyroscope), the
phyphox exports of device-exports (front and back pocket [pocket]; walking and
jumping in place with the phone in the hand [unsupported]; no gyroscope), the
Sensor Logger export of device-exports (a phone held in the hand, with
gyroscope [unsupported]),
ipol-gait lower back [lower_back] and feet [foot], mobgap-lab lower back
[lower_back], motion-capture pelvis [lower_back] and thigh [pocket] (all with
gyroscope), and the lower backs and thighs again without their gyroscope
(lower back [unsupported]: acceleration alone cannot tell it from a phone in
the hand; thigh [pocket]).

The thresholds of :class:`~retrowalk.gait.placement.PlacementDetector` that
separate a thigh from the rest (``thigh_gyro_rads`` with a gyroscope;
``thigh_symmetry``, ``thigh_swing_deg`` and ``thigh_impact_mps2`` without), and
the one that tells a hand from a lower back with a gyroscope
(``lower_back_reorient_deg``), are refitted with each person left out and
applied to that person (LOSO column). There is one recording of a hand with a
gyroscope: with it left out, nothing in the rest shows where a hand begins, so
that fold keeps every lower back (the rule is off) and its LOSO call is wrong.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from _data import data_root, ipol_trial_ids, load_ipol_trial, load_mobgap, mobgap_names
from _direction_data import mocap_trials, phone_cases
from retrowalk.core.recording import Recording
from retrowalk.gait.placement import PlacementDetector, placement_features
from retrowalk.io import read_recording

POCKET_PLACES = {"frontpocket", "backpocket"}

#: phyphox exports (device-exports/phyphox): file name part -> (place, truth).
PHYPHOX_PLACES = {
    "walking_front_pocket": ("phyphox front pocket", "pocket"),
    "walking_back_pocket": ("phyphox back pocket", "pocket"),
    "walking_hand": ("phyphox hand", "unsupported"),
    "jumping_stationary_hand": ("phyphox hand, jumping", "unsupported"),
}


@dataclass
class Case:
    person: str
    place: str  # reported group
    truth: str
    gyro: bool
    features: dict[str, float]


def _features(rec: Recording, gyro: bool) -> dict[str, float]:
    n = min(rec.n_samples, int(3600 * rec.sampling_rate_hz))
    g = rec.gyro_rads[:n] if (gyro and rec.gyro_rads is not None) else None
    return placement_features(rec.acc_mps2[:n], g, rec.sampling_rate_hz)


def placement_cases() -> list[Case]:
    """Every real case with its features (computed once)."""
    cases = []
    for c in phone_cases():
        place = c.position.lower()
        truth = "pocket" if place in POCKET_PLACES else "unsupported"
        cases.append(
            Case(f"phone {c.person}", f"phone {place}", truth, False, _features(c.recording, False))
        )
    for path in sorted((data_root() / "device-exports" / "phyphox").glob("phyphox390_*.csv")):
        stem = path.stem.removeprefix("phyphox390_")
        kind, person = stem.rsplit("_", 1)
        if kind in PHYPHOX_PLACES:
            place, truth = PHYPHOX_PLACES[kind]
            rec = read_recording(path)
            cases.append(Case(f"phyphox {person}", place, truth, False, _features(rec, False)))
    logger = data_root() / "device-exports" / "sensor-logger" / "ronin_shopping_mall_eight"
    if logger.is_dir():
        rec = read_recording(logger)
        cases.append(
            Case(
                "sensor-logger",
                "Sensor Logger hand, gyro",
                "unsupported",
                True,
                _features(rec, True),
            )
        )
    for tid in ipol_trial_ids():
        for sensor in ("lb", "lf"):
            rec, meta = load_ipol_trial(tid, sensor)
            person = f"ipol {meta['subject']}"
            if sensor == "lb":
                cases.append(
                    Case(person, "ipol lower back", "lower_back", True, _features(rec, True))
                )
                cases.append(
                    Case(
                        person,
                        "ipol lower back, no gyro",
                        "unsupported",
                        False,
                        _features(rec, False),
                    )
                )
            else:
                cases.append(Case(person, "ipol foot", "foot", True, _features(rec, True)))
    for name in mobgap_names():
        rec, _ = load_mobgap(name)
        person = f"mobgap {name[:6]}"
        cases.append(Case(person, "mobgap lower back", "lower_back", True, _features(rec, True)))
        cases.append(
            Case(person, "mobgap lower back, no gyro", "unsupported", False, _features(rec, False))
        )
    for tr in mocap_trials():
        person = f"mocap {tr.person}"
        cases.append(Case(person, "mocap pelvis", "lower_back", True, _features(tr.pelvis, True)))
        cases.append(Case(person, "mocap thigh", "pocket", True, _features(tr.thigh, True)))
        cases.append(
            Case(person, "mocap thigh, no gyro", "pocket", False, _features(tr.thigh, False))
        )
    return cases


def _decide(feats: dict[str, float], params: dict[str, float]) -> str:
    det = PlacementDetector(**params)
    det.features_ = feats
    det.reason_ = ""
    return det._decide(feats)[0]


def _balanced(cases: list[Case], params: dict[str, float]) -> float:
    right: dict[str, list[bool]] = defaultdict(list)
    for c in cases:
        right[c.place].append(_decide(c.features, params) == c.truth)
    return float(np.mean([np.mean(v) for v in right.values()]))


def _middle(values: list[float]) -> float:
    return float(np.median(values))


def _fit_plain(cases: list[Case]) -> dict[str, float]:
    """Symmetry, swing and impact thresholds without a gyroscope, fitted together.

    Every combination of the grid is scored at once (mean per-place accuracy of
    the pocket / unsupported call); ties: the middle of each threshold.
    """
    plain = [c for c in cases if not c.gyro and "symmetry" in c.features]
    s_cand = np.round(np.arange(0.3, 0.95, 0.025), 3)
    w_cand = np.round(np.arange(5.0, 12.0, 0.2), 2)
    i_cand = np.round(np.arange(10.0, 25.0, 0.5), 1)
    sym = np.array([c.features["symmetry"] for c in plain])
    swing = np.array([c.features["swing_deg"] for c in plain])
    impact = np.array([c.features["acc_p99_mps2"] for c in plain])
    is_pocket = np.array([c.truth == "pocket" for c in plain])
    places = sorted({c.place for c in plain})
    member = np.array([[c.place == p for c in plain] for p in places], dtype=np.float64)
    called = (
        (sym[None, None, None, :] <= s_cand[:, None, None, None])
        & (swing[None, None, None, :] >= w_cand[None, :, None, None])
        & (impact[None, None, None, :] >= i_cand[None, None, :, None])
    )
    right = (called == is_pocket).astype(np.float64)
    score = (right @ member.T / member.sum(axis=1)).mean(axis=-1)
    top = np.argwhere(score == score.max())
    return {
        "thigh_symmetry": _middle([float(s_cand[i]) for i in top[:, 0]]),
        "thigh_swing_deg": _middle([float(w_cand[i]) for i in top[:, 1]]),
        "thigh_impact_mps2": _middle([float(i_cand[i]) for i in top[:, 2]]),
    }


def _fit_reorient(cases: list[Case], params: dict[str, float]) -> float:
    """Hand or lower back, with a gyroscope: the turn against gravity while walking.

    Candidates: halfway between neighbouring values, and infinity (the rule
    off), scored by the mean per-place accuracy over the cases with a
    gyroscope that are lower backs or unsupported; ties: the middle.
    """
    cases = [c for c in cases if c.gyro and c.truth in ("lower_back", "unsupported")]
    v = sorted({round(c.features.get("reorient_deg", 0.0), 3) for c in cases})
    cand = [(a + b) / 2 for a, b in pairwise(v)] + [float("inf")]
    scores = [(_balanced(cases, {**params, "lower_back_reorient_deg": t}), t) for t in cand]
    best = max(s for s, _ in scores)
    return _middle([t for s, t in scores if s == best])


def fit_thresholds(cases: list[Case]) -> dict[str, float]:
    """Thresholds maximising the mean per-place accuracy (ties: the middle)."""
    out = _fit_plain(cases)
    gyro = [c for c in cases if c.gyro and c.truth in ("pocket", "lower_back")]
    g = sorted({round(c.features.get("gyro_p95_rads", 0.0), 3) for c in gyro})
    g_cand = [(a + b) / 2 for a, b in pairwise(g)] or [2.4]
    off = {**out, "lower_back_reorient_deg": float("inf")}
    scores = [(_balanced(gyro, {**off, "thigh_gyro_rads": t}), t) for t in g_cand]
    best = max(s for s, _ in scores)
    out = {"thigh_gyro_rads": _middle([t for s, t in scores if s == best]), **out}
    return {**out, "lower_back_reorient_deg": _fit_reorient(cases, out)}


def placement_table() -> None:
    """Per-place accuracy: shipped defaults, in-sample refit, leave-one-person-out."""
    cases = placement_cases()
    people = sorted({c.person for c in cases})
    loso: dict[int, str] = {}
    for person in people:
        params = fit_thresholds([c for c in cases if c.person != person])
        for i, c in enumerate(cases):
            if c.person == person:
                loso[i] = _decide(c.features, params)
    fitted = fit_thresholds(cases)
    default = {k: getattr(PlacementDetector(), k) for k in fitted}
    print("\n== PLACEMENT (detected placement right, % of recordings)")
    print(f"shipped thresholds {default}; fitted on all {fitted}")
    print(
        f"{'place':<30}{'truth':<13}{'n':>4}{'target':>8}{'shipped':>9}{'LOSO':>7}"
        "   called (shipped)"
    )
    groups: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(cases):
        groups[c.place].append(i)
    for place, idx in groups.items():
        truth = cases[idx[0]].truth
        shipped = [_decide(cases[i].features, default) for i in idx]
        right = 100 * np.mean([s == truth for s in shipped])
        right_loso = 100 * np.mean([loso[i] == truth for i in idx])
        calls: dict[str, int] = defaultdict(int)
        for s in shipped:
            calls[s] += 1
        called = ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
        print(
            f"{place:<30}{truth:<13}{len(idx):>4}{'100':>8}{right:>9.1f}{right_loso:>7.1f}"
            f"   {called}"
        )

"""Body-anchor thresholds chosen leave-one-person-out, and how they hold.

The anchors (:mod:`retrowalk.gait.direction.anchor`) have thresholds that
decide *when* an anchor is used: the smallest brief trunk flexion at the lower
back, the thigh-swing asymmetry and range in a pocket. Here each is chosen on
all people but one and applied to the one left out.

Truth: every recording used is forward walking. The body's forward axis is
known for ipol-gait (sensor -Z) and mobgap-lab (sensor +z); for phones in a
trouser pocket (axes unknown) it is the direction of travel, from the travel
cue (which points forward for 86-100 % of a left-out person's steps). An
anchor is *right* when its forward axis lies within 90 degrees of the truth.

Selection rule on the training people: fewest people with any wrong anchor
first, then the largest mean share of bout time anchored right.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np

from _data import ipol_trial_ids, load_ipol_trial, load_mobgap, mobgap_names
from _direction_data import phone_cases
from retrowalk.core.recording import Recording
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.direction import WalkingDirectionClassifier, step_evidence, travel_vectors
from retrowalk.gait.direction.anchor import BodyAnchorEstimator
from retrowalk.pipeline import AnalysisOptions, analyze

LOWER_BACK_GRID = {
    "min_flexion_deg": [25.0, 30.0, 35.0, 40.0, 45.0],
}
SHIPPED = BodyAnchorEstimator()
THIGH_GRID = {
    "min_thigh_asymmetry_deg": [6.0, 8.0, 10.0, 12.0, 15.0, 18.0],
    "min_thigh_range_deg": [20.0, 25.0, 30.0, 35.0],
}


@dataclass
class AnchorCase:
    """One forward recording ready for re-anchoring."""

    person: str
    group: str
    placement: str
    acc: np.ndarray
    fs: float
    bouts: list[tuple[int, int]]
    stretch: np.ndarray
    step_s: float
    truth: list[np.ndarray]  # per stretch: a forward direction in device axes
    weight: list[float]  # per stretch: bout time, s


def _case(
    rec: Recording, person: str, group: str, placement: str, axis: np.ndarray | None
) -> AnchorCase | None:
    result = analyze(rec, AnalysisOptions(placement=placement))
    fs = rec.sampling_rate_hz
    bouts = [(round(b.start_s * fs), round(b.end_s * fs)) for b in result.bouts]
    if not bouts:
        return None
    ic = np.array([round(s.time_s * fs) for s in result.steps], dtype=np.int64)
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, fs)
    clf = WalkingDirectionClassifier()
    ev = step_evidence(frame, bouts, ic, max_turn_rate_rads=clf.max_turn_rate_rads)
    stretch = clf.stretches(ev)
    gaps = np.diff(ic)
    step_s = float(np.median(gaps)) / fs if gaps.size else 0.55
    travel = travel_vectors(ev.odd)
    truth, weight = [], []
    for s in range(int(stretch.max()) + 1 if stretch.size else 0):
        members = np.isin(ev.windows.bout_index, np.flatnonzero(stretch == s))
        use = members & ~ev.turning
        if axis is not None:
            truth.append(np.asarray(axis, dtype=np.float64))
        else:
            truth.append(travel[use].mean(axis=0) if use.any() else np.zeros(3))
        weight.append(sum((bouts[b][1] - bouts[b][0]) / fs for b in np.flatnonzero(stretch == s)))
    return AnchorCase(
        person, group, placement, rec.acc_mps2, fs, bouts, stretch, step_s, truth, weight
    )


def anchor_cases() -> list[AnchorCase]:
    """Forward recordings: ipol-gait and mobgap-lab lower back, phones in a trouser pocket."""
    cases: list[AnchorCase | None] = []
    for tid in ipol_trial_ids():
        rec, meta = load_ipol_trial(tid, "lb")
        cases.append(
            _case(
                rec,
                f"ipol {meta['subject']}",
                "ipol lower back",
                "lower_back",
                np.array([0, 0, -1.0]),
            )
        )
    for name in mobgap_names():
        rec, _ = load_mobgap(name)
        cases.append(
            _case(
                rec, f"mobgap {name[:6]}", "mobgap lower back", "lower_back", np.array([0, 0, 1.0])
            )
        )
    for c in phone_cases():
        if c.position.lower() in ("frontpocket", "backpocket"):
            cases.append(
                _case(
                    c.recording, f"phone {c.person}", f"phone {c.position.lower()}", "pocket", None
                )
            )
    return [c for c in cases if c is not None]


def _score(case: AnchorCase, params: dict[str, Any]) -> tuple[float, float, float]:
    """Bout time anchored right, anchored wrong, and in all (s)."""
    est = BodyAnchorEstimator(case.placement, **params)
    anchors = est.estimate(case.acc, case.fs, case.bouts, case.stretch, case.step_s).anchors_
    right = wrong = 0.0
    for anchor, truth, w in zip(anchors, case.truth, case.weight, strict=False):
        if anchor.forward_unit is None or not np.any(truth):
            continue
        if float(anchor.forward_unit @ truth) > 0:
            right += w
        else:
            wrong += w
    return right, wrong, float(sum(case.weight))


def _grid(placement: str) -> list[dict[str, float]]:
    grid = LOWER_BACK_GRID if placement == "lower_back" else THIGH_GRID
    return [dict(zip(grid, values, strict=True)) for values in product(*grid.values())]


def choose(cases: list[AnchorCase], placement: str, table: dict) -> dict[str, float]:
    """The grid point with the fewest people wrong, then the most time anchored right."""
    best: tuple[float, float, float] | None = None
    chosen: dict[str, float] = {}
    people = sorted({c.person for c in cases})
    for k, params in enumerate(_grid(placement)):
        wrong_people, shares = 0, []
        for person in people:
            mine = [table[(id(c), k)] for c in cases if c.person == person]
            right = sum(m[0] for m in mine)
            wrong = sum(m[1] for m in mine)
            total = max(sum(m[2] for m in mine), 1e-9)
            wrong_people += wrong > 0
            shares.append(right / total)
        # ties: the point nearest the shipped thresholds (no evidence to move them)
        near = -sum(abs(v - getattr(SHIPPED, n)) / max(abs(getattr(SHIPPED, n)), 1e-9)
                    for n, v in params.items())  # fmt: skip
        key = (-float(wrong_people), round(float(np.mean(shares)), 4), near)
        if best is None or key > best:
            best, chosen = key, params
    return chosen


def anchor_loso_table() -> dict[str, dict[str, float]]:
    """Print anchor thresholds and their figures; return the LOSO parameters per person."""
    cases = anchor_cases()
    loso_params: dict[str, dict[str, float]] = {}
    print("\n== BODY ANCHORS (share of forward bout time anchored right / wrong, %)")
    for placement in ("lower_back", "pocket"):
        mine = [c for c in cases if c.placement == placement]
        grid = _grid(placement)
        table = {(id(c), k): _score(c, p) for c in mine for k, p in enumerate(grid)}
        shipped = {k: getattr(BodyAnchorEstimator(), k) for k in grid[0]}
        table_shipped = {id(c): _score(c, shipped) for c in mine}
        fitted = choose(mine, placement, table)
        print(f"{placement}: shipped {shipped}; chosen on all people {fitted}")
        people = sorted({c.person for c in mine})
        loso: dict[int, tuple[float, float, float]] = {}
        for person in people:
            train = [c for c in mine if c.person != person]
            params = choose(train, placement, table)
            loso_params[person] = params
            k = grid.index(params)
            for c in mine:
                if c.person == person:
                    loso[id(c)] = table[(id(c), k)]
        groups: dict[str, list[AnchorCase]] = defaultdict(list)
        for c in mine:
            groups[c.group].append(c)
        print(
            f"  {'data set':<22}{'n':>4}{'shipped right':>15}{'wrong':>7}"
            f"{'LOSO right':>12}{'wrong':>7}"
        )
        for group, items in groups.items():

            def share(
                src: dict[int, tuple[float, float, float]],
                i: int,
                items: list[AnchorCase] = items,
            ) -> float:
                total = sum(src[id(c)][2] for c in items)
                return 100.0 * sum(src[id(c)][i] for c in items) / max(total, 1e-9)

            print(
                f"  {group:<22}{len(items):>4}{share(table_shipped, 0):>15.1f}"
                f"{share(table_shipped, 1):>7.1f}{share(loso, 0):>12.1f}{share(loso, 1):>7.1f}"
            )
    return loso_params

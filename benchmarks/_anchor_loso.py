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

At the lower back the grid also holds the checks that make one brief bend
enough (``min_checked_flexions``: a bend along the walking travel axis, about
the body's left-right axis, with the device back in its posture afterwards).
Their negative cases are real handled devices: every phone-steps recording,
the phyphox walks and the Sensor Logger walk (a phone in the hand, in a
pocket, a purse, a neck pouch, on an arm; put in and taken out) analysed as if
worn at the lower back. Those walks are forward, so an anchor there against
the stretch's travel (which would call the walk backward) is wrong; each of
their people counts as one more person. ``--anchors`` of ``direction.py``
prints the table (the lower-back rows per data set).

The turn lever arm's checks (``LEVER_GRID``: the longest lever arm, the
smallest clarity, the largest angle to the travel axis, the weighed share of
turns that must agree) are chosen the same way in a second pass, with the
bend checks at their shipped values; both anchors together decide the
lower back's anchor (``trunk_anchor``), so each pass scores the combination.

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
from _direction_data import handled_recordings, phone_cases
from retrowalk.core.recording import Recording
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.direction import (
    WalkingDirectionClassifier,
    step_evidence,
    stretch_travel_axes,
    travel_vectors,
)
from retrowalk.gait.direction.anchor import BodyAnchor, BodyAnchorEstimator
from retrowalk.pipeline import AnalysisOptions, analyze

LOWER_BACK_GRID: dict[str, list[float]] = {
    "min_flexion_deg": [25.0, 30.0, 35.0, 40.0, 45.0],
    "min_checked_flexions": [1, 2],
    "max_flexion_travel_deg": [15.0, 20.0, 30.0, 45.0, 90.0],
    "max_flexion_resettle_deg": [10.0, 15.0, 20.0, 30.0, 180.0],
    "max_flexion_start_deg": [10.0, 15.0, 20.0, 30.0, 180.0],
    "min_flexion_pitch_share": [0.0, 0.5, 0.7, 0.9],
}
#: The turn lever arm's checks (:mod:`retrowalk.gait.direction.lever`), chosen
#: with the bend checks at their shipped values.
LEVER_GRID = {
    "max_lever_m": [0.3, 0.5, 1.0, 100.0],
    "min_lever_se_ratio": [0.0, 2.0, 3.0, 5.0, 8.0],
    "max_lever_travel_deg": [20.0, 30.0, 45.0, 60.0, 90.0],
    "min_lever_agreement": [0.5, 0.75, 1.0],
}
#: Grid entries that change which excursions and turns are found (the rest only judge them).
FINDING = ("min_flexion_deg", "turn_rate_rads", "min_turn_deg")
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
    gyro: np.ndarray | None = None
    travel_axes: list[np.ndarray | None] | None = None


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
        person, group, placement, rec.acc_mps2, fs, bouts, stretch, step_s, truth, weight,
        rec.gyro_rads, stretch_travel_axes(ev, clf),
    )  # fmt: skip


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
    cases.extend(handled_cases())
    return [c for c in cases if c is not None]


def handled_cases() -> list[AnchorCase | None]:
    """Real phones carried and handled, analysed as a lower back (forward walks)."""
    return [
        _case(rec, f"handled {person}", f"handled {group} as lower back", "lower_back", None)
        for person, group, rec in handled_recordings()
    ]


_FOUND: dict[tuple[int, tuple[Any, ...]], BodyAnchorEstimator] = {}


def _anchors(case: AnchorCase, params: dict[str, Any]) -> list[BodyAnchor]:
    """The case's anchors with ``params``: the excursions found once per finding setting."""
    est = BodyAnchorEstimator(case.placement, **params)
    key = (id(case), tuple(params.get(k) for k in FINDING))
    found = _FOUND.get(key)
    if found is None:
        found = BodyAnchorEstimator(case.placement, **params).estimate(
            case.acc, case.fs, case.bouts, case.stretch, case.step_s,
            travel_axes=case.travel_axes, gyro_rads=case.gyro,
        )  # fmt: skip
        _FOUND[key] = found
    return [
        a if seen is None else est.trunk_anchor(seen, turns)
        for a, seen, turns in zip(found.anchors_, found.flexions_, found.turns_, strict=True)
    ]


def _score(case: AnchorCase, params: dict[str, Any]) -> tuple[float, float, float]:
    """Bout time anchored right, anchored wrong, and in all (s)."""
    anchors = _anchors(case, params)
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
    grid = {"lower_back": LOWER_BACK_GRID, "lower_back turns": LEVER_GRID}.get(
        placement, THIGH_GRID
    )
    return [dict(zip(grid, values, strict=True)) for values in product(*grid.values())]


def _handled(person: str) -> bool:
    """A handled device's person: its anchors can only be wrong, never earn time."""
    return person.startswith("handled ")


@dataclass
class Table:
    """Per grid point and person: bout time anchored right and wrong, and in all (s)."""

    people: list[str]
    right: np.ndarray  # (grid points, people)
    wrong: np.ndarray
    total: np.ndarray  # (people,)

    @classmethod
    def of(cls, cases: list[AnchorCase], grid: list[dict[str, Any]]) -> Table:
        people = sorted({c.person for c in cases})
        col = {p: i for i, p in enumerate(people)}
        right = np.zeros((len(grid), len(people)))
        wrong = np.zeros_like(right)
        total = np.zeros(len(people))
        for c in cases:
            j = col[c.person]
            total[j] += sum(c.weight)
            for k, params in enumerate(grid):
                r, w, _ = _score(c, params)
                right[k, j] += r
                wrong[k, j] += w
        return cls(people, right, wrong, total)


def choose(table: Table, grid: list[dict[str, Any]], leave_out: str = "") -> dict[str, Any]:
    """The grid point with the fewest people wrong, then the most time anchored right.

    The share anchored right is the mean over the people who wear the device
    where it is analysed (a handled device's people count only when wrong).
    """
    train = np.array([p != leave_out for p in table.people])
    earns = train & np.array([not _handled(p) for p in table.people])
    wrong_people = (table.wrong[:, train] > 0).sum(axis=1)
    share = (table.right[:, earns] / np.maximum(table.total[earns], 1e-9)).mean(axis=1)
    # ties: the point nearest the shipped thresholds (no evidence to move them)
    near = np.array([
        -sum(abs(v - getattr(SHIPPED, n)) / max(abs(getattr(SHIPPED, n)), 1e-9)
             for n, v in params.items())
        for params in grid
    ])  # fmt: skip
    order = np.lexsort((near, np.round(share, 4), -wrong_people))
    return grid[int(order[-1])]


def anchor_loso_table() -> dict[str, dict[str, float]]:
    """Print anchor thresholds and their figures; return the LOSO parameters per person."""
    cases = anchor_cases()
    loso_params: dict[str, dict[str, float]] = {}
    print("\n== BODY ANCHORS (share of forward bout time anchored right / wrong, %)")
    for placement in ("lower_back", "lower_back turns", "pocket"):
        mine = [c for c in cases if c.placement == placement.split()[0]]
        grid = _grid(placement)
        table = Table.of(mine, grid)
        shipped = {k: getattr(BodyAnchorEstimator(), k) for k in grid[0]}
        table_shipped = {id(c): _score(c, shipped) for c in mine}
        fitted = choose(table, grid)
        print(f"{placement}: shipped {shipped}; chosen on all people {fitted}")
        people = sorted({c.person for c in mine})
        loso: dict[int, tuple[float, float, float]] = {}
        for person in people:
            params = choose(table, grid, leave_out=person)
            loso_params[person] = {**loso_params.get(person, {}), **params}
            for c in mine:
                if c.person == person:
                    loso[id(c)] = _score(c, params)
            moved = {k: v for k, v in params.items() if v != shipped[k]}
            if moved:
                print(f"  {person} left out: {moved}")
        groups: dict[str, list[AnchorCase]] = defaultdict(list)
        for c in mine:
            groups[c.group].append(c)
        print(
            f"  {'data set':<44}{'n':>4}{'shipped right':>15}{'wrong':>7}"
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
                f"  {group:<44}{len(items):>4}{share(table_shipped, 0):>15.1f}"
                f"{share(table_shipped, 1):>7.1f}{share(loso, 0):>12.1f}{share(loso, 1):>7.1f}"
            )
    return loso_params

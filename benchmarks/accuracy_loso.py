"""Accuracy on people the engine was not tuned on: held-out figures only.

Run: ``python benchmarks/accuracy_loso.py [--quick] [--only SECTION] [--trials]``
(about 5 minutes; ``--quick`` searches a smaller grid; ``--trials`` lists the
ipol-gait trials whose held-out step count is wrong, and where).

Every constant fitted on data is chosen here leave-one-subject-out: for each
person, the value that does best on all the *other* people is applied to that
person, and only the figures of the people left out are printed (pooled over
all folds). Nothing printed is a figure of the people a value was tuned on.

- **ipol-gait, lower back** (Voisard et al. 2023, A reference data set for the
  study of healthy subject gait with inertial measurements units, IPOL; 12
  people, 70 trials of 10 m + U-turn + 10 m), on 11 people at a time and in
  stages: the contact detector's amplitude rules (``relative_prominence``
  and the turning-step rule ``turning_relative_prominence`` /
  ``turning_rate_rads``), then the rules at the ends of a walk (the
  initiation filter's prominence ratio, the closing contact's absolute and
  relative floors), then, one at a time, the repeated search for the weak last
  steps of a stop (``ClosingContactDetector.repeat_relative_prominence`` and
  ``repeat_min_steps``), the rule against two
  contacts within about half a step of each other at a turn
  (``turning_min_step_ratio``) and how soon after a walk's last contact the
  closing contact is searched (``ClosingContactDetector.window_steps``)
  and which weak contacts the walk's rhythm needs (``RhythmContactFilter``);
  every contact stage by the contacts wrong per trial, missed plus extra plus
  the count's error (both targets weigh: see ``_cost``), then the fewest steps
  miscounted; then the timing markers'
  cut-offs and search window by timing MAE among settings that detect no
  worse; the impact delay is re-fitted on the same 11 people (the median
  timing error of their contacts is taken off the held-out person's).
  Printed: absolute step-count error per trial, recall, precision, timing MAE,
  and where the misses and extras sit (gait initiation, U-turn, termination,
  straight walking); and whether the foot sensors show a foot landing at a
  matched contact and at an extra one: loosely (a swing ends nearby), and
  strictly (a stride of the foot analyser that the reference lacks: the
  reference leaves out a few pivoting steps of the U-turn, but most extra
  contacts there are on none).
- **Step length and walking speed** (15 people: ipol-gait segments against the
  foot sensors' stride lengths, mobgap-lab bouts against the INDIP reference;
  Salis et al. 2023, A multi-sensor wearable system for the assessment of
  diseased gait in real-world conditions): the pendulum factor ``K``, the
  excursion floor ``h_floor_m`` and the turning correction ``turn_rad0`` of
  :class:`~retrowalk.gait.spatial.TrunkStepLength` are chosen on 14 people (both
  data sets weighing equally) and applied to the 15th. Printed: per-bout
  walking speed error against INDIP, the reference's way (the mean of the step
  speeds inside the reference bout, as INDIP averages its strides) and as
  distance over time, stride length and cadence error. A step is
  inside a reference bout when it starts and ends there (within the contact
  tolerance): the step that ends on the bout's first contact came before it.
  Step lengths are the analysis's own: worked out over each bout ``analyze``
  reports, whole (the limit on a step far longer than its neighbours looks at
  the bout's steps, which reach beyond a reference bout or segment), then the
  reference bout's or segment's steps are taken.
- **The ends of a walk** (handling a phone before and after walking, a
  hesitation): the rule that drops contacts far weaker than the walk's steps
  at either end of a bout (:class:`~retrowalk.gait.bouts.WeakEdgeFilter`, its
  prominence ratio and run length) and the one that drops contacts cut off
  from either end by a hesitation (``BoutEdgeFilter.max_stride_ratio``; the
  contact stages above use the shipped values of both) are chosen together
  on 17 of 18 people (ipol-gait's 12, the 3 of the phone recordings, the 3
  of mocap-backward at the pelvis and the thigh), the three data sets
  weighing equally (steps miscounted as a share of their
  true steps: missed plus extra contacts on ipol-gait, the count's error on
  the others), and applied to the 18th. Printed: the held-out figures of
  each data set and the choice per fold.
- **Contacts in mid-step at the lower back** (slow walking whose vertical
  acceleration peaks twice per step): the contrast of the step signal's
  autocorrelation at two contact intervals over one at which
  :class:`~retrowalk.gait.contacts.MidStepContactFilter` thins a stretch
  (``None``: the rule off), together with the rule against a contact
  splitting one step (``TrunkContactDetector.min_two_step_ratio``: each rule
  thins contacts, and each changes what the other sees; the contact stages
  above use the shipped value), is chosen on 17 of 18 people (ipol-gait's 12,
  mobgap-lab's 3, the 3 of mocap-backward at the pelvis), the three data sets
  weighing equally (steps miscounted as a share of their true steps: missed
  plus extra contacts on ipol-gait and inside mobgap-lab's reference bouts,
  the count's error at the pelvis), and applied to the 18th. Printed: the
  held-out figures of each data set and the choice per fold.
- **Real phones** (Oxford Step Counter data set, 3 people, 48 recordings,
  true step counts): nothing else is tuned on them; the figures are those of
  the shipped settings (the rules at the ends of a walk as the folds chose them).
  Printed per place: mean and mean absolute step-count error, with the
  placement the engine decided (``unsupported`` = placement refused; steps are
  still counted there); and, for a pocket, what smoother contact settings
  would gain on these long walks and lose on short and backward walks at the
  thigh (mocap-backward).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data
from accuracy import (
    FEET,
    TOLERANCE_S,
    SpeedCase,
    bout_step_lengths,
    match,
    speed_cases,
)
from retrowalk.gait.contacts import TrunkContactDetector
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.pipeline.trunk import STEP_MAX_S, TrunkPipeline

FS = 100.0
TOL = TOLERANCE_S * FS

CONTACT_GRID: dict[str, tuple[float, ...]] = {
    "relative_prominence": (0.2, 0.25, 0.3),
    "turning_relative_prominence": (0.1, 0.15, 0.2),
    "turning_rate_rads": (0.8, 1.2, 1.6),
}
#: Second stage, with each fold's amplitude rules fixed: the rules at the ends
#: of a walk (the weight shift before the first step, the soft closing step).
#: The shipped value is listed first: a tie (the cost is flat) keeps it.
END_GRID: dict[str, tuple[Any, ...]] = {
    "initiation.max_prominence_ratio": (0.4, 0.3, 0.5),
    "closing.min_relative_prominence": (0.01, 0.0, 0.005),
    "closing.min_prominence_mps2": (0.05, 0.03, 0.08),
}
#: The last amplitude stage: which weak contacts at the lower back must keep the
#: walk's rhythm to stay (:class:`~retrowalk.gait.contacts.RhythmContactFilter`:
#: the strength under which a contact is weak, ``None``: the rule off; the span
#: without it, in typical step times, at which a step is missing, ``None``: only
#: a pause). The shipped values are listed first.
RHYTHM_STAGE: dict[str, tuple[Any, ...]] = {
    "rhythm.min_strength": (0.35, None, 0.4),
    "rhythm.min_span_steps": (None, 1.6, 2.0),
}
#: Then, one after another with what was chosen before fixed: whether the
#: closing-contact search goes on after a step-like find
#: (the share of the bout's step prominence that makes it step-like, ``inf``:
#: never; how many step times later the next search starts); how close two
#: contacts at a turn may be before the weaker is dropped (``None``: no such
#: rule); how soon after a bout's last contact the closing contact is
#: searched (in step times; the window's end stays at 1.4). The shipped values
#: are listed first.
EDGE_STAGES: list[dict[str, tuple[Any, ...]]] = [
    {
        "closing.repeat_relative_prominence": (0.1, 0.15, float("inf")),
        "closing.repeat_min_steps": (0.8, 0.7),
    },
    {"turning_min_step_ratio": (0.55, None, 0.4, 0.45, 0.5, 0.6)},
    {"closing.window_steps": ((0.5, 1.4), (0.4, 1.4))},
    RHYTHM_STAGE,
]
#: The two rules at the ends of a walk that also act on phones, chosen on the
#: three data sets together: the weak-ends rule (``None``: off) and how long a
#: hesitation at either end may be before the contacts beyond it are dropped
#: (first or last stride over the bout's median stride; 100: the rule off).
#: The shipped values are listed first.
ENDS_GRID: dict[str, tuple[Any, ...]] = {
    "weak.min_prominence_ratio": (0.15, None, 0.2),
    "weak.min_run": (3, 4),
    "edges.max_stride_ratio": (1.25, 1.5, 100.0),
}
#: Last stage, with the amplitude, end and edge rules fixed: where the contact is
#: placed in time (``None``: the wide search window; see TrunkContactDetector).
TIMING_GRID: dict[str, tuple[Any, ...]] = {
    "vertical_cutoff_hz": (8.0, 12.0),
    "jerk_cutoff_hz": (4.0, 5.0),
    "timing_search_before_s": (None, 0.15, 0.2),
}
#: The mid-step rule at the lower back and the rule against a contact splitting
#: one step, chosen on ipol-gait, mobgap-lab and the motion-capture walks at the
#: pelvis together (``None``: the rule off). The shipped values are listed first.
MIDSTEP_GRID: dict[str, tuple[Any, ...]] = {
    "midstep.min_contrast": (0.6, 0.4, 0.5, 0.7, 0.8, None),
    "min_two_step_ratio": (1.2, 1.3, 1.4, None),
}
#: Step-length constants ``(K, h_floor_m, turn_rad0)`` searched (``turn_rad0``
#: ``None``: turning steps keep their pendulum length).
SPEED_GRID = [
    (k, h0, t0)
    for k in (1.30, 1.35, 1.40, 1.45, 1.50, 1.55)
    for h0 in (0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009)
    for t0 in (None, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
]
QUICK_GRID: dict[str, tuple[float, ...]] = {
    "relative_prominence": (0.25,),
    "turning_relative_prominence": (0.1, 0.2),
    "turning_rate_rads": (1.2,),
}
TARGETS = {
    "abs step error": "<= 2 %",
    "recall": ">= 98 %",
    "precision": ">= 98 %",
    "timing MAE": "<= 25 ms",
    "mobgap-lab speed MAE": "<= 8 %",
    "phones, pocket": "abs step error <= 3 %",
    "phones, other places": "abs step error <= 5 % (or placement refused)",
}


# --------------------------------------------------------------------------- #
# ipol-gait lower back: contacts
# --------------------------------------------------------------------------- #


@dataclass
class TrialScore:
    """Contact matching of one trial under one parameter set."""

    subject: int
    tp: int
    fp: int
    fn: int
    n_ref: int
    count_err_pct: float
    errors_ms: np.ndarray
    zones: Counter = field(default_factory=Counter)  # ("extra"|"missed", zone) -> count
    trial: str = ""


def _zone(sample: int, ref: np.ndarray, uturn: tuple[int, int]) -> str:
    """Where a contact sits: the first two or last two reference steps, the U-turn, or not."""
    k = int(np.searchsorted(ref, sample))
    if k <= 1:
        return "initiation"
    if k >= ref.size - 1:
        return "termination"
    if uturn[0] - 0.2 * FS <= sample <= uturn[1] + 0.2 * FS:
        return "U-turn"
    return "straight"


def score_trial(steps_s: np.ndarray, meta: dict[str, Any]) -> TrialScore:
    lo, hi = meta["trial_boundaries"]
    det = np.round(steps_s * FS).astype(np.int64)
    det = det[(det >= lo - TOL) & (det <= hi + TOL)]
    ref = meta["ic"]
    pairs = match(det, ref, TOL)
    zones: Counter = Counter()
    used_d = {i for i, _ in pairs}
    used_r = {j for _, j in pairs}
    for i in set(range(det.size)) - used_d:
        zones[("extra", _zone(int(det[i]), ref, meta["uturn_boundaries"]))] += 1
    for j in set(range(ref.size)) - used_r:
        zones[("missed", _zone(int(ref[j]), ref, meta["uturn_boundaries"]))] += 1
    errors = np.array([(det[i] - ref[j]) * 1000.0 / FS for i, j in pairs])
    return TrialScore(
        subject=meta["subject"],
        tp=len(pairs),
        fp=det.size - len(pairs),
        fn=ref.size - len(pairs),
        n_ref=int(ref.size),
        count_err_pct=100.0 * (det.size - ref.size) / max(ref.size, 1),
        errors_ms=errors,
        zones=zones,
        trial=f"{meta['subject']}-{meta['trial']}",
    )


def where(trials: list[TrialScore]) -> str:
    """Where the trials' missed and extra contacts sit (:func:`_zone`), most first."""
    zones: Counter = Counter()
    for t in trials:
        zones.update(t.zones)
    return ", ".join(
        f"{what} {zone} {n}"
        for (what, zone), n in sorted(zones.items(), key=lambda kv: (kv[0][0], -kv[1]))
    )


def contact_scores(
    grid: dict[str, tuple[Any, ...]], base: dict[str, Any] | None = None
) -> tuple[list[dict], dict]:
    """Every trial scored under every grid point: ``(grid points, {point index: scores})``."""
    trials = _ipol_trials()
    points = [
        {**(base or {}), **dict(zip(grid, values, strict=True))}
        for values in product(*grid.values())
    ]
    scores: dict[int, list[TrialScore]] = {}
    for k, params in enumerate(points):
        pipeline = _pipeline(params)
        out = []
        for rec, meta in trials:
            options = AnalysisOptions(placement="lower_back", height_m=meta["height_m"])
            result = analyze(rec, options, pipelines={"trunk": pipeline})
            out.append(score_trial(np.array([s.time_s for s in result.steps]), meta))
        scores[k] = out
    return points, scores


def _pipeline(params: dict[str, Any]) -> TrunkPipeline:
    """The trunk pipeline with these settings (``initiation.`` / ``closing.`` prefixes)."""
    from retrowalk.gait.bouts import BoutEdgeFilter, GaitInitiationFilter, WeakEdgeFilter
    from retrowalk.gait.contacts import (
        ClosingContactDetector,
        MidStepContactFilter,
        RhythmContactFilter,
    )

    parts: dict[str, dict[str, Any]] = {
        "detector": {},
        "initiation": {},
        "closing": {},
        "edges": {},
        "weak": {},
        "midstep": {},
        "rhythm": {},
    }
    for key, value in params.items():
        owner, _, name = key.rpartition(".")
        parts[owner or "detector"][name] = value
    return TrunkPipeline(
        contact_detector=TrunkContactDetector(**parts["detector"]),
        initiation_filter=GaitInitiationFilter(**parts["initiation"]),
        closing_detector=ClosingContactDetector(**parts["closing"]),
        edge_filter=BoutEdgeFilter(**parts["edges"]),
        weak_edge_filter=WeakEdgeFilter(**parts["weak"]),
        mid_step_filter=MidStepContactFilter(**parts["midstep"]),
        rhythm_filter=RhythmContactFilter(**parts["rhythm"]),
    )


_TRIALS: list = []


def _ipol_trials() -> list:
    if not _TRIALS:
        _TRIALS.extend(_data.load_ipol_trial(t, "lb") for t in _data.ipol_trial_ids())
    return _TRIALS


def _timing_mae(trials: list[TrialScore]) -> float:
    """Timing MAE with the delay fitted on these trials (their median error taken off)."""
    err = np.concatenate([t.errors_ms for t in trials])
    return float(np.abs(err - np.median(err)).mean())


def _cost(trials: list[TrialScore]) -> tuple[int, float]:
    """Contacts wrong per trial, summed: missed plus extra plus the count's error
    (``fp + fn + |fp - fn|``, twice the larger of the two), then the steps
    miscounted as a share of each trial's steps.

    Both targets weigh: an extra contact and a missed one in the same trial
    cost 2 (the count is right), two extra contacts cost 4 (it is two off).
    Judged by missed plus extra alone, a rule that drops an extra contact and
    a real one at once costs nothing, though it moves the count.
    """
    return (
        sum(t.fp + t.fn + abs(t.fp - t.fn) for t in trials),
        float(np.sum([abs(t.count_err_pct) for t in trials])),
    )


@dataclass
class HeldOutContacts:
    """Every ipol-gait trial scored with the contact settings chosen without its person."""

    trials: list[TrialScore]
    errors_ms: np.ndarray  # timing errors, the delay re-fitted without the trial's person
    chosen: Counter  # settings chosen, how many folds
    people: int


def held_out_contacts(grid: dict[str, tuple[float, ...]], timing: bool = True) -> HeldOutContacts:
    """Stages per fold, each chosen on the training people only.

    Amplitude rules, then the rules at the ends of a walk, then the edge and
    step-splitting rules one at a time (each by the fewest contacts wrong:
    missed plus extra plus the count's error, :func:`_cost`; then the fewest
    steps miscounted), then where the contact is placed in time (by timing
    MAE, among the settings that detect no worse than the fold's choice so
    far).
    """
    points, scores = contact_scores(grid)
    subjects = sorted({t.subject for t in scores[0]})

    def train(table: list[TrialScore], s: int) -> list[TrialScore]:
        return [t for t in table if t.subject != s]

    stage1 = {s: min(scores, key=lambda k: _cost(train(scores[k], s))) for s in subjects}
    end_tables = {k: contact_scores(END_GRID, base=points[k]) for k in set(stage1.values())}
    stage2: dict[int, tuple[dict, list[TrialScore]]] = {}
    for s in subjects:
        e_points, e_scores = end_tables[stage1[s]]
        j = min(e_scores, key=lambda j: _cost(train(e_scores[j], s)))
        stage2[s] = (e_points[j], e_scores[j])
    for stage in EDGE_STAGES:
        stage_tables: dict[tuple, tuple[list[dict], dict]] = {}
        for params, _ in stage2.values():
            key = tuple(params.items())
            if key not in stage_tables:
                stage_tables[key] = contact_scores(stage, base=params)
        for s in subjects:
            g_points, g_scores = stage_tables[tuple(stage2[s][0].items())]
            j = min(g_scores, key=lambda j: _cost(train(g_scores[j], s)))
            stage2[s] = (g_points[j], g_scores[j])
    timing_tables: dict[tuple, tuple[list[dict], dict]] = {}
    if timing:
        for params, _ in stage2.values():
            key = tuple(params.items())
            if key not in timing_tables:
                timing_tables[key] = contact_scores(TIMING_GRID, base=params)
    held: list[TrialScore] = []
    errors: list[np.ndarray] = []
    chosen: Counter = Counter()
    for s in subjects:
        params, table = stage2[s]
        if timing:
            t_points, t_scores = timing_tables[tuple(params.items())]
            limit = _cost(train(table, s))[0]
            fair = [j for j in t_scores if _cost(train(t_scores[j], s))[0] <= limit]
            if fair:
                j = min(fair, key=lambda j: _timing_mae(train(t_scores[j], s)))
                params, table = t_points[j], t_scores[j]
        chosen[tuple(params.values())] += 1
        train_err = np.concatenate([t.errors_ms for t in train(table, s)])
        delay_shift = float(np.median(train_err))
        mine = [t for t in table if t.subject == s]
        held.extend(mine)
        errors.extend(t.errors_ms - delay_shift for t in mine)
    return HeldOutContacts(held, np.concatenate(errors), chosen, len(subjects))


def contact_loso(
    grid: dict[str, tuple[float, ...]], timing: bool = True, trials: bool = False
) -> list[str]:
    """The held-out contact figures (:func:`held_out_contacts`); ``trials``: also list
    the held-out trials whose count is wrong."""
    out = held_out_contacts(grid, timing)
    held, err, chosen = out.trials, out.errors_ms, out.chosen
    tp = sum(t.tp for t in held)
    fp = sum(t.fp for t in held)
    fn = sum(t.fn for t in held)
    count = np.array([t.count_err_pct for t in held])
    edge_names = [name for stage in EDGE_STAGES for name in stage]
    names = [*grid, *END_GRID, *edge_names, *(TIMING_GRID if timing else {})]
    lines = [
        f"== ipol-gait lower back, leave-one-subject-out ({out.people} people, {len(held)} trials)",
        f"  abs step-count error per trial  {np.abs(count).mean():6.2f} %   "
        f"(signed {count.mean():+.2f} %)   target {TARGETS['abs step error']}",
        f"  recall                          {100 * tp / (tp + fn):6.2f} %   "
        f"target {TARGETS['recall']}",
        f"  precision                       {100 * tp / (tp + fp):6.2f} %   "
        f"target {TARGETS['precision']}",
        f"  contact timing MAE              {np.abs(err).mean():6.1f} ms  "
        f"(mean {err.mean():+.1f} ms, delay re-fitted per fold)   "
        f"target {TARGETS['timing MAE']}",
        f"  reference contacts {tp + fn}, detected {tp + fp}",
        "  where the misses and extras are: " + where(held),
        f"  chosen per fold ({', '.join(names)}): "
        + ", ".join(f"{p} x{n}" for p, n in chosen.most_common()),
    ]
    if trials:
        lines.append(
            "  trials whose step count is wrong (held out): trial, true, found, where the "
            "extra (+) and missed (-) contacts are"
        )
        for t in held:
            if t.tp + t.fp != t.n_ref:
                lines.append(
                    f"    {t.trial:<6} {t.n_ref:3d} {t.tp + t.fp:3d} {t.tp + t.fp - t.n_ref:+d}   "
                    + ", ".join(
                        f"{'+' if what == 'extra' else '-'}{n} {zone}"
                        for (what, zone), n in sorted(t.zones.items())
                    )
                )
    return lines


def _foot_landings(rec: Any, min_rate_rads: float = 3.0, min_swing_s: float = 0.1) -> np.ndarray:
    """Samples where a foot sensor's swing ends (angular rate falls below ``min_rate_rads``)."""
    from retrowalk.dsp.filters import lowpass

    rate = lowpass(np.linalg.norm(rec.gyro_rads, axis=1), 10.0, FS)
    edges = np.diff((rate > min_rate_rads).astype(np.int8), prepend=0, append=0)
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return ends[(ends - starts) >= min_swing_s * FS]


def extras_check() -> list[str]:
    """Are the extra contacts real foot placements the reference left out?

    Two looks, at the shipped settings. First, loose: whether either foot
    sensor shows a swing ending between 0.3 s before and 0.15 s after a
    detected contact (matched contacts give the rate for real steps). In a
    U-turn the feet swivel and swing often, so this window catches much that
    is not a step. Second, strict: the strides that the foot analyser
    (:class:`~retrowalk.gait.foot.FootGaitAnalyzer`: the foot at rest, then
    moved at least 10 cm or rotated, then at rest again) finds on each foot,
    compared with that foot's reference contacts: a foot contact with no
    reference contact of the same foot within the tolerance is a foot
    placement the reference left out, and an extra contact near one is a real
    step, not a false one.
    """
    from retrowalk.gait.foot import FootGaitAnalyzer

    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    feet: Counter = Counter()
    for trial in _data.ipol_trial_ids():
        rec, meta = _data.load_ipol_trial(trial, "lb")
        options = AnalysisOptions(placement="lower_back", height_m=meta["height_m"])
        lo, hi = meta["trial_boundaries"]
        u0, u1 = meta["uturn_boundaries"]
        det = np.round(np.array([s.time_s for s in analyze(rec, options).steps]) * FS)
        det = det[(det >= lo - TOL) & (det <= hi + TOL)].astype(np.int64)
        landings, unreferenced = [], []
        for side, key in FEET:
            foot = _data.load_ipol_trial(trial, side)[0]
            landings.append(_foot_landings(foot))
            own = FootGaitAnalyzer().analyze(foot.acc_mps2, foot.gyro_rads, FS).strides_
            own = own["ic_sample"].to_numpy(np.int64)
            own = own[(own >= lo - TOL) & (own <= hi + TOL)]
            ref = meta[key]
            seen = np.array([ref.size > 0 and np.min(np.abs(ref - c)) <= TOL for c in own])
            in_turn = (own >= u0 - 0.2 * FS) & (own <= u1 + 0.2 * FS)
            feet["U-turn"] += int(in_turn.sum())
            feet["U-turn, not in the reference"] += int((in_turn & ~seen).sum())
            feet["elsewhere"] += int((~in_turn).sum())
            feet["elsewhere, not in the reference"] += int((~in_turn & ~seen).sum())
            unreferenced.append(own[~seen])
        swings = np.concatenate(landings)
        extra_steps = np.concatenate(unreferenced)
        matched = {i for i, _ in match(det, meta["ic"], TOL)}
        for i, c in enumerate(det):
            if i in matched:
                key = "matched"
            else:
                zone = _zone(int(c), meta["ic"], meta["uturn_boundaries"])
                key = "extra at the U-turn" if zone == "U-turn" else "extra elsewhere"
            near = bool(np.any((swings >= c - 0.3 * FS) & (swings <= c + 0.15 * FS)))
            counts[key][0] += near
            counts[key][1] += 1
            if key != "matched":
                step = bool(np.any(np.abs(extra_steps - c) <= TOL))
                counts[f"{key} (strict)"][0] += step
                counts[f"{key} (strict)"][1] += 1

    def share(key: str) -> str:
        k, n = counts[key]
        return f"{key.removesuffix(' (strict)')} {100 * k / max(n, 1):.0f} % ({k}/{n})"

    return [
        "  foot sensors show a swing ending near: "
        + ", ".join(share(k) for k in ("matched", "extra at the U-turn", "extra elsewhere")),
        f"  foot strides (foot analyser) the reference lacks: U-turn "
        f"{feet['U-turn, not in the reference']} of {feet['U-turn']}, elsewhere "
        f"{feet['elsewhere, not in the reference']} of {feet['elsewhere']}; "
        "extra contacts on such a stride: "
        + ", ".join(share(k) for k in ("extra at the U-turn (strict)", "extra elsewhere (strict)")),
    ]


# --------------------------------------------------------------------------- #
# Weak ends of a walk: ipol-gait, phones and mocap-backward together
# --------------------------------------------------------------------------- #


@dataclass
class CountUnit:
    """One recording's steps under one setting: miscounted of ``truth`` true steps."""

    dataset: str
    person: str
    place: str
    found: int
    truth: int
    miscounted: int


def _ipol_units(pipeline: TrunkPipeline) -> list[CountUnit]:
    """Every ipol-gait lower-back trial's contacts against its reference, under ``pipeline``."""
    units: list[CountUnit] = []
    for rec, meta in _ipol_trials():
        options = AnalysisOptions(placement="lower_back", height_m=meta["height_m"])
        result = analyze(rec, options, pipelines={"trunk": pipeline})
        t = score_trial(np.array([s.time_s for s in result.steps]), meta)
        units.append(
            CountUnit("ipol", f"ipol-{t.subject}", "lower back", t.tp + t.fp, t.n_ref, t.fp + t.fn)
        )
    return units


def ends_units(params: dict[str, Any]) -> list[CountUnit]:
    """Every recording of the three data sets with the rules at the ends set to ``params``."""
    from _direction_data import mocap_trials

    pipeline = _pipeline(params)
    units = _ipol_units(pipeline)
    for _, person, place, rec, truth in _phone_rows():
        n = sum(b.n_steps for b in _steps(rec, pipeline=pipeline).bouts)
        units.append(CountUnit("phones", f"phone-{person}", place, n, truth, abs(n - truth)))
    for trial in mocap_trials():
        truth = sum(int(s.get("steps_true", 0)) for s in trial.segments)
        for place, placement in (("thigh", "pocket"), ("pelvis", "lower_back")):
            n = len(_steps(getattr(trial, place), placement, pipeline).steps)
            units.append(
                CountUnit("mocap", f"mocap-{trial.person}", place, n, truth, abs(n - truth))
            )
    return units


def _ends_cost(units: list[CountUnit], excluded: str) -> float:
    """Mean over the data sets of steps miscounted, % of their true steps."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for u in units:
        if u.person != excluded:
            per[u.dataset][0] += u.miscounted
            per[u.dataset][1] += u.truth
    return float(np.mean([100.0 * a / max(b, 1) for a, b in per.values()]))


def _held_out_counts(
    points: list[dict[str, Any]], table: list[list[CountUnit]]
) -> tuple[list[CountUnit], Counter]:
    """Each person's counts under the setting chosen on everyone else (:func:`_ends_cost`),
    and how often each setting was chosen."""
    held: list[CountUnit] = []
    chosen: Counter = Counter()
    for person in sorted({u.person for u in table[0]}):
        k = min(range(len(points)), key=lambda k: round(_ends_cost(table[k], person), 9))
        chosen[tuple(points[k].values())] += 1
        held.extend(u for u in table[k] if u.person == person)
    return held, chosen


def ends_loso() -> list[str]:
    """The rules at the ends chosen on all people but one, per person; held-out figures."""
    points = [dict(zip(ENDS_GRID, v, strict=True)) for v in product(*ENDS_GRID.values())]
    points = [p for p in points if p["weak.min_prominence_ratio"] or p["weak.min_run"] == 3]
    table = [ends_units(p) for p in points]
    held, chosen = _held_out_counts(points, table)
    n_people = len({u.person for u in held})
    ipol = [u for u in held if u.dataset == "ipol"]
    lines = [
        f"== the ends of a walk (weak ends, hesitations), leave-one-subject-out "
        f"({n_people} people: ipol-gait, phones, mocap-backward)",
        f"  ipol-gait lower back: steps miscounted (missed + extra) "
        f"{sum(u.miscounted for u in ipol)} of {sum(u.truth for u in ipol)}",
    ]
    by_place: dict[str, list[float]] = defaultdict(list)
    for u in held:
        if u.dataset == "phones":
            by_place[u.place].append(100.0 * (u.found - u.truth) / u.truth)
    lines += [
        f"  phones {place:<14} abs step error {np.mean(np.abs(e)):5.2f} %  "
        f"(mean {np.mean(e):+5.2f} %)"
        for place, e in sorted(by_place.items(), key=lambda kv: "pocket" not in kv[0])
    ]
    for place in ("thigh", "pelvis"):
        mine = [u for u in held if u.dataset == "mocap" and u.place == place]
        lines.append(
            f"  mocap-backward {place}: steps found {sum(u.found for u in mine)} of "
            f"{sum(u.truth for u in mine)} true"
        )
    lines.append(
        f"  chosen per fold ({', '.join(ENDS_GRID)}): "
        + ", ".join(f"{p} x{n}" for p, n in chosen.most_common())
    )
    return lines


# --------------------------------------------------------------------------- #
# Contacts in mid-step at the lower back: ipol-gait, mobgap-lab, mocap pelvis
# --------------------------------------------------------------------------- #


def midstep_units(params: dict[str, Any]) -> list[CountUnit]:
    """Every lower-back recording of the three data sets, the mid-step rule set to ``params``."""
    from _direction_data import mocap_trials

    pipeline = _pipeline(params)
    units = _ipol_units(pipeline)
    for name in _data.mobgap_names():
        rec, meta = _data.load_mobgap(name)
        steps = _steps(rec, "lower_back", pipeline).steps
        det = np.round(np.array([s.time_s for s in steps]) * FS).astype(np.int64)
        for wb in meta["walking_bouts"]:
            lo, hi = wb["start"] - TOL, wb["end"] + TOL
            mine = det[(det >= lo) & (det <= hi)]
            ref = meta["ic"][(meta["ic"] >= lo) & (meta["ic"] <= hi)]
            hits = len(match(mine, ref, TOL))
            units.append(
                CountUnit(
                    "mobgap", f"mobgap-{name[:6]}", "lower back", mine.size, ref.size,
                    mine.size + ref.size - 2 * hits,
                )
            )  # fmt: skip
    for trial in mocap_trials():
        truth = sum(int(s.get("steps_true", 0)) for s in trial.segments)
        n = len(_steps(trial.pelvis, "lower_back", pipeline).steps)
        units.append(
            CountUnit("mocap", f"mocap-{trial.person}", trial.trial, n, truth, abs(n - truth))
        )
    return units


def midstep_loso() -> list[str]:
    """The mid-step and split-step rules chosen on all people but one, per person;
    held-out figures (in brackets: both rules off)."""
    points = [dict(zip(MIDSTEP_GRID, v, strict=True)) for v in product(*MIDSTEP_GRID.values())]
    table = [midstep_units(p) for p in points]
    held, chosen = _held_out_counts(points, table)
    n_people = len({u.person for u in held})
    off = next(k for k, p in enumerate(points) if all(v is None for v in p.values()))
    lines = [
        f"== contacts in mid-step and splitting a step at the lower back, "
        f"leave-one-subject-out ({n_people} people: ipol-gait, mobgap-lab, mocap-backward "
        "pelvis); both rules off in brackets"
    ]
    for dataset, what in (
        ("ipol", "contacts missed + extra"),
        ("mobgap", "contacts missed + extra in the reference bouts"),
    ):
        mine = [u for u in held if u.dataset == dataset]
        base = [u for u in table[off] if u.dataset == dataset]
        lines.append(
            f"  {dataset}: {what} {sum(u.miscounted for u in mine)} "
            f"({sum(u.miscounted for u in base)}) of {sum(u.truth for u in mine)}, "
            f"found {sum(u.found for u in mine)} ({sum(u.found for u in base)})"
        )
    mine = [u for u in held if u.dataset == "mocap"]
    base_found = {u.place: u.found for u in table[off] if u.dataset == "mocap"}
    lines.append(
        f"  mocap-backward pelvis: steps found {sum(u.found for u in mine)} "
        f"({sum(base_found.values())}) of {sum(u.truth for u in mine)} true; changed walks: "
        + ", ".join(
            f"{u.place} {u.found} ({base_found[u.place]}) of {u.truth}"
            for u in mine
            if u.found != base_found[u.place]
        )
    )
    lines.append(
        f"  chosen per fold ({', '.join(MIDSTEP_GRID)}): "
        + ", ".join(f"{p} x{n}" for p, n in chosen.most_common())
    )
    return lines


# --------------------------------------------------------------------------- #
# Step length and speed: ipol-gait foot sensors and mobgap-lab INDIP
# --------------------------------------------------------------------------- #


def _case_errors(
    case: SpeedCase, k: float, h0: float, t0: float | None, known: dict[tuple, np.ndarray]
) -> dict[str, float] | None:
    """The case's errors at these constants; ``known``: step lengths per recording already
    worked out at them (keyed on the recording's steps and the constants)."""
    from retrowalk.gait.spatial import TrunkStepLength

    key = (id(case.steps), k, h0, t0)
    if key not in known:
        model = TrunkStepLength(k_factor=k, h_floor_m=h0, turn_rad0=t0)
        known[key] = bout_step_lengths(case.steps, case.leg_m, model)
    lengths = known[key][case.inside]
    dur = case.steps["dur"][case.inside]
    ok = np.isfinite(lengths) & (dur <= STEP_MAX_S)
    if not ok.any():
        return None
    if case.kind == "distance":
        return {"distance": 100.0 * (float(np.sum(lengths[ok])) / case.reference["distance_m"] - 1)}
    step_speed = float(np.mean(lengths[ok] / dur[ok]))
    total_speed = float(np.sum(lengths[ok]) / np.sum(dur[ok]))
    stride = 2.0 * float(np.mean(lengths[ok]))
    walking = dur <= STEP_MAX_S  # the bout's cadence: its steps over their time
    cadence = 60.0 * float(np.count_nonzero(walking)) / float(np.sum(dur[walking]))
    ref_v, ref_s = case.reference["speed_mps"], case.reference["stride_m"]
    return {
        "speed": 100.0 * (step_speed / ref_v - 1.0),
        "speed_total": 100.0 * (total_speed / ref_v - 1.0),
        "stride": 100.0 * (stride / ref_s - 1.0),
        "cadence": 100.0 * (cadence / case.reference["cadence_spm"] - 1.0),
    }


def held_out_speed(
    grid: list[tuple[float, float, float | None]],
) -> tuple[dict[str, list[float]], Counter, int]:
    """Each person's step-length and speed errors (%) with the constants chosen on the
    others, by figure (``"mobgap speed"``, ``"ipol distance"`` ...); the constants chosen
    and how many folds chose them; how many people."""
    cases = speed_cases()
    known: dict[tuple, np.ndarray] = {}
    table = {g: [_case_errors(c, *g, known) for c in cases] for g in grid}
    people = sorted({c.person for c in cases})

    def cost(g: tuple[float, float, float | None], excluded: str) -> float:
        per: dict[str, list[float]] = defaultdict(list)
        for c, e in zip(cases, table[g], strict=True):
            if e is None or c.person == excluded:
                continue
            per[c.dataset].append(abs(e["distance"] if c.dataset == "ipol" else e["speed"]))
        return float(np.mean([np.mean(v) for v in per.values()]))

    held: dict[str, list[float]] = defaultdict(list)
    chosen: Counter = Counter()
    for person in people:
        g = min(grid, key=lambda g: cost(g, person))
        chosen[g] += 1
        for c, e in zip(cases, table[g], strict=True):
            if c.person == person and e is not None:
                for key, value in e.items():
                    held[f"{c.dataset} {key}"].append(value)
                    if c.part:
                        held[f"{c.dataset} {c.part} {key}"].append(value)
    return held, chosen, len(people)


def speed_loso(grid: list[tuple[float, float, float | None]]) -> list[str]:
    held, chosen, people = held_out_speed(grid)

    def row(key: str, label: str, target: str = "") -> str:
        v = np.array(held[key])
        return (
            f"  {label:<52} MAE {np.abs(v).mean():5.1f} %  (mean {v.mean():+5.1f} %, "
            f"n={v.size}){'   target ' + target if target else ''}"
        )

    return [
        f"== step length and speed, leave-one-subject-out ({people} people)",
        row(
            "mobgap speed",
            "mobgap-lab bout speed vs INDIP (mean step speed)",
            TARGETS["mobgap-lab speed MAE"],
        ),
        row("mobgap speed_total", "mobgap-lab bout speed vs INDIP (distance / time)"),
        row("mobgap stride", "mobgap-lab stride length vs INDIP"),
        row("mobgap cadence", "mobgap-lab cadence vs INDIP (steps / walking time)"),
        row("ipol distance", "ipol-gait segment distance vs foot sensors"),
        row("ipol straight distance", "  of which the straight 10 m walks"),
        row("ipol U-turn distance", "  of which the U-turns"),
        "  (K, h_floor_m, turn_rad0) chosen per fold: "
        + ", ".join(f"{g} x{n}" for g, n in chosen.most_common()),
    ]


# --------------------------------------------------------------------------- #
# Real phones
# --------------------------------------------------------------------------- #


#: Contact-detector settings compared for a phone in a trouser pocket.
POCKET_GRID: dict[str, tuple[float, ...]] = {
    "coarse_cutoff_hz": (2.0, 2.5, 3.0),
    "relative_prominence": (0.3, 0.45, 0.6),
}


def _phone_rows() -> list[tuple[str, str, str, Any, int]]:
    """``(folder, person, place, recording, true steps)`` of every phone-steps recording."""
    from realdata import phone_steps_recordings
    from retrowalk.io import read_recording

    try:
        rows = phone_steps_recordings()
    except BaseException:  # realdata skips (raises) when the data are absent
        return []
    return [
        (folder, folder.split("_")[1], folder.split("_")[3].lower(), read_recording(path), truth)
        for folder, path, truth in rows
    ]


def _steps(rec: Any, placement: str = "auto", pipeline: TrunkPipeline | None = None) -> Any:
    pipelines = {"trunk": pipeline} if pipeline is not None else None
    return analyze(rec, AnalysisOptions(placement=placement), pipelines=pipelines)


def phone_counts() -> list[str]:
    """Step counts of real phones (shipped settings), and the pocket trade-off."""
    rows = _phone_rows()
    if not rows:
        return ["== real phones: phone-steps not present, not measured"]
    by_place: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for _, _, place, rec, truth in rows:
        result = _steps(rec)
        steps = sum(b.n_steps for b in result.bouts)
        by_place[place].append((100.0 * (steps - truth) / truth, str(result.placement)))
    lines = [
        "== real phones (phone-steps, 3 people; shipped settings: only the rules at the ends "
        "of a walk were chosen with them, leave-one-subject-out)"
    ]
    for place, items in sorted(by_place.items(), key=lambda kv: "pocket" not in kv[0]):
        err = np.array([e for e, _ in items])
        decided = Counter(p for _, p in items)
        target = TARGETS["phones, pocket" if "pocket" in place else "phones, other places"]
        lines.append(
            f"  {place:<14} n={err.size:2d}  abs step error {np.abs(err).mean():5.2f} %  "
            f"(mean {err.mean():+5.2f} %, worst {err[np.argmax(np.abs(err))]:+5.1f} %)  "
            f"placement {dict(decided)}   target {target}"
        )
    pocket = np.array([e for p, v in by_place.items() if "pocket" in p for e, _ in v])
    other = np.array([e for p, v in by_place.items() if "pocket" not in p for e, _ in v])
    lines.append(
        f"  all pockets: abs {np.abs(pocket).mean():.2f} %; all other places: "
        f"abs {np.abs(other).mean():.2f} %"
    )
    return lines + pocket_tradeoff([r for r in rows if "pocket" in r[2]])


def pocket_tradeoff(pockets: list[tuple[str, str, str, Any, int]]) -> list[str]:
    """Why a phone in a pocket keeps the trunk detector: smoother settings lose short walks.

    Long phone walks (phone-steps) count best with a smoother step signal and a
    higher relative floor, but the same settings drop steps of short walks and
    of backward walking at the thigh (mocap-backward: 2-4 s forward walks of
    two people and one 16 s forward-and-backward walk, true steps from the
    motion capture's feet), which is what a 3-metre backward walk test is.
    """
    from _direction_data import mocap_trials

    trials = mocap_trials()
    truth = [sum(int(s.get("steps_true", 0)) for s in t.segments) for t in trials]
    truth_09 = sum(x for t, x in zip(trials, truth, strict=True) if t.trial.startswith("09"))
    lines = [
        "  pocket settings (coarse_cutoff_hz, relative_prominence): phones abs step error | "
        f"mocap thigh steps found of {sum(truth)} true (short walks; 09_12 with backward walking)"
    ]
    for values in product(*POCKET_GRID.values()):
        params = dict(zip(POCKET_GRID, values, strict=True))
        pipeline = TrunkPipeline(contact_detector=TrunkContactDetector(**params))
        phone_err = [
            abs(sum(b.n_steps for b in _steps(rec, "pocket", pipeline).bouts) - t) / t
            for _, _, _, rec, t in pockets
        ]
        found = [len(_steps(t.thigh, "pocket", pipeline).steps) for t in trials]
        backward = sum(f for t, f in zip(trials, found, strict=True) if t.trial.startswith("09"))
        shipped = (
            " (shipped)"
            if params == {k: getattr(TrunkContactDetector(), k) for k in params}
            else ""
        )
        lines.append(
            f"    {values}: phones {100 * np.mean(phone_err):4.1f} % | mocap {sum(found):3d}, "
            f"09_12 {backward} of {truth_09}{shipped}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller contact grid")
    parser.add_argument(
        "--only",
        choices=("contacts", "ends", "midstep", "speed", "phones"),
        help="one section only",
    )
    parser.add_argument(
        "--trials",
        action="store_true",
        help="list the ipol-gait trials whose step count is wrong (held out)",
    )
    args = parser.parse_args(argv)
    if not _data.ipol_trial_ids():
        print(f"no real recordings under {_data.data_root()}: nothing to measure")
        return 1
    t0 = time.perf_counter()
    sections = {
        "contacts": lambda: [
            *contact_loso(
                QUICK_GRID if args.quick else CONTACT_GRID,
                timing=not args.quick,
                trials=args.trials,
            ),
            *extras_check(),
        ],
        "ends": ends_loso,
        "midstep": midstep_loso,
        "speed": lambda: speed_loso(SPEED_GRID),
        "phones": phone_counts,
    }
    print("retrowalk accuracy on people left out of every fit (held-out figures only)\n")
    for name, section in sections.items():
        if args.only and name != args.only:
            continue
        print("\n".join(section()))
        print()
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Walking-direction benchmark on real recordings: targets beside measured figures.

Everything goes through :func:`retrowalk.pipeline.analyze` (detected bouts and
steps, placement given where the data set says it, else detected), once without
and once with a calibration. Accuracy rests on real recordings only:

- ``mocap-backward``: real backward and forward walking (motion capture turned
  into lower-back and thigh signals). Labelled runs of 3 s or more, each
  analysed on its own; a run is called by the majority of its steps. One
  backward-walking person: it shows failures, it cannot tune anything.
- ``phone-steps``: 48 real phones walking forward at 7 places: no step may be
  called backward.
- ``mobgap-lab`` (Test11 daily life, Test5 straight walks) and ``ipol-gait``
  lower back: forward walking only; share of detected bout time called forward
  and backward, and for mobgap-lab the share of the reference system's walking
  time (INDIP walking bouts) that lies in bouts called forward.
- ``device-exports`` phyphox jumping in place: no walking bout.
- Real phones carried and handled (phone-steps, the phyphox walks, the Sensor
  Logger walk with a gyroscope; forward walking), analysed as if worn at the
  lower back: no step may be called backward (the trunk-flexion anchor's
  checks; uncalibrated and LOSO only).
- ``ipol-gait`` feet (12 people, forward only): straight strides and bout time
  through the foot path (``_foot_bench.py``); real backward foot walking is not
  in the shared data, so those targets print "no data".
- Confidence: among calls at confidence >= 0.9, the share that is wrong, and a
  reliability table per data set and mode (bout calls per confidence bin, how
  many right); ``--calls-out`` writes every bout call to compare two versions.

Calibration (per person, the way users do it): a labelled forward walk of the
person with the same device and place - mocap: the person's other takes (for
the backward-walking person: the forward run of the same take); phones: the
other recording of the same person, phone and place; mobgap-lab: the person's
Test5 Trial1; ipol: the person's trial 1. The calibration recording itself is
never scored.

What was tuned, and on what: the travel template (lower back, ipol-gait 12 and
mobgap-lab 3 people; ``--fit-travel`` prints each person left out); the anchor
thresholds (smallest trunk flexion, the checks that let one bend anchor,
thigh-swing asymmetry and range) are chosen leave-one-person-out
(``_anchor_loso.py``, with real phones carried and handled, analysed as a
lower back, as the checks' negative cases) and the LOSO column analyses
each person with the thresholds chosen without them; the placement thresholds
the same way (``_placement_bench.py``, also printed alone with ``--placement``);
the short-run and end-run rules of the classifier likewise (``_short_runs.py``,
printed with ``--short``, with each person analysed under the rules chosen
without them; the LOSO column here does not re-run them); the number of usable steps a
calibration walk needs (``min_steps`` of the calibrator: ``_calibration_steps.py``,
printed with ``--calibration-steps``). The turn anchor's checks are chosen
with the bend checks at their shipped values (``_anchor_loso.py``).
Time reversal appears only under ``--mechanics`` (splitting, bookkeeping),
never as accuracy; so do the lower backs moved by rigid-body mechanics to the
hip and the front of the waist (where the turn anchor misleads).

Usage::

    .venv/bin/python benchmarks/direction.py                 # every table (about 6 min)
    .venv/bin/python benchmarks/direction.py --placement     # placement only
    .venv/bin/python benchmarks/direction.py --fit-travel    # refit the travel template first
    .venv/bin/python benchmarks/direction.py --mechanics     # also mechanics (reversal, moved)
    .venv/bin/python benchmarks/direction.py --travel        # only the travel cue, axis known
    .venv/bin/python benchmarks/direction.py --short         # short runs and end runs, LOSO
    .venv/bin/python benchmarks/direction.py --calibration-steps  # calibration walk length, LOSO
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _anchor_loso import anchor_loso_table
from _data import ipol_trial_ids, load_ipol_trial, load_mobgap, mobgap_names
from _direction_data import handled_recordings, jumping_recording, mocap_trials, phone_cases
from _foot_bench import foot_mechanics, foot_rows
from _placement_bench import placement_table
from _travel_daily import contact_table, travel_daily_table
from retrowalk.core.algorithm import get_params
from retrowalk.core.recording import Recording
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.calibration import calibrate
from retrowalk.gait.direction import (
    DEFAULT_LAGS,
    WalkingDirectionClassifier,
    fit_travel_template,
    step_evidence,
)
from retrowalk.gait.direction.anchor import BodyAnchorEstimator
from retrowalk.pipeline import AnalysisOptions, TrunkPipeline, analyze

TRAVEL_PATH = Path(__file__).resolve().parents[1] / "src/retrowalk/data/direction_travel.json"
MIN_RUN_S = 3.0
CONFIDENT = 0.9


@dataclass
class Tally:
    """Counts of calls against the truth, and the confident ones."""

    n: dict[str | tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    confident: list[bool] = field(default_factory=list)
    calls: list[tuple[float, bool, str]] = field(default_factory=list)

    def add(self, truth: str, call: str, weight: float = 1.0) -> None:
        self.n[(truth, call)] += weight
        self.n[truth] += weight

    def pct(self, truth: str, call: str) -> float:
        total = self.n[truth]
        return 100.0 * self.n[(truth, call)] / total if total else float("nan")

    def opposite(self) -> float:
        wrong = self.n[("forward", "backward")] + self.n[("backward", "forward")]
        total = self.n["forward"] + self.n["backward"]
        return 100.0 * wrong / total if total else float("nan")

    def confident_wrong(self) -> str:
        if not self.confident:
            return "no calls >= 0.9"
        wrong = sum(not ok for ok in self.confident)
        return f"{100.0 * wrong / len(self.confident):.1f} % of {len(self.confident)}"


#: Anchor thresholds per person for the leave-one-person-out column (person -> params);
#: empty: the shipped thresholds.
LOSO_ANCHORS: dict[str, dict[str, Any]] = {}


#: Steps called backward in calibrated analyses of forward walking (phones,
#: mobgap-lab, ipol-gait), per person, in the last :func:`collect`.
BACKWARD_STEPS: dict[str, int] = defaultdict(int)


def _run(rec: Recording, placement: str = "auto", profile: Any = None, person: str = "") -> Any:
    options = AnalysisOptions(placement=placement, direction_profile=profile)
    params = LOSO_ANCHORS.get(person)
    if not params:
        result = analyze(rec, options)
    else:
        clf = WalkingDirectionClassifier(anchor_estimator=BodyAnchorEstimator(**params))
        pipelines = {"trunk": TrunkPipeline(direction_classifier=clf)}
        result = analyze(rec, options, pipelines=pipelines)
    if profile is not None and person:  # only forward walks are analysed with a person
        BACKWARD_STEPS[person] += sum(s.direction == "backward" for s in result.steps)
    return result


def _score_bouts(result: Any, tally: Tally, truth: str, key: str = "") -> None:
    for bout in result.bouts:
        if bout.direction not in ("forward", "backward"):
            continue
        conf = float(bout.direction_confidence)
        tally.calls.append((conf, bout.direction == truth, f"{key} {bout.start_s:.2f} s"))
        if conf >= CONFIDENT:
            tally.confident.append(bout.direction == truth)


#: Every bout call of the last :func:`collect`: data set -> (confidence, right, which bout).
CALLS: dict[str, list[tuple[float, bool, str]]] = {}
RELIABILITY_BINS = (0.5, 0.75, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0001)


def print_reliability(mode: str, calls: dict[str, list[tuple[float, bool, str]]]) -> None:
    """Confidence bins against the share of calls right, per data set (a reliability table).

    Calibrated means: in each bin the share right is at least the bin's lower edge.
    """
    edges = RELIABILITY_BINS
    labels = [f"{a:.3g}-{min(b, 1.0):.3g}" for a, b in pairwise(edges)]
    print(f"\n== RELIABILITY ({mode}): bout calls per confidence bin, right/all")
    print(f"{'data set':<32}" + "".join(f"{x:>13}" for x in labels) + f"{'>= 0.9':>9}")
    for name, items in calls.items():
        cells = []
        for a, b in pairwise(edges):
            inside = [ok for c, ok, _ in items if a <= c < b]
            cells.append(f"{sum(inside)}/{len(inside)}" if inside else "-")
        high = sum(c >= CONFIDENT for c, _, _ in items)
        print(f"{name:<32}" + "".join(f"{x:>13}" for x in cells) + f"{high:>9}")


def _majority(steps: list[Any]) -> str:
    if not steps:
        return "uncertain"
    labels = [s.direction for s in steps]
    best = max(set(labels), key=labels.count)
    return best if labels.count(best) * 2 > len(labels) else "uncertain"


def _joined(recordings: list[Recording]) -> Recording:
    """Recordings of one device mounting one after another (a longer labelled walk)."""
    gyros = [r.gyro_rads for r in recordings]
    present = [g for g in gyros if g is not None]
    gyro = None if len(present) < len(gyros) else np.vstack(present)
    acc = np.vstack([r.acc_mps2 for r in recordings])
    return Recording(acc, gyro, recordings[0].sampling_rate_hz)


#: Calibrations the calibrator refused in the last :func:`collect` (who: why): those
#: analyses ran without one in the calibrated column.
REFUSED: dict[str, str] = {}
#: Labelled mocap runs of the last :func:`collect` in which no walking bout was detected
#: (counted uncertain): which run -> its true steps.
NO_BOUT: dict[str, int] = {}


#: When set, each calibration walk is cut to its first this many usable labelled
#: steps (straight, not turning), and the calibrator needs no more
#: (``--calibration-steps``).
CALIBRATION_STEPS: int | None = None


def _first_steps(
    frame: Any, bouts: list[tuple[int, int]], ic: np.ndarray, k: int
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The first bouts and contacts of a walk holding ``k`` usable steps (all, if fewer)."""
    for n in range(2, ic.size + 1):
        cut = int(ic[n - 1])
        part = [(a, min(b, cut)) for a, b in bouts if a < cut]
        if int(np.count_nonzero(~step_evidence(frame, part, ic[:n]).turning)) >= k:
            return part, ic[:n]
    return bouts, ic


def _profile(
    rec: Recording,
    placement: str,
    start_s: float = 0.0,
    end_s: float | None = None,
    who: str = "",
) -> Any:
    """A calibration from a forward walk (all its detected bouts labelled forward).

    ``None`` when the calibrator refuses the walk; why is kept in :data:`REFUSED`
    under ``who``.
    """
    part = rec.slice_s(start_s, end_s if end_s is not None else rec.duration_s)
    result = _run(part, placement)
    fs = part.sampling_rate_hz
    bouts = [(int(b.start_s * fs), int(b.end_s * fs)) for b in result.bouts]
    ic = np.array([round(s.time_s * fs) for s in result.steps], dtype=np.int64)
    if not bouts:
        REFUSED[who] = "no walking bout detected in the calibration walk"
        return None
    frame = body_frame(part.acc_mps2, part.gyro_rads, fs)
    limits: dict[str, Any] = {}
    if CALIBRATION_STEPS is not None:
        bouts, ic = _first_steps(frame, bouts, ic, CALIBRATION_STEPS)
        limits["min_steps"] = CALIBRATION_STEPS
    try:
        labels = ["forward"] * len(bouts)
        return calibrate(frame, bouts, ic, labels, placement=placement, **limits)
    except ValueError as exc:
        REFUSED[who] = str(exc)
        return None


# ---------------------------------------------------------------------- data sets


def mocap_rows(calibrated: bool) -> dict[str, Tally]:
    """Labelled runs of >= 3 s, each analysed alone; lower back and pocket."""
    out = {"lower_back": Tally(), "pocket": Tally()}
    trials = mocap_trials()
    for placement, sensor in (("lower_back", "pelvis"), ("pocket", "thigh")):
        profiles: dict[str, Any] = {}
        for tr in trials:
            rec = getattr(tr, sensor)
            runs = [r for r in tr.runs if r["direction"] in ("forward", "backward")]
            runs = [r for r in runs if r["end_s"] - r["start_s"] >= MIN_RUN_S]
            profile = None
            if calibrated and tr.person == "09":
                # The backward walker: calibrated on the forward run of the same take.
                if tr.person not in profiles:
                    fwd = next(r for r in runs if r["direction"] == "forward")
                    who = (
                        f"mocap {placement} {tr.person}: forward run "
                        f"{fwd['start_s']:.1f}-{fwd['end_s']:.1f} s of {tr.trial}"
                    )
                    profiles[tr.person] = _profile(
                        rec, placement, fwd["start_s"], fwd["end_s"], who
                    )
                runs = [r for r in runs if r["direction"] != "forward"]
                profile = profiles[tr.person]
            elif calibrated:
                # Forward walkers: calibrated on their other takes, one after another.
                others = [
                    getattr(t, sensor) for t in trials if t.person == tr.person and t is not tr
                ]
                who = f"mocap {placement} {tr.person}: its takes other than {tr.trial}"
                profile = _profile(_joined(others), placement, who=who)
            for r in runs:
                part = rec.slice_s(r["start_s"], r["end_s"])
                result = _run(part, placement, profile)
                out[placement].add(r["direction"], _majority(result.steps))
                key = f"{tr.trial} run {r['start_s']:.1f}"
                if not result.bouts:
                    true = sum(r["start_s"] <= c <= r["end_s"] for c in tr.contacts_s)
                    NO_BOUT[f"mocap {placement} {key}-{r['end_s']:.1f} s {r['direction']}"] = true
                _score_bouts(result, out[placement], r["direction"], key)
    return out


def whole_take_rows(calibrated: bool) -> dict[str, tuple[float, float, int, float, str]]:
    """The backward walker's whole take analysed at once.

    Per placement: steps in backward runs called backward and forward (%, of
    how many), steps of the forward segment called backward (%), and where the
    analysis puts the change: the bout edge nearest the labelled change, in
    true steps (mocap foot contacts) from it ("no split" without one).
    """
    out: dict[str, tuple[float, float, int, float, str]] = {}
    trial = next((t for t in mocap_trials() if t.trial == "09_12"), None)
    if trial is None:
        return out
    runs = trial.runs
    change_s = next(s["end_s"] for s in trial.segments if s["direction"] == "forward")

    def inside(t: float, direction: str) -> bool:
        return any(r["direction"] == direction and r["start_s"] <= t <= r["end_s"] for r in runs)

    for placement, sensor in (("lower_back", "pelvis"), ("pocket", "thigh")):
        rec = getattr(trial, sensor)
        profile = None
        if calibrated:
            fwd = next(r for r in runs if r["direction"] == "forward")
            who = (
                f"mocap {placement} {trial.person}: forward run "
                f"{fwd['start_s']:.1f}-{fwd['end_s']:.1f} s of {trial.trial}"
            )
            profile = _profile(rec, placement, fwd["start_s"], fwd["end_s"], who)
        result = _run(rec, placement, profile)
        back = [s for s in result.steps if inside(s.time_s, "backward")]
        ahead = [s for s in result.steps if s.time_s < change_s]
        n = max(len(back), 1)
        right = 100.0 * sum(s.direction == "backward" for s in back) / n
        wrong = 100.0 * sum(s.direction == "forward" for s in back) / n
        flipped = 100.0 * sum(s.direction == "backward" for s in ahead) / max(len(ahead), 1)
        edges = [(a.end_s + b.start_s) / 2 for a, b in pairwise(result.bouts)]
        split = "no split"
        if edges:
            edge = min(edges, key=lambda e: abs(e - change_s))
            lo, hi = sorted((edge, change_s))
            between = sum(lo < c < hi for c in trial.contacts_s)
            split = f"{between} ({edge:.2f} s)"
        out[placement] = (right, wrong, len(back), flipped, split)
    return out


def phone_rows(calibrated: bool) -> tuple[dict[str, list[int]], Tally]:
    """Steps called backward / forward / total per placement (all forward walking)."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    conf = Tally()
    cases = phone_cases()
    for case in cases:
        profile = None
        if calibrated:
            twin = case.name[:-1] + ("2" if case.name.endswith("1") else "1")
            other = next((c for c in cases if c.name.lower() == twin.lower()), None)
            profile = (
                _profile(other.recording, "auto", who=f"phone {other.name}") if other else None
            )
        result = _run(case.recording, "auto", profile, f"phone {case.person}")
        row = per[case.position.lower()]
        row[0] += sum(s.direction == "backward" for s in result.steps)
        row[1] += sum(s.direction == "forward" for s in result.steps)
        row[2] += len(result.steps)
        row[3] += case.true_steps
        _score_bouts(result, conf, "forward", case.name)
    return per, conf


def handled_rows(calibrated: bool) -> dict[str, tuple[str, Any, int, int]]:
    """Real phones carried and handled, analysed as a lower back (forward walks).

    Uncalibrated only (a calibration replaces the anchor these check): steps
    called backward and forward, per source.
    """
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for person, group, rec in handled_recordings():
        row = per[group]
        row[3] += 1
        if calibrated:
            continue
        result = _run(rec, "lower_back", None, f"handled {person}")
        row[0] += sum(s.direction == "backward" for s in result.steps)
        row[1] += sum(s.direction == "forward" for s in result.steps)
        row[2] += len(result.steps)
    if calibrated:
        return {g: ("-", "-", 0, n) for g, (_, _, _, n) in per.items()}
    return {g: (str(b), f, t, n) for g, (b, f, t, n) in per.items()}


def forward_rows(
    calibrated: bool,
) -> dict[str, tuple[float, float, float, Tally, tuple[float, float, float] | None]]:
    """Share of detected bout time forward / backward (mobgap-lab, ipol lower back).

    For mobgap-lab also the share of its reference walking time (the INDIP
    system's walking bouts, independent of this analysis) that lies in bouts
    called forward, and that reference time: detected bout time outside it
    (turns, shuffles, a few steps before sitting) does not count there. And
    the share of detected bout time not called forward that lies outside the
    reference's walking (such bouts are left uncertain on purpose).
    """
    groups: dict[str, list[tuple[str, Recording, Any, list[tuple[float, float]] | None]]]
    groups = defaultdict(list)
    names = mobgap_names()
    for name in names:
        rec, meta = load_mobgap(name)
        profile = None
        if calibrated:
            calib = name.split("_Test")[0] + "_Test5_Trial1"
            if name == calib:
                continue
            profile = _profile(load_mobgap(calib)[0], "lower_back", who=f"mobgap {calib}")
        test = "mobgap Test11" if "Test11" in name else "mobgap Test5"
        fs = rec.sampling_rate_hz
        ref: list[tuple[float, float]] | None
        ref = [(w["start"] / fs, w["end"] / fs) for w in meta["walking_bouts"]]
        groups[test].append((f"mobgap {name[:6]}", rec, profile, ref))
    first: dict[str, Any] = {}
    for tid in ipol_trial_ids():
        rec, meta = load_ipol_trial(tid, "lb")
        subject = str(meta["subject"])
        profile = None
        if calibrated:
            if subject not in first:
                first[subject] = _profile(rec, "lower_back", who=f"ipol {subject} {tid}")
                continue
            profile = first[subject]
        groups["ipol lower back"].append((f"ipol {subject}", rec, profile, None))
    out = {}
    for title, items in groups.items():
        time_by: dict[str, float] = defaultdict(float)
        conf = Tally()
        for i, (person, rec, profile, ref) in enumerate(items):
            result = _run(rec, "lower_back", profile, person)
            for bout in result.bouts:
                time_by[bout.direction] += bout.duration_s
                time_by["all"] += bout.duration_s
            for a, b in ref or []:
                time_by["reference"] += b - a
                for bout in result.bouts:
                    inside = max(0.0, min(b, bout.end_s) - max(a, bout.start_s))
                    if bout.direction == "forward":
                        time_by["reference forward"] += inside
                    else:
                        time_by["not forward, in reference"] += inside
            if ref is not None:
                for bout in result.bouts:
                    if bout.direction != "forward":
                        time_by["not forward, outside reference"] += bout.duration_s
                time_by["not forward, outside reference"] -= time_by.pop(
                    "not forward, in reference", 0.0
                )
            _score_bouts(result, conf, "forward", f"{person} #{i}")
        total = max(time_by["all"], 1e-9)
        reference = None
        if time_by["reference"] > 0:
            share = 100 * time_by["reference forward"] / time_by["reference"]
            outside = 100 * time_by["not forward, outside reference"] / total
            reference = (share, time_by["reference"], outside)
        out[title] = (
            100 * time_by["forward"] / total,
            100 * time_by["backward"] / total,
            time_by["all"],
            conf,
            reference,
        )
    return out


# ------------------------------------------------------------------------ table


Row = tuple[str, str, str, "float | str"]


def collect(calibrated: bool) -> list[Row]:
    """Every figure of one mode as ``(data set, figure, target, value)`` rows."""
    rows: list[Row] = []
    CALLS.clear()
    REFUSED.clear()
    NO_BOUT.clear()
    BACKWARD_STEPS.clear()

    def line(name: str, figure: str, target: str, value: float | str) -> None:
        rows.append((name, figure, target, value))

    for placement, tally in mocap_rows(calibrated).items():
        name = f"mocap {placement} runs >= 3 s"
        CALLS[name] = tally.calls
        n_b, n_f = int(tally.n["backward"]), int(tally.n["forward"])
        line(name, f"backward runs right, % (n={n_b})", ">= 90", tally.pct("backward", "backward"))
        line(name, f"forward runs right, % (n={n_f})", ">= 95", tally.pct("forward", "forward"))
        line(name, "opposite-direction calls, %", "<= 2", tally.opposite())
        line(name, "backward runs uncertain, %", "", tally.pct("backward", "uncertain"))
        line(name, "forward runs uncertain, %", "", tally.pct("forward", "uncertain"))
        line(name, "wrong among calls >= 0.9", "<= 2 %", tally.confident_wrong())
    for placement, (right, wrong, total, flipped, split) in whole_take_rows(calibrated).items():
        name = f"mocap 09_12 whole, {placement}"
        line(name, f"backward-labelled steps right, % (n={total})", "", right)
        line(name, "backward-labelled steps called forward, %", "0", wrong)
        line(name, "forward-segment steps called backward, %", "0", flipped)
        line(name, "split from the labelled change, true steps", "<= 2", split)
    per, conf = phone_rows(calibrated)
    for position, (back, fwd, total, true_steps) in sorted(per.items()):
        line(f"phone-steps {position}", f"steps backward (all {total}, true {true_steps})", "0",
             str(back))  # fmt: skip
        line(f"phone-steps {position}", "steps forward, %", "", 100.0 * fwd / max(total, 1))
    line("phone-steps (all)", "wrong among calls >= 0.9", "<= 2 %", conf.confident_wrong())
    CALLS["phone-steps (all)"] = conf.calls
    for group, (called_back, fwd, total, n) in handled_rows(calibrated).items():
        name = f"{group}, handled ({n})"
        line(name, f"as lower back: steps backward (all {total})", "0", called_back)
        line(
            name,
            "as lower back: steps forward, %",
            "",
            fwd if isinstance(fwd, str) else 100.0 * fwd / max(total, 1),
        )
    for title, (fwd_pct, back_pct, bout_s, tally, reference) in forward_rows(calibrated).items():
        line(title, f"bout time forward, % ({bout_s:.0f} s)", ">= 90", fwd_pct)
        if reference is not None:
            share, seconds, outside = reference
            line(title, f"reference walking time forward, % ({seconds:.0f} s)", "", share)
            line(title, "not forward, outside reference walking, %", "", outside)
        line(title, "bout time backward, %", "0", back_pct)
        line(title, "wrong among calls >= 0.9", "<= 2 %", tally.confident_wrong())
        CALLS[title] = tally.calls
    jump = jumping_recording()
    if jump is not None:
        result = _run(jump)
        steps = sum(b.n_steps for b in result.bouts)
        line(
            "phyphox jumping in place",
            f"walking bouts (steps {steps})",
            "0",
            str(len(result.bouts)),
        )
    rows.extend(foot_rows())
    return rows


def print_table(columns: dict[str, list[Row]]) -> None:
    """One table: each figure beside its target, one column per mode."""
    names = list(columns)
    first = columns[names[0]]
    print("\n== WALKING DIRECTION (uncalibrated: shipped thresholds; calibrated: the person's own")
    print("   labelled forward walk; LOSO: uncalibrated with anchor thresholds chosen without the")
    print("   person)")
    head = "".join(f"{n:>16}" for n in names)
    print(f"{'data set':<32}{'figure':<44}{'target':>8}{head}")

    def shown(value: float | str) -> str:
        return value if isinstance(value, str) else f"{value:.1f}"

    for i, (name, figure, target, _) in enumerate(first):
        cells = "".join(f"{shown(columns[n][i][3]):>16}" for n in names)
        print(f"{name:<32}{figure:<44}{target:>8}{cells}")


def print_gaps(refused: dict[str, str], no_bout: dict[str, int]) -> None:
    """What the calibrated column could not do: calibrations refused, runs without a bout.

    A refused calibration leaves that analysis uncalibrated in the calibrated
    column; a labelled run without a detected walking bout counts as uncertain.
    """
    print("\n== CALIBRATED COLUMN: calibrations refused (those analyses ran uncalibrated)")
    for who, why in refused.items() or [("none", "")]:
        print(f"  {who}{': ' if why else ''}{why}")
    print("== labelled mocap runs without a detected walking bout (counted uncertain)")
    for key, true in no_bout.items() or [("none", -1)]:
        print(f"  {key}" + (f" ({true} true steps)" if true >= 0 else ""))


# -------------------------------------------------------------------- fitting


def fit_travel() -> None:
    """Refit the travel template on forward lower-back walks with known axes; LOPO report."""
    groups: dict[str, list[np.ndarray]] = defaultdict(list)
    for tid in ipol_trial_ids():  # lower back: X up, Y left, Z backward
        rec, meta = load_ipol_trial(tid, "lb")
        lo, hi = meta["trial_boundaries"]
        u0, u1 = meta["uturn_boundaries"]
        bouts = [(lo, u0), (u1, min(hi, rec.n_samples - 1))]
        groups[f"ipol {meta['subject']}"].append(_along(rec, bouts, meta["ic"], [0, 0, -1]))
    for name in mobgap_names():  # x up, z antero-posterior (forward)
        rec, meta = load_mobgap(name)
        bouts = [(int(b["start"]), int(b["end"])) for b in meta["walking_bouts"]]
        if bouts:
            groups[f"mobgap {name[:6]}"].append(_along(rec, bouts, meta["ic"], [0, 0, 1]))
    people = {k: np.concatenate(v) for k, v in groups.items()}
    w = fit_travel_template(list(people.values()))
    print("travel template, each person left out:")
    for person, steps in people.items():
        w_out = fit_travel_template([v for k, v in people.items() if k != person])
        score = steps @ w_out
        corr = float(steps.mean(0) @ w_out / np.linalg.norm(steps.mean(0)))
        right = 100 * np.mean(score > 0)
        print(f"  {person:<14} corr {corr:.2f}  steps forward {right:5.1f} % of {score.size}")
    info = {
        "fitted_on": "forward walking, lower back, known sensor axes: ipol-gait (12 people) and "
        "mobgap-lab (3 people); each person weighs the same",
        "people": len(people),
        "steps": int(sum(v.shape[0] for v in people.values())),
    }
    data = {"stride_points": 64, "lags": [int(x) for x in DEFAULT_LAGS],
            "weights": [round(float(x), 6) for x in w], "info": info}  # fmt: skip
    TRAVEL_PATH.write_text(json.dumps(data, indent=2) + "\n")
    print(f"wrote {TRAVEL_PATH}")


def _along(
    rec: Recording, bouts: list[tuple[int, int]], ic: np.ndarray, axis: list[float]
) -> np.ndarray:
    """``(k, n_lags)``: each straight step's time-odd vector along the known forward axis."""
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)
    ev = step_evidence(frame, bouts, ic)
    keep = ~ev.turning
    up = frame.up_unit[ev.windows.start[keep]]
    fwd = np.asarray(axis, dtype=np.float64)[None, :] - (up @ np.asarray(axis))[:, None] * up
    fwd /= np.linalg.norm(fwd, axis=1, keepdims=True)
    return np.einsum("kli,ki->kl", ev.odd[keep], fwd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit-travel", action="store_true", help="refit the travel template")
    parser.add_argument(
        "--mechanics",
        action="store_true",
        help="mechanics too: time reversal, devices moved on the pelvis",
    )
    parser.add_argument(
        "--placement", action="store_true", help="only the placement table (per place, LOSO)"
    )
    parser.add_argument(
        "--short",
        action="store_true",
        help="only the short-run and end-run rules, chosen leave-one-person-out",
    )
    parser.add_argument(
        "--travel",
        action="store_true",
        help="only the travel cue with the forward axis known (why daily life stays uncertain)",
    )
    parser.add_argument(
        "--calibration-steps",
        action="store_true",
        help="only calibration walks cut to their first k usable steps (the calibrator's "
        "min_steps), chosen leave-one-person-out",
    )
    parser.add_argument(
        "--calls-out", metavar="JSON", help="write every bout call (to compare two versions)"
    )
    args = parser.parse_args(argv)
    t0 = time.time()
    if not ipol_trial_ids():
        print("real recordings not found (see tests/realdata.py); nothing to measure")
        return 1
    if args.fit_travel:
        fit_travel()
    if args.short:
        from _short_runs import end_run_table, short_run_table, weak_window_table

        short_run_table()
        end_run_table()
        weak_window_table()
        print(f"\n({time.time() - t0:.0f} s)")
        return 0
    if args.calibration_steps:
        from _calibration_steps import calibration_steps_table

        calibration_steps_table(sys.modules[__name__])
        print(f"\n({time.time() - t0:.0f} s)")
        return 0
    if args.travel:
        travel_daily_table()
        contact_table()
        print(f"\n({time.time() - t0:.0f} s)")
        return 0
    placement_table()
    if args.placement:
        print(f"\n({time.time() - t0:.0f} s)")
        return 0
    calls: dict[str, dict[str, list[tuple[float, bool, str]]]] = {}
    columns = {"uncalibrated": collect(calibrated=False)}
    calls["uncalibrated"] = dict(CALLS)
    columns["calibrated"] = collect(calibrated=True)
    calls["calibrated"] = dict(CALLS)
    refused, no_bout = dict(REFUSED), dict(NO_BOUT)
    LOSO_ANCHORS.update(anchor_loso_table())
    shipped = get_params(BodyAnchorEstimator())
    moved = {p: v for p, v in LOSO_ANCHORS.items() if any(shipped[k] != x for k, x in v.items())}
    if moved:
        columns["LOSO"] = collect(calibrated=False)
        calls["LOSO"] = dict(CALLS)
    else:
        print("LOSO anchor thresholds equal the shipped ones for every person left out:")
        print("the LOSO column repeats the uncalibrated one")
        columns["LOSO"] = columns["uncalibrated"]
    print_table(columns)
    print_gaps(refused, no_bout)
    for mode, by_set in calls.items():
        print_reliability(mode, by_set)
    if args.calls_out:
        dump = {m: {k: [list(c) for c in v] for k, v in d.items()} for m, d in calls.items()}
        Path(args.calls_out).write_text(json.dumps(dump, indent=1) + "\n")
    if args.mechanics:
        from _direction_mechanics import mechanics, moved_devices

        mechanics()
        moved_devices(lambda rec: _profile(rec, "lower_back", who="moved device"))
        foot_mechanics()
    print(f"\n({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Short runs and end runs: the ``short_run_strides``, ``short_run_anchored``,
``short_run_weak_ignored`` and ``min_end_run_windows`` rules chosen
leave-one-person-out.

Every real recording the calibrated benchmark scores (mocap-backward runs of
3 s or more at the lower back and in the pocket, phone-steps, mobgap-lab Test11
and Test5, ipol-gait lower back), each with the person's own calibration as in
:mod:`direction`, is analysed once; the classifier's input is kept and the
bouts are called again under each candidate rule (strides needed, smallest
per-stride score; "off" is the rule switched off). For each person left out the
rule is chosen on the others: no opposite call first, then the most bouts
called right, then the stricter rule; it is applied to the person left out.
Truth: the mocap labels, forward everywhere else.

The second table adds every uncalibrated analysis of the same recordings whose
stretch has a body anchor (trunk flexion, thigh swing), and every ipol-gait and
mobgap-lab lower back with its true forward axis as the anchor (a perfect
anchor: what the rules do with the travel cue itself), and chooses, the same
way, whether anchored short runs are called (``short_run_anchored``) and how
many clear windows against the call make an end run that is split off
undecided (``min_end_run_windows``; "off" keeps such bouts whole). The third
table, on the same analyses, chooses whether a short run's weak windows (under
``short_run_min_score``) are left out of the rule instead of refusing the call
(``short_run_weak_ignored``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from _data import ipol_trial_ids, load_ipol_trial, load_mobgap, mobgap_names, sum_figures
from _direction_data import mocap_trials, phone_cases
from retrowalk.core.recording import Recording
from retrowalk.gait.direction import BodyAnchor, StepEvidence, WalkingDirectionClassifier
from retrowalk.pipeline import AnalysisOptions, TrunkPipeline, analyze

END_CANDIDATES: list[dict[str, Any]] = [
    {"short_run_anchored": a, "min_end_run_windows": m}
    for a in (False, True)
    for m in (None, 2, 3, 4)
]

WEAK_CANDIDATES: list[dict[str, Any]] = [{"short_run_weak_ignored": w} for w in (False, True)]

CANDIDATES: list[dict[str, Any]] = [
    {"short_run_strides": None},
    *(
        {"short_run_strides": n, "short_run_min_score": z}
        for n in (2, 3, 4)
        for z in (0.5, 1.0, 2.0)
    ),
]


class _Recorder(WalkingDirectionClassifier):
    """The classifier, keeping the input of each splitting call."""

    calls: ClassVar[list[tuple[Any, ...]]] = []

    def classify_evidence(
        self,
        ev: StepEvidence,
        bouts: list[tuple[int, int]],
        ic_samples: np.ndarray,
        *,
        profile: Any = None,
        anchors: list[BodyAnchor] | None = None,
    ) -> WalkingDirectionClassifier:
        if self.split:
            _Recorder.calls.append((ev, bouts, ic_samples, profile, anchors))
        return super().classify_evidence(ev, bouts, ic_samples, profile=profile, anchors=anchors)


@dataclass
class Case:
    """One calibrated analysis: who, which data set, the truth, the classifier input."""

    person: str
    group: str
    truth: str
    fs: float
    call: tuple[Any, ...]


def _capture(rec: Recording, placement: str, profile: Any) -> tuple[Any, ...] | None:
    _Recorder.calls = []
    pipe = TrunkPipeline(direction_classifier=_Recorder())
    analyze(rec, AnalysisOptions(placement=placement, direction_profile=profile),
            pipelines={"trunk": pipe})  # fmt: skip
    return _Recorder.calls[0] if _Recorder.calls else None


def short_cases(anchored: bool = False) -> list[Case]:
    """Every calibrated case of the benchmark (see the module); with ``anchored``
    also every uncalibrated one whose stretch has a body anchor."""
    from direction import MIN_RUN_S, _joined, _profile

    cases: list[Case] = []

    def add(person: str, group: str, truth: str, rec: Recording, placement: str, prof: Any) -> None:
        call = _capture(rec, placement, prof) if prof is not None else None
        if call is not None:
            cases.append(Case(person, group, truth, rec.sampling_rate_hz, call))
        if anchored:  # the same recording uncalibrated, where a stretch has a body anchor
            bare = _capture(rec, placement, None)
            if bare is not None and any(a.forward_unit is not None for a in bare[4] or []):
                cases.append(Case(person, f"{group}, anchor", truth, rec.sampling_rate_hz, bare))

    trials = mocap_trials()
    for placement, sensor in (("lower_back", "pelvis"), ("pocket", "thigh")):
        for tr in trials:
            rec = getattr(tr, sensor)
            runs = [r for r in tr.runs if r["direction"] in ("forward", "backward")]
            runs = [r for r in runs if r["end_s"] - r["start_s"] >= MIN_RUN_S]
            if tr.person == "09":
                fwd = next(r for r in runs if r["direction"] == "forward")
                prof = _profile(rec, placement, fwd["start_s"], fwd["end_s"])
                runs = [r for r in runs if r["direction"] != "forward"]
            else:
                others = [
                    getattr(t, sensor) for t in trials if t.person == tr.person and t is not tr
                ]
                prof = _profile(_joined(others), placement)
            for r in runs:
                part = rec.slice_s(r["start_s"], r["end_s"])
                add(
                    f"mocap {tr.person}",
                    f"mocap {placement}",
                    r["direction"],
                    part,
                    placement,
                    prof,
                )
    cases_phone = phone_cases()
    for case in cases_phone:
        twin = case.name[:-1] + ("2" if case.name.endswith("1") else "1")
        other = next((c for c in cases_phone if c.name.lower() == twin.lower()), None)
        prof = _profile(other.recording, "auto") if other else None
        add(f"phone {case.person}", "phone-steps", "forward", case.recording, "auto", prof)
    for name in mobgap_names():
        calib = name.split("_Test")[0] + "_Test5_Trial1"
        if name == calib:
            continue
        group = "mobgap Test11" if "Test11" in name else "mobgap Test5"
        prof = _profile(load_mobgap(calib)[0], "lower_back")
        add(f"mobgap {name[:6]}", group, "forward", load_mobgap(name)[0], "lower_back", prof)
    first: dict[str, Any] = {}
    for tid in ipol_trial_ids():
        rec, meta = load_ipol_trial(tid, "lb")
        subject = str(meta["subject"])
        if subject not in first:
            first[subject] = _profile(rec, "lower_back")
            continue
        add(f"ipol {subject}", "ipol lower back", "forward", rec, "lower_back", first[subject])
    return cases


def _figures(case: Case, rule: dict[str, Any]) -> dict[str, float]:
    """Bouts and seconds right / opposite / uncertain, and calls >= 0.9 wrong."""
    ev, bouts, ic, profile, anchors = case.call
    clf = WalkingDirectionClassifier(**rule)
    clf.classify_evidence(ev, bouts, ic, profile=profile, anchors=anchors)
    out: dict[str, float] = defaultdict(float)
    for (a, b), label, conf in zip(
        clf.split_bouts_, clf.bout_direction_, clf.bout_confidence_, strict=True
    ):
        kind = (
            "uncertain" if label == "uncertain" else "right" if label == case.truth else "opposite"
        )
        out[f"{kind} bouts"] += 1
        out[f"{kind} s"] += (b - a) / case.fs
        out["confident wrong"] += kind == "opposite" and conf >= 0.9
    return out


def _name(rule: dict[str, Any]) -> str:
    if rule.get("short_run_strides") is None:
        return "off"
    return f"{rule['short_run_strides']} strides, score >= {rule['short_run_min_score']:g}"


def short_run_table() -> None:
    """Print the rule per candidate and chosen leave-one-person-out."""

    def key(figs: dict[str, float], rule: dict[str, Any]) -> tuple[float, ...]:
        n = rule.get("short_run_strides") or 99
        z = rule.get("short_run_min_score", 99.0)
        return (-figs["opposite bouts"], figs["right bouts"], n, z)

    _loso_table(
        "\n== SHORT CALIBRATED RUNS: bouts right / opposite / uncertain (seconds), wrong >= 0.9",
        short_cases(), CANDIDATES, key, _name, 28,
    )  # fmt: skip


def _loso_table(
    title: str,
    cases: list[Case],
    candidates: list[dict[str, Any]],
    key: Callable[[dict[str, float], dict[str, Any]], tuple[float, ...]],
    name: Callable[[dict[str, Any]], str],
    width: int,
) -> None:
    """Each candidate rule's figures per group, and each person's under the rule chosen
    without them (the largest ``key`` of the figures on everyone else)."""
    table = {(id(c), k): _figures(c, r) for c in cases for k, r in enumerate(candidates)}
    chosen: dict[str, int] = {}
    for person in sorted({c.person for c in cases}):
        train = [c for c in cases if c.person != person]
        best: tuple[float, ...] | None = None
        for k, rule in enumerate(candidates):
            here = key(sum_figures([table[(id(c), k)] for c in train]), rule)
            if best is None or here > best:
                best, chosen[person] = here, k
    print(title)
    for group in sorted({c.group for c in cases}):
        mine = [c for c in cases if c.group == group]
        print(f"  {group} ({len(mine)} analyses)")
        for k, rule in [*enumerate(candidates), (-1, {})]:
            if k < 0:
                figs = sum_figures([table[(id(c), chosen[c.person])] for c in mine])
                label = "LOSO"
            else:
                figs = sum_figures([table[(id(c), k)] for c in mine])
                label = name(rule)
            print(
                f"    {label:<{width}}{int(figs['right bouts']):5d} ({figs['right s']:7.1f} s)"
                f"{int(figs['opposite bouts']):5d} ({figs['opposite s']:6.1f} s)"
                f"{int(figs['uncertain bouts']):5d} ({figs['uncertain s']:7.1f} s)"
                f"{int(figs['confident wrong']):4d}"
            )
    picked = sorted({name(candidates[k]) for k in chosen.values()})
    print(f"  rules chosen with a person left out: {', '.join(picked)}")


def _end_name(rule: dict[str, Any]) -> str:
    m = rule["min_end_run_windows"]
    short = "anchored short runs" if rule["short_run_anchored"] else "calibrated short runs"
    return f"{short}, end runs {'off' if m is None else f'>= {m}'}"


def true_axis_cases() -> list[Case]:
    """ipol-gait and mobgap-lab lower backs with the true forward axis as the anchor.

    The known sensor axis stands in for a perfect anchor (reliability capped as
    in the product; :mod:`_travel_daily`), so every person's walking tests what
    the rules do with the travel cue along a right axis, not only the two
    mobgap-lab people whose trunk flexions anchor them.
    """
    from _travel_daily import travel_cases
    from retrowalk.gait.direction import BodyAnchor

    cases = []
    for c in travel_cases():
        n = int(WalkingDirectionClassifier().stretches(c.ev).max()) + 1
        truth = BodyAnchor(c.truth, "truth", 0.0, 0.85, "the known forward axis")
        group = ("ipol lower back" if c.group == "ipol" else c.group) + ", true axis"
        cases.append(
            Case(c.person, group, "forward", c.fs, (c.ev, c.bouts, c.ic, None, [truth] * n))
        )
    return cases


def end_run_table() -> None:
    """Anchored short runs and end runs: per candidate and chosen leave-one-person-out."""

    def key(figs: dict[str, float], rule: dict[str, Any]) -> tuple[float, ...]:
        m = rule["min_end_run_windows"] or 99
        return (-figs["opposite bouts"], figs["right s"], -rule["short_run_anchored"], m)

    _loso_table(
        "\n== ANCHORED SHORT RUNS AND END RUNS: bouts right / opposite / uncertain (seconds), "
        "wrong >= 0.9",
        short_cases(anchored=True) + true_axis_cases(), END_CANDIDATES, key, _end_name, 44,
    )  # fmt: skip


def weak_window_table() -> None:
    """Short runs' weak windows left out or refusing the call: chosen leave-one-person-out."""

    def key(figs: dict[str, float], rule: dict[str, Any]) -> tuple[float, ...]:
        return (-figs["opposite bouts"], figs["right s"], -rule["short_run_weak_ignored"])

    def name(rule: dict[str, Any]) -> str:
        return "weak windows " + ("left out" if rule["short_run_weak_ignored"] else "refuse")

    _loso_table(
        "\n== SHORT RUNS' WEAK WINDOWS: bouts right / opposite / uncertain (seconds), "
        "wrong >= 0.9",
        short_cases(anchored=True) + true_axis_cases(), WEAK_CANDIDATES, key, name, 28,
    )  # fmt: skip

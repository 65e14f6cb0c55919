"""The travel cue on real forward walking with the body's forward axis known.

Why daily-life bouts (mobgap-lab Test11) stay uncertain even where the body's
facing is anchored: the travel cue itself. Every recording here is forward
walking with known sensor axes (ipol-gait lower back: sensor -Z is forward;
mobgap-lab: +z), so the true forward axis stands in for a perfect anchor
(reliability capped as in the product) and only the travel cue and the
classifier's evidence rules are measured.

Two tables:

1. Per step (detected contacts, as the pipeline finds them, in the bouts it
   detects before any split at a change of direction): the share of
   stride windows whose travel vector points forward, by yaw rate over the
   stride and by data set.
2. Per bout: the share of detected bout time called forward and backward, and
   the uncertain time by its reason, for the shipped rules and for looser
   ``min_usable_steps`` and ``max_turn_rate_rads``. Each rule is also chosen
   leave-one-person-out (on the other people: no backward bout first, then the
   most forward time) and applied to the person left out.
3. Per stride window of mobgap-lab Test11 (straight, device in place): the
   share travelling forward where the window's three contacts lie within
   0.15 s of the reference system's (INDIP) contacts, where they do not but the
   window lies in the reference's walking, and outside the reference's walking;
   and with the reference's own contacts and walking bouts. Beside each share,
   the same places read with the reference's contacts instead: the reference's
   stride window around the contact nearest the window's centre, and the
   reference's stride span centred on the detected step. They bound what any
   contact-robust window can gain (a window is a place the reference's window
   there lies inside one reference walking bout). Last, the bout time called
   forward with the true axis as the anchor, from the detected contacts and
   bouts and from the reference's contacts and walking bouts.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from _data import ipol_trial_ids, load_ipol_trial, load_mobgap, mobgap_names, sum_figures
from retrowalk.core.recording import Recording
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.direction import (
    DEFAULT_LAGS,
    BodyAnchor,
    StepEvidence,
    StepWindows,
    WalkingDirectionClassifier,
    phase_odd_even,
    step_evidence,
    travel_vectors,
)
from retrowalk.pipeline import AnalysisOptions, TrunkPipeline, analyze

TURN_BINS_RADS = (0.0, 0.15, 0.35, 0.5, 0.7, 1.0, 99.0)
RULES: list[dict[str, Any]] = [
    {},
    {"min_usable_steps": 5},
    {"min_usable_steps": 4},
    {"max_turn_rate_rads": 0.5},
    {"max_turn_rate_rads": 0.7},
    {"min_usable_steps": 4, "max_turn_rate_rads": 0.5},
]


@dataclass
class TravelCase:
    """One forward recording: its step evidence and the true forward axis."""

    person: str
    group: str
    ev: StepEvidence
    bouts: list[tuple[int, int]]
    ic: np.ndarray
    truth: np.ndarray
    fs: float
    yaw_rate_rads: np.ndarray  # per stride window


def _case(rec: Recording, person: str, group: str, truth: np.ndarray) -> TravelCase | None:
    fs = rec.sampling_rate_hz
    # The detected bouts as the classifier receives them, not the parts it split
    # them into: a part split off undecided would otherwise be classified alone.
    whole = TrunkPipeline(direction_classifier=WalkingDirectionClassifier(split=False))
    result = analyze(rec, AnalysisOptions(placement="lower_back"), pipelines={"trunk": whole})
    bouts = [(round(b.start_s * fs), round(b.end_s * fs)) for b in result.bouts]
    if not bouts or rec.gyro_rads is None:
        return None
    ic = np.array([round(s.time_s * fs) for s in result.steps], dtype=np.int64)
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, fs)
    ev = step_evidence(frame, bouts, ic)
    w = ev.windows
    assert frame.gyro_vertical_rads is not None
    cum = np.concatenate([[0.0], np.cumsum(frame.gyro_vertical_rads)])
    rate = (cum[w.end] - cum[w.start]) / np.maximum(w.end - w.start, 1)
    return TravelCase(person, group, ev, bouts, ic, truth, fs, rate)


def travel_cases() -> list[TravelCase]:
    """ipol-gait and mobgap-lab lower backs (forward walking, known axes)."""
    cases: list[TravelCase | None] = []
    for tid in ipol_trial_ids():
        rec, meta = load_ipol_trial(tid, "lb")
        cases.append(_case(rec, f"ipol {meta['subject']}", "ipol", np.array([0, 0, -1.0])))
    for name in mobgap_names():
        rec, _ = load_mobgap(name)
        group = "mobgap Test11" if "Test11" in name else "mobgap Test5"
        cases.append(_case(rec, f"mobgap {name[:6]}", group, np.array([0, 0, 1.0])))
    return [c for c in cases if c is not None]


def _bout_figures(case: TravelCase, rule: dict[str, Any]) -> dict[str, float]:
    """Seconds of bout time per call and per reason of uncertainty."""
    turn = rule.get("max_turn_rate_rads")
    ev = case.ev
    if turn is not None:
        ev = dataclasses.replace(ev, turning=np.abs(case.yaw_rate_rads) > turn)
    clf = WalkingDirectionClassifier(**rule)
    stretch = clf.stretches(ev)
    n = int(stretch.max()) + 1 if stretch.size else 0
    anchor = BodyAnchor(case.truth, "truth", 0.0, 0.85, "the known forward axis")
    clf.classify_evidence(ev, case.bouts, case.ic, anchors=[anchor] * n)
    out: dict[str, float] = defaultdict(float)
    for (a, b), label, reason in zip(
        clf.split_bouts_, clf.bout_direction_, clf.bout_reason_, strict=True
    ):
        seconds = (b - a) / case.fs
        out["all"] += seconds
        out[label] += seconds
        out["backward bouts"] += label == "backward"
        if "too few straight" in reason:
            out["too few straight steps"] += seconds
        elif "across" in reason:
            out["sideways"] += seconds
    return out


def travel_daily_table() -> None:
    """Print both tables."""
    cases = travel_cases()
    groups = sorted({c.group for c in cases})
    print("\n== TRAVEL CUE, forward walking with the forward axis known")
    print("share of stride windows travelling forward, by yaw rate over the stride (rad/s):")
    print(f"  {'data set':<16}" + "".join(f"{f'{a:g}-{b:g}':>12}" for a, b in _pairs()))
    for group in groups:
        mine = [c for c in cases if c.group == group]
        cells = []
        for lo, hi in _pairs():
            ok = []
            for c in mine:
                along = travel_vectors(c.ev.odd) @ c.truth
                sel = (np.abs(c.yaw_rate_rads) >= lo) & (np.abs(c.yaw_rate_rads) < hi)
                ok.extend((along[sel] > 0).tolist())
            cells.append(f"{100 * np.mean(ok):.0f} % ({len(ok)})" if ok else "-")
        print(f"  {group:<16}" + "".join(f"{x:>12}" for x in cells))
    table = {(id(c), k): _bout_figures(c, r) for c in cases for k, r in enumerate(RULES)}
    people = sorted({c.person for c in cases})
    loso: dict[str, int] = {}
    for person in people:
        train = [c for c in cases if c.person != person]
        best_key: tuple[float, float] | None = None
        for k in range(len(RULES)):
            figs = sum_figures([table[(id(c), k)] for c in train])
            key = (-figs["backward bouts"], figs["forward"] / max(figs["all"], 1e-9))
            if best_key is None or key > best_key:
                best_key, loso[person] = key, k
    print("bout time, % (forward / backward / too few straight steps / sideways), backward bouts:")
    columns = [*(str(r or "shipped") for r in RULES), "LOSO"]
    for group in groups:
        mine = [c for c in cases if c.group == group]
        print(f"  {group}")
        for k, name in enumerate(columns):
            if name == "LOSO":
                figs = sum_figures([table[(id(c), loso[c.person])] for c in mine])
            else:
                figs = sum_figures([table[(id(c), k)] for c in mine])
            total = max(figs["all"], 1e-9)
            print(
                f"    {name:<50}{100 * figs['forward'] / total:6.1f}"
                f"{100 * figs['backward'] / total:6.1f}"
                f"{100 * figs['too few straight steps'] / total:6.1f}"
                f"{100 * figs['sideways'] / total:6.1f}{int(figs['backward bouts']):4d}"
            )
    chosen = sorted({repr(RULES[k] or "shipped") for k in loso.values()})
    print(f"  rules chosen with a person left out: {', '.join(chosen)}")


MATCH_S = 0.15
"""A detected contact within this of a reference contact is taken to be that contact."""


def contact_table() -> None:
    """Table 3: the travel cue of Test11's straight windows, by how right their contacts are."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    bouts: dict[str, list[dict[str, float]]] = defaultdict(list)
    for name in mobgap_names():
        if "Test11" not in name:
            continue
        rec, meta = load_mobgap(name)
        case = _case(rec, f"mobgap {name[:6]}", "mobgap Test11", np.array([0, 0, 1.0]))
        if case is None:
            continue
        fs = case.fs
        ref = np.array(sorted(c["ic"] for c in meta["initial_contacts"]), dtype=np.int64)
        walks = [(int(w["start"]), int(w["end"])) for w in meta["walking_bouts"]]
        clf = WalkingDirectionClassifier()
        ev = case.ev
        use = ~ev.turning & clf._settled(ev, clf.stretches(ev))
        w = ev.windows
        centre = ev.ic[np.minimum(np.searchsorted(ev.ic, w.start) + 1, ev.ic.size - 1)]
        matched = _near(w.start, ref, fs) & _near(centre, ref, fs) & _near(w.end, ref, fs)
        walking = np.array([any(a <= c < b for a, b in walks) for c in centre], dtype=bool)
        forward = travel_vectors(ev.odd) @ case.truth > 0
        frame = body_frame(rec.acc_mps2, rec.gyro_rads, fs)
        # the same places with the reference's contacts: its stride window around the
        # contact nearest the window's centre, and its stride span centred on the step
        j = np.clip(np.abs(ref[None, :] - centre[:, None]).argmin(axis=1), 1, ref.size - 2)
        lo, hi = ref[j - 1], ref[j + 1]
        pairs = zip(lo.tolist(), hi.tolist(), strict=True)
        comparable = np.array([any(a <= x and y <= b for a, b in walks) for x, y in pairs])
        span = hi - lo
        at = np.clip(centre - span // 2, 0, frame.n_samples - 2 - span)
        along = []
        for start, end in ((lo, hi), (at, at + span)):
            windows = StepWindows(w.step_index, w.bout_index, start, end)
            odd, _ = phase_odd_even(frame, windows, DEFAULT_LAGS)
            along.append(travel_vectors(odd) @ case.truth > 0)
        for label, sel in (
            ("detected, contacts right", matched & walking),
            ("detected, a contact off, in walking", ~matched & walking),
            ("detected, outside walking", ~walking),
        ):
            k = use & sel
            row = counts[label]
            row[0] += int(np.count_nonzero(k))
            row[1] += int(np.count_nonzero(forward[k]))
            k &= comparable & walking  # the reference has no stride windows outside its walking
            row[2] += int(np.count_nonzero(k))
            row[3] += int(np.count_nonzero(forward[k]))
            row[4] += int(np.count_nonzero(along[0][k]))
            row[5] += int(np.count_nonzero(along[1][k]))
        own = step_evidence(frame, walks, ref)
        straight = ~own.turning
        ahead = travel_vectors(own.odd) @ case.truth > 0
        counts["reference contacts and walks"][0] += int(np.count_nonzero(straight))
        counts["reference contacts and walks"][1] += int(np.count_nonzero(ahead[straight]))
        w = own.windows
        assert frame.gyro_vertical_rads is not None
        cum = np.concatenate([[0.0], np.cumsum(frame.gyro_vertical_rads)])
        rate = (cum[w.end] - cum[w.start]) / np.maximum(w.end - w.start, 1)
        perfect = TravelCase(case.person, case.group, own, walks, ref, case.truth, fs, rate)
        bouts["detected contacts and bouts"].append(_bout_figures(case, {}))
        bouts["reference contacts and walks"].append(_bout_figures(perfect, {}))
    print("\n== TRAVEL CUE AND CONTACTS, mobgap-lab Test11, straight stride windows, true axis")
    print(f"   (a contact is right within {MATCH_S:g} s of the reference system's; the same")
    print("   places with the reference's contacts: its stride window there, and its stride")
    print("   span centred on the detected step, where that window lies in its walking)")
    print(f"  {'':<40}{'forward':<16}{'same places:':<14}{'detected':>10}{'ref window':>11}"
          f"{'ref span':>9}")  # fmt: skip
    for label, (n, fwd, m, fwd_m, ref_fwd, span_fwd) in counts.items():
        share = f"{100 * fwd / max(n, 1):.1f} % of {n}"
        cells = ""
        if m:
            a, b, c = (100 * x / m for x in (fwd_m, ref_fwd, span_fwd))
            cells = f"{'':<14}{a:>8.1f} %{b:>9.1f} %{c:>7.1f} % of {m}"
        print(f"  {label:<40}{share:<16}{cells}".rstrip())
    print("  bout time called forward with the true axis as the anchor (shipped rules):")
    for label, figs in bouts.items():
        total = sum_figures(figs)
        forward_pct = 100 * total["forward"] / max(total["all"], 1e-9)
        print(f"    {label:<38}{forward_pct:6.1f} % of {total['all']:.0f} s")


def _near(x: np.ndarray, ref: np.ndarray, fs: float) -> np.ndarray:
    """Which samples ``x`` lie within :data:`MATCH_S` of a reference contact."""
    gap = np.abs(ref[None, :] - x[:, None]).min(axis=1)
    return np.asarray(gap <= MATCH_S * fs)


def _pairs() -> list[tuple[float, float]]:
    return list(pairwise(TURN_BINS_RADS))

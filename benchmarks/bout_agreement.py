"""Walking bouts against the INDIP reference (mobgap-lab), and the rules that drop bouts.

Run: ``python benchmarks/bout_agreement.py`` (about 20 s on a quiet machine).

1. Per mobgap-lab recording: our bout time, the INDIP walking-bout time, our
   bout time outside every INDIP bout, the INDIP time none of our bouts
   covers, and our bouts wholly outside INDIP's (how many, seconds, steps);
   for Test11 (simulated daily life) the share of our bout time called
   forward. INDIP's bouts follow the Mobilise-D definition (strides of at
   least 0.15 m, at least four strides, breaks under 3 s), ours a bout of
   three steps (the contract), so a short walk of a few steps is ours and not
   theirs by definition: time outside is not all error.
2. The stationary-bout rule (:class:`retrowalk.gait.bouts.StationaryBoutFilter`,
   lower back only: a bout whose median pendulum step is shorter than
   ``min_median_step_m`` is dropped), its threshold chosen
   leave-one-subject-out over every person it can touch: mobgap-lab (3),
   ipol-gait lower back (12) and mocap-backward's pelvis (labelled forward
   and backward runs, each analysed alone, short ones included). The cost of
   a person at a threshold: mobgap-lab seconds outside INDIP plus three times
   the INDIP seconds missed; ipol-gait and mocap-backward 1.5 s per reference
   step (ipol-gait: inside the trial boundaries; mocap: inside a labelled
   run) no longer in a bout. Ties go to Mobilise-D's own value, 0.075 m (half
   its shortest stride). Only the left-out person's figures are printed.
3. Rules measured and not shipped (on the shipped analysis): a bout dropped
   whole when it has fewer than Mobilise-D's four strides or when the trunk
   bends far from the bout's posture at some time in it; and the contacts
   during such a bend dropped, the bouts formed again from the rest; each
   bout's ends cut to its first and last step of 0.075 m or more (Mobilise-D's
   stride floor step by step). What each removes outside INDIP, what it costs
   inside, the real steps it drops.
4. The bent-trunk rule (:class:`retrowalk.gait.bouts.BentTrunkFilter`, lower
   back only: the contacts at which the trunk's 1-s posture is more than
   ``max_bend_deg`` from the bout's walking posture are left out of the bout,
   which is split there, each part keeping the whole bout's direction), its
   threshold chosen leave-one-subject-out as in section 2; ties go to the rule
   off, then to the largest threshold.
5. The same rule at a bout's ends only (``ends_only``: the bent contacts
   before the first and after the last upright one are left out, the bout
   trimmed, never split inside), chosen the same way.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import ipol_trial_ids, load_ipol_trial, load_mobgap, mobgap_names
from _direction_data import mocap_trials
from retrowalk.core.recording import Recording
from retrowalk.gait.bouts import BentTrunkFilter, BoutDetector, StationaryBoutFilter
from retrowalk.pipeline import analyze
from retrowalk.pipeline.options import AnalysisOptions
from retrowalk.pipeline.trunk import TrunkPipeline

#: Thresholds tried (m); ``None``: the rule off.
GRID: tuple[float | None, ...] = (None, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15)
MOBILISE_D_M = 0.075
#: Bend thresholds tried (deg); ``None``: the rule off. Ties go to the rule off, then the
#: largest threshold (the least cut).
BEND_GRID: tuple[float | None, ...] = (None, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0)
BEND_ENDS_GRID: tuple[float | None, ...] = (None, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0)
BEND_TIE_DEG = 90.0
MISSED_WEIGHT = 3.0
STEP_COST_S = 1.5

Spans = list[tuple[float, float]]


def _overlap(a: float, b: float, spans: Spans) -> float:
    return sum(max(0.0, min(b, z) - max(a, y)) for y, z in spans)


def _analyse(rec: Recording, placement: str, pipeline: TrunkPipeline | None = None) -> Any:
    options = AnalysisOptions(placement=placement)
    if pipeline is None:
        return analyze(rec, options)
    return analyze(rec, options, pipelines={"trunk": pipeline})


@dataclass(frozen=True)
class Rule:
    """A bout rule whose threshold is chosen leave-one-subject-out."""

    title: str
    parameter: str
    unit: str
    grid: tuple[float | None, ...]
    tie: float  # ties go to the threshold nearest this
    off_as: float  # the rule off counts as this threshold in a tie
    pipeline: Callable[[float | None], TrunkPipeline]


STATIONARY = Rule(
    "STATIONARY BOUTS",
    "min_median_step_m",
    "m",
    GRID,
    MOBILISE_D_M,
    0.0,
    lambda t: TrunkPipeline(stationary_filter=StationaryBoutFilter(min_median_step_m=t)),
)
BENT = Rule(
    "BENT TRUNK, BOUTS SPLIT",
    "max_bend_deg",
    "deg",
    BEND_GRID,
    BEND_TIE_DEG,
    BEND_TIE_DEG,
    lambda t: TrunkPipeline(bent_trunk_filter=BentTrunkFilter(max_bend_deg=t, ends_only=False)),
)
BENT_ENDS = Rule(
    "BENT TRUNK, ENDS TRIMMED",
    "max_bend_deg",
    "deg",
    BEND_ENDS_GRID,
    BEND_TIE_DEG,
    BEND_TIE_DEG,
    lambda t: TrunkPipeline(bent_trunk_filter=BentTrunkFilter(max_bend_deg=t, ends_only=True)),
)


class Case:
    """One recording (or labelled run) and how to score an analysis of it."""

    def __init__(self, person: str, name: str, rec: Recording, kind: str, ref: Any) -> None:
        self.person, self.name, self.rec, self.kind, self.ref = person, name, rec, kind, ref

    def figures(self, result: Any) -> dict[str, float]:
        ours = [(b.start_s, b.end_s) for b in result.bouts]
        if self.kind == "mobgap":
            ref: Spans = self.ref
            out = sum(b - a - _overlap(a, b, ref) for a, b in ours)
            missed = sum(b - a - _overlap(a, b, ours) for a, b in ref)
            return {"outside_s": out, "missed_s": missed, "cost": out + MISSED_WEIGHT * missed}
        # reference contacts (s) that should be in a bout
        contacts: np.ndarray = self.ref
        inside = sum(any(a - 0.05 <= c <= b + 0.05 for a, b in ours) for c in contacts.tolist())
        lost = float(contacts.size - inside)
        return {"ref_steps": float(contacts.size), "steps_out": lost, "cost": STEP_COST_S * lost}


def cases() -> list[Case]:
    """Every recording the rule can touch: mobgap-lab, ipol-gait lower back, mocap pelvis."""
    out = []
    for name in mobgap_names():
        rec, meta = load_mobgap(name)
        fs = rec.sampling_rate_hz
        ref = [(w["start"] / fs, w["end"] / fs) for w in meta["walking_bouts"]]
        out.append(Case(f"mobgap {name[:6]}", name, rec, "mobgap", ref))
    for tid in ipol_trial_ids():
        rec, meta = load_ipol_trial(tid, "lb")
        lo, hi = meta["trial_boundaries"]
        ic = meta["ic"]
        ic = ic[(ic >= lo) & (ic <= hi)] / rec.sampling_rate_hz
        out.append(Case(f"ipol {meta['subject']}", f"ipol {tid}", rec, "steps", ic))
    for tr in mocap_trials():
        contacts = np.array(tr.contacts_s)
        for run in tr.runs:
            if run["direction"] not in ("forward", "backward"):
                continue
            a, b = run["start_s"], run["end_s"]
            part = tr.pelvis.slice_s(a, b)
            inside = contacts[(contacts >= a) & (contacts <= b)] - a
            name = f"mocap {tr.trial} {a:.1f}-{b:.1f} s {run['direction']}"
            out.append(Case(f"mocap {tr.person}", name, part, "steps", inside))
    return out


def agreement_table(items: list[Case]) -> None:
    """Section 1: INDIP agreement per mobgap-lab recording, with the shipped analysis."""
    print("\n== 1. WALKING BOUTS AGAINST INDIP (mobgap-lab, shipped analysis)")
    head = f"{'recording':<22}{'ours s':>8}{'INDIP s':>9}{'outside':>9}{'missed':>8}"
    print(f"{head}{'  wholly outside: n, s, steps':<32}{'forward % of bout time':>24}")
    total: dict[str, float] = defaultdict(float)
    for case in (c for c in items if c.kind == "mobgap"):
        result = _analyse(case.rec, "lower_back")
        fig = case.figures(result)
        ours = sum(b.duration_s for b in result.bouts)
        ref = sum(b - a for a, b in case.ref)
        alone = [b for b in result.bouts if _overlap(b.start_s, b.end_s, case.ref) == 0]
        fwd = sum(b.duration_s for b in result.bouts if b.direction == "forward")
        share = f"{100 * fwd / ours:.1f}" if ours else "-"
        wholly = f"{len(alone)}, {sum(b.duration_s for b in alone):.1f}, "
        wholly += str(sum(b.n_steps for b in alone))
        print(
            f"{case.name:<22}{ours:8.1f}{ref:9.1f}{fig['outside_s']:9.1f}{fig['missed_s']:8.1f}"
            f"  {wholly:<30}{share:>24}"
        )
        if "Test11" in case.name:
            for k, v in (("ours", ours), ("fwd", fwd), ("out", fig["outside_s"])):
                total[k] += v
            total["missed"] += fig["missed_s"]
    print(
        f"{'Test11 together':<22}{total['ours']:8.1f}{'':>9}{total['out']:9.1f}"
        f"{total['missed']:8.1f}  {'':<30}{100 * total['fwd'] / max(total['ours'], 1e-9):>24.1f}"
    )


def loso_table(items: list[Case], rule: Rule = STATIONARY, section: int = 2) -> None:
    """Section 2 (4): the stationary-bout (bent-trunk) threshold chosen leave-one-subject-out."""
    print(f"\n== {section}. {rule.title}: {rule.parameter} chosen leave-one-subject-out")
    grid = rule.grid
    cost: dict[tuple[str, float | None], float] = defaultdict(float)
    figs: dict[tuple[str, float | None], dict[str, float]] = {}
    forward: dict[tuple[str, float | None], tuple[float, float]] = {}
    for threshold in grid:
        for case in items:
            result = _analyse(case.rec, "lower_back", rule.pipeline(threshold))
            f = case.figures(result)
            cost[(case.person, threshold)] += f["cost"]
            acc = figs.setdefault((case.person, threshold), defaultdict(float))
            for k, v in f.items():
                acc[k] += v
            if "Test11" in case.name:
                fwd = sum(b.duration_s for b in result.bouts if b.direction == "forward")
                forward[(case.person, threshold)] = (fwd, sum(b.duration_s for b in result.bouts))
    people = sorted({c.person for c in items})

    def train(without: str, t: float | None) -> float:
        return round(sum(cost[(p, t)] for p in people if p != without), 6)

    def chosen(without: str) -> float | None:
        def key(t: float | None) -> tuple[float, float]:
            return (train(without, t), abs((t if t is not None else rule.off_as) - rule.tie))

        return min(grid, key=key)

    def tied(without: str) -> str:
        best = min(train(without, t) for t in grid)
        shown = ["off" if t is None else f"{t:g}" for t in grid if train(without, t) == best]
        return ",".join(shown)

    print(
        f"{'left out':<14}{'chosen ' + rule.unit:>10}  {'equally good':<34}"
        "figures of the person left out: off -> chosen"
    )
    fwd_total = {"off": [0.0, 0.0], "loso": [0.0, 0.0]}
    for person in people:
        t = chosen(person)
        off, on = figs[(person, None)], figs[(person, t)]
        if "outside_s" in off:
            line = (
                f"outside INDIP {off['outside_s']:.1f} -> {on['outside_s']:.1f} s, "
                f"INDIP missed {off['missed_s']:.1f} -> {on['missed_s']:.1f} s"
            )
        else:
            line = (
                f"reference steps outside a bout {off['steps_out']:.0f} -> "
                f"{on['steps_out']:.0f} of {off['ref_steps']:.0f}"
            )
        if (person, None) in forward:
            for mode, key in (("off", None), ("loso", t)):
                fwd_total[mode][0] += forward[(person, key)][0]
                fwd_total[mode][1] += forward[(person, key)][1]
        shown = "off" if t is None else f"{t:g}"
        print(f"{person:<14}{shown:>10}  {tied(person):<34}{line}")
    share = {m: 100 * f / max(a, 1e-9) for m, (f, a) in fwd_total.items()}
    print(
        f"Test11 bout time called forward: off {share['off']:.1f} % of {fwd_total['off'][1]:.0f} s"
        f" -> held-out thresholds {share['loso']:.1f} % of {fwd_total['loso'][1]:.0f} s"
    )


def _gravity(rec: Recording) -> np.ndarray:
    """Unit gravity direction per sample: the acceleration's 1-s running mean, normalised."""
    fs = rec.sampling_rate_hz
    acc = np.asarray(rec.acc_mps2, dtype=np.float64)
    w = min(max(int(fs), 1), acc.shape[0])
    c = np.cumsum(np.vstack([np.zeros((1, 3)), acc]), axis=0)
    g = (c[w:] - c[:-w]) / w
    before = w // 2
    g = np.vstack([np.repeat(g[:1], before, 0), g, np.repeat(g[-1:], w - 1 - before, 0)])
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def _bend_deg(g: np.ndarray) -> np.ndarray:
    """Angle (deg) of each gravity direction in ``g`` from their median direction."""
    med = np.median(g, axis=0)
    med /= np.linalg.norm(med)
    return np.degrees(np.arccos(np.clip(g @ med, -1.0, 1.0)))


class _Bout:
    """A bout as the scoring needs it."""

    def __init__(self, start_s: float, end_s: float) -> None:
        self.start_s, self.end_s = start_s, end_s


def _unbent_contacts(case: Case, result: Any, limit_deg: float) -> list[_Bout]:
    """Bouts re-formed from the contacts at which the trunk is within ``limit_deg`` of the bout's
    posture (contacts during a bend dropped, then the bout rules again)."""
    fs = case.rec.sampling_rate_hz
    g = _gravity(case.rec)
    out = []
    for k in range(len(result.bouts)):
        t = np.array([s.time_s for s in result.steps if s.bout == k])
        idx = np.minimum(np.round(t * fs).astype(np.int64), g.shape[0] - 1)
        kept = idx[_bend_deg(g[idx]) <= limit_deg]
        for span in BoutDetector().detect(kept, fs).bouts_:
            out.append(_Bout(span.start_sample / fs, span.end_sample / fs))
    return out


def _travelling_ends(result: Any, min_step_m: float) -> list[_Bout]:
    """Each bout from its first to its last step of at least ``min_step_m`` (pendulum)."""
    out = []
    for k in range(len(result.bouts)):
        steps = [s for s in result.steps if s.bout == k]
        t = np.array([s.time_s for s in steps])
        length = np.array([np.nan if s.length_m is None else s.length_m for s in steps])
        far = np.flatnonzero(length[:-1] >= min_step_m)  # the step from contact i to i + 1
        if far.size:
            out.append(_Bout(float(t[far[0]]), float(t[far[-1] + 1])))
        else:
            out.append(_Bout(float(t[0]), float(t[-1])))
    return out


def other_rules_table(items: list[Case]) -> None:
    """Section 3: rules measured on the shipped analysis, not shipped."""
    print("\n== 3. OTHER RULES (measured on the shipped analysis, not shipped)")

    def whole(drop: Callable[[Case, Any], bool]) -> Callable[[Case, Any], list[Any]]:
        return lambda case, result: [b for b in result.bouts if not drop(case, b)]

    def bent(case: Case, b: Any) -> float:
        fs = case.rec.sampling_rate_hz
        lo, hi = int(b.start_s * fs), int(b.end_s * fs) + 1
        return float(_bend_deg(_gravity(case.rec)[lo:hi]).max())

    rules: dict[str, Callable[[Case, Any], list[Any]]] = {
        "bout of under 8 contacts (4 strides)": whole(lambda c, b: b.n_steps < 8),
        "bout with trunk bent > 45 deg": whole(lambda c, b: bent(c, b) > 45),
        "bout with trunk bent > 30 deg": whole(lambda c, b: bent(c, b) > 30),
        "contacts bent > 40 deg dropped": lambda c, r: _unbent_contacts(c, r, 40.0),
        "contacts bent > 30 deg dropped": lambda c, r: _unbent_contacts(c, r, 30.0),
        "ends cut to steps >= 0.075 m": lambda c, r: _travelling_ends(r, MOBILISE_D_M),
    }
    head = f"{'outside INDIP removed s':>24}{'INDIP s lost':>14}{'ipol+mocap steps lost':>23}"
    print(f"{'rule':<34}{head}")
    results = [(case, _analyse(case.rec, "lower_back")) for case in items]
    for title, rule in rules.items():
        removed = lost = steps = 0.0
        for case, result in results:
            before, after = case.figures(result), case.figures(_Kept(rule(case, result)))
            if case.kind == "mobgap":
                removed += before["outside_s"] - after["outside_s"]
                lost += after["missed_s"] - before["missed_s"]
            else:
                steps += after["steps_out"] - before["steps_out"]
        print(f"{title:<34}{removed:24.1f}{lost:14.1f}{steps:23.0f}")


class _Kept:
    """An analysis result reduced to some bouts."""

    def __init__(self, bouts: list[Any]) -> None:
        self.bouts = bouts


def main() -> int:
    t0 = time.time()
    if not mobgap_names():
        print("real recordings not found (see tests/realdata.py); nothing to measure")
        return 1
    items = cases()
    agreement_table(items)
    loso_table(items)
    other_rules_table(items)
    loso_table(items, BENT, 4)
    loso_table(items, BENT_ENDS, 5)
    print(f"\n({time.time() - t0:.0f} s, load {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

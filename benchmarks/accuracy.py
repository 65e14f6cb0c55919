"""Accuracy of the full ``analyze()`` pipeline on real recordings with references.

Run: ``.venv/bin/python benchmarks/accuracy.py``

- ipol-gait (12 adults, 70 trials, 10 m walk + U-turn + 10 m back): lower back
  against the merged initial contacts of both feet, and each foot sensor against
  its own foot's contacts. Only events inside ``TrialBoundaries`` count
  (detections within the matching tolerance of the boundaries included).
- mobgap-lab (3 adults, INDIP reference): contacts inside the reference bouts,
  and walking speed / stride length of our bouts matched to reference bouts by
  overlap; whether any reference bout of the daily-life simulation (Test11) is
  lost.

Contacts are matched one-to-one within +/- 0.25 s (closest pairs first).
Constants fitted on these data are re-checked leave-one-subject-out (the
"LOSO" lines): the contact timing delay always; with ``--cv`` also the
turning-step rule of the contact detector (ipol-gait, 12 people) and the
step-length constants ``K`` and ``h_floor_m`` (15 people: ipol-gait segments
against the foot sensors' stride lengths, mobgap-lab bouts against INDIP).
Each held-out person is scored with the constants chosen on the others.

Figures here are on the people the constants were fitted on, except the LOSO
lines; ``benchmarks/accuracy_loso.py`` prints held-out figures only. No figure
of another tool is written here: the reference tools are measured, not quoted
(``benchmarks/anchors.py`` runs them in their own environment).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

import _data
from retrowalk.core.results import Analysis
from retrowalk.pipeline import AnalysisOptions, analyze

TOLERANCE_S = 0.25
FS = 100.0
#: Each foot's ipol-gait sensor and the key of its reference contacts.
FEET: tuple[tuple[Literal["lf", "rf"], str], ...] = (("lf", "left_ic"), ("rf", "right_ic"))

TARGETS = (
    "lower back ipol: abs step error <= 2 %, recall and precision >= 98 %, timing MAE <= 25 ms; "
    "mobgap-lab per-bout speed MAE <= 8 %, no bout lost on Test11 (targets are met or missed "
    "on held-out figures: benchmarks/accuracy_loso.py)"
)


def match(det: np.ndarray, ref: np.ndarray, tol: float) -> list[tuple[int, int]]:
    """One-to-one pairs (det index, ref index) within ``tol`` samples, closest first."""
    if det.size == 0 or ref.size == 0:
        return []
    dist = np.abs(det[:, None] - ref[None, :]).astype(np.float64)
    cand = np.argwhere(dist <= tol)
    order = np.argsort(dist[cand[:, 0], cand[:, 1]], kind="stable")
    used_d: set[int] = set()
    used_r: set[int] = set()
    pairs = []
    for i, j in cand[order]:
        if i in used_d or j in used_r:
            continue
        used_d.add(int(i))
        used_r.add(int(j))
        pairs.append((int(i), int(j)))
    return pairs


@dataclass
class Tally:
    """Pooled contact-matching results of one dataset and placement."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors_ms: list[float] = field(default_factory=list)
    subjects: list[int] = field(default_factory=list)  # subject per timing error
    count_errors_pct: list[float] = field(default_factory=list)

    def add(self, det: np.ndarray, ref: np.ndarray, subject: int, n_steps: int | None = None):
        pairs = match(det, ref, TOLERANCE_S * FS)
        self.tp += len(pairs)
        self.fp += det.size - len(pairs)
        self.fn += ref.size - len(pairs)
        for i, j in pairs:
            self.errors_ms.append(float(det[i] - ref[j]) * 1000.0 / FS)
            self.subjects.append(subject)
        if ref.size:
            counted = det.size if n_steps is None else n_steps
            self.count_errors_pct.append(100.0 * (counted - ref.size) / ref.size)

    def row(self, name: str) -> str:
        rec = self.tp / max(self.tp + self.fn, 1)
        prec = self.tp / max(self.tp + self.fp, 1)
        err = np.array(self.errors_ms) if self.errors_ms else np.zeros(1)
        ce = np.array(self.count_errors_pct) if self.count_errors_pct else np.zeros(1)
        return (
            f"{name:<28} {ce.mean():+7.2f} {np.abs(ce).mean():7.2f} {100 * rec:7.2f} "
            f"{100 * prec:7.2f} {err.mean():+8.1f} {np.abs(err).mean():8.1f}   "
            f"(ref {self.tp + self.fn}, det {self.tp + self.fp})"
        )

    def loso_timing(self) -> tuple[float, float]:
        """Timing MAE if the delay were re-fitted without each held-out subject.

        The delay only shifts all contacts; re-fitting it on the other subjects
        changes a held-out subject's errors by minus the training median error.
        """
        err = np.array(self.errors_ms)
        subj = np.array(self.subjects)
        out = np.empty_like(err)
        for s in np.unique(subj):
            out[subj == s] = err[subj == s] - np.median(err[subj != s])
        return float(out.mean()), float(np.abs(out).mean())


HEADER = (
    f"{'dataset / placement':<28} {'cnt±%':>7} {'|cnt|%':>7} {'recall':>7} {'prec':>7} "
    f"{'t_err':>8} {'t_MAE':>8}"
)


def run(det_times_s: npt.ArrayLike) -> np.ndarray:
    return np.round(np.asarray(det_times_s) * FS).astype(np.int64)


def analyse(rec, placement: str, height_m: float | None) -> Analysis:
    return analyze(rec, AnalysisOptions(placement=placement, height_m=height_m))


def ipol(foot_available: bool) -> tuple[dict[str, Tally], list[tuple[int, float, float]]]:
    tallies = {"lb": Tally(), "lf": Tally(), "rf": Tally()}
    distances: list[tuple[int, float, float]] = []  # subject, our distance, h-sum factor
    for trial in _data.ipol_trial_ids():
        rec, meta = _data.load_ipol_trial(trial, "lb")
        lo, hi = meta["trial_boundaries"]
        tol = TOLERANCE_S * FS
        result = analyse(rec, "lower_back", meta["height_m"])
        det = run([s.time_s for s in result.steps])
        det = det[(det >= lo - tol) & (det <= hi + tol)]
        tallies["lb"].add(det, meta["ic"], meta["subject"])
        inside = [b for b in result.bouts if b.end_s * FS >= lo and b.start_s * FS <= hi]
        distances.append((meta["subject"], sum(b.distance_m or 0.0 for b in inside), 0.0))
        if not foot_available:
            continue
        for sensor, key in FEET:
            frec, _ = _data.load_ipol_trial(trial, sensor)
            fres = analyse(frec, "foot", meta["height_m"])
            own = run([s.time_s for s in fres.steps if not s.inferred])
            own = own[(own >= lo - tol) & (own <= hi + tol)]
            tallies[sensor].add(own, meta[key], meta["subject"])
    return tallies, distances


@dataclass
class SpeedTally:
    speed_err_pct: list[float] = field(default_factory=list)
    stride_err_pct: list[float] = field(default_factory=list)
    lost: dict[str, int] = field(default_factory=dict)
    rows: list[str] = field(default_factory=list)
    bouts: list[tuple[str, int]] = field(default_factory=list)  # (recording, start) per error


def in_bouts(det: np.ndarray, walking_bouts: list[dict[str, Any]]) -> np.ndarray:
    """Which contacts (samples) lie inside a reference walking bout, within the tolerance."""
    tol = TOLERANCE_S * FS
    inside = np.zeros(det.size, dtype=bool)
    for wb in walking_bouts:
        inside |= (det >= wb["start"] - tol) & (det <= wb["end"] + tol)
    return inside


def overlapping(spans: list[tuple[float, float]], wb: dict[str, Any]) -> list[int]:
    """Which of the bouts ``spans`` (start, end samples) overlap the reference bout ``wb``."""
    return [k for k, (a, b) in enumerate(spans) if min(b, wb["end"]) - max(a, wb["start"]) > 0]


def window_speed(
    ends_s: np.ndarray, lengths_m: np.ndarray, durations_s: np.ndarray, start_s: float, end_s: float
) -> tuple[float | None, np.ndarray]:
    """Walking speed of the steps or strides that end inside a reference bout, and which they are.

    Each counts its length over its duration, as the reference averages its
    strides: the sum of the lengths over the sum of the durations (``None``:
    none ends inside).
    """
    inside = (ends_s > start_s) & (ends_s <= end_s + TOLERANCE_S)
    if not inside.any():
        return None, inside
    return float(np.sum(lengths_m[inside]) / np.sum(durations_s[inside])), inside


def _speed_in_window(
    result: Analysis, bouts: list[int], start_s: float, end_s: float
) -> tuple[float | None, float]:
    """Walking speed and stride length of our steps inside a reference bout.

    Our bouts (matched by overlap) may be longer than the reference bout; the
    steps that end inside the reference window are compared, each step's
    length over its duration (pauses carry no length), as the reference
    averages its strides (:func:`window_speed`).
    """
    ends, lengths, durations = [], [], []
    for k in bouts:
        steps = [s for s in result.steps if s.bout == k]
        for prev, cur in itertools.pairwise(steps):
            if cur.length_m is not None:
                ends.append(cur.time_s)
                lengths.append(cur.length_m)
                durations.append(cur.time_s - prev.time_s)
    length_m = np.array(lengths)
    speed, inside = window_speed(np.array(ends), length_m, np.array(durations), start_s, end_s)
    if speed is None:
        return None, 0.0
    return speed, float(2.0 * np.mean(length_m[inside]))


def mobgap() -> tuple[Tally, SpeedTally]:
    tally = Tally()
    speed = SpeedTally()
    for k, name in enumerate(_data.mobgap_names()):
        rec, meta = _data.load_mobgap(name)
        result = analyse(rec, "lower_back", meta["height_m"])
        det_all = run([s.time_s for s in result.steps])
        ref_bouts = meta["walking_bouts"]
        if ref_bouts:
            tally.add(det_all[in_bouts(det_all, ref_bouts)], meta["ic"], subject=k // 3)
        lost = 0
        spans = [(b.start_s * FS, b.end_s * FS) for b in result.bouts]
        for wb in ref_bouts:
            matched = overlapping(spans, wb)
            if not matched:
                lost += 1
                continue
            v, stride = _speed_in_window(result, matched, wb["start"] / FS, wb["end"] / FS)
            if v is None:
                continue
            e = 100.0 * (v - wb["avg_walking_speed_mps"]) / wb["avg_walking_speed_mps"]
            s_err = 100.0 * (stride - wb["avg_stride_length_m"]) / wb["avg_stride_length_m"]
            speed.speed_err_pct.append(e)
            speed.stride_err_pct.append(s_err)
            speed.bouts.append((name, int(wb["start"])))
            speed.rows.append(
                f"  {name:<24} ref {wb['start'] / FS:7.2f}-{wb['end'] / FS:7.2f}s "
                f"v {wb['avg_walking_speed_mps']:.2f} ours {v:.2f} ({e:+.1f} %), "
                f"stride {wb['avg_stride_length_m']:.2f} ours {stride:.2f} ({s_err:+.1f} %)"
            )
        speed.lost[name] = lost
    return tally, speed


# --------------------------------------------------------------------------- #
# Leave-one-subject-out checks of the fitted constants (--cv)
# --------------------------------------------------------------------------- #

TURNING_GRID = [(rp, tr) for rp in (0.1, 0.15, 0.2, 0.25) for tr in (0.5, 0.8, 1.2, 1.6)]
#: ``(K, h_floor_m, turn_rad0)``; ``turn_rad0`` ``None``: no turning correction.
STEP_LENGTH_GRID = [
    (k, h0, t0)
    for k in (1.20, 1.25, 1.30, 1.35, 1.40, 1.45, 1.50)
    for h0 in (0.0, 0.002, 0.003, 0.004, 0.005, 0.006)
    for t0 in (None, 2.0)
]


def _loso_pick(scores: dict, subjects: list, cost) -> dict:
    """For each subject, the grid point with the lowest ``cost`` over the other subjects."""
    return {
        s: min(scores, key=lambda g: cost(scores[g], [x for x in subjects if x != s]))
        for s in subjects
    }


def cv_turning_rule() -> str:
    """LOSO of (turning_relative_prominence, turning_rate_rads) on ipol lower back."""
    from unittest import mock

    from retrowalk.gait.contacts import TrunkContactDetector

    trials = [_data.load_ipol_trial(t, "lb") for t in _data.ipol_trial_ids()]
    scores: dict = {}
    for rp, tr in TURNING_GRID:
        per: dict[int, np.ndarray] = {}
        change = {"turning_relative_prominence": rp, "turning_rate_rads": tr}
        with mock.patch.dict(TrunkContactDetector.__init__.__kwdefaults__, change):
            for rec, meta in trials:
                lo, hi = meta["trial_boundaries"]
                det = run([s.time_s for s in analyse(rec, "lower_back", meta["height_m"]).steps])
                det = det[(det >= lo - TOLERANCE_S * FS) & (det <= hi + TOLERANCE_S * FS)]
                tp = len(match(det, meta["ic"], TOLERANCE_S * FS))
                row = np.array([tp, det.size - tp, meta["ic"].size - tp])
                per[meta["subject"]] = per.get(meta["subject"], 0) + row
        scores[(rp, tr)] = per
    subjects = sorted(scores[TURNING_GRID[0]])
    picks = _loso_pick(scores, subjects, lambda per, sub: sum(per[x][1] + per[x][2] for x in sub))
    held = sum(scores[picks[s]][s] for s in subjects)
    chosen = sorted({picks[s] for s in subjects})
    recall = 100 * held[0] / (held[0] + held[2])
    precision = 100 * held[0] / (held[0] + held[1])
    return (
        f"LOSO turning-step rule, ipol lower back: recall {recall:.2f} %, "
        f"precision {precision:.2f} % (chosen {chosen})"
    )


def steps_inside(steps: dict[str, np.ndarray], bout: dict[str, Any]) -> np.ndarray:
    """Which of :func:`_bout_steps`' steps start and end inside a reference walking bout.

    Within the contact tolerance: the step that ends on the bout's first
    contact came before the bout, and is not in it.
    """
    tol = TOLERANCE_S * FS
    start = steps["end"] - np.round(steps["dur"] * FS)
    return (start >= bout["start"] - tol) & (steps["end"] <= bout["end"] + tol)


def mobgap_bouts() -> Iterator[
    tuple[str, dict[str, Any], dict[str, Any], dict[str, np.ndarray], np.ndarray, float]
]:
    """Every INDIP walking bout of mobgap-lab with the steps we found inside it.

    Yields ``(recording name, its metadata, the reference bout, the recording's
    steps (:func:`_bout_steps`), which of them lie inside the bout
    (:func:`steps_inside`), the leg length from the person's height)``.
    """
    from retrowalk.gait.spatial import LEG_LENGTH_FRACTION

    for name in _data.mobgap_names():
        rec, meta = _data.load_mobgap(name)
        steps = _bout_steps(rec)
        leg = LEG_LENGTH_FRACTION * meta["height_m"]
        for wb in meta["walking_bouts"]:
            yield name, meta, wb, steps, steps_inside(steps, wb), leg


def _bout_steps(rec) -> dict[str, np.ndarray]:
    """Per step of every bout of the analysis: end sample, duration, vertical excursion,
    turn (rad) and which of the analysis's bouts it belongs to (``bout``).

    The bouts are those ``analyze`` reports (not-walking bouts dropped, bouts
    split where the direction changes), so that step lengths worked out over
    each bout (:func:`bout_step_lengths`) are the ones the analysis gives.
    """
    from retrowalk.pipeline.trunk import TrunkPipeline

    table = TrunkPipeline()._scan_contacts(rec, "lower_back")
    result = analyze(rec, AnalysisOptions(placement="lower_back"))
    at = {int(x): i for i, x in enumerate(table.sample.tolist())}
    owner = np.array([s.bout for s in result.steps], dtype=np.int64)
    row = np.array([at[round(s.time_s * FS)] for s in result.steps], dtype=np.int64)
    same = owner[1:] == owner[:-1]  # a step: two consecutive contacts of one bout
    first, last = row[:-1][same], row[1:][same]
    if not first.size:
        empty = np.zeros(0)
        return {
            "end": np.zeros(0, np.int64), "dur": empty, "h": empty, "turn": empty,
            "bout": np.zeros(0, np.int64),
        }  # fmt: skip
    end = table.sample[last]
    return {
        "end": end,
        "dur": (end - table.sample[first]) / FS,
        "h": table.excursion_m[first],
        "turn": table.turn_rad[first],
        "bout": owner[1:][same],
    }


def bout_step_lengths(steps: dict[str, np.ndarray], leg_m: float, model: Any) -> np.ndarray:
    """Each of :func:`_bout_steps`' steps' length as the trunk pipeline works it out.

    Over each bout whole (the running median that limits a step far longer than
    its neighbours sees the bout's steps, not only those in a reference
    window); an interval longer than ``STEP_MAX_S`` is a pause (``nan``).
    ``model``: a :class:`~retrowalk.gait.spatial.TrunkStepLength`.
    """
    from retrowalk.pipeline.trunk import STEP_MAX_S

    walking = steps["dur"] <= STEP_MAX_S
    if not walking.size:
        return np.zeros(0)
    h = np.where(walking, steps["h"], np.nan)
    cuts = np.flatnonzero(steps["bout"][1:] != steps["bout"][:-1]) + 1
    lengths = model.estimate_bouts(np.split(h, cuts), leg_m, np.split(steps["turn"], cuts))
    return np.where(walking, np.concatenate(lengths), np.nan)


@dataclass
class SpeedCase:
    """A reference walk and our steps in it: ``steps`` are all of the recording's
    (:func:`_bout_steps`, with their bouts), ``inside`` those of this walk.

    Step lengths are worked out over each of our bouts whole, as the analysis
    does (:func:`bout_step_lengths`), then the walk's are taken.
    """

    dataset: str
    person: str
    steps: dict[str, np.ndarray]
    inside: np.ndarray
    leg_m: float
    kind: str  # "distance" (ipol segment) or "bout" (mobgap reference bout)
    reference: dict[str, float]
    part: str = ""  # ipol: "straight" (the 10 m walks) or "U-turn"


def speed_cases() -> list[SpeedCase]:
    """The step-length and speed cases: ipol segments (straight walks and the U-turn)
    against both foot sensors' strides, and mobgap-lab's INDIP walking bouts."""
    from retrowalk.gait.foot import FootGaitAnalyzer
    from retrowalk.gait.spatial import LEG_LENGTH_FRACTION
    from retrowalk.pipeline.options import DEFAULT_HEIGHT_M

    cases: list[SpeedCase] = []
    for trial in _data.ipol_trial_ids():
        rec, meta = _data.load_ipol_trial(trial, "lb")
        steps = _bout_steps(rec)
        lo, hi = meta["trial_boundaries"]
        u0, u1 = meta["uturn_boundaries"]
        feet = []
        for sensor in ("lf", "rf"):
            frec, _ = _data.load_ipol_trial(trial, sensor)
            feet.append(FootGaitAnalyzer().analyze(frec.acc_mps2, frec.gyro_rads, FS).strides_)
        leg = LEG_LENGTH_FRACTION * (meta["height_m"] or DEFAULT_HEIGHT_M)
        for (a, b), part in zip(
            ((lo, u0), (u0, u1), (u1, hi)), ("straight", "U-turn", "straight"), strict=True
        ):
            ref = float(
                np.mean(
                    [
                        f["stride_length_m"][(f["end_sample"] > a) & (f["end_sample"] <= b)].sum()
                        for f in feet
                    ]
                )
            )
            m = (steps["end"] > a) & (steps["end"] <= b)
            if ref >= 0.3 and m.any():
                cases.append(
                    SpeedCase(
                        "ipol", f"ipol-{meta['subject']}", steps, m, leg, "distance",
                        {"distance_m": ref}, part,
                    )
                )  # fmt: skip
    for name, _, wb, steps, m, leg in mobgap_bouts():
        if not m.any():
            continue
        cases.append(
            SpeedCase(
                "mobgap", name[:6], steps, m, leg, "bout",
                {
                    "speed_mps": wb["avg_walking_speed_mps"],
                    "stride_m": wb["avg_stride_length_m"],
                    "cadence_spm": wb["avg_cadence_spm"],
                },
            )
        )  # fmt: skip
    return cases


def cv_step_length() -> list[str]:
    """LOSO of (K, h_floor_m, turn_rad0): ipol segments vs foot sensors, mobgap bouts vs INDIP."""
    from retrowalk.gait.spatial import TrunkStepLength

    cases = speed_cases()

    def errors(k: float, h0: float, t0: float | None) -> list[tuple[str, str, float]]:
        out = []
        model = TrunkStepLength(k_factor=k, h_floor_m=h0, turn_rad0=t0)
        for c in cases:
            lengths = bout_step_lengths(c.steps, c.leg_m, model)[c.inside]
            if not np.isfinite(lengths).any():
                continue
            if c.kind == "distance":
                ours, ref = np.nansum(lengths), c.reference["distance_m"]
            else:  # a reference bout: our mean step length against half its stride
                ours, ref = np.nanmean(lengths), c.reference["stride_m"] / 2.0
            out.append((c.dataset, c.person, 100.0 * (ours / ref - 1.0)))
        return out

    scores = {g: errors(*g) for g in STEP_LENGTH_GRID}
    subjects = sorted({c.person for c in cases})

    def cost(errs, sub):  # mean absolute error per dataset, both datasets weighing equally
        per_ds = [[abs(e) for d, s, e in errs if s in sub and d == ds] for ds in ("ipol", "mobgap")]
        return float(np.mean([np.mean(x) for x in per_ds if x]))

    picks = _loso_pick(scores, subjects, cost)
    lines = []
    for ds in ("ipol", "mobgap"):
        held = np.array([e for s in subjects for d, x, e in scores[picks[s]] if x == s and d == ds])
        what = "segment distance vs foot sensors" if ds == "ipol" else "step length vs INDIP"
        lines.append(
            f"LOSO step length ({ds} {what}, n={held.size}): mean {held.mean():+.1f} %, "
            f"MAE {np.abs(held).mean():.1f} %"
        )
    chosen = sorted({picks[s] for s in subjects}, key=str)
    lines.append(f"  (K, h_floor_m, turn_rad0) chosen per fold: {chosen}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="per-bout speed rows")
    parser.add_argument(
        "--cv",
        action="store_true",
        help="leave-one-subject-out checks of fitted constants (~1 min)",
    )
    args = parser.parse_args(argv)
    if not _data.ipol_trial_ids() and not _data.mobgap_names():
        print(f"no real recordings under {_data.data_root()}: nothing to measure")
        return 1
    try:
        from retrowalk.gait.foot import FootGaitAnalyzer  # noqa: F401

        foot_available = True
    except ImportError:
        foot_available = False
    t0 = time.perf_counter()
    tallies, distances = ipol(foot_available)
    mg_tally, mg_speed = mobgap()
    elapsed = time.perf_counter() - t0

    n_trials = len(_data.ipol_trial_ids())
    print(f"retrowalk accuracy — full analyze() pipeline ({elapsed:.1f} s)")
    n_mobgap = len(_data.mobgap_names())
    print(f"ipol-gait: {n_trials} trials, subjects 1-12; mobgap-lab: {n_mobgap} recordings")
    print("contacts matched one-to-one within ±250 ms; step count error per trial (mean)\n")
    print(HEADER)
    print(tallies["lb"].row("ipol lower back"))
    for sensor, label in (("lf", "ipol left foot (own ICs)"), ("rf", "ipol right foot (own ICs)")):
        print(tallies[sensor].row(label) if foot_available else f"{label:<28} not available")
    print(mg_tally.row("mobgap-lab lower back"))
    print(f"{'pocket (thigh)':<28} no real pocket recording with a reference exists: not measured")

    mean_cv, mae_cv = tallies["lb"].loso_timing()
    print(
        f"\nLOSO timing (delay re-fitted without each subject), ipol lower back: "
        f"mean {mean_cv:+.1f} ms, MAE {mae_cv:.1f} ms"
    )

    dist = np.array([d[1] for d in distances])
    q1, q3 = np.percentile(dist, [25, 75])
    print(
        "ipol lower back distance per trial (course 2 x 10 m + U-turn): "
        f"median {np.median(dist):.2f} m, IQR {q1:.2f}-{q3:.2f} m"
    )

    sp = np.array(mg_speed.speed_err_pct)
    sl = np.array(mg_speed.stride_err_pct)
    if sp.size:
        print(
            f"\nmobgap-lab speed error vs INDIP (matched bouts, n={sp.size}): "
            f"mean {sp.mean():+.1f} %, MAE {np.abs(sp).mean():.1f} %"
        )
        print(
            f"mobgap-lab stride length error: mean {sl.mean():+.1f} %, "
            f"MAE {np.abs(sl).mean():.1f} %"
        )
    lost11 = {k: v for k, v in mg_speed.lost.items() if "Test11" in k}
    print(f"reference bouts lost on Test11: {sum(lost11.values())} ({lost11})")
    print(f"reference bouts lost, all mobgap-lab: {sum(mg_speed.lost.values())}")
    if args.verbose:
        print("\n".join(mg_speed.rows))
    if args.cv:
        print()
        print(cv_turning_rule())
        print("\n".join(cv_step_length()))

    print(f"\ntargets: {TARGETS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

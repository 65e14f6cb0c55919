"""Walking-direction benchmark: forward vs time-reversed walking, any orientation.

Usage::

    .venv/bin/python benchmarks/direction.py            # full table (a few minutes)
    .venv/bin/python benchmarks/direction.py --quick    # a subset
    .venv/bin/python benchmarks/direction.py --fit      # refit the shipped model, then the table

No labelled backward walking from a lower-back sensor is public, so the stand-ins
of ``shared/data/README.md`` are used: every real forward recording must come out
``forward``; its time reversal (``a(t) -> a(T-t)``, ``w(t) -> -w(T-t)``; Grasso et
al. 1998) must come out ``backward``, also slowed to 60 % speed
(``resample_poly(x, 5, 3)``, same sampling rate: the plain resample keeps the
amplitudes; ``reversed 60% physical`` also scales angular rate by 0.6 and dynamic
acceleration by 0.36, as a motion really slowed to 60 % would). Each is also turned 180 deg about
the vertical, upside down, and into 5 random 3D orientations: the answers must
not change.

Figures:

- ``ipol lower back``, reference straight 10 m legs and reference contacts, with the
  shipped model (in-sample: it was fitted on these subjects) and leave-subject-out
  (each subject scored by a model fitted without them: the honest figure);
- ``mobgap-lab lower back``, reference walking bouts (never used for fitting);
- ``ipol feet`` through :class:`retrowalk.gait.foot.FootGaitAnalyzer` when present;
- detected bouts through :func:`retrowalk.analysis.analyze` when it returns bouts;
- mobgap Test11 (simulated daily life): forward bouts called backward (must be 0);
- a direction change inside one bout (forward leg + reversed leg): split error in steps.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly
from scipy.spatial.transform import Rotation

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import (
    ipol_trial_ids,
    load_ipol_trial,
    load_mobgap,
    mobgap_names,
)
from retrowalk.frame import body_frame, lowpass
from retrowalk.gait.calibration import calibrate, fit_odd_logistic
from retrowalk.gait.direction import (
    BACKWARD,
    DEFAULT_LAGS,
    FORWARD,
    UNCERTAIN,
    DirectionModel,
    WalkingDirectionClassifier,
    default_model,
    step_features,
)
from retrowalk.recording import Recording

MODEL_PATH = Path(__file__).resolve().parents[1] / "src/retrowalk/data/direction_model.json"
FIT_LAMBDA = 3.0  # ridge strength of the lag weights (features scaled to unit RMS)
N_RANDOM_ROTATIONS = 5


# ------------------------------------------------------------------------ data


@dataclass
class Case:
    """One recording with reference bouts and contacts (all forward walking)."""

    name: str
    group: str  # subject id (ipol) or participant (mobgap)
    recording: Recording
    bouts: list[tuple[int, int]]
    ic: np.ndarray
    test: str = ""


def ipol_cases(ids: list[str]) -> list[Case]:
    """Straight legs of every ipol trial: [trial start, U-turn start], [U-turn end, trial end]."""
    out = []
    for tid in ids:
        rec, meta = load_ipol_trial(tid, "lb")
        lo, hi = meta["trial_boundaries"]
        u0, u1 = meta["uturn_boundaries"]
        hi = min(hi, rec.n_samples - 1)
        bouts = [(lo, u0), (u1, hi)]
        ic = np.asarray(meta["ic"], dtype=np.int64)
        out.append(Case(tid, str(meta["subject"]), rec, bouts, ic))
    return out


def mobgap_cases(names: list[str]) -> list[Case]:
    out = []
    for name in names:
        rec, meta = load_mobgap(name)
        bouts = [(int(b["start"]), int(b["end"])) for b in meta["walking_bouts"]]
        if not bouts:
            continue
        out.append(Case(name, name[:6], rec, bouts, np.asarray(meta["ic"]), meta["test"]))
    return out


# ------------------------------------------------------------------ conditions


def _mean_up(rec: Recording) -> np.ndarray:
    g = rec.acc_mps2.mean(axis=0)
    return g / np.linalg.norm(g)


def rotations(rec: Recording, seed: int, n_random: int) -> list[tuple[str, np.ndarray]]:
    """As recorded, 180 deg about the vertical, upside down, and random 3D rotations."""
    up = _mean_up(rec)
    ref = np.eye(3)[int(np.argmin(np.abs(up)))]
    horizontal = np.cross(up, ref)
    horizontal /= np.linalg.norm(horizontal)
    out = [
        ("as recorded", np.eye(3)),
        ("180 about vertical", Rotation.from_rotvec(np.pi * up).as_matrix()),
        ("upside down", Rotation.from_rotvec(np.pi * horizontal).as_matrix()),
    ]
    rnd = Rotation.random(n_random, random_state=seed).as_matrix() if n_random else []
    out += [(f"random 3D #{k + 1}", r) for k, r in enumerate(rnd)]
    return out


def transformed(case: Case, condition: str) -> tuple[Recording, list[tuple[int, int]], np.ndarray]:
    """``original``, ``reversed`` or ``reversed 60%``: recording, bouts, contacts."""
    rec, bouts, ic = case.recording, case.bouts, case.ic
    if condition == "original":
        return rec, bouts, ic
    n = rec.n_samples
    rev = rec.time_reversed()
    rbouts = [(n - 1 - b, n - 1 - a) for a, b in bouts][::-1]
    ric = np.sort(n - 1 - ic)
    if condition == "reversed":
        return rev, rbouts, ric
    # Slowed to 60 % speed at the same sampling rate: 5/3 as many samples. The
    # plain resample keeps the amplitudes; a motion really slowed to 60 % has its
    # angular rate scaled by 0.6 and its dynamic acceleration by 0.36 (gravity kept).
    acc = resample_poly(rev.acc_mps2, 5, 3, axis=0)
    gyro = None if rev.gyro_rads is None else resample_poly(rev.gyro_rads, 5, 3, axis=0)
    if condition == "reversed 60% physical":
        gravity = lowpass(acc, 0.25, rec.sampling_rate_hz)
        acc = gravity + 0.36 * (acc - gravity)
        gyro = None if gyro is None else 0.6 * gyro
    slow = Recording(acc, gyro, rec.sampling_rate_hz, path=rec.path, format=rec.format)
    scale = 5.0 / 3.0
    sbouts = [(round(a * scale), round(b * scale)) for a, b in rbouts]
    sic = np.round(ric * scale).astype(np.int64)
    return slow, sbouts, sic


TRUTH = {
    "original": FORWARD,
    "reversed": BACKWARD,
    "reversed 60%": BACKWARD,
    "reversed 60% physical": BACKWARD,
}


# --------------------------------------------------------------------- fitting


def case_step_features(case: Case) -> tuple[np.ndarray, np.ndarray]:
    """Per-step features (as recorded) and the bout of each step."""
    rec = case.recording
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)
    _, _, sf = step_features(frame, case.bouts, case.ic, DEFAULT_LAGS)
    return sf.features, sf.windows.bout_index


def _bout_means(feats: list[tuple[np.ndarray, np.ndarray]], scale: np.ndarray) -> np.ndarray:
    rows = []
    for f, b in feats:
        for k in np.unique(b):
            rows.append(f[b == k].mean(axis=0) / scale)
    return np.array(rows)


def _fit_weights(feats: list[tuple[np.ndarray, np.ndarray]], scale: np.ndarray) -> np.ndarray:
    X = _bout_means(feats, scale)
    # Every training bout is forward; the time-reversed copy (-x) is backward.
    w, _ = fit_odd_logistic(
        np.vstack([X, -X]), np.r_[np.ones(len(X)), -np.ones(len(X))], lam=FIT_LAMBDA / len(X)
    )
    return w


def fit_model(cases: list[Case]) -> tuple[DirectionModel, dict[str, DirectionModel]]:
    """Shipped model + one leave-subject-out model per subject (for honest figures)."""
    feats = {c.name: case_step_features(c) for c in cases}
    groups = sorted({c.group for c in cases}, key=int)
    all_steps = np.vstack([f for f, _ in feats.values()])
    scale = np.sqrt((all_steps**2).mean(axis=0)) + 1e-12

    fold_w: dict[str, np.ndarray] = {}
    failed: set[str] = set()  # subjects whose pooled LOSO sign is wrong
    cv_sub: list[tuple[float, int]] = []
    cv_bout, cv_step = [], []
    for g in groups:
        train = [feats[c.name] for c in cases if c.group != g]
        w = _fit_weights(train, scale)
        fold_w[g] = w
        for c in cases:
            if c.group != g:
                continue
            f, b = feats[c.name]
            z = (f / scale) @ w
            if z.mean() <= 0:
                failed.add(g)
            cv_step.extend(z > 0)
            for k in np.unique(b):
                zk = z[b == k]
                cv_bout.append(zk.mean() > 0)
                for length in (4, 6, 8, 12, 20):
                    for s0 in range(0, zk.size - length + 1, length):
                        cv_sub.append((float(zk[s0 : s0 + length].mean()), length))
    # Bout log-odds = gain * mean step score * sqrt(n): fitted on the CV sub-bouts.
    t = np.array([m * np.sqrt(n) for m, n in cv_sub])[:, None]
    gain, _ = fit_odd_logistic(
        np.vstack([t, -t]), np.r_[np.ones(len(t)), -np.ones(len(t))], lam=1e-6
    )
    w_all = _fit_weights(list(feats.values()), scale)
    info = {
        "fitted_on": "ipol-gait lower back, subjects "
        + ",".join(groups)
        + ", reference straight 10 m legs; forward = +1, time reversal = -1",
        "n_bouts": int(sum(len(np.unique(b)) for _, b in feats.values())),
        "n_steps": int(all_steps.shape[0]),
        "ridge_lambda": FIT_LAMBDA,
        "loso_cv_bout_accuracy": round(float(np.mean(cv_bout)), 4),
        "loso_cv_stride_accuracy": round(float(np.mean(cv_step)), 4),
        "feature": "o_k(tau) . e_bar(tau), v-h circular cross-correlation over one stride",
        "refit_with": ".venv/bin/python benchmarks/direction.py --fit",
        "transfer": "transfer_failures of transfer_subjects: subjects whose pooled bout "
        "sign was wrong leave-subject-out; rule of succession (f+1)/(n+2) = chance the "
        "cue carries no information for a new person",
    }
    gain_f = float(gain[0])
    model = DirectionModel(DEFAULT_LAGS, w_all, scale, gain_f, info, len(failed), len(groups))
    folds = {
        g: DirectionModel(DEFAULT_LAGS, w, scale, gain_f, {}, len(failed - {g}), len(groups) - 1)
        for g, w in fold_w.items()
    }
    return model, folds


def fold_models(cases: list[Case]) -> dict[str, DirectionModel]:
    """Leave-subject-out models with the shipped scale and gain."""
    shipped = default_model()
    feats = {c.name: case_step_features(c) for c in cases}
    out = {}
    for g in sorted({c.group for c in cases}, key=int):
        train = [feats[c.name] for c in cases if c.group != g]
        w = _fit_weights(train, shipped.feature_scale)
        # The fold's own transfer estimate: one subject fewer behind it.
        out[g] = DirectionModel(
            shipped.lags,
            w,
            shipped.feature_scale,
            shipped.logit_gain,
            {},
            shipped.transfer_failures,
            max(shipped.transfer_subjects - 1, 0),
        )
    return out


# ------------------------------------------------------------------ evaluation


class Tally:
    """Counts of right / wrong / uncertain bouts and steps."""

    def __init__(self) -> None:
        self.n = defaultdict(int)

    def add(self, kind: str, predicted: list[str] | np.ndarray, truth: str) -> None:
        for p in predicted:
            self.n[(kind, "total")] += 1
            self.n[
                (kind, "right" if p == truth else "uncertain" if p == UNCERTAIN else "wrong")
            ] += 1

    def row(self) -> str:
        cells = []
        for kind in ("bout", "step"):
            tot = max(self.n[(kind, "total")], 1)
            right, wrong = self.n[(kind, "right")], self.n[(kind, "wrong")]
            unc, total = self.n[(kind, "uncertain")], self.n[(kind, "total")]
            cells.append(
                f"{100 * right / tot:6.1f} {100 * wrong / tot:5.1f} "
                f"{100 * unc / tot:5.1f} {total:6d}"
            )
        return " | ".join(cells)


HEADER = (
    f"{'condition':<22}{'rotation':<20} bout: %right %wrong %unc      n"
    " | step: %right %wrong %unc      n"
)


def classify_case(
    rec: Recording, bouts: list[tuple[int, int]], ic: np.ndarray, model: DirectionModel | None
) -> WalkingDirectionClassifier:
    frame = body_frame(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)
    return WalkingDirectionClassifier(model=model).classify(frame, bouts, ic)


def evaluate_lower_back(
    title: str,
    cases: list[Case],
    models: dict[str, DirectionModel] | None,
    n_random: int,
) -> dict[tuple[str, str], Tally]:
    """Table for reference bouts; ``models`` maps group -> model (None = shipped)."""
    table: dict[tuple[str, str], Tally] = defaultdict(Tally)
    # Lowest probability of "backward" on a bout that truly is (time-reversed): the
    # room left for the asymmetric backward margin (min_backward_confidence).
    weakest: dict[str, float] = {}
    for i, case in enumerate(cases):
        model = models[case.group] if models else None
        for condition, truth in TRUTH.items():
            rec, bouts, ic = transformed(case, condition)
            for rot_name, R in rotations(rec, seed=i, n_random=n_random):
                clf = classify_case(rec.rotated(R), bouts, ic, model)
                if truth == BACKWARD and clf.bout_score_:
                    p_back = float(1.0 / (1.0 + np.exp(max(clf.bout_score_))))
                    weakest[condition] = min(weakest.get(condition, 1.0), p_back)
                in_bout = np.zeros(len(ic), dtype=bool)
                for a, b in bouts:
                    in_bout |= (ic >= a) & (ic <= b)
                rot_key = rot_name if not rot_name.startswith("random") else "random 3D (all)"
                for key in ((condition, rot_key), (condition, "ALL"), ("ALL", "ALL")):
                    table[key].add("bout", clf.bout_direction_, truth)
                    table[key].add("step", clf.step_direction_[in_bout], truth)
    print(f"\n== {title}")
    print(HEADER)
    for (condition, rot), tally in table.items():
        if condition != "ALL" or rot == "ALL":
            print(f"{condition:<22}{rot:<20} {tally.row()}")
    margin = WalkingDirectionClassifier().min_backward_confidence
    for condition, p in weakest.items():
        print(
            f"weakest P(backward) of a {condition} bout: {p:.3f} "
            f"(backward needs {margin:.2f} without calibration)"
        )
    return table


def test11_check(cases: list[Case]) -> None:
    """Daily-life recordings: forward bouts called backward (must be 0)."""
    print("\n== mobgap-lab Test11 (simulated daily life), reference bouts, as recorded")
    for case in cases:
        if case.test != "Test11":
            continue
        clf = classify_case(case.recording, case.bouts, case.ic, None)
        d = clf.bout_direction_
        print(
            f"{case.name:<24} bouts {len(d):3d}  forward {d.count(FORWARD):3d}  "
            f"uncertain {d.count(UNCERTAIN):3d}  FORWARD CALLED BACKWARD {d.count(BACKWARD):3d}"
            f"   confidences {[round(c, 2) for c in clf.bout_confidence_]}"
        )


def split_check(cases: list[Case], n_random: int) -> None:
    """A forward leg followed by a time-reversed leg, as one bout: where is the split?"""
    print("\n== direction change inside one bout (forward leg + reversed leg), reference contacts")
    errors, missing, extra, n = [], 0, 0, 0
    for i, case in enumerate(cases):
        rec = case.recording
        (a0, a1), (b0, b1) = case.bouts
        first = rec.acc_mps2[a0:a1], rec.gyro_rads[a0:a1]
        second = rec.acc_mps2[b0:b1][::-1], -rec.gyro_rads[b0:b1][::-1]
        acc = np.vstack([first[0], second[0]])
        gyro = np.vstack([first[1], second[1]])
        ic1 = case.ic[(case.ic >= a0) & (case.ic < a1)] - a0
        ic2 = np.sort((a1 - a0) + (b1 - 1 - case.ic[(case.ic > b0) & (case.ic < b1)]))
        ic = np.r_[ic1, ic2]
        junction_step = ic1.size  # index of the first step of the reversed part
        joined = Recording(acc, gyro, rec.sampling_rate_hz)
        for _, R in rotations(joined, seed=i, n_random=n_random)[: 2 + min(n_random, 1)]:
            clf = classify_case(joined.rotated(R), [(0, acc.shape[0] - 1)], ic, None)
            n += 1
            edges = [s for s, _ in clf.split_bouts_[1:]]
            if not edges:
                missing += 1
                continue
            extra += len(edges) - 1
            cut_step = int(np.searchsorted(ic, min(edges, key=lambda e: abs(e - a1 + a0))))
            errors.append(abs(cut_step - junction_step))
    err = np.array(errors)
    print(
        f"junctions {n}; found {n - missing}; within 2 steps {np.sum(err <= 2)} "
        f"({100 * np.mean(err <= 2) if err.size else 0:.1f} % of found); "
        f"median error {np.median(err) if err.size else float('nan'):.0f} steps; "
        f"extra splits {extra}"
    )


def _with_reversed_copy(case: Case) -> tuple[Recording, list[tuple[int, int]], np.ndarray]:
    """Stand-in labelled walk: the recording, then its time reversal (forward, backward legs)."""
    rec, bouts, ic = case.recording, case.bouts, case.ic
    rev, rbouts, ric = transformed(case, "reversed")
    n = rec.n_samples
    joined = Recording(
        np.vstack([rec.acc_mps2, rev.acc_mps2]),
        np.vstack([rec.gyro_rads, rev.gyro_rads]),
        rec.sampling_rate_hz,
    )
    return joined, bouts + [(a + n, b + n) for a, b in rbouts], np.r_[ic, ric + n]


def calibration_check(cases: list[Case]) -> None:
    """Calibrate on each subject's first trial (+ its reversal), test on their other trials."""
    print("\n== calibration: profile from trial 1 + its time reversal, other trials of the subject")
    table: dict[str, Tally] = defaultdict(Tally)
    refused = tried = 0
    first: dict[str, Case] = {}
    for case in cases:
        first.setdefault(case.group, case)
    for case in cases:
        cal = first[case.group]
        if case is cal:
            continue
        rec, bouts, ic = _with_reversed_copy(cal)
        labels = [FORWARD] * len(cal.bouts) + [BACKWARD] * len(cal.bouts)
        frame = body_frame(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)
        profile = calibrate(frame, bouts, ic, labels, placement="lower_back")
        for condition in ("original", "reversed", "reversed 60%", "reversed 60% physical"):
            trec, tbouts, tic = transformed(case, condition)
            clf = WalkingDirectionClassifier().classify(
                body_frame(trec.acc_mps2, trec.gyro_rads, trec.sampling_rate_hz),
                tbouts,
                tic,
                profile=profile,
            )
            in_bout = np.zeros(tic.size, dtype=bool)
            for a, b in tbouts:
                in_bout |= (tic >= a) & (tic <= b)
            table[condition].add("bout", clf.bout_direction_, TRUTH[condition])
            table[condition].add("step", clf.step_direction_[in_bout], TRUTH[condition])
        # Upside down: the profile must be refused (and the uncalibrated answer given).
        up = _mean_up(case.recording)
        side = np.cross(up, np.eye(3)[int(np.argmin(np.abs(up)))])
        R = Rotation.from_rotvec(np.pi * side / np.linalg.norm(side)).as_matrix()
        flipped = case.recording.rotated(R)
        clf = WalkingDirectionClassifier().classify(
            body_frame(flipped.acc_mps2, flipped.gyro_rads, flipped.sampling_rate_hz),
            case.bouts,
            case.ic,
            profile=profile,
        )
        tried += 1
        refused += not any(clf.bout_calibrated_)
    print(HEADER.replace("rotation", "(as recorded)"))
    for condition, tally in table.items():
        print(f"{condition:<22}{'':<20} {tally.row()}")
    print(f"profile refused for the device upside down: {refused} of {tried}")


def foot_table(ids: list[str]) -> None:
    print("\n== ipol feet (retrowalk.gait.foot)")
    try:
        from retrowalk.gait.foot import FootGaitAnalyzer
    except ImportError:
        print("not available")
        return
    table: dict[str, Tally] = defaultdict(Tally)
    for i, tid in enumerate(ids):
        for sensor in ("lf", "rf"):
            rec, meta = load_ipol_trial(tid, sensor)
            lo, hi = meta["trial_boundaries"]
            u0, u1 = meta["uturn_boundaries"]
            case = Case(
                tid,
                str(meta["subject"]),
                rec,
                [(lo, u0), (u1, min(hi, rec.n_samples - 1))],
                np.asarray(meta["ic"]),
            )
            for condition, truth in TRUTH.items():
                trec, tbouts, _ = transformed(case, condition)
                for _rot_name, R in rotations(trec, seed=i, n_random=1)[:3]:
                    r = trec.rotated(R)
                    foot = FootGaitAnalyzer().analyze(r.acc_mps2, r.gyro_rads, r.sampling_rate_hz)
                    strides = getattr(foot, "strides_", None)
                    if strides is None or len(strides) == 0:
                        continue
                    icf = strides["ic_sample"].to_numpy()
                    inside = np.zeros(icf.size, dtype=bool)
                    for a, b in tbouts:
                        inside |= (icf >= a) & (icf <= b)
                    dirs = strides["direction"].to_numpy()[inside]
                    table[condition].add("step", dirs, truth)
                    bout_ids = strides["bout"].to_numpy()[inside]
                    for k in np.unique(bout_ids[bout_ids >= 0]):
                        votes = list(dirs[bout_ids == k])
                        f, b = votes.count(FORWARD), votes.count(BACKWARD)
                        label = FORWARD if f > b else BACKWARD if b > f else UNCERTAIN
                        table[condition].add("bout", [label], truth)
    print(HEADER.replace("rotation", "(3 rotations)"))
    for condition, tally in table.items():
        print(f"{condition:<22}{'':<20} {tally.row()}")


def detected_table(cases: list[Case], title: str, n_random: int) -> None:
    print(f"\n== {title}: detected bouts and steps (retrowalk.analysis.analyze)")
    try:
        from retrowalk.analysis import AnalysisOptions, analyze
    except ImportError:
        print("not available")
        return
    table: dict[str, Tally] = defaultdict(Tally)
    any_bouts = False
    for i, case in enumerate(cases):
        for condition, truth in TRUTH.items():
            rec, bouts, _ = transformed(case, condition)
            for _, R in rotations(rec, seed=i, n_random=n_random)[: 3 + min(n_random, 1)]:
                result = analyze(rec.rotated(R), AnalysisOptions(placement="lower_back"))
                fs = rec.sampling_rate_hz
                # A detected bout is scored when most of its steps lie in the reference
                # (straight) walking; it may span both legs and the turn between them.
                for k, bout in enumerate(result.bouts):
                    t = np.array([st.time_s * fs for st in result.steps if st.bout == k])
                    inside = np.zeros(t.size, dtype=bool)
                    for a, b in bouts:
                        inside |= (t >= a) & (t <= b)
                    if t.size and inside.mean() >= 0.5:
                        any_bouts = True
                        table[condition].add("bout", [bout.direction], truth)
                for step in result.steps:
                    t = step.time_s * fs
                    if any(a <= t <= b for a, b in bouts):
                        table[condition].add("step", [step.direction], truth)
    if not any_bouts:
        print("not available (analyze returned no bouts)")
        return
    print(HEADER.replace("rotation", "(4 rotations)"))
    for condition, tally in table.items():
        print(f"{condition:<22}{'':<20} {tally.row()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="subset: 1 trial per subject")
    parser.add_argument("--fit", action="store_true", help="refit and write the shipped model")
    args = parser.parse_args(argv)
    t0 = time.time()
    ids = ipol_trial_ids()
    if not ids:
        print("shared data not found (../shared/data); nothing to measure")
        return 1
    if args.fit:
        model, _ = fit_model(ipol_cases(ids))
        MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
        MODEL_PATH.write_text(json.dumps(model.to_dict(), indent=2) + "\n")
        default_model.cache_clear()
        print(f"wrote {MODEL_PATH}: {json.dumps(model.info)}")
    all_cases = ipol_cases(ids)
    if args.quick:
        seen: set[str] = set()
        cases = [c for c in all_cases if not (c.group in seen or seen.add(c.group))]
    else:
        cases = all_cases
    n_random = 1 if args.quick else N_RANDOM_ROTATIONS
    info = default_model().info
    print(
        f"shipped model: LOSO-CV at fit time: bout {info.get('loso_cv_bout_accuracy')}, "
        f"stride {info.get('loso_cv_stride_accuracy')} ({info.get('n_bouts')} bouts)"
    )
    print(
        "truth: original = forward; reversed and reversed 60% = backward. "
        "Rows 'random 3D (all)' pool the random rotations."
    )
    evaluate_lower_back(
        "ipol lower back, reference legs - LEAVE-SUBJECT-OUT (honest)",
        cases,
        fold_models(all_cases),
        n_random,
    )
    evaluate_lower_back(
        "ipol lower back, reference legs - shipped model (IN-SAMPLE)", cases, None, n_random
    )
    mob = mobgap_cases(mobgap_names())
    evaluate_lower_back(
        "mobgap-lab lower back, reference bouts - shipped model (never fitted on)",
        mob,
        None,
        n_random,
    )
    test11_check(mob)
    split_check(cases, n_random)
    calibration_check(cases)
    foot_table(ids[::6] if args.quick else ids)
    detected_table(cases[::4] if args.quick else cases, "ipol lower back", n_random)
    detected_table(mob, "mobgap-lab lower back", n_random)
    print(f"\n({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

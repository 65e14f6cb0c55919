"""Per-bout walking speed against INDIP (mobgap-lab): where each error comes from.

Run: ``python benchmarks/speed_bouts.py [K h_floor_m]`` (default: the shipped
constants; the shipped turning correction always applies). One line per
reference bout: duration, INDIP cadence, our steps inside the bout against
INDIP's contacts, mean vertical excursion ``h``, share of steps at the floor,
our speed, and the same pendulum on INDIP's own contacts (``ref-ic``: our
excursion, INDIP's step times), against INDIP's speed. Our steps' lengths are
the analysis's: worked out over each of our bouts whole (the running median
that limits a step far longer than its neighbours sees the whole bout), then
the steps inside the reference bout taken; the ``ref-ic`` lengths are worked
out over the reference bout alone (INDIP's contacts are only known there).

Then two selections that use the reference, to test whether the error comes
from steps found where INDIP has none (pauses, shuffling, weight shifts): the
bout speed of only our steps whose two contacts both match an INDIP contact
(``matched``), and of our steps whose middle does not fall in an INDIP
interval longer than ``PAUSE_S`` (``no pause``). Each is a mean absolute error
at the constants given, so pass the constants to compare at.

Last, the error's parts per bout (:func:`parts`): our cadence (the mean of
our steps' rates) against INDIP's, our mean step length against half INDIP's
stride, the body's turning rate, and the same bout speed without each bout's
first and last step; and whether INDIP's cadence is the mean of its strides'
rates (one foot's contact to its next, hesitations included), which tells how
the reference averages.

Then our contacts that match no INDIP contact (:func:`unmatched`), and whether
they lie between two INDIP contacts of the same foot (where INDIP's own
left-right sequence lacks a contact of the other foot), near an INDIP contact,
or elsewhere.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data
from accuracy import TOLERANCE_S, _bout_steps, bout_step_lengths, mobgap_bouts, steps_inside
from retrowalk.dsp.frame import body_frame
from retrowalk.gait.spatial import (
    H_FLOOR_M,
    LEG_LENGTH_FRACTION,
    TRUNK_K,
    TURN_RAD0,
    TrunkStepLength,
    step_excursion_m,
    step_turn_rad,
)
from retrowalk.pipeline.trunk import STEP_MAX_S

FS = 100.0
TOL = TOLERANCE_S * FS

#: An INDIP contact interval longer than this is a pause, not a step.
PAUSE_S = 1.5


def _reference_selections(
    start: np.ndarray, end: np.ndarray, ref_ic: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Our steps with both contacts on an INDIP contact; our steps outside INDIP's pauses."""
    near = lambda x: np.min(np.abs(ref_ic[None, :] - x[:, None]), axis=1) <= TOL  # noqa: E731
    matched = near(start) & near(end)
    k = np.searchsorted(ref_ic, (start + end) / 2.0)
    inside = (k > 0) & (k < ref_ic.size)
    gap = np.full(start.size, np.inf)
    gap[inside] = (ref_ic[k[inside]] - ref_ic[k[inside] - 1]) / FS
    return matched, gap <= PAUSE_S


def _speed(
    h: np.ndarray,
    dur: np.ndarray,
    leg: float,
    k: float,
    h0: float,
    turn: np.ndarray,
    keep: np.ndarray | None = None,
) -> tuple[float, float]:
    """Mean step speed and mean step length; ``keep``: the steps averaged (all by default).

    ``turn``: each step's heading change (rad), for the shipped turning correction.
    """
    walking = dur <= STEP_MAX_S
    h = np.where(walking, h, np.nan)
    model = TrunkStepLength(k_factor=k, h_floor_m=h0, turn_rad0=TURN_RAD0)
    lengths = model.estimate(h, leg, turn).step_length_m_
    ok = np.isfinite(lengths) & walking
    if keep is not None:
        ok &= keep
    if not ok.any():
        return float("nan"), float("nan")
    return float(np.mean(lengths[ok] / dur[ok])), float(np.mean(lengths[ok]))


def _our_speed(
    steps: dict[str, np.ndarray],
    inside: np.ndarray,
    leg: float,
    k: float,
    h0: float,
    keep: np.ndarray | None = None,
) -> tuple[float, float]:
    """:func:`_speed` of our steps ``inside`` a reference bout, their lengths worked out
    over each of our bouts whole, as the analysis does (``keep``: of those, the ones
    averaged)."""
    model = TrunkStepLength(k_factor=k, h_floor_m=h0, turn_rad0=TURN_RAD0)
    lengths = bout_step_lengths(steps, leg, model)[inside]
    dur = steps["dur"][inside]
    ok = np.isfinite(lengths) & (dur <= STEP_MAX_S)
    if keep is not None:
        ok &= keep
    if not ok.any():
        return float("nan"), float("nan")
    return float(np.mean(lengths[ok] / dur[ok])), float(np.mean(lengths[ok]))


def main(argv: list[str]) -> int:
    k = float(argv[0]) if argv else TRUNK_K
    h0 = float(argv[1]) if len(argv) > 1 else H_FLOOR_M
    print(f"K={k} h_floor_m={h0}")
    print(
        f"{'bout':<22}{'dur':>5}{'cad':>5}{'ours':>5}{'ref':>4}{'h cm':>6}{'@0':>4}"
        f"{'v':>6}{'v ref-ic':>9}{'v INDIP':>8}{'err':>6}{'err ref-ic':>11}  ref-ic h cm"
    )
    errs = []
    chosen: dict[str, list[float]] = {"matched": [], "no pause": []}
    for name in _data.mobgap_names():
        rec, meta = _data.load_mobgap(name)
        steps = _bout_steps(rec)
        leg = LEG_LENGTH_FRACTION * meta["height_m"]
        frame = body_frame(rec.acc_mps2, rec.gyro_rads, FS)
        vert, yaw = frame.acc_vertical_mps2, frame.gyro_vertical_rads
        ics = np.array([c["ic"] for c in meta["initial_contacts"]])
        wbs = np.array([c["wb_id"] for c in meta["initial_contacts"]])
        for wb in meta["walking_bouts"]:
            m = steps_inside(steps, wb)
            ref_ic = np.sort(ics[wbs == wb["wb_id"]])
            if not m.any():
                continue
            v, _ = _our_speed(steps, m, leg, k, h0)
            h_ref = step_excursion_m(vert, ref_ic, FS)
            assert yaw is not None
            turn_ref = step_turn_rad(yaw, ref_ic, FS)
            v_ref_ic, _ = _speed(h_ref, np.diff(ref_ic) / FS, leg, k, h0, turn_ref)
            ref_v = wb["avg_walking_speed_mps"]
            err = 100 * (v / ref_v - 1)
            errs.append(err)
            end = steps["end"][m]
            start = end - np.round(steps["dur"][m] * FS)
            for key, sel in zip(
                ("matched", "no pause"), _reference_selections(start, end, ref_ic), strict=True
            ):
                v_sel, _ = _our_speed(steps, m, leg, k, h0, keep=sel)
                chosen[key].append(100 * (v_sel / ref_v - 1))
            at_floor = int(np.sum(steps["h"][m] <= h0))
            print(
                f"{name[:6] + ' ' + name[7:13] + ' wb' + str(wb['wb_id']):<22}"
                f"{wb['duration_s']:5.1f}{wb['avg_cadence_spm']:5.0f}{int(m.sum()):5d}"
                f"{ref_ic.size - 1:4d}{100 * np.nanmean(steps['h'][m]):6.2f}{at_floor:4d}"
                f"{v:6.2f}{v_ref_ic:9.2f}{ref_v:8.2f}{err:+6.0f}"
                f"{100 * (v_ref_ic / ref_v - 1):+11.0f}  "
                + " ".join(f"{100 * x:.1f}" for x in h_ref)
            )
            print(
                f"{'':<22}ours h cm: "
                + " ".join(f"{100 * x:.1f}" for x in steps["h"][m])
                + "   dur: "
                + " ".join(f"{x:.2f}" for x in steps["dur"][m])
                + "   ref dur: "
                + " ".join(f"{x:.2f}" for x in np.diff(ref_ic) / FS)
            )
    print(f"MAE (in-sample at these constants) {np.mean(np.abs(errs)):.1f} %")
    for key, values in chosen.items():
        print(
            f"  of only our steps {key:<9} MAE {np.nanmean(np.abs(values)):.1f} % "
            f"(mean {np.nanmean(values):+.1f} %)"
        )
    print()
    print("\n".join(parts(k, h0)))
    print()
    print("\n".join(unmatched()))
    return 0


def _stride_cadence(ics: list[dict]) -> tuple[float, float]:
    """INDIP's strides (one foot's contact to its next): mean rate (/min), longest (s)."""
    ics = sorted(ics, key=lambda c: c["ic"])
    strides = [
        (later["ic"] - c["ic"]) / FS
        for i, c in enumerate(ics)
        for later in ics[i + 1 :][:3]
        if later["lr_label"] == c["lr_label"]
    ]
    strides = strides or [float("nan")]
    return float(np.mean(120.0 / np.asarray(strides))), float(np.max(strides))


def parts(k: float, h0: float) -> list[str]:
    """Per bout: the speed error, its cadence and step-length parts, turning, the ends left out."""
    lines = [
        f"{'bout':<22}{'v err':>7}{'cad':>6}{'length':>7}{'turn/s':>7}{'v ref':>7}"
        f"{'no ends':>8}{'INDIP cad':>10}{'strides':>8}{'longest':>8}"
    ]
    rows = []
    for name, meta, wb, steps, m, leg in mobgap_bouts():
        if not m.any():
            continue
        dur, turn = steps["dur"][m], steps["turn"][m]
        walking = dur <= STEP_MAX_S
        v, length = _our_speed(steps, m, leg, k, h0)
        inner = np.zeros(dur.size, dtype=bool)
        inner[1:-1] = True
        v_inner, _ = _our_speed(steps, m, leg, k, h0, keep=inner)
        ref_v = wb["avg_walking_speed_mps"]
        cad = 60.0 * float(np.mean(1.0 / dur[walking]))
        ics = [c for c in meta["initial_contacts"] if c["wb_id"] == wb["wb_id"]]
        stride_cad, longest = _stride_cadence(ics)
        row = (
            100 * (v / ref_v - 1),
            100 * (cad / wb["avg_cadence_spm"] - 1),
            100 * (length / (wb["avg_stride_length_m"] / 2) - 1),
            float(np.degrees(np.abs(turn).sum() / dur.sum())),
            ref_v,
            100 * (v_inner / ref_v - 1),
        )
        rows.append(row)
        lines.append(
            f"{name[:6] + ' ' + name[7:13] + ' wb' + str(wb['wb_id']):<22}"
            f"{row[0]:+7.0f}{row[1]:+6.0f}{row[2]:+7.0f}{row[3]:7.0f}{row[4]:7.2f}"
            f"{row[5]:+8.0f}{wb['avg_cadence_spm']:10.1f}{stride_cad:8.1f}{longest:8.2f}"
        )
    r = np.array(rows)
    slow = r[:, 4] < 0.6
    lines += [
        "(v err: bout speed, cad: our cadence, length: our mean step length, each against"
        " INDIP's, %; turn/s: degrees per second turned; no ends: v err without the"
        " bout's first and last step; strides: mean rate of INDIP's strides, /min)",
        f"MAE: bout speed {np.abs(r[:, 0]).mean():.1f} %, its cadence part "
        f"{np.abs(r[:, 1]).mean():.1f} %, its step-length part {np.abs(r[:, 2]).mean():.1f} %; "
        f"without the ends {np.nanmean(np.abs(r[:, 5])):.1f} %",
        f"bouts under 0.6 m/s: n={slow.sum()}, MAE {np.abs(r[slow, 0]).mean():.1f} % (mean "
        f"{r[slow, 0].mean():+.1f} %); the others: n={(~slow).sum()}, MAE "
        f"{np.abs(r[~slow, 0]).mean():.1f} % (mean {r[~slow, 0].mean():+.1f} %)",
    ]
    return lines


def unmatched() -> list[str]:
    """Per bout: our contacts that match no INDIP contact, and where they lie.

    A contact of ours is matched when an INDIP contact of the bout lies within
    the tolerance (one-sided: for counting, not one-to-one). The others lie in
    an interval between two INDIP contacts of the same foot (``same foot``:
    where INDIP's own left-right sequence shows a contact of the other foot
    missing, or a foot set down twice), or within twice the tolerance of an
    INDIP contact (``near``: one contact placed apart), or elsewhere. INDIP's
    same-foot intervals are given in its typical step times (the median of
    the bout's).
    """
    lines = [
        f"{'bout':<22}{'INDIP':>6}{'ours':>5}{'same foot':>10}{'in it':>6}{'near':>5}"
        f"{'other':>6}  same-foot intervals, typical steps"
    ]
    total = np.zeros(4, dtype=np.int64)
    for name, meta, wb, steps, m, _ in mobgap_bouts():
        if not m.any():
            continue
        ics = sorted(
            (c for c in meta["initial_contacts"] if c["wb_id"] == wb["wb_id"]),
            key=lambda c: c["ic"],
        )
        ref = np.array([c["ic"] for c in ics])
        foot = [c["lr_label"] for c in ics]
        end = steps["end"][m]
        ours = np.unique(np.concatenate([end - np.round(steps["dur"][m] * FS), end]))
        ours = ours[(ours >= ref[0] - TOL) & (ours <= ref[-1] + TOL)]
        same = [(ref[i], ref[i + 1]) for i in range(ref.size - 1) if foot[i] == foot[i + 1]]
        typical = float(np.median(np.diff(ref)))
        where = np.zeros(4, dtype=np.int64)  # matched, in a same-foot interval, near, other
        for c in ours:
            if np.abs(ref - c).min() <= TOL:
                where[0] += 1
            elif any(a + TOL < c < b - TOL for a, b in same):
                where[1] += 1
            elif np.abs(ref - c).min() <= 2 * TOL:
                where[2] += 1
            else:
                where[3] += 1
        total += where
        lines.append(
            f"{name[:6] + ' ' + name[7:13] + ' wb' + str(wb['wb_id']):<22}{ref.size:6d}"
            f"{ours.size:5d}{len(same):10d}{where[1]:6d}{where[2]:5d}{where[3]:6d}  "
            + " ".join(f"{(b - a) / typical:.1f}" for a, b in same)
        )
    lines.append(
        f"of our {total.sum()} contacts in INDIP's bouts, {total[0]} on an INDIP contact; of the "
        f"{total[1:].sum()} others, {total[1]} between two INDIP contacts of the same foot, "
        f"{total[2]} near one, {total[3]} elsewhere"
    )
    return lines


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

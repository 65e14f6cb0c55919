"""What is not walking: the walking check's movement floors against real walking.

Run: ``python benchmarks/not_walking.py`` (about a minute on a quiet machine).

:class:`retrowalk.gait.not_walking.WalkingCheck` refuses a candidate bout whose
vertical acceleration at the step rhythm (0.5-3 Hz, RMS) is under
``min_vertical_mps2``, or, with a gyroscope, whose rotation rate at the step
rhythm is under ``min_rotation_rads`` (checked when the vertical movement is
under ``rotation_check_below_mps2``), or, without one, whose acceleration
across gravity at the step rhythm is under ``min_horizontal_mps2`` (checked
when the vertical movement is under ``horizontal_check_below_mps2``). Each
floor is set under half the smallest value of real walking.

1. Real walking, every candidate bout the analysis checks (the rotation and
   the movement across gravity worked out for every bout here, whatever its
   vertical movement): per data set, the bouts, and the smallest vertical
   movement, rotation and movement across gravity.
2. Leave one person out: each person's floor at half the smallest of the
   others; the bouts of the person left out under it (a real walk refused),
   and the shipped floors against the lowest of those floors.
3. What is not walking. Real: a phone held while jumping in place (refused by
   the flight rule), and a wrist-worn ActiGraph's 13.6 h of free living
   (unlabelled: the candidate bouts each floor refuses, and their steps).
   Models (mechanics only, no real ride or tapped table is recorded here): a
   phone riding in a vehicle, with and without a gyroscope, and a phone on a
   tapped table.
4. Pace: the share of each real walking bout's vertical movement at 15 Hz and
   above (``max_fast_share``), per data set and held out per person, and white
   noise sampled at 100, 50 and 40 Hz (a model).
5. Spread: the spectral flatness of each real walking bout's vertical movement
   (``max_flatness``) and, where it is flatter than that, its repetition at a
   step rhythm (``min_repetition``), per data set and sampling rate (as
   recorded, and resampled to 20-50 Hz), a foot without gyroscope included
   (ipol-gait's feet), held out per person; white noise (a model) at 20-200 Hz,
   each placement, with and without gyroscope, in 60 s and in 20, 15, 10 and
   5 s, with the flatness and repetition of the shorter noise's bouts and the
   real bouts as flat and as unrepeating as they are; and what else is not
   walking (a pure and a walk-like oscillation, a phone lying still, jumping
   in place, a ride, a tapped table) at 20 and 30 Hz.
6. A foot with a gyroscope (the foot method, not the walking check): how fast
   the foot turns in each bout's quietest 0.15 s, over its swing rate
   (``FootGaitAnalyzer.max_still_rotation_share``), on every real foot bout
   (ipol-gait, as recorded and resampled to 20-50 Hz), held out per person; and
   white noise (a model) of 5-60 s at 20-50 Hz: recordings that give a bout with
   the check and without it.
7. Exact repetition: the largest correlation of consecutive strides of every
   real walking bout (as recorded and resampled to 20-50 Hz), compared at
   ``stride_check_rate_hz`` or finer, against a machine's exact walk-like
   movement (a model) at 20-100 Hz.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import data_root, ipol_trial_ids, load_ipol_trial, load_mobgap, mobgap_names
from _direction_data import handled_recordings, jumping_recording, mocap_trials, phone_cases
from gait.nonwalking_models import RATE_HZ, ride, tapped_table
from retrowalk.core.recording import Recording
from retrowalk.gait.not_walking import WalkingCheck
from retrowalk.pipeline import AnalysisOptions, analyze

Checked = tuple[float, float | None, float | None, int, str, float | None]
"""A bout's vertical movement, rotation, movement across gravity, contacts, reason and
share of fast movement (``None`` where it was not worked out)."""

Bouts = list[tuple[int, int, np.ndarray]]
"""The bouts :meth:`WalkingCheck.check_bouts` checks: ``(lo, hi, contacts)`` each."""
CheckBouts = Callable[
    [WalkingCheck, np.ndarray, float, Bouts, np.ndarray | None], list[WalkingCheck]
]
""":meth:`WalkingCheck.check_bouts`, called with its check first."""


@contextmanager
def checks_seen(*, every_movement: bool) -> Iterator[list[Checked]]:
    """Record every walking check the analysis makes (optionally with every bout's
    rotation and, as if the recording had no gyroscope, its movement across gravity).

    The pipeline checks its bouts together (:meth:`WalkingCheck.check_bouts`), so
    that is where each bout's figures are taken.
    """
    seen: list[Checked] = []

    def spy(
        original: CheckBouts,
        self: WalkingCheck,
        acc: np.ndarray,
        fs: float,
        bouts: Bouts,
        gyro: np.ndarray | None = None,
    ) -> list[WalkingCheck]:
        if every_movement:
            self.rotation_check_below_mps2 = float("inf")
        out = original(self, acc, fs, bouts, gyro)
        sways = out
        if every_movement:
            blind = WalkingCheck(horizontal_check_below_mps2=float("inf"))
            sways = original(blind, acc, fs, bouts, None)
        for check, sway, (_, _, contacts) in zip(out, sways, bouts, strict=True):
            vertical = check.features_.get("vertical_mps2", math.nan)  # nan: refused before it
            rotation = check.features_.get("rotation_rads")
            horizontal = sway.features_.get("horizontal_mps2")
            fast = check.features_.get("fast_share")
            seen.append((vertical, rotation, horizontal, len(contacts), check.reason_, fast))
        return out

    with _spying(spy):
        yield seen


@contextmanager
def _spying(spy: Callable[..., Any]) -> Iterator[None]:
    """Meanwhile, the pipeline's walking checks of its bouts (they are checked together,
    :meth:`WalkingCheck.check_bouts`) go through ``spy(original, check, acc, fs, bouts,
    gyro)``, which calls the original itself and returns what it returns."""
    original = WalkingCheck.check_bouts

    def spied(
        self: WalkingCheck,
        acc: np.ndarray,
        fs: float,
        bouts: Bouts,
        gyro: np.ndarray | None = None,
    ) -> list[WalkingCheck]:
        return spy(original, self, acc, fs, bouts, gyro)

    with mock.patch.object(WalkingCheck, "check_bouts", spied):
        yield


def real_walks() -> Iterator[tuple[str, str, Recording, str | None]]:
    """``(data set, person, recording, placement)`` of every real walking recording here."""
    for trial in ipol_trial_ids():
        yield (
            "ipol-gait lower back",
            "ipol " + trial.split("-")[0],
            load_ipol_trial(trial, "lb")[0],
            "lower_back",
        )
    for name in mobgap_names():
        yield "mobgap-lab lower back", "mobgap " + name[:6], load_mobgap(name)[0], None
    for mocap in mocap_trials():
        yield "mocap pelvis", "mocap " + mocap.person, mocap.pelvis, "lower_back"
        yield "mocap thigh (pocket)", "mocap " + mocap.person, mocap.thigh, "pocket"
    for case in phone_cases():
        yield f"phone {case.position.lower()}", "phone " + case.person, case.recording, None
    for person, group, recording in handled_recordings():
        if group != "phone-steps":
            yield group, group + " " + person, recording, None


def _analyze(recording: Recording, placement: str | None) -> None:
    analyze(recording, AnalysisOptions(placement=placement) if placement else None)


def _floor_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main() -> int:
    shipped = WalkingCheck()
    by_set: dict[str, list[Checked]] = defaultdict(list)
    by_person: dict[str, list[Checked]] = defaultdict(list)
    for data_set, person, recording, placement in real_walks():
        with checks_seen(every_movement=True) as seen:
            _analyze(recording, placement)
        seen = [c for c in seen if not math.isnan(c[0])]  # too short to check (under 2 s)
        by_set[data_set] += seen
        by_person[person] += seen

    print("== 1. REAL WALKING: every candidate bout checked (m/s^2, rad/s at 0.5-3 Hz)")
    print(
        f"{'data set':28s} {'bouts':>6s} {'min vertical':>13s} {'min rotation':>13s} "
        f"{'min across gravity':>19s}"
    )
    for data_set, seen in by_set.items():
        rotations = [r for _, r, *_ in seen if r is not None]
        sways = [h for _, _, h, *_ in seen if h is not None]
        print(
            f"{data_set:28s} {len(seen):6d} {min(v for v, *_ in seen):13.3f} "
            f"{_floor_text(min(rotations) if rotations else None):>13s} "
            f"{_floor_text(min(sways) if sways else None):>19s}"
        )

    print("\n== 2. LEAVE ONE PERSON OUT: floor = half the smallest of the others")
    lost = 0
    lowest: list[float | None] = [None, None, None]
    for person, seen in by_person.items():
        others = [c for p, s in by_person.items() if p != person for c in s]
        v_floor = 0.5 * min(v for v, *_ in others)
        r_floor = 0.5 * min(r for _, r, *_ in others if r is not None)
        h_floor = 0.5 * min(h for _, _, h, *_ in others if h is not None)
        for k, floor in enumerate((v_floor, r_floor, h_floor)):
            low = lowest[k]
            lowest[k] = floor if low is None else min(low, floor)
        lost += sum(
            v < v_floor or (r is not None and r < r_floor) or (h is not None and h < h_floor)
            for v, r, h, *_ in seen
        )
    print(f"people {len(by_person)}; real bouts refused with their person left out: {lost}")
    shipped_floors = (
        shipped.min_vertical_mps2,
        shipped.min_rotation_rads,
        shipped.min_horizontal_mps2,
    )
    print(
        f"lowest held-out floors: vertical {_floor_text(lowest[0])} m/s^2, rotation "
        f"{_floor_text(lowest[1])} rad/s, across gravity {_floor_text(lowest[2])} m/s^2; "
        f"shipped {', '.join(map(str, shipped_floors))} (under them: "
        + ", ".join(str(f <= (low or 0)) for f, low in zip(shipped_floors, lowest, strict=True))
        + ")"
    )

    print("\n== 3. NOT WALKING: bouts found (and candidate bouts refused, by reason)")
    cases: list[tuple[str, Recording | None]] = [
        ("real: phone held, jumping in place", jumping_recording())
    ]
    wrist = data_root() / "device-exports" / "gt3x" / "pygt3x_small.gt3x"
    if wrist.is_file():
        from retrowalk.io import read_recording

        cases.append(("real: wrist, 13.6 h free living (unlabelled)", read_recording(wrist)))
    for seed in range(3):
        acc, gyro = ride(300.0, seed)
        cases.append(
            (
                f"model: vehicle ride {seed}, gyroscope",
                Recording(acc_mps2=acc, gyro_rads=gyro, sampling_rate_hz=RATE_HZ),
            )
        )
        cases.append(
            (
                f"model: vehicle ride {seed}, no gyroscope",
                Recording(acc_mps2=acc, gyro_rads=None, sampling_rate_hz=RATE_HZ),
            )
        )
        acc, gyro = tapped_table(300.0, seed)
        cases.append(
            (
                f"model: tapped table {seed}",
                Recording(acc_mps2=acc, gyro_rads=gyro, sampling_rate_hz=RATE_HZ),
            )
        )
    for name, case in cases:
        if case is None:
            continue
        with checks_seen(every_movement=False) as seen:
            result = analyze(case)
        refused: dict[str, list[int]] = defaultdict(list)
        for _, _, _, contacts, reason, _ in seen:
            if reason:
                refused[reason.split("(")[0].removeprefix("not walking: ").strip()].append(contacts)
        why = "; ".join(f"{k}: {len(v)} ({sum(v)} contacts)" for k, v in refused.items()) or "-"
        steps = sum(b.n_steps for b in result.bouts)
        print(f"{name:46s} bouts {len(result.bouts):4d} steps {steps:6d}  refused: {why}")
    pace(by_set, by_person)
    spread()
    foot_still()
    exact_repetition()
    return 0


def pace(by_set: dict[str, list[Checked]], by_person: dict[str, list[Checked]]) -> None:
    """4. The share of fast movement (15 Hz and above) of the real walking bouts of
    section 1, held out per person, against the shipped ceiling; and white noise at
    three sampling rates."""

    def shares(seen: list[Checked]) -> list[float]:
        return [c[5] for c in seen if c[5] is not None]

    print("\n== 4. PACE: share of the vertical movement at 15 Hz and above (bouts of 2 s or more)")
    for data_set, seen in by_set.items():
        fast = shares(seen)
        print(f"{data_set:28s} {len(fast):6d} bouts, largest {max(fast, default=0.0):.3f}")
    lowest, over = math.inf, 0
    for person, seen in by_person.items():
        ceiling = 2 * max(x for p, s in by_person.items() if p != person for x in shares(s))
        lowest = min(lowest, ceiling)
        over += sum(x > ceiling for x in shares(seen))
    shipped = WalkingCheck().max_fast_share
    print(
        f"leave one person out (ceiling = twice the others' largest): lowest ceiling "
        f"{lowest:.3f}, real bouts over their held-out ceiling {over}; shipped {shipped} "
        f"(at or over every held-out ceiling: {shipped >= lowest})"
    )
    for rate_hz in (100.0, 50.0, 40.0):
        found = []
        for seed in range(5):
            rng = np.random.default_rng(seed)
            n = int(60 * rate_hz)
            acc = rng.normal(0.0, 2.0, (n, 3)) + [0.0, 0.0, 9.81]
            result = analyze(Recording(acc_mps2=acc, gyro_rads=None, sampling_rate_hz=rate_hz))
            found.append(len(result.steps))
        print(f"model: white noise 2 m/s^2, 60 s at {rate_hz:.0f} Hz (5 seeds): steps {found}")


def _resampled(recording: Recording, rate_hz: float) -> Recording:
    """``recording`` at ``rate_hz`` (polyphase, with its anti-alias filter), as a device
    sampling at that rate would have recorded it; its gyroscope too."""
    from fractions import Fraction

    from scipy.signal import resample_poly

    ratio = Fraction(rate_hz / recording.sampling_rate_hz).limit_denominator(1000)

    def at(x: np.ndarray | None) -> np.ndarray | None:
        if x is None:
            return None
        return np.asarray(resample_poly(x, ratio.numerator, ratio.denominator, axis=0))

    acc = at(recording.acc_mps2)
    assert acc is not None
    return Recording(acc_mps2=acc, gyro_rads=at(recording.gyro_rads), sampling_rate_hz=rate_hz)


@contextmanager
def spreads_seen(*, disarmed: bool) -> Iterator[list[tuple[float, float, float | None, bool]]]:
    """Record each bout's flatness, duration (s), repetition (worked out for every bout
    flatter than the shipped ``max_flatness``; for every bout when ``disarmed``) and
    whether the shipped rule refuses it. ``disarmed``: the rule refuses nothing
    meanwhile, so that the analysis goes on as if it had passed (every real bout's
    figures, whatever the rule decides)."""
    seen: list[tuple[float, float, float | None, bool]] = []
    shipped = WalkingCheck()

    def spy(
        original: CheckBouts,
        self: WalkingCheck,
        acc: np.ndarray,
        fs: float,
        bouts: Bouts,
        gyro: np.ndarray | None = None,
    ) -> list[WalkingCheck]:
        if disarmed:  # every bout's repetition worked out, none refused by the rule
            self.max_flatness, self.min_repetition = -math.inf, -math.inf
        out = original(self, acc, fs, bouts, gyro)
        for check, (lo, hi, _) in zip(out, bouts, strict=True):
            flatness = check.features_.get("flatness")
            if flatness is None:
                continue  # refused before it, or under 2 s
            repetition = check.features_.get("repetition")
            refused = flatness > shipped.max_flatness and (
                repetition is not None and repetition < shipped.min_repetition
            )
            seen.append((flatness, (hi - lo) / fs, repetition, refused))
        return out

    with _spying(spy):
        yield seen


def _feet() -> Iterator[tuple[str, str, Recording, str | None]]:
    """ipol-gait's feet without their gyroscope (a foot analysed by the trunk method)."""
    for trial in ipol_trial_ids():
        for sensor in ("lf", "rf"):
            foot = load_ipol_trial(trial, sensor)[0]
            yield (
                "ipol-gait foot, no gyroscope",
                "ipol " + trial.split("-")[0],
                Recording(acc_mps2=foot.acc_mps2, gyro_rads=None, sampling_rate_hz=100.0),
                "foot",
            )


SPREAD_RATES_HZ = (20.0, 25.0, 30.0, 40.0, 50.0)


def spread() -> None:
    """5. Spread (flatness) and repetition of real walking and of noise."""
    shipped = WalkingCheck()
    flat_at = shipped.max_flatness
    print(
        f"\n== 5. SPREAD: spectral flatness of the vertical movement (shipped max_flatness "
        f"{flat_at}) and the repetition of the bouts flatter than it (min_repetition "
        f"{shipped.min_repetition}); bouts of 2 s or more"
    )
    Seen = list[tuple[float, float, float | None, bool]]
    by_cell: dict[tuple[str, str], Seen] = defaultdict(list)
    by_person: dict[str, list[tuple[bool, float, float | None]]] = defaultdict(list)
    walks = list(real_walks())
    for data_set, person, recording, placement in [*walks, *_feet()]:
        rates = [("recorded", recording)] + [
            (f"{rate:.0f} Hz", _resampled(recording, rate))
            for rate in SPREAD_RATES_HZ
            if rate < recording.sampling_rate_hz
        ]
        for label, at_rate in rates:
            with spreads_seen(disarmed=True) as seen:
                _analyze(at_rate, placement)
            by_cell[(data_set, label)] += seen
            by_person[person] += [(label == "recorded", f, r) for f, _, r, _ in seen]
    print(
        f"{'data set':30s} {'rate':>8s} {'bouts':>6s} {'flattest':>9s} "
        f"{'> ' + str(flat_at):>7s} {'least repetition':>17s} {'refused':>8s}"
    )
    for (data_set, label), seen in by_cell.items():
        flat = [r for f, _, r, _ in seen if f > flat_at and r is not None]
        print(
            f"{data_set:30s} {label:>8s} {len(seen):6d} "
            f"{max((f for f, *_ in seen), default=math.nan):9.3f} {len(flat):7d} "
            f"{_floor_text(min(flat) if flat else None):>17s} "
            f"{sum(refused for *_, refused in seen):8d}"
        )
    for scope, keep in (("as recorded", True), ("at every rate", False)):
        floors: list[float] = []
        largest_flat, under, unjudged = math.inf, 0, 0
        for person, held_out in by_person.items():
            others = [
                (f, r) for p, s in by_person.items() if p != person
                for native, f, r in s if native or not keep
            ]  # fmt: skip
            largest_flat = min(largest_flat, max(f for f, _ in others))
            flat_reps = [r for f, r in others if f > flat_at and r is not None]
            mine = [r for native, f, r in held_out if (native or not keep) and f > flat_at]
            if not flat_reps:
                unjudged += len(mine)
                continue
            floors.append(min(flat_reps))  # the floor: the others' smallest, no margin
            under += sum(r is not None and r < floors[-1] for r in mine)
        lowest = min(floors, default=math.nan)
        print(
            f"leave one person out, {scope}: the others' largest flatness is "
            f"{largest_flat:.3f} or more; the floor (the others' smallest repetition of a "
            f"bout flatter than {flat_at}) is {lowest:.3f} or more; real bouts under their "
            f"held-out floor {under} (flat bouts with no flat bout among the others: "
            f"{unjudged}); shipped min_repetition {shipped.min_repetition} (under every "
            f"held-out floor: {shipped.min_repetition <= lowest})"
        )
    _noise_spread(by_cell)
    _other_not_walking()


def _noise(rate_hz: float, seconds: float, seed: int, gyro: bool) -> Recording:
    rng = np.random.default_rng(seed)
    n = int(seconds * rate_hz)
    acc = rng.normal(0.0, 2.0, (n, 3)) + [0.0, 0.0, 9.81]
    rotation = rng.normal(0.0, 0.6, (n, 3)) if gyro else None
    return Recording(acc_mps2=acc, gyro_rads=rotation, sampling_rate_hz=rate_hz)


def _noise_spread(
    real: dict[tuple[str, str], list[tuple[float, float, float | None, bool]]],
) -> None:
    """White noise (2 m/s^2 on each axis) at 20-200 Hz: bouts and steps found per
    placement, and the flatness and repetition of the bouts the rule sees; shorter
    noise, and the ``real`` bouts (section 5's) as flat and unrepeating as its bouts."""
    print(
        "model: white noise 2 m/s^2, 60 s, 3 seeds: steps found per placement (- no "
        "gyroscope, G with; G foot is the foot method, with its own stillness check, section "
        "6); "
        "flatness and repetition of the bouts checked"
    )
    placements: tuple[str | None, ...] = (None, "lower_back", "pocket", "foot")
    for rate_hz in (20.0, 25.0, 30.0, 40.0, 50.0, 100.0, 200.0):
        cells = []
        with spreads_seen(disarmed=False) as seen:
            for gyro in (False, True):
                for placement in placements:
                    steps = 0
                    for seed in range(3):
                        recording = _noise(rate_hz, 60.0, seed, gyro)
                        options = AnalysisOptions(placement=placement) if placement else None
                        steps += len(analyze(recording, options).steps)
                    cells.append(f"{'G' if gyro else '-'}{placement or 'auto'} {steps}")
        flats = [f for f, *_ in seen]
        repeats = [r for _, _, r, _ in seen if r is not None]
        print(
            f"  {rate_hz:5.0f} Hz: "
            + ", ".join(cells)
            + f"; flatness {min(flats, default=math.nan):.3f}-{max(flats, default=math.nan):.3f}"
            + f", repetition {min(repeats, default=math.nan):.3f}-"
            + f"{max(repeats, default=math.nan):.3f}"
        )
    print(
        "model: shorter white noise, 10 seeds: recordings that give a bout (G foot: "
        "with gyroscope, the foot method)"
    )
    short: list[tuple[float, float, float | None, bool]] = []
    for seconds in (20.0, 15.0, 10.0, 5.0):
        cells = []
        for rate_hz in (20.0, 30.0, 50.0, 100.0):
            for placement, gyro in (("lower_back", False), ("foot", False), ("foot", True)):
                found = 0
                for seed in range(10):
                    recording = _noise(rate_hz, seconds, seed, gyro)
                    options = AnalysisOptions(placement=placement)
                    found += bool(analyze(recording, options).bouts)
                    if not gyro:
                        with spreads_seen(disarmed=True) as seen:
                            analyze(recording, options)
                        short += seen
                cells.append(f"{rate_hz:.0f} Hz {'G ' if gyro else ''}{placement} {found}/10")
        print(f"  {seconds:.0f} s: " + ", ".join(cells))
    flat_least = min(f for f, *_ in short)
    repeat_most = max(r for _, _, r, _ in short if r is not None)
    alike = [
        (f, d, r, where)
        for where, seen in real.items()
        for f, d, r, _ in seen
        if f >= flat_least and r is not None and r <= repeat_most
    ]
    flattest = sorted(alike, key=lambda a: -a[0])[:2]
    least = sorted(alike, key=lambda a: a[2] if a[2] is not None else 1.0)[:2]
    print(
        f"  the bouts of that noise ({len(short)}, {min(d for _, d, _, _ in short):.1f}-"
        f"{max(d for _, d, _, _ in short):.1f} s): flatness {flat_least:.3f}-"
        f"{max(f for f, *_ in short):.3f}, repetition "
        f"{min(r for _, _, r, _ in short if r is not None):.3f}-{repeat_most:.3f}; real "
        f"bouts of section 5 (any rate) as flat and as unrepeating: {len(alike)}, e.g. "
        + ", ".join(
            f"{where[0]} {where[1]} {d:.1f} s {f:.2f}/{r:.2f}"
            for f, d, r, where in flattest + least
        )
    )


def _other_not_walking() -> None:
    """What else is not walking, sampled at 20 and 30 Hz: bouts found."""
    n_s, fs0 = 60.0, RATE_HZ
    t = np.arange(int(n_s * fs0)) / fs0
    zero = np.zeros_like(t)
    pure = np.column_stack([zero, zero, 9.81 + 2.0 * np.sin(2 * np.pi * 1.8 * t)])
    walk_like = np.column_stack(
        [
            1.0 * np.sin(2 * np.pi * 1.8 * t + 0.5),  # forward, at each step
            1.0 * np.sin(2 * np.pi * 0.9 * t),  # sideways, at each stride
            9.81
            + 2.0 * np.sin(2 * np.pi * 1.8 * t)
            + 0.8 * np.sin(2 * np.pi * 3.6 * t + 1.0)
            + 0.4 * np.sin(2 * np.pi * 0.9 * t),
        ]
    )
    still = np.random.default_rng(0).normal(0.0, 0.01, (t.size, 3)) + [0.0, 0.0, 9.81]

    def rec(acc: np.ndarray, gyro: np.ndarray | None = None) -> Recording:
        return Recording(acc_mps2=acc, gyro_rads=gyro, sampling_rate_hz=fs0)

    ride_acc, _ = ride(120.0, 0)
    table_acc, table_gyro = tapped_table(60.0, 0)
    cases: list[tuple[str, Recording | None]] = [
        ("pure oscillation 1.8 Hz", rec(pure)),
        # a machine's exact walk-like movement: refused by the exact repetition, its
        # strides compared at 100 Hz or finer (at whole-sample lags of 20-50 Hz its
        # stride, no whole number of samples, read under 0.995, and it gave a bout)
        ("walk-like oscillation", rec(walk_like)),
        ("phone lying still", rec(still)),
        ("real: jumping in place", jumping_recording()),
        ("model: ride, no gyroscope", rec(ride_acc)),
        ("model: tapped table", rec(table_acc, table_gyro)),
    ]
    print("other non-walking, resampled: bouts found (auto, lower_back, pocket, foot)")
    for name, recording in cases:
        if recording is None:
            continue
        cells = []
        for rate_hz in (20.0, 30.0):
            at_rate = _resampled(recording, rate_hz)
            found = [
                len(analyze(at_rate, AnalysisOptions(placement=p) if p else None).bouts)
                for p in (None, "lower_back", "pocket", "foot")
            ]
            cells.append(f"{rate_hz:.0f} Hz {found}")
        print(f"  {name:30s} " + "; ".join(cells))


def foot_still() -> None:
    """6. The foot method's stillness check on real feet and on white noise."""
    from retrowalk.gait.foot import FootGaitAnalyzer

    shipped = FootGaitAnalyzer()
    ceiling = shipped.max_still_rotation_share
    disarmed = FootGaitAnalyzer(max_still_rotation_share=math.inf)
    print(
        f"\n== 6. FOOT WITH GYROSCOPE: the quietest {shipped.still_window_s} s of each bout, "
        f"its rotation over the bout's swing rate (90th percentile; shipped "
        f"max_still_rotation_share {ceiling})"
    )
    by_person: dict[str, list[float]] = defaultdict(list)
    print(f"{'ipol-gait feet':16s} {'bouts':>6s} {'largest':>8s} {'refused':>8s}")
    for label in ("recorded", *(f"{rate:.0f} Hz" for rate in SPREAD_RATES_HZ)):
        shares: list[float] = []
        refused = 0
        for trial in ipol_trial_ids():
            for sensor in ("lf", "rf"):
                foot = load_ipol_trial(trial, sensor)[0]
                if label != "recorded":
                    foot = _resampled(foot, float(label.split()[0]))
                fs = foot.sampling_rate_hz
                seen = clone_of(disarmed).analyze(foot.acc_mps2, foot.gyro_rads, fs)
                shares += seen.still_shares_
                by_person[trial.split("-")[0]] += seen.still_shares_
                checked = clone_of(shipped).analyze(foot.acc_mps2, foot.gyro_rads, fs)
                refused += len(checked.refused_bouts_)
        print(f"{label:16s} {len(shares):6d} {max(shares):8.3f} {refused:8d}")
    noise_least = math.inf
    print("model: white noise, 1, 2 and 5 m/s^2 by 0.3, 0.6 and 1.5 rad/s, 2 seeds (18 each):")
    print("  recordings that give a bout without the check -> with it")
    for rate_hz in SPREAD_RATES_HZ:
        cells = []
        for seconds in (5.0, 10.0, 15.0, 60.0):
            before = after = 0
            for amplitude in (1.0, 2.0, 5.0):
                for rotation in (0.3, 0.6, 1.5):
                    for seed in range(2):
                        rng = np.random.default_rng(seed)
                        n = int(seconds * rate_hz)
                        acc = rng.normal(0.0, amplitude, (n, 3)) + [0.0, 0.0, 9.81]
                        gyro = rng.normal(0.0, rotation, (n, 3))
                        seen = clone_of(disarmed).analyze(acc, gyro, rate_hz)
                        noise_least = min([noise_least, *seen.still_shares_])
                        before += bool(seen.walking_bouts_)
                        after += bool(clone_of(shipped).analyze(acc, gyro, rate_hz).walking_bouts_)
            cells.append(f"{seconds:.0f} s {before}->{after}")
        print(f"  {rate_hz:5.0f} Hz: " + ", ".join(cells))
    # Leave one person out: a ceiling set between the others' largest and the noise's
    # smallest (their geometric mean), against the largest of the person left out.
    margins = []
    for person, shares in by_person.items():
        others = max(x for p, s in by_person.items() if p != person for x in s)
        margins.append((math.sqrt(others * noise_least) - max(shares, default=0.0), person))
    worst, who = min(margins)
    largest = max(x for s in by_person.values() for x in s)
    print(
        f"real largest {largest:.3f}, noise smallest {noise_least:.3f}; leave one person out "
        f"(ceiling = geometric mean of the others' largest and the noise's smallest): "
        f"lowest held-out margin {worst:.3f} (ipol {who}), real bouts over their held-out "
        f"ceiling {sum(m < 0 for m, _ in margins)}; shipped {ceiling} (between: "
        f"{largest < ceiling < noise_least})"
    )


@contextmanager
def stride_correlations_seen() -> Iterator[list[float]]:
    """Record the stride correlation of every bout the walking check compares."""
    from retrowalk.gait import not_walking

    seen: list[float] = []
    original = not_walking._fine_stride_correlation

    def spied(v: np.ndarray, step: int, fs: float, fine_hz: float) -> float:
        seen.append(original(v, step, fs, fine_hz))
        return seen[-1]

    with mock.patch.object(not_walking, "_fine_stride_correlation", spied):
        yield seen


def exact_repetition() -> None:
    """7. The exact-repetition check: the stride correlation of every real walking bout
    (as recorded and resampled to 20-50 Hz) and of a machine's exact walk-like movement."""
    ceiling = WalkingCheck().max_stride_correlation
    print(
        f"\n== 7. EXACT REPETITION: consecutive strides' correlation (compared at "
        f"{WalkingCheck().stride_check_rate_hz:.0f} Hz or finer; shipped "
        f"max_stride_correlation {ceiling})"
    )
    largest: dict[str, float] = defaultdict(lambda: -1.0)
    for _, _, recording, placement in (*real_walks(), *_feet()):
        for label in ("recorded", *(f"{rate:.0f} Hz" for rate in SPREAD_RATES_HZ)):
            if label != "recorded":
                rate_hz = float(label.split()[0])
                if recording.sampling_rate_hz <= rate_hz:
                    continue
                at_rate = _resampled(recording, rate_hz)
            else:
                at_rate = recording
            with stride_correlations_seen() as seen:
                _analyze(at_rate, placement)
            largest[label] = max([largest[label], *seen])
    print(
        "real walking, largest: "
        + ", ".join(f"{label} {value:.3f}" for label, value in largest.items())
    )
    smallest = math.inf
    for rate_hz in (20.0, 25.0, 30.0, 40.0, 50.0, 100.0):
        for step_hz in (1.6, 1.8, 1.9, 2.1):
            t = np.arange(int(60 * rate_hz)) / rate_hz
            up = (
                2.0 * np.sin(2 * np.pi * step_hz * t)
                + 0.8 * np.sin(4 * np.pi * step_hz * t + 1.0)
                + 0.4 * np.sin(np.pi * step_hz * t)
            )
            acc = np.column_stack(
                [np.sin(2 * np.pi * step_hz * t + 0.5), np.sin(np.pi * step_hz * t), 9.81 + up]
            )
            with stride_correlations_seen() as seen:
                _analyze(
                    Recording(acc_mps2=acc, gyro_rads=None, sampling_rate_hz=rate_hz), "lower_back"
                )
            smallest = min([smallest, *seen])
    print(
        f"model: a machine's exact walk-like movement (1.6-2.1 steps/s, 20-100 Hz), smallest "
        f"{smallest:.4f}; the ceiling between the two: {max(largest.values()) < ceiling < smallest}"
    )


def clone_of(analyzer: Any) -> Any:
    """A fresh copy of ``analyzer`` with its parameters (results are kept on it)."""
    from retrowalk.core.algorithm import clone

    return clone(analyzer)


if __name__ == "__main__":
    raise SystemExit(main())

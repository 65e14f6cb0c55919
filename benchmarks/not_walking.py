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
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def checks_seen(*, every_movement: bool) -> Iterator[list[Checked]]:
    """Record every walking check the analysis makes (optionally with every bout's
    rotation and, as if the recording had no gyroscope, its movement across gravity).

    The pipeline checks its bouts together (:meth:`WalkingCheck.check_bouts`), so
    that is where each bout's figures are taken.
    """
    seen: list[Checked] = []
    original = WalkingCheck.check_bouts

    def spy(self, acc, fs, bouts, gyro=None):  # type: ignore[no-untyped-def]
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

    WalkingCheck.check_bouts = spy  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        WalkingCheck.check_bouts = original  # type: ignore[method-assign]


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
    for trial in mocap_trials():
        yield "mocap pelvis", "mocap " + trial.person, trial.pelvis, "lower_back"
        yield "mocap thigh (pocket)", "mocap " + trial.person, trial.thigh, "pocket"
    for case in phone_cases():
        yield f"phone {case.position.lower()}", "phone " + case.person, case.recording, None
    for person, group, recording in handled_recordings():
        if group != "phone-steps":
            yield group, group + " " + person, recording, None


def _analyze(recording: Recording, placement: str | None) -> None:
    analyze(recording, AnalysisOptions(placement=placement) if placement else None)  # type: ignore[arg-type]


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
            lowest[k] = floor if lowest[k] is None else min(lowest[k], floor)  # type: ignore[type-var]
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
    for name, recording in cases:
        if recording is None:
            continue
        with checks_seen(every_movement=False) as seen:
            result = analyze(recording)
        refused: dict[str, list[int]] = defaultdict(list)
        for _, _, _, contacts, reason, _ in seen:
            if reason:
                refused[reason.split("(")[0].removeprefix("not walking: ").strip()].append(contacts)
        why = "; ".join(f"{k}: {len(v)} ({sum(v)} contacts)" for k, v in refused.items()) or "-"
        steps = sum(b.n_steps for b in result.bouts)
        print(f"{name:46s} bouts {len(result.bouts):4d} steps {steps:6d}  refused: {why}")
    pace(by_set, by_person)
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


if __name__ == "__main__":
    raise SystemExit(main())

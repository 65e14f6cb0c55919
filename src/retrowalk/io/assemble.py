"""From parsed sensor streams to the canonical :class:`~retrowalk.core.recording.Recording`.

Every reader hands over one or more timed blocks of samples (a block is one table:
its time column and the sensor columns read from it). This module repairs the
timestamps, settles units, adds gravity back where an export split it off, puts
everything on one uniform time base and records what it did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from retrowalk.core.errors import InputError
from retrowalk.core.recording import Gap, Recording, UnitDecision
from retrowalk.dsp.memory import is_file_backed, release, row_chunks
from retrowalk.io import longarrays as la
from retrowalk.io import resample as rs
from retrowalk.io.units import (
    acc_factor,
    acc_stats,
    classify_acc,
    decide_acc_unit,
    decide_gyro_unit,
    gyro_factor,
)

MIN_SAMPLES = 2


@dataclass
class Block:
    """Samples sharing one time column.

    Attributes
    ----------
    t
        Timestamps in seconds on a clock shared by all blocks of a recording.
    streams
        Stream kind (``"acc"``, ``"linacc"``, ``"gyro"``, ``"gravity"``) -> ``(n, 3)``
        C-ordered float64 samples.
    display
        The table's name for messages.
    time_field
        Name of the time column, for messages.
    first_line
        1-based line of row 0 in the file.
    rate_hz
        Nominal rate stated by the file, if any.
    origin_s
        The file's time value of row 0, in seconds (to align several tables).
    """

    t: np.ndarray
    streams: dict[str, np.ndarray]
    display: str
    time_field: str | None = None
    first_line: int = 2
    rate_hz: float | None = None
    origin_s: float = 0.0

    def line_of_row(self, row: int) -> int:
        return self.first_line + int(row)


@dataclass
class Parsed:
    """What a reader found in a recording, before units and resampling."""

    path: str
    format: str
    blocks: list[Block]
    file_units: dict[str, tuple[str, str]] = field(default_factory=dict)
    start_time: datetime | None = None
    placement_hint: str | None = None
    notes: list[str] = field(default_factory=list)


def _has(blocks: list[Block], kind: str) -> bool:
    return any(kind in b.streams for b in blocks)


def assemble(
    parsed: Parsed,
    *,
    acc_unit: str = "auto",
    gyro_unit: str = "auto",
    placement: str = "auto",
    target_rate_hz: float | None = None,
    gap_s: float = rs.DEFAULT_GAP_S,
) -> Recording:
    """Build the :class:`Recording` of a parsed file (see module docstring).

    Raises
    ------
    InputError
        For too few samples, acceleration without gravity and no gravity stream,
        undecidable units or hopelessly disordered timestamps.
    """
    path = parsed.path
    notes = list(parsed.notes)
    if target_rate_hz is not None and not (target_rate_hz > 0 and np.isfinite(target_rate_hz)):
        raise InputError(path, f"target rate must be a positive number, not {target_rate_hz}")

    blocks = parsed.blocks
    if len(blocks) > 1:  # put all tables on the first one's clock
        base = blocks[0].origin_s
        for b in blocks[1:]:
            if b.origin_s != base:
                b.t = b.t + (b.origin_s - base)
                b.origin_s = base
    cleaned: list[tuple[Block, rs.Cleaned]] = []
    for b in blocks:
        kinds = ", ".join(b.streams)
        c = rs.clean_timestamps(
            b.t, b.streams, path=b.display, time_field=b.time_field,
            line_of_row=b.line_of_row, what=f"{Path(b.display).name} ({kinds})",
        )  # fmt: skip
        notes.extend(c.notes)
        cleaned.append((b, c))

    master_kind = "acc" if _has(blocks, "acc") else "linacc"
    master_i = next(i for i, (b, _) in enumerate(cleaned) if master_kind in b.streams)
    mb, mc = cleaned[master_i]
    if mc.t.shape[0] < MIN_SAMPLES:
        raise InputError(mb.display, f"only {mc.t.shape[0]} sample(s); a recording needs more")
    measured = rs.source_rate(mc.t, mc.steps())
    src_rate = mb.rate_hz or rs.nominal_rate(measured)
    src_uniform: bool | None = None  # whether mc.t is uniform at src_rate, once worked out
    if mb.rate_hz is None:
        src_uniform = rs.is_uniform(mc.t, src_rate, mc.steps())
        if not src_uniform:
            exact = round(measured, 1)  # e.g. 51.2 or 102.4 Hz devices with exact timestamps
            if rs.is_uniform(mc.t, exact, mc.steps()):
                src_rate, src_uniform = exact, True
    if not np.isfinite(src_rate) or src_rate < 1.0:
        raise InputError(
            mb.display,
            f"sampling rate {measured:.3g} Hz is too low (time column in the wrong unit?)",
            field=mb.time_field,
        )
    out_rate = float(target_rate_hz) if target_rate_hz else float(src_rate)

    t0 = float(mc.t[0])
    if target_rate_hz or src_uniform is None:
        uniform = rs.is_uniform(mc.t, out_rate, mc.steps())
    else:  # out_rate is src_rate
        uniform = src_uniform
    n_out = mc.t.shape[0]
    made: list[np.ndarray] = []

    def grid() -> np.ndarray:
        """The output time base, made only when a stream must be put on it."""
        if not made:
            made.append(
                t0 + np.arange(n_out) / out_rate
                if uniform
                else rs.uniform_grid(t0, float(mc.t[-1]), out_rate)
            )
        return made[0]

    grid_last = t0 + (n_out - 1) / out_rate if uniform else float(grid()[-1])

    gaps: list[Gap] = []
    arrays: dict[str, np.ndarray] = {}
    dropped_gyro = False
    for b, c in cleaned:
        if c.t.shape[0] < MIN_SAMPLES:
            notes.append(f"{b.display}: too few samples, ignored")
            continue
        if c is not mc and (c.t[0] > grid_last or c.t[-1] < t0):
            # every value would be one held edge value: a table on another clock
            first, last = float(c.t[0] - t0), float(c.t[-1] - t0)
            notes.append(
                f"{Path(b.display).name}: its times ({first:.6g} to {last:.6g} s) do not "
                f"overlap the acceleration's (0 to {grid_last - t0:.6g} s), as if on another "
                f"clock; its {', '.join(c.data)} ignored"
            )
            continue
        if c is not mc and "gyro" in c.data:
            short = _gyro_short(c.t, t0, grid_last)
            if short:
                notes.append(f"{Path(b.display).name}: {short}")
                dropped_gyro = True
                c.data = {k: v for k, v in c.data.items() if k != "gyro"}
                if not c.data:
                    continue
        if c is mc:
            rate_b = src_rate
        else:
            rate_b = b.rate_hz or rs.nominal_rate(rs.source_rate(c.t, c.steps()))
        same = c.t.shape == mc.t.shape and (c.t is mc.t or np.array_equal(c.t, mc.t))
        what = ", ".join(c.data)
        if not (same and uniform):
            bridged = rs.describe_bridging(
                c.t, rate_b, gap_s, f"{Path(b.display).name} ({what})", c.steps()
            )
            if bridged:
                notes.append(bridged)
            if not same:
                lead, lag = float(c.t[0] - t0), float(grid_last - c.t[-1])
                if lead > 1.0 or lag > 1.0:
                    notes.append(
                        f"{what} covers {lead:.1f} s less at the start and {lag:.1f} s less at "
                        "the end than the acceleration; edge values were held"
                    )
                more_start, more_end = max(-lead, 0.0), max(-lag, 0.0)
                if more_start > 1.0 or more_end > 1.0:
                    notes.append(
                        f"{what} runs {more_start:.1f} s longer at the start and {more_end:.1f} s "
                        "longer at the end than the acceleration, whose table may be cut short; "
                        "the recording keeps the acceleration's time"
                    )
        for kind, x in c.data.items():
            if kind in arrays:
                continue
            if same and uniform:
                arrays[kind] = x
            else:
                arrays[kind] = rs.resample_onto(
                    c.t, x, grid(), src_rate=rate_b, out_rate=out_rate, gap_s=gap_s
                )
        for g in rs.gaps_of(c.t, gap_s, t0, c.steps()):
            if g.end_s > 0 and g.start_s < grid_last - t0:
                gaps.append(g)

    if not uniform or target_rate_hz:
        if out_rate != src_rate:
            notes.append(f"resampled from {measured:.4g} Hz to {out_rate:g} Hz")
        elif not uniform:
            notes.append(f"irregular timestamps put on a uniform {out_rate:g} Hz time base")
    gaps = _merge_gaps(gaps)
    if gaps:
        total = sum(g.duration_s for g in gaps)
        notes.append(
            f"{len(gaps)} gap(s) without samples longer than {gap_s:g} s (total {total:.2f} s) "
            "were filled by holding the last value"
        )

    acc, units = _acceleration(parsed, arrays, out_rate, acc_unit, notes)
    release(acc)  # a long file's samples, read for the unit checks, go back to the file
    gyro = None
    if "gyro" in arrays:
        file_u = parsed.file_units.get("gyro")
        decision, extra = decide_gyro_unit(
            arrays["gyro"], acc, out_rate, gyro_unit,
            None if file_u is None else file_u[0], "" if file_u is None else file_u[1],
        )  # fmt: skip
        notes.extend(extra)
        units["gyro"] = decision
        release(arrays["gyro"])
        gyro = _scaled(arrays["gyro"], gyro_factor(decision.unit))
    elif gyro_unit != "auto" and not dropped_gyro:
        notes.append("no angular rate in the file; the gyro unit setting was not used")

    for what, values, limit, shown in (
        ("acceleration", acc, MAX_ACC_MPS2, "100 g"),
        ("angular rate", gyro, MAX_GYRO_RADS, "100 rad/s"),
    ):
        beyond = _beyond(values, limit)
        if beyond is not None:
            count, first = beyond
            notes.append(
                f"{count} {what} sample(s) beyond {shown}, more than any body-worn sensor "
                f"measures (first at {first / out_rate:.2f} s): damaged values?"
            )

    place = placement if placement != "auto" else (parsed.placement_hint or "auto")
    start = parsed.start_time
    return Recording(
        acc_mps2=acc,
        gyro_rads=gyro,
        sampling_rate_hz=out_rate,
        path=path,
        format=parsed.format,
        start_time=start,
        placement=place,
        units=units,
        gaps=tuple(gaps),
        notes=tuple(notes),
        source_rate_hz=float(measured),
    )


def _acceleration(
    parsed: Parsed,
    arrays: dict[str, np.ndarray],
    rate: float,
    acc_unit: str,
    notes: list[str],
) -> tuple[np.ndarray, dict[str, UnitDecision]]:
    """Acceleration in m/s^2 including gravity, and its unit decision."""
    path = parsed.path
    units: dict[str, UnitDecision] = {}
    raw = arrays.get("acc")
    stats = acc_stats(raw, rate) if raw is not None else None
    if raw is not None and stats is not None and stats.has_gravity:
        file_u = parsed.file_units.get("acc")
        try:
            decision, extra = decide_acc_unit(
                stats, acc_unit, None if file_u is None else file_u[0],
                "" if file_u is None else file_u[1],
            )  # fmt: skip
        except ValueError as exc:
            raise InputError(path, str(exc)) from None
        notes.extend(extra)
        units["acc"] = decision
        return _scaled(raw, acc_factor(decision.unit)), units

    linear = raw if raw is not None else arrays.get("linacc")
    assert linear is not None
    gravity = arrays.get("gravity")
    if gravity is None:
        m = stats.median_norm if stats is not None else float("nan")
        if raw is None:
            lin_stats = acc_stats(linear, rate)
            m = lin_stats.median_norm
        raise InputError(
            path,
            f"the acceleration does not include gravity (median |acc| = {m:.3g}, no steady "
            "gravity component); retrowalk needs acceleration including gravity: export the "
            "accelerometer 'with g' (raw/total acceleration) or include the gravity stream",
        )
    g_stats = acc_stats(gravity, rate)
    guess, evidence = classify_acc(g_stats)
    if acc_unit != "auto":
        decision = UnitDecision(acc_unit, "user", "set by the user")
        if guess is not None and guess != acc_unit:
            notes.append(
                f"acceleration unit {acc_unit} set by the user, but gravity looks like "
                f"{guess} ({evidence})"
            )
    elif guess is None:
        raise InputError(path, f"cannot tell the unit of the gravity stream: {evidence}")
    else:
        decision = UnitDecision(guess, "auto", f"gravity stream: {evidence}")
    units["acc"] = decision
    notes.append(
        "the acceleration stream excludes gravity; the export's gravity stream was added back"
    )
    return (linear + gravity) * acc_factor(decision.unit), units


#: Seconds of the acceleration's time an angular-rate table from another table may
#: leave uncovered at either end: held there at its edge value, as every stream
#: is. A held angular rate is a constant rotation: the real Sensor Logger walk
#: (a phone in the hand, 0.6 rad/s median while walking) turns 34 deg in 1 s of it,
#: under the 45 deg the direction rules take for a turn, and 143 deg in the 4.5 s
#: its Gyroscope.csv cut to 98 % of the time leaves uncovered.
GYRO_EDGE_S = 1.0


def _gyro_short(t: np.ndarray, t0: float, last: float) -> str:
    """Why an angular-rate table timed ``t`` is left out of a recording that runs
    from ``t0`` to ``last`` (empty when it covers it but for short edges).

    Beyond a short edge the gyroscope is left out, not held at its edge value (a
    constant rotation, which the analysis integrates), nor kept with the recording
    cut to the span it covers: on the real Sensor Logger walk with its
    Gyroscope.csv cut to 60 % of the time, the held value made the lower-back
    analysis confidently wrong (backward, 0.8, from a turn that never was), and the
    covered span alone would have dropped the steps of the rest. Without the
    gyroscope its bouts and steps were the uncut file's, at every cut.
    """
    lead, lag = float(t[0] - t0), float(last - t[-1])
    if not (lead > GYRO_EDGE_S or lag > GYRO_EDGE_S):
        return ""
    missing = []
    if lead > GYRO_EDGE_S:
        missing.append(f"the first {lead:.1f} s")
    if lag > GYRO_EDGE_S:
        missing.append(f"the last {lag:.1f} s")
    covered = max(min(float(t[-1]), last) - max(float(t[0]), t0), 0.0)
    return (
        f"the angular rate covers only {covered:.1f} s of the acceleration's "
        f"{last - t0:.1f} s (none in {' and '.join(missing)}); left out, as held edge values "
        "would be a constant rotation: the recording is analysed without the gyroscope "
        f"(to use it, cut the acceleration to the {max(lead, 0.0):.1f} to "
        f"{last - t0 - max(lag, 0.0):.1f} s it covers)"
    )


#: Sizes beyond any body-worn sensor's range (the real recordings reach 13.5 g on a
#: foot and 33 rad/s): a sample beyond them is noted as a damaged value.
MAX_ACC_MPS2 = 100 * 9.80665
MAX_GYRO_RADS = 100.0


def _beyond(x: np.ndarray | None, limit: float) -> tuple[int, int] | None:
    """How many rows of ``x`` have a value beyond ``limit`` in size, and the first."""
    if x is None or x.shape[0] == 0:
        return None
    lo, hi = la.min_max(x)  # the whole array's range first: mostly within, nothing searched
    if -limit <= lo and hi <= limit:
        return None
    rows = np.unique(np.concatenate([la.beyond(x[:, j], limit) for j in range(x.shape[1])]))
    return (int(rows.size), int(rows[0])) if rows.size else None


def _scaled(x: np.ndarray, factor: float) -> np.ndarray:
    """``x * factor``, in place when ``x`` is a private C-ordered array (or a file's)."""
    if factor == 1.0:
        return x
    if x.flags.c_contiguous and x.flags.writeable and is_file_backed(x):
        for start, stop in row_chunks(x.shape[0]):  # a day in a file: a chunk at a time
            x[start:stop] *= factor
            release(x, start, stop)
        return x
    if x.flags.c_contiguous and x.flags.writeable and x.flags.owndata:
        x *= factor
        return x
    return x * factor


def _merge_gaps(gaps: list[Gap]) -> list[Gap]:
    if not gaps:
        return []
    gaps = sorted(gaps, key=lambda g: g.start_s)
    out = [gaps[0]]
    for g in gaps[1:]:
        last = out[-1]
        if g.start_s <= last.end_s:
            out[-1] = Gap(last.start_s, max(last.end_s, g.end_s))
        else:
            out.append(g)
    return out

"""How every figure is shown to a person: one place, one rule.

The command line's summary, the web pages (recording, person, progress and its
charts' labels, coach, children, tests) and the minutes and seconds of the HTML
and PDF reports all write their figures with these functions, so that a figure
reads the same wherever it is shown. (The reports' tables show each JSON value
itself, as the JSON writes it: 5.55 m there reads 5.6 m on a page.) It is kept
out of the engine's digest (:mod:`retrowalk.core.provenance`): how a figure
reads never makes a stored analysis stale.

The rule
--------
A figure is shown from the value the JSON holds (the analysis contract's
rounding, :mod:`retrowalk.summary.contract`), rounded half up in decimal to
the figure's shown precision. A presenter that holds the unrounded value
gives the same text: each function first rounds it as the JSON does (which
leaves a JSON value unchanged), so 9.2534 m and its JSON 9.25 both read
"9.3", where binary half-even rounding of 9.25 gave "9.2".

Shown precisions: distance 0.1 m, speed 0.01 m/s, step length 0.01 m, cadence
1 step/min, step-time variability 0.1 %, height 0.01 m, weight as entered (up
to 0.01 kg, trailing zeros dropped), times within a recording 0.1 s, a 3MBWT's
time and its uncertainty 0.01 s (as the test's JSON holds them), backward
minutes (planned and done) 0.01 min with trailing zeros dropped, shares
(adherence, a calibration's agreement) whole percent, a child's age 1 month
and weeks born early 1 week, and durations in one format (:func:`duration`).
Where there is no value, every place (pages, reports and the command line's
tables) shows :data:`MISSING`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from retrowalk.core.rounding import half_up, half_up_text

#: What is shown where there is no value.
MISSING = "–"

#: Digits the JSON (and the stored summaries) round each kind of figure to.
JSON_DIGITS = {
    "distance_m": 2,
    "speed_mps": 3,
    "cadence_spm": 2,
    "cv_pct": 2,
    "duration_s": 2,
    "time_s": 3,
    "step_length_m": 3,
    "height_m": 3,
    "weight_kg": 2,
    "threembwt_s": 2,
    "age_months": 2,
}

#: Digits each kind of figure is shown with.
SHOWN_DIGITS = {
    "distance_m": 1,
    "speed_mps": 2,
    "cadence_spm": 0,
    "cv_pct": 1,
    "time_s": 1,
    "step_length_m": 2,
    "height_m": 2,
    "weight_kg": 2,
    "threembwt_s": 2,
    "age_months": 0,
}


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(float(value))


def _text(shown: Decimal) -> str:
    return str(abs(shown) if shown == 0 else shown)  # never "-0.0"


def _trimmed(value: float | None, digits: int) -> str:
    """``value`` half up to ``digits`` decimals without trailing zeros, or :data:`MISSING`."""
    if _missing(value):
        return MISSING
    assert value is not None
    return half_up_text(float(value), digits)


def figure(value: float | None, kind: str) -> str:
    """A figure of ``kind`` (a key of :data:`SHOWN_DIGITS`) as shown, without its unit:
    rounded as the JSON rounds it, then half up to its shown precision."""
    if _missing(value):
        return MISSING
    assert value is not None
    exact = round(float(value), JSON_DIGITS[kind])
    shown = half_up(exact, SHOWN_DIGITS[kind])
    return _text(shown)


def distance(metres: float | None) -> str:
    """A distance in metres, ``"9.3"``."""
    return figure(metres, "distance_m")


def speed(mps: float | None) -> str:
    """A speed in m/s, ``"1.24"``."""
    return figure(mps, "speed_mps")


def cadence(spm: float | None) -> str:
    """A cadence in steps/min, ``"105"``."""
    return figure(spm, "cadence_spm")


def cv_pct(pct: float | None) -> str:
    """A step-time variability in %, ``"4.3"``."""
    return figure(pct, "cv_pct")


def step_length(metres: float | None) -> str:
    """A step length in metres, ``"0.52"``."""
    return figure(metres, "step_length_m")


def time_s(seconds: float | None) -> str:
    """A time within a recording (a bout's start or end), ``"12.3"``."""
    return figure(seconds, "time_s")


def percent(value: float | None) -> str:
    """A share in whole percent, half up as a page's script rounds it (``Math.round``):
    ``"13"`` for 12.5. (A plan's adherence and a calibration's agreement are whole
    numbers in their JSON already: they read as the JSON writes them.)"""
    return _trimmed(value, 0)


def threembwt_s(seconds: float | None) -> str:
    """A 3MBWT's time, or its uncertainty, in seconds as the test's JSON holds it
    (0.01 s), ``"10.12"``: a time typed with more digits reads as it is stored."""
    return figure(seconds, "threembwt_s")


def minutes(value: float | None) -> str:
    """Backward minutes, planned or done (kept unrounded), to 0.01 min half up without
    trailing zeros: ``"12.5"``, ``"10"``, ``"12.35"`` for 12.345, as the coaching
    rules' sentences write them (:func:`retrowalk.domain.coach.weekly.minutes_text`:
    the same :func:`~retrowalk.core.rounding.half_up_text`)."""
    return _trimmed(value, 2)


def age_months(months: float | None) -> str:
    """A child's age in whole months, from the 0.01 month the JSON holds, ``"3"``."""
    return figure(months, "age_months")


def weeks(value: float | None) -> str:
    """Whole weeks (how early a child was born), half up: ``"4"`` for 3.57."""
    return _trimmed(value, 0)


def span_s(start_s: float, end_s: float) -> str:
    """A bout's length from its JSON start and end (0.001 s), to 0.01 s half up,
    subtracted in decimal (binary subtraction can fall just under a tie)."""
    start = Decimal(repr(round(float(start_s), JSON_DIGITS["time_s"])))
    end = Decimal(repr(round(float(end_s), JSON_DIGITS["time_s"])))
    return str((end - start).quantize(Decimal("0.01"), ROUND_HALF_UP))


def height(metres: float | None) -> str:
    """A body height in metres, ``"1.74"``."""
    return figure(metres, "height_m")


def weight(kg: float | None) -> str:
    """A body weight as it was entered, ``"71.5"``, ``"72"``, ``"3.45"``."""
    text = figure(kg, "weight_kg")
    return text.rstrip("0").rstrip(".") if "." in text else text


#: How a figure is shown, by how its name ends (a JSON or stored column's name).
BY_NAME_END: tuple[tuple[str, Callable[[float | None], str]], ...] = (
    ("distance_m", distance),
    ("speed_mps", speed),
    ("cadence_spm", cadence),
    ("cv_pct", cv_pct),
    ("step_length_m", step_length),
)


def shown(figures: Mapping[str, Any]) -> dict[str, str]:
    """Each figure of ``figures`` (JSON or stored names: ``backward_distance_m``,
    ``cadence_spm``, ``forward_duration_s``...) as it is shown, for a page's script
    (a chart's labels) to show what the page's tables show."""
    out = {}
    for name, value in figures.items():
        if name.endswith("duration_s"):
            out[name] = duration(value)
            continue
        for end, write in BY_NAME_END:
            if name.endswith(end):
                out[name] = write(value)
                break
    return out


def duration(seconds: float | None) -> str:
    """A duration, the one way durations are shown to a person: ``"45 s"``,
    ``"6 min 12 s"``, ``"1 h 46 min"`` (whole seconds under an hour, whole
    minutes from an hour), rounded half up from the JSON's value."""
    if _missing(seconds):
        return MISSING
    assert seconds is not None
    whole = int(half_up(round(float(seconds), JSON_DIGITS["duration_s"]), 0))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        m, s = divmod(whole, 60)
        return f"{m} min {s:02d} s"
    minutes = int(half_up(whole / 60, 0))
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min"


def made_when(created_at: str) -> str:
    """When a calibration was made, as every page and report says it: ``"2026-01-05 10:00
    UTC"`` from its ISO ``created_at`` (two calibrations of a day, a walk done again,
    told apart by their time); the day alone where the time is not known."""
    return f"{created_at[:10]} {created_at[11:16]} UTC" if created_at[11:16] else created_at[:10]

"""Scoring and interpreting the 3-metre backward walk test (3MBWT).

* From a time: speed = 3 m / time; each published cut-off of the person's group
  (``data/assess/threembwt.toml``) is checked and cited: community older adults
  (Carter et al. 2019, J Geriatr Phys Ther 42:249: <= 3.0 s low, >= 4.5 s high
  fall risk; Polo-Ferrero et al. 2025: 5.5 s, sensitivity 59.5 %, specificity
  68.6 %), nursing homes (Kapan et al. 2025: >= 8.15-9.31 s), Parkinson's
  (Carter et al. 2020: 4.2 s), multiple sclerosis (Soke et al. 2022: 7.86 s),
  stroke (no published cut-off). Where a group has only high-risk cut-offs, a
  faster time is "under the high-risk cut-off", never "low fall risk": no source
  defines low risk for it. Backward speed is set against Fritz et al. 2013 (all
  elderly fallers < 0.6 m/s) and Gong et al. 2026 (older adults 0.73 +/- 0.24 m/s).
* Change between two tests is judged against the group's minimal detectable
  change (Parkinson's 2.13 s; MS 1.69 s, Soke 2022; stroke 1.57 s, Kocaman 2021,
  and 0.07 / 0.11 m/s in speed, DeMark 2023). A change smaller than the MDC is
  "no real change"; without a published MDC the app says so.
* From a recording: :func:`time_from_analysis` times 3 m of a backward bout from
  its steps (cumulative step length against contact times) with an uncertainty
  from step-length error and contact timing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from retrowalk.core.errors import InputError
from retrowalk.core.rounding import half_up
from retrowalk.domain.assess.norms import cite, group, table


@dataclass(frozen=True)
class Finding:
    """One published cut-off checked against a time."""

    label: str
    threshold_s: float
    kind: str  # "at_least" or "at_most"
    met: bool
    level: str
    note: str
    citation: str


LEVEL_LABELS = {
    "low": "low fall risk",
    "medium": "between the cut-offs",
    "under_high": "under the high-risk cut-off; no low-risk cut-off published",
    "high": "high fall risk",
    "unknown": "no published cut-off",
}
"""The one wording of each risk level, shown wherever a result is (result page, clinic).

``under_high`` is a time under a group's high-risk cut-off where no source defines low
risk (Parkinson's, multiple sclerosis, nursing homes): it is not "low fall risk", and its
label names the cut-off (:func:`under_high_label`). The level is worked out each time a
result is shown (results store the time and group only), so results stored before this
level existed read it too."""


def under_high_label(threshold_s: float) -> str:
    """The level label of a time under a high-risk-only cut-off, naming the cut-off."""
    return (
        f"under the {threshold_s:g} s high-risk cut-off; "
        "no low-risk cut-off is published for this group"
    )


VERDICT_LABELS = {
    "improved": "real improvement (at least the MDC)",
    "worse": "real decline (at least the MDC)",
    "no_real_change": "no real change (within the MDC)",
    "unknown": "no published MDC for this group: real change unknown",
}
"""The short wording of each change verdict (the clinic's trend column)."""


@dataclass(frozen=True)
class Interpretation:
    """A 3MBWT time read against its group's published numbers."""

    time_s: float
    speed_mps: float
    group: str
    group_title: str
    summary: str
    level: str  # low | medium | under_high | high | unknown
    findings: list[Finding] = field(default_factory=list)
    speed_notes: list[str] = field(default_factory=list)
    no_cutoff_note: str | None = None
    uncertainty_s: float | None = None
    borderline: bool = False
    level_label: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Change:
    """The change between two tests judged against the MDC."""

    previous_s: float
    current_s: float
    change_s: float
    mdc_s: float | None
    verdict: str  # improved | worse | no_real_change | unknown
    message: str
    citation: str | None
    speed_change_mps: float
    speed_mdc_mps: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def shown_speed(speed_mps: float) -> str:
    """A speed as every page and the command line show one (``retrowalk.report.display``,
    which the domain rules cannot import; the same rounding,
    :func:`~retrowalk.core.rounding.half_up`): its 0.001 m/s value rounded half up to
    0.01, so a 4.8 s test (0.625 m/s) reads 0.63 m/s in its sentence and beside it."""
    return str(half_up(round(float(speed_mps), 3), 2))


def combined_trials_s(trials_s: Sequence[float], variant: str = "standard") -> float:
    """The one time (s, to 0.01) that stands for several trials of the test.

    The standard test takes the mean of the trial times. The stroke variant (DeMark et
    al. 2023) measures the speed of each trial over the middle 3 m and uses their mean
    speed, so its time is the one of that mean speed (the harmonic mean of the times):
    trials of 6 and 10 s are 0.5 and 0.3 m/s, a mean of 0.4 m/s, 7.5 s (the mean time,
    8 s, would be 0.375 m/s).
    """
    times = [float(t) for t in trials_s]
    if not times:
        raise InputError("trials", "give at least one trial time")
    for t in times:
        _check_time(t)
    if variant == "stroke_5m":
        return round(len(times) / sum(1.0 / t for t in times), 2)
    return round(math.fsum(times) / len(times), 2)


def _check_time(time_s: float) -> None:
    if not math.isfinite(time_s) or time_s <= 0 or time_s > 300:
        raise InputError("time", "enter the time in seconds (more than 0, at most 300)")


def interpret(
    time_s: float, group_id: str = "community", *, uncertainty_s: float | None = None
) -> Interpretation:
    """Read a 3MBWT time against the published cut-offs of the person's group.

    Parameters
    ----------
    time_s
        Time for the 3 m, seconds.
    group_id
        ``community``, ``nursing_home``, ``parkinsons``, ``ms`` or ``stroke``.
    uncertainty_s
        Half-width of the time's uncertainty (recordings); a cut-off inside
        ``time +/- uncertainty`` makes the result borderline.
    """
    _check_time(time_s)
    data = table()
    g = group(group_id)
    distance = float(data["distance_m"])
    speed = distance / time_s
    findings: list[Finding] = []
    borderline = False
    for c in g.get("cutoffs", []):
        kind = "at_least" if "at_least" in c else "at_most"
        threshold = float(c[kind])
        met = time_s >= threshold if kind == "at_least" else time_s <= threshold
        if uncertainty_s and abs(time_s - threshold) < uncertainty_s:
            borderline = True
        findings.append(
            Finding(c["label"], threshold, kind, met, c["level"], c["note"], cite(c["source"]))
        )
    high = [f for f in findings if f.met and f.level == "high"]
    low = [f for f in findings if f.met and f.level == "low"]
    at_least = sorted(f.threshold_s for f in findings if f.kind == "at_least")
    if not findings:
        level = "unknown"
        summary = (
            f"{time_s:.2f} s ({shown_speed(speed)} m/s). There is no published cut-off for "
            "this group."
        )
    elif high:
        level = "high"
        worst = max(high, key=lambda f: f.threshold_s)
        summary = (
            f"{time_s:.2f} s is at or above the {worst.threshold_s:g} s cut-off: {worst.label}."
        )
    elif low:
        level = "low"
        summary = f"{time_s:.2f} s is at or under {low[0].threshold_s:g} s: {low[0].label}."
    elif any(f.kind == "at_most" for f in findings):
        level = "medium"
        fast = max(f.threshold_s for f in findings if f.kind == "at_most")
        summary = (
            f"{time_s:.2f} s is between the low-risk ({fast:g} s) and the high-risk "
            f"({at_least[0]:g} s) cut-offs."
        )
    else:
        # Only high-risk cut-offs are published for the group: under them is not low risk.
        level = "under_high"
        summary = (
            f"{time_s:.2f} s is under the {at_least[0]:g} s cut-off for high fall risk "
            f"({g['title']}); no low-risk cut-off is published for this group, so this "
            "does not mean a low fall risk."
        )
    if borderline:
        summary += " The time is close to a cut-off given its uncertainty: read it as borderline."
    sp = data["speed"]
    # The fallers were all slower than this speed: at it exactly is not below it.
    versus = (
        "this is below"
        if speed < sp["faller_below_mps"]
        else "this is at"
        if math.isclose(speed, sp["faller_below_mps"], rel_tol=0, abs_tol=1e-9)
        else "this is above"
    )
    speed_notes = [
        f"Backward speed {shown_speed(speed)} m/s. {sp['faller_note']} "
        f"({versus} "
        f"{sp['faller_below_mps']:g} m/s; measured at usual speed in that study) "
        f"- {cite(sp['faller_source'])}",
        f"Older adults walked backwards at {sp['older_adult_mean_mps']:g} +/- "
        f"{sp['older_adult_sd_mps']:g} m/s on average - {cite(sp['older_adult_source'])}",
    ]
    no_cut = None
    if not findings:
        no_cut = g.get("no_cutoff_note", "There is no published cut-off for this group.")
        if g.get("no_cutoff_source"):
            no_cut += f" - {cite(g['no_cutoff_source'])}"
    return Interpretation(
        time_s=round(time_s, 2),
        speed_mps=round(speed, 3),
        group=group_id,
        group_title=g["title"],
        summary=summary,
        level=level,
        findings=findings,
        speed_notes=speed_notes,
        no_cutoff_note=no_cut,
        uncertainty_s=uncertainty_s,
        borderline=borderline,
        level_label=(
            under_high_label(at_least[0]) if level == "under_high" else LEVEL_LABELS[level]
        ),
    )


def compare(previous_s: float, current_s: float, group_id: str = "community") -> Change:
    """The change between two 3MBWT times judged against the group's MDC.

    A smaller time is better. A change smaller than the MDC is "no real change"
    (it may be measurement noise); one of at least the MDC, the MDC itself included, is
    a real change, and the message says "at least the MDC". Without a published MDC
    for the group the verdict is ``unknown``.
    """
    _check_time(previous_s)
    _check_time(current_s)
    g = group(group_id)
    distance = float(table()["distance_m"])
    change = round(current_s - previous_s, 2)
    speed_change = round(distance / current_s - distance / previous_s, 3)
    mdc = float(g.get("mdc_s") or 0.0) or None
    speed_mdc: dict[str, float] = {}
    if "speed_mdc_subacute_mps" in g:
        speed_mdc = {
            "subacute": g["speed_mdc_subacute_mps"],
            "chronic": g["speed_mdc_chronic_mps"],
        }
    citation = cite(g["mdc_source"]) if mdc else None
    if mdc is None:
        verdict = "unknown"
        message = (
            f"The time changed by {change:+.2f} s. There is no published minimal detectable "
            "change for this group, so we cannot say whether this is a real change."
        )
    elif abs(change) < mdc:
        verdict = "no_real_change"
        message = (
            f"No real change: {change:+.2f} s is smaller than the minimal detectable "
            f"change of {mdc:g} s."
        )
    elif change < 0:
        verdict = "improved"
        message = f"Real improvement: {abs(change):.2f} s faster, at least the MDC of {mdc:g} s."
    else:
        verdict = "worse"
        message = f"Real decline: {change:.2f} s slower, at least the MDC of {mdc:g} s."
    if speed_mdc:
        message += (
            f" Backward speed changed by {speed_change:+.2f} m/s (MDC {speed_mdc['subacute']:g} "
            f"m/s subacute, {speed_mdc['chronic']:g} m/s chronic stroke - "
            f"{cite(g['speed_mdc_source'])})."
        )
    return Change(
        previous_s=round(previous_s, 2),
        current_s=round(current_s, 2),
        change_s=change,
        mdc_s=mdc,
        verdict=verdict,
        message=message,
        citation=citation,
        speed_change_mps=speed_change,
        speed_mdc_mps=speed_mdc,
    )


# --------------------------------------------------------------------- recordings
@dataclass(frozen=True)
class TimedStretch:
    """The time to cover a distance stretch of a backward bout, from its steps."""

    time_s: float
    uncertainty_s: float
    low_s: float
    high_s: float
    bout: int
    start_m: float
    end_m: float
    bout_distance_m: float
    steps_used: int
    start_time_s: float
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _crossing(times: list[float], cum: list[float], target: float) -> float | None:
    """Time at which the cumulative distance reaches ``target`` (linear between contacts)."""
    if target <= 0:
        return times[0]
    for i in range(1, len(cum)):
        if cum[i] >= target:
            span = cum[i] - cum[i - 1]
            frac = (target - cum[i - 1]) / span if span > 0 else 1.0
            return times[i - 1] + frac * (times[i] - times[i - 1])
    return None


def time_from_analysis(
    analysis: Mapping[str, Any],
    *,
    start_m: float = 0.0,
    end_m: float = 3.0,
    bout: int | None = None,
    step_length_rel_error: float | None = None,
    contact_timing_sd_s: float | None = None,
) -> TimedStretch:
    """Time a backward stretch (default the first 3 m) of a recording's backward bout.

    The distance walked by each contact is the sum of the lengths of the steps
    before it (a step's ``length_m`` is the step that ends at that contact; the
    first contact of the bout is the start, distance 0; steps without a length
    take the bout's mean step length). The time at ``start_m`` and ``end_m`` is
    interpolated linearly between contacts.

    Uncertainty: step lengths scaled by ``1 +/- step_length_rel_error`` move the
    crossings (systematic error of the step-length model); each end also carries
    the contact timing error (``contact_timing_sd_s``). The half-width reported is
    ``sqrt(((high - low) / 2)**2 + 2 * sd**2)``.

    Parameters
    ----------
    analysis
        The analysis JSON, as stored or from :func:`retrowalk.summary.contract.to_dict`.
    start_m, end_m
        The timed stretch (the stroke variant of DeMark 2023 times 1 m to 4 m of 5 m).
    bout
        Index of the bout to use; default the first backward bout long enough.

    Raises
    ------
    InputError
        No backward bout covers ``end_m`` metres, or the steps have no lengths.
    """
    data = analysis
    meas = table()["measurement"]
    rel = meas["step_length_rel_error"] if step_length_rel_error is None else step_length_rel_error
    sd = meas["contact_timing_sd_s"] if contact_timing_sd_s is None else contact_timing_sd_s
    if not 0 <= start_m < end_m:
        raise InputError("distance", "the timed stretch must start before it ends")
    bouts = data.get("bouts", [])
    steps = data.get("steps", [])
    candidates = [bout] if bout is not None else range(len(bouts))
    notes: list[str] = []
    longest = 0.0
    for index in candidates:
        if index is None or not 0 <= index < len(bouts):
            raise InputError("bout", f"the recording has no bout {index}")
        b = bouts[index]
        if b.get("direction") != "backward":
            if bout is not None:
                raise InputError("bout", f"bout {index} is not a backward bout")
            continue
        own = sorted((s for s in steps if s.get("bout") == index), key=lambda s: s["time_s"])
        if len(own) < 2:
            continue
        known = [s["length_m"] for s in own[1:] if s.get("length_m")]
        fallback = b.get("step_length_m") or (sum(known) / len(known) if known else None)
        if fallback is None:
            continue
        lengths = [float(s.get("length_m") or fallback) for s in own[1:]]
        times = [float(s["time_s"]) for s in own]
        cum = [0.0]
        for length in lengths:
            cum.append(cum[-1] + length)
        longest = max(longest, cum[-1])
        if cum[-1] < end_m:
            continue
        if len(known) < len(lengths):
            notes.append(
                f"{len(lengths) - len(known)} step(s) had no length of their own and took the "
                f"bout's mean step length."
            )
        t = _span(times, cum, start_m, end_m)
        scaled = []
        for factor in (1 + rel, 1 - rel):
            value = _span(times, [c * factor for c in cum], start_m, end_m)
            if value is not None:
                scaled.append(value)
        assert t is not None
        if len(scaled) < 2:
            notes.append(
                "With shorter steps (within the step-length error) the bout may not reach the "
                "full distance; the upper bound is extrapolated from the mean step time."
            )
            per_m = t / (end_m - start_m)
            scaled = [t * (1 - rel), t + per_m * (end_m - start_m) * rel]
        low, high = min(scaled), max(scaled)
        half = math.sqrt(((high - low) / 2) ** 2 + 2 * sd**2)
        start_t = _crossing(times, cum, start_m)
        return TimedStretch(
            time_s=round(t, 2),
            uncertainty_s=round(half, 2),
            low_s=round(min(low, t - math.sqrt(2) * sd), 2),
            high_s=round(max(high, t + math.sqrt(2) * sd), 2),
            bout=index,
            start_m=start_m,
            end_m=end_m,
            bout_distance_m=round(cum[-1], 2),
            steps_used=len(own),
            start_time_s=round(start_t or times[0], 2),
            notes=notes,
        )
    if longest > 0:
        raise InputError(
            "recording",
            f"no backward bout covers {end_m:g} m (the longest covers {longest:.1f} m)",
        )
    raise InputError("recording", "the recording has no backward bout with measured steps")


def _span(times: list[float], cum: list[float], start_m: float, end_m: float) -> float | None:
    a = _crossing(times, cum, start_m)
    b = _crossing(times, cum, end_m)
    if a is None or b is None:
        return None
    return b - a

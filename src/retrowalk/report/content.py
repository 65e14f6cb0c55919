"""The words of the report: assumptions, plain-words meanings, number formatting.

Shared by the HTML and the PDF/PNG reports so that both say the same thing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from retrowalk.report import display
from retrowalk.summary.contract import calibration_status
from retrowalk.summary.energy import MODEL_SUMMARY

MISSING = "\u2014"  # em dash: "no value"

#: Plain-words meaning of every number in the report.
GLOSSARY: list[tuple[str, str]] = [
    (
        "Step",
        "One foot touching the ground (either foot). Two steps make one stride.",
    ),
    (
        "Bout",
        "A stretch of continuous walking of at least 3 steps, with pauses shorter than "
        "2 seconds. A change of walking direction starts a new bout.",
    ),
    (
        "Direction",
        "Forward, backward, or uncertain when the recording does not show it clearly "
        "enough. Confidence (0 to 1) says how sure the analysis is.",
    ),
    ("Time", "Walking time in seconds: the sum of the bouts' durations, pauses not counted."),
    ("Cadence", "Steps per minute while walking."),
    ("Speed", "Average walking speed in metres per second (1 m/s = 3.6 km/h)."),
    ("Distance", "Metres walked: speed multiplied by walking time."),
    ("Step length", "Average distance covered by one step, in metres."),
    (
        "Energy (kcal)",
        "Estimated energy used while walking, in kilocalories (the 'calories' on food "
        "labels). Gross: it includes what the body uses at rest. Net energy leaves out "
        "rest and is what the walking itself added.",
    ),
    (
        "MET",
        "Metabolic equivalent: how many times the resting energy use an activity takes. "
        "Sitting still is 1 MET; walking backwards at 3.5 mph is about 6 MET.",
    ),
    (
        "Direction switches",
        "How often the walking direction changed between forward and backward from one "
        "bout to the next.",
    ),
    (
        "Interval pattern",
        "Repeated alternation of backward and forward walking, with the typical length "
        "of each part, e.g. '6 x 1 min backward / 1 min forward'.",
    ),
    (
        "Step-time variability (CV)",
        "How much the time between steps changes from step to step, as a percentage "
        "of the average (coefficient of variation). Lower means steadier walking; "
        "healthy adults walking forward are typically a few percent.",
    ),
    ("Cadence variability (CV)", "The same for the step-by-step cadence."),
    (
        "Step-length variability (CV)",
        "How much step length changes, as a percentage of the average: between single "
        "steps when measured per step, otherwise between bouts.",
    ),
    (
        "Step-time asymmetry",
        "How different the two feet's step times are, as a percentage of their average. "
        "0 % means both feet take equally long. When the sensor cannot tell the feet "
        "apart, odd and even steps are compared.",
    ),
]

CAVEATS: list[str] = [
    "This report describes one recording; it does not diagnose anything.",
    "Differences between two sessions that are smaller than a measure's minimal "
    "detectable change are not real changes; ask your therapist about the value for "
    "your test.",
    "Backward walking is measured less precisely than forward walking: no public "
    "recordings of backward walking with reference values exist yet.",
]


def fmt(value: Any) -> str:
    """A JSON value as it is written in the JSON (``None`` as an em dash)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return json.dumps(value)
    return str(value)


def human_duration(seconds: float | None) -> str:
    """``"45 s"``, ``"6 min 12 s"``, ``"1 h 46 min"``: the one duration format
    (:func:`retrowalk.report.display.duration`)."""
    return MISSING if seconds is None else display.duration(seconds)


def energy_explanation() -> str:
    """How energy is estimated, with its sources."""
    return MODEL_SUMMARY


def calibration_text(data: Mapping[str, Any]) -> str:
    """Which direction calibration the analysis used, in a sentence for the reader."""
    info = (data.get("assumptions") or {}).get("direction_profile")
    if not info:
        return (
            "Direction calibration: none used; directions come from the built-in rules "
            "(a calibration made from a walk you label makes them surer)."
        )
    made = display.made_when(str(info.get("created_at") or ""))
    placement = str(info.get("placement") or "").replace("_", " ")
    source = info.get("source")
    if calibration_status(data.get("assumptions") or {}) == "not used":
        made_for = f"made {made} for the {placement}" if made else f"the one for the {placement}"
        text = f"Direction calibration not used: {made_for}"
        text += f" ({source})" if source else ""
        why = calibration_not_used_reason(info)
        return f"{text}, but {why}; directions come from the built-in rules."
    text = f"Direction calibration used: made {made} for the {placement}"
    text += f" ({source})." if source else "."
    if info.get("warning"):
        text += f" Warning: {info['warning']}."
    left_out = info.get("left_out") or []
    if left_out:
        text += f" {_left_out_text(len(left_out))}: " + "; ".join(left_out) + "."
    return text


def calibration_not_used_reason(info: Mapping[str, Any]) -> str:
    """Why an offered calibration was not used, without the profile's own name
    (the sentence around it names the calibration)."""
    reason = str(info.get("not_used_reason") or "it did not apply to this recording")
    return re.sub(r"^direction profile \([^)]*\) not used: ", "", reason)


def _left_out_text(n: int) -> str:
    """That ``n`` labelled bouts of the calibration walk were not used in it."""
    return f"{n} labelled bout{'s' if n != 1 else ''} of its walk, worn differently, not used"


def without_figures(reason: str) -> str:
    """A reason without its measured figures in brackets (``(name=value, ...)``)."""
    return re.sub(r"\s*\([^()]*=[^()]*\)", "", reason)


def no_walking_reasons(data: Mapping[str, Any]) -> list[str]:
    """Why an analysis (its JSON form) holds no walking bout; ``[]`` when it holds one.

    The bouts the user marked as not walking, else the stretches the walking checks
    refused (their notes, the same reason told once), else that no stepping was found.
    """
    if data.get("bouts"):
        return []
    removed = len((data.get("hand_labels") or {}).get("removed_bouts") or [])
    if removed:
        return [
            f"you marked {'its bout' if removed == 1 else f'its {removed} bouts'} as not walking"
        ]
    refused = [n for n in grouped_notes(list(data.get("notes") or [])) if "not walking" in n]
    return refused or ["no run of steps long enough for a walking bout was found"]


#: An analysis note about one stretch of the recording: ``"12.0-18.5 s: what"``.
_STRETCH_NOTE = re.compile(r"^(\d+(?:\.\d+)?-\d+(?:\.\d+)?) s: (.*)$", re.DOTALL)

#: How many stretches a grouped note names before "and N more".
_STRETCHES_NAMED = 3


def grouped_notes(notes: list[Any]) -> list[str]:
    """The notes, those about single stretches that say the same thing told once.

    A long recording can have hundreds of notes such as ``"2395.0-2401.1 s:
    not walking: ... (0.16 m/s^2 ...); no bout"``. Notes whose text after the
    stretch is the same once its figures are left out become one line: how
    many stretches, what, and the first few stretches. Other notes, and a
    stretch note said once, are kept as they are, in their order. The JSON
    keeps every note.
    """
    out: list[str | list[tuple[str, str]]] = []
    groups: dict[str, list[tuple[str, str]]] = {}
    for note in map(str, notes):
        found = _STRETCH_NOTE.match(note)
        if found is None:
            out.append(note)
            continue
        what = found.group(2)
        key = re.sub(r"\d+(?:\.\d+)?", "#", what)
        if key not in groups:
            groups[key] = []
            out.append(groups[key])
        groups[key].append((found.group(1), what))
    lines = []
    for item in out:
        if isinstance(item, str):
            lines.append(item)
        elif len(item) == 1:
            lines.append(f"{item[0][0]} s: {item[0][1]}")
        else:
            named = [f"{span} s" for span, _ in item[:_STRETCHES_NAMED]]
            named[0] += " (its figures)"
            more = len(item) - _STRETCHES_NAMED
            where = ", ".join(named) + (f" and {more} more" if more > 0 else "")
            lines.append(f"{item[0][1]} - {len(item)} stretches: {where}")
    return lines


def assumption_rows(data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(what, value, where it came from)`` for everything assumed or decided."""
    a = data.get("assumptions", {})
    rec = data["recording"]
    rows: list[tuple[str, str, str]] = []

    def source(key: str) -> str:
        src = a.get(f"{key}_source")
        if src == "default":
            return "ASSUMED: not given, adult default used"
        if src == "given":
            return "given by the user"
        return src or "not stated"

    height = a.get("height_m")
    rows.append(("Height", f"{fmt(height)} m" if height is not None else MISSING, source("height")))
    weight = a.get("weight_kg")
    rows.append(
        ("Weight", f"{fmt(weight)} kg" if weight is not None else MISSING, source("weight"))
    )
    age = a.get("age_years")
    rows.append(("Age", f"{fmt(age)} years" if age is not None else MISSING, source("age")))
    placement = rec.get("placement", "auto")
    conf = rec.get("placement_confidence")
    support = data.get("placement_support") or {}
    if placement == "unsupported" or support.get("supported") is False:
        # Not a place with a confidence: the recording did not show where the device
        # was worn, so steps are counted and walking direction is not decided.
        rows.append(
            (
                "Sensor placement",
                "not recognised (for example a phone in the hand, a bag, an arm band "
                "or a neck pouch): steps counted, walking direction not decided",
                without_figures(str(support.get("reason") or "detected from the recording")),
            )
        )
    else:
        rows.append(
            (
                "Sensor placement",
                str(placement).replace("_", " "),
                "unknown" if placement == "auto" else f"confidence {fmt(conf)}",
            )
        )
    profile = a.get("direction_profile")
    if profile:
        made = display.made_when(str(profile.get("created_at", "")))
        where = str(profile.get("placement", "")).replace("_", " ")
        note = profile.get("warning")
        left_out = profile.get("left_out") or []
        unused = calibration_status(a) == "not used"
        rows.append(
            (
                "Walking-direction calibration",
                (f"{where} calibration of {made}" if made else f"{where} calibration")
                + (": not used" if unused else ""),
                str(profile.get("source", "given"))
                + (f"; not used: {calibration_not_used_reason(profile)}" if unused else "")
                + (f"; {note}" if note else "")
                + (f"; {_left_out_text(len(left_out))}" if left_out else ""),
            )
        )
    hand = data.get("hand_labels") or {}
    if hand.get("labels"):
        relabelled = sum(1 for b in data.get("bouts", []) if b.get("direction_set_by") == "user")
        removed = len(hand.get("removed_bouts") or [])
        rows.append(
            (
                "Bout directions set by you",
                f"{relabelled} bout{'s' if relabelled != 1 else ''} relabelled, "
                f"{removed} removed as not walking",
                "your labels, kept when the recording is analysed again",
            )
        )
    sensor_names = {"acc": "acceleration", "gyro": "rotation rate"}
    for name, unit in (rec.get("units") or {}).items():
        decided = {"file": "stated by the file", "user": "set by the user", "auto": "detected"}
        how = decided.get(unit.get("decided_by"), unit.get("decided_by", ""))
        evidence = unit.get("evidence")
        rows.append(
            (
                f"Units: {sensor_names.get(name, name)}",
                unit.get("unit", ""),
                how + (f" ({evidence})" if evidence else ""),
            )
        )
    if not a.get("direction_profile"):  # a calibration used has its row above
        rows.append(("Direction calibration", "none", "built-in direction rules used"))
    rows.append(("Grade (slope)", "0 % (level)", "ASSUMED: the slope is not measured"))
    rows.append(
        (
            "Recording",
            f"{rec.get('format', '')}, {fmt(rec.get('sampling_rate_hz'))} Hz, "
            f"{human_duration(rec.get('duration_s'))}",
            rec.get("path", ""),
        )
    )
    gaps = rec.get("gaps") or []
    if gaps:
        total = sum(g["end_s"] - g["start_s"] for g in gaps)
        rows.append(
            (
                "Gaps in the data",
                f"{len(gaps)} ({display.time_s(total)} s)",
                "no walking is reported inside",
            )
        )
    for note in rec.get("notes") or []:
        rows.append(("Note (reading)", str(note), ""))
    for note in grouped_notes(list(data.get("notes") or [])):
        rows.append(("Note (analysis)", note, ""))
    for note in (data.get("session") or {}).get("notes") or []:
        rows.append(("Note (summary)", str(note), ""))
    return rows

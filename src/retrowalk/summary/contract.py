"""The JSON contract of an analysis (what ``retrowalk analyze`` prints).

One Analysis in, one JSON-ready dict out. The blocks:

- ``recording``: what was read and how (format, rate, units, gaps, notes);
- ``assumptions``: body measures, each marked as given or default;
- ``bouts`` and ``steps``: what was found, rounded for reading;
- ``summary``: steps, walking time and distance per direction (the first
  schema's block, kept as it was: a distance that cannot be estimated counts
  as 0 here);
- ``session``: the session summary (:mod:`retrowalk.summary.session`), where an
  unknown distance is ``null``;
- further blocks a source adds (``Analysis.sections``, e.g. ``video``).

Both ``summary`` and ``session`` take their totals from
:func:`retrowalk.summary.totals.direction_totals`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from retrowalk.core.provenance import engine_version
from retrowalk.core.results import Analysis, Bout, Step
from retrowalk.core.types import DIRECTIONS
from retrowalk.summary.session import summarise
from retrowalk.summary.totals import direction_totals, of_direction

__all__ = [
    "SCHEMA_VERSION",
    "bout_to_dict",
    "calibration_status",
    "energy_kcal",
    "step_time_s",
    "step_to_dict",
    "summary_block",
    "summary_totals",
    "to_dict",
    "to_json",
    "uncertain_reasons",
    "write_json",
]

SCHEMA_VERSION = 1


def _round_or_none(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def bout_to_dict(bout: Bout) -> dict[str, Any]:
    """One entry of ``bouts``."""
    out: dict[str, Any] = {
        "start_s": round(bout.start_s, 3),
        "end_s": round(bout.end_s, 3),
        "direction": str(bout.direction),
        "direction_confidence": round(float(bout.direction_confidence), 3),
        "n_steps": int(bout.n_steps),
        "cadence_spm": round(float(bout.cadence_spm), 2),
        "speed_mps": _round_or_none(bout.speed_mps, 3),
        "distance_m": _round_or_none(bout.distance_m, 2),
        "step_length_m": _round_or_none(bout.step_length_m, 3),
        "energy_kcal": _round_or_none(bout.energy_kcal, 2),
    }
    out.update(bout.extra)
    return out


def step_time_s(step: Step) -> float:
    """A step's ``time_s`` as written: to the millisecond."""
    return round(step.time_s, 3)


def step_to_dict(step: Step) -> dict[str, Any]:
    """One entry of ``steps`` (``inferred``, ``side``, ``length_m`` only when known)."""
    out: dict[str, Any] = {
        "time_s": step_time_s(step),
        "bout": step.bout,
        "direction": str(step.direction),
    }
    if step.inferred:
        out["inferred"] = True
    if step.side is not None:
        out["side"] = step.side
    if step.length_m is not None:
        out["length_m"] = round(float(step.length_m), 3)
    return out


def summary_totals(bouts: Sequence[Bout], direction: str) -> dict[str, float | int]:
    """The ``summary`` entry of one direction, from :func:`direction_totals`.

    Unknown distance is written as 0 (the field has always been a number).
    """
    totals = direction_totals(of_direction(bouts, direction), None)
    return {
        "steps": totals.steps,
        "duration_s": round(totals.duration_s, 2),
        "distance_m": round(totals.distance_m or 0.0, 2),
    }


def energy_kcal(bouts: Sequence[Bout]) -> float:
    """Gross energy of all bouts, kcal (bouts without an estimate count 0)."""
    return round(sum(b.energy_kcal or 0.0 for b in bouts), 2)


def calibration_status(assumptions: Mapping[str, Any]) -> str:
    """Whether an analysis's direction calibration (``assumptions["direction_profile"]``)
    decided any bout: ``"used"``, ``"not used"`` (offered, it decided none: its
    ``not_used_reason`` says why) or ``"none"`` (none offered). An analysis stored before
    ``used`` was recorded counts a calibration it names as used."""
    offered = assumptions.get("direction_profile")
    if not offered:
        return "none"
    return "not used" if offered.get("used") is False else "used"


def uncertain_reasons(bouts: Iterable[tuple[str, str | None]]) -> list[tuple[str, list[int]]]:
    """Why the bouts of uncertain direction are uncertain, each reason once.

    ``bouts``: each bout's direction and ``direction_reason``, in order. Returns
    each distinct reason of the uncertain bouts with the (0-based) indices of
    the bouts it applies to, in the order of their first bout; a bout without
    a reason counts under "no reason given".
    """
    found: dict[str, list[int]] = {}
    for i, (direction, reason) in enumerate(bouts):
        if direction == "uncertain":
            found.setdefault(reason or "no reason given", []).append(i)
    return list(found.items())


def summary_block(analysis: Analysis) -> dict[str, Any]:
    """The ``summary`` block: per-direction totals and the energy of all bouts."""
    out: dict[str, Any] = {str(d): summary_totals(analysis.bouts, d) for d in DIRECTIONS}
    out["energy_kcal"] = energy_kcal(analysis.bouts)
    return out


def recording_block(analysis: Analysis) -> dict[str, Any]:
    """The ``recording`` block."""
    rec = analysis.recording
    return {
        "path": rec.path,
        "format": rec.format,
        "n_samples": rec.n_samples,
        "sampling_rate_hz": float(rec.sampling_rate_hz),
        "duration_s": round(rec.duration_s, 3),
        "placement": analysis.placement,
        "placement_confidence": round(analysis.placement_confidence, 3),
        "units": {name: unit.to_dict() for name, unit in rec.units.items()},
        "has_gyro": rec.has_gyro,
        "start_time": rec.start_time.isoformat() if rec.start_time else None,
        "gaps": [{"start_s": round(g.start_s, 3), "end_s": round(g.end_s, 3)} for g in rec.gaps],
        "notes": list(rec.notes),
    }


class _MadeAsRead(list[Any]):
    """A list for :class:`json.JSONEncoder` whose entries are made as the encoder reaches them.

    The encoder's incremental form (``iterencode``) asks a list only for its
    length and its entries in order; here each entry is ``make(item)`` of the
    ``items`` given, made when asked for and dropped once written, so the
    entries of a long recording's steps are never all held at once.
    """

    def __init__(self, items: Sequence[Any], make: Any) -> None:
        super().__init__()
        self._items = items
        self._make = make

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Any:
        return map(self._make, self._items)


def analysis_version() -> str:
    """The engine version an analysis is labelled with (``analysis_version``: the
    JSON's and the batch tables' one value)."""
    return engine_version()


def to_dict(
    analysis: Analysis, *, session: bool = True, steps_as_read: bool = False
) -> dict[str, Any]:
    """The JSON contract; ``session=False`` leaves out the session summary block.

    ``steps_as_read``: the ``steps`` entries made only as a JSON encoder's
    ``iterencode`` reaches them (:func:`write_json`); for nothing else.
    """
    steps = (
        _MadeAsRead(analysis.steps, step_to_dict)
        if steps_as_read
        else [step_to_dict(s) for s in analysis.steps]
    )
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "analysis_version": analysis_version(),
        "recording": recording_block(analysis),
        "assumptions": analysis.assumptions,
        "bouts": [bout_to_dict(b) for b in analysis.bouts],
        "steps": steps,
        "summary": summary_block(analysis),
    }
    if session:
        out["session"] = summarise(analysis).to_dict()
    out["notes"] = analysis.notes
    out.update(analysis.sections)
    return out


def to_json(analysis: Analysis, indent: int | None = 2) -> str:
    """:func:`to_dict` as JSON text."""
    return json.dumps(to_dict(analysis), indent=indent)


def write_json(analysis: Analysis, out: TextIO, indent: int | None = 2) -> None:
    """Write :func:`to_json`'s text and a newline to ``out``, a batch of pieces at a time.

    ``json.dumps`` joins every piece of the text at once: for a long recording
    (hundreds of thousands of steps) the list of pieces and the text take
    several times the memory of the result. Here the same text is written with
    neither held whole, and each step's entry is made only when it is written
    (a week's steps as dicts took about 350 bytes each, about 240 MB). With an
    indent, the steps (most of the text) are written by :func:`_steps_text`,
    the blocks around them by the encoder: the same text in a third of the
    encoder's time.
    """
    document = to_dict(analysis, steps_as_read=True)
    keys = list(document)
    if indent is None or "steps" not in keys:
        _write_pieces(json.JSONEncoder(indent=indent).iterencode(document), out)
        return
    at = keys.index("steps")
    encoder = json.JSONEncoder(indent=indent)
    # the blocks before and after the steps as the encoder writes them, joined
    # where the steps go: the text of one dict item does not depend on the others
    head = encoder.encode({key: document[key] for key in keys[:at]})
    tail = encoder.encode({key: document[key] for key in keys[at + 1 :]})
    pad = " " * indent
    out.write(head[:-2] + ",\n" if head != "{}" else "{\n")
    out.write(pad + _encode_text("steps") + ": ")
    for text in _steps_text(document["steps"], pad):
        out.write(text)
    out.write("," + tail[1:] + "\n" if tail != "{}" else "\n}\n")


def _write_pieces(pieces: Any, out: TextIO) -> None:
    """Write the encoder's ``pieces``, :data:`_PIECES_PER_WRITE` at a time."""
    batch: list[str] = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) >= _PIECES_PER_WRITE:
            out.write("".join(batch))
            batch.clear()
    batch.append("\n")
    out.write("".join(batch))


def _steps_text(steps: Sequence[dict[str, Any]], pad: str) -> Any:
    """The text of the ``steps`` list at the document's second level, in batches, as
    ``json``'s encoder with the indent ``pad`` writes it (entries of text, numbers,
    true, false and null are written here; any other entry by the encoder itself)."""
    if not len(steps):
        yield "[]"
        return
    inner = "\n" + pad * 2
    start, between, end = "{\n" + pad * 3, ",\n" + pad * 3, inner + "}"
    batch = ["[", inner]
    first = True
    for step in steps:
        if not first:
            batch.append("," + inner)
        first = False
        text = _flat_dict_text(step, start, between, end)
        if text is None:  # the encoder's text of the entry, at its level
            text = json.dumps(step, indent=len(pad)).replace("\n", inner)
        batch.append(text)
        if len(batch) >= _PIECES_PER_WRITE:
            yield "".join(batch)
            batch.clear()
    batch.append("\n" + pad + "]")
    yield "".join(batch)


def _flat_dict_text(entry: dict[str, Any], start: str, between: str, end: str) -> str | None:
    """``json``'s indented text of a dict of text keys and plain values (text, int,
    float, bool, None), or ``None`` for any other dict. Each value is tested as the
    encoder tests it, in its order, and written by the same function."""
    parts = []
    for key, value in entry.items():
        if not isinstance(key, str):
            return None
        if isinstance(value, str):
            text = _encode_text(value)
        elif value is None:
            text = "null"
        elif value is True:
            text = "true"
        elif value is False:
            text = "false"
        elif isinstance(value, int):
            text = int.__repr__(value)
        elif isinstance(value, float):
            text = _float_text(value)
        else:
            return None
        parts.append(_encode_text(key) + ": " + text)
    if not parts:
        return "{}"
    return start + between.join(parts) + end


def _float_text(value: float) -> str:
    """A float as ``json``'s encoder writes it (``allow_nan``: NaN and Infinity as words)."""
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


_INFINITY = float("inf")
#: The encoder's own function for text (``ensure_ascii``).
_encode_text = json.encoder.encode_basestring_ascii


#: Pieces of JSON text written at a time by :func:`write_json`.
_PIECES_PER_WRITE = 1 << 16

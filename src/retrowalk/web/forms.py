"""Turning HTML form fields into the services' input models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from retrowalk.core.errors import InputError
from retrowalk.store.schemas import PersonIn

HEIGHT_RE = re.compile(
    r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>cm|m|centimetres|centimeters|metres|meters)?"
)
PERSON_FIELDS = (
    "name",
    "kind",
    "birth_date",
    "due_date",
    "height_m",
    "weight_kg",
    "conditions",
    "goals",
)


def person_from_form(form: FormData) -> PersonIn:
    """A :class:`PersonIn` from a profile form; empty fields become ``None``.

    The height may be given in metres or centimetres (see :func:`parse_height`).
    """
    data: dict[str, Any] = {}
    for name in PERSON_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip() != "":
            data[name] = value.strip()
    if "height_m" in data:
        data["height_m"] = parse_height(data["height_m"])[0]
    try:
        return PersonIn(**data)
    except (ValidationError, ValueError) as exc:
        raise InputError("profile", _first_error(exc)) from None


def parse_height(text: str) -> tuple[float, str]:
    """A height typed in metres or centimetres: (metres, what was understood).

    ``"1.65"``, ``"1,65 m"``, ``"165"`` and ``"165 cm"`` are all 1.65 m. A number
    without a unit is read as metres from 0.3 to 2.5 and as centimetres from 30
    to 250; anything else is refused with a message naming the field.

    Returns
    -------
    height_m, understood
        The height in metres and a sentence saying how the text was read.
    """
    raw = text.strip().lower().replace(",", ".")
    match = HEIGHT_RE.fullmatch(raw)
    if match is None:
        raise InputError("height", f"'{text}' is not a height; type e.g. 1.65 m or 165 cm")
    value, unit = float(match["value"]), match["unit"] or ""
    if unit in ("cm", "centimetres", "centimeters") or (not unit and 30 <= value <= 250):
        metres, read_as = value / 100, "centimetres"
    elif unit in ("m", "metres", "meters") or (not unit and 0.3 <= value <= 2.5):
        metres, read_as = value, "metres"
    else:
        raise InputError("height", f"'{text}' is neither metres (0.3-2.5) nor centimetres (30-250)")
    if not 0.3 <= metres <= 2.5:
        raise InputError("height", f"'{text}' is outside 0.3-2.5 m (30-250 cm)")
    return round(metres, 3), f"Height {text.strip()} read as {read_as}: {metres:.2f} m."


def height_note(form: FormData) -> str | None:
    """What the form's height was understood as, when it was typed in centimetres."""
    value = form.get("height_m")
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        _, understood = parse_height(value)
    except InputError:
        return None
    return understood if "centimetres" in understood else None


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err.get("loc", ()))
        return f"{field}: {err.get('msg', 'invalid')}"
    return str(exc)

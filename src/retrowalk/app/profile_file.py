"""What is wrong in a calibration file, in plain words.

A stored direction calibration is a JSON file written by
:func:`retrowalk.app.calibration.save_profile`. One cut short (a full disk) or
edited by hand is refused by :func:`profile_fields` with one line saying what is
wrong: where the JSON breaks (its line and column), or which field is missing or
holds the wrong kind of value, so that its owner can mend or delete it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from retrowalk.gait.calibration import PROFILE_SCHEMA

__all__ = ["profile_fields"]


def profile_fields(raw: bytes) -> dict[str, Any]:
    """The fields of the calibration file whose content is ``raw``, checked.

    Raises
    ------
    ValueError
        Saying what is wrong, in a few plain words: not text, not JSON (where it
        breaks, or that it stops in the middle: cut short), not an object of named
        fields, another schema, or the first field missing or of the wrong kind.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(raw[: exc.start].decode("utf-8", "replace"))
        raise ValueError(
            f"not text: byte {raw[exc.start]:#04x} at line {line}, column {column} is not UTF-8"
        ) from None
    if not text.strip():
        raise ValueError("it is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(_json_problem(text, exc)) from None
    if not isinstance(data, dict):
        raise ValueError(
            f"not a calibration: it holds a JSON {_kind(data)}, not an object of named fields"
        )
    problem = _schema_problem(data) or _fields_problem(data, _FIELDS)
    if problem:
        raise ValueError(problem)
    template, lags = data["template"], data["lags"]
    if len(template) != len(lags):
        raise ValueError(
            f"field 'template' has {len(template)} rows and field 'lags' {len(lags)} numbers: "
            "they must be as many"
        )
    return data


def _line_column(before: str) -> tuple[int, int]:
    """Line and column (from 1) of the character after ``before``."""
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _json_problem(text: str, exc: json.JSONDecodeError) -> str:
    """Where the JSON of ``text`` breaks; a file that stops in the middle of its content
    is said to be cut short, at its last line."""
    end = len(text.rstrip())
    unterminated = exc.msg.startswith("Unterminated string") and '"' not in text[exc.pos + 1 :]
    if exc.pos >= end or unterminated:
        line, _ = _line_column(text[:end])
        return f"not JSON: it stops in the middle of line {line} (cut short)"
    what = exc.msg[:1].lower() + exc.msg[1:]
    return f"not JSON: {what} at line {exc.lineno}, column {exc.colno}"


def _kind(value: object) -> str:
    """What kind of JSON value ``value`` is, in a word."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "list" if isinstance(value, list) else "object"


def _shown(value: object) -> str:
    """``value`` as the file has it, shortened."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 30 else text[:27] + "..."


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_whole(value: object) -> bool:
    return _is_number(value) and float(value).is_integer()  # type: ignore[arg-type]


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _schema_problem(data: dict[str, Any]) -> str:
    if "schema" not in data:
        return "field 'schema' missing"
    schema = data["schema"]
    if not _is_whole(schema):
        return f"field 'schema' is not a whole number (it is {_shown(schema)})"
    if int(schema) != PROFILE_SCHEMA:
        return (
            f"field 'schema' is {int(schema)}: a calibration of another version (this one "
            f"reads schema {PROFILE_SCHEMA}); calibrate again"
        )
    return ""


# A field's check: its value -> what is wrong with it ("" when nothing).
Check = Callable[[Any], str]


def _value(test: Callable[[object], bool], what: str) -> Check:
    return lambda value: "" if test(value) else f"is not {what} (it is {_shown(value)})"


def _list_of(check: Check, what: str, length: int | None = None, item: str = "item") -> Check:
    """A list whose items (each called ``item``) pass ``check`` (``length`` of them, when
    given; at least one)."""

    def checked(value: Any) -> str:
        if not isinstance(value, list):
            return f"is not {what} (it is {_kind(value)} {_shown(value)})"
        if length is not None and len(value) != length:
            return f"has {len(value)} numbers, not {length}"
        if not value:
            return "is empty"
        for k, each in enumerate(value, start=1):
            if problem := check(each):
                return f"{item} {k} {problem}"
        return ""

    return checked


def _counts(value: Any) -> str:
    if not isinstance(value, dict):
        return f"is not an object of counts (it is {_kind(value)} {_shown(value)})"
    for key, count in value.items():
        if not _is_whole(count):
            return f"has '{key}' that is not a whole number (it is {_shown(count)})"
    return ""


_TEXT = _value(_is_text, "text")
_NUMBER = _value(_is_number, "a number")
_WHOLE = _value(_is_whole, "a whole number")
_PLACEMENT = _value(lambda v: isinstance(v, str) and bool(v.strip()), "a placement's name")

#: The fields of a left-out bout (``left_out``): all needed.
_BOUT_FIELDS: dict[str, tuple[Check, bool]] = {
    "index": (_WHOLE, True),
    "start_s": (_NUMBER, True),
    "end_s": (_NUMBER, True),
    "label": (_TEXT, True),
    "n_steps": (_WHOLE, True),
    "angle_deg": (_NUMBER, True),
}


def _left_out(value: Any) -> str:
    if not isinstance(value, list):
        return f"is not a list (it is {_kind(value)} {_shown(value)})"
    for k, bout in enumerate(value, start=1):
        if not isinstance(bout, dict):
            return f"item {k} is not an object of named fields (it is {_shown(bout)})"
        if problem := _fields_problem(bout, _BOUT_FIELDS):
            return f"item {k}: {problem}"
    return ""


#: Each field of a calibration file: its check and whether it is needed (the others were
#: added later, and files written before have defaults for them).
_FIELDS: dict[str, tuple[Check, bool]] = {
    "placement": (_PLACEMENT, True),
    "template": (
        _list_of(_list_of(_NUMBER, "a list of numbers", 3), "a list of rows", item="row"),
        True,
    ),
    "up": (_list_of(_NUMBER, "a list of numbers", 3), True),
    "lags": (_list_of(_WHOLE, "a list of whole numbers"), True),
    "created_at": (_TEXT, True),
    "source_hash": (_TEXT, True),
    "consistency": (_NUMBER, False),
    "n_bouts": (_counts, False),
    "n_steps": (_counts, False),
    "max_tilt_deg": (_NUMBER, False),
    "left_out": (_left_out, False),
    "made_from": (_TEXT, False),
}


def _fields_problem(data: dict[str, Any], fields: dict[str, tuple[Check, bool]]) -> str:
    """The first field of ``data`` missing or of the wrong kind, said; "" when none."""
    for name, (check, needed) in fields.items():
        if name not in data:
            if needed:
                return f"field '{name}' missing"
            continue
        if problem := check(data[name]):
            return f"field '{name}' {problem}"
    return ""

"""What is wrong in a calibration file, in plain words.

A stored direction calibration is a JSON file written by
:func:`retrowalk.app.calibration.save_profile`. One cut short (a full disk) or
edited by hand is refused by :func:`profile_fields` with one line saying what is
wrong: where the JSON breaks (its line and column), or which field is missing or
holds the wrong kind of value (checked by a pydantic model of the file), so that
its owner can mend or delete it.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from retrowalk.gait.calibration import PROFILE_SCHEMA

__all__ = ["profile_fields"]

_Number = Annotated[float, Field(allow_inf_nan=False)]
_Vector = Annotated[list[_Number], Field(min_length=3, max_length=3)]


class _LeftOut(BaseModel):
    """A labelled bout of the calibration walk not used (``left_out``)."""

    index: int
    start_s: _Number
    end_s: _Number
    label: StrictStr
    n_steps: int
    angle_deg: _Number


class _ProfileFile(BaseModel):
    """The fields of a calibration file, as :meth:`DirectionProfile.from_dict` reads them
    (those with defaults were added later: files written before lack them)."""

    model_config = ConfigDict(extra="allow")

    placement: Annotated[StrictStr, Field(min_length=1)]
    template: Annotated[list[_Vector], Field(min_length=1)]
    up: _Vector
    lags: Annotated[list[int], Field(min_length=1)]
    created_at: StrictStr
    source_hash: StrictStr
    consistency: _Number = 1.0
    n_bouts: dict[str, int] = {}
    n_steps: dict[str, int] = {}
    max_tilt_deg: _Number = 30.0
    left_out: list[_LeftOut] = []
    made_from: StrictStr = ""


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
        raise ValueError("not a calibration: it holds no object of named fields")
    schema = data.get("schema")
    if schema is None:
        raise ValueError("field 'schema' missing")
    if schema != PROFILE_SCHEMA:
        raise ValueError(
            f"field 'schema' is {_shown(schema)}: a calibration of another version (this "
            f"one reads schema {PROFILE_SCHEMA}); calibrate again"
        )
    try:
        checked = _ProfileFile.model_validate(data)
    except ValidationError as exc:
        raise ValueError(_field_problem(exc)) from None
    if len(checked.template) != len(checked.lags):
        raise ValueError(
            f"field 'template' has {len(checked.template)} rows and field 'lags' "
            f"{len(checked.lags)} numbers: they must be as many"
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


def _shown(value: object) -> str:
    """``value`` as the file has it, shortened."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 30 else text[:27] + "..."


def _field_problem(exc: ValidationError) -> str:
    """The first field the model refused, where it is and what is wrong, in a line."""
    error = exc.errors()[0]
    name, *inside = error["loc"]
    where = f"field '{name}'" + "".join(
        f" item {part + 1}" if isinstance(part, int) else f" '{part}'" for part in inside
    )
    if error["type"] == "missing":
        return f"{where} missing"
    what = str(error["msg"])
    return f"{where}: {what[:1].lower() + what[1:]} (it is {_shown(error['input'])})"

"""Turning HTML form fields into the services' input models."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from retrowalk.core.errors import InputError, RetrowalkError
from retrowalk.report import display
from retrowalk.store.repositories import NotFoundError
from retrowalk.store.schemas import PersonIn

HEIGHT_RE = re.compile(
    r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>cm|m|centimetres|centimeters|metres|meters)?"
)
# The profile form's fields with the words the form shows for them (its labels).
FIELD_LABELS = {
    "name": "Name",
    "kind": "Adult or child",
    "birth_date": "Birth date",
    "due_date": "Due date",
    "height_m": "Height",
    "weight_kg": "Weight",
    "conditions": "Conditions",
    "goals": "Goals",
}
PERSON_FIELDS = tuple(FIELD_LABELS)
UNITS = {"height_m": "m", "weight_kg": "kg"}
# The profile form's lists: each value with the words the form shows for it.
CHOICES = {"kind": {"adult": "Adult", "child": "Child"}}
# The upload form's lists, each value with the words the form shows for it: "Worn at"
# (the form also shows wrist and hand, which cannot be chosen) and a video's body
# proportions. The form's options are made from them.
UPLOAD_CHOICES = {
    "placement": {
        "auto": "Detect",
        "lower_back": "Lower back",
        "pocket": "Pocket",
        "foot": "Foot",
    },
    "proportions": {
        "": "From the age",
        "child": "Young child (1-3 years)",
        "adult": "Adult or older child",
    },
}


def person_from_form(form: FormData) -> PersonIn:
    """A :class:`PersonIn` from a profile form; empty fields become ``None``.

    The height may be given in metres or centimetres (see :func:`parse_height`), the
    weight with a decimal comma. A refused field raises :class:`InputError` naming
    it as the form does, in one plain sentence ("Weight: at most 400 kg").
    """
    data: dict[str, Any] = {}
    for name in PERSON_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip() != "":
            data[name] = value.strip()
    if "height_m" in data:
        data["height_m"] = parse_height(data["height_m"])[0]
    if "weight_kg" in data:
        data["weight_kg"] = _parse_weight(data["weight_kg"])
    try:
        return PersonIn(**data)
    except ValidationError as exc:
        raise InputError(*plain_error(exc)) from None
    except ValueError as exc:
        raise InputError(*_named(str(exc), FIELD_LABELS, "Profile")) from None


def form_values(form: FormData) -> dict[str, str]:
    """The profile form's fields as typed, to show the form again after a refusal."""
    return typed_values(form, PERSON_FIELDS)


def typed_values(form: FormData, names: Iterable[str]) -> dict[str, str]:
    """The ``names`` fields of a form as typed, to show the form again after a refusal.

    Only the fields named are kept (never a password or the CSRF token); a file
    field, which a page cannot fill in again, is left empty.
    """
    values = {}
    for name in names:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    return values


def _parse_weight(text: str) -> float:
    try:
        value = float(text.lower().removesuffix("kg").strip().replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError("Weight", f"'{text}' is not a weight; type kilograms, e.g. 65 or 65.5")
    return value


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
        raise InputError("Height", f"'{text}' is not a height; type e.g. 1.65 m or 165 cm")
    value, unit = float(match["value"]), match["unit"] or ""
    if unit in ("cm", "centimetres", "centimeters") or (not unit and 30 <= value <= 250):
        metres, read_as = value / 100, "centimetres"
    elif unit in ("m", "metres", "meters") or (not unit and 0.3 <= value <= 2.5):
        metres, read_as = value, "metres"
    else:
        raise InputError("Height", f"'{text}' is neither metres (0.3-2.5) nor centimetres (30-250)")
    if not 0.3 <= metres <= 2.5:
        raise InputError("Height", f"'{text}' is outside 0.3-2.5 m (30-250 cm)")
    stored = round(metres, 3)  # shown as every page shows the height: 162.5 cm reads 1.63 m
    return stored, f"Height {text.strip()} read as {read_as}: {display.height(stored)} m."


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


def plain_error(
    exc: ValidationError,
    labels: Mapping[str, str] = FIELD_LABELS,
    units: Mapping[str, str] = UNITS,
    whole: str = "Profile",
    choices: Mapping[str, Mapping[str, str]] = CHOICES,
) -> tuple[str, str]:
    """(the field's label, what is wrong) of a refused form, in the form's words.

    ``labels`` name the fields as the form does (others: the field name in words,
    ``walking_aid`` -> "Walking aid"); ``units`` go after a bound ("at most 300 s");
    ``whole`` names a check across fields whose message names none; ``choices``
    give the lists' values with the words the form shows for them (a value not in
    the list is refused naming those words, never the values).
    """
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ())]
    if not loc:  # a check across fields: its message names the field
        return _named(str(err.get("msg", "invalid")), labels, whole)
    name = loc[0]
    label = labels.get(name) or name.replace("_", " ").capitalize()
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    unit = units.get(name, "")
    if kind == "missing" or (kind == "string_too_short" and name == "name"):
        return label, "fill this in"
    if kind == "string_too_long":
        return label, f"at most {ctx.get('max_length')} characters"
    if name == "weight_kg" and kind in ("less_than_equal", "greater_than_equal"):
        taken = PersonIn.model_fields["weight_kg"].description  # "20-400 kg for adults, ..."
        return label, f"{err.get('input'):g} kg is outside {taken}"
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return (
            label,
            f"{'at most' if kind == 'less_than_equal' else 'less than'} {bound:g} {unit}".rstrip(),
        )
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        more = "at least" if kind == "greater_than_equal" else "more than"
        return label, f"{more} {bound:g} {unit}".rstrip()
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type", "finite_number"):
        return label, "type a number"
    if kind.startswith("date"):
        return label, "use a date like 2025-03-31"
    if kind in ("literal_error", "enum"):
        shown = choices.get(name)
        return label, one_of(shown.values()) if shown else "choose one of the choices shown"
    if kind == "value_error":
        return _named(str(err.get("msg", "")), labels, label)
    return label, str(err.get("msg", "invalid"))


@contextmanager
def validated_in_form_words(
    labels: Mapping[str, str] = FIELD_LABELS,
    units: Mapping[str, str] = UNITS,
    whole: str = "Profile",
    choices: Mapping[str, Mapping[str, str]] = CHOICES,
) -> Iterator[None]:
    """Inside the block, a pydantic ``ValidationError`` (a form's model, or the checks
    of what a service stores from it, such as a date in the future) is raised as
    :class:`InputError` in the form's words (:func:`plain_error` with ``labels``,
    ``units``, ``whole`` and ``choices``)."""
    try:
        yield
    except ValidationError as exc:
        raise InputError(*plain_error(exc, labels, units, whole, choices)) from None


def recording_not_listed(label: str) -> InputError:
    """The refusal of a form's recording that is not one of the person's: the same for
    one that does not exist, another person's or another account's."""
    return InputError(label, "choose one of the recordings in the list")


@contextmanager
def recording_in_form_words(label: str) -> Iterator[None]:
    """Inside the block (a service given the recording a form chose, its person found
    before), a recording not found is :func:`recording_not_listed`, and a refusal the
    service names ``recording`` is named by the form's ``label``."""
    try:
        yield
    except NotFoundError:
        raise recording_not_listed(label) from None
    except InputError as exc:
        if exc.path != "recording" or exc.line is not None or exc.field is not None:
            raise
        raise InputError(label, exc.reason) from None


def _named(message: str, labels: Mapping[str, str], label: str) -> tuple[str, str]:
    """A validator's message as (label, reason); a leading field name becomes its label."""
    message = message.removeprefix("Value error, ")
    field, sep, rest = message.partition(": ")
    if sep and field in labels:
        return labels[field], rest
    return label, message


def one_of(words: Iterable[str]) -> str:
    """ "choose one of A, B or C": the choices of a list as the form shows them."""
    shown = list(words)
    listed = f"{', '.join(shown[:-1])} or {shown[-1]}" if len(shown) > 1 else "".join(shown)
    return f"choose one of {listed}"


def form_choice(value: str, choices: Mapping[str, str], label: str) -> str:
    """``value`` if it is one of a list's ``choices`` (value to the words shown), else
    :class:`InputError` naming the field by its ``label`` and the choices by their words."""
    if value not in choices:
        raise InputError(label, one_of(choices.values()))
    return value


def in_form_words(
    exc: RetrowalkError, labels: Mapping[str, str], file_name: str | None = None
) -> RetrowalkError:
    """``exc`` naming a refused field by its label on the form (``labels``: field to label).

    The services name a field as the API does (``floor_distance_m: ...``); a form's
    page says "Distance between the marks: ...". Errors about an uploaded file (its
    name ``file_name``, whatever that name is), about a line or column of a file,
    or about a field without a label are returned as they are.
    """
    if (
        type(exc) is InputError
        and exc.path in labels
        and exc.path != file_name
        and exc.line is None
        and exc.field is None
    ):
        return InputError(labels[exc.path], exc.reason)
    return exc

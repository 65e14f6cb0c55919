"""Turning HTML form fields into the services' input models."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from retrowalk.core.errors import InputError
from retrowalk.store.schemas import PersonIn

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

    Height may be given in cm (values above 3 are read as cm).
    """
    data: dict[str, Any] = {}
    for name in PERSON_FIELDS:
        value = form.get(name)
        if isinstance(value, str) and value.strip() != "":
            data[name] = value.strip()
    try:
        height = data.get("height_m")
        if height is not None and float(height) > 3:
            data["height_m"] = float(height) / 100
        return PersonIn(**data)
    except (ValidationError, ValueError) as exc:
        raise InputError("profile", _first_error(exc)) from None


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err.get("loc", ()))
        return f"{field}: {err.get('msg', 'invalid')}"
    return str(exc)

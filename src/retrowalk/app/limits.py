"""The plausible range of each body measure a caller may give, declared once.

The command line's ``--height-m``, ``--weight-kg`` and ``--age-years`` bounds and a
batch manifest's ``height_m``, ``weight_kg`` and ``age_years`` columns are checked
against it, so a height given in centimetres (175) is refused in both instead of
making every speed and distance a hundred times too large. Nothing heavy is imported
here: the command line reads it as it starts.
"""

from __future__ import annotations

import math

__all__ = ["BODY_LIMITS", "body_measure"]

#: Name -> (lowest, highest, unit).
BODY_LIMITS: dict[str, tuple[float, float, str]] = {
    "height_m": (0.5, 2.6, "m"),
    "weight_kg": (2.0, 400.0, "kg"),
    "age_years": (0.0, 120.0, "years"),
}
_UNIT_NAMES = {"m": "metres", "kg": "kilograms", "years": "years"}


def body_measure(name: str, value: object) -> float:
    """``value`` of the body measure ``name`` as a number, or :class:`ValueError` saying
    why it is not a plausible one (not a number, or outside :data:`BODY_LIMITS`)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"not a number: {value!r}") from None
    if not math.isfinite(number):  # nan passes any range check; inf is no measure
        raise ValueError(f"not a number: {value!r}")
    low, high, unit = BODY_LIMITS[name]
    if not low <= number <= high:
        raise ValueError(
            f"{number:g} is outside {low:g}-{high:g} {unit}; give it in {_UNIT_NAMES[unit]}"
        )
    return number

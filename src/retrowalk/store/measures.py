"""The body measures an analysis used, stored beside it (``analysis_result``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["measures_used"]


def measures_used(result: Mapping[str, Any]) -> dict[str, float | None]:
    """The body measures an analysis JSON used (its ``assumptions``), as stored beside
    it: ``used_height_m`` and ``used_weight_kg`` (None where it holds none)."""
    assumptions = result.get("assumptions")
    assumptions = assumptions if isinstance(assumptions, Mapping) else {}

    def number(name: str) -> float | None:
        value = assumptions.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return None

    return {"used_height_m": number("height_m"), "used_weight_kg": number("weight_kg")}

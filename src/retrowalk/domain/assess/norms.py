"""Published 3MBWT cut-offs, MDCs and backward-speed references (``data/assess/threembwt.toml``)."""

from __future__ import annotations

from typing import Any

from retrowalk.core.errors import InputError
from retrowalk.domain.coach.data import load

GROUPS = ("community", "nursing_home", "parkinsons", "ms", "stroke")


def table() -> dict[str, Any]:
    """The whole data file."""
    return load("assess", "threembwt")


def group(group_id: str) -> dict[str, Any]:
    """The norms of one group."""
    groups = table()["groups"]
    if group_id not in groups:
        raise InputError("group", f"choose one of {', '.join(GROUPS)}")
    return groups[group_id]


def cite(source_id: str) -> str:
    """The full citation of a source id."""
    return str(table()["sources"][source_id]["cite"])


def procedure() -> dict[str, Any]:
    """Procedure, spoken instructions and the stroke variant."""
    data = table()
    return {
        "procedure": list(data["procedure"]),
        "instructions": data["instructions"],
        "stroke_variant": dict(data["stroke_variant"]),
        "distance_m": data["distance_m"],
    }


def group_titles() -> dict[str, str]:
    """Group id -> title, in display order."""
    groups = table()["groups"]
    return {g: groups[g]["title"] for g in GROUPS}

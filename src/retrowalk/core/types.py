"""The small vocabularies every layer shares, declared once.

Both are :class:`enum.StrEnum`: a member *is* its string (``Direction.BACKWARD
== "backward"``), so JSON, tables, templates and stored results keep plain
strings, while code names the value instead of spelling it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

__all__ = [
    "DIRECTIONS",
    "KNOWN_DIRECTIONS",
    "PLACEMENTS",
    "WORN_PLACEMENTS",
    "Direction",
    "Placement",
    "Side",
]


class Direction(StrEnum):
    """Walking direction of a bout or a step."""

    FORWARD = "forward"
    BACKWARD = "backward"
    UNCERTAIN = "uncertain"


class Placement(StrEnum):
    """Where a recording's sensor (or camera) was.

    ``AUTO`` means not stated: placement detection decides. ``VIDEO`` is a
    camera, not a worn sensor.
    """

    AUTO = "auto"
    LOWER_BACK = "lower_back"
    POCKET = "pocket"
    FOOT = "foot"
    VIDEO = "video"


#: Every direction label, in the order the JSON contract lists them.
DIRECTIONS: tuple[Direction, ...] = tuple(Direction)
#: The two directions a person actually walks (``uncertain`` is a verdict, not a way of walking).
KNOWN_DIRECTIONS: tuple[Direction, ...] = (Direction.FORWARD, Direction.BACKWARD)
#: Every placement a recording can carry, as strings, in the order above.
PLACEMENTS: tuple[str, ...] = tuple(p.value for p in Placement)
#: Where a body-worn sensor can sit (what placement detection chooses from).
WORN_PLACEMENTS: tuple[str, ...] = (Placement.LOWER_BACK, Placement.POCKET, Placement.FOOT)

#: The foot of a step, where known.
Side = Literal["left", "right"] | None

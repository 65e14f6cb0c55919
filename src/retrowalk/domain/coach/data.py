"""Reading the coaching data files (TOML, with their citations)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def load(area: str, name: str) -> dict[str, Any]:
    """The parsed TOML file ``retrowalk/data/<area>/<name>.toml`` (cached).

    Parameters
    ----------
    area
        Folder under ``retrowalk/data`` (``coach`` or ``assess``).
    name
        File name without ``.toml``.
    """
    text = (files("retrowalk") / "data" / area / f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)

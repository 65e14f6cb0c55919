"""Moved to :mod:`retrowalk.summary.progress`; this name stays while callers move."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date
from typing import Any

from retrowalk.store.schemas import ProgressWeek
from retrowalk.summary import progress as _progress
from retrowalk.summary.progress import summarise, week_start

__all__ = ["summarise", "week_start", "weekly"]


def weekly(rows: Iterable[tuple[date, Mapping[str, Any]]]) -> list[ProgressWeek]:
    """:func:`retrowalk.summary.progress.weekly` as the stored schema's rows."""
    return [ProgressWeek(**asdict(w)) for w in _progress.weekly(rows)]

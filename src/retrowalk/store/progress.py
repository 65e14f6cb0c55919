"""Moved to :mod:`retrowalk.summary.progress`; this name stays while callers move."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from retrowalk.store.schemas import ProgressWeek
from retrowalk.summary import progress as _progress
from retrowalk.summary.progress import step_time_cv_pct, summarise, week_start

__all__ = ["step_time_cv_pct", "summarise", "week_start", "weekly"]


def weekly(rows: Iterable[tuple[date, Mapping[str, Any]]]) -> list[ProgressWeek]:
    """:func:`retrowalk.summary.progress.weekly` as the stored schema's rows."""
    return [ProgressWeek(**w.stored()) for w in _progress.weekly(rows)]

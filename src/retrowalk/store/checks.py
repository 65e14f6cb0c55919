"""Checks shared by the stored-data schemas: plausible days and one-line validation errors."""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationError

EARLIEST_DATE = dt.date(1900, 1, 1)
FUTURE_DAYS_ALLOWED = 1  # a day of slack for time zones


def check_day(value: dt.date, what: str = "the date") -> dt.date:
    """A plausible day of a recording, test or note: from 1900 up to tomorrow.

    Raises
    ------
    ValueError
        With a one-line message naming the allowed range.
    """
    latest = dt.date.today() + dt.timedelta(days=FUTURE_DAYS_ALLOWED)
    if value < EARLIEST_DATE:
        raise ValueError(f"{what} {value} is before {EARLIEST_DATE}; check the year")
    if value > latest:
        raise ValueError(f"{what} {value} is in the future; use a date up to today")
    return value


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])

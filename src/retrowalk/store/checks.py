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


#: How far a child's due date may lie from the birth date, either way.
DUE_DATE_WEEKS = 26


def due_date_problem(birth_date: dt.date, due_date: dt.date) -> str:
    """What is wrong with a child's due date for their birth date ("" when nothing is).

    A due date up to :data:`DUE_DATE_WEEKS` weeks after the birth date is a baby born
    that much early (their corrected age counts from it); one up to as many weeks
    before it, a baby born late (it changes nothing). Further either way is refused,
    saying which way.
    """
    weeks = DUE_DATE_WEEKS
    if (due_date - birth_date).days > weeks * 7:
        return (
            f"the due date is more than {weeks} weeks after the birth date, as for a baby "
            f"born more than {weeks} weeks early; check both dates"
        )
    if (birth_date - due_date).days > weeks * 7:
        return (
            f"the due date is more than {weeks} weeks before the birth date; the due date is "
            "the day the baby was expected, after the birth date for a baby born early "
            "(for a baby born on time or late, leave it empty); check both dates"
        )
    return ""


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])

"""Chronological and corrected age of a child.

Rule (common paediatric practice, see CDC/AAP: Zubler et al. 2022, Pediatrics
149:e2021052138): for a baby born before the due date, milestones are compared
with the *corrected* age,

    corrected age = chronological age - (40 weeks - gestational age at birth)
                  = chronological age - (due date - birth date),

until the child is 24 months old (chronological, i.e. until the second
birthday). A child born on or after the due date, a child without a due date and
a child aged 24 months or more use the chronological age.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from retrowalk.core.errors import RetrowalkError

DAYS_PER_MONTH = 365.25 / 12
CORRECT_UNTIL_MONTHS = 24
FULL_TERM_WEEKS = 40


class AgeError(RetrowalkError):
    """A child's dates do not allow an age to be computed."""


@dataclass(frozen=True)
class ChildAge:
    """A child's age on one day.

    Attributes
    ----------
    on
        The day the age is for.
    chronological_days
        Days since birth.
    corrected_days
        Days used for milestones (corrected age while it applies, else chronological);
        negative before the due date of a baby born early.
    corrected
        True when the corrected age differs from the chronological one.
    weeks_early
        Weeks born before the due date (0 for term or late).
    """

    on: dt.date
    chronological_days: int
    corrected_days: int
    corrected: bool
    weeks_early: float

    @property
    def chronological_months(self) -> float:
        return self.chronological_days / DAYS_PER_MONTH

    @property
    def months(self) -> float:
        """The age in months used for milestones (corrected where it applies)."""
        return self.corrected_days / DAYS_PER_MONTH

    @property
    def gestational_weeks_at_birth(self) -> float:
        return FULL_TERM_WEEKS - self.weeks_early

    def describe(self) -> str:
        """The age in plain words, e.g. '9 months (corrected; 11 months since birth)'."""
        main = format_months(self.months)
        if self.corrected:
            return f"{main} corrected age ({format_months(self.chronological_months)} since birth)"
        return main


def format_months(months: float) -> str:
    """'3 weeks', '9 months', '2 years 4 months' for an age in months."""
    if months < 0:
        return f"{round(-months * DAYS_PER_MONTH / 7)} weeks before the due date"
    if months < 1:
        return f"{int(months * DAYS_PER_MONTH // 7)} weeks"
    whole = int(months)
    if whole < 24:
        return f"{whole} month" + ("s" if whole != 1 else "")
    years, rest = divmod(whole, 12)
    return f"{years} years" + (f" {rest} month" + ("s" if rest != 1 else "") if rest else "")


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def child_age(birth_date: dt.date | None, due_date: dt.date | None, on: dt.date) -> ChildAge:
    """The chronological and corrected age of a child on ``on``.

    Parameters
    ----------
    birth_date
        Date of birth (required).
    due_date
        Expected date of birth; when later than the birth date the corrected age
        applies until the second birthday.
    on
        The day to compute the age for.

    Raises
    ------
    AgeError
        Without a birth date, or for a day before the birth date.
    """
    if birth_date is None:
        raise AgeError("add the child's birth date to the profile first")
    if on < birth_date:
        raise AgeError(f"{on} is before the birth date {birth_date}")
    days = (on - birth_date).days
    early_days = (due_date - birth_date).days if due_date is not None else 0
    early_days = max(early_days, 0)
    applies = early_days > 0 and on < _add_years(birth_date, CORRECT_UNTIL_MONTHS // 12)
    corrected_days = days - early_days if applies else days
    return ChildAge(
        on=on,
        chronological_days=days,
        corrected_days=corrected_days,
        corrected=applies,
        weeks_early=early_days / 7,
    )

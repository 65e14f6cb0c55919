"""Chronological and corrected age of a child.

Rule (common paediatric practice, see CDC/AAP: Zubler et al. 2022, Pediatrics
149:e2021052138; the AAP's advice for parents of babies born more than 3 weeks
early): for a baby born prematurely, before 37 weeks of gestation (more than
3 weeks before the due date), milestones are compared with the *corrected* age,

    corrected age = chronological age - (40 weeks - gestational age at birth)
                  = chronological age - (due date - birth date),

until the child is 24 months old (chronological, i.e. until the second
birthday). A child born at 37 weeks or later (3 weeks or less before the due
date, on it or after it), a child without a due date and a child aged 24 months
or more use the chronological age.

Ages in months are calendar months: a child is 12 months old on the first
birthday and 18 months old on the day six months later, in leap years too (the
number of days divided by an average month length would make the first birthday
11.99 months in a year of 365 days). The part of a month is the share of days
of the month under way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from retrowalk.core.errors import RetrowalkError

DAYS_PER_MONTH = 365.25 / 12
CORRECT_UNTIL_MONTHS = 24
FULL_TERM_WEEKS = 40
#: Born before this many weeks of gestation is premature (WHO); only then does the
#: corrected age apply.
PRETERM_BEFORE_WEEKS = 37
#: Days before the due date a baby must be born for the corrected age to apply:
#: more than 3 weeks, i.e. before 37 weeks of gestation.
CORRECT_WHEN_EARLY_MORE_THAN_DAYS = (FULL_TERM_WEEKS - PRETERM_BEFORE_WEEKS) * 7

#: The rule in plain words, as every page, the summary and the command line state it.
CORRECTED_AGE_RULE = (
    f"For a baby born before {PRETERM_BEFORE_WEEKS} weeks of pregnancy (more than "
    f"{FULL_TERM_WEEKS - PRETERM_BEFORE_WEEKS} weeks before the due date), milestones are "
    "compared with the corrected age (age since birth minus the weeks born early) until "
    "the second birthday."
)


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
        """Calendar months since birth."""
        return _months_until(self.on - dt.timedelta(days=self.chronological_days), self.on)

    @property
    def months(self) -> float:
        """The age in calendar months used for milestones (corrected where it applies):
        counted from the due date for a baby born prematurely, negative before it."""
        return _months_until(self.on - dt.timedelta(days=self.corrected_days), self.on)

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


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _months_until(start: dt.date, end: dt.date) -> float:
    """Calendar months from ``start`` to ``end``: the whole months, plus the share of
    days of the month under way (negative, in average months, before ``start``)."""
    if end < start:
        return -((start - end).days / DAYS_PER_MONTH)
    whole = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, whole) > end:
        whole -= 1
    began, ends = add_months(start, whole), add_months(start, whole + 1)
    return whole + (end - began).days / (ends - began).days


def child_age(birth_date: dt.date | None, due_date: dt.date | None, on: dt.date) -> ChildAge:
    """The chronological and corrected age of a child on ``on``.

    Parameters
    ----------
    birth_date
        Date of birth (required).
    due_date
        Expected date of birth; when more than 3 weeks after the birth date (a baby
        born before 37 weeks) the corrected age applies until the second birthday.
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
    applies = early_days > CORRECT_WHEN_EARLY_MORE_THAN_DAYS and on < add_months(
        birth_date, CORRECT_UNTIL_MONTHS
    )
    corrected_days = days - early_days if applies else days
    return ChildAge(
        on=on,
        chronological_days=days,
        corrected_days=corrected_days,
        corrected=applies,
        weeks_early=early_days / 7,
    )

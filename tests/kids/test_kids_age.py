"""Corrected age: premature, term, late, and the boundary days."""

from __future__ import annotations

import datetime as dt

import pytest

from retrowalk.domain.kids.age import AgeError, child_age, format_months

BIRTH = dt.date(2024, 3, 10)


def test_term_baby_uses_chronological_age() -> None:
    age = child_age(BIRTH, None, dt.date(2024, 9, 10))
    assert age.chronological_days == 184
    assert age.corrected_days == 184 and not age.corrected
    assert age.describe() == "6 months"


def test_premature_baby_is_corrected_by_the_weeks_born_early() -> None:
    due = BIRTH + dt.timedelta(weeks=10)  # born at 30 weeks
    age = child_age(BIRTH, due, dt.date(2024, 12, 10))
    assert age.weeks_early == pytest.approx(10)
    assert age.gestational_weeks_at_birth == pytest.approx(30)
    assert age.chronological_days - age.corrected_days == 70
    assert age.corrected
    assert age.describe() == "6 months corrected age (9 months since birth)"


def test_born_on_or_after_due_date_uses_chronological_age() -> None:
    on = dt.date(2025, 1, 1)
    late = child_age(BIRTH, BIRTH - dt.timedelta(days=9), on)
    same = child_age(BIRTH, BIRTH, on)
    assert late.corrected_days == late.chronological_days and not late.corrected
    assert late.weeks_early == 0
    assert same.corrected_days == same.chronological_days and not same.corrected


def test_correction_stops_at_the_second_birthday() -> None:
    due = BIRTH + dt.timedelta(days=56)
    day_before = child_age(BIRTH, due, dt.date(2026, 3, 9))
    birthday = child_age(BIRTH, due, dt.date(2026, 3, 10))
    assert day_before.corrected and day_before.corrected_days == day_before.chronological_days - 56
    assert not birthday.corrected and birthday.corrected_days == birthday.chronological_days


def test_leap_day_birth_second_birthday_boundary() -> None:
    born = dt.date(2024, 2, 29)
    due = born + dt.timedelta(days=30)
    assert child_age(born, due, dt.date(2026, 2, 27)).corrected
    assert not child_age(born, due, dt.date(2026, 2, 28)).corrected


def test_birth_day_and_before_due_date() -> None:
    due = BIRTH + dt.timedelta(weeks=8)
    first = child_age(BIRTH, due, BIRTH)
    assert first.chronological_days == 0 and first.corrected_days == -56
    assert first.describe().startswith("8 weeks before the due date")
    on_due = child_age(BIRTH, due, due)
    assert on_due.corrected_days == 0 and on_due.months == 0


def test_errors_are_plain() -> None:
    with pytest.raises(AgeError, match="birth date"):
        child_age(None, None, dt.date(2024, 1, 1))
    with pytest.raises(AgeError, match="before the birth date"):
        child_age(BIRTH, None, BIRTH - dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("months", "text"),
    [
        (0.5, "2 weeks"),
        (1.0, "1 month"),
        (11.9, "11 months"),
        (24.0, "2 years"),
        (29.5, "2 years 5 months"),
        (37.0, "3 years 1 month"),
    ],
)
def test_format_months(months: float, text: str) -> None:
    assert format_months(months) == text


def test_months_are_calendar_months_in_leap_and_common_years() -> None:
    born = dt.date(2025, 1, 15)
    assert child_age(born, None, dt.date(2026, 1, 15)).months == 12.0
    assert child_age(born, None, dt.date(2026, 1, 14)).describe() == "11 months"
    assert child_age(born, None, dt.date(2026, 7, 15)).describe() == "18 months"
    assert child_age(dt.date(2024, 1, 31), None, dt.date(2024, 2, 29)).months == 1.0
    assert child_age(dt.date(2024, 2, 29), None, dt.date(2025, 2, 28)).months == 12.0
    # Born 10 weeks early: corrected months count from the due date.
    due = dt.date(2024, 8, 20)
    age = child_age(due - dt.timedelta(weeks=10), due, dt.date(2025, 2, 20))
    assert age.corrected and age.months == 6.0


def test_corrected_only_when_born_before_37_weeks() -> None:
    on = dt.date(2024, 12, 10)
    at_37 = child_age(BIRTH, BIRTH + dt.timedelta(weeks=3), on)
    at_36_6 = child_age(BIRTH, BIRTH + dt.timedelta(days=22), on)
    assert not at_37.corrected and at_37.corrected_days == at_37.chronological_days
    assert at_37.weeks_early == 3 and at_37.gestational_weeks_at_birth == 37
    assert at_36_6.corrected and at_36_6.corrected_days == at_36_6.chronological_days - 22

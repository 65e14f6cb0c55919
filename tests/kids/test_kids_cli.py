"""``retrowalk child ...`` against a database in a temporary data directory."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from kidstest_helpers import PNG, months_ago
from typer.testing import CliRunner

from retrowalk.cli import app


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("RETROWALK_DATABASE_URL", raising=False)
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["child", *args])

    return invoke


def test_child_commands_end_to_end(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    born = months_ago(19)
    due = born + dt.timedelta(weeks=8)
    result = run("add", "Leo", "--birth-date", born.isoformat(), "--due-date", due.isoformat())
    assert result.exit_code == 0, result.output
    assert "corrected age" in result.output
    listing = run("list")
    assert "Leo" in listing.output and "corrected" in listing.output
    photo = tmp_path / "leo.png"
    photo.write_bytes(PNG)
    result = run(
        "observe",
        "Leo",
        "--skill",
        "first-backward-steps",
        "--steps",
        "3",
        "--detail",
        "holding-hands",
        "--note",
        "pulling the duck",
        "--file",
        str(photo),
    )
    assert result.exit_code == 0, result.output
    files = list((tmp_path / "data" / "files").rglob("*.png"))
    assert len(files) == 1 and files[0].read_bytes() == PNG
    guide = run("guide", "Leo", "--json")
    data = json.loads(guide.output)
    assert data["corrected"] and 16 < data["age_months"] < 18
    assert data["best_backward_steps"] == 3
    assert "not-walking-by-18-months" not in {f["id"] for f in data["flags"]}
    text = run("guide", "Leo")
    assert "Typical now" in text.output and "paediatrician" in text.output
    for ext in ("html", "csv", "json"):
        out = tmp_path / f"leo.{ext}"
        assert run("summary", "Leo", "--out", str(out)).exit_code == 0
        assert "pulling the duck" in out.read_text()
    assert "who-mgrs-2006" in run("milestones").output


def test_cli_errors_are_one_line(run) -> None:  # type: ignore[no-untyped-def]
    result = run("observe", "Nobody", "--skill", "cruising")
    assert result.exit_code == 2 and "no child named 'Nobody'" in result.output
    result = run("add", "X", "--birth-date", "31/12/2024")
    assert result.exit_code == 2 and "not a date" in result.output
    run("add", "Ivy", "--birth-date", months_ago(6).isoformat())
    result = run("summary", "Ivy", "--out", "ivy.pdf")
    assert result.exit_code == 2 and ".html, .csv or .json" in result.output


def _section(text: str, title: str) -> str:
    """The lines under ``title`` up to the next blank line."""
    after = text.split(title, 1)[1]
    return after.strip("\n").split("\n\n", 1)[0]


def test_guide_asks_instead_of_alarming_on_missing_data(run) -> None:  # type: ignore[no-untyped-def]
    # 19 months corrected (born 8 weeks early), nothing logged yet.
    born = months_ago(19) - dt.timedelta(weeks=8)
    due = born + dt.timedelta(weeks=8)
    run("add", "Noa", "--birth-date", born.isoformat(), "--due-date", due.isoformat())
    text = run("guide", "Noa").output
    typical = _section(text, "Typical now")
    assert typical.strip(), "Typical now is empty"
    assert "Walking alone" in _section(text, "Usually reached by this age")
    assert "not logged yet" in text
    assert "Questions for you" in text and "walking on their own yet" in text
    assert "Not walking alone yet" not in text and "No walking alone logged" not in text
    data = json.loads(run("guide", "Noa", "--json").output)
    assert not data["flags"]
    assert [q["skill"] for q in data["questions"]] == ["walking-alone"]
    # The parent answers "not yet": now the paediatrician is suggested.
    result = run("observe", "Noa", "--skill", "walking-alone", "--detail", "not-yet")
    assert result.exit_code == 0, result.output
    text = run("guide", "Noa").output
    assert (
        "Not walking alone yet, at 18 months or older (corrected age)" in text
        and "Questions for you" not in text
    )
    assert text.split("  ! ", 1)[1].count("18 months") == 1  # its text does not say it again
    assert "not yet (" in _section(text, "Usually reached by this age")
    # Walking seen: no flag, no question.
    run("observe", "Noa", "--skill", "walking-alone")
    data = json.loads(run("guide", "Noa", "--json").output)
    assert not data["flags"] and not data["questions"]


def test_a_birthday_is_a_whole_year_of_age_in_a_year_of_365_days(run) -> None:  # type: ignore[no-untyped-def]
    """Born 15 January 2025, the child is 12 months old on 15 January 2026 and 18 months
    old on 15 July 2026; ages were days over an average month (365.25 / 12), so the first
    birthday of a year without 29 February read "11 months" (11.99) and the "no crawling
    by 12 months" note, asked for and answered "not yet", waited a day longer."""
    run("add", "Ada", "--birth-date", "2025-01-15")
    data = json.loads(run("guide", "Ada", "--on", "2026-01-15", "--json").output)
    assert data["age_months"] == 12.0 and data["chronological_months"] == 12.0
    assert "12 months" in run("guide", "Ada", "--on", "2026-01-15").output
    day_before = json.loads(run("guide", "Ada", "--on", "2026-01-14", "--json").output)
    assert 11.9 < day_before["age_months"] < 12
    result = run(
        "observe", "Ada", "--skill", "hands-knees-crawling", "--detail", "not-yet",
        "--date", "2026-01-10",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    flags = json.loads(run("guide", "Ada", "--on", "2026-01-15", "--json").output)["flags"]
    assert "no-crawling-by-12-months" in {f["id"] for f in flags}
    before = json.loads(run("guide", "Ada", "--on", "2026-01-14", "--json").output)["flags"]
    assert "no-crawling-by-12-months" not in {f["id"] for f in before}
    result = run(
        "observe", "Ada", "--skill", "walking-alone", "--detail", "not-yet", "--date", "2026-07-01"
    )
    assert result.exit_code == 0, result.output
    eighteen = json.loads(run("guide", "Ada", "--on", "2026-07-15", "--json").output)
    assert eighteen["age_months"] == 18.0
    assert "not-walking-by-18-months" in {f["id"] for f in eighteen["flags"]}


def test_the_corrected_age_is_for_babies_born_before_37_weeks(run) -> None:  # type: ignore[no-untyped-def]
    """A baby born at 37 weeks (3 weeks before the due date) is born at term and is
    compared with their age since birth; one born a day earlier (36 weeks 6 days) is
    premature and compared with the corrected age. Every baby born before the due date
    was corrected, even one born a few days early."""
    run("add", "Bea", "--birth-date", "2024-06-15", "--due-date", "2024-07-06")
    run("add", "Cy", "--birth-date", "2024-06-15", "--due-date", "2024-07-07")
    term = json.loads(run("guide", "Bea", "--on", "2025-03-15", "--json").output)
    preterm = json.loads(run("guide", "Cy", "--on", "2025-03-15", "--json").output)
    assert not term["corrected"] and term["age_months"] == 9.0
    assert preterm["corrected"] and 8 < preterm["age_months"] < 8.3
    assert "corrected" not in run("guide", "Bea", "--on", "2025-03-15").output
    assert "corrected age" in run("guide", "Cy", "--on", "2025-03-15").output
    helped = " ".join(run("add", "--help").output.replace("│", " ").split())
    assert "before 37 weeks of pregnancy" in helped


def test_backward_only_crawling_is_raised_after_more_than_a_month_not_28_days(run) -> None:  # type: ignore[no-untyped-def]
    """Backward-only crawling can last a month or more and still be normal: logged on
    1 February and again since, the guide raised it on 1 March (28 days); it waits past
    the calendar month (from 2 March), and its words say a month or more can be normal."""
    run("add", "Ivy", "--birth-date", "2025-06-01")
    for day in ("2026-02-01", "2026-02-27"):
        result = run(
            "observe", "Ivy", "--skill", "backward-crawling", "--detail", "crawls-only-backwards",
            "--date", day,
        )  # fmt: skip
        assert result.exit_code == 0, result.output

    def flags(on: str) -> dict[str, dict[str, str]]:
        data = json.loads(run("guide", "Ivy", "--on", on, "--json").output)
        return {f["id"]: f for f in data["flags"]}

    assert "only-backwards-no-progress" not in flags("2026-03-01")
    raised = flags("2026-03-02")["only-backwards-no-progress"]
    assert "sometimes a month or more" in raised["message"]
    assert "more than a month" in raised["title"]
    text = " ".join(run("guide", "Ivy", "--on", "2026-03-02").output.split())
    assert "Still only moving backwards after more than a month" in text

"""The ``retrowalk learn`` command."""

from __future__ import annotations

from typer.testing import CliRunner

from retrowalk.cli import app
from retrowalk.domain.learn.loader import default_library

runner = CliRunner()


def test_lists_entries_by_topic() -> None:
    result = runner.invoke(app, ["learn"], terminal_width=160)
    assert result.exit_code == 0, result.output
    assert "benefit-knee-oa" in result.output and "kids-not-autism" in result.output
    assert "Supported by trials" in result.output and "content 1.0.0" in result.output


def test_audience_filter_on_listing() -> None:
    result = runner.invoke(app, ["learn", "--audience", "parents"], terminal_width=160)
    assert result.exit_code == 0
    assert "kids-not-autism" in result.output and "benefit-energy-cost" not in result.output


def test_prints_entry_by_id_with_grade_sources_and_related() -> None:
    result = runner.invoke(app, ["learn", "benefit-knee-oa"], terminal_width=160)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Knee osteoarthritis" in out and "Supported by trials" in out
    assert "Why this grade" in out and "doi:10.1186/s12891-019-2537-9" in out
    assert "benefit-knee-load" in out  # related


def test_prints_best_match_for_words() -> None:
    result = runner.invoke(app, ["learn", "alzheimer"], terminal_width=160)
    assert result.exit_code == 0
    assert "No evidence" in result.output and "claim-alzheimers" in result.output


def test_unknown_words_exit_2_with_one_line() -> None:
    result = runner.invoke(app, ["learn", "zzqqxx"])
    assert result.exit_code == 2
    assert "no Learn entry matches 'zzqqxx'" in result.output


def test_check_validates_content_and_links() -> None:
    result = runner.invoke(app, ["learn", "--check"], terminal_width=200)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    n = len(default_library().entries)
    assert "all valid" in out and f"{n} entries" in out

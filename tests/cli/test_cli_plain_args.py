"""A plain ``analyze`` line is parsed to the very values Typer gives, without Typer's coercion.

:mod:`retrowalk.cli.plain_args` parses the recording and the options that take
a choice, a path or text; every other line is left to Typer. Each line here is
parsed both ways and must give the same values (types included), and the plain
ones must be parsed without Typer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.core import TyperCommand, TyperGroup
from typer.testing import CliRunner

from retrowalk.cli import app
from retrowalk.cli.plain_args import PlainArgsCommand, PlainArgsGroup, plain_values

PLAIN: list[list[str]] = [
    ["walk.csv"],
    ["walk.csv", "--json", "-"],
    ["walk.csv", "--placement", "lower_back", "--json", "-"],
    ["--placement=pocket", "walk.csv"],
    ["--placement", "foot", "walk.csv", "--report", "out.html", "--json", "out.json"],
    ["walk.csv", "--acc-unit", "g", "--gyro-unit", "rads", "--profile", "p.json"],
    ["walk.csv", "--columns", "time_ns,_,acc_x,acc_y,acc_z"],
    ["walk.csv", "--child", "--floor-marks", "1,2,3,4", "--annotate", "a.gif"],
    ["walk.csv", "--adult"],
    ["a dir/with spaces.mp4", "--json", "x y.json"],
    ["walk.csv", "--report", "-", "--floor-marks", "-"],
]

TYPER: list[list[str]] = [
    [],
    ["--help"],
    ["walk.csv", "--help"],
    ["walk.csv", "-h"],
    ["walk.csv", "--height-m", "1.8"],
    ["walk.csv", "--weight-kg=70"],
    ["walk.csv", "--age-years", "40", "--json", "-"],
    ["walk.csv", "--floor-distance-m", "5"],
    ["walk.csv", "--placement", "LOWER_BACK"],
    ["walk.csv", "--placement", "wrist"],
    ["walk.csv", "--placement"],
    ["walk.csv", "--json", "-", "--json", "x.json"],
    ["walk.csv", "--child", "--adult"],
    ["walk.csv", "--child=yes"],
    ["walk.csv", "other.csv"],
    ["walk.csv", "--", "--json"],
    ["--json", "-"],
    ["-"],
    [""],
    ["walk.csv", "--json", "--placement"],
    ["walk.csv", "--json", ""],
    ["walk.csv", "--no-such-option", "1"],
    ["walk.csv", "--acc-unit", "auto "],
]


def _commands() -> tuple[Any, Any]:
    group = typer.main.get_command(app)
    return group, group.commands["analyze"]  # type: ignore[attr-defined]


def _typer_values(command: Any, args: list[str]) -> dict[str, Any] | str:
    ctx = command.context_class(command, info_name="analyze")
    try:
        TyperCommand.parse_args(command, ctx, list(args))
    except Exception as exc:  # a usage error: Typer says it
        return type(exc).__name__
    return dict(ctx.params)


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_plain_lines_give_typer_s_values(args: list[str]) -> None:
    _, command = _commands()
    assert isinstance(command, PlainArgsCommand)
    values = plain_values(command, args, command.plain)
    assert values is not None
    expected = _typer_values(command, args)
    assert isinstance(expected, dict)
    assert values == expected
    assert {k: type(v) for k, v in values.items()} == {k: type(v) for k, v in expected.items()}
    assert isinstance(values["recording"], Path)


@pytest.mark.parametrize("args", TYPER, ids=lambda a: " ".join(a) or "nothing")
def test_other_lines_are_left_to_typer(args: list[str]) -> None:
    _, command = _commands()
    assert plain_values(command, args, command.plain) is None


@pytest.mark.parametrize("args", [["analyze", "walk.csv"], ["version"], ["child", "list"]])
def test_the_group_keeps_what_typer_keeps(args: list[str]) -> None:
    group, _ = _commands()
    assert isinstance(group, PlainArgsGroup)
    fast = group.context_class(group, info_name="retrowalk")
    group.parse_args(fast, list(args))
    slow = group.context_class(group, info_name="retrowalk")
    TyperGroup.parse_args(group, slow, list(args))
    assert fast.params == slow.params
    assert (fast._protected_args, fast.args) == (slow._protected_args, slow.args)


def test_a_plain_line_runs_the_command(tmp_path: Path) -> None:
    """Through the whole command line: a missing file is the usual one-line error."""
    missing = tmp_path / "none.csv"
    result = CliRunner().invoke(app, ["analyze", str(missing), "--json", "-"])
    assert result.exit_code == 2
    assert "no such file" in result.output
    for option in (["--placement", "wrist"], ["--height-m", "9"]):
        result = CliRunner().invoke(app, ["analyze", str(missing), *option])
        assert result.exit_code == 2 and "Invalid value" in result.output

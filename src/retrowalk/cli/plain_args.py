"""A command whose plain command lines are parsed without Typer's value coercion.

Typer turns every argument of a command into its value through pydantic (a
``TypeAdapter`` per parameter, even one left out): importing pydantic and
making the first adapter took about 0.1 s of every ``retrowalk analyze``, a
tenth of the whole command on an hour of data. :class:`PlainArgsCommand` gives
a command line that holds only a recording and options that take a choice,
text or a path, each written once and none a number, the values Typer gives
them (the choice's member, the text, ``Path(text)``, the declared default when
left out) without it; any other command line (``--help``, a number, an option
written twice, an unknown one, ``--``, a value that starts with ``-``) is
parsed by Typer as before. ``tests/cli/test_cli_plain_args.py`` checks both
give the same values.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

__all__ = ["PlainArgsCommand", "PlainArgsGroup", "plain_args"]


class PlainArgsCommand(TyperCommand):
    """A Typer command that parses plain command lines itself (see the module docstring).

    ``plain`` (set by :func:`plain_args`) names the parameters it may take and
    how their text becomes a value; the others make it leave the line to Typer.
    """

    plain: ClassVar[dict[str, Callable[[str], Any]]] = {}

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        values = plain_values(self, args, self.plain) if _plain_context(ctx) else None
        if values is None:
            return super().parse_args(ctx, args)
        ctx.params.update(values)
        ctx.args = []
        return []


class PlainArgsGroup(TyperGroup):
    """A Typer group that, for a line starting with a command's name (no option of
    the group's own), leaves the group's options at their defaults without Typer's
    coercion, which would import pydantic for ``--version`` and ``--help`` alone."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not (
            args
            and not args[0].startswith("-")
            and _plain_context(ctx)
            and hasattr(ctx, "_protected_args")
        ):
            return super().parse_args(ctx, args)
        left_out = []
        for param in self.get_params(ctx):  # the group's options and its --help
            # a default Typer would coerce, or anything unusual: Typer parses the line
            if not isinstance(param, TyperOption) or param.envvar is not None or param.required:
                return super().parse_args(ctx, args)
            value = param.get_default(ctx)
            if value is not None and not isinstance(value, bool):
                return super().parse_args(ctx, args)
            left_out.append((param, value))
        # as Typer processes an option left out: its default (None or a flag's
        # bool is its own value), then its callback
        for param, value in left_out:
            if param.callback is not None:
                value = param.callback(ctx, param, value)
            if param.expose_value:
                ctx.params[param.name] = value
        # what Typer's group keeps of the line: the command, and the command's arguments
        ctx._protected_args, ctx.args = args[:1], args[1:]
        return ctx.args


def _plain_context(ctx: Any) -> bool:
    """Whether nothing but the command line gives values (no defaults map, no
    environment variables, no completion)."""
    return not ctx.resilient_parsing and ctx.default_map is None and not ctx.auto_envvar_prefix


def plain_args(**converters: Callable[[str], Any]) -> type[PlainArgsCommand]:
    """A :class:`PlainArgsCommand` class taking the parameters named here, each
    with the function that makes its value from its text (an Enum, ``Path``, ``str``)."""
    return type("PlainArgsCommand", (PlainArgsCommand,), {"plain": dict(converters)})


def plain_values(
    command: TyperCommand, args: list[str], converters: dict[str, Callable[[str], Any]]
) -> dict[str, Any] | None:
    """The values of ``command``'s parameters for ``args``, or ``None`` when Typer
    must parse them (see the module docstring)."""
    options: dict[str, tuple[Any, bool | None]] = {}
    argument: Any = None
    values: dict[str, Any] = {}
    for param in command.params:
        if param.name is None or param.envvar is not None or param.callback is not None:
            return None
        if not param.expose_value:
            return None
        if isinstance(param, TyperArgument):
            if argument is not None or param.name not in converters or param.nargs != 1:
                return None
            argument = param
            continue
        if not isinstance(param, TyperOption) or param.multiple or param.nargs != 1:
            return None
        if param.default is not None and not isinstance(param.default, (bool, Enum)):
            return None  # a default Typer would turn into another value
        values[param.name] = param.default
        if param.name not in converters:
            continue  # given on the line, Typer parses it
        if param.is_flag:
            if not param.is_bool_flag:
                return None
            for opt in param.opts:
                options[opt] = (param, True)
            for opt in param.secondary_opts:
                options[opt] = (param, False)
        else:
            for opt in param.opts:
                options[opt] = (param, None)
    if argument is None:
        return None
    given: set[str] = set()
    rest = list(args)
    while rest:
        token = rest.pop(0)
        if not token.startswith("-"):
            value = _converted(converters[argument.name], token)
            if argument.name in given or not token or value is None:
                return None
            given.add(argument.name)
            values[argument.name] = value
            continue
        name, equals, text = token.partition("=")
        found = options.get(name)
        if found is None:
            return None  # --help, --, a short or unknown option, one Typer parses
        param, flag = found
        if param.name in given:
            return None
        given.add(param.name)
        if flag is not None:
            if equals:
                return None
            values[param.name] = flag
            continue
        if not equals:
            if not rest:
                return None
            text = rest.pop(0)
        if not text or (text.startswith("-") and text != "-"):
            return None
        value = _converted(converters[param.name], text)
        if value is None:
            return None
        values[param.name] = value
    if argument.name not in given:
        return None
    return values


def _converted(convert: Callable[[str], Any], text: str) -> Any:
    """``convert(text)``, or ``None`` when Typer must say what is wrong with it."""
    if isinstance(convert, type) and issubclass(convert, Enum):
        members = [m for m in convert if str(m.value) == text]
        return members[0] if len(members) == 1 else None
    if convert is Path or convert is str:
        return convert(text)
    return None

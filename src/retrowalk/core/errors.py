"""One exception family with messages a user can act on.

The CLI turns every :class:`RetrowalkError` into exit code 2 and a single line on
stderr; no traceback reaches the user.
"""

from __future__ import annotations

from pathlib import Path


class RetrowalkError(Exception):
    """Base class of every error retrowalk reports to a user."""


class InputError(RetrowalkError):
    """A recording (or other input file) cannot be read or is invalid.

    Parameters
    ----------
    path
        The file at fault.
    reason
        What is wrong, in plain words.
    line
        1-based line number in the file, where it applies.
    field
        Column or field name, where it applies.
    """

    def __init__(
        self,
        path: str | Path,
        reason: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        self.field = field
        where = self.path
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {reason}")


class ExtraMissingError(InputError):
    """A file whose reader needs an optional package that is not installed (an extra,
    e.g. ``retrowalk[video]``): the file may be fine, installed it is read."""


class UnsupportedFormatError(InputError):
    """The file's content matches no supported recording layout."""


class AnalysisError(RetrowalkError):
    """An analysis cannot be carried out with the given options."""

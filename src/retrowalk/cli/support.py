"""What the command-line modules share: the error line, and the local account's data.

Every :class:`~retrowalk.core.errors.RetrowalkError` becomes one line on stderr,
``retrowalk: error: <message>``, and exit code 2. Commands that work without a
web account use the store on the default database (``RETROWALK_DATABASE_URL`` /
``RETROWALK_DATA_DIR``) and a local account, ``local@retrowalk.local``, created
on first use with no usable password (it cannot sign in to the web app).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

import typer
from typer.core import TyperCommand

from retrowalk.core.errors import RetrowalkError

if TYPE_CHECKING:
    from rich.console import Console

LOCAL_EMAIL = "local@retrowalk.local"
F = TypeVar("F", bound=Callable[..., Any])

#: Help is plain click text: Typer's rich help renderer (rich, markdown-it,
#: pygments) costs more to import than the rest of ``retrowalk --help``.
HELP_MARKUP = None


class _LazyConsole:
    """A :class:`rich.console.Console` made on first use (rich loads only when printing)."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._console: Any = None

    def _made(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._kwargs)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._made(), name)

    # ``with console:`` looks these up on the type, not through __getattr__
    def __enter__(self) -> Any:
        return self._made().__enter__()

    def __exit__(self, *exc: object) -> None:
        self._made().__exit__(*exc)


def lazy_console(*, stderr: bool = False) -> Console:
    """A console that imports rich only when something is printed (start-up time)."""
    return cast("Console", _LazyConsole(stderr=stderr))


class CommandLine(typer.Typer):
    """The root Typer app. Called (the ``retrowalk`` command, ``python -m retrowalk``), its
    command is the process's, which :func:`ends_process` tells; a test's runner invokes
    the commands in its own process without calling it."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        global _ends_process
        _ends_process = True
        return super().__call__(*args, **kwargs)


_ends_process = False


def ends_process() -> bool:
    """Whether the command running ends this process (:class:`CommandLine`)."""
    return _ends_process


@dataclass
class Stop:
    """How a long command was stopped: its exit code (130 for Ctrl-C, 143 for SIGTERM)."""

    exit_code: int = 130


@contextmanager
def stopped_as_interrupt() -> Iterator[Stop]:
    """Within the block, SIGTERM (a job scheduler or ``kill`` stopping the command) raises
    :class:`KeyboardInterrupt` as Ctrl-C does, so the command stops its workers and says
    what was kept instead of dying mid-write; :attr:`Stop.exit_code` is the shell's code
    of the signal received (128 + its number)."""
    stop = Stop()

    def interrupt(signum: int, frame: object) -> None:
        stop.exit_code = 128 + signum
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield stop  # only the main thread receives signals
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


def exit_with_error(message: str) -> NoReturn:
    """Write ``retrowalk: error: <message>`` as one line on stderr and exit with code 2."""
    # One line, never wrapped, so scripts can read it.
    sys.stderr.write(f"retrowalk: error: {' '.join(message.split())}\n")
    raise typer.Exit(code=2) from None


def warn(message: str) -> None:
    """Write ``retrowalk: warning: <message>`` as one line on stderr: something the user
    should mend that did not stop the command (stdout holds its results alone)."""
    sys.stderr.write(f"retrowalk: warning: {' '.join(message.split())}\n")


#: Click's ``UsageError``, as the Click that Typer runs on defines it (its own copy in
#: newer Typer): the base of ``typer.BadParameter``.
_USAGE_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"
)


class OneLineUsageErrors(TyperCommand):
    """A command whose command-line mistakes (an option's value out of range or not one
    of its words, an unknown option, a missing argument) are one line on stderr and
    exit code 2, as a refused recording is, instead of the usage text: ``retrowalk:
    error: <recording>: invalid value for '--height-m': ...``, naming the recording
    when it was read before the mistake."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        given = list(args)  # the parser consumes its list
        try:
            return super().parse_args(ctx, args)
        except _USAGE_ERROR as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help, as asked for
                raise
            message = str(exc.format_message()).replace("Value error, ", "")  # type: ignore[attr-defined]
            message = message.rstrip(".")
            recording = _raw_argument(self, ctx, given, "recording")
            where = f"{recording}: " if recording else ""
            exit_with_error(f"{where}{message} (see retrowalk {ctx.info_name} --help)")


def _raw_argument(command: Any, ctx: Any, args: list[str], name: str) -> str | None:
    """The text given for the argument ``name`` on a command line that failed to parse
    (the arguments are placed before any value is checked), or ``None``."""
    try:
        values, _, _ = command.make_parser(ctx).parse_args(args=list(args))
    except Exception:  # the mistake was in the arguments' places themselves
        return None
    value = values.get(name)
    return value if isinstance(value, str) else None


def user_errors(func: F) -> F:
    """Turn RetrowalkError into one stderr line and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RetrowalkError as exc:
            exit_with_error(str(exc))
        except Exception as exc:
            from pydantic import ValidationError  # start-up time: only when something failed

            if not isinstance(exc, ValidationError):
                raise
            error = exc.errors()[0]  # a value out of its plausible range
            where = ".".join(str(p) for p in error["loc"])
            exit_with_error(f"{where}: {error['msg']}" if where else str(error["msg"]))

    return wrapper  # type: ignore[return-value]


# Start-up time: the store (SQLAlchemy) and the services are imported inside
# the helpers below, so commands that need no database start quickly.


def local_services() -> Any:
    """The store services on the default database (migrated on first use)."""
    from retrowalk.app.services import Services
    from retrowalk.core.paths import default_data_dir
    from retrowalk.store.db import Database, default_database_url

    data_dir = default_data_dir()
    return Services(Database(default_database_url(data_dir)), data_dir)


def local_account(services: Any, email: str = LOCAL_EMAIL) -> int:
    """The id of the account with ``email``.

    The local account is created on first use (it has no usable password); any
    other email must belong to an existing account, else :class:`NotFoundError`.
    """
    from retrowalk.store.repositories import Accounts, NotFoundError

    with services.db.transaction() as session:
        accounts = Accounts(session)
        account = accounts.by_email(email)
        if account is None:
            if email != LOCAL_EMAIL:
                raise NotFoundError(f"no account with the email {email}")
            account = accounts.add(LOCAL_EMAIL, "!no-password")
        return int(account.id)


def local_person(services: Any, account_id: int, name: str, *, create: bool = True) -> int:
    """The id of the person called ``name`` in the account (created if new)."""
    from retrowalk.store.repositories import NotFoundError
    from retrowalk.store.schemas import PersonIn

    for person in services.list_people(account_id):
        if person.name == name:
            return int(person.id)
    if not create:
        raise NotFoundError(f"no person called {name!r}")
    return int(services.create_person(account_id, PersonIn(name=name)).id)

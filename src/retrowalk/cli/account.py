"""``retrowalk account``: look after web accounts on a local install.

There is no e-mail in a local-first app, so a forgotten password is reset by
whoever runs the server, on the server: ``retrowalk account reset-password EMAIL``
asks for the new password twice (or reads it from standard input with
``--password-stdin``), checks it like sign-up does and ends every session of
the account. After an upgrade that changed the engine, ``retrowalk account
reanalyse EMAIL`` analyses again every recording of the account that another
engine version analysed, with its progress line by line (Ctrl-C stops it: the
recordings not analysed again keep their earlier analysis).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from retrowalk.cli.support import HELP_MARKUP
from retrowalk.core.errors import InputError

if TYPE_CHECKING:
    from retrowalk.app.services import Services

app = typer.Typer(
    help="Web accounts on this computer: reset a password, analyse an account's recordings "
    "again after an upgrade, delete an account.",
    rich_markup_mode=HELP_MARKUP,
)


def _services() -> Services:
    from retrowalk.app.services import Services
    from retrowalk.store.db import Database, default_data_dir, default_database_url

    data_dir = default_data_dir()
    return Services(Database(default_database_url(data_dir)), data_dir)


def _fail(message: str) -> None:
    sys.stderr.write(f"retrowalk: error: {' '.join(message.split())}\n")
    raise typer.Exit(code=2)


@app.command("reset-password")
def reset_password(
    email: Annotated[str, typer.Argument(help="E-mail address of the account.")],
    password_stdin: Annotated[
        bool, typer.Option(help="Read the new password from the first line of standard input.")
    ] = False,
) -> None:
    """Set a new password for an account and sign it out everywhere."""
    from retrowalk.core.errors import RetrowalkError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        _services().reset_password(email, password)
    except RetrowalkError as exc:
        _fail(str(exc))
    typer.echo(f"New password set for {email.strip().lower()}; all its sessions were ended.")


@app.command("delete")
def delete(
    email: Annotated[str, typer.Argument(help="E-mail address of the account.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an account with every person, recording, analysis, note and file."""
    from retrowalk.core.errors import RetrowalkError
    from retrowalk.store.repositories import Accounts

    services = _services()
    with services.db.read() as session:
        account = Accounts(session).by_email(email.strip().lower())
        account_id = account.id if account else None
    try:
        if account_id is None:
            raise InputError("email", f"no account with the e-mail address {email}")
        if not yes and not typer.confirm(f"Delete {email} and all its data?"):
            raise typer.Exit(code=1)
        services.remove_account(account_id)
    except RetrowalkError as exc:
        _fail(str(exc))
    typer.echo(f"Deleted {email.strip().lower()} and all its data.")


@app.command("reanalyse")
def reanalyse(
    email: Annotated[str, typer.Argument(help="E-mail address of the account.")],
) -> None:
    """Analyse again every recording of an account that another engine version
    analysed, so its totals and progress no longer mix two versions' numbers.

    A recording whose file is gone or whose analysis fails keeps its earlier
    analysis and is named with the reason; the exit code is then 1. Ctrl-C stops
    once the recording being analysed is done (a second Ctrl-C gives it up too):
    the recordings not analysed again keep their earlier analysis (exit code 130).
    """
    from retrowalk.app.reanalysis import FILE_GONE, Stopped
    from retrowalk.core.errors import RetrowalkError
    from retrowalk.store.repositories import Accounts

    services = _services()
    with services.db.read() as session:
        account = Accounts(session).by_email(email.strip().lower())
        account_id = account.id if account else None
    if account_id is None:
        _fail(f"no account with the e-mail address {email}")
        return

    def report(number: int, of: int, filename: str, outcome: str) -> None:
        typer.echo(f"[{number}/{of}] {filename}: {outcome}")

    try:
        done, after = services.reanalyse_older_here(account_id, report)
    except RetrowalkError as exc:
        _fail(str(exc))
        return
    except Stopped as stopped:
        left = stopped.state.recordings
        typer.echo(
            f"Stopped: {stopped.done} recording{'s' if stopped.done != 1 else ''} analysed "
            f"again with {stopped.state.engine_version}; "
            + (
                f"{left} not analysed again keep{'s' if left == 1 else ''} "
                "their earlier analysis, unchanged."
                if left
                else "none left to analyse again."
            )
        )
        raise typer.Exit(code=130) from None
    for failed in after.failed:
        if failed.reason == FILE_GONE:
            typer.echo(
                f"{failed.filename}: not analysed again, keeps its earlier analysis: "
                f"{failed.reason}"
            )
    left = after.recordings
    typer.echo(
        f"{done} recording{'s' if done != 1 else ''} analysed again with {after.engine_version}; "
        + (
            f"{left} still hold{'s' if left == 1 else ''} another version's analysis."
            if left
            else "every recording of the account is analysed with this version."
        )
    )
    if after.failed:
        raise typer.Exit(code=1)

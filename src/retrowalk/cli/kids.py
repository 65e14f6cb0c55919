"""``retrowalk child ...``: children's profiles, log, guidance and doctor's summary.

The commands use the same database and data directory as the web app
(``RETROWALK_DATABASE_URL`` / ``RETROWALK_DATA_DIR``, default SQLite in the user
data directory). Without ``--account`` they work in a local account,
``local@retrowalk.local``, created on first use (it has no password and cannot
sign in to the web app); pass ``--account EMAIL`` to work in an existing web
account's data.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retrowalk.cli.support import (
    HELP_MARKUP,
    LOCAL_EMAIL,
    lazy_console,
    local_account,
    local_services,
    user_errors,
)
from retrowalk.core.errors import InputError
from retrowalk.domain.kids.age import CORRECTED_AGE_RULE

if TYPE_CHECKING:
    from retrowalk.app.kids import KidsService
    from retrowalk.domain.kids.guidance import Guidance

# Start-up time: the kids services open the store (SQLAlchemy); they are
# imported inside the commands, so ``retrowalk --help`` does not load them.

child_app = typer.Typer(
    name="child",
    help="Children: backward crawling and walking milestones, a log and gentle guidance.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
out = lazy_console()
_state: dict[str, str] = {"account": LOCAL_EMAIL}


@child_app.callback()
def _options(
    account: Annotated[
        str, typer.Option(help="Email of the account to use (default: the local account).")
    ] = LOCAL_EMAIL,
) -> None:
    _state["account"] = account.strip().lower()


def _open() -> tuple[KidsService, int]:
    """The services on the default database and the account id to use."""
    from retrowalk.app.kids import KidsService

    services = local_services()
    return KidsService(services), local_account(services, _state["account"])


def _date(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(what, f"'{value}' is not a date like 2024-05-31") from None


@child_app.command("add")
@user_errors
def add(
    name: Annotated[str, typer.Argument(help="The child's name.")],
    birth_date: Annotated[str, typer.Option(help="Birth date, YYYY-MM-DD.")],
    due_date: Annotated[
        str | None,
        typer.Option(help="Due date, YYYY-MM-DD (for babies born early). " + CORRECTED_AGE_RULE),
    ] = None,
) -> None:
    """Add a child profile."""
    kids, account = _open()
    born = _date(birth_date, "--birth-date")
    assert born is not None
    child = kids.add_child(account, name, born, _date(due_date, "--due-date"))
    age = kids.age(account, child.id)
    out.print(f"Added {child.name} (id {child.id}): {age.describe()} today.")


@child_app.command("list")
@user_errors
def list_children() -> None:
    """List the children with their (corrected) age today."""
    kids, account = _open()
    from rich.table import Table

    from retrowalk.report.display import MISSING

    table = Table("id", "name", "born", "due", "age today")
    for child in kids.children(account):
        age = kids.age(account, child.id) if child.birth_date else None
        table.add_row(
            str(child.id),
            child.name,
            str(child.birth_date or MISSING),
            str(child.due_date or MISSING),
            age.describe() if age else "add a birth date",
        )
    out.print(table)


@child_app.command("observe")
@user_errors
def observe(
    child: Annotated[str, typer.Argument(help="The child's id or name.")],
    skill: Annotated[str, typer.Option(help="Skill id (see 'retrowalk child milestones').")],
    detail: Annotated[
        list[str] | None, typer.Option(help="A detail id; repeat for several.")
    ] = None,
    steps: Annotated[int | None, typer.Option(help="Number of backward steps.")] = None,
    note: Annotated[str, typer.Option(help="A short note.")] = "",
    file: Annotated[Path | None, typer.Option(help="A photo or short video to keep.")] = None,
    date: Annotated[str | None, typer.Option(help="Day seen, YYYY-MM-DD (default today).")] = None,
) -> None:
    """Log what you saw."""
    kids, account = _open()
    person = kids.find_child(account, child)
    kwargs: dict[str, Any] = dict(
        skill=skill, on=_date(date, "--date"), details=detail or [], steps=steps, note=note
    )
    if file is not None:
        if not file.is_file():
            raise InputError(file, "no such file")
        with file.open("rb") as stream:
            entry = kids.observe(account, person.id, attachment=(file.name, stream), **kwargs)
    else:
        entry = kids.observe(account, person.id, **kwargs)
    out.print(f"Logged for {person.name} on {entry.date}: {entry.skill_name} (entry {entry.id}).")


@child_app.command("guide")
@user_errors
def guide(
    child: Annotated[str, typer.Argument(help="The child's id or name.")],
    on: Annotated[str | None, typer.Option(help="Day, YYYY-MM-DD (default today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What is typical now, what comes next, ideas to encourage it, when to ask."""
    kids, account = _open()
    person = kids.find_child(account, child)
    from retrowalk.app.kids import guide_child

    g = guide_child(kids, account, person.id, _date(on, "--on"))
    if as_json:
        out.print_json(json.dumps(g.as_dict()))
        return
    out.print(f"[bold]{person.name}[/bold]: {g.age.describe()}")
    out.print("\n[bold]Typical now[/bold]")
    if not g.now:
        out.print(
            "  No new skill's usual window opens at this age; "
            "most children can already do the skills below."
        )
    for m in g.now:
        out.print(f"  • {m.name} ({m.window_text()}){_status(g, m.id)}")
    if g.earlier:
        out.print("\n[bold]Usually reached by this age[/bold]")
        for m in g.earlier:
            out.print(f"  • {m.name} ({m.window_text()}){_status(g, m.id, unlogged=True)}")
    out.print("\n[bold]Coming next[/bold]")
    if not g.next:
        out.print("  The skills in this table are usually all reached by this age.")
    for m in g.next:
        out.print(f"  • {m.name} ({m.window_text()}){_status(g, m.id)}")
    if g.questions:
        out.print("\n[bold]Questions for you[/bold]")
        for q in g.questions:
            out.print(f"  ? {q.text}")
            out.print(f"    Answer: retrowalk child observe {person.id} --skill {q.skill}")
            out.print("    (add --detail not-yet if your child does not do it yet)")
    if g.reassurance:
        out.print("\n[bold]Good to know[/bold]")
        for text in g.reassurance:
            out.print(f"  {text}")
    out.print("\n[bold]Ideas to try[/bold]")
    for idea in g.encourage:
        out.print(f"  • {idea}")
    out.print("\n[bold]Worth asking your paediatrician about[/bold]")
    if not g.flags:
        out.print("  Nothing you logged calls for it. Ask about anything that worries you.")
    for flag in g.flags:
        out.print(f"  ! {flag.title}: {flag.message}")


def _status(g: Guidance, skill: str, *, unlogged: bool = False) -> str:
    """' – seen DATE', ' – not yet (DATE)' or, where asked for, ' – not logged yet'."""
    if skill in g.seen:
        return f" – seen {g.seen[skill]}"
    if skill in g.not_yet:
        return f" – not yet ({g.not_yet[skill]})"
    return " – not logged yet" if unlogged else ""


@child_app.command("summary")
@user_errors
def summary(
    child: Annotated[str, typer.Argument(help="The child's id or name.")],
    out_file: Annotated[Path, typer.Option("--out", help="file.html, file.csv or file.json")],
    on: Annotated[str | None, typer.Option(help="Day, YYYY-MM-DD (default today).")] = None,
) -> None:
    """Write the log for a doctor's visit (printable HTML, CSV or JSON)."""
    kids, account = _open()
    person = kids.find_child(account, child)
    from retrowalk.app.kids import build_summary
    from retrowalk.domain.kids.summary import write_summary  # Jinja2: start-up time

    path = write_summary(build_summary(kids, account, person.id, _date(on, "--on")), out_file)
    out.print(f"Summary written to {path}")


@child_app.command("milestones")
def milestones() -> None:
    """The milestone table with age windows and sources."""
    from retrowalk.domain.kids.milestones import load_milestones

    table_data = load_milestones()
    from rich.table import Table

    table = Table("skill id", "name", "window (months)", "grade", "sources")
    for m in table_data.milestones:
        window = m.window_text() + (" (uncertain)" if m.uncertain else "")
        table.add_row(m.id, m.name, window, m.grade, ", ".join(m.sources))
    out.print(table)
    out.print("Details: " + ", ".join(table_data.details))
    for source in table_data.sources.values():
        out.print(f"[dim]{source.id}: {source.citation}[/dim]")

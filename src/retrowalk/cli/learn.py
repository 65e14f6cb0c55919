"""``retrowalk learn``: read graded Learn entries in the terminal.

``retrowalk learn`` lists the entries; ``retrowalk learn ID_OR_WORDS`` prints
one entry (exact id first, else the best search match) with its evidence
grade, reason, sources and related entries; ``--check`` validates the content
and every ``learn = [...]`` link in the packaged data.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from retrowalk.cli.support import HELP_MARKUP, exit_with_error
from retrowalk.core.errors import RetrowalkError

if TYPE_CHECKING:  # start-up time: the learn content and rich load inside the command
    from rich.console import Console
    from rich.text import Text

    from retrowalk.domain.learn.content import Entry, Library
    from retrowalk.domain.learn.service import LearnService

learn_app = typer.Typer(
    help="What backward walking does and how to do it safely, graded by evidence.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=HELP_MARKUP,
)

GRADE_STYLE = {
    "trials": "bold white on green",
    "small-studies": "bold white on blue",
    "expert-advice": "bold black on grey70",
    "plausible": "bold black on yellow",
    "not-supported": "bold white on red",
    "contradicted": "bold white on magenta",
}


def _badge(library: Library, grade_id: str) -> Text:
    from rich.text import Text

    grade = library.grades[grade_id]
    return Text(f" {grade.label} ", style=GRADE_STYLE.get(grade_id, "reverse"))


def _listing(console: Console, library: Library, entries: list[Entry]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"retrowalk Learn (content {library.content_version})", expand=True)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("title")
    table.add_column("evidence", no_wrap=True)
    for topic in library.topics.values():
        rows = [e for e in entries if e.topic == topic.id]
        if not rows:
            continue
        table.add_section()
        table.add_row("", Text(topic.label, style="bold"), "")
        for entry in rows:
            table.add_row(entry.id, entry.title, _badge(library, entry.grade))
    console.print(table)
    console.print("Read one with: retrowalk learn ID_OR_WORDS", style="dim")


def _entry(console: Console, service: LearnService, entry: Entry) -> None:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    page = service.page(entry.id)
    library = service.library
    parts: list[object] = [
        Text.assemble(("You may have read: ", "dim"), f"“{entry.claim}”"),
        Text(""),
        Text.assemble(_badge(library, entry.grade), "  ", (entry.summary, "bold")),
        Text.assemble(("Why this grade: ", "italic"), entry.grade_reason),
        Text(""),
    ]
    for paragraph in entry.paragraphs():
        parts += [Text(paragraph), Text("")]
    parts += [Text.assemble(("What it means for you: ", "bold green"), entry.for_you)]
    sources = Text("\nSources\n", style="bold")
    for i, source in enumerate(page["sources"], 1):
        sources.append(f" {i}. {source.citation()}\n")
    parts.append(sources)
    related = page["related"] + page["linking"]
    if related:
        rel = Text("Related: ", style="bold")
        rel.append(", ".join(f"{r.id} ({r.title})" for r in related))
        parts.append(rel)
    used = [f"{g.label}: {', '.join(u.label for u in g.items)}" for g in page["used_in"]]
    if used:
        parts.append(Text("Used in: ", style="bold") + Text("; ".join(used)))
    console.print(
        Panel(
            Group(*parts),  # type: ignore[arg-type]
            title=f"[bold]{entry.title}[/bold]",
            subtitle=f"{entry.id} · content {library.content_version}",
        )
    )


@learn_app.callback(invoke_without_command=True)
def learn(
    words: Annotated[
        list[str] | None,
        typer.Argument(help="An entry id (e.g. benefit-knee-oa) or search words (e.g. knee pain)."),
    ] = None,
    audience: Annotated[
        str, typer.Option(help="Only entries for: adults, parents or clinicians.")
    ] = "",
    topic: Annotated[
        str, typer.Option(help="Only one topic: benefits, safety, form, kids, tests, faq.")
    ] = "",
    check: Annotated[
        bool, typer.Option("--check", help="Validate the content and all Learn links.")
    ] = False,
) -> None:
    """List Learn entries, or print one entry by id or search words."""
    from rich.console import Console

    console = Console()
    try:
        from retrowalk.domain.learn.references import find_learn_references
        from retrowalk.domain.learn.service import LearnService

        service = LearnService()
        library = service.library
        if check:
            usages = find_learn_references()
            problems = library.problems(usages)
            for line in problems:
                sys.stderr.write(f"retrowalk: learn: {line}\n")
            if problems:
                raise typer.Exit(code=2)
            console.print(
                f"Learn content {library.content_version}: {len(library.entries)} entries, "
                f"{len(library.sources)} sources, {sum(len(u.learn) for u in usages)} links "
                "from other data files: all valid."
            )
            return
        query = " ".join(words or [])
        if not query:
            _listing(console, library, service.listing("", audience, topic))
            return
        entry = library.entries.get(query.strip().lower())
        if entry is None:
            hits = service.listing(query, audience, topic)
            entry = hits[0] if hits else None
        if entry is None:
            sys.stderr.write(
                f"retrowalk: error: no Learn entry matches '{query}'; "
                "run 'retrowalk learn' to list them\n"
            )
            raise typer.Exit(code=2)
        _entry(console, service, entry)
    except RetrowalkError as exc:
        exit_with_error(str(exc))

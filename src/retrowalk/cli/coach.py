"""``retrowalk plan ...`` and ``retrowalk log ...``: screening, plans, training logs, progression.

The commands store data in the same database as the web app (SQLite in the user
data directory, or ``RETROWALK_DATABASE_URL`` / ``RETROWALK_DATA_DIR``). Without
an account they use a local account, ``local@retrowalk.local`` (created on first
use, no password: it cannot sign in to the web app), and a person chosen with
``--person`` (default "Me"; created on first use).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from retrowalk.cli.support import (
    HELP_MARKUP,
    lazy_console,
    local_account,
    local_person,
    local_services,
    user_errors,
)

# Start-up time: the use cases (retrowalk.app.*) open the store (SQLAlchemy) and
# the rules load pydantic and their data files; they are imported inside the
# commands that use them.

PersonOpt = Annotated[str, typer.Option("--person", "-p", help="Whose data (created if new).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]

out = lazy_console()

plan_app = typer.Typer(
    help="Safe-start screening, backward-walking plans and what to do next week.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)
log_app = typer.Typer(
    help="Log backward-walking sessions and see the weekly view.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
)


def _context(person: str) -> tuple[Any, int, int]:
    from retrowalk.app.coach import CoachServices

    services = local_services()
    account = local_account(services)
    return CoachServices(services), account, local_person(services, account, person)


class Balance(StrEnum):
    none = "none"
    unsteady = "unsteady"
    falls = "falls"


class KneeHip(StrEnum):
    none = "none"
    mild = "mild"
    diagnosed = "diagnosed"


class Neuro(StrEnum):
    none = "none"
    stroke = "stroke"
    parkinsons = "parkinsons"
    ms = "ms"
    other = "other"


class Activity(StrEnum):
    inactive = "inactive"
    some = "some"
    active = "active"


class Goal(StrEnum):
    fitness = "fitness"
    knee_pain = "knee_pain"
    balance = "balance"
    stroke_rehab = "stroke_rehab"


class Level(StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"


class Place(StrEnum):
    wall_support = "wall_support"
    open_space = "open_space"
    track = "track"
    treadmill = "treadmill"
    intervals = "intervals"
    stairs = "stairs"
    other = "other"


@plan_app.command("screen")
@user_errors
def screen_command(
    age: Annotated[int, typer.Option(help="Age in years.", min=5, max=120)],
    balance: Annotated[Balance, typer.Option(help="Balance problems or falls.")] = Balance.none,
    knee_hip: Annotated[KneeHip, typer.Option(help="Knee or hip problems.")] = KneeHip.none,
    recent_injury: Annotated[
        bool, typer.Option(help="Injury or surgery in the last 3 months.")
    ] = False,
    neuro: Annotated[Neuro, typer.Option(help="Neurological condition.")] = Neuro.none,
    heart_dizzy: Annotated[
        bool, typer.Option(help="Heart condition, chest pain or dizzy spells.")
    ] = False,
    pregnant: Annotated[bool, typer.Option(help="Pregnant.")] = False,
    activity: Annotated[Activity, typer.Option(help="Activity now.")] = Activity.some,
    save: Annotated[bool, typer.Option(help="Keep the answers in the person's history.")] = False,
    person: PersonOpt = "Me",
    json_out: JsonOpt = False,
) -> None:
    """Safe-start screening: go ahead, go ahead with support, or see a doctor first."""
    from retrowalk.domain.coach.screening import ScreeningAnswers, screen

    answers = ScreeningAnswers(
        age=age,
        balance=balance.value,
        knee_hip=knee_hip.value,
        recent_injury=recent_injury,
        neuro=neuro.value,
        heart_dizzy=heart_dizzy,
        pregnant=pregnant,
        activity=activity.value,
    )
    if save:
        coach, account, pid = _context(person)
        result = coach.screen(account, pid, answers)
    else:
        result = screen(answers)
    if json_out:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
        return
    out.print(f"[bold]{result.title}[/bold]: {result.summary}")
    for reason in result.reasons:
        out.print(f"  - ({reason.outcome}) {reason.text}", markup=False)


@plan_app.command("new")
@user_errors
def new_command(
    goal: Annotated[Goal, typer.Option(help="What the plan is for.")] = Goal.fitness,
    level: Annotated[
        Level, typer.Option(help="Experience with backward walking.")
    ] = Level.beginner,
    prescribed: Annotated[
        bool, typer.Option(help="A therapist prescribed backward walking (stroke rehab).")
    ] = False,
    start: Annotated[
        str | None, typer.Option(help="Start date YYYY-MM-DD (default today).")
    ] = None,
    person: PersonOpt = "Me",
    json_out: JsonOpt = False,
) -> None:
    """Make a weekly backward-walking plan for a goal and level."""
    from retrowalk.app.coach import PlanRequest

    coach, account, pid = _context(person)
    request = PlanRequest(
        goal=goal.value,
        level=level.value,
        prescribed=prescribed,
        start=dt.date.fromisoformat(start) if start else None,
    )
    plan = coach.create_plan(account, pid, request)
    if json_out:
        sys.stdout.write(plan.model_dump_json(indent=2) + "\n")
        return
    print_plan(plan.payload)


def print_plan(p: dict[str, Any]) -> None:
    """The plan as text: weeks, this week's steps and the form cues."""
    out.print(f"[bold]{p['goal_title']}[/bold] · {p['level']} · from {p.get('start', '')}")
    out.print(p["about"])
    from rich.table import Table

    from retrowalk.report import display as shown

    table = Table(title="Weeks")
    for column in ("week", "sessions", "min backwards / session", "min / week"):
        table.add_column(column, justify="right")
    for w in p["weeks"]:
        table.add_row(
            str(w["week"]),
            str(w["sessions"]),
            shown.minutes(w["backward_min_per_session"]),
            shown.minutes(w["backward_min_week"]),
        )
    out.print(table)
    out.print("[bold]Each session[/bold]")
    for step in p["weeks"][0]["steps"]:
        out.print(f"  - {step}")
    out.print("[bold]Form[/bold]")
    for cue in p["cues"]:
        out.print(f"  - {cue['text']}  (learn: /learn/{cue['learn'][0]})")


def print_recommendation(rec: dict[str, Any] | None) -> None:
    if rec is None:
        out.print("No plan yet: make one with `retrowalk plan new`.")
        return
    out.print(f"[bold]{rec['message']}[/bold]")
    out.print(f"  rule {rec['rule']}: {rec['rule_text']}")
    if rec.get("next_stage"):
        out.print(f"  You may try the next stage: {rec['next_stage_title']}")
        out.print(f"  rule {rec['next_stage_rule']}: {rec['next_stage_text']}")


def print_weeks(view: dict[str, Any]) -> None:
    from rich.table import Table

    from retrowalk.report import display as shown

    table = Table(title="Week by week (backward minutes)")
    for column in ("week of", "planned", "done", "%", "sessions", "soreness", "alerts"):
        table.add_column(column, justify="right")
    for w in view["weeks"]:
        alerts = " ".join(
            name
            for name, on in (
                ("fall", w["falls"]),
                ("near-fall", w["near_falls"]),
                ("pain", w["pain"]),
            )
            if on
        )
        table.add_row(
            w["week_start"],
            shown.minutes(w["planned_min"]),
            shown.minutes(w["done_min"]),
            shown.percent(w["adherence_pct"]),
            str(w["sessions"]),
            shown.MISSING if w["max_soreness"] is None else str(w["max_soreness"]),
            alerts,
        )
    out.print(table)
    tw, l4 = view["this_week"], view["last_4_weeks"]
    out.print(
        f"This week {shown.minutes(tw['done_min'])} of {shown.minutes(tw['planned_min'])} min; "
        f"last 4 weeks {shown.minutes(l4['done_min'])} of {shown.minutes(l4['planned_min'])} "
        "min; "
        f"streak {view['streak_weeks']} week(s)."
    )
    print_undated(view.get("undated") or [])


def print_undated(undated: list[dict[str, Any]]) -> None:
    """The analysed recordings left out of the weeks because their date is unknown, as
    the progress page lists them."""
    if not undated:
        return
    n = len(undated)
    names = ", ".join(str(r["filename"]) for r in undated)
    out.print(
        f"{n} analysed recording{'s' if n != 1 else ''} without a date (the "
        f"file{'s' if n != 1 else ''} held none) {'are' if n != 1 else 'is'} left out of "
        f"these weeks until the day {'each was' if n != 1 else 'it was'} recorded is set "
        f"on {'their pages' if n != 1 else 'its page'} (retrowalk serve): {names}.",
        markup=False,
    )


@plan_app.command("show")
@user_errors
def show_command(person: PersonOpt = "Me", json_out: JsonOpt = False) -> None:
    """The current plan, the weekly view and next week's advice."""
    coach, account, pid = _context(person)
    view = coach.overview(account, pid)
    if json_out:
        sys.stdout.write(json.dumps(view, indent=2, default=str) + "\n")
        return
    if view["plan"] is None:
        out.print("No plan yet: make one with `retrowalk plan new --goal ... --level ...`.")
        return
    print_plan(view["plan"]["payload"])
    print_weeks(view)
    print_recommendation(view["recommendation"])


@plan_app.command("next")
@user_errors
def next_command(person: PersonOpt = "Me", json_out: JsonOpt = False) -> None:
    """Next week's backward minutes and stage, with the rule that decided it."""
    coach, account, pid = _context(person)
    rec = coach.recommendation(account, pid)
    if json_out:
        sys.stdout.write(json.dumps(rec.to_dict() if rec else None, indent=2) + "\n")
        return
    print_recommendation(rec.to_dict() if rec else None)


@plan_app.command("stage")
@user_errors
def stage_command(
    stage: Annotated[
        str, typer.Argument(help="wall_support, open_space, treadmill, intervals or stairs")
    ],
    person: PersonOpt = "Me",
) -> None:
    """Move to another stage of the plan, for example after the next stage was offered."""
    coach, account, pid = _context(person)
    coach.accept_stage(account, pid, stage)
    out.print(f"Stage now: {stage}")


@log_app.command("add")
@user_errors
def log_add_command(
    minutes: Annotated[float, typer.Option(help="Minutes walked backwards.", min=0.5, max=300)],
    place: Annotated[Place, typer.Option(help="Where.")] = Place.open_space,
    effort: Annotated[int | None, typer.Option(help="Effort 0-10.", min=0, max=10)] = None,
    soreness: Annotated[int | None, typer.Option(help="Soreness 0-10.", min=0, max=10)] = None,
    pain: Annotated[bool, typer.Option(help="Pain during or after.")] = False,
    falls: Annotated[int, typer.Option(help="Falls.", min=0)] = 0,
    near_falls: Annotated[int, typer.Option(help="Near-falls.", min=0)] = 0,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
    note: Annotated[str, typer.Option(help="A note.")] = "",
    person: PersonOpt = "Me",
) -> None:
    """Log a session, then show next week's advice."""
    from retrowalk.app.coach import LogIn

    coach, account, pid = _context(person)
    day = dt.date.fromisoformat(date) if date else dt.date.today()
    coach.add_log(
        account,
        pid,
        LogIn(
            date=day,
            backward_min=minutes,
            place=place.value,
            effort=effort,
            soreness=soreness,
            pain=pain,
            falls=falls,
            near_falls=near_falls,
            note=note,
        ),
    )
    from retrowalk.report import display as shown

    out.print(f"Logged {shown.minutes(minutes)} min backwards on {day}.")
    rec = coach.recommendation(account, pid)
    print_recommendation(rec.to_dict() if rec else None)


@log_app.command("list")
@user_errors
def log_list_command(person: PersonOpt = "Me", json_out: JsonOpt = False) -> None:
    """All sessions: manual logs and analysed recordings."""
    from retrowalk.report import display as shown

    coach, account, pid = _context(person)
    sessions = [s.to_dict() for s in coach.sessions(account, pid)]
    if json_out:
        sys.stdout.write(json.dumps(sessions, indent=2) + "\n")
        return
    for s in sessions:
        extra = f", soreness {s['soreness']}" if s["soreness"] is not None else ""
        out.print(
            f"{s['date']}: {shown.minutes(s['backward_min'])} min ({s['source']} {s['place']})"
            f"{extra}"
        )


@log_app.command("week")
@user_errors
def log_week_command(person: PersonOpt = "Me") -> None:
    """Planned vs done backward minutes, week by week."""
    coach, account, pid = _context(person)
    view = coach.overview(account, pid)
    if not view["weeks"]:
        out.print("Nothing logged yet.")
        print_undated(view["undated"])
        return
    print_weeks(view)

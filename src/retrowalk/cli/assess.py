"""``retrowalk test 3mbwt``: score a 3-metre backward walk test from a time or a recording."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from retrowalk.cli.display import AUTO_PLACEMENT, PLACEMENT_HELP, PlacementChoice
from retrowalk.cli.support import (
    HELP_MARKUP,
    lazy_console,
    local_account,
    local_person,
    local_services,
    user_errors,
)
from retrowalk.core.errors import InputError

# Start-up time: the use cases (retrowalk.app.*) open the store (SQLAlchemy) or
# load the analysis stack, the rules load their data files; they are imported
# inside the commands that use them.

test_app = typer.Typer(
    help="Clinical backward-walk tests.", no_args_is_help=True, rich_markup_mode=HELP_MARKUP
)
out = lazy_console()
#: Why a test timed from a recording file that holds no date needs its day given
#: (the web app asks the same: retrowalk.app.assess.UNDATED_RECORDING).
UNDATED_FILE = (
    "the recording's date is unknown (its file holds none): give the day of the test "
    "with --date YYYY-MM-DD"
)


class GroupChoice(StrEnum):
    community = "community"
    nursing_home = "nursing_home"
    parkinsons = "parkinsons"
    ms = "ms"
    stroke = "stroke"


class Variant(StrEnum):
    standard = "standard"
    stroke_5m = "stroke_5m"


@test_app.command("3mbwt")
@user_errors
def threembwt_command(
    time_s: Annotated[
        float | None, typer.Option("--time", help="Time for the 3 m in seconds.", min=0.01)
    ] = None,
    trial: Annotated[
        list[float] | None,
        typer.Option(
            "--trial",
            help="A trial time (repeat): the mean time is used, for stroke_5m the time of "
            "the trials' mean speed.",
        ),
    ] = None,
    recording: Annotated[
        Path | None, typer.Option(help="Time the test from a recording file instead.")
    ] = None,
    day: Annotated[
        dt.datetime | None,
        typer.Option(
            "--date",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="The day of the test (with --save). Default: the recording's date with "
            "--recording (needed when its file holds none), else today.",
        ),
    ] = None,
    placement: Annotated[PlacementChoice, typer.Option(help=PLACEMENT_HELP)] = AUTO_PLACEMENT,
    height_m: Annotated[float | None, typer.Option(help="Body height in metres.")] = None,
    group: Annotated[GroupChoice, typer.Option(help="The person's group.")] = GroupChoice.community,
    variant: Annotated[Variant, typer.Option(help="standard or stroke_5m.")] = Variant.standard,
    previous: Annotated[
        float | None, typer.Option(help="An earlier time (s) to compare with the MDC.")
    ] = None,
    procedure: Annotated[bool, typer.Option(help="Print the procedure and instructions.")] = False,
    save: Annotated[bool, typer.Option(help="Store the result in the person's history.")] = False,
    person: Annotated[str, typer.Option("--person", "-p", help="Whose test (with --save).")] = "Me",
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score the 3-metre backward walk test against published cut-offs and MDCs."""
    from retrowalk.domain.assess.norms import procedure as proc
    from retrowalk.domain.assess.threembwt import (
        combined_trials_s,
        compare,
        interpret,
        time_from_analysis,
    )

    if procedure:
        p = proc()
        for i, step in enumerate(p["procedure"], 1):
            out.print(f"{i}. {step}")
        out.print(f'Say: "{p["instructions"]}"')
        out.print(f"{p['stroke_variant']['title']}: {p['stroke_variant']['procedure']}")
        if time_s is None and not trial and recording is None:
            return
    timing: dict[str, Any] | None = None
    test_day = day.date() if day is not None else None
    if trial and time_s is None:
        time_s = combined_trials_s(trial, variant.value)
    if time_s is None and recording is not None:
        from retrowalk.app.analyse import AnalysisRequest, analyse_file

        analysis = analyse_file(recording, AnalysisRequest(placement=placement, height_m=height_m))
        start, end = (1.0, 4.0) if variant == Variant.stroke_5m else (0.0, 3.0)
        from retrowalk.summary.contract import to_dict

        timed = time_from_analysis(to_dict(analysis), start_m=start, end_m=end)
        timing = timed.to_dict()
        time_s = timed.time_s
        if test_day is None and save:  # the day it was walked, as the web app dates it
            walked = analysis.recording.start_time
            if walked is None:
                raise InputError("date", UNDATED_FILE)
            test_day = walked.date()
    if time_s is None:
        raise InputError("time", "give --time, --trial or --recording")
    uncertainty = timing["uncertainty_s"] if timing else None
    result: dict[str, Any] = {
        "time_s": time_s,
        "timing": timing,
        "interpretation": interpret(time_s, group.value, uncertainty_s=uncertainty).to_dict(),
        "change": compare(previous, time_s, group.value).to_dict() if previous else None,
    }
    if save:
        from retrowalk.app.assess import AssessServices, ThreeMbwtIn

        services = local_services()
        account = local_account(services)
        pid = local_person(services, account, person)
        if previous is None:
            stored = AssessServices(services).add_test(
                account,
                pid,
                ThreeMbwtIn(
                    date=test_day or dt.date.today(),
                    group=group.value,
                    variant=variant.value,
                    time_s=time_s,
                    trials_s=list(trial or []),
                    walking_aid="",
                    note="",
                ),
            )
            result["change"] = stored["change"]
            result["id"] = stored["id"]
            result["date"] = stored["date"]
        else:
            raise InputError("save", "--previous compares two times; leave it out with --save")
    if json_out:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    from retrowalk.report import display as shown

    i = result["interpretation"]
    unc = f" ± {shown.threembwt_s(uncertainty)}" if uncertainty else ""
    out.print(
        f"[bold]3MBWT {shown.threembwt_s(time_s)}{unc} s[/bold] "
        f"({shown.speed(i['speed_mps'])} m/s), {i['group_title']}"
    )
    if timing:
        out.print(
            f"  timed from bout {timing['bout'] + 1}: {timing['steps_used']} steps, "
            f"range {shown.threembwt_s(timing['low_s'])}–{shown.threembwt_s(timing['high_s'])} s"
        )
    out.print(i["summary"])
    for f in i["findings"]:
        mark = "yes" if f["met"] else "no "
        op = ">=" if f["kind"] == "at_least" else "<="
        out.print(f"  ({mark}) {op} {f['threshold_s']:g} s {f['label']}: {f['note']}")
        out.print(f"      {f['citation']}")
    if i["no_cutoff_note"]:
        out.print(i["no_cutoff_note"])
    for note in i["speed_notes"]:
        out.print(f"  {note}")
    if result["change"]:
        out.print(f"[bold]Change:[/bold] {result['change']['message']}")
    if "date" in result:
        out.print(f"Saved as {person}'s test of {result['date']}.", markup=False)

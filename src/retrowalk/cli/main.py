"""The ``retrowalk`` command line: parse, call, print.

No analysis logic lives here; every command calls the same functions the web
app and batch processing use. Every :class:`~retrowalk.core.errors.RetrowalkError`
becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retrowalk import __version__
from retrowalk.app.limits import BODY_LIMITS, body_measure
from retrowalk.cli.account import app as account_app
from retrowalk.cli.assess import test_app
from retrowalk.cli.coach import log_app, plan_app
from retrowalk.cli.display import (
    AUTO_PLACEMENT,
    PLACEMENT_HELP,
    AccUnit,
    BatchProgress,
    GyroUnit,
    PlacementChoice,
    StoredPlacement,
    err_console,
    out_console,
    print_summary,
    run_analysis,
)
from retrowalk.cli.kids import child_app
from retrowalk.cli.learn import learn_app
from retrowalk.cli.serve import serve as serve_command
from retrowalk.cli.support import (
    HELP_MARKUP,
    CommandLine,
    OneLineUsageErrors,
    ends_process,
    stopped_as_interrupt,
    user_errors,
    warn,
)
from retrowalk.core.errors import AnalysisError

if TYPE_CHECKING:
    from retrowalk.app.analyse import AnalysisRequest
    from retrowalk.gait.calibration import DirectionProfile

# Start-up time: the analysis stack (numpy/scipy, readers), the store, the web
# app and the video pipeline are imported inside the commands that use them, so
# that ``retrowalk --help`` and the store-free commands start quickly.

app = CommandLine(
    name="retrowalk",
    help="Measure, coach and track backward walking from phone and wearable recordings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=HELP_MARKUP,
)


def _print_version(value: bool) -> None:
    if value:
        out_console.print(__version__)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Measure, coach and track backward walking from phone and wearable recordings."""


def _measure(name: str) -> Callable[[float | None], float | None]:
    """The check of the body measure ``name``: the same range, and the same words, as a
    batch manifest's (:func:`~retrowalk.app.limits.body_measure`), and ``nan`` or ``inf``
    refused as not a number."""

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        try:
            return body_measure(name, value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    return check


def _limits(name: str) -> str:
    low, high, unit = BODY_LIMITS[name]
    return f"{low:g}-{high:g} {unit}"


# The options of an analysis, declared once: ``analyze`` and ``batch`` take them alike.
HeightOption = Annotated[
    float | None,
    typer.Option(
        help=f"Body height in metres ({_limits('height_m')}).", callback=_measure("height_m")
    ),
]
WeightOption = Annotated[
    float | None,
    typer.Option(help=f"Body mass in kg ({_limits('weight_kg')}).", callback=_measure("weight_kg")),
]
AgeOption = Annotated[
    float | None,
    typer.Option(help=f"Age in years ({_limits('age_years')}).", callback=_measure("age_years")),
]
AccUnitOption = Annotated[AccUnit, typer.Option(help="Acceleration unit.")]
GyroUnitOption = Annotated[GyroUnit, typer.Option(help="Angular-rate unit.")]
ProfileOption = Annotated[
    Path | None,
    typer.Option(
        help="Direction calibration profile (default: your stored one for the placement)."
    ),
]
NoProfileOption = Annotated[
    bool,
    typer.Option(
        "--no-profile",
        help="Leave your stored direction calibrations unused (the built-in direction rules only).",
    ),
]


def _request(
    placement: PlacementChoice,
    height_m: float | None,
    weight_kg: float | None,
    age_years: float | None,
    acc_unit: AccUnit,
    gyro_unit: GyroUnit,
    profile: Path | None,
    no_profile: bool,
    columns: str | None,
    **more: Any,
) -> AnalysisRequest:
    """The analysis options that analyze and batch share, as one request (``more``: the
    fields of analyze alone). --no-profile, which --profile (a calibration named) cannot
    go with, leaves the stored calibrations unused."""
    from retrowalk.app.analyse import AnalysisRequest

    if profile is not None and no_profile:
        raise AnalysisError(
            "--profile names a calibration to use and --no-profile uses none: give one"
        )
    return AnalysisRequest(
        placement=placement.value,
        height_m=height_m,
        weight_kg=weight_kg,
        age_years=age_years,
        profile=profile,
        use_stored_profiles=not no_profile,
        acc_unit=acc_unit.value,
        gyro_unit=gyro_unit.value,
        columns=columns,
        **more,
    )


ColumnsOption = Annotated[
    str | None,
    typer.Option(
        help="Columns of a CSV without a header line, in order, e.g. "
        "time_ns,_,acc_x,acc_y,acc_z. Names: time_s, time_ms, time_us, time_ns, "
        "time_iso; acc_x, acc_y, acc_z; gyr_x, gyr_y, gyr_z (optional); _ ignores "
        "a column."
    ),
]


@app.command("analyze", cls=OneLineUsageErrors)
@user_errors
def analyze_command(
    recording: Annotated[Path, typer.Argument(help="Recording file, folder or zip export.")],
    placement: Annotated[PlacementChoice, typer.Option(help=PLACEMENT_HELP)] = AUTO_PLACEMENT,
    height_m: HeightOption = None,
    weight_kg: WeightOption = None,
    age_years: AgeOption = None,
    acc_unit: AccUnitOption = AccUnit.auto,
    gyro_unit: GyroUnitOption = GyroUnit.auto,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the analysis JSON to PATH, or - for stdout.")
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="Write a report: .html (self-contained), .pdf or .png (summary)."),
    ] = None,
    annotate: Annotated[
        Path | None,
        typer.Option(help="Videos only: write the annotated video (.gif or .mp4)."),
    ] = None,
    profile: ProfileOption = None,
    no_profile: NoProfileOption = False,
    floor_marks: Annotated[
        str | None,
        typer.Option(
            help="Videos only: two points on the floor X1,Y1,X2,Y2 (pixels of the first "
            "frame) a known distance apart, for speed in metres."
        ),
    ] = None,
    floor_distance_m: Annotated[
        float | None,
        typer.Option(help="Videos only: the distance between the floor marks, in metres."),
    ] = None,
    child: Annotated[
        bool | None,
        typer.Option(
            "--child/--adult",
            help="Videos only: child (1-3 years) or adult proportions (default: from --age-years).",
        ),
    ] = None,
    columns: ColumnsOption = None,
) -> None:
    """Analyse one recording: walking bouts, direction, steps, speed and distance.

    \b
    Read (the format is recognised from the content):
    - Xsens MT Manager / MTw text export (.txt)
    - CSV / TSV / semicolon tables with a header: a time column and x, y, z
      acceleration (optional angular rate), e.g. the mobgap lab CSV
    - CSV without a header line: with --columns, or recognised by itself:
      phone logger (ns timestamp, accuracy flag, x, y, z in m/s^2) and
      Axivity CSV (unix seconds or date-time, x, y, z in g [, gyro deg/s]);
      also a folder or zip whose one acceleration table is such a file
    - phyphox CSV export: one table, the zip or the folder
    - Sensor Logger CSV export: the zip, the folder or one of its files
    - ActiLife raw CSV export (banner with rate and start time, Accelerometer
      X, Y, Z in g)
    - Axivity AX3 / AX6 .cwa (needs the wearables extra)
    - ActiGraph .gt3x, current and legacy NEO / GT3X+ (needs
      the wearables extra); info.txt sets placement and body measures
    - video: mp4, mov, avi, webm (needs the video extra)
    Refused: ActiLife epoch-count CSVs (activity counts, not raw acceleration).
    """
    from retrowalk.video.options import video_options_from_text

    request = _request(
        placement, height_m, weight_kg, age_years, acc_unit, gyro_unit, profile, no_profile,
        columns, video=video_options_from_text(floor_marks, floor_distance_m, child),
    )  # fmt: skip
    from retrowalk.app.calibration import UnreadableCalibrationError

    try:
        result = run_analysis(
            recording, request, show_progress=sys.stderr.isatty(), set_aside=_not_needed
        )
    except UnreadableCalibrationError as exc:  # the one of its placement
        raise _unreadable_calibration(exc, "nothing was analysed") from None
    if annotate is not None:
        from retrowalk.video import VIDEO_FORMAT

        if result.recording.format != VIDEO_FORMAT:
            raise AnalysisError(
                f"{recording}: --annotate applies to videos only (this is a "
                f"{result.recording.format} recording); nothing was written"
            )
        from retrowalk.video.annotate import write_annotated

        write_annotated(result, annotate)
    if report is not None:
        from retrowalk.report import write_report

        write_report(result, report)
    if json_out is not None:
        from retrowalk.summary.contract import write_json

        if json_out == "-":
            write_json(result, sys.stdout)
            return
        try:
            with Path(json_out).open("w", encoding="utf-8") as fh:
                write_json(result, fh)
        except OSError as exc:
            raise AnalysisError(
                f"{json_out}: cannot write the analysis JSON ({exc.strerror or exc})"
            ) from None
    print_summary(result, out_console)
    if report is not None:
        out_console.print(f"Report written to {report}")


@app.command("calibrate", cls=OneLineUsageErrors)
@user_errors
def calibrate_command(
    recording: Annotated[
        Path | None,
        typer.Argument(help="A walk you label, e.g. 20 m forward, 20 m back."),
    ] = None,
    labels: Annotated[
        str | None,
        typer.Option(
            help='Direction of each walking bout in time order: "forward,backward"; '
            '"skip" leaves a bout out (a turn, a stop).'
        ),
    ] = None,
    segments: Annotated[
        str | None,
        typer.Option(help='Walking periods in seconds instead: "0-30:forward,35-70:backward".'),
    ] = None,
    placement: Annotated[PlacementChoice, typer.Option(help=PLACEMENT_HELP)] = AUTO_PLACEMENT,
    profile: Annotated[
        Path | None,
        typer.Option(help="Write the profile here instead of your profile store."),
    ] = None,
    acc_unit: AccUnitOption = AccUnit.auto,
    gyro_unit: GyroUnitOption = GyroUnit.auto,
    columns: ColumnsOption = None,
    show: Annotated[
        bool,
        typer.Option(
            "--list", help="List your stored calibrations (used by analyze and batch) and stop."
        ),
    ] = False,
    remove: Annotated[
        StoredPlacement | None,
        typer.Option(help="Delete your stored calibration for this placement and stop."),
    ] = None,
    restore: Annotated[
        str | None,
        typer.Option(help="Use an earlier calibration again (its name from --list) and stop."),
    ] = None,
) -> None:
    """Learn how your device sits from a labelled walk, for later direction results.

    A calibration is stored per placement and used by `retrowalk analyze` and
    `retrowalk batch` for recordings worn the same way (--no-profile leaves it
    unused). A new one for a placement takes over; the one it replaces is kept
    as an earlier calibration. --list shows them all, --restore uses an earlier
    one again, --remove deletes the one in use.
    """
    from dataclasses import replace

    from retrowalk.app import calibration as cal
    from retrowalk.app.analyse import AnalysisRequest
    from retrowalk.cli.labels import parse_segments

    asked = [show, remove is not None, restore is not None]
    if any(asked):
        walk = [recording, labels, segments, profile, columns]
        if any(x is not None for x in walk) or sum(asked) > 1:
            raise AnalysisError(
                "--list, --remove and --restore go alone: without a recording, its labels "
                "or each other"
            )
        _stored_calibrations(remove.value if remove is not None else None, restore)
        return
    if recording is None:
        raise AnalysisError(
            "give the recording of a labelled walk (or --list, --remove, --restore)"
        )
    try:
        if (labels is None) == (segments is None):
            raise ValueError("give --labels or --segments (one of them)")
        wanted_labels = _labels(labels) if labels is not None else None
        wanted_segments = parse_segments(segments) if segments is not None else None
    except ValueError as exc:
        raise AnalysisError(f"calibration failed: {exc}") from None
    request = AnalysisRequest(
        placement=placement.value,
        use_stored_profiles=False,
        acc_unit=acc_unit.value,
        gyro_unit=gyro_unit.value,
        columns=columns,
    )
    result = run_analysis(recording, request, show_progress=sys.stderr.isatty())
    try:
        if problem := cal.calibration_walk_problem(result, "give --placement lower_back or pocket"):
            raise ValueError(problem)
        made = cal.profile_from_analysis(result, labels=wanted_labels, segments=wanted_segments)
        made = replace(made, made_from=recording.name)  # named by --list
    except ValueError as exc:
        raise AnalysisError(f"{recording}: calibration failed: {exc}") from None
    kept = ""
    path = profile or cal.stored_profile_path(made.placement)
    try:
        if profile:
            cal.save_profile(made, profile)
        else:
            kept = cal.store_profile_keeping_earlier(made)
    except ValueError as exc:  # the stored one cannot be read: nothing is written
        raise AnalysisError(
            f"{path}: the calibration in use cannot be read ({exc}); "
            f"retrowalk calibrate --remove {made.placement} deletes it"
        ) from None
    except OSError as exc:
        raise _not_written(exc, path, "the calibration was not stored") from None
    from retrowalk.report import display as shown

    steps = made.n_steps
    agreed = cal.describe_profile(made)["consistency_pct"]  # as the page and the API say it
    out_console.print(
        f"Direction profile for {made.placement} written to {path} "
        f"({steps.get('forward', 0)} forward, {steps.get('backward', 0)} backward steps; "
        f"labels fit {shown.percent(agreed)} % of steps)."
    )
    if kept:
        out_console.print(
            f"It replaces your earlier {made.placement} calibration, kept as {kept}: "
            f"retrowalk calibrate --restore {kept} uses it again."
        )
    for note in made.left_out_notes():
        out_console.print(f"Not used: {note}.")


def _labels(text: str) -> list[str]:
    """--labels read as the calibration page reads its labels (``skip`` leaves a bout out)."""
    from retrowalk.app.calibration import parse_bout_labels

    try:
        return parse_bout_labels(text)
    except ValueError as exc:
        raise ValueError(f"--labels: {exc}") from None


def _not_written(exc: OSError, path: Path, what: str) -> AnalysisError:
    """The one line of a calibration file that could not be written or deleted: the file
    (or folder) and why, ``what`` was not done, and that what was stored is as it was."""
    where = exc.filename or path
    if Path(where).name.startswith("."):  # the new file, written beside it first
        where = path
    why = exc.strerror or type(exc).__name__
    return AnalysisError(f"{where}: {why}: {what}; your stored calibrations are as they were")


def _stored_calibrations(remove: str | None, restore: str | None) -> None:
    """``retrowalk calibrate --list``, ``--remove PLACEMENT`` and ``--restore NAME``.

    A stored file that cannot be read (damaged, cut short, edited by hand) never stops
    the list: the others are listed, and it is named as could not be read, with what is
    wrong in it and how to delete it, as the web app's calibration page names it. So is
    a file named for one placement that holds another's calibration (renamed or copied
    by hand); analyze and batch refuse the recordings of the placement such a file is
    named for (:func:`_refuses`). A calibration in a file named for no placement (a copy
    kept) is named as not used.
    """
    from retrowalk.app import calibration as cal

    if remove is not None:
        path = cal.stored_profile_path(remove)
        try:
            removed = cal.remove_stored_profile(remove)
        except OSError as exc:
            raise _not_written(exc, path, "it was not removed") from None
        if not removed:
            raise AnalysisError(f"no stored calibration for {remove} ({path})")
        out_console.print(f"Removed your calibration for {remove} ({path}).")
        return
    store = cal.read_store()
    stored, damaged = store.found, store.unreadable
    earlier, damaged_earlier = cal.read_earlier_profiles()
    if restore is not None:
        _restore(restore, damaged, damaged_earlier)
        return
    if not stored and not damaged and not store.misplaced:
        out_console.print(
            f"No calibration in use ({cal.profile_store_dir()}): directions come from the "
            "built-in rules. Make one with: retrowalk calibrate WALK --labels forward,backward"
        )
    for placement, profile in stored.items():
        out_console.print(
            f"{placement}: {_described(profile)} ({cal.stored_profile_path(placement)})",
            markup=False,
        )
    for item in damaged.values():
        out_console.print(
            f"{item.placement}: could not be read (its file {item.path} is damaged or "
            f"incomplete: {item.problem}), {_refuses(item.path)}; {_fix(item, earlier)}.",
            markup=False,
            soft_wrap=True,  # its path whole, to copy
        )
    for wrong in store.misplaced:
        out_console.print(
            f"{wrong.placement}: not used: its file {wrong.path} holds a calibration made "
            f"for {wrong.holds} ({_made(wrong.profile)}), not {wrong.placement}, "
            f"{_refuses(wrong.path)}; {_fix_misplaced(wrong, stored)}.",
            markup=False,
            soft_wrap=True,
        )
    for path, profile in store.other:
        out_console.print(
            f"not used: {path} holds a calibration for {profile.placement} "
            f"({_made(profile)}), but only {cal.stored_profile_path(profile.placement).name} "
            f"is used for {profile.placement}",
            markup=False,
            soft_wrap=True,
        )
    for name, profile in earlier:
        out_console.print(
            f"earlier {profile.placement} ({name}): {_described(profile)}", markup=False
        )
    for item in damaged_earlier:
        out_console.print(
            f"earlier {item.placement} ({item.name}): could not be read (its file is damaged "
            f"or incomplete: {item.problem}), so it cannot be used again; delete {item.path}",
            markup=False,
            soft_wrap=True,
        )


_STORED_PLACEMENTS = frozenset(p.value for p in StoredPlacement)


def _removal(item: Any) -> str:
    """How to delete a stored calibration that cannot be read (``cal.Unreadable``)."""
    if item.placement in _STORED_PLACEMENTS:
        return f"retrowalk calibrate --remove {item.placement} deletes it"
    return f"delete {item.path}"


def _fix(item: Any, earlier: list[tuple[str, DirectionProfile]]) -> str:
    """What to do about a stored calibration that cannot be read (``cal.Unreadable``):
    delete it, then calibrate again or use an earlier one of its placement again."""
    then = ""
    if item.placement in _STORED_PLACEMENTS:
        again = any(p.placement == item.placement for _, p in earlier)
        then = ", then calibrate again" + (
            " or use an earlier one again (--restore NAME)" if again else ""
        )
    return f"{_removal(item)}{then}"


def _fix_misplaced(wrong: Any, stored: dict[str, DirectionProfile]) -> str:
    """What to do about a stored calibration file named for one placement that holds
    another's (``cal.Misplaced``): put it back where it belongs when that placement has
    none, or delete it and calibrate again."""
    from retrowalk.app import calibration as cal

    removal = (
        f"retrowalk calibrate --remove {wrong.placement} deletes it"
        if wrong.placement in _STORED_PLACEMENTS
        else f"delete {wrong.path}"
    )
    home = cal.stored_profile_path(wrong.holds)
    if wrong.holds not in stored and not home.exists():
        return f"move it to {home} to use it for {wrong.holds}, or {removal}"
    return f"{removal}, then calibrate again for {wrong.placement}"


def _made(profile: DirectionProfile) -> str:
    """When a calibration was made, and of which walk."""
    from retrowalk.app import calibration as cal

    about = cal.describe_profile(profile)
    return f"made {about['created_when']}" + (
        f" of {about['made_from']}" if about["made_from"] else ""
    )


def _refuses(path: Path) -> str:
    """What ``--list`` says a stored file that cannot be used stops: the analyses of the
    recordings of the placement it is named for (``cal.refused_by``), or none."""
    from retrowalk.app import calibration as cal

    placement = cal.refused_by(path)
    if not placement:
        return "so it is not used"
    return f"and analyze and batch refuse {placement} recordings"


def _unreadable_calibration(exc: Any, stopped: str) -> AnalysisError:
    """analyze's and batch's one line about the stored calibration of a recording's
    placement that cannot be used (``cal.UnreadableCalibrationError``): each file and
    what is wrong in it (what reading found, or that it holds another placement's
    calibration), what to do as ``calibrate --list`` says it, and --no-profile;
    ``stopped`` says what was not done."""
    return AnalysisError(
        f"{_calibrations_named(exc)}; or --no-profile analyses without your stored "
        f"calibrations ({stopped})"
    )


def _not_needed(placement: str, exc: Any) -> None:
    """analyze's one warning line about the stored calibrations that cannot be used and
    that the recording's analysis does not read (other placements')."""
    warn(
        f"{_calibrations_named(exc)} (this recording, analysed as {placement}, does not "
        f"use {_it_or_them(exc)})"
    )


def _refused_in_batch(store: Any) -> str:
    """batch's one warning line, before it starts, about the stored calibrations that
    cannot be used: the recordings of their placements are refused, the others analysed;
    empty when every stored calibration can be used."""
    unusable = store.unusable()
    if unusable is None:
        return ""
    refused = store.refused_placements()
    if not refused:
        return f"{_calibrations_named(unusable)} (no recording uses {_it_or_them(unusable)})"
    return (
        f"{_calibrations_named(unusable)}; until then the {' and '.join(refused)} "
        "recordings are refused, each with this reason in the errors table, and the "
        "others analysed"
    )


def _it_or_them(exc: Any) -> str:
    """How a sentence names the files of ``exc`` (``cal.UnreadableCalibrationError``)."""
    return "it" if len(exc.items) + len(exc.misplaced) == 1 else "them"


def _calibrations_named(exc: Any) -> str:
    """Each stored calibration file of ``exc`` (``cal.UnreadableCalibrationError``) that
    cannot be used, what is wrong in it and what to do, as ``calibrate --list`` says it."""
    from retrowalk.app import calibration as cal

    earlier, _ = cal.read_earlier_profiles()
    return "; ".join(
        [
            *(
                f"{item.placement}: your stored calibration could not be read (its file "
                f"{item.path} is damaged or incomplete: {item.problem}); {_fix(item, earlier)}"
                for item in exc.items
            ),
            *(
                f"{wrong.placement}: your stored calibration file {wrong.path} holds a "
                f"calibration made for {wrong.holds}, not {wrong.placement} (renamed or "
                f"copied?), so it is not used; {_fix_misplaced(wrong, exc.found)}"
                for wrong in exc.misplaced
            ),
        ]
    )


def _restore(name: str, damaged: dict[str, Any], damaged_earlier: list[Any]) -> None:
    """``retrowalk calibrate --restore NAME``; a file that cannot be read is named, with
    what to do, and nothing is changed."""
    from retrowalk.app import calibration as cal

    for item in damaged_earlier:
        if item.name == name:
            raise AnalysisError(
                f"{item.path}: this earlier calibration could not be read (its file is "
                f"damaged or incomplete: {item.problem}), so it cannot be used again; delete it"
            )
    known = dict(cal.read_earlier_profiles()[0])
    if name in known and known[name].placement in damaged:
        item = damaged[known[name].placement]
        raise AnalysisError(
            f"{item.path}: the calibration in use could not be read (its file is damaged or "
            f"incomplete: {item.problem}), so nothing was changed; {_removal(item)}, then "
            f"retrowalk calibrate --restore {name} uses the earlier one again"
        )
    try:
        back = cal.restore_earlier_profile(name)
    except ValueError as exc:  # a file that cannot be read, found meanwhile
        raise AnalysisError(str(exc)) from None
    except OSError as exc:
        raise _not_written(exc, cal.profile_store_dir(), f"{name} is not in use") from None
    if back is None:
        raise AnalysisError(
            f"no earlier calibration called {name!r}: retrowalk calibrate --list names them"
        )
    from retrowalk.report.display import made_when

    out_console.print(
        f"Your {back.placement} calibration of {made_when(back.created_at)} is in use "
        "again; the one it replaces is kept as an earlier calibration."
    )


def _described(profile: DirectionProfile) -> str:
    """A stored calibration in a line of ``--list``: when, what it learned, how it applies."""
    from retrowalk.app import calibration as cal

    about = cal.describe_profile(profile)
    steps = about["n_steps"]
    made_from = f" of {about['made_from']}" if about["made_from"] else ""
    return (
        f"made {about['created_when']}{made_from}, {steps.get('forward', 0)} forward and "
        f"{steps.get('backward', 0)} backward steps, used within {about['max_tilt_deg']} deg "
        "of how the device sat"
    )


@app.command("batch", cls=OneLineUsageErrors)
@user_errors
def batch_command(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="Recordings, folders (searched recursively) or manifest CSVs."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the result tables.")] = Path(
        "results"
    ),
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Dask scheduler address (tcp://host:port); default: local worker processes.",
            envvar="RETROWALK_DASK_SCHEDULER",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: all cores).", min=1)
    ] = None,
    serial: Annotated[bool, typer.Option(help="Run in this process, one file at a time.")] = False,
    placement: Annotated[PlacementChoice, typer.Option(help=PLACEMENT_HELP)] = AUTO_PLACEMENT,
    height_m: HeightOption = None,
    weight_kg: WeightOption = None,
    age_years: AgeOption = None,
    acc_unit: AccUnitOption = AccUnit.auto,
    gyro_unit: GyroUnitOption = GyroUnit.auto,
    profile: ProfileOption = None,
    no_profile: NoProfileOption = False,
    columns: ColumnsOption = None,
) -> None:
    """Analyse many recordings into tidy tables (Parquet and CSV), resumably.

    The analysis options are those of `retrowalk analyze` and apply to every
    recording; a manifest's placement, height_m, weight_kg and age_years
    columns replace them for its recordings.

    A folder search takes the files `retrowalk analyze` reads, videos included.
    Recordings done are kept in the --out folder's parts/ and not analysed
    again, also after their folder was moved, renamed or copied; at the end of a
    complete run, results superseded at their path (the file changed, other
    options) are removed from parts/.

    Ctrl-C or SIGTERM (a job scheduler's stop) sends no more work, cancels the
    work waiting and stops the local workers; what was done is kept and the same
    command goes on from there (exit code 130 or 143). A Dask cluster's workers
    finish the recordings they are analysing (the stop says how many). While
    local workers start, the stop waits for them to be up (a second or two) to
    stop them; once the tables are written, the run ends complete and leaves
    parts/ as it is. A second Ctrl-C while it stops stops at once: the stop's
    count is not made and the workers are not waited for, but what was done is
    kept all the same.
    """
    from retrowalk.app.analyse import stored_for
    from retrowalk.app.jobs.batch import (
        BatchStopped,
        ClusterError,
        check_writable,
        collect_inputs,
        run_batch,
    )
    from retrowalk.app.jobs.inputs import videos_note
    from retrowalk.app.jobs.stopping import stop_requests

    defaults = _request(
        placement, height_m, weight_kg, age_years, acc_unit, gyro_unit, profile, no_profile,
        columns,
    )  # fmt: skip
    if scheduler and workers is not None and not serial:
        raise ClusterError(
            f"--workers sets this machine's worker processes; with the Dask scheduler at "
            f"{scheduler} (--scheduler or RETROWALK_DASK_SCHEDULER) the cluster's workers "
            "analyse: leave out one of them"
        )
    if scheduler and serial:
        err_console.print(
            f"--serial: analysing in this process; the Dask scheduler at {scheduler} "
            "(--scheduler or RETROWALK_DASK_SCHEDULER) is not used"
        )
    if workers is not None and serial:
        err_console.print(
            f"--serial: analysing in this process, one file at a time; --workers {workers} "
            "is not used"
        )
    if columns is not None:  # one line now, not one error row per file
        from retrowalk.io.headerless import parse_columns

        parse_columns(columns, "--columns")
    # a stop from here on ends with the batch's own line (one asked before the work
    # begins stops it as it begins), a second one at once (_stopped_at_once)
    with (
        stopped_as_interrupt() as stop,
        stop_requests(
            lambda signum: _stopped_at_once(out, 128 + signum),
            # a Ctrl-C as the process exits killed it (exit code -2), the signal's
            # handlers being Python's no more: ignored from the end of the batch
            then_ignore=ends_process(),
        ) as requests,
    ):
        items = collect_inputs(inputs, out)
        store = stored_for(defaults)
        check_writable(out)
        if store is not None and (refused := _refused_in_batch(store)):
            warn(refused)
        if videos := videos_note(items):
            err_console.print(videos, soft_wrap=True)
        try:
            with BatchProgress(len(items), err_console) as progress:
                summary = run_batch(
                    items,
                    out,
                    defaults=defaults,
                    scheduler=scheduler,
                    n_workers=workers,
                    serial=serial,
                    on_result=progress.on_result,
                    on_stage=progress.on_stage,
                    refused_because=_refused_recording,
                    store=store,
                )
        except BatchStopped as stopped:
            err_console.print(_stopped_line(stopped, out), soft_wrap=True)
            raise typer.Exit(stop.exit_code) from None
        finally:
            requests.finished()  # a signal while this says how it ended is ignored
        out_console.print(summary.line(), soft_wrap=True)
        out_console.print(f"Tables written to {out}/ (recordings, bouts, steps, errors)")
        if parts := summary.parts_line():
            out_console.print(parts, soft_wrap=True)


def _stopped_at_once(out: Path, exit_code: int) -> None:
    """A second Ctrl-C (or SIGTERM) while a batch stops: say so and exit now, without
    waiting for the workers (local ones exit with this process) or counting what is done.
    Every part, done marker and table is put in place whole, so the folder holds what the
    first stop would have kept, and the same command goes on from there."""
    import os

    line = (
        f"Stopped at once: what was done is kept in {out}/parts; run the same command "
        "again to go on (done recordings are not analysed again). The tables are written "
        "once all are done."
    )
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    from multiprocessing import util

    # what multiprocessing frees at exit (the local workers' semaphores), not what waits
    # (joining its queues' threads): else a helper process of it warns of them, leaked
    util._run_finalizers(0)  # type: ignore[attr-defined]
    show_cursor = "\x1b[?25h" if sys.stderr.isatty() else ""  # a progress bar hid it
    os.write(2, f"{show_cursor}\n{line}\n".encode())
    os._exit(exit_code)


def _refused_recording(exc: Any) -> str:
    """A batch recording's reason in ``errors`` when the stored calibration of the
    placement it is analysed as worn at cannot be used: analyze's one line."""
    return str(_unreadable_calibration(exc, "not analysed"))


def _stopped_line(stopped: Any, out: Path) -> str:
    """What a stopped batch says (``BatchStopped``): how many recordings are done, and
    what a Dask cluster's workers go on with (a running task cannot be stopped)."""
    go_on = (
        "run the same command again to go on (done recordings are not analysed again). "
        "The tables are written once all are done."
    )
    if stopped.running == 0:
        done = f"{stopped.done} of {stopped.total} recordings done"
        return f"Stopped: {done}, kept in {out}/parts; {go_on}"
    if stopped.running is None:
        running = "what the cluster's workers were analysing could not be stopped and may finish"
    else:
        n = stopped.running
        running = (
            f"the cluster's workers were analysing {n} more recording{'s' if n != 1 else ''}, "
            f"which could not be stopped: {'they' if n != 1 else 'it'} may finish and be kept"
        )
    return (
        f"Stopped: at least {stopped.done} of {stopped.total} recordings done, kept in "
        f"{out}/parts; no more work was sent and the work waiting was cancelled, but "
        f"{running}; {go_on}"
    )


@app.command("version")
def version_command() -> None:
    """Print the retrowalk version."""
    out_console.print(__version__)


@app.command("demo")
@user_errors
def demo_command(
    serve: Annotated[
        bool, typer.Option(help="Start the web app with the demo data afterwards.")
    ] = True,
    port: Annotated[int, typer.Option(help="Port for the web app.")] = 8000,
    report: Annotated[Path, typer.Option(help="Where to write the demo report.")] = Path(
        "retrowalk-demo-report.html"
    ),
) -> None:
    """Analyse the demo's latest session with its calibration, write its report, start the app.

    The demo person walks forward and backward: one real take from the CMU
    motion capture database, as lower-back sensor signals, joined end to end
    into weekly sessions (see NOTICE).
    """
    import tempfile
    from dataclasses import replace

    from retrowalk.app.analyse import analyse_file
    from retrowalk.app.demo import (
        DEMO_PLACEMENT,
        DEMO_SESSIONS,
        PROVENANCE,
        demo_profile,
        session_csv,
    )
    from retrowalk.pipeline import AnalysisOptions
    from retrowalk.report import write_report

    latest = DEMO_SESSIONS[-1]
    profile = demo_profile()
    out_console.print(
        f"Demo calibration made from the week-1 walk, labelled forward then backward "
        f"({profile.n_steps.get('forward', 0)} forward, "
        f"{profile.n_steps.get('backward', 0)} backward steps)."
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / latest.file_name
        path.write_bytes(session_csv(latest.copies))
        result = analyse_file(
            path,
            AnalysisOptions(placement=DEMO_PLACEMENT, direction_profile=profile),
            display_name=latest.file_name,
        )
    result = replace(result, notes=[PROVENANCE, *result.notes])
    print_summary(result, out_console)
    write_report(result, report)
    out_console.print(f"Report written to {report}")
    if serve:
        from retrowalk.cli.serve import run_server

        run_server(port=port, demo=True)


app.command("serve")(serve_command)
app.add_typer(child_app, name="child")
app.add_typer(learn_app, name="learn")
app.add_typer(plan_app, name="plan")
app.add_typer(log_app, name="log")
app.add_typer(test_app, name="test")
app.add_typer(account_app, name="account")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

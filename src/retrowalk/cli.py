"""The ``retrowalk`` command line: parse, call, print.

No analysis logic lives here; every command calls the same functions the web
app and batch processing use. Every :class:`~retrowalk.errors.RetrowalkError`
becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from retrowalk import __version__
from retrowalk.analysis import Analysis, AnalysisOptions, analyze
from retrowalk.errors import RetrowalkError
from retrowalk.io import read_recording

app = typer.Typer(
    name="retrowalk",
    help="Measure, coach and track backward walking from phone and wearable recordings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)
out_console = Console()

F = TypeVar("F", bound=Callable[..., Any])


class PlacementChoice(str, Enum):
    auto = "auto"
    lower_back = "lower_back"
    pocket = "pocket"
    foot = "foot"


class AccUnit(str, Enum):
    auto = "auto"
    g = "g"
    mps2 = "mps2"


class GyroUnit(str, Enum):
    auto = "auto"
    dps = "dps"
    rads = "rads"


def _user_errors(func: F) -> F:
    """Turn RetrowalkError into one stderr line and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RetrowalkError as exc:
            err_console.print(f"retrowalk: error: {exc}", markup=False, highlight=False)
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


def run_analysis(
    recording_path: Path,
    options: AnalysisOptions,
    acc_unit: str = "auto",
    gyro_unit: str = "auto",
    *,
    show_progress: bool = True,
) -> Analysis:
    """Read and analyse one file, with a progress display on stderr."""
    with err_console.status(
        f"Reading {recording_path.name}…", spinner="dots"
    ) if show_progress else _nullcontext() as status:
        recording = read_recording(
            recording_path, acc_unit=acc_unit, gyro_unit=gyro_unit, placement=options.placement
        )
        if status is not None:
            status.update(f"Analysing {recording.duration_s / 60:.1f} min of data…")
        return analyze(recording, options)


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def print_summary(analysis: Analysis, console: Console) -> None:
    """A short human-readable table of the bouts found."""
    rec = analysis.recording
    console.print(
        f"[bold]{Path(rec.path).name}[/bold]: {rec.format}, {rec.duration_s:.1f} s at "
        f"{rec.sampling_rate_hz:g} Hz, placement {analysis.placement}"
    )
    table = Table(title=f"{len(analysis.bouts)} walking bouts")
    for column in ("start s", "end s", "direction", "steps", "cadence /min", "speed m/s", "dist m"):
        table.add_column(column, justify="right")
    for bout in analysis.bouts:
        table.add_row(
            f"{bout.start_s:.1f}",
            f"{bout.end_s:.1f}",
            bout.direction,
            str(bout.n_steps),
            f"{bout.cadence_spm:.0f}",
            "-" if bout.speed_mps is None else f"{bout.speed_mps:.2f}",
            "-" if bout.distance_m is None else f"{bout.distance_m:.1f}",
        )
    console.print(table)
    for direction in ("forward", "backward"):
        totals = analysis.direction_totals(direction)
        console.print(
            f"{direction:>8}: {totals['steps']} steps, {totals['duration_s']:.0f} s, "
            f"{totals['distance_m']:.0f} m"
        )


@app.command("analyze")
@_user_errors
def analyze_command(
    recording: Annotated[Path, typer.Argument(help="Recording file, folder or zip export.")],
    placement: Annotated[
        PlacementChoice, typer.Option(help="Where the device was worn.")
    ] = PlacementChoice.auto,
    height_m: Annotated[float | None, typer.Option(help="Body height in metres.", min=0.5, max=2.6)] = None,
    weight_kg: Annotated[float | None, typer.Option(help="Body mass in kg.", min=2.0, max=400.0)] = None,
    age_years: Annotated[float | None, typer.Option(help="Age in years.", min=0.0, max=120.0)] = None,
    acc_unit: Annotated[AccUnit, typer.Option(help="Acceleration unit.")] = AccUnit.auto,
    gyro_unit: Annotated[GyroUnit, typer.Option(help="Angular-rate unit.")] = GyroUnit.auto,
    json_out: Annotated[
        str | None, typer.Option("--json", help="Write the analysis JSON to PATH, or - for stdout.")
    ] = None,
) -> None:
    """Analyse one recording: walking bouts, direction, steps, speed and distance."""
    options = AnalysisOptions(
        placement=placement.value, height_m=height_m, weight_kg=weight_kg, age_years=age_years
    )
    result = run_analysis(
        recording, options, acc_unit.value, gyro_unit.value, show_progress=sys.stderr.isatty()
    )
    if json_out == "-":
        sys.stdout.write(result.to_json() + "\n")
        return
    if json_out is not None:
        Path(json_out).write_text(result.to_json() + "\n", encoding="utf-8")
    print_summary(result, out_console)


@app.command("version")
def version_command() -> None:
    """Print the retrowalk version."""
    out_console.print(__version__)


def demo_recording_path() -> Path:
    """The bundled demo recording (Mobilise-D example data, Apache-2.0; see NOTICE)."""
    from importlib.resources import files

    return Path(str(files("retrowalk") / "data" / "demo" / "HA_001_Test11_Trial1.csv"))


@app.command("demo")
@_user_errors
def demo_command() -> None:
    """Analyse the bundled demo recording (a real lower-back recording of daily-life walking)."""
    path = demo_recording_path()
    options = AnalysisOptions(placement="lower_back", height_m=1.59, weight_kg=73.0)
    result = run_analysis(path, options)
    print_summary(result, out_console)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

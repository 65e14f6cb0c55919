"""PDF and PNG reports, drawn with matplotlib.

The PDF holds, on A4 pages: the summary with the timeline and cadence/speed over
time; the per-bout table; steadiness, assumptions and the energy model; what the
numbers mean. The PNG is the first page, for sharing. Numbers are the JSON
values, formatted as in the HTML report.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.table import Table

from retrowalk import __version__
from retrowalk.core.types import Direction
from retrowalk.report import content
from retrowalk.report.figures import (
    LABEL,
    PALETTE,
    STYLE,
    draw_cadence,
    draw_speed,
    draw_timeline,
)
from retrowalk.report.html import STEADINESS_ROWS, bout_columns

A4 = (8.27, 11.69)
BOUT_ROWS_PER_PAGE = 40


def _table(
    ax: Axes,
    rows: list[list[str]],
    header: list[str],
    *,
    fontsize: float = 8,
    text_columns: tuple[int, ...] = (0,),
    col_widths: list[float] | None = None,
) -> Table:
    """A table filling ``ax``; numbers right-aligned, ``text_columns`` left-aligned."""
    ax.axis("off")
    if not rows:
        rows = [["" for _ in header]]
    table = ax.table(
        cellText=rows,
        colLabels=header,
        loc="upper center",
        cellLoc="right",
        colWidths=col_widths,
    )
    table.auto_set_font_size(False)
    table.set_fontsize(fontsize)
    table.scale(1.0, 1.25)
    for (r, c), cell in table.get_celld().items():
        cell.set_edgecolor("#cccccc")
        if c in text_columns:
            cell.get_text().set_horizontalalignment("left")
            cell.PAD = 0.03
        if r == 0:
            cell.set_facecolor("#eeeeee")
            cell.set_text_props(weight="bold")
            if any("\n" in h for h in header):
                cell.set_height(cell.get_height() * 2.0)
    return table


def _directions(data: Mapping[str, Any]) -> list[str]:
    dirs: list[str] = [Direction.BACKWARD, Direction.FORWARD]
    if data["session"][Direction.UNCERTAIN]["n_bouts"]:
        dirs.append(Direction.UNCERTAIN)
    return dirs


def summary_rows(data: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The summary table: one column per direction, one row per measure."""
    s = data["session"]
    dirs = _directions(data)
    measures = [
        ("n_bouts", "Bouts", ""),
        ("steps", "Steps", ""),
        ("duration_s", "Time", "s"),
        ("distance_m", "Distance", "m"),
        ("mean_speed_mps", "Average speed", "m/s"),
        ("mean_cadence_spm", "Cadence", "steps/min"),
        ("energy_kcal", "Energy, gross", "kcal"),
        ("net_energy_kcal", "Energy, net", "kcal"),
        ("mean_met", "Average MET", ""),
    ]
    header = ["", *[LABEL[d] for d in dirs]]
    rows = [
        [f"{name} ({unit})" if unit else name, *[content.fmt(s[d][key]) for d in dirs]]
        for key, name, unit in measures
    ]
    return header, rows


def _session_lines(data: Mapping[str, Any]) -> list[str]:
    s = data["session"]
    pattern = s["interval_pattern"]
    longest = s["longest_backward_bout"]
    return [
        f"Walking time {content.fmt(s['walking_s'])} s ({content.human_duration(s['walking_s'])})"
        f" in {s['n_bouts']} bouts; direction switches: {s['direction_switches']}.",
        f"Interval pattern: {pattern['description'] if pattern else 'none found'}.",
        "Longest backward bout: "
        + (
            f"{content.fmt(longest['duration_s'])} s, {longest['n_steps']} steps."
            if longest
            else "none."
        ),
        f"Energy: {content.fmt(s['energy']['kcal'])} kcal gross, "
        f"{content.fmt(s['energy']['net_kcal'])} kcal net (above rest).",
        content.calibration_text(data),
    ]


def first_page(data: Mapping[str, Any]) -> Figure:
    """Summary, timeline, cadence and speed on one A4 page."""
    rec = data["recording"]
    name = (rec.get("path") or "recording").replace("\\", "/").rsplit("/", 1)[-1]
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=A4, layout="constrained")
        grid = fig.add_gridspec(5, 1, height_ratios=[2.9, 0.9, 1.4, 1.5, 1.5])
        head = fig.add_subplot(grid[0])
        head.axis("off")
        head.set_title(f"Walking report: {name}", loc="left", fontsize=14)
        head.text(
            0.0,
            1.0,
            f"Recording of {content.human_duration(rec.get('duration_s'))}; placement: "
            f"{str(rec.get('placement', 'auto')).replace('_', ' ')}; weight "
            f"{content.fmt(data['assumptions'].get('weight_kg'))} kg "
            f"({data['assumptions'].get('weight_source', '')}).",
            transform=head.transAxes,
            va="top",
            fontsize=9,
        )
        header, rows = summary_rows(data)
        table_ax = head.inset_axes((0.0, 0.0, 1.0, 0.88))
        _table(table_ax, rows, header, fontsize=8.5)
        for j, d in enumerate(_directions(data), start=1):
            table_ax.tables[0][0, j].set_facecolor(PALETTE[d])
        facts = fig.add_subplot(grid[1])
        facts.axis("off")
        facts.text(
            0.0,
            1.0,
            "\n".join(_session_lines(data)),
            va="top",
            fontsize=9,
            transform=facts.transAxes,
            linespacing=1.5,
        )
        draw_timeline(fig.add_subplot(grid[2]), data)
        ax_c = fig.add_subplot(grid[3])
        draw_cadence(ax_c, data)
        draw_speed(fig.add_subplot(grid[4], sharex=ax_c), data)
    return fig


def bout_pages(data: Mapping[str, Any]) -> list[Figure]:
    """The per-bout table, ``BOUT_ROWS_PER_PAGE`` rows per A4 page."""
    cols = bout_columns(data)
    header = ["Bout"] + [f"{name}\n({unit})" if unit else name for _, name, unit in cols]
    rows = [
        [str(i + 1)] + [content.fmt(b.get(key)) for key, _, _ in cols]
        for i, b in enumerate(data["bouts"])
    ]
    pages = []
    chunks = [rows[i : i + BOUT_ROWS_PER_PAGE] for i in range(0, len(rows), BOUT_ROWS_PER_PAGE)]
    for k, chunk in enumerate(chunks or [[]]):
        with mpl.rc_context(STYLE):
            fig = Figure(figsize=A4, layout="constrained")
            ax = fig.add_subplot()
            ax.set_title(
                "Bouts" + (f" (page {k + 1} of {len(chunks)})" if len(chunks) > 1 else ""),
                loc="left",
            )
            table = _table(ax, chunk, header, fontsize=7)
            col = 1 + [key for key, _, _ in cols].index("direction")
            for r, row in enumerate(chunk, start=1):
                if row[col] in PALETTE:
                    table[r, col].set_facecolor(PALETTE[row[col]])
                    table[r, col].set_alpha(0.35)
            if not rows:
                ax.text(0.5, 0.5, "No walking bouts found.", ha="center", transform=ax.transAxes)
        pages.append(fig)
    return pages


def _wrapped(lines: list[str], width: int) -> str:
    return "\n".join(textwrap.fill(line, width) for line in lines)


def details_page(data: Mapping[str, Any]) -> Figure:
    """Steadiness, assumptions and the energy model."""
    st = data["session"]["steadiness"]
    groups = [
        (Direction.BACKWARD, "Backward"),
        (Direction.FORWARD, "Forward"),
        ("all", "All walking"),
    ]
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=A4, layout="constrained")
        grid = fig.add_gridspec(3, 1, height_ratios=[1.0, 1.7, 1.6])
        ax = fig.add_subplot(grid[0])
        ax.set_title("Steadiness", loc="left")
        _table(
            ax,
            [
                [
                    f"{name} ({unit})" if unit else name,
                    *[content.fmt(st[g][key]) for g, _ in groups],
                ]
                for key, name, unit in STEADINESS_ROWS
            ],
            ["Measure", *[n for _, n in groups]],
        )
        ax = fig.add_subplot(grid[1])
        ax.set_title("Assumptions", loc="left")
        assumed = content.assumption_rows(data)
        rows = [
            [what, textwrap.shorten(value, 48), textwrap.shorten(src, 62)]
            for what, value, src in assumed
            if not what.startswith("Note")
        ]
        _table(
            ax,
            rows,
            ["What", "Value", "Where it came from"],
            fontsize=7.5,
            text_columns=(0, 1, 2),
            col_widths=[0.2, 0.35, 0.45],
        )
        notes = [f"{what}: {value}" for what, value, _ in assumed if what.startswith("Note")]
        ax = fig.add_subplot(grid[2])
        ax.axis("off")
        ax.set_title("How energy is estimated", loc="left")
        ax.text(
            0.0,
            1.0,
            _wrapped([content.energy_explanation(), "", *notes], 110),
            va="top",
            fontsize=8,
            transform=ax.transAxes,
            linespacing=1.4,
        )
    return fig


def glossary_page() -> Figure:
    """What each number means, in plain words."""
    lines = [line for term, meaning in content.GLOSSARY for line in (f"{term}: {meaning}", "")]
    lines += ["", *content.CAVEATS, "", f"retrowalk {__version__}"]
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=A4, layout="constrained")
        ax = fig.add_subplot()
        ax.axis("off")
        ax.set_title("What the numbers mean", loc="left")
        ax.text(
            0.0,
            1.0,
            _wrapped(lines, 105),
            va="top",
            fontsize=8.5,
            transform=ax.transAxes,
            linespacing=1.45,
        )
    return fig


def write_pdf(data: Mapping[str, Any], path: Path) -> None:
    """Write the multi-page PDF report."""
    pages = [first_page(data), *bout_pages(data), details_page(data), glossary_page()]
    with PdfPages(
        path, metadata={"Title": "retrowalk walking report", "CreationDate": None}
    ) as pdf:
        for fig in pages:
            pdf.savefig(fig)


def write_png(data: Mapping[str, Any], path: Path, dpi: int = 150) -> None:
    """Write the first page (summary, timeline, cadence and speed) as a PNG image."""
    with mpl.rc_context(STYLE):
        first_page(data).savefig(path, format="png", dpi=dpi, metadata={"Software": None})

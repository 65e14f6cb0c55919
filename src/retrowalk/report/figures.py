"""Figures of the report, drawn with matplotlib from the analysis JSON.

Every figure is drawn from the same dictionary the JSON contract holds
(``Analysis.to_dict()`` plus ``"session"``), so what the pictures show and what
the numbers say cannot drift apart. Only the object-oriented matplotlib API is
used (no pyplot state), so figures can be drawn from any thread or process.

Colours are the Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008, "Color
Universal Design"); directions are also told apart by hatching and by their own
row and label, so no information depends on colour alone.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.typing import RcKeyType

from retrowalk.core.types import Direction
from retrowalk.summary.totals import STEP_TIME_MEDIAN_RATIO, STEP_TIME_RANGE_S

#: Okabe-Ito: blue, orange, grey.
F, B, U = Direction.FORWARD, Direction.BACKWARD, Direction.UNCERTAIN
PALETTE: dict[str, str] = {F: "#0072B2", B: "#E69F00", U: "#999999"}
HATCH: dict[str, str] = {F: "", B: "///", U: "..."}
MARKER: dict[str, str] = {F: "o", B: "s", U: "D"}
#: Columns of the steadiness tables: each direction, then all walking.
STEADINESS_COLUMNS: list[tuple[str, str]] = [
    (B, "Backward"),
    (F, "Forward"),
    ("all", "All walking"),
]
LABEL: dict[str, str] = {
    F: "Forward",
    B: "Backward",
    U: "Direction uncertain",
}
ROWS = (U, F, B)
GAP_COLOUR = "#DDDDDD"

STYLE: dict[RcKeyType, Any] = {
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "svg.hashsalt": "retrowalk",
}


def time_scale(duration_s: float) -> tuple[float, str]:
    """Divisor and axis label for times: minutes for recordings of 3 min or more."""
    return (
        (60.0, "time since start of recording (min)")
        if duration_s >= 180
        else (
            1.0,
            "time since start of recording (s)",
        )
    )


def _duration(data: Mapping[str, Any]) -> float:
    rec_s = float(data["recording"].get("duration_s") or 0.0)
    last = max((b["end_s"] for b in data["bouts"]), default=0.0)
    return max(rec_s, last, 1.0)


def draw_timeline(ax: Axes, data: Mapping[str, Any]) -> None:
    """Bouts as bars on one row per direction; gaps in the recording shaded."""
    div, xlabel = time_scale(_duration(data))
    for gap in data["recording"].get("gaps", []):
        ax.axvspan(gap["start_s"] / div, gap["end_s"] / div, color=GAP_COLOUR, lw=0, zorder=0)
    present = {b["direction"] for b in data["bouts"]}
    rows = [r for r in ROWS if r != U or U in present]
    for y, direction in enumerate(rows):
        spans = [
            (b["start_s"] / div, (b["end_s"] - b["start_s"]) / div)
            for b in data["bouts"]
            if b["direction"] == direction
        ]
        if spans:
            ax.broken_barh(
                spans,
                (y - 0.35, 0.7),
                facecolors=PALETTE[direction],
                edgecolors="black",
                linewidth=0.6,
                hatch=HATCH[direction],
            )
    ax.set_yticks(range(len(rows)), [LABEL[r] for r in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0, _duration(data) / div)
    ax.set_xlabel(xlabel)
    ax.set_title("Timeline: walking bouts by direction")
    ax.grid(axis="x", alpha=0.3)
    handles = [
        Patch(facecolor=PALETTE[r], edgecolor="black", hatch=HATCH[r], label=LABEL[r])
        for r in reversed(rows)
    ]
    if data["recording"].get("gaps"):
        handles.append(Patch(facecolor=GAP_COLOUR, label="no data (gap)"))
    ax.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=4, frameon=False
    )
    if not data["bouts"]:
        ax.text(0.5, 0.5, "No walking found", transform=ax.transAxes, ha="center", va="center")


def step_cadence(data: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Step-by-step cadence (steps/min, ``60 / step time``) within each bout.

    Returns times (s, the later contact), cadences and directions. Step times are
    screened as for the steadiness measures (:mod:`retrowalk.summary.totals`): outside
    0.2-2.0 s or 0.5-1.5 times the bout's median (pauses, missed or extra contacts)
    they are left out.
    """
    by_bout: dict[int, list[float]] = {}
    for s in data["steps"]:
        if not s.get("inferred"):
            by_bout.setdefault(s["bout"], []).append(s["time_s"])
    times: list[float] = []
    cads: list[float] = []
    dirs: list[str] = []
    for i, ts in by_bout.items():
        t = np.sort(np.asarray(ts))
        dt = np.diff(t)
        if dt.size == 0:
            continue
        med = float(np.median(dt))
        (lo, hi), (rlo, rhi) = STEP_TIME_RANGE_S, STEP_TIME_MEDIAN_RATIO
        ok = (dt >= lo) & (dt <= hi) & (dt >= rlo * med) & (dt <= rhi * med)
        direction = data["bouts"][i]["direction"] if 0 <= i < len(data["bouts"]) else U
        times.extend(t[1:][ok])
        cads.extend(60.0 / dt[ok])
        dirs.extend([direction] * int(ok.sum()))
    return np.asarray(times), np.asarray(cads), dirs


def draw_cadence(ax: Axes, data: Mapping[str, Any]) -> None:
    """Step-by-step cadence (dots) and each bout's cadence (line)."""
    div, xlabel = time_scale(_duration(data))
    t, c, dirs = step_cadence(data)
    for direction in ROWS:
        sel = np.array([d == direction for d in dirs], dtype=bool)
        if sel.any():
            ax.plot(
                t[sel] / div,
                c[sel],
                ".",
                ms=3,
                alpha=0.5,
                color=PALETTE[direction],
                rasterized=len(t) > 2000,  # keeps SVG/PDF small for long recordings
            )
    for b in data["bouts"]:
        ax.hlines(
            b["cadence_spm"],
            b["start_s"] / div,
            b["end_s"] / div,
            color=PALETTE[b["direction"]],
            lw=2.5,
        )
    ax.set_xlim(0, _duration(data) / div)
    ax.set_ylabel("cadence (steps/min)")
    ax.set_xlabel(xlabel)
    ax.set_title("Cadence over time (dots: each step; lines: bout average)")
    ax.grid(alpha=0.3)
    if not data["bouts"]:
        ax.text(0.5, 0.5, "No walking found", transform=ax.transAxes, ha="center", va="center")


def draw_speed(ax: Axes, data: Mapping[str, Any]) -> None:
    """Each bout's average speed as a line over the bout."""
    div, xlabel = time_scale(_duration(data))
    known = [b for b in data["bouts"] if b.get("speed_mps") is not None]
    for b in known:
        ax.hlines(
            b["speed_mps"],
            b["start_s"] / div,
            b["end_s"] / div,
            color=PALETTE[b["direction"]],
            lw=3,
        )
        ax.plot(
            (b["start_s"] + b["end_s"]) / 2 / div,
            b["speed_mps"],
            marker=MARKER[b["direction"]],
            color=PALETTE[b["direction"]],
            mec="black",
            mew=0.5,
            ms=5,
        )
    ax.set_xlim(0, _duration(data) / div)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("speed (m/s)")
    ax.set_xlabel(xlabel)
    ax.set_title("Speed over time (bout averages)")
    ax.grid(alpha=0.3)
    if not known:
        ax.text(0.5, 0.5, "No speed estimate", transform=ax.transAxes, ha="center", va="center")
    handles = [
        Line2D(
            [],
            [],
            color=PALETTE[d],
            lw=3,
            marker=MARKER[d],
            mec="black",
            mew=0.5,
            label=LABEL[d],
        )
        for d in (B, F, U)
        if any(b["direction"] == d for b in known)
    ]
    if handles:
        ax.set_ylim(top=max(b["speed_mps"] for b in known) * 1.35)
        ax.legend(handles=handles, loc="upper right", fontsize=8, frameon=False, ncol=3)


def timeline_figure(data: Mapping[str, Any]) -> Figure:
    """The timeline on its own figure."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(9.5, 2.6), layout="constrained")
        draw_timeline(fig.add_subplot(), data)
    return fig


def cadence_speed_figure(data: Mapping[str, Any]) -> Figure:
    """Cadence and speed over time, sharing the time axis."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(9.5, 5.0), layout="constrained")
        ax_c, ax_s = fig.subplots(2, 1, sharex=True)
        draw_cadence(ax_c, data)
        draw_speed(ax_s, data)
        ax_c.set_xlabel("")
    return fig


def svg_data_uri(fig: Figure) -> str:
    """The figure as an SVG ``data:`` URI (self-contained, no external reference)."""
    buf = io.BytesIO()
    with mpl.rc_context(STYLE):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

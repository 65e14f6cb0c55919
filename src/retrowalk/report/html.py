"""A single self-contained HTML report.

Everything is inside the one file: styles inline, figures as SVG ``data:`` URIs
drawn by matplotlib. It opens without a network connection and makes no request.
Every number shown is the JSON value itself (same rounding) and carries its JSON
path in ``data-json`` (e.g. ``bouts.3.speed_mps``), so the report can be checked
against the JSON mechanically.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from retrowalk import __version__
from retrowalk.core.types import Direction
from retrowalk.report import content, display
from retrowalk.report.figures import (
    LABEL,
    cadence_speed_figure,
    svg_data_uri,
    timeline_figure,
)
from retrowalk.report.page import CSS, PAGE
from retrowalk.summary.contract import uncertain_reasons
from retrowalk.video.report import video_section_html


def _num(data_path: str, value: Any, unit: str = "") -> str:
    text = content.fmt(value)
    unit_html = (
        f' <span class="unit">{html.escape(unit)}</span>' if unit and value is not None else ""
    )
    return (
        f'<span class="num" data-json="{html.escape(data_path)}">{html.escape(text)}</span>'
        f"{unit_html}"
    )


def _hint(seconds: float) -> str:
    """Minutes and seconds beside a duration of a minute or more."""
    if seconds < 60:
        return ""
    return f' <span class="hint">({content.human_duration(seconds)})</span>'


def _direction_label(direction: str) -> str:
    return (
        f'<span class="swatch {html.escape(direction)}" aria-hidden="true"></span>'
        f"{html.escape(LABEL.get(direction, direction))}"
    )


def _card(data: Mapping[str, Any], direction: str) -> str:
    t = data["session"][direction]
    p = f"session.{direction}"
    rows = [
        ("Bouts", _num(f"{p}.n_bouts", t["n_bouts"])),
        ("Steps", _num(f"{p}.steps", t["steps"])),
        (
            "Time",
            _num(f"{p}.duration_s", t["duration_s"], "s") + _hint(t["duration_s"]),
        ),
        ("Distance", _num(f"{p}.distance_m", t["distance_m"], "m")),
        ("Average speed", _num(f"{p}.mean_speed_mps", t["mean_speed_mps"], "m/s")),
        ("Cadence", _num(f"{p}.mean_cadence_spm", t["mean_cadence_spm"], "steps/min")),
        ("Energy", _num(f"{p}.energy_kcal", t["energy_kcal"], "kcal")),
        ("Average MET", _num(f"{p}.mean_met", t["mean_met"])),
    ]
    items = "\n".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    return (
        f'<section class="card {direction}" aria-labelledby="card-{direction}">\n'
        f'<h3 id="card-{direction}">{_direction_label(direction)}</h3>\n<dl>\n{items}\n</dl>\n'
        "</section>"
    )


def _session_card(data: Mapping[str, Any]) -> str:
    s = data["session"]
    pattern = s["interval_pattern"]
    longest = s["longest_backward_bout"]
    rows = [
        (
            "Walking time",
            _num("session.walking_s", s["walking_s"], "s") + _hint(s["walking_s"]),
        ),
        ("Bouts", _num("session.n_bouts", s["n_bouts"])),
        ("Direction switches", _num("session.direction_switches", s["direction_switches"])),
        (
            "Interval pattern",
            html.escape(pattern["description"]) if pattern else "none found",
        ),
        (
            "Longest backward bout",
            (
                _num("session.longest_backward_bout.duration_s", longest["duration_s"], "s")
                + f" ({_num('session.longest_backward_bout.n_steps', longest['n_steps'])} steps)"
            )
            if longest
            else "none",
        ),
        ("Energy, gross", _num("session.energy.kcal", s["energy"]["kcal"], "kcal")),
        (
            "Energy, net (above rest)",
            _num("session.energy.net_kcal", s["energy"]["net_kcal"], "kcal"),
        ),
    ]
    items = "\n".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    return (
        '<section class="card session" aria-labelledby="card-session">\n'
        f'<h3 id="card-session">Whole session</h3>\n<dl>\n{items}\n</dl>\n</section>'
    )


#: Columns of the per-bout table: (JSON key, header, unit).
BOUT_COLUMNS: list[tuple[str, str, str]] = [
    ("start_s", "Start", "s"),
    ("end_s", "End", "s"),
    ("direction", "Direction", ""),
    ("direction_confidence", "Confidence", "0-1"),
    ("n_steps", "Steps", ""),
    ("cadence_spm", "Cadence", "steps/min"),
    ("speed_mps", "Speed", "m/s"),
    ("distance_m", "Distance", "m"),
    ("step_length_m", "Step length", "m"),
    ("energy_kcal", "Energy", "kcal"),
    ("met", "MET", ""),
]


def bout_columns(data: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The per-bout columns present in this analysis (``met`` only if bouts carry it)."""
    has_met = any("met" in b for b in data["bouts"])
    return [c for c in BOUT_COLUMNS if c[0] != "met" or has_met]


def _bout_table(data: Mapping[str, Any]) -> str:
    cols = bout_columns(data)
    text_class = ' class="text"'
    head = '<th scope="col">Bout</th>' + "".join(
        f'<th scope="col"{text_class if key == "direction" else ""}>{html.escape(name)}'
        + (f'<br><span class="unit">({html.escape(unit)})</span>' if unit else "")
        + "</th>"
        for key, name, unit in cols
    )
    head += '<th scope="col">Duration<br><span class="unit">(s)</span></th>'
    rows = []
    for i, b in enumerate(data["bouts"]):
        cells = [f'<th scope="row">{i + 1}</th>']
        for key, _, _ in cols:
            if key == "direction":
                mark = ""
                if b.get("direction_set_by") == "user":
                    detected = LABEL.get(b.get("direction_detected", ""), "")
                    mark = ' <span class="hint set-by-user">(set by you'
                    mark += f"; detected: {html.escape(detected.lower())})" if detected else ")"
                    mark += "</span>"
                cells.append(
                    f'<td class="text" data-json="bouts.{i}.direction">'
                    f"{_direction_label(b['direction'])}{mark}</td>"
                )
            else:
                value = b.get(key)
                cells.append(
                    f'<td data-json="bouts.{i}.{key}">{html.escape(content.fmt(value))}</td>'
                )
        cells.append(f"<td>{display.span_s(b['start_s'], b['end_s'])}</td>")
        rows.append(f'<tr class="{html.escape(b["direction"])}">' + "".join(cells) + "</tr>")
    body = "\n".join(rows) or f'<tr><td colspan="{len(cols) + 2}">No walking bouts found.</td></tr>'
    return (
        '<div class="table-wrap">\n<table id="bout-table">\n'
        "<caption>One row per walking bout, in time order. Duration = end - start.</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n</div>"
    )


STEADINESS_ROWS: list[tuple[str, str, str]] = [
    ("n_step_times", "Step times used", ""),
    ("mean_step_time_s", "Mean step time", "s"),
    ("step_time_cv_pct", "Step-time variability (CV)", "%"),
    ("cadence_cv_pct", "Cadence variability (CV)", "%"),
    ("step_length_cv_pct", "Step-length variability (CV)", "%"),
    ("step_time_asymmetry_pct", "Step-time asymmetry", "%"),
]


def _steadiness_table(data: Mapping[str, Any]) -> str:
    groups = [
        (Direction.BACKWARD, "Backward"),
        (Direction.FORWARD, "Forward"),
        ("all", "All walking"),
    ]
    st = data["session"]["steadiness"]
    head = '<th scope="col" class="text">Measure</th>' + "".join(
        f'<th scope="col">{name}</th>' for _, name in groups
    )
    rows = []
    for key, name, unit in STEADINESS_ROWS:
        label = html.escape(name) + (f' <span class="unit">({unit})</span>' if unit else "")
        cells = "".join(
            f'<td data-json="session.steadiness.{g}.{key}">'
            f"{html.escape(content.fmt(st[g][key]))}</td>"
            for g, _ in groups
        )
        rows.append(f'<tr><th scope="row" class="text">{label}</th>{cells}</tr>')
    bases = {st[g]["asymmetry_basis"] for g, _ in groups} - {None}
    length_bases = {st[g]["step_length_cv_basis"] for g, _ in groups} - {None}
    notes = []
    if "alternate_steps" in bases:
        notes.append(
            "The sensor does not tell left from right: asymmetry compares odd and even steps."
        )
    if "bouts" in length_bases:
        notes.append("Step length is known per bout only: its variability is between bouts.")
    note = "".join(f"<p class='hint'>{html.escape(n)}</p>" for n in notes)
    return (
        '<div class="table-wrap">\n<table id="steadiness-table">\n'
        "<caption>Steadiness: lower variability and asymmetry mean steadier walking."
        "</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"
        f"</div>\n{note}"
    )


def _assumptions(data: Mapping[str, Any]) -> str:
    rows = []
    for what, value, source in content.assumption_rows(data):
        cls = ' class="text assumed"' if source.startswith("ASSUMED") else ' class="text"'
        rows.append(
            f'<tr><th scope="row" class="text">{html.escape(what)}</th>'
            f'<td class="text">{html.escape(value)}</td><td{cls}>{html.escape(source)}</td></tr>'
        )
    return (
        '<div class="table-wrap">\n<table id="assumptions-table">\n'
        "<caption>Values in bold were not given and are assumed; they change distance, "
        "speed and energy.</caption>\n"
        '<thead><tr><th scope="col" class="text">What</th><th scope="col" class="text">Value'
        '</th><th scope="col" class="text">Where it came from</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</div>"
    )


def _glossary() -> str:
    items = "\n".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(meaning)}</dd>"
        for term, meaning in content.GLOSSARY
    )
    return f'<dl class="glossary">\n{items}\n</dl>'


def _uncertain_reasons(data: Mapping[str, Any]) -> str:
    """Why the bouts of uncertain direction are uncertain, each reason once with the
    numbers of its bouts in the table ('' when no bout is uncertain)."""
    groups = uncertain_reasons(  # told without their measured figures, so alike ones once
        (b["direction"], content.without_figures(str(b.get("direction_reason") or "")))
        for b in data["bouts"]
    )
    if not groups:
        return ""
    items = []
    for reason, which in groups:
        numbers = [str(i + 1) for i in which]
        named = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
        label = "Bout" if len(numbers) == 1 else "Bouts"
        items.append(f"<li>{label} {named}: {html.escape(reason)}</li>")
    return (
        '<h3 id="h-why-uncertain">Why some directions are uncertain</h3>\n'
        f'<ul id="uncertain-reasons">\n{chr(10).join(items)}\n</ul>'
    )


def _no_walking(data: Mapping[str, Any]) -> str:
    """Why the recording holds no walking bout ('' when it holds one)."""
    reasons = content.no_walking_reasons(data)
    if not reasons:
        return ""
    return f'<p id="no-walking-reasons">No walking: {html.escape("; ".join(reasons))}.</p>'


def _figure(uri: str, alt: str, caption: str, fig_id: str) -> str:
    return (
        f'<figure id="{fig_id}">\n<img src="{uri}" alt="{html.escape(alt)}">\n'
        f"<figcaption>{html.escape(caption)}</figcaption>\n</figure>"
    )


def _timeline_alt(data: Mapping[str, Any]) -> str:
    counts = {d: sum(1 for b in data["bouts"] if b["direction"] == d) for d in LABEL}
    parts = [f"{n} {LABEL[d].lower()} bout{'s' if n != 1 else ''}" for d, n in counts.items() if n]
    return (
        f"Timeline of the {content.human_duration(data['recording']['duration_s'])} recording: "
        + (", ".join(parts) if parts else "no walking bouts")
        + ". Backward bouts are orange with diagonal hatching, forward bouts blue, "
        "uncertain ones grey with dots, each on its own labelled row."
    )


def _video_section(data: Mapping[str, Any]) -> str:
    """The annotated video and form cues of a video analysis ('' otherwise)."""
    if "video" not in data:
        return ""
    return video_section_html(data)


def render_html(data: Mapping[str, Any]) -> str:
    """The whole report as one HTML document.

    Parameters
    ----------
    data
        ``Analysis.to_dict()`` with the session summary under ``"session"``
        (see :func:`retrowalk.report.report_data`).

    Returns
    -------
    str
        A self-contained HTML5 document.
    """
    rec = data["recording"]
    name = rec.get("path") or "recording"
    title = f"Walking report: {name.replace(chr(92), '/').rsplit('/', 1)[-1]}"
    started = rec.get("start_time")
    subtitle = (
        f"Recording of {content.human_duration(rec.get('duration_s'))}"
        + (f", started {started}" if started else "")
        + f"; sensor placement: {str(rec.get('placement', 'auto')).replace('_', ' ')}. "
        + content.calibration_text(data)
    )
    cards = [_card(data, Direction.BACKWARD), _card(data, Direction.FORWARD)]
    if data["session"][Direction.UNCERTAIN]["n_bouts"]:
        cards.append(_card(data, Direction.UNCERTAIN))
    cards.append(_session_card(data))
    timeline = _figure(
        svg_data_uri(timeline_figure(data)),
        _timeline_alt(data),
        "Each bar is one walking bout, on the row of its direction. Grey bands: no data.",
        "timeline",
    )
    cadence_speed = _figure(
        svg_data_uri(cadence_speed_figure(data)),
        "Cadence (top, steps per minute) and speed (bottom, metres per second) over the "
        "recording, coloured by walking direction as in the timeline.",
        "Top: cadence of each step (dots) and each bout's average (lines). "
        "Bottom: each bout's average speed.",
        "cadence-speed",
    )
    body = f"""
<section aria-labelledby="h-summary">
<h2 id="h-summary">Summary</h2>
<div class="cards">
{chr(10).join(cards)}
</div>
</section>
{_video_section(data)}
<section aria-labelledby="h-timeline">
<h2 id="h-timeline">Timeline</h2>
{timeline}
</section>
<section aria-labelledby="h-over-time">
<h2 id="h-over-time">Cadence and speed over time</h2>
{cadence_speed}
</section>
<section aria-labelledby="h-bouts">
<h2 id="h-bouts">Bouts</h2>
{_bout_table(data)}
{_uncertain_reasons(data)}
{_no_walking(data)}
</section>
<section aria-labelledby="h-steadiness">
<h2 id="h-steadiness">Steadiness</h2>
{_steadiness_table(data)}
</section>
<section aria-labelledby="h-assumptions">
<h2 id="h-assumptions">Assumptions</h2>
{_assumptions(data)}
<h3>How energy is estimated</h3>
<p>{html.escape(content.energy_explanation())}</p>
</section>
<section aria-labelledby="h-meaning">
<h2 id="h-meaning">What the numbers mean</h2>
{_glossary()}
<ul>
{"".join(f"<li>{html.escape(c)}</li>" for c in content.CAVEATS)}
</ul>
</section>
"""
    return PAGE.substitute(
        title=html.escape(title),
        subtitle=html.escape(subtitle),
        css=CSS,
        body=body,
        version=html.escape(__version__),
        schema=html.escape(str(data.get("schema_version", ""))),
        caveat=html.escape(content.CAVEATS[0]),
    )

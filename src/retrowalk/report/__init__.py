"""Reports a person can read: HTML (self-contained), PDF and PNG.

``write_report(analysis, path)`` picks the format from the suffix of ``path``:

- ``.html`` / ``.htm``: one self-contained file (styles and figures inside, no
  network needed) with the summary, timeline, cadence and speed over time, the
  per-bout table, steadiness, assumptions and what each number means;
- ``.pdf``: the same content on A4 pages (matplotlib ``PdfPages``);
- ``.png``: the first page (summary, timeline, cadence and speed) as an image to
  share.

All formats are drawn from :func:`report_data`, the JSON of the analysis with the
session summary, so every number in a report equals the JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retrowalk.core.errors import RetrowalkError
from retrowalk.core.results import Analysis
from retrowalk.summary.contract import to_dict

__all__ = ["REPORT_SUFFIXES", "report_data", "write_report"]

REPORT_SUFFIXES = (".html", ".htm", ".pdf", ".png")


def report_data(analysis: Analysis) -> dict[str, Any]:
    """The analysis JSON (:func:`retrowalk.summary.contract.to_dict`), session block included.

    A source's media for the report (the annotated video) go under ``"media"``.
    """
    data = to_dict(analysis, session=True)
    media = getattr(analysis, "report_media", None)
    if media is not None:
        data["media"] = media()
    return data


def write_report(analysis: Analysis, path: str | Path) -> Path:
    """Write the report of one analysis; the format follows the suffix of ``path``.

    Parameters
    ----------
    analysis
        A finished analysis.
    path
        Where to write: ``*.html`` / ``*.htm``, ``*.pdf`` or ``*.png``.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    RetrowalkError
        If the suffix is not one of those above or the file cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise RetrowalkError(
            f"{path}: report must end in .html, .pdf or .png (got '{path.suffix or 'no suffix'}')"
        )
    # matplotlib and the page templates only when a report is written: every figure's
    # text (retrowalk.report.display) is needed by far more than the reports.
    from retrowalk.report.html import render_html
    from retrowalk.report.pdf import write_pdf, write_png

    data = report_data(analysis)
    try:
        if suffix in (".html", ".htm"):
            path.write_text(render_html(data), encoding="utf-8")
        else:
            (write_pdf if suffix == ".pdf" else write_png)(data, path)
    except OSError as exc:
        raise RetrowalkError(f"{path}: cannot write the report ({exc.strerror or exc})") from exc
    return path

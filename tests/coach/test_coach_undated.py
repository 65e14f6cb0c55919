"""A recording whose date is unknown counts in no week of the coach's view, as on progress.

Progress leaves an undated recording (a file holding no date, none set) out of its
weeks and lists it with a link to set its date; the coach's weekly view counted its
minutes in the week it was uploaded. Both now go by one rule
(:func:`retrowalk.summary.progress.in_weeks`): the coach's weeks hold the minutes
progress holds, and the plan page, the API and ``retrowalk log week`` list the undated
one the way the progress page does. Real uploads of a real recording, analysed by the
app's worker (SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webtest_helpers import (
    add_person,
    analyse_queued,
    api_token,
    csrf,
    sign_up,
    upload,
    wait_for_analysis,
)

from realdata import require
from retrowalk.cli import app as cli_app
from retrowalk.cli.support import local_account, local_person, local_services
from retrowalk.store.models import Recording

DATED = dt.date(2026, 3, 4)  # a Wednesday, long before the upload week


@pytest.fixture
def backward_walk() -> Path:
    """A real lower-back walk with backward walking in it; its file holds no date."""
    return require("mocap-backward", "09_12_pelvis.csv")


def _copy(source: Path, folder: Path, i: int) -> Path:
    path = folder / f"walk-{i}.csv"
    path.write_bytes(source.read_bytes() + b"\n" * i)
    return path


def _note(page: str) -> str:
    match = re.search(r'<p id="undated-note">(.*?)</p>', page, re.S)
    assert match, page
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def test_the_coach_weeks_leave_an_undated_recording_out_as_progress_does(  # type: ignore[no-untyped-def]
    app, client: TestClient, backward_walk: Path, tmp_path: Path
) -> None:
    sign_up(client, "c@example.org")
    person = add_person(client, "Cleo")
    dated = upload(
        client,
        person,
        _copy(backward_walk, tmp_path, 1),
        recorded_on=str(DATED),
        placement="lower_back",
    )
    undated = upload(
        client,
        person,
        _copy(backward_walk, tmp_path, 2),
        name="no-date.csv",
        placement="lower_back",
    )
    assert dated["http"] == 201 and undated["http"] == 201
    wait_for_analysis(app)
    with app.state.services.db.read() as session:
        row = session.get(Recording, undated["id"])
        assert row is not None and row.date_source == "unknown"
        uploaded_week = row.recorded_on - dt.timedelta(days=row.recorded_on.weekday())
    api = api_token(client, "c@example.org")

    progress = client.get(f"/people/{person}/progress.json").json()
    assert [w["week_start"] for w in progress] == ["2026-03-02"]
    progress_min = {w["week_start"]: w["backward_duration_s"] / 60.0 for w in progress}
    assert progress_min["2026-03-02"] > 0

    # Without a plan: the sessions list only the dated one, and name the undated one.
    view = client.get(f"/api/v1/people/{person}/coach", headers=api).json()
    assert [s["recording_id"] for s in view["sessions"]] == [dated["id"]]
    assert view["undated"] == [
        {"id": undated["id"], "filename": "no-date.csv", "url": f"/recordings/{undated['id']}"}
    ]
    page = client.get(f"/people/{person}/coach").text
    assert _note(page) == (
        "1 analysed recording without a date (the file held none) is left out of these "
        "sessions until you set the day it was recorded: no-date.csv."
    )
    assert f'<a href="/recordings/{undated["id"]}">no-date.csv</a>' in page

    # With a plan from the dated week on: each week holds what progress holds.
    url = f"/people/{person}/coach/plan"
    made = client.post(
        url,
        data={
            "csrf_token": csrf(client, f"/people/{person}/coach"),
            "goal": "fitness",
            "level": "beginner",
            "start": str(DATED),
        },
    )
    assert made.status_code == 200, made.text
    view = client.get(f"/api/v1/people/{person}/coach", headers=api).json()
    done = {w["week_start"]: w["done_min"] for w in view["weeks"] if w["done_min"]}
    assert done == progress_min  # the undated minutes counted in the upload week before
    upload_week = next(w for w in view["weeks"] if w["week_start"] == str(uploaded_week))
    assert upload_week["done_min"] == 0 and upload_week["sessions"] == 0
    page = client.get(f"/people/{person}/coach").text
    weekly = re.search(r'<section class="card" id="weekly">(.*?)</section>', page, re.S)
    assert weekly and 'id="undated-note"' in weekly.group(1)
    assert _note(page) == _note(client.get(f"/people/{person}/progress").text)
    assert "left out of these weeks" in _note(page)

    # Its date set, it counts in that week, in both.
    set_date = client.post(
        f"/recordings/{undated['id']}/date",
        data={"csrf_token": csrf(client, undated["url"]), "recorded_on": str(DATED)},
    )
    assert set_date.status_code == 200, set_date.text
    progress = client.get(f"/people/{person}/progress.json").json()
    view = client.get(f"/api/v1/people/{person}/coach", headers=api).json()
    assert view["undated"] == []
    (week,) = [w for w in view["weeks"] if w["done_min"]]
    assert week["sessions"] == 2 and [p["recordings"] for p in progress] == [2]
    assert week["done_min"] == progress[0]["backward_duration_s"] / 60.0


def test_log_week_names_an_undated_recording(  # type: ignore[no-untyped-def]
    backward_walk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line's weekly view leaves it out and names it, as the pages do."""
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RETROWALK_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert (
        runner.invoke(cli_app, ["log", "add", "--minutes", "10", "--person", "Ann"]).exit_code == 0
    )
    services = local_services()
    account = local_account(services)
    person = local_person(services, account, "Ann")
    with open(backward_walk, "rb") as stream:
        services.upload(account, person, "no-date.csv", stream, placement="lower_back")

    analyse_queued(services)
    (rec,) = services.list_recordings(account, person)
    assert rec.status == "done" and rec.date_source == "unknown"
    assert rec.summary is not None and rec.summary.backward_duration_s > 0

    week = runner.invoke(cli_app, ["log", "week", "--person", "Ann"])
    assert week.exit_code == 0, week.output
    text = " ".join(week.output.split())
    assert "This week 10 of 0 min" in text  # the log only, not the recording's minutes
    assert (
        "1 analysed recording without a date (the file held none) is left out of these "
        "weeks until the day it was recorded is set on its page (retrowalk serve): "
        "no-date.csv." in text
    )
    listed = runner.invoke(cli_app, ["log", "list", "--person", "Ann", "--json"])
    assert '"source": "recording"' not in listed.output

"""A week's backward walking is one number: the coach's weekly view, the coach API,
``retrowalk log week``, the clinic and the progress page show the same total.

The coach's weekly view rounded each recording's backward minutes to 0.01 min before
adding them, the progress page adds the seconds and converts once; with four real
walks in one week the coach said 1.47 min where progress said 87.48 s (1.458 min).
Both now take the week from :func:`retrowalk.summary.progress.weekly`, rounded only
where shown. One store, used by the command line and by the web app over it, as
``retrowalk serve`` does; real lower-back walks played backwards in time (the
stand-in for backward walking the data folder's README describes).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from coachtest_helpers import backward_walk_csv
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from webtest_helpers import analyse_queued, api_token, csrf, make_settings

from retrowalk.cli import app as cli_app
from retrowalk.cli.support import LOCAL_EMAIL, local_account, local_person, local_services
from retrowalk.domain.coach.weekly import minutes_text
from retrowalk.store.db import default_database_url
from retrowalk.summary.progress import week_start
from retrowalk.web.app import create_app

#: Walks whose backward times, each rounded to 0.01 min, add up to more than their sum.
TRIALS = ("1-1", "1-4", "2-1", "2-3")
PASSWORD = "correct horse battery"


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _progress_row(page: str, monday: dt.date) -> list[str]:
    table = re.search(r'<table class="history" id="weeks-table">(.*?)</table>', page, re.S)
    assert table, page
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells and cells[0] == str(monday):
            return cells
    raise AssertionError(f"no week of {monday} on the progress page")


def _shown_duration(seconds: float) -> str:
    """The progress page's backward time of a week (its ``dur`` macro)."""
    t = round(seconds)
    return f"{t // 60} min {t % 60:02d} s" if t >= 60 else f"{t} s"


def test_one_weekly_total_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("RETROWALK_DATA_DIR", str(data_dir))
    monkeypatch.delenv("RETROWALK_DATABASE_URL", raising=False)
    runner = CliRunner()
    made = runner.invoke(cli_app, ["plan", "new", "--person", "Ann"])
    assert made.exit_code == 0, made.output

    # Four real walks this week (from Monday to today, today last).
    today = dt.date.today()
    monday = week_start(today)
    services = local_services()
    account = local_account(services)
    person = local_person(services, account, "Ann")
    for i, trial in enumerate(TRIALS):
        path = backward_walk_csv(tmp_path, trial)
        day = min(monday + dt.timedelta(days=i), today)
        with open(path, "rb") as stream:
            services.upload(
                account, person, path.name, stream, recorded_on=day, placement="lower_back"
            )

    analyse_queued(services)
    recordings = services.list_recordings(account, person)
    assert [r.status for r in recordings] == ["done"] * 4
    each_s = [r.summary.backward_duration_s for r in recordings if r.summary is not None]
    assert len(each_s) == 4 and min(each_s) > 0
    (week,) = services.progress(account, person)
    assert week.week_start == monday and week.recordings == 4
    total_s = week.backward_duration_s
    total_min = total_s / 60.0
    shown = minutes_text(total_min)
    # The walks make the difference show: rounded one by one they add up to more.
    assert minutes_text(sum(round(s / 60.0, 2) for s in each_s)) != shown

    # The command line.
    week_text = runner.invoke(cli_app, ["log", "week", "--person", "Ann"])
    assert week_text.exit_code == 0, week_text.output
    this_week = re.search(r"This week (\S+) of (\S+) min", " ".join(week_text.output.split()))
    assert this_week and this_week.group(1) == shown, week_text.output
    planned = this_week.group(2)

    # The web app over the same store, signed in to the same account.
    reset = runner.invoke(
        cli_app, ["account", "reset-password", LOCAL_EMAIL, "--password-stdin"], input=PASSWORD
    )
    assert reset.exit_code == 0, reset.output
    app = create_app(make_settings(default_database_url(data_dir), tmp_path, data_dir=data_dir))
    with TestClient(app) as client:
        signed_in = client.post(
            "/signin",
            data={"email": LOCAL_EMAIL, "password": PASSWORD, "csrf_token": csrf(client)},
        )
        assert signed_in.status_code == 200 and signed_in.url.path == "/people", signed_in.text
        api = api_token(client, LOCAL_EMAIL, PASSWORD)

        progress = client.get(f"/people/{person}/progress.json").json()
        assert [(w["week_start"], w["backward_duration_s"]) for w in progress] == [
            (str(monday), total_s)
        ]
        cells = _progress_row(client.get(f"/people/{person}/progress").text, monday)
        assert cells[1] == "4" and cells[4] == _shown_duration(total_s)

        view = client.get(f"/api/v1/people/{person}/coach", headers=api).json()
        assert view["weeks"][-1]["week_start"] == str(monday)
        assert view["weeks"][-1]["done_min"] == total_min  # the same number, not a near one
        assert view["this_week"]["done_min"] == total_min
        assert view["weeks"][-1]["sessions"] == 4

        page = client.get(f"/people/{person}/coach").text
        strong = re.search(r'<strong id="this-week">(.*?)</strong>', page, re.S)
        assert strong and _text(strong.group(1)) == f"{shown} of {planned} min"
        weekly = re.search(r'<table class="weekly">(.*?)</table>', page, re.S)
        assert weekly
        first_row = re.search(r'<tr class="current">(.*?)</tr>', weekly.group(1), re.S)
        assert first_row
        row = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", first_row.group(1), re.S)]
        assert row[0] == str(monday) and row[2] == shown and row[4] == "4"

        clinic = client.get("/clinic").text
        table = re.search(r'<table class="weekly" id="clinic-table">(.*?)</table>', clinic, re.S)
        assert table and f"{shown} / {planned} min" in _text(table.group(1))

    # Each recording's minutes as listed: its own backward time, shown the same way.
    listed = runner.invoke(cli_app, ["log", "list", "--person", "Ann"])
    assert listed.exit_code == 0, listed.output
    shown_each = sorted(re.findall(r": (\S+) min \(recording", listed.output))
    assert shown_each == sorted(minutes_text(s / 60.0) for s in each_s)

"""The person's printable report while a recording is analysed again.

A recording queued again (its page's "Analyse again", a calibration, new body
measures, an upgrade) or being analysed again keeps its last finished analysis until
the new one is in; the report lists it with that analysis and says it is being
analysed again, where it left the recording out. SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import update
from webtest_helpers import (
    add_person,
    analyse_queued,
    csrf,
    make_settings,
    page_words,
    sign_up,
    upload,
)

from realdata import require
from retrowalk.store.models import Recording
from retrowalk.web.app import create_app


def _sensor_rows(page: str) -> list[str]:
    """The words of each row of the report's sensor table."""
    table = re.search(r'<table class="weekly" id="sensor-table">(.*?)</table>', page, re.S)
    assert table, "the report has no sensor table"
    return [page_words(row) for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)][1:]


def test_a_recording_analysed_again_stays_in_the_report(  # type: ignore[no-untyped-def]
    database_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    walk = require("mocap-backward", "09_12_pelvis.csv")
    with TestClient(app) as client, TestClient(app) as stranger:
        sign_up(client, "report@example.org")
        sign_up(stranger, "other@example.org")
        person = add_person(client, "Rita")
        rec = upload(client, person, walk, placement="lower_back", recorded_on="2026-03-02")
        analyse_queued(services)
        report = f"/people/{person}/report"
        [before] = _sensor_rows(client.get(report).text)
        assert walk.name in before and "being analysed again" not in before

        client.post(f"{rec['url']}/reanalyse", data={"csrf_token": csrf(client, rec["url"])})
        assert client.get(f"{rec['url']}/status").json()["status"] == "queued"
        [queued] = _sensor_rows(client.get(report).text)
        assert queued == before.replace(
            walk.name, f"{walk.name} (being analysed again; its last analysis is shown)"
        )
        # Being analysed (as a worker's claim leaves it): the same.
        with services.db.transaction() as session:
            session.execute(
                update(Recording).where(Recording.id == rec["id"]).values(status="running")
            )
        assert _sensor_rows(client.get(report).text) == [queued]
        assert stranger.get(report).status_code == 404

        with services.db.transaction() as session:
            session.execute(
                update(Recording).where(Recording.id == rec["id"]).values(status="queued")
            )
        analyse_queued(services)
        assert _sensor_rows(client.get(report).text) == [before]

"""The printable report's sensor table and the export read the store in a fixed number
of queries, with the same output.

The report's sensor table loaded each listed recording's whole analysis JSON in a
query of its own, and the export loaded each analysis' JSON, then each recording's
bout labels, one recording at a time. The report now reads of the analyses only
the parts its measures are made of (their ``steps`` only where the session block has
no steadiness, as in analyses made before it had), in one query; the export loads
the analyses and the labels with the recordings. Real recordings, some with their
first bout labelled backward; SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select, update
from webtest_helpers import (
    add_person,
    analyse_queued,
    calibrate_walk,
    make_settings,
    sign_up,
    upload,
)

from realdata import require
from retrowalk.app.assess import AssessServices
from retrowalk.app.reanalysis import WAITING
from retrowalk.store.models import AnalysisResult
from retrowalk.store.repositories import Accounts, AccountScoped
from retrowalk.summary.measures import backward_measures
from retrowalk.web.app import create_app

WALKS = ("07_01", "07_02", "08_01", "08_02", "08_03", "08_11", "09_12")


def _whole_documents(services: Any, account: int, person: int, limit: int) -> list[dict]:
    """The sensor table as made from each recording's whole analysis JSON."""
    rows: list[dict] = []
    for rec in services.list_recordings(account, person):
        if len(rows) >= limit:
            break
        if rec.summary is None or rec.summary.backward_steps <= 0:
            continue
        measures = backward_measures(services.analysis_json(account, rec.id))
        if measures is None:
            continue
        rows.append(
            {
                "recording_id": rec.id,
                "date": rec.recorded_on.isoformat(),
                "date_source": rec.date_source,
                "filename": rec.filename,
                "analysing_again": rec.status in WAITING,
                "measures": measures.to_dict(),
            }
        )
    return rows


def test_report_and_export_read_in_fixed_queries(  # type: ignore[no-untyped-def]
    database_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    with TestClient(app) as client:
        sign_up(client, "reads@example.org")
        with services.db.read() as session:
            account = Accounts(session).by_email("reads@example.org").id
        ann = add_person(client, "Ann", height_m="1.70")
        made = calibrate_walk(
            client, ann, require("mocap-backward", "09_12_pelvis.csv"), "forward, backward"
        )
        assert made.status_code == 303, made.text
        ids = [
            upload(
                client,
                ann,
                require("mocap-backward", f"{walk}_pelvis.csv"),
                placement="lower_back",
                recorded_on=f"2026-03-{day:02d}",
            )["id"]
            for day, walk in enumerate(WALKS, 1)
        ]
        analyse_queued(services)
        for rid in ids[:-1]:
            bout = services.analysis_json(account, rid)["bouts"][0]
            services.label_bout(account, rid, bout["start_s"], bout["end_s"], "backward")
        analyse_queued(services)
        # Every other one as an analysis made before the session block had steadiness.
        with services.db.transaction() as session:
            latest = session.execute(
                select(AnalysisResult.id, AnalysisResult.result)
                .where(AnalysisResult.backward_steps > 0)
                .order_by(AnalysisResult.id.desc())
            ).all()
            for analysis_id, result in latest[::2]:
                session_block = {k: v for k, v in result["session"].items() if k != "steadiness"}
                session.execute(
                    update(AnalysisResult)
                    .where(AnalysisResult.id == analysis_id)
                    .values(result={**result, "session": session_block})
                )
        assess = AssessServices(services)
        for limit in (5, 100):
            expected = _whole_documents(services, account, ann, limit)
            assert len(expected) == min(limit, len(WALKS))
            assert assess.sensor_recordings(account, ann, limit) == expected
        # The parts read are those of the whole documents.
        with services.db.read() as session:
            keys = ("session", "bouts", "steps", "assumptions")
            parts = AccountScoped(session, account).analysis_parts(ids, keys)
        for rid in ids:
            whole = services.analysis_json(account, rid)
            assert parts[rid] == {k: whole[k] for k in keys if k in whole}

        event.listen(services.db.engine, "before_cursor_execute", count)
        statements = 0
        assess.sensor_recordings(account, ann)
        # The recordings with their summaries, the measures' parts, the steps of those
        # whose session block has no steadiness: three, however many are listed.
        assert statements == 3
        statements = 0
        small = client.get(f"/people/{ann}/export")
        with_one = statements
        assert small.status_code == 200

        # The export of one more recording's data reads no more.
        upload(
            client,
            ann,
            require("mocap-backward", "08_04_pelvis.csv"),
            placement="lower_back",
            recorded_on="2026-03-20",
        )
        analyse_queued(services)
        statements = 0
        exported = client.get(f"/people/{ann}/export")
        assert statements == with_one
        event.remove(services.db.engine, "before_cursor_execute", count)
        archive = zipfile.ZipFile(io.BytesIO(exported.content))
        labels = json.loads(archive.read("bout_labels.json"))
        assert sorted(x["recording_id"] for x in labels) == sorted(ids[:-1])
        for rid in ids:
            stored = json.loads(archive.read(f"analyses/recording-{rid}.json"))
            assert stored == services.analysis_json(account, rid)

"""A recording whose stored file is gone, and results kept per analysis version.

- The real server answers a download or re-analysis of such a recording with a
  clear 404 saying what to do (page and API), not a 500 and a dropped
  connection.
- Re-analysing keeps only the newest result of each analysis version (and its
  report), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from sec_live_server import api_headers, api_person, api_upload, browser_session, live_server
from sqlalchemy import select

from dbtest_helpers import DEMO, database_url  # noqa: F401
from retrowalk.store.db import Database
from retrowalk.store.models import AnalysisResult

WHAT_TO_DO = "upload the file again"


def test_missing_stored_file_gives_a_clear_404(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with live_server(database_url, tmp_path) as srv:
        email = "gone@example.org"
        client = browser_session(srv.url, email)
        headers = api_headers(srv.url, email)
        person = api_person(srv.url, headers)
        created = api_upload(srv.url, headers, person, DEMO)
        assert created.status_code == 201, created.text
        rec = created.json()["id"]
        [stored] = [p for p in (srv.data_dir / "files").rglob("*") if p.is_file()]
        stored.unlink()

        api = httpx.get(f"{srv.url}/api/v1/recordings/{rec}/file", headers=headers, timeout=30)
        assert api.status_code == 404
        assert WHAT_TO_DO in api.json()["detail"]

        page = client.get(f"/recordings/{rec}/download")
        assert page.status_code == 404
        assert WHAT_TO_DO in page.text

        again = httpx.post(
            f"{srv.url}/api/v1/recordings/{rec}/reanalyse", headers=headers, timeout=30
        )
        assert again.status_code == 404 and WHAT_TO_DO in again.json()["detail"]

        # The recording can still be looked at and deleted.
        assert httpx.get(f"{srv.url}/api/v1/recordings/{rec}", headers=headers).status_code == 200
        deleted = httpx.delete(f"{srv.url}/api/v1/recordings/{rec}", headers=headers)
        assert deleted.status_code == 204


def _results(url: str) -> list[tuple[str, str | None]]:
    """Every stored analysis result (the test database holds one recording)."""
    db = Database(url, migrate=False)
    try:
        with db.read() as session:
            rows = session.execute(
                select(AnalysisResult.analysis_version, AnalysisResult.report_path)
            ).all()
            return [(v, p) for v, p in rows]
    finally:
        db.dispose()


def test_reanalysis_keeps_the_newest_result_per_version(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with live_server(database_url, tmp_path, worker="thread") as srv:
        email = "again@example.org"
        browser_session(srv.url, email).close()
        headers = api_headers(srv.url, email)
        person = api_person(srv.url, headers)
        created = api_upload(srv.url, headers, person, DEMO)
        assert created.status_code == 201, created.text
        rec = created.json()["id"]
        worker = srv.app.state.worker
        assert worker.wait_idle(300)
        first = _results(database_url)
        assert len(first) == 1
        for _ in range(2):
            response = httpx.post(
                f"{srv.url}/api/v1/recordings/{rec}/reanalyse", headers=headers, timeout=30
            )
            assert response.status_code == 200, response.text
            worker.notify()
            assert worker.wait_idle(300)
            detail = httpx.get(f"{srv.url}/api/v1/recordings/{rec}", headers=headers).json()
            assert detail["status"] == "done", detail
        kept = _results(database_url)
        assert len(kept) == 1, kept  # not one row per re-analysis
        [(version, report)] = kept
        assert version == first[0][0]
        reports = sorted(p.name for p in (srv.data_dir / "reports").glob("*.html"))
        assert report is not None and reports == [Path(report).name]

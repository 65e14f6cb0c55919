"""Parallel uploads of the same file never delete the stored copy of the winner.

Several threads upload the same bytes at the same moment to the real server;
exactly one upload is stored, the others are refused as duplicates, and the
stored file is still there and intact. Repeated over several rounds (each with
new bytes), which caught the loss in nearly every round before the fix.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
from sec_live_server import api_headers, api_person, browser_session, live_server

from dbtest_helpers import DEMO, database_url  # noqa: F401

ROUNDS = 5
PARALLEL = 4


def _race(url: str, headers: dict[str, str], person: object, data: bytes) -> list[object]:
    barrier = threading.Barrier(PARALLEL)
    results: list[object] = [None] * PARALLEL

    def one(i: int) -> None:
        barrier.wait()
        try:
            response = httpx.post(
                f"{url}/api/v1/people/{person}/recordings",
                files={"file": ("walk.csv", data)},
                headers=headers,
                timeout=120,
            )
            results[i] = (response.status_code, response.json())
        except httpx.HTTPError as exc:
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_parallel_duplicate_uploads_keep_the_stored_file(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    base = DEMO.read_bytes()
    with live_server(database_url, tmp_path) as srv:
        email = "race@example.org"
        browser_session(srv.url, email).close()
        headers = api_headers(srv.url, email)
        person = api_person(srv.url, headers)
        for round_no in range(ROUNDS):
            data = base + b"\n" * (round_no + 1)  # new bytes (a new file) every round
            results = _race(srv.url, headers, person, data)
            statuses = sorted(r[0] for r in results if isinstance(r, tuple))
            assert len(statuses) == PARALLEL, results
            assert statuses == [201] + [409] * (PARALLEL - 1), statuses
            [created] = [r[1] for r in results if isinstance(r, tuple) and r[0] == 201]
            stored = httpx.get(
                f"{srv.url}/api/v1/recordings/{created['id']}/file", headers=headers, timeout=60
            )
            assert stored.status_code == 200, f"round {round_no}: {stored.text[:200]}"
            assert stored.content == data
            again = httpx.post(
                f"{srv.url}/api/v1/people/{person}/recordings",
                files={"file": ("walk.csv", data)},
                headers=headers,
                timeout=120,
            )
            assert again.status_code == 409
        # Every stored file belongs to a recording and no temp file is left.
        files = [p for p in (srv.data_dir / "files").rglob("*") if p.is_file()]
        assert len(files) == ROUNDS
        assert not [p for p in (srv.data_dir / "tmp").rglob("*") if p.is_file()]

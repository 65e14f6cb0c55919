"""Uploads: no body is read before authentication; the limit holds for chunked bodies.

A raw socket sends a chunked ``multipart/form-data`` body (no Content-Length) of
up to 200 MB to the real server. An unauthenticated request must be answered at
once without the server writing the body anywhere (the free space of the data
directory's and the temp directory's file systems is sampled all along); a
signed-in request over the limit must be refused with 413 as soon as the limit
is passed, leaving no temp file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
import pytest
from sec_live_server import (
    api_headers,
    api_person,
    api_upload,
    browser_session,
    chunked_upload,
    csrf_of,
    live_server,
)

from dbtest_helpers import database_url  # noqa: F401

MB = 1024 * 1024
ATTACK_BYTES = 200 * MB
# Other tests may write a little at the same time; the attack would write 200 MB.
MAX_GROWTH = 40 * MB


def _watch(data_dir: Path) -> list[Path]:
    return [data_dir, Path(tempfile.gettempdir())]


def _growth(before: dict[str, int], lowest: dict[str, int]) -> int:
    return max(before[k] - lowest[k] for k in before)


def _free(paths: list[Path]) -> dict[str, int]:
    from sec_live_server import free_bytes

    return {str(p): free_bytes(p) for p in paths}


def _tmp_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "tmp").rglob("*") if p.is_file()]


def test_unauthenticated_chunked_api_upload_is_refused_before_the_body(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with live_server(database_url, tmp_path) as srv:
        email = "owner@example.org"
        browser_session(srv.url, email).close()
        person = api_person(srv.url, api_headers(srv.url, email))
        watch = _watch(srv.data_dir)
        before = _free(watch)
        got = chunked_upload(
            srv.port, f"/api/v1/people/{person}/recordings", ATTACK_BYTES, watch=watch
        )
        assert got.status == 401, got.response[:300]
        assert got.elapsed_s < 10, f"answered after {got.elapsed_s:.1f} s"
        assert got.sent_bytes < ATTACK_BYTES / 2, "the server read the whole body"
        assert _growth(before, got.lowest_free) < MAX_GROWTH, "the body was written to disk"
        assert _tmp_files(srv.data_dir) == []


def test_unauthenticated_chunked_page_upload_is_refused_before_the_body(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with live_server(database_url, tmp_path) as srv:
        watch = _watch(srv.data_dir)
        before = _free(watch)
        got = chunked_upload(srv.port, "/people/1/recordings", ATTACK_BYTES, watch=watch)
        assert got.status in (303, 401, 403), got.response[:300]
        assert got.elapsed_s < 10
        assert got.sent_bytes < ATTACK_BYTES / 2, "the server read the whole body"
        assert _growth(before, got.lowest_free) < MAX_GROWTH
        assert _tmp_files(srv.data_dir) == []


def test_signed_in_page_upload_without_csrf_is_refused_before_the_file(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A cross-site form carries the session cookie but not the CSRF token."""
    with live_server(database_url, tmp_path) as srv:
        client = browser_session(srv.url, "page@example.org")
        token = csrf_of(client, "/people")
        created = client.post("/people", data={"name": "Ann", "csrf_token": token})
        person = created.url.path.rsplit("/", 1)[-1]
        cookie = f"retrowalk_session={client.cookies['retrowalk_session']}"
        watch = _watch(srv.data_dir)
        before = _free(watch)
        got = chunked_upload(
            srv.port,
            f"/people/{person}/recordings",
            ATTACK_BYTES,
            headers={"Cookie": cookie},
            watch=watch,
        )
        assert got.status == 403, got.response[:300]
        assert got.sent_bytes < ATTACK_BYTES / 2
        assert _growth(before, got.lowest_free) < MAX_GROWTH
        assert _tmp_files(srv.data_dir) == []


def test_signed_in_chunked_upload_over_the_limit_gets_413_while_streaming(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with live_server(database_url, tmp_path, max_upload_mb=4) as srv:
        email = "big@example.org"
        browser_session(srv.url, email).close()
        headers = api_headers(srv.url, email)
        person = api_person(srv.url, headers)
        watch = _watch(srv.data_dir)
        before = _free(watch)
        got = chunked_upload(
            srv.port,
            f"/api/v1/people/{person}/recordings",
            ATTACK_BYTES,
            headers=headers,
            watch=watch,
        )
        assert got.status == 413, got.response[:300]
        assert got.sent_bytes < ATTACK_BYTES / 2, "the limit was not applied while streaming"
        assert _growth(before, got.lowest_free) < MAX_GROWTH
        assert _tmp_files(srv.data_dir) == []
        # The server still works, and a small upload of a real recording goes through.
        assert httpx.get(f"{srv.url}/api/v1/me", headers=headers).status_code == 200


def test_anonymous_chunked_body_to_a_form_route_is_capped(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Routes whose form is parsed before the route runs (sign-in) get a small cap."""
    with live_server(database_url, tmp_path) as srv:
        watch = _watch(srv.data_dir)
        before = _free(watch)
        got = chunked_upload(srv.port, "/signin", 50 * MB, watch=watch)
        assert got.status == 413, got.response[:300]
        assert got.sent_bytes < 10 * MB
        assert _growth(before, got.lowest_free) < MAX_GROWTH


def test_declared_oversize_body_is_refused_unread(
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with live_server(database_url, tmp_path, max_upload_mb=4) as srv:
        response = httpx.post(
            f"{srv.url}/api/v1/people/1/recordings",
            content=b"x" * (6 * MB),
            headers={"Content-Type": "multipart/form-data; boundary=xx"},
        )
        assert response.status_code in (401, 413)


@pytest.mark.parametrize("placement", ["auto"])
def test_real_recording_still_uploads_through_the_stream(
    database_url: str,  # noqa: F811
    tmp_path: Path,
    placement: str,
) -> None:
    from dbtest_helpers import DEMO

    with live_server(database_url, tmp_path) as srv:
        email = "real@example.org"
        client = browser_session(srv.url, email)
        headers = api_headers(srv.url, email)
        person = api_person(srv.url, headers)
        response = api_upload(
            srv.url, headers, person, DEMO, {"placement": placement, "recorded_on": "2025-03-31"}
        )
        assert response.status_code == 201, response.text
        rec = response.json()
        assert rec["recorded_on"] == "2025-03-31"
        stored = httpx.get(f"{srv.url}/api/v1/recordings/{rec['id']}/file", headers=headers)
        assert stored.content == DEMO.read_bytes()
        # The page form: CSRF field first, then the file (as the browser sends it).
        token = csrf_of(client, f"/people/{person}")
        data = DEMO.read_bytes() + b"\n"
        page = client.post(
            f"/people/{person}/recordings",
            data={"csrf_token": token, "placement": "auto"},
            files={"file": ("copy.csv", data)},
            headers={"accept": "application/json"},
        )
        assert page.status_code == 201, page.text
        assert _tmp_files(srv.data_dir) == []

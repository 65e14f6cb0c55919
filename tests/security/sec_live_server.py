"""The app under a real uvicorn server on 127.0.0.1, and raw-socket request helpers.

Used by the upload, file and worker security tests (``test_sec_upload_*``,
``test_sec_files_*``, ``test_sec_worker_*``).
"""

from __future__ import annotations

import os
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from browser_helpers import serve_app
from retrowalk.web.app import create_app
from retrowalk.web.settings import Settings

PASSWORD = "Backward-walk-on-the-beach-2026"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


@dataclass
class LiveServer:
    """A running server: its URL, app and data directory."""

    url: str
    port: int
    app: Any
    data_dir: Path


@contextmanager
def live_server(database_url: str, tmp_path: Path, **overrides: Any) -> Iterator[LiveServer]:
    """The app under uvicorn (in a thread of this process) on a free local port."""
    values: dict[str, Any] = dict(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret",
        worker="none",
        fast_password_hashing=True,
    )
    values.update(overrides)
    app = create_app(Settings(**values))
    with serve_app(app) as base:
        port = int(base.rsplit(":", 1)[1])
        yield LiveServer(base, port, app, Path(values["data_dir"]))


def csrf_of(client: httpx.Client, page: str) -> str:
    match = CSRF_RE.search(client.get(page).text)
    assert match, f"{page} has no CSRF token"
    return match.group(1)


def browser_session(url: str, email: str) -> httpx.Client:
    """An httpx client signed up and signed in through the pages (session cookie)."""
    client = httpx.Client(base_url=url, timeout=60, follow_redirects=True)
    token = csrf_of(client, "/signup")
    client.post("/signup", data={"email": email, "password": PASSWORD, "csrf_token": token})
    if "retrowalk_session" not in client.cookies or "/signin" in str(client.get("/people").url):
        token = csrf_of(client, "/signin")
        client.post("/signin", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert client.get("/people").url.path == "/people", "could not sign in"
    return client


def api_headers(url: str, email: str) -> dict[str, str]:
    """A bearer token header for ``email`` (the account must exist)."""
    response = httpx.post(f"{url}/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def api_person(url: str, headers: dict[str, str], name: str = "Ann") -> Any:
    response = httpx.post(
        f"{url}/api/v1/people", json={"name": name, "height_m": 1.7}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def api_upload(
    url: str,
    headers: dict[str, str],
    person: Any,
    path: Path,
    data: dict[str, str] | None = None,
) -> httpx.Response:
    """Upload ``path`` for ``person`` through the API, as a script would."""
    with open(path, "rb") as stream:
        return httpx.post(
            f"{url}/api/v1/people/{person}/recordings",
            files={"file": (path.name, stream)},
            data=data,
            headers=headers,
            timeout=120,
        )


@dataclass
class RawResult:
    """What a raw chunked upload got back."""

    status: int
    sent_bytes: int
    elapsed_s: float
    response: bytes = b""
    lowest_free: dict[str, int] = field(default_factory=dict)


def free_bytes(path: Path) -> int:
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def chunked_upload(
    port: int,
    path: str,
    total_bytes: int,
    *,
    headers: dict[str, str] | None = None,
    first_part: bytes | None = None,
    watch: list[Path] = (),  # type: ignore[assignment]
    timeout_s: float = 60.0,
) -> RawResult:
    """POST a chunked ``multipart/form-data`` body of about ``total_bytes`` on a raw socket.

    Sending stops as soon as the server answers (or closes). The free space of
    the folders in ``watch`` is sampled all along; the lowest value is returned.
    """
    lowest = {str(p): free_bytes(p) for p in watch}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for p in watch:
                lowest[str(p)] = min(lowest[str(p)], free_bytes(p))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: multipart/form-data; boundary=xx",
        "Transfer-Encoding: chunked",
        "Accept: application/json",
    ]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    start = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", port))
    sent = 0
    response = b""
    try:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        part = first_part or (
            b'--xx\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n"
        )
        pending = b"%x\r\n%s\r\n" % (len(part), part)
        block = b"1.0,2.0,3.0,4.0\n" * 65536  # 1 MiB
        framed = b"%x\r\n%s\r\n" % (len(block), block)
        sock.setblocking(False)
        while time.monotonic() - start < timeout_s:
            readable, writable, _ = select.select([sock], [sock], [], 1.0)
            if readable:
                break
            if not writable:
                continue
            if not pending:
                if sent >= total_bytes:
                    pending = b"0\r\n\r\n"
                    total_bytes = -1
                else:
                    pending = framed
            try:
                n = sock.send(pending)
            except (BrokenPipeError, ConnectionResetError):
                break
            pending = pending[n:]
            sent += n
            if total_bytes == -1 and not pending:
                break
        sock.setblocking(True)
        sock.settimeout(max(5.0, timeout_s - (time.monotonic() - start)))
        try:
            while b"\r\n\r\n" not in response:
                data = sock.recv(65536)
                if not data:
                    break
                response += data
        except (ConnectionResetError, TimeoutError):
            pass
    finally:
        sock.close()
        stop.set()
        sampler.join()
    elapsed = time.monotonic() - start
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0
    return RawResult(status, sent, elapsed, response, lowest)

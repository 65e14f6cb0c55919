"""Load test of the web app: 50 concurrent report views and API reads.

Starts the real server (``retrowalk serve`` options: uvicorn on 127.0.0.1, a free
port, a fresh data dir with the demo account, ``--workers`` processes), signs in
once, then runs a bounded number of requests (count and time) from a separate
client process and prints throughput, median / p95 latency per route and overall,
errors and the target. With ``--upload-mb N`` a large recording is uploaded at
the same time to show it does not block readers.

The client is a lean asyncio HTTP/1.1 keep-alive client on raw sockets
(``asyncio.open_connection``), one connection per simulated user, run in its own
process so that its CPU use does not count against the server's event loop.

    .venv/bin/python benchmarks/load.py [--requests 3000] [--concurrency 50]
                                        [--seconds 90] [--workers 2] [--upload-mb 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from retrowalk.app.jobs.runners import InlineRunner
from retrowalk.app.jobs.worker import run_once
from retrowalk.app.services import DEMO_EMAIL, DEMO_PASSWORD, Services, seed_demo
from retrowalk.store.db import Database, default_database_url

TARGET_P95_MS = 200.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(data_dir: Path) -> tuple[int, int]:
    """Demo account, person and an analysed recording; returns (person, recording)."""
    db = Database(default_database_url(data_dir))
    services = Services(db, data_dir)
    _, person, recording = seed_demo(services)
    while run_once(db, data_dir, InlineRunner()):
        pass
    db.dispose()
    return person, recording


def start_server(data_dir: Path, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    """``retrowalk serve --workers N`` on the loopback address."""
    env = {**os.environ, "RETROWALK_DATA_DIR": str(data_dir)}
    env.pop("RETROWALK_DATABASE_URL", None)
    code = (
        "import sys; from retrowalk.cli.serve import run_server; "
        "run_server('127.0.0.1', int(sys.argv[1]), workers=int(sys.argv[2]))"
    )
    cmd = [sys.executable, "-c", code, str(port), str(workers)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)


def wait_ready(base: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/signin", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not start")


def big_recording(path: Path, megabytes: int) -> Path:
    """A valid recording CSV of about ``megabytes`` MB (100 Hz lower-back signal)."""
    import numpy as np

    rows_per_mb = 1024 * 1024 // 62
    n = megabytes * rows_per_mb
    t = np.arange(n) / 100.0
    rng = np.random.default_rng(0)
    acc = np.column_stack(
        [
            9.81 + 1.5 * np.sin(2 * np.pi * 1.8 * t),
            0.5 * np.sin(2 * np.pi * 0.9 * t),
            rng.normal(0, 0.3, n),
        ]
    )
    gyr = rng.normal(0, 5, (n, 3))
    with open(path, "w") as out:
        out.write("time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n")
        block = 200_000
        for i in range(0, n, block):
            data = np.column_stack([t[i : i + block], acc[i : i + block], gyr[i : i + block]])
            np.savetxt(out, data, fmt="%.6f", delimiter=",")
    return path


def signed_in(base: str) -> tuple[str, str]:
    """Sign in as the demo user: the session cookie (pages) and an API token."""
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/signin").text
        token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        client.post(
            "/signin", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        made = client.post("/api/v1/tokens", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        return cookie, made.json()["token"]


# -- the client process -----------------------------------------------------------------
async def _fetch(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bool]:
    """One keep-alive GET; returns (status, server wants the connection closed)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            fields[name.strip().lower()] = value.strip()
    if "content-length" in fields:
        await reader.readexactly(int(fields["content-length"]))
    elif fields.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, fields.get("connection", "").lower() == "close"


async def _client(spec: dict[str, Any]) -> dict[str, Any]:
    host, port = spec["host"], spec["port"]
    targets = [
        (
            name,
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                + "\r\n"
            ).encode(),
        )
        for name, path, headers in spec["targets"]
    ]
    latencies: dict[str, list[float]] = {name: [] for name, _ in targets}
    errors: list[str] = []
    counter = iter(range(spec["requests"]))
    deadline = time.monotonic() + spec["seconds"]

    async def one_user() -> None:
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        for i in counter:
            if time.monotonic() > deadline:
                break
            name, request = targets[i % len(targets)]
            t0 = time.perf_counter()
            try:
                if conn is None:
                    conn = await asyncio.open_connection(host, port)
                status, close = await _fetch(*conn, request)
                if status != 200:
                    errors.append(f"{name}: HTTP {status}")
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(f"{name}: {type(exc).__name__}")
                close = True
            latencies[name].append(time.perf_counter() - t0)
            if close and conn is not None:
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()

    started = time.perf_counter()
    await asyncio.gather(*(one_user() for _ in range(spec["concurrency"])))
    return {
        "client_cpu_s": time.process_time(),
        "elapsed": time.perf_counter() - started,
        "latencies": latencies,
        "errors": errors,
    }


def client_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    print(json.dumps(asyncio.run(_client(spec))))


# -- the run ----------------------------------------------------------------------------
def run_load(
    base: str,
    person: int,
    recording: int,
    n_requests: int,
    concurrency: int,
    seconds: float,
    workers: int,
    upload: Path | None,
    spec_path: Path,
) -> int:
    cookie, token = signed_in(base)
    page, api = {"Cookie": cookie}, {"Authorization": f"Bearer {token}"}
    port = int(base.rsplit(":", 1)[1])
    spec = {
        "host": "127.0.0.1",
        "port": port,
        "requests": n_requests,
        "concurrency": concurrency,
        "seconds": seconds,
        "targets": [
            ("report page", f"/recordings/{recording}", page),
            ("report html", f"/recordings/{recording}/report", page),
            ("person page", f"/people/{person}", page),
            ("api people", "/api/v1/people", api),
            ("api recording", f"/api/v1/recordings/{recording}", api),
            ("api progress", f"/api/v1/people/{person}/progress", api),
        ],
    }
    spec_path.write_text(json.dumps(spec))

    upload_result: list[str] = []
    uploader = None
    if upload is not None:
        uploader = threading.Thread(
            target=lambda: upload_result.append(_upload(base, token, person, upload))
        )
        uploader.start()
        time.sleep(0.5)  # the upload is streaming while the reads start
    client = subprocess.run(
        [sys.executable, __file__, "--client", str(spec_path)],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    result = json.loads(client.stdout)
    if uploader is not None:
        uploader.join()
        print(upload_result[0] if upload_result else "upload failed")

    latencies: dict[str, list[float]] = result["latencies"]
    errors: list[str] = result["errors"]
    elapsed = result["elapsed"]
    everything = [x for values in latencies.values() for x in values]
    print(
        "client: asyncio HTTP/1.1 keep-alive, raw sockets, one connection per user, "
        f"separate process ({result['client_cpu_s']:.1f} s CPU); "
        f"server: retrowalk serve --workers {workers} (uvicorn) on 127.0.0.1; "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"{len(everything)} requests, {concurrency} concurrent, {elapsed:.1f} s, "
        f"{len(everything) / elapsed:.0f} req/s, errors: {len(errors)}"
    )
    print(f"{'route':<16}{'n':>6}{'median ms':>11}{'p95 ms':>9}")
    p95_all = 0.0
    for name, values in [*latencies.items(), ("ALL", everything)]:
        if values:
            p95 = statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
            p95_all = p95 if name == "ALL" else p95_all
            print(
                f"{name:<16}{len(values):>6}{statistics.median(values) * 1e3:>11.1f}"
                f"{p95 * 1e3:>9.1f}"
            )
    for line in sorted(set(errors))[:10]:
        print("  error:", line)
    met = not errors and p95_all * 1e3 < TARGET_P95_MS
    print(
        f"target: zero errors and p95 < {TARGET_P95_MS:.0f} ms for reads at "
        f"{concurrency} concurrent: {'MET' if met else 'NOT MET'} "
        f"(errors {len(errors)}, p95 {p95_all * 1e3:.1f} ms)"
    )
    return len(errors)


def _upload(base: str, token: str, person: int, path: Path) -> str:
    with httpx.Client(base_url=base, timeout=600) as client:
        t0 = time.perf_counter()
        with open(path, "rb") as stream:
            response = client.post(
                f"/api/v1/people/{person}/recordings",
                headers={"Authorization": f"Bearer {token}"},
                files={"file": (path.name, stream, "text/csv")},
            )
        size = path.stat().st_size / 1e6
        return (
            f"upload of {size:.0f} MB during the load: HTTP {response.status_code} "
            f"in {time.perf_counter() - t0:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=90.0, help="stop after this long")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--upload-mb", type=int, default=0, help="upload a recording this big")
    parser.add_argument("--client", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args.client)
        return
    with tempfile.TemporaryDirectory(prefix="retrowalk-load-") as tmp:
        data_dir = Path(tmp) / "data"
        person, recording = prepare(data_dir)
        upload = big_recording(Path(tmp) / "big.csv", args.upload_mb) if args.upload_mb else None
        port = free_port()
        server = start_server(data_dir, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base)
            n_errors = run_load(
                base,
                person,
                recording,
                args.requests,
                args.concurrency,
                args.seconds,
                args.workers,
                upload,
                Path(tmp) / "client.json",
            )
        finally:
            server.terminate()
            server.wait(20)
    raise SystemExit(1 if n_errors else 0)


if __name__ == "__main__":
    main()

"""Load test of the web app: 50 concurrent report views and API reads.

Starts the real server (uvicorn on 127.0.0.1, a free port, a fresh data dir with
the demo account), then runs a bounded number of requests with a small asyncio
client and prints median / p95 latency and errors. With ``--upload-mb N`` a
large recording is uploaded at the same time to show it does not block readers.

    .venv/bin/python benchmarks/load.py [--requests 3000] [--concurrency 50]
                                        [--seconds 90] [--upload-mb 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from retrowalk.store.db import Database, default_database_url
from retrowalk.store.services import DEMO_EMAIL, DEMO_PASSWORD, Services, seed_demo
from retrowalk.worker import InlineRunner, run_once


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
    env = {**os.environ, "RETROWALK_DATA_DIR": str(data_dir)}
    env.pop("RETROWALK_DATABASE_URL", None)
    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "retrowalk.web.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        "--workers", str(workers),
    ]  # fmt: skip
    return subprocess.Popen(cmd, env=env)


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


async def signed_in(base: str) -> tuple[httpx.AsyncClient, dict[str, str]]:
    client = httpx.AsyncClient(base_url=base, timeout=30, limits=httpx.Limits(max_connections=100))
    page = (await client.get("/signin")).text
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    await client.post(
        "/signin", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    made = await client.post(
        "/api/v1/tokens", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    return client, {"Authorization": f"Bearer {made.json()['token']}"}


async def run_load(
    base: str,
    person: int,
    recording: int,
    n_requests: int,
    concurrency: int,
    seconds: float,
    upload: Path | None,
) -> int:
    client, api = await signed_in(base)
    targets = [
        ("report page", f"/recordings/{recording}", {}),
        ("report html", f"/recordings/{recording}/report", {}),
        ("person page", f"/people/{person}", {}),
        ("api people", "/api/v1/people", api),
        ("api recording", f"/api/v1/recordings/{recording}", api),
        ("api progress", f"/api/v1/people/{person}/progress", api),
    ]
    latencies: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    errors: list[str] = []
    counter = iter(range(n_requests))
    deadline = time.monotonic() + seconds

    async def one_user() -> None:
        for i in counter:
            if time.monotonic() > deadline:
                return
            name, url, headers = targets[i % len(targets)]
            t0 = time.perf_counter()
            try:
                response = await client.get(url, headers=headers)
                if response.status_code != 200:
                    errors.append(f"{name}: HTTP {response.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{name}: {type(exc).__name__}")
            latencies[name].append(time.perf_counter() - t0)

    upload_task = None
    if upload is not None:
        upload_task = asyncio.create_task(_upload(base, api, person, upload))
        await asyncio.sleep(0.5)  # the upload is streaming while the reads start
    started = time.perf_counter()
    await asyncio.gather(*(one_user() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    if upload_task is not None:
        print(await upload_task)
    await client.aclose()

    everything = [x for values in latencies.values() for x in values]
    print(
        f"{len(everything)} requests, {concurrency} concurrent, {elapsed:.1f} s, "
        f"{len(everything) / elapsed:.0f} req/s, errors: {len(errors)}"
    )
    print(f"{'route':<16}{'n':>6}{'median ms':>11}{'p95 ms':>9}")
    for name, values in [*latencies.items(), ("ALL", everything)]:
        if values:
            p95 = statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
            print(
                f"{name:<16}{len(values):>6}{statistics.median(values) * 1e3:>11.1f}"
                f"{p95 * 1e3:>9.1f}"
            )
    for line in sorted(set(errors))[:10]:
        print("  error:", line)
    return len(errors)


async def _upload(base: str, api: dict[str, str], person: int, path: Path) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        t0 = time.perf_counter()
        with open(path, "rb") as stream:
            response = await client.post(
                f"/api/v1/people/{person}/recordings",
                headers=api,
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
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--upload-mb", type=int, default=0, help="upload a recording this big")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="retrowalk-load-") as tmp:
        data_dir = Path(tmp) / "data"
        person, recording = prepare(data_dir)
        upload = big_recording(Path(tmp) / "big.csv", args.upload_mb) if args.upload_mb else None
        port = free_port()
        server = start_server(data_dir, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base)
            n_errors = asyncio.run(
                run_load(
                    base, person, recording, args.requests, args.concurrency, args.seconds, upload
                )
            )
        finally:
            server.terminate()
            server.wait(20)
    raise SystemExit(1 if n_errors else 0)


if __name__ == "__main__":
    main()

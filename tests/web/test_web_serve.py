"""``retrowalk serve``: worker processes and server options."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner

from browser_helpers import free_port
from retrowalk.cli import app as cli_app
from retrowalk.cli import serve as web_cli


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    for name in ("RETROWALK_DATA_DIR", "RETROWALK_DATABASE_URL"):
        # setenv first so that the values run_server sets are undone after the test.
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return calls


def test_resolve_workers() -> None:
    assert web_cli.resolve_workers(1) == 1
    assert web_cli.resolve_workers(3) == 3
    assert web_cli.resolve_workers(0) == max(1, os.cpu_count() or 1)


def test_one_worker_serves_the_built_app(
    captured: list[tuple[Any, dict[str, Any]]], tmp_path: Path
) -> None:
    web_cli.run_server(port=8123, data_dir=tmp_path / "data")
    [(app, options)] = captured
    assert isinstance(app, FastAPI)
    assert options["port"] == 8123
    assert options["timeout_keep_alive"] == web_cli.KEEP_ALIVE_S
    assert "workers" not in options


def test_several_workers_use_the_app_factory(
    captured: list[tuple[Any, dict[str, Any]]], tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    web_cli.run_server(data_dir=data_dir, workers=2)
    [(target, options)] = captured
    assert target == web_cli.APP_FACTORY == "retrowalk.web.app:create_app"
    assert options["factory"] is True
    assert options["workers"] == 2
    # The worker processes build their app from the environment.
    assert os.environ["RETROWALK_DATA_DIR"] == str(data_dir)
    assert os.environ["RETROWALK_DATABASE_URL"].startswith("sqlite:///")
    from retrowalk.web.app import create_app

    app = create_app()
    assert app.state.settings.resolved_data_dir() == data_dir
    app.state.db.dispose()


def test_serve_command_takes_workers(
    captured: list[tuple[Any, dict[str, Any]]], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        cli_app, ["serve", "--workers", "2", "--data-dir", str(tmp_path / "data"), "--port", "8124"]
    )
    assert result.exit_code == 0, result.output
    [(target, options)] = captured
    assert target == web_cli.APP_FACTORY
    assert options["workers"] == 2 and options["port"] == 8124
    assert "2 processes" in result.output


def test_serve_command_refuses_negative_workers(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--workers", "-1"])
    assert result.exit_code != 0


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_server_stops_cleanly_on_sigterm_as_on_ctrl_c(
    tmp_path: Path, stop: signal.Signals
) -> None:
    """A real ``retrowalk serve`` with its demo analyses in its analysis processes, stopped
    by a service manager's SIGTERM or Ctrl+C, sent to every process of the server as they
    do: a graceful stop, exit code 0, no traceback and nothing left behind to warn about
    (SIGTERM had killed it with "leaked semaphore" warnings, and Ctrl+C made each analysis
    process print a traceback)."""
    port = free_port()
    command = [sys.executable, "-m", "retrowalk", "serve", "--demo", "--port", str(port)]
    command += ["--data-dir", str(tmp_path / "data")]
    run = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        start_new_session=True,  # a process group of its own, which the signal is sent to
    )
    deadline = time.monotonic() + 120
    while True:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the server did not start"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/signin", timeout=2) as page:
                if page.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    time.sleep(0.5)  # its demo recordings being analysed
    os.killpg(run.pid, stop)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 0, err
    assert "leaked" not in err and "Traceback" not in err, err
    assert "retrowalk is running" in out

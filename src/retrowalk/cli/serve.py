"""``retrowalk serve``: run the web app with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from retrowalk.cli.support import stopped_as_interrupt

# Start-up time: the web stack (FastAPI, SQLAlchemy, uvicorn) is imported only
# when the server starts, not when ``retrowalk --help`` builds the command list.

# Seconds an idle keep-alive connection stays open. Longer than uvicorn's 5 s
# default so that pooled client connections are not closed just as a client
# reuses them (which the client sees as a dropped connection).
KEEP_ALIVE_S = 30
APP_FACTORY = "retrowalk.web.app:create_app"


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="SQLAlchemy URL; default RETROWALK_DATABASE_URL or SQLite in the data dir."
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Data directory; default RETROWALK_DATA_DIR or the user dir."),
    ] = None,
    demo: Annotated[bool, typer.Option(help="Load the demo account and recording first.")] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            help="Server processes; 0 means one per CPU core. More than one serves "
            "concurrent requests on several cores.",
        ),
    ] = 1,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            help="Always set the cookie's Secure flag and send HSTS (serving through https)."
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            help="Comma-separated addresses of a reverse proxy whose X-Forwarded-For is "
            "believed; by default the header is ignored."
        ),
    ] = "",
) -> None:
    """Start the web app and REST API (open http://HOST:PORT/ in a browser)."""
    if secure_cookies:
        os.environ["RETROWALK_SECURE_COOKIES"] = "1"
    if forwarded_allow_ips:
        os.environ["RETROWALK_FORWARDED_ALLOW_IPS"] = forwarded_allow_ips
    run_server(host, port, database_url, data_dir, demo=demo, workers=workers)


def resolve_workers(workers: int) -> int:
    """``0`` means one process per CPU core; anything else is taken as given."""
    return workers if workers > 0 else max(1, os.cpu_count() or 1)


def run_server(
    host: str = "127.0.0.1",
    port: int = 8000,
    database_url: str | None = None,
    data_dir: Path | None = None,
    *,
    demo: bool = False,
    workers: int = 1,
) -> None:
    """Build the app, optionally seed the demo data, and serve until stopped.

    With ``workers > 1`` uvicorn starts that many processes, each building the app
    with :func:`retrowalk.web.app.create_app` from ``RETROWALK_DATABASE_URL`` and
    ``RETROWALK_DATA_DIR`` (set here from the arguments).
    """
    import uvicorn

    from retrowalk.web.app import create_app
    from retrowalk.web.settings import Settings

    workers = resolve_workers(workers)
    settings = Settings(database_url=database_url, data_dir=data_dir)
    app = create_app(settings)
    if demo:
        from retrowalk.app.services import DEMO_EMAIL, DEMO_PASSWORD, seed_demo

        seed_demo(app.state.services)
        typer.echo(f"Demo account: {DEMO_EMAIL} / password {DEMO_PASSWORD}")
    typer.echo(
        f"retrowalk is running at http://{host}:{port}/  "
        f"({workers} process{'es' if workers > 1 else ''}; Ctrl+C stops it)"
    )
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "timeout_keep_alive": KEEP_ALIVE_S,
        # The app itself decides whose X-Forwarded-For to believe (Settings).
        "proxy_headers": False,
    }
    # uvicorn stops gracefully on SIGTERM, then raises the signal again with the handler
    # it found, which killed the process before its analysis processes' queues were
    # closed ("leaked semaphore" warnings). With this handler SIGTERM ends the command
    # as Ctrl+C does: stopped gracefully, exit code 0 (143 if it comes before the
    # server runs).
    with stopped_as_interrupt() as stop:
        try:
            if workers == 1:
                uvicorn.run(app, **options)
                return
            app.state.services.runner.shutdown()
            app.state.db.dispose()
            # Every worker process builds its own app (engine, pools) from the environment.
            os.environ["RETROWALK_DATA_DIR"] = str(settings.resolved_data_dir())
            os.environ["RETROWALK_DATABASE_URL"] = settings.resolved_database_url()
            uvicorn.run(APP_FACTORY, factory=True, workers=workers, **options)
        except KeyboardInterrupt:
            raise typer.Exit(stop.exit_code) from None

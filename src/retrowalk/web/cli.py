"""``retrowalk serve``: run the web app with uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from retrowalk.web.settings import Settings


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
) -> None:
    """Start the web app and REST API (open http://HOST:PORT/ in a browser)."""
    run_server(host, port, database_url, data_dir, demo=demo)


def run_server(
    host: str = "127.0.0.1",
    port: int = 8000,
    database_url: str | None = None,
    data_dir: Path | None = None,
    *,
    demo: bool = False,
) -> None:
    """Build the app, optionally seed the demo data, and serve until stopped."""
    import uvicorn

    from retrowalk.web.app import create_app

    app = create_app(Settings(database_url=database_url, data_dir=data_dir))
    if demo:
        from retrowalk.store.services import DEMO_EMAIL, DEMO_PASSWORD, seed_demo

        seed_demo(app.state.services)
        typer.echo(f"Demo account: {DEMO_EMAIL} / password {DEMO_PASSWORD}")
    typer.echo(f"retrowalk is running at http://{host}:{port}/  (Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")

"""Moved to :mod:`retrowalk.cli.serve`; this name stays while callers move."""

from retrowalk.cli.serve import APP_FACTORY, KEEP_ALIVE_S, resolve_workers, run_server, serve

__all__ = ["APP_FACTORY", "KEEP_ALIVE_S", "resolve_workers", "run_server", "serve"]

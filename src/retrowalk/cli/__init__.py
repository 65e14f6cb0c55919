"""The ``retrowalk`` command line: presentation only (parse, call, print).

:mod:`.main` holds the root Typer app and the analysis commands; one module per
command group (:mod:`.coach`, :mod:`.assess`, :mod:`.kids`, :mod:`.learn`,
:mod:`.serve`) and :mod:`.support` for the error line and the local account.
Heavy stacks (the store, the web app, the video pipeline) load only inside the
commands that need them, so ``retrowalk --help`` starts quickly.
"""

from retrowalk.cli.main import app, main

__all__ = ["app", "main"]

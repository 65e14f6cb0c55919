"""The ``retrowalk`` command line: presentation only (parse, call, print).

:mod:`.main` holds the root Typer app and the analysis commands; one module per
command group (:mod:`.coach`, :mod:`.assess`, :mod:`.kids`, :mod:`.learn`,
:mod:`.serve`) and :mod:`.support` for the error line and the local account.
Heavy stacks (the store, the web app, the video pipeline) load only inside the
commands that need them, so ``retrowalk --help`` starts quickly.
"""

import os

# One thread for numpy's matrix library, unless the user chose otherwise. The
# engine's matrix products are thin (thousands of rows by a few channels),
# where a second thread costs more than it gives: an hour of lower-back data
# took 0.47 s with OpenBLAS's two threads and 0.19 s with one (2 cores, one
# other job running). Set before numpy is first imported, which the command
# line does only inside its commands; worker processes inherit it.
for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from retrowalk.cli.main import app, main  # noqa: E402

__all__ = ["app", "main"]

"""``python -m retrowalk``: the same command line as the ``retrowalk`` command."""

from retrowalk.cli import app

app(prog_name="retrowalk")

"""``python -m retrowalk.cli``: the same as the ``retrowalk`` command."""

from retrowalk.cli.main import main

main()

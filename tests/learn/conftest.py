"""Fixtures of the Learn tests (the web fixtures are shared with tests/web)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from learntest_helpers import learn_page, learn_server  # noqa: F401
from webtest_helpers import app, client, database_url, other_client  # noqa: F401

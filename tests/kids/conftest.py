"""Fixtures of the children's tests (the web fixtures are shared with tests/web)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from kidstest_helpers import kids_service, kids_world, server_worker  # noqa: F401
from webtest_helpers import app, client, other_client  # noqa: F401

from browser_helpers import chromium, page, server  # noqa: F401
from dbtest_helpers import database_url  # noqa: F401

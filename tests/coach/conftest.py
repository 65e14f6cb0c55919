"""Fixtures of the coaching and 3MBWT web tests (the web fixtures are shared with tests/web)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from webtest_helpers import app, client, other_client, world  # noqa: F401

from browser_helpers import chromium, page, server, server_worker  # noqa: F401
from dbtest_helpers import database_url, recording_file  # noqa: F401

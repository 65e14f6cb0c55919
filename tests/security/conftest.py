"""Fixtures of the security tests (web fixtures shared with tests/web)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from webtest_helpers import app, client  # noqa: F401

from browser_helpers import chromium, page, server, server_worker  # noqa: F401
from dbtest_helpers import database_url, recording_file  # noqa: F401

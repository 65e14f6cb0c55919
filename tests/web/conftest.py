"""Web test fixtures (defined in webtest_helpers)."""

from webtest_helpers import app, client, other_client, world  # noqa: F401

from browser_helpers import browser_side_once, chromium, page, server, server_worker  # noqa: F401
from dbtest_helpers import database_url, recording_file  # noqa: F401

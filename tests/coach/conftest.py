"""Fixtures of the coaching and 3MBWT web tests (the web fixtures are shared with tests/web)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from coachtest_helpers import page, server  # noqa: F401
from webtest_helpers import (  # noqa: F401
    app,
    client,
    database_url,
    other_client,
    recording_file,
    world,
)

"""Web test fixtures (defined in webtest_helpers)."""

from webtest_helpers import (  # noqa: F401
    app,
    client,
    database_url,
    other_client,
    recording_file,
    world,
)

"""Store test fixtures (defined in storetest_helpers)."""

from storetest_helpers import database_url, db, recording_file, services  # noqa: F401

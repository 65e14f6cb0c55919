"""Store test fixtures (defined in storetest_helpers)."""

from storetest_helpers import db, services  # noqa: F401

from dbtest_helpers import database_url, recording_file  # noqa: F401

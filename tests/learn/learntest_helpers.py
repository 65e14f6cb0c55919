"""Helpers of the Learn tests: the browser fixtures of browser_helpers under Learn's names."""

from __future__ import annotations

import pytest


@pytest.fixture
def server_worker() -> str:
    """The Learn pages need no analysis worker."""
    return "none"


@pytest.fixture
def learn_server(server: str) -> str:
    """The app served on a free local port (no worker); its base URL."""
    return server


@pytest.fixture
def learn_page(page):  # type: ignore[no-untyped-def]
    """A Playwright page in Debian's headless Chromium."""
    return page

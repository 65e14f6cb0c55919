"""Each app keeps its gzip copies of static files in its own data folder.

The copies in memory are shared by every app of a process (static files are the
same for all), but a copy written to disk, even one made in the background after
the request that asked for it, goes to the folder of the app that was asked. When
one module-wide folder was set by each new app, a copy of Plotly still being made
for an earlier app landed in a later one's folder, where a deleted person's folder
was then found not empty.
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path

from fastapi.testclient import TestClient
from webtest_helpers import make_settings

from retrowalk.web.app import create_app
from retrowalk.web.compress import FILE_CACHE, GzipFileCache


def _copies(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.gz"))


def test_a_static_copy_goes_to_the_folder_of_the_app_asked(
    database_url: str, tmp_path: Path
) -> None:
    first = create_app(make_settings(database_url, tmp_path / "a"))
    create_app(make_settings(database_url, tmp_path / "b"))  # a later app of the same process
    FILE_CACHE._copies.clear()  # as in a fresh process: nothing compressed yet
    with TestClient(first) as client:
        response = client.get("/static/style.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert len(_copies(tmp_path / "a" / "data" / "cache" / "gzip")) == 1
    assert _copies(tmp_path / "b" / "data" / "cache" / "gzip") == []


def test_a_copy_made_in_the_background_keeps_its_folder(tmp_path: Path) -> None:
    shared = GzipFileCache()
    first, second = shared.at(tmp_path / "one"), shared.at(tmp_path / "two")
    big = tmp_path / "big.js"
    big.write_text("var x = 1;\n" * 200_000)
    first.prepare(big)
    deadline = time.monotonic() + 30
    while shared._pending and time.monotonic() < deadline:
        time.sleep(0.01)
    (copy,) = _copies(tmp_path / "one")
    assert gzip.decompress(copy.read_bytes()) == big.read_bytes()
    assert _copies(tmp_path / "two") == []
    # the copy in memory serves the other app too, without compressing again
    assert second.cached(big) == copy.read_bytes()

"""A phone video uploaded in the app is analysed like any recording (needs the video extra)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webtest_helpers import add_person, sign_up, upload, wait_for_analysis

pytestmark = pytest.mark.slow


def test_video_upload_is_analysed_and_reported(
    app,  # type: ignore[no-untyped-def]
    client: TestClient,
    shared_data: Path,
    database_url: str,
) -> None:
    pytest.importorskip("mediapipe", reason="the video extra is not installed")
    if not database_url.startswith("sqlite"):
        pytest.skip("the video path is the same on every database; run once")
    video = shared_data / "video" / "sports2d-demo.mp4"
    sign_up(client, "video@example.org")
    pid = add_person(client, "Vera", height_m="1.65")
    assert "video" in client.get(f"/people/{pid}").text.lower()
    rec = upload(client, pid, video, name="walk.mp4")
    assert rec["http"] == 201, rec
    wait_for_analysis(app)
    assert client.get(f"/recordings/{rec['id']}/status").json()["status"] == "done"
    result = client.get(f"/recordings/{rec['id']}/analysis.json").json()
    assert result["recording"]["placement"] == "video"
    walking = [b for b in result["bouts"] if b["n_steps"] >= 3]
    assert [b["direction"] for b in walking] == ["forward"]
    assert 7 <= walking[0]["n_steps"] <= 9
    report = client.get(f"/recordings/{rec['id']}/report").text
    assert "data:image/gif;base64," in report

"""After an upgrade: every recording an earlier engine analysed, analysed again at once.

The engine is upgraded under stored results the way the recording page's test does
it (a new ``engine_version``); the pages that add recordings up say how many of
theirs another version made (earlier, or later after a downgrade), one button
queues them all on the analysis worker, only the account's own (or a person's), a
run can be followed after a reload and stopped, and a recording whose file is gone
or whose analysis fails keeps its earlier analysis and names the reason. SQLite and
PostgreSQL.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from webtest_helpers import (
    CSRF_RE,
    add_person,
    analyse_queued,
    csrf,
    make_settings,
    sign_up,
    stored_path,
    upload,
    wait_for_analysis,
)

from browser_helpers import serve_app
from realdata import require
from retrowalk.app.jobs.worker import run_once
from retrowalk.app.reanalysis import FILE_GONE
from retrowalk.core.provenance import engine_version
from retrowalk.store.db import Database
from retrowalk.store.models import AnalysisResult
from retrowalk.web.app import create_app

NEWER = "9.9.9+newer-engine"  # the code that computes an analysis has changed


def _copies(source: Path, folder: Path, n: int) -> list[Path]:
    """``n`` files with the same walk and different bytes (uploads are kept once)."""
    text = source.read_bytes()
    paths = []
    for i in range(n):
        path = folder / f"walk-{i + 1}.csv"
        path.write_bytes(text + b"\n" * (i + 1))
        paths.append(path)
    return paths


def _upgrade(monkeypatch: pytest.MonkeyPatch) -> None:
    from retrowalk.core import provenance
    from retrowalk.summary import contract
    from retrowalk.web.routes import recordings

    for module in (provenance, contract, recordings):
        monkeypatch.setattr(module, "engine_version", lambda: NEWER)


def _wait_done(app, client: TestClient, ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    """Until these uploads are analysed (as the upload page polls it)."""
    deadline = time.monotonic() + 120
    while any(client.get(f"/recordings/{i}/status").json()["status"] != "done" for i in ids):
        assert time.monotonic() < deadline, "the uploads were not analysed"
        wait_for_analysis(app)
        time.sleep(0.2)


def _wait_for_reanalysis(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """Until the progress the pages poll says nothing is left."""
    deadline = time.monotonic() + 120
    while client.get("/reanalysis.json").json()["pending"]:
        assert time.monotonic() < deadline, "analysing again did not finish"
        wait_for_analysis(app)
        time.sleep(0.2)


def test_an_upgrade_analyses_the_older_recordings_again_all_at_once(  # type: ignore[no-untyped-def]
    app,
    client: TestClient,
    other_client: TestClient,
    recording_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign_up(client, "a@example.org")
    sign_up(other_client, "b@example.org")
    pid = add_person(client, "Ann")
    days = ("2026-03-02", "2026-03-04", "2026-03-10")
    recs = [
        upload(client, pid, path, recorded_on=day)
        for path, day in zip(_copies(recording_file, tmp_path, 3), days, strict=True)
    ]
    other = upload(other_client, add_person(other_client, "Bob"), recording_file)
    _wait_done(app, client, [r["id"] for r in recs])
    _wait_done(app, other_client, [other["id"]])
    before = {r["id"]: client.get(f"/recordings/{r['id']}/analysis.json").json() for r in recs}
    old_version = before[recs[0]["id"]]["analysis_version"]
    assert 'id="older-engine-all"' not in client.get("/people").text  # all made by this engine
    assert 'id="progress-older"' not in client.get(f"/people/{pid}/progress").text

    _upgrade(monkeypatch)
    people = client.get("/people").text
    assert 'id="older-engine-all"' in people
    assert "3 recordings were analysed by an earlier version" in people and old_version in people
    progress = client.get(f"/people/{pid}/progress").text
    assert 'id="progress-older"' in progress and "3 of the recordings" in progress
    # The plan's weekly view, the clinic and the test page add recordings up too: a
    # person's pages speak of that person's recordings, the clinic of the account's.
    assert "3 recordings were analysed by an earlier version" in client.get("/clinic").text
    for page in (f"/people/{pid}/coach", f"/people/{pid}/tests/3mbwt", f"/people/{pid}"):
        text = client.get(page).text
        assert "3 of Ann&#39;s recordings were analysed by an earlier version" in text, page
        assert f'name="person_id" value="{pid}"' in text, page
    weeks = client.get(f"/people/{pid}/progress.json").json()
    assert [w["older_engine_recordings"] for w in weeks] == [2, 1]
    export = client.get(f"/people/{pid}/export")
    with zipfile.ZipFile(io.BytesIO(export.content)) as zf:
        versions = json.loads(zf.read("analysis_versions.json"))
        weekly_csv = zf.read("progress_weekly.csv").decode()
    assert versions["engine_version"] == NEWER and len(versions["by_earlier_engine"]) == 3
    assert "another engine version" in versions["note"] and "older_engine_recordings" in weekly_csv

    # The second recording's file is gone; the third's is no longer a recording.
    gone, broken = recs[1]["id"], recs[2]["id"]
    stored_path(app, gone).unlink()
    stored_path(app, broken).write_text("not a recording\n")
    token = csrf(client, "/people")
    started = client.post(
        "/reanalyse-older",
        data={"csrf_token": token, "next": f"/people/{pid}/progress"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    assert started.headers["location"] == f"/people/{pid}/progress"
    _wait_for_reanalysis(app, client)

    assert (
        client.get(f"/recordings/{recs[0]['id']}/analysis.json").json()["analysis_version"] == NEWER
    )
    for rid in (gone, broken):  # each keeps its earlier analysis, unchanged, and shows it
        assert client.get(f"/recordings/{rid}/analysis.json").json() == before[rid]
        page = client.get(f"/recordings/{rid}").text
        assert 'id="reanalysis-error"' in page and 'id="older-engine"' in page
    state = client.get("/reanalysis.json").json()
    assert state["older_recordings"] == 2 and state["pending"] == 0
    reasons = {f["recording_id"]: f["reason"] for f in state["failed"]}
    assert reasons[gone] == FILE_GONE
    assert reasons[broken] and "\n" not in reasons[broken]
    people = client.get("/people").text
    assert 'id="older-failed"' in people and FILE_GONE in people
    assert "2 of the recordings" in client.get(f"/people/{pid}/progress").text
    assert [
        w["older_engine_recordings"] for w in client.get(f"/people/{pid}/progress.json").json()
    ] == [1, 1]

    # The other account's recording was not touched, and still says so.
    untouched = other_client.get(f"/recordings/{other['id']}/analysis.json").json()
    assert untouched["analysis_version"] == old_version
    assert other_client.get("/reanalysis.json").json()["older_recordings"] == 1
    assert "1 recording was analysed by an earlier version" in other_client.get("/people").text


def test_the_api_starts_and_follows_it(  # type: ignore[no-untyped-def]
    app, client: TestClient, recording_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_up(client, "api@example.org")
    rec = upload(client, add_person(client), recording_file, recorded_on="2026-03-02")
    _wait_done(app, client, [rec["id"]])
    token = client.post(
        "/api/v1/tokens", json={"email": "api@example.org", "password": "correct horse"}
    ).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/reanalysis", headers=auth).json()["older_recordings"] == 0
    _upgrade(monkeypatch)
    assert client.get("/api/v1/reanalysis", headers=auth).json()["older_recordings"] == 1
    started = client.post("/api/v1/reanalysis", headers=auth)
    assert started.status_code == 202 and started.json()["failed"] == []
    _wait_for_reanalysis(app, client)
    after = client.get("/api/v1/reanalysis", headers=auth).json()
    assert after == {**after, "older_recordings": 0, "pending": 0, "failed": []}
    result = client.get(f"/api/v1/recordings/{rec['id']}/analysis", headers=auth)
    assert result.status_code == 200 and result.json()["analysis_version"] == NEWER


EARLIER = "0.0.1+earlier-engine"


def _make_earlier(database_url: str, recording_ids: list[int]) -> None:
    """Mark the stored results of these recordings as an earlier engine's (an upgrade
    seen from the stored side, for servers and commands whose engine cannot be
    patched: the analysis runs in other processes)."""
    db = Database(database_url, migrate=False)
    try:
        with db.transaction() as session:
            session.execute(
                update(AnalysisResult)
                .where(AnalysisResult.recording_id.in_(recording_ids))
                .values(analysis_version=EARLIER)
            )
    finally:
        db.dispose()


def test_a_real_server_analyses_them_again_in_its_process_pool(
    database_url: str, recording_file: Path, tmp_path: Path
) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="process"))
    with serve_app(app) as base, httpx.Client(base_url=base, timeout=60) as http:
        token = CSRF_RE.search(http.get("/signup").text).group(1)  # type: ignore[union-attr]
        http.post(
            "/signup",
            data={"email": "s@example.org", "password": "correct horse", "csrf_token": token},
        )
        token = CSRF_RE.search(http.get("/people").text).group(1)  # type: ignore[union-attr]
        person = http.post("/people", data={"name": "Sam", "csrf_token": token}).headers["location"]
        pid = int(person.rsplit("/", 1)[-1])
        ids = []
        for path in _copies(recording_file, tmp_path, 2):
            with open(path, "rb") as stream:
                response = http.post(
                    f"/people/{pid}/recordings",
                    files={"file": (path.name, stream)},
                    data={"csrf_token": token, "recorded_on": "2026-03-02"},
                    headers={"accept": "application/json"},
                )
            ids.append(response.json()["id"])
        deadline = time.monotonic() + 180
        while any(http.get(f"/recordings/{i}/status").json()["status"] != "done" for i in ids):
            assert time.monotonic() < deadline, "the uploads were not analysed"
            time.sleep(0.3)
        _make_earlier(database_url, ids)

        people = http.get("/people").text
        assert "2 recordings were analysed by an earlier version" in people and EARLIER in people
        started = http.post("/reanalyse-older", data={"csrf_token": token, "next": "/people"})
        assert started.status_code == 303 and started.headers["location"] == "/people"
        while (state := http.get("/reanalysis.json").json())["pending"]:
            assert time.monotonic() < deadline + 180, "analysing again did not finish"
            time.sleep(0.2)
        assert state["older_recordings"] == 0 and state["failed"] == []
        for i in ids:
            result = http.get(f"/recordings/{i}/analysis.json").json()
            assert result["analysis_version"] == engine_version()
        assert 'id="older-engine-all"' not in http.get("/people").text


def test_a_recording_waiting_to_be_analysed_again_shows_its_earlier_analysis(  # type: ignore[no-untyped-def]
    database_url: str, recording_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    with TestClient(app) as client:
        sign_up(client, "w@example.org")
        rec = upload(client, add_person(client), recording_file, recorded_on="2026-03-02")
        analyse_queued(services)
        _upgrade(monkeypatch)
        client.post("/reanalyse-older", data={"csrf_token": csrf(client, "/people")})
        page = client.get(rec["url"]).text  # queued: the earlier numbers stay in view
        assert 'data-status="queued"' in page and 'id="earlier-shown"' in page
        assert 'id="walked"' in page and 'id="older-engine"' not in page  # no second button
        # Said in words; the engine versions only in the line's tooltip.
        earlier = re.search(r'<p class="muted" id="earlier-shown" title="([^"]*)">([^<]*)<', page)
        assert earlier, page
        assert earlier.group(2) == (
            "Until it is done, the analysis below is the earlier one, made by an earlier "
            "version of retrowalk: it is being analysed again with the current version."
        )
        assert earlier.group(1) == f"Earlier analysis: engine {engine_version()}; now: {NEWER}"
        assert page.count(engine_version()) == 1 and NEWER not in page.replace(earlier[1], "")
        run_once(services.db, services.data_dir, services.runner)
        page = client.get(rec["url"]).text
        assert 'data-status="done"' in page and 'id="earlier-shown"' not in page
        assert 'id="walked"' in page and 'id="older-engine"' not in page
        # Analysed again by the same version (asked on its page): no version to speak of.
        again = client.post(
            f"{rec['url']}/reanalyse", data={"csrf_token": csrf(client, rec["url"])}
        )
        assert 'data-status="queued"' in again.text
        assert re.search(
            r'<p class="muted" id="earlier-shown">Until it is done, the analysis below is the '
            r"earlier one\.</p>",
            again.text,
        )
        assert NEWER not in again.text


def _outside_tooltips(page: str) -> str:
    """The page without its ``title`` attributes (the tooltips)."""
    return re.sub(r'\stitle="[^"]*"', "", page)


def test_the_notices_say_it_in_words_the_versions_in_their_tooltips(  # type: ignore[no-untyped-def]
    database_url: str, recording_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recording page's "made by an earlier version" notice and the notices of the
    pages that add recordings up say which way in words; the engine versions are only
    in the tooltips of those lines (they were in the text)."""
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    with TestClient(app) as client:
        sign_up(client, "words@example.org")
        pid = add_person(client, "Ann")
        rec = upload(client, pid, recording_file, recorded_on="2026-03-02")
        analyse_queued(services)
        earlier = engine_version()
        _upgrade(monkeypatch)

        page = client.get(rec["url"]).text
        line = re.search(
            r'<div class="card" id="older-engine" role="status"><p([^>]*)>([^<]*)<', page
        )
        assert line, page
        assert line.group(2) == (
            "This analysis was made by an earlier version of retrowalk, and this version may "
            "give different numbers."
        )
        assert (
            line.group(1)
            == f' title="This analysis: engine {earlier}; this retrowalk: engine {NEWER}"'
        )
        tooltip = f"Analysed by engine {earlier}; this retrowalk: engine {NEWER}"
        for url, words in (
            ("/people", "1 recording was analysed by an earlier version of retrowalk"),
            (
                f"/people/{pid}",
                "1 of Ann&#39;s recordings was analysed by an earlier version of retrowalk",
            ),
            ("/clinic", "1 recording was analysed by an earlier version of retrowalk"),
            (
                f"/people/{pid}/coach",
                "1 of Ann&#39;s recordings was analysed by an earlier version of retrowalk",
            ),
        ):
            text = client.get(url).text
            said = re.search(
                r'<p id="older-count" title="([^"]*)"><strong>([^<]*)</strong>([^<]*)<', text
            )
            assert said, url
            assert said.group(1) == tooltip and said.group(2) == words, url
            assert said.group(3).startswith(", and this version may give different numbers."), url
        progress = client.get(f"/people/{pid}/progress").text
        mixed = re.search(
            r'<p id="progress-older" title="([^"]*)"><strong>([^<]*)</strong>', progress
        )
        assert mixed and mixed.group(1) == tooltip
        assert (
            mixed.group(2)
            == "1 of the recordings in these weeks was analysed by an earlier version of retrowalk"
        )
        for url in (
            rec["url"],
            "/people",
            f"/people/{pid}",
            "/clinic",
            f"/people/{pid}/coach",
            f"/people/{pid}/progress",
            f"/people/{pid}/tests/3mbwt",
        ):
            text = _outside_tooltips(client.get(url).text)
            assert NEWER not in text and f"engine {earlier}" not in text, url
            assert "of the engine" not in text and "computes with" not in text, url


def _progress_bar(page: str) -> tuple[str, str]:
    import re

    match = re.search(r'<progress id="older-progress" max="(\d+)" value="(\d+)"', page)
    assert match, "no progress bar"
    return match.group(1), match.group(2)


def test_a_persons_run_is_followed_after_a_reload_and_stopped(  # type: ignore[no-untyped-def]
    database_url: str, recording_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    with TestClient(app) as client, TestClient(app) as stranger:
        sign_up(client, "p@example.org")
        sign_up(stranger, "s@example.org")
        ann, bob = add_person(client, "Ann"), add_person(client, "Bob")
        paths = _copies(recording_file, tmp_path, 4)
        anns = [upload(client, ann, p, recorded_on="2026-03-02")["id"] for p in paths[:3]]
        bobs = upload(client, bob, paths[3], recorded_on="2026-03-02")["id"]
        analyse_queued(services)
        before = {i: client.get(f"/recordings/{i}/analysis.json").json() for i in anns}
        _upgrade(monkeypatch)

        # Ann's page speaks of Ann's recordings and says there are others'.
        page = client.get(f"/people/{ann}").text
        assert "3 of Ann&#39;s recordings were analysed by an earlier version" in page
        assert 'id="older-others"' in page and "1 recording of other people was analysed" in page
        assert "4 recordings were analysed by an earlier version" in client.get("/people").text
        token = csrf(client, "/people")
        started = client.post(
            "/reanalyse-older",
            data={"csrf_token": token, "next": f"/people/{ann}", "person_id": str(ann)},
            follow_redirects=False,
        )
        assert started.headers["location"] == f"/people/{ann}"
        assert client.get(f"/recordings/{bobs}/status").json()["status"] == "done"  # not Bob's
        anns_state = client.get(f"/reanalysis.json?person_id={ann}").json()
        assert (anns_state["pending"], anns_state["total"], anns_state["person_id"]) == (3, 3, ann)
        assert _progress_bar(client.get(f"/people/{ann}").text) == ("3", "0")

        run_once(services.db, services.data_dir, services.runner)
        # A reload mid-run: the bar goes on from where the run is, not from 0 of 2.
        page = client.get(f"/people/{ann}").text
        assert _progress_bar(page) == ("3", "1") and "1 of 3 done" in page
        assert 'id="stop-reanalysis"' in page
        assert client.get(f"/reanalysis.json?person_id={ann}").json()["analysed_again"] == 1

        # Another account can neither follow nor stop it.
        assert stranger.get(f"/reanalysis.json?person_id={ann}").status_code == 404
        stranger.post(
            "/reanalyse-older/stop",
            data={"csrf_token": csrf(stranger, "/people"), "person_id": str(ann)},
        )
        assert client.get(f"/reanalysis.json?person_id={ann}").json()["pending"] == 2

        stopped = client.post(
            "/reanalyse-older/stop",
            data={"csrf_token": token, "next": f"/people/{ann}", "person_id": str(ann)},
            follow_redirects=False,
        )
        assert stopped.status_code == 303 and stopped.headers["location"] == f"/people/{ann}"
        for i in anns[1:]:  # not analysed again: the earlier analysis, unchanged
            assert client.get(f"/recordings/{i}/status").json()["status"] == "done"
            assert client.get(f"/recordings/{i}/analysis.json").json() == before[i]
        page = client.get(f"/people/{ann}").text
        assert "2 of Ann&#39;s recordings were analysed by an earlier version" in page
        assert 'id="reanalyse-older"' in page and 'id="older-progress"' not in page

        # The API: start the account's, stop it (DELETE), nothing left waiting.
        auth = {
            "Authorization": "Bearer "
            + client.post(
                "/api/v1/tokens", json={"email": "p@example.org", "password": "correct horse"}
            ).json()["token"]
        }
        assert client.post("/api/v1/reanalysis", headers=auth).json()["pending"] == 3
        run_once(services.db, services.data_dir, services.runner)
        after = client.delete("/api/v1/reanalysis", headers=auth)
        assert after.status_code == 200
        state = after.json()
        assert (state["pending"], state["analysed_again"], state["older_recordings"]) == (0, 2, 2)
        assert state["total"] == 2 and state["failed"] == []  # no run: those analysed again
        assert not run_once(services.db, services.data_dir, services.runner)  # none queued


@pytest.mark.parametrize(
    ("stored", "words"),
    [
        ("99.0.0+later-engine", "a later version"),  # a downgrade
        ("{release}+other-code", "another version"),  # same release, other code
    ],
)
def test_after_a_downgrade_the_pages_do_not_say_earlier(  # type: ignore[no-untyped-def]
    database_url: str,
    recording_file: Path,
    tmp_path: Path,
    stored: str,
    words: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    with TestClient(app) as client:
        sign_up(client, "d@example.org")
        pid = add_person(client, "Dee")
        rec = upload(client, pid, recording_file, recorded_on="2026-03-02")
        analyse_queued(services)
        release = engine_version().split("+", 1)[0]
        with services.db.transaction() as session:
            session.execute(
                update(AnalysisResult).values(analysis_version=stored.format(release=release))
            )
        for page in ("/people", f"/people/{pid}", f"/people/{pid}/progress"):
            text = client.get(page).text
            assert f"by {words} of retrowalk" in text, page
            assert "earlier version" not in text, page
        expected = "later" if words == "a later version" else "other"
        assert client.get("/reanalysis.json").json()["older_versions_are"] == expected

        # The recording's own page reads the version in its analysis: this engine's
        # is made older (so the stored analysis is a later version's, or another's).
        from retrowalk.web.routes import recordings

        now = "0.0.0+downgraded" if words == "a later version" else f"{release}+other-code"
        monkeypatch.setattr(recordings, "engine_version", lambda: now)
        text = client.get(rec["url"]).text
        assert f"This analysis was made by {words} of retrowalk" in text
        assert "earlier version" not in text


def test_stopping_the_run_keeps_a_bout_label_waiting_to_be_applied(  # type: ignore[no-untyped-def]
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bout relabelled after an upgrade queues its recording; stopping the upgrade's
    run (started then, or before) sends the others back to their earlier analysis but
    leaves that one to be analysed with the label, where it went back without it and
    every page added up the bout the user had said was not walking."""
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    walk = require("mocap-backward", "09_12_pelvis.csv")
    with TestClient(app) as client:
        sign_up(client, "stop-label@example.org")
        person = add_person(client, "Lena")
        paths = _copies(walk, tmp_path, 2)
        labelled, other = (
            upload(client, person, p, placement="lower_back", recorded_on="2026-03-02")["id"]
            for p in paths
        )
        analyse_queued(services)
        before = client.get(f"/recordings/{other}/analysis.json").json()
        _upgrade(monkeypatch)
        url = f"/recordings/{labelled}"
        bout = client.get(f"{url}/analysis.json").json()["bouts"][0]
        token = csrf(client, url)
        span = {"start_s": bout["start_s"], "end_s": bout["end_s"]}
        client.post(
            f"{url}/bouts/label", data={"csrf_token": token, "label": "not_walking", **span}
        )
        client.post("/reanalyse-older", data={"csrf_token": token, "person_id": str(person)})
        client.post("/reanalyse-older/stop", data={"csrf_token": token, "person_id": str(person)})
        assert client.get(f"/recordings/{other}/status").json()["status"] == "done"
        assert client.get(f"/recordings/{labelled}/status").json()["status"] == "queued"
        analyse_queued(services)
        after = client.get(f"{url}/analysis.json").json()
        [removed] = after["hand_labels"]["removed_bouts"]
        assert (removed["start_s"], removed["end_s"]) == (span["start_s"], span["end_s"])
        assert 'id="labels-pending"' not in client.get(url).text
        assert client.get(f"/recordings/{other}/analysis.json").json() == before

"""The pages through FastAPI's TestClient: auth, people, upload, report, progress, export."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from webtest_helpers import (
    add_person,
    csrf,
    make_settings,
    sign_up,
    upload,
    wait_for_analysis,
)

from realdata import require
from retrowalk.web.app import create_app
from retrowalk.web.session import COOKIE_NAME


def test_signup_signin_signout(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/signin"
    sign_up(client, "ann@example.org")
    assert "ann@example.org" in client.get("/people").text
    client.post("/signout", data={"csrf_token": csrf(client, "/people")})
    assert client.get("/people", follow_redirects=False).status_code == 303
    token = csrf(client)
    bad = client.post(
        "/signin", data={"email": "ann@example.org", "password": "wrong pass", "csrf_token": token}
    )
    assert bad.status_code == 401 and "wrong email or password" in bad.text
    ok = client.post(
        "/signin",
        data={"email": "ANN@example.org ", "password": "correct horse", "csrf_token": token},
    )
    assert ok.url.path == "/people"


def test_signup_errors(client: TestClient) -> None:
    token = csrf(client, "/signup")
    short = client.post(
        "/signup", data={"email": "x@y.org", "password": "short", "csrf_token": token}
    )
    assert short.status_code == 400 and "at least 10" in short.text
    sign_up(client, "dup@example.org")
    client.post("/signout", data={"csrf_token": csrf(client, "/people")})
    token = csrf(client, "/signup")
    dup = client.post(
        "/signup",
        data={"email": "dup@example.org", "password": "another walk 9", "csrf_token": token},
    )
    # Refused without saying that the address has an account.
    assert dup.status_code == 400 and "no account was created" in dup.text
    assert "exists" not in dup.text


def test_forms_need_csrf(client: TestClient) -> None:
    csrf(client, "/signup")
    response = client.post("/signup", data={"email": "c@example.org", "password": "password9"})
    assert response.status_code == 403
    sign_up(client, "c@example.org")
    response = client.post("/people", data={"name": "Eve", "csrf_token": "forged"})
    assert response.status_code == 403
    assert "Eve" not in client.get("/people").text


def test_session_cookie_flags(database_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    with TestClient(app) as http:
        cookie = http.get("/signin").headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    with TestClient(app, base_url="https://testserver") as https:
        cookie = https.get("/signin").headers["set-cookie"]
        assert cookie.startswith(COOKIE_NAME) and "; Secure" in cookie


def test_signin_rate_limited(client: TestClient) -> None:
    sign_up(client, "r@example.org")
    client.post("/signout", data={"csrf_token": csrf(client, "/people")})
    token = csrf(client)
    codes = [
        client.post(
            "/signin", data={"email": "r@example.org", "password": "nope-nope", "csrf_token": token}
        ).status_code
        for _ in range(6)
    ]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    right = client.post(
        "/signin", data={"email": "r@example.org", "password": "correct horse", "csrf_token": token}
    )
    assert right.status_code == 429 and "Retry-After" in right.headers


def test_people_create_edit_delete(client: TestClient) -> None:
    sign_up(client, "p@example.org")
    pid = add_person(
        client, "Baby Lu", kind="child", birth_date="2024-05-01", due_date="2024-06-10"
    )
    page = client.get(f"/people/{pid}").text
    assert "Baby Lu" in page and "born 2024-05-01" in page
    token = csrf(client, "/people")
    client.post(
        f"/people/{pid}/edit",
        data={"name": "Baby Lu", "kind": "child", "height_m": "68", "csrf_token": token},
    )
    assert "0.68 m" in client.get(f"/people/{pid}").text
    bad = client.post("/people", data={"name": "", "csrf_token": token})
    assert bad.status_code == 400
    client.post(f"/people/{pid}/delete", data={"csrf_token": token})
    assert client.get(f"/people/{pid}").status_code == 404


def test_upload_analyse_report_history(app, client: TestClient, recording_file: Path) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "u@example.org")
    pid = add_person(client, "Ann", height_m="1.65", weight_kg="60")
    rec = upload(client, pid, recording_file, recorded_on="2025-03-03")
    assert rec["http"] == 201 and rec["status"] == "queued"
    wait_for_analysis(app)
    assert client.get(f"/recordings/{rec['id']}/status").json()["status"] == "done"
    page = client.get(rec["url"])
    assert page.status_code == 200 and "backward steps" in page.text
    report = client.get(f"/recordings/{rec['id']}/report")
    assert report.status_code == 200 and "<html" in report.text.lower()
    result = client.get(f"/recordings/{rec['id']}/analysis.json").json()
    assert result["schema_version"] == 1 and result["recording"]["path"] == recording_file.name
    assert result["assumptions"]["height_m"] == 1.65
    history = client.get(f"/people/{pid}").text
    assert recording_file.name in history and "2025-03-03" in history and "done" in history
    original = client.get(f"/recordings/{rec['id']}/download")
    assert original.content == recording_file.read_bytes()


def test_duplicate_upload_refused(app, client: TestClient, recording_file: Path) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "d@example.org")
    pid = add_person(client)
    assert upload(client, pid, recording_file)["http"] == 201
    again = upload(client, pid, recording_file, name="renamed.csv")
    assert again["http"] == 409 and "uploaded already" in again["detail"]
    # It names the recording (its name and day) and how to upload it again otherwise.
    assert f"(as '{recording_file.name}', recorded " in again["detail"]
    assert again["detail"].endswith(
        "to analyse it with other settings, delete that recording first"
    )
    assert len(app.state.services.list_recordings(1, pid)) == 1


def _stored_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "data").rglob("*") if p.is_file() and p.parent.name != "data"]


def test_bad_file_gives_message_and_stores_nothing(app, client: TestClient, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "b@example.org")
    pid = add_person(client)
    bad = tmp_path / "notes.csv"
    bad.write_text("hello,world\nthis,is not\na,recording\n")
    response = upload(client, pid, bad)
    assert response["http"] == 400
    assert response["detail"].startswith("notes.csv")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in upload(client, pid, empty)["detail"]
    assert app.state.services.list_recordings(1, pid) == []
    assert _stored_files(tmp_path) == []
    # without script: the page shows the message
    token = csrf(client, "/people")
    page = client.post(
        f"/people/{pid}/recordings",
        files={"file": ("notes.csv", bad.read_bytes())},
        data={"csrf_token": token},
    )
    assert page.status_code == 400 and "notes.csv" in page.text


def test_upload_size_limit(database_url: str, tmp_path: Path, recording_file: Path) -> None:
    app = create_app(make_settings(database_url, tmp_path, max_upload_mb=1))
    with TestClient(app) as client:
        sign_up(client, "big@example.org")
        pid = add_person(client)
        big = tmp_path / "big.csv"
        big.write_bytes(
            recording_file.read_bytes() * (2 * 1024 * 1024 // recording_file.stat().st_size + 1)
        )
        response = upload(client, pid, big)
        assert response["http"] == 413 and "limit" in response["detail"]
        assert app.state.services.list_recordings(1, pid) == []
        assert _stored_files(tmp_path) == []


def test_progress_page_and_export(app, client: TestClient, recording_file: Path) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "g@example.org")
    pid = add_person(client, "Gus")
    empty = client.get(f"/people/{pid}/progress").text
    assert "No analysed recordings yet" in empty
    rec = upload(client, pid, recording_file, recorded_on="2025-02-04")
    wait_for_analysis(app)
    page = client.get(f"/people/{pid}/progress").text
    assert 'id="chart-walked"' in page and "/static/plotly.min.js" in page
    weeks = client.get(f"/people/{pid}/progress.json").json()
    assert weeks[0]["week_start"] == "2025-02-03" and weeks[0]["recordings"] == 1
    # A forward-only walk: what was walked is shown, the empty backward charts say why.
    walked = weeks[0]["forward_steps"] + weeks[0]["uncertain_steps"]
    assert walked > 0 and weeks[0]["backward_steps"] == 0
    assert 'id="chart-speed"' not in page and 'id="no-backward"' in page
    assert client.get("/static/plotly.min.js").text.lstrip().startswith("/**")
    export = client.get(f"/people/{pid}/export")
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(export.content)) as zf:
        names = set(zf.namelist())
        assert {"person.json", "recordings.csv", "recordings.json", "plans.json"} <= names
        assert f"analyses/recording-{rec['id']}.json" in names
        assert f"recordings/{rec['id']}-{recording_file.name}" in names
        assert json.loads(zf.read("person.json"))["name"] == "Gus"
        header = zf.read("recordings.csv").decode().splitlines()[0].split(",")
        assert "backward_distance_m" in header
        # the backward-only cadence and variability say so, as in the batch tables
        assert {"backward_cadence_spm", "backward_step_time_cv_pct"} <= set(header)
        assert "cadence_spm" not in header and "step_time_cv_pct" not in header
        weekly = zf.read("progress_weekly.csv").decode().splitlines()[0].split(",")
        assert "backward_cadence_spm" in weekly and "cadence_spm" not in weekly
        rows = json.loads(zf.read("recordings.json"))
        assert all("backward_cadence_spm" in r and "cadence_spm" not in r for r in rows)


def test_delete_person_removes_all_data(
    app, client: TestClient, recording_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "x@example.org")
    pid = add_person(client)
    rec = upload(client, pid, recording_file)
    wait_for_analysis(app)
    assert _stored_files(tmp_path)
    token = csrf(client, "/people")
    client.post(f"/people/{pid}/delete", data={"csrf_token": token})
    assert client.get(f"/recordings/{rec['id']}").status_code == 404
    assert _stored_files(tmp_path) == []
    with app.state.db.read() as session:
        from sqlalchemy import func, select

        from retrowalk.store.models import AnalysisResult, Recording

        assert session.scalar(select(func.count()).select_from(Recording)) == 0
        assert session.scalar(select(func.count()).select_from(AnalysisResult)) == 0


def test_delete_recording_and_reanalyse(app, client: TestClient, recording_file: Path) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "y@example.org")
    pid = add_person(client)
    rec = upload(client, pid, recording_file)
    wait_for_analysis(app)
    token = csrf(client, "/people")
    client.post(f"/recordings/{rec['id']}/reanalyse", data={"csrf_token": token})
    wait_for_analysis(app)
    assert client.get(f"/recordings/{rec['id']}/status").json()["status"] == "done"
    client.post(f"/recordings/{rec['id']}/delete", data={"csrf_token": token})
    assert client.get(f"/recordings/{rec['id']}").status_code == 404


def test_account_tokens_page(client: TestClient) -> None:
    sign_up(client, "t@example.org")
    token = csrf(client, "/account")
    page = client.post("/account/tokens", data={"name": "laptop", "csrf_token": token}).text
    assert "laptop" in page and "rw_" in page
    import re

    secret = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    token_id = re.search(r"/account/tokens/(\d+)/delete", page).group(1)
    client.post(f"/account/tokens/{token_id}/delete", data={"csrf_token": token})
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


def test_pages_need_sign_in(client: TestClient) -> None:
    for url in ("/people", "/people/1", "/recordings/1", "/people/1/progress", "/account"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/signin", url


def test_a_result_of_an_older_engine_says_so_and_is_analysed_again(  # type: ignore[no-untyped-def]
    app, client: TestClient, recording_file: Path, monkeypatch
) -> None:
    from retrowalk.summary import contract
    from retrowalk.web.routes import recordings

    sign_up(client, "v@example.org")
    pid = add_person(client)
    rec = upload(client, pid, recording_file)
    wait_for_analysis(app)
    assert 'id="older-engine"' not in client.get(rec["url"]).text  # made by this engine
    newer = "9.9.9+newer-engine"  # the code that computes an analysis has changed
    monkeypatch.setattr(recordings, "engine_version", lambda: newer)
    monkeypatch.setattr(contract, "engine_version", lambda: newer)
    page = client.get(rec["url"]).text
    assert 'id="older-engine"' in page and newer in page
    token = csrf(client, rec["url"])
    client.post(f"/recordings/{rec['id']}/reanalyse", data={"csrf_token": token})
    wait_for_analysis(app)
    result = client.get(f"/recordings/{rec['id']}/analysis.json").json()
    assert result["analysis_version"] == newer
    assert 'id="older-engine"' not in client.get(rec["url"]).text


def test_progress_names_analysed_recordings_without_a_date(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """The person page lists an undated recording; the progress page says it is left out
    (it said "No analysed recordings yet" beside a report of that recording)."""
    sign_up(client, "undated@example.org")
    person = add_person(client, "Una")
    rec = upload(client, person, require("mocap-backward", "09_12_pelvis.csv"))
    wait_for_analysis(app)
    progress = client.get(f"/people/{person}/progress").text
    assert "No analysed recordings yet" not in progress
    note = re.search(r'<p id="undated-note">(.*?)</p>', progress, re.S)
    assert note, progress
    assert "1 analysed recording without a date" in note[1]
    assert f'href="/recordings/{rec["id"]}"' in note[1]
    # Dated, it joins the weeks and the note goes.
    url = f"/recordings/{rec['id']}"
    client.post(f"{url}/date", data={"recorded_on": "2025-06-04", "csrf_token": csrf(client, url)})
    progress = client.get(f"/people/{person}/progress").text
    assert 'id="undated-note"' not in progress and 'id="weeks-table"' in progress


def test_a_recording_without_a_date_is_listed_as_such_everywhere(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """The recording lists of the calibration, 3MBWT and session log forms and the
    clinician's report say "date unknown" where the person page and the recording do;
    they gave the upload day as if the walk had been that day."""
    sign_up(client, "nodate@example.org")
    person = add_person(client, "Noa")
    upload(client, person, require("mocap-backward", "09_12_pelvis.csv"))
    wait_for_analysis(app)
    for page in ("calibration", "tests/3mbwt", "coach/log"):
        options = re.findall(
            r"<option value=\"\d+\"[^>]*>([^<]+)</option>",
            client.get(f"/people/{person}/{page}").text,
        )
        assert options and options[0].startswith("date unknown · 09_12_pelvis.csv"), (page, options)
    report = client.get(f"/people/{person}/report").text
    row = re.search(
        r'id="sensor-table".*?<tbody>\s*<tr><td>([^<]+)</td><td>09_12_pelvis.csv', report, re.S
    )
    assert row and row[1] == "date unknown", report


def test_the_clinic_says_in_words_what_the_last_change_means(client: TestClient) -> None:
    """The trend column said the internal verdict ('unknown', 'improved')."""
    sign_up(client, "trend@example.org")
    token = csrf(client, "/people")
    for name, group, times in (
        ("Cas", "community", ("6.0", "5.0")),
        ("Pia", "parkinsons", ("12.0", "8.0")),
    ):
        url = f"/people/{add_person(client, name)}/tests/3mbwt"
        for day, time_s in zip(("2026-11-01", "2026-11-15"), times, strict=True):
            client.post(
                url, data={"csrf_token": token, "time_s": time_s, "date": day, "group": group}
            )
    rows = re.findall(r"<tr>(.*?)</tr>", client.get("/clinic").text, re.S)
    said = {name: row for row in rows for name in ("Cas", "Pia") if f">{name}<" in row}
    assert "Last change: no published MDC for this group: real change unknown" in said["Cas"]
    assert "Last change: real improvement (at least the MDC)" in said["Pia"]
    assert not any(re.search(r">\s*(unknown|improved)\s*<", row) for row in rows)


def test_the_clinic_names_a_plan_as_the_plan_page_does(client: TestClient) -> None:
    """It said 'knee pain' where the plan page says 'Knee pain or knee osteoarthritis'."""
    sign_up(client, "goal@example.org")
    person = add_person(client, "Kai")
    url = f"/people/{person}/coach"
    client.post(f"{url}/plan", data={"csrf_token": csrf(client, url), "goal": "knee_pain"})
    title = re.search(r"<h2>([^<]+) · beginner</h2>", client.get(url).text)
    assert title and title[1] == "Knee pain or knee osteoarthritis"
    assert f"<td>{title[1]} · beginner</td>" in client.get("/clinic").text


def test_a_result_of_measures_since_changed_says_so_and_is_analysed_again(  # type: ignore[no-untyped-def]
    app, client: TestClient, recording_file: Path
) -> None:
    """Editing a person's height or weight leaves their analyses as they were, for the
    measures they used: the page says which, and analyses it again with the new ones."""
    sign_up(client, "m@example.org")
    pid = add_person(client, height_m="1.74", weight_kg="71.5")
    rec = upload(client, pid, recording_file)
    wait_for_analysis(app)
    assert 'id="measures-changed"' not in client.get(rec["url"]).text  # the measures of now
    before = client.get(f"/recordings/{rec['id']}/analysis.json").json()
    token = csrf(client, f"/people/{pid}")
    edited = client.post(
        f"/people/{pid}/edit",
        data={"name": "Ann", "height_m": "1.55", "weight_kg": "71.5", "csrf_token": token},
    )
    assert edited.status_code == 200
    page = client.get(rec["url"]).text
    assert 'id="measures-changed"' in page
    assert "This analysis used a height of 1.74 m; Ann&#39;s is now 1.55 m." in page
    token = csrf(client, rec["url"])
    client.post(f"/recordings/{rec['id']}/reanalyse", data={"csrf_token": token})
    wait_for_analysis(app)
    after = client.get(f"/recordings/{rec['id']}/analysis.json").json()
    assert after["assumptions"]["height_m"] == 1.55

    def walked_m(analysis: dict) -> float:
        return sum(bout["distance_m"] or 0.0 for bout in analysis["bouts"])

    assert 0 < walked_m(after) < walked_m(before)  # a shorter person's steps are shorter
    assert 'id="measures-changed"' not in client.get(rec["url"]).text

"""Coaching and 3MBWT pages and API on a real database; user B never sees A's data."""

from __future__ import annotations

import re
import time

import pytest
from coachtest_helpers import post_form
from webtest_helpers import add_person, api_token, sign_up


@pytest.fixture
def ann(client, other_client):  # type: ignore[no-untyped-def]
    """A's person Ann with a screening, a plan, two logs and two tests; B signed up."""
    sign_up(client, "a@example.org")
    sign_up(other_client, "b@example.org")
    pid = add_person(client, "Ann", birth_date="1950-05-01")
    return pid


def test_screening_page_shows_outcome_and_reasons(client, ann) -> None:  # type: ignore[no-untyped-def]
    page = client.get(f"/people/{ann}/coach/screening")
    assert page.status_code == 200
    assert re.search(r'name="age"[^>]*value="\d\d"', page.text)  # from the birth date
    response = post_form(
        client,
        f"/people/{ann}/coach/screening",
        {"age": "76", "balance": "falls", "knee_hip": "none", "neuro": "none", "activity": "some"},
    )
    assert response.status_code == 200
    assert "See a doctor or physiotherapist first" in response.text
    assert "You have fallen in the past year" in response.text
    assert 'href="/learn/safety-see-doctor-first"' in response.text
    # kept in the history: the plan page shows it
    assert "Safe start: See a doctor" in client.get(f"/people/{ann}/coach").text


def test_plan_log_progression_and_weekly_view(client, ann) -> None:  # type: ignore[no-untyped-def]
    empty = client.get(f"/people/{ann}/coach")
    assert "Make a plan" in empty.text and "safe-start questions" in empty.text
    made = post_form(
        client, f"/people/{ann}/coach/plan", {"goal": "knee_pain", "level": "intermediate"}
    )
    assert made.status_code == 200 and made.url.path == f"/people/{ann}/coach"
    text = made.text
    assert "Knee pain or knee osteoarthritis" in text
    assert "Walk backwards for 10 minutes in all" in text
    for learn in ("form-look-ahead", "form-toe-then-heel", "form-shorter-steps", "form-upright"):
        assert f'href="/learn/{learn}"' in text
    assert "Why: No sessions logged yet this week" in text and "no_data" not in text
    logged = post_form(
        client,
        f"/people/{ann}/coach/log",
        {
            "backward_min": "10",
            "place": "open_space",
            "soreness": "8",
            "effort": "5",
            "falls": "0",
            "near_falls": "0",
        },
    )
    assert logged.status_code == 200
    assert "Why: High soreness (7 or more out of 10)" in logged.text
    assert "high_soreness" not in logged.text
    assert re.search(r'id="this-week">10 of 30 min', logged.text)


def test_stroke_plan_without_prescription_is_refused(client, ann) -> None:  # type: ignore[no-untyped-def]
    response = post_form(
        client, f"/people/{ann}/coach/plan", {"goal": "stroke_rehab", "level": "beginner"}
    )
    assert response.status_code == 400 and "therapist" in response.text
    ok = post_form(
        client,
        f"/people/{ann}/coach/plan",
        {"goal": "stroke_rehab", "level": "beginner", "prescribed": "on"},
    )
    assert ok.status_code == 200 and "Rehabilitation after a stroke" in ok.text


def test_bad_log_shows_message(client, ann) -> None:  # type: ignore[no-untyped-def]
    response = post_form(
        client, f"/people/{ann}/coach/log", {"backward_min": "5", "soreness": "14"}
    )
    assert response.status_code == 400 and "soreness" in response.text


def test_3mbwt_entry_interpretation_and_change(client, ann) -> None:  # type: ignore[no-untyped-def]
    page = client.get(f"/people/{ann}/tests/3mbwt")
    assert "as quickly as you safely can" in page.text and "Stroke variant" in page.text
    first = post_form(
        client,
        f"/people/{ann}/tests/3mbwt",
        {"time_s": "7.9", "group": "parkinsons", "date": "2026-01-05"},
    )
    assert first.status_code == 200 and "/tests/3mbwt/" in first.url.path
    assert "4.2 s cut-off" in first.text and "Top Geriatr Rehabil. 2020" in first.text
    second = post_form(
        client,
        f"/people/{ann}/tests/3mbwt",
        {"trials_s": "6.2, 6.0", "group": "parkinsons", "date": "2026-02-05"},
    )
    assert "6.10 s" in second.text
    assert "No real change" in second.text and "2.13 s" in second.text
    missing = post_form(client, f"/people/{ann}/tests/3mbwt", {"group": "community"})
    assert missing.status_code == 400 and "give the time" in missing.text


def test_clinic_and_report(client, ann) -> None:  # type: ignore[no-untyped-def]
    post_form(client, f"/people/{ann}/coach/plan", {"goal": "balance", "level": "beginner"})
    post_form(client, f"/people/{ann}/coach/log", {"backward_min": "7.5", "place": "wall_support"})
    post_form(
        client,
        f"/people/{ann}/tests/3mbwt",
        {"time_s": "5.0", "group": "community", "date": "2026-01-10"},
    )
    post_form(
        client,
        f"/people/{ann}/tests/3mbwt",
        {"time_s": "4.2", "group": "community", "date": "2026-02-10"},
    )
    add_person(client, "Baby Bo", kind="child")
    clinic = client.get("/clinic")
    assert clinic.status_code == 200
    assert "Ann" in clinic.text and "Baby Bo" not in clinic.text
    assert "5.0 → 4.2 s" in clinic.text
    assert "7.5 / 15 min (50 %)" in clinic.text
    assert "(backward minutes done / planned)" in clinic.text  # the order of the figures
    report = client.get(f"/people/{ann}/report")
    assert report.status_code == 200
    assert "Backward walking report: Ann" in report.text and "/static/coach.css" in report.text
    assert "@media print" in client.get("/static/coach.css").text
    assert 'data-action="print"' in report.text and "J Geriatr Phys Ther" in report.text


def test_api_plans_logs_tests(client, ann) -> None:  # type: ignore[no-untyped-def]
    headers = api_token(client, "a@example.org")
    screen = client.post("/api/v1/screening", json={"age": 30, "pregnant": True}, headers=headers)
    assert screen.status_code == 200 and screen.json()["outcome"] == "doctor"
    plan = client.post(
        f"/api/v1/people/{ann}/coach/plan", json={"goal": "fitness"}, headers=headers
    )
    assert (
        plan.status_code == 201
        and plan.json()["payload"]["weeks"][0]["backward_min_per_session"] == 5
    )
    log = client.post(
        f"/api/v1/people/{ann}/coach/logs",
        json={"backward_min": 20, "near_falls": 1, "place": "treadmill"},
        headers=headers,
    )
    assert log.status_code == 201
    rec = client.get(f"/api/v1/people/{ann}/coach/recommendation", headers=headers).json()
    assert rec["rule"] == "near_fall" and rec["next_week_min"] == 16.0
    view = client.get(f"/api/v1/people/{ann}/coach", headers=headers).json()
    assert view["this_week"]["done_min"] == 20
    test = client.post(
        f"/api/v1/people/{ann}/tests/3mbwt",
        json={"time_s": 8.2, "group": "nursing_home"},
        headers=headers,
    )
    assert test.status_code == 201 and test.json()["interpretation"]["level"] == "high"
    tid = test.json()["id"]
    assert (
        client.get(f"/api/v1/people/{ann}/tests/3mbwt/{tid}", headers=headers).json()["time_s"]
        == 8.2
    )
    assert len(client.get(f"/api/v1/people/{ann}/tests/3mbwt", headers=headers).json()) == 1
    assert client.get("/api/v1/clinic", headers=headers).json()[0]["latest_test"]["id"] == tid
    norms = client.get("/api/v1/tests/3mbwt/norms", headers=headers).json()
    assert norms["groups"]["parkinsons"]["mdc_s"] == 2.13
    bad = client.post(f"/api/v1/people/{ann}/tests/3mbwt", json={"group": "ms"}, headers=headers)
    assert bad.status_code == 422


def test_isolation_b_gets_404_for_a_ids(client, other_client, ann) -> None:  # type: ignore[no-untyped-def]
    a_api = api_token(client, "a@example.org")
    b_api = api_token(other_client, "b@example.org")
    client.post(f"/api/v1/people/{ann}/coach/plan", json={"goal": "fitness"}, headers=a_api)
    tid = client.post(
        f"/api/v1/people/{ann}/tests/3mbwt", json={"time_s": 5.0}, headers=a_api
    ).json()["id"]
    for url in (
        f"/people/{ann}/coach",
        f"/people/{ann}/coach/screening",
        f"/people/{ann}/coach/log",
        f"/people/{ann}/tests/3mbwt",
        f"/people/{ann}/tests/3mbwt/{tid}",
        f"/people/{ann}/report",
    ):
        assert other_client.get(url).status_code == 404, url
    for url, data in (
        (f"/people/{ann}/coach/screening", {"age": "40"}),
        (f"/people/{ann}/coach/plan", {"goal": "fitness", "level": "beginner"}),
        (f"/people/{ann}/coach/log", {"backward_min": "5"}),
        (f"/people/{ann}/coach/stage", {"stage": "open_space"}),
        (f"/people/{ann}/tests/3mbwt", {"time_s": "5"}),
    ):
        assert post_form(other_client, url, data).status_code == 404, url
    for method, url, body in (
        ("get", f"/api/v1/people/{ann}/coach", None),
        ("get", f"/api/v1/people/{ann}/coach/logs", None),
        ("get", f"/api/v1/people/{ann}/coach/recommendation", None),
        ("get", f"/api/v1/people/{ann}/tests/3mbwt", None),
        ("get", f"/api/v1/people/{ann}/tests/3mbwt/{tid}", None),
        ("post", f"/api/v1/people/{ann}/coach/plan", {"goal": "fitness"}),
        ("post", f"/api/v1/people/{ann}/coach/logs", {"backward_min": 5}),
        ("post", f"/api/v1/people/{ann}/screening", {"age": 40}),
        ("post", f"/api/v1/people/{ann}/tests/3mbwt", {"time_s": 5.0}),
    ):
        if method == "get":
            response = other_client.get(url, headers=b_api)
        else:
            response = other_client.post(url, headers=b_api, json=body)
        assert response.status_code == 404, (url, response.text)
    assert other_client.get("/api/v1/clinic", headers=b_api).json() == []
    assert "Ann" not in other_client.get("/clinic").text
    # and A still sees everything
    assert len(client.get(f"/api/v1/people/{ann}/tests/3mbwt", headers=a_api).json()) == 1


def test_3mbwt_timed_from_a_recording(app, client, ann, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from coachtest_helpers import backward_walk_csv
    from webtest_helpers import upload, wait_for_analysis

    from calibration_helpers import stand_in_profile
    from retrowalk.app.calibration import store_profile

    # Ann calibrated: her stand-in backward walk is called backward.
    store_profile(stand_in_profile(), ann, app.state.settings.resolved_data_dir())
    path = backward_walk_csv(tmp_path)
    rec = upload(client, ann, path, placement="lower_back")
    assert rec["http"] == 201, rec
    headers = api_token(client, "a@example.org")
    deadline = time.monotonic() + 120
    while True:
        wait_for_analysis(app)
        status = client.get(f"/api/v1/recordings/{rec['id']}", headers=headers).json()["status"]
        if status in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == "done"
    page = client.get(f"/people/{ann}/tests/3mbwt")
    assert f'<option value="{rec["id"]}">date unknown · ' in page.text
    # The CSV holds no date: the day of the test is asked for (it was dated today).
    url = f"/people/{ann}/tests/3mbwt"
    chosen = {"recording_id": str(rec["id"]), "group": "community"}
    undated = post_form(client, url, chosen)
    assert undated.status_code == 400
    error = re.search(r'id="test-error">([^<]*)<', undated.text)
    assert error and error.group(1) == (
        "Date: the recording&#39;s date is unknown (its file holds none): give the day of "
        "the test, or set the recording&#39;s date on its page"
    )
    assert f'<option value="{rec["id"]}" selected>' in undated.text  # the form as sent
    api_url = f"/api/v1/people/{ann}/tests/3mbwt"
    refused = client.post(api_url, headers=headers, json={"recording_id": rec["id"]})
    assert refused.status_code == 400 and refused.json()["detail"].startswith("date: the rec")
    assert client.get(api_url, headers=headers).json() == []
    result = post_form(client, url, {**chosen, "date": "2026-03-02"})
    assert result.status_code == 200, result.text
    assert client.get(api_url, headers=headers).json()[0]["date"] == "2026-03-02"
    # Its date set, a recording gives its day to a test timed from it.
    dated = client.patch(
        f"/api/v1/recordings/{rec['id']}", headers=headers, json={"recorded_on": "2026-03-09"}
    )
    assert dated.status_code == 200, dated.text
    again = client.post(api_url, headers=headers, json={"recording_id": rec["id"]})
    assert again.status_code == 201 and again.json()["date"] == "2026-03-09"
    match = re.search(r'big-time">([\d.]+) s</span> ± ([\d.]+) s', result.text)
    assert match, result.text
    time_s, unc = float(match.group(1)), float(match.group(2))
    assert 2.0 < time_s < 5.0 and 0.05 < unc < 1.0
    assert "from recording" in result.text and "step-length error" in result.text
    # the planned sessions view counts the recording's backward minutes
    view = client.get(f"/people/{ann}/coach")
    assert "recording" in view.text or "Make a plan" in view.text


def test_api_stroke_trials_are_stored_as_the_time_of_their_mean_speed(client, ann) -> None:  # type: ignore[no-untyped-def]
    """Stored through the app, the stroke variant's trials of 6 and 10 s are 7.5 s (their
    mean speed, 0.4 m/s, as the procedure says); the standard test's are 8.0 s."""
    headers = api_token(client, "a@example.org")
    url = f"/api/v1/people/{ann}/tests/3mbwt"
    stroke = client.post(
        url,
        json={"trials_s": [6.0, 10.0], "group": "stroke", "variant": "stroke_5m"},
        headers=headers,
    )
    assert stroke.status_code == 201, stroke.text
    assert stroke.json()["time_s"] == 7.5
    assert stroke.json()["interpretation"]["speed_mps"] == 0.4
    standard = client.post(url, json={"trials_s": [6.0, 10.0]}, headers=headers)
    assert standard.status_code == 201 and standard.json()["time_s"] == 8.0


def test_3mbwt_under_a_high_risk_only_cut_off_reads_so_everywhere(client, ann) -> None:  # type: ignore[no-untyped-def]
    """A stored Parkinson's time under 4.2 s (the only published cut-off, Carter 2020) read
    "low fall risk" on the result page, the clinic page and in the API; the printable
    report said only "under the cut-off". Each now says it is under the high-risk cut-off
    and that no low-risk cut-off is published for the group."""
    post_form(
        client,
        f"/people/{ann}/tests/3mbwt",
        {"time_s": "3.1", "group": "parkinsons", "date": "2026-03-02"},
    )
    headers = api_token(client, "a@example.org")
    tests = client.get(f"/api/v1/people/{ann}/tests/3mbwt", headers=headers).json()
    i = tests[0]["interpretation"]
    assert i["level"] == "under_high"
    label = "under the 4.2 s high-risk cut-off; no low-risk cut-off is published for this group"
    assert i["level_label"] == label
    page = client.get(f"/people/{ann}/tests/3mbwt/{tests[0]['id']}")
    clinic = client.get("/clinic")
    report = client.get(f"/people/{ann}/report")
    for shown in (page, clinic):
        assert shown.status_code == 200
        assert label in shown.text and ">low fall risk</span>" not in shown.text
        assert "level-under_high" in shown.text and "level-low" not in shown.text
    assert report.status_code == 200
    assert "no low-risk cut-off is published for this group" in report.text

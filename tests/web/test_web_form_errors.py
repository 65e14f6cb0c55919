"""A refused form says why in the form's own words, keeps what was typed, and loses nothing.

The profile forms (add a person, edit a profile) and a recording's date are
filled in wrongly; the page that comes back names the field as the form labels
it, in one plain sentence, shows what was typed, and the stored data is as it
was.
"""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from webtest_helpers import add_person, csrf, sign_up, upload, wait_for_analysis

from realdata import require

PYDANTIC_WORDS = re.compile(r"Input should|Value error|Field required|String should|_kg|_m\b")


def _error(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', page)
    assert match, f"no #{element_id} on the page"
    return html.unescape(match.group(1))


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"name": "Wes", "weight_kg": "1e308"}, "Weight: 1e+308 kg is outside 20-400 kg"),
        ({"name": "Wes", "weight_kg": "nan"}, "Weight: 'nan' is not a weight"),
        ({"name": "Wes", "weight_kg": "-5"}, "Weight: -5 kg is outside 20-400 kg"),
        ({"name": "   ", "weight_kg": "60"}, "Name: fill this in"),
        ({"name": "W" * 5000}, "Name: at most 200 characters"),
        ({"name": "Wes", "goals": "g" * 6000}, "Goals: at most 5000 characters"),
        ({"name": "Wes", "birth_date": "1800-01-01"}, "Birth date: the birth date 1800-01-01"),
        ({"name": "Wes", "height_m": "99999"}, "Height: '99999' is neither metres"),
        ({"name": "Wes", "weight_kg": "12"}, "Weight: 12 kg is not a plausible adult weight"),
        (  # a due date before the birth date: which way it is wrong
            {"name": "Kid", "kind": "child", "birth_date": "2025-06-01", "due_date": "2024-10-27"},
            "Due date: the due date is more than 26 weeks before the birth date; the due date is "
            "the day the baby was expected, after the birth date for a baby born early",
        ),
        (
            {"name": "Kid", "kind": "child", "birth_date": "2025-06-01", "due_date": "2026-01-04"},
            "Due date: the due date is more than 26 weeks after the birth date, as for a baby "
            "born more than 26 weeks early",
        ),
    ],
)
def test_a_refused_new_person_says_why_plainly_and_keeps_the_form(
    client: TestClient, fields: dict[str, str], said: str
) -> None:
    sign_up(client, "form@example.org")
    typed = {"height_m": "1.72", "conditions": "knee surgery in May", **fields}
    response = client.post("/people", data={"csrf_token": csrf(client, "/people"), **typed})
    assert response.status_code == 400
    error = _error(response.text, "person-error")
    assert error.startswith(said), error
    assert not PYDANTIC_WORDS.search(error) and "profile:" not in error, error
    # What was typed is still in the form, ready to correct.
    assert f'value="{html.escape(typed["height_m"])}"' in response.text
    assert ">knee surgery in May</textarea>" in response.text
    assert "No profiles yet" in response.text  # nothing was stored


def test_a_weight_with_a_decimal_comma_is_read(client: TestClient) -> None:
    sign_up(client, "comma@example.org")
    person = add_person(client, "Cia", weight_kg="60,5")
    page = client.get(f"/people/{person}").text
    assert 'name="weight_kg" inputmode="decimal" value="60.5"' in page


def test_a_refused_profile_edit_stays_on_the_person_page(client: TestClient) -> None:
    sign_up(client, "edit@example.org")
    person = add_person(client, "Eve", height_m="1.70", weight_kg="65")
    page = f"/people/{person}"
    response = client.post(
        f"{page}/edit",
        data={
            "csrf_token": csrf(client, page),
            "name": "Eve",
            "height_m": "1.70",
            "weight_kg": "700",
            "goals": "10 minutes backward a day",
        },
    )
    assert response.status_code == 400
    assert "<h1>Eve</h1>" in response.text and 'id="upload-form"' in response.text
    assert '<details class="card" id="edit-profile" open>' in response.text
    assert _error(response.text, "edit-error").startswith("Weight: 700 kg is outside 20-400 kg")
    assert ">10 minutes backward a day</textarea>" in response.text
    stored = client.get(page).text  # as it was: 65 kg, no goal
    assert 'name="weight_kg" inputmode="decimal" value="65"' in stored  # as the page shows it
    assert "10 minutes backward" not in stored


def test_a_refused_child_profile_edit_stays_on_the_child_page(client: TestClient) -> None:
    sign_up(client, "kid@example.org")
    person = add_person(client, "Kit", kind="child", birth_date="2025-01-10")
    response = client.post(
        f"/people/{person}/edit",
        data={
            "csrf_token": csrf(client, f"/children/{person}"),
            "name": "Kit",
            "kind": "child",
            "birth_date": "2999-01-01",
        },
    )
    assert response.status_code == 400
    said = _error(response.text, "edit-error")
    assert said == "Birth date: the birth date 2999-01-01 is in the future"
    assert 'name="birth_date" value="2999-01-01"' in response.text
    assert 'name="birth_date" value="2025-01-10"' in client.get(f"/children/{person}").text


def test_a_refused_date_stays_on_the_recording_page(
    app, client: TestClient, recording_file
) -> None:  # type: ignore[no-untyped-def]
    sign_up(client, "date@example.org")
    person = add_person(client, "Dee")
    rec = upload(client, person, recording_file, recorded_on="2026-01-05")
    wait_for_analysis(app)
    page = f"/recordings/{rec['id']}"
    for typed, said in (
        ("2999-01-01", "Recorded on: the recording date 2999-01-01 is in the future"),
        ("", "Recorded on: enter the day the recording was made"),
    ):
        response = client.post(
            f"{page}/date", data={"csrf_token": csrf(client, page), "recorded_on": typed}
        )
        assert response.status_code == 400
        assert _error(response.text, "date-error").startswith(said)
        assert '<details class="card" id="change-date" open>' in response.text
        assert "Recorded 2026-01-05 (set by you)" in response.text
        # The date as typed is in the form again, ready to correct (empty: the stored one).
        assert f'name="recorded_on" value="{typed or "2026-01-05"}"' in response.text
    assert client.get(page).text.count("Recorded 2026-01-05 (set by you)") == 1


@pytest.mark.parametrize(
    ("page", "fields", "said"),
    [
        ("tests/3mbwt", {"time_s": "12.5", "date": "2999-01-01"}, "Date: the date 2999-01-01 is"),
        ("tests/3mbwt", {"time_s": "12.5", "walking_aid": "w" * 500}, "Walking aid: at most 200"),
        ("tests/3mbwt", {"trials_s": "5, abc"}, "Single trials: write the trial times as numbers"),
        ("tests/3mbwt", {"time_s": "1e308"}, "Time for 3 m: at most 300 s"),
        ("coach/log", {"backward_min": "10", "date": "2999-01-01"}, "Date: the date 2999-01-01"),
        ("coach/log", {"backward_min": "1e308"}, "Minutes walked backwards: at most 300 minutes"),
        ("coach/log", {"backward_min": "abc"}, "Minutes walked backwards: type a number"),
        ("coach/log", {}, "Minutes walked backwards: fill this in"),
        ("coach/log", {"backward_min": "10", "note": "n" * 5000}, "Note: at most 2000 characters"),
    ],
)
def test_a_refused_test_or_log_says_why_on_its_own_page(
    client: TestClient, page: str, fields: dict[str, str], said: str
) -> None:
    """The 3MBWT and the session log: the form's words, its page again, nothing stored."""
    sign_up(client, "log@example.org")
    person = add_person(client, "Lou")
    url = f"/people/{person}/{page}"
    response = client.post(url, data={"csrf_token": csrf(client, url), **fields})
    assert response.status_code == 400, response.text
    error = html.unescape(re.search(r'class="error"[^>]*>([^<]*)<', response.text).group(1))  # type: ignore[union-attr]
    assert error.startswith(said), error
    assert not PYDANTIC_WORDS.search(error), error
    assert 'method="post"' in response.text  # the form again, not a dead end
    listed = client.get(f"/people/{person}/tests/3mbwt").text
    assert "No tests yet" in listed


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"name": "Kid", "birth_date": "1800-01-01"}, "Birth date: the birth date 1800-01-01 is"),
        ({"name": "", "birth_date": "2025-01-01"}, "Name: fill this in"),
        (
            {"name": "Kid", "birth_date": "2999-01-01"},
            "Birth date: the birth date is in the future",
        ),
        ({"name": "Kid"}, "Birth date: enter the birth date"),
        ({"name": "Kid", "birth_date": "1950-01-01"}, "Birth date: 1950-01-01 is more than 18"),
        (  # 31 weeks either way of the birth date: which way it is wrong
            {"name": "Kid", "birth_date": "2025-06-01", "due_date": "2024-10-27"},
            "Due date: the due date is more than 26 weeks before the birth date; the due date is "
            "the day the baby was expected, after the birth date for a baby born early (for a "
            "baby born on time or late, leave it empty); check both dates",
        ),
        (
            {"name": "Kid", "birth_date": "2025-06-01", "due_date": "2026-01-04"},
            "Due date: the due date is more than 26 weeks after the birth date, as for a baby "
            "born more than 26 weeks early; check both dates",
        ),
    ],
)
def test_a_refused_child_says_why_in_one_line_and_keeps_the_form(
    client: TestClient, fields: dict[str, str], said: str
) -> None:
    sign_up(client, "kids@example.org")
    response = client.post(
        "/children", data={"csrf_token": csrf(client, "/children"), "due_date": "", **fields}
    )
    assert response.status_code == 400
    error = _error(response.text, "child-error")
    assert error.startswith(said) and "\n" not in error and "pydantic" not in error, error
    for name, value in fields.items():
        assert f'name="{name}"' in response.text and f'value="{value}"' in response.text
    assert "No children yet" in response.text


# ------------------------------------------------------------------------------------------
# Every form keeps what was typed when it is refused: one field wrong, the others as typed
# (text escaped, the chosen option selected, ticked boxes ticked), and the reason shown.
TRICKY = 'a "quoted" <b>note</b> & more'  # must come back escaped, not as markup


def _typed_text(page: str, name: str, value: str) -> bool:
    return f'name="{name}"' in page and f'value="{escape(value)}"' in page


def _selected(page: str, value: str) -> bool:
    return f'<option value="{value}" selected>' in page


def test_a_refused_3mbwt_keeps_the_typed_result(client: TestClient) -> None:
    sign_up(client, "keep3m@example.org")
    person = add_person(client, "Tim")
    url = f"/people/{person}/tests/3mbwt"
    typed = {
        "time_s": "12.5",
        "group": "parkinsons",
        "variant": "stroke_5m",
        "date": "2999-01-01",  # refused: in the future
        "walking_aid": 'cane "left"',
        "note": TRICKY,
    }
    response = client.post(url, data={"csrf_token": csrf(client, url), **typed})
    assert response.status_code == 400
    assert _error(response.text, "test-error").startswith("Date: the date 2999-01-01 is")
    page = response.text
    for name in ("time_s", "date", "walking_aid"):
        assert _typed_text(page, name, typed[name]), name
    assert _selected(page, "parkinsons") and _selected(page, "stroke_5m")
    assert f">{escape(TRICKY)}</textarea>" in page and "<b>note</b>" not in page
    assert "No tests yet" in page


def test_a_refused_session_log_keeps_the_typed_session(client: TestClient) -> None:
    sign_up(client, "keeplog@example.org")
    person = add_person(client, "Lia")
    url = f"/people/{person}/coach/log"
    typed = {
        "date": "2026-01-05",
        "backward_min": "1e308",  # refused: more than 300 minutes
        "place": "stairs",
        "effort": "7",
        "soreness": "3",
        "falls": "1",
        "near_falls": "2",
        "pain": "on",
        "note": TRICKY,
    }
    response = client.post(url, data={"csrf_token": csrf(client, url), **typed})
    assert response.status_code == 400
    said = _error(response.text, "log-error")
    assert said.startswith("Minutes walked backwards: at most 300 minutes"), said
    page = response.text
    for name in ("date", "backward_min", "effort", "soreness", "falls", "near_falls"):
        assert f'name="{name}"' in page and f'value="{typed[name]}"' in page, name
    assert re.search(r'name="date" value="2026-01-05"', page)
    assert re.search(r'name="falls" min="0" max="20" value="1"', page)
    assert _selected(page, "stairs") and not _selected(page, "open_space")
    assert '<input type="checkbox" name="pain" checked>' in page
    assert f">{escape(TRICKY)}</textarea>" in page


def test_a_refused_safe_start_keeps_the_answers(client: TestClient) -> None:
    sign_up(client, "keepscreen@example.org")
    person = add_person(client, "Sam")
    url = f"/people/{person}/coach/screening"
    typed = {
        "balance": "unsteady",
        "knee_hip": "diagnosed",
        "neuro": "stroke",
        "heart_dizzy": "on",
        "age": "200",  # refused: at most 120
        "activity": "active",
    }
    response = client.post(url, data={"csrf_token": csrf(client, url), **typed})
    assert response.status_code == 400
    said = html.unescape(re.search(r'class="error"[^>]*>([^<]*)<', response.text).group(1))  # type: ignore[union-attr]
    assert said.startswith("Age: at most 120"), said
    page = response.text
    for name in ("balance", "knee_hip", "neuro"):
        assert f'name="{name}" value="{typed[name]}" checked>' in page, name
        assert f'name="{name}" value="none" checked>' not in page, name
    assert '<input type="checkbox" name="heart_dizzy" checked>' in page
    assert '<input type="checkbox" name="pregnant">' in page  # not ticked: stays unticked
    assert 'name="age" min="5" max="120" required value="200"' in page
    assert _selected(page, "active") and not _selected(page, "some")


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        (
            {"goal": "stroke_rehab", "level": "intermediate", "start": "2026-01-05"},
            "confirm that your therapist prescribed",
        ),
        (
            {"goal": "knee_pain", "level": "advanced", "start": "2026-02-31", "prescribed": "on"},
            "Start: use a date like",
        ),
    ],
)
def test_a_refused_plan_keeps_the_choices(
    client: TestClient, typed: dict[str, str], said: str
) -> None:
    sign_up(client, "keepplan@example.org")
    person = add_person(client, "Pat")
    page_url = f"/people/{person}/coach"
    response = client.post(f"{page_url}/plan", data={"csrf_token": csrf(client, page_url), **typed})
    assert response.status_code == 400
    error = html.unescape(re.search(r'class="error"[^>]*>([^<]*)<', response.text).group(1))  # type: ignore[union-attr]
    assert said in error, error
    page = response.text
    assert _selected(page, typed["goal"]) and _selected(page, typed["level"])
    assert not _selected(page, "fitness") and not _selected(page, "beginner")
    assert f'name="start" value="{typed["start"]}"' in page
    ticked = '<input type="checkbox" name="prescribed" checked>' in page
    assert ticked == ("prescribed" in typed)


def test_a_refused_child_log_entry_keeps_the_typed_entry(client: TestClient) -> None:
    sign_up(client, "keepkid@example.org")
    child = add_person(client, "Kit", kind="child", birth_date="2025-01-10")
    url = f"/children/{child}"
    typed = {
        "date": "2999-01-01",  # refused: in the future
        "skill": "cruising",
        "steps": "12",
        "details": ["bunny-hop", "holding-hands"],
        "note": TRICKY,
    }
    response = client.post(f"{url}/observations", data={"csrf_token": csrf(client, url), **typed})
    assert response.status_code == 400
    # named by the form's label, not the field's name
    assert _error(response.text, "observe-error").startswith("Date: the date is in the future")
    page = response.text
    assert (
        'name="date" value="2999-01-01"' in page
        and 'name="steps" min="0" max="500" value="12"' in page
    )
    assert _selected(page, "cruising")
    for key in typed["details"]:
        assert f'name="details" value="{key}" checked>' in page, key
    assert 'name="details" value="crawls-forwards">' in page  # not ticked
    assert f">{escape(TRICKY)}</textarea>" in page
    # The profile edit form below still shows the stored profile, not the entry.
    assert 'name="birth_date" value="2025-01-10"' in page
    steps = {**typed, "date": "2025-06-01", "steps": "many"}
    response = client.post(f"{url}/observations", data={"csrf_token": csrf(client, url), **steps})
    assert _error(response.text, "observe-error").startswith("Backward steps: enter a whole number")


@pytest.mark.parametrize("script", [False, True])
def test_a_refused_upload_names_the_form_label_and_keeps_the_fields(
    client: TestClient, tmp_path, script: bool
) -> None:  # type: ignore[no-untyped-def]
    """Floor marks refused before the file is read: the label, not the API's name."""
    sign_up(client, "keepup@example.org")
    person = add_person(client, "Uma")
    page_url = f"/people/{person}"
    clip = tmp_path / "walk.mp4"
    clip.write_bytes(b"not looked at")
    typed = {
        "recorded_on": "2026-01-05",
        "placement": "pocket",
        "floor_marks": "300,900,1500,900",
        "floor_distance_m": "three",  # refused: not a number
        "proportions": "child",
    }
    with open(clip, "rb") as stream:
        response = client.post(
            f"{page_url}/recordings",
            files={"file": ("walk.mp4", stream)},
            data={"csrf_token": csrf(client, page_url), **typed},
            headers={"accept": "application/json"} if script else {},
        )
    assert response.status_code == 400
    said = "Distance between the marks: give the distance in metres, got 'three'"
    if script:  # the page's script shows the server's sentence
        assert response.json()["detail"] == said
    else:
        assert _error(response.text, "upload-error") == said
        page = response.text
        for name in ("recorded_on", "floor_marks", "floor_distance_m"):
            assert f'name="{name}" value="{typed[name]}"' in page, name
        assert _selected(page, "pocket") and _selected(page, "child")
    assert "walk.mp4" not in client.get(page_url).text  # nothing was stored


@pytest.mark.parametrize(
    ("field", "value", "script"),
    [
        ("placement", "wrist", False),
        ("placement", "video", True),
        ("placement", "hip", False),
        ("proportions", "toddler", False),
        ("proportions", "baby", True),
    ],
)
def test_a_refused_list_value_names_the_choices_as_the_upload_form_shows_them(
    client: TestClient, field: str, value: str, script: bool
) -> None:
    """A "Worn at" or "Body proportions" value the upload form does not offer (a tampered
    form): its words, not the API's."""
    sign_up(client, "worn@example.org")
    person = add_person(client, "Wil")
    page_url = f"/people/{person}"
    walk = require("ipol-gait", "1-1_lb.txt")
    typed = {"recorded_on": "2026-01-05", field: value}
    with open(walk, "rb") as stream:
        response = client.post(
            f"{page_url}/recordings",
            files={"file": (walk.name, stream)},
            data={"csrf_token": csrf(client, page_url), **typed},
            headers={"accept": "application/json"} if script else {},
        )
    assert response.status_code == 400
    # The choices the form offers, in its own words.
    form = client.get(page_url).text
    select = re.search(rf'<select name="{field}">(.*?)</select>', form, re.S).group(1)  # type: ignore[union-attr]
    offered = re.findall(r'<option value="[a-z_]*"(?: selected)?>([^<]+)</option>', select)
    label = {"placement": "Worn at", "proportions": "Body proportions"}[field]
    said = f"{label}: choose one of {', '.join(offered[:-1])} or {offered[-1]}"
    assert said in (
        "Worn at: choose one of Detect, Lower back, Pocket or Foot",
        "Body proportions: choose one of From the age, Young child (1-3 years) or "
        "Adult or older child",
    )
    if script:
        assert response.json()["detail"] == said
    else:
        assert _error(response.text, "upload-error") == said
        assert 'name="recorded_on" value="2026-01-05"' in response.text
    assert walk.name not in client.get(page_url).text  # nothing was stored


def _choices_shown(page: str, name: str) -> list[str]:
    """The words of a list's options, or of a group of radio buttons."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    if select is None:
        radios = re.findall(rf'<input type="radio" name="{name}"[^>]*>([^<]+)</label>', page)
        assert radios, f"no list {name} on the page"
        return [html.unescape(t).strip() for t in radios]
    options = re.findall(r"<option[^>]*>([^<]+)</option>", select[1])
    return [html.unescape(t).strip() for t in options]


@pytest.mark.parametrize(
    ("form", "fields", "name", "label"),
    [
        ("tests/3mbwt", {"time_s": "4.2"}, "group", "Group"),
        ("tests/3mbwt", {"time_s": "4.2"}, "variant", "Variant"),
        ("coach/log", {"backward_min": "10"}, "place", "Where"),
        ("coach/plan", {"level": "beginner"}, "goal", "Goal"),
        ("coach/plan", {"goal": "balance"}, "level", "Level"),
        ("edit", {"name": "Lia"}, "kind", "Adult or child"),
        ("observations", {}, "skill", "Skill"),
        ("coach/screening", {"age": "40"}, "balance", "Balance and falls"),
        ("coach/screening", {"age": "40"}, "neuro", "Neurological condition"),
        ("coach/screening", {"age": "40"}, "activity", "Activity now"),
    ],
)
def test_a_value_not_in_a_list_is_refused_naming_the_lists_words(
    client: TestClient, form: str, fields: dict[str, str], name: str, label: str
) -> None:
    """A tampered list (select) value: the choices as the form shows them, not the values."""
    sign_up(client, "lists@example.org")
    if form == "observations":
        url = f"/children/{add_person(client, 'Kim', kind='child', birth_date='2025-01-10')}"
    else:
        url = f"/people/{add_person(client, 'Lia')}"
    token = csrf(client, url)
    response = client.post(f"{url}/{form}", data={"csrf_token": token, **fields, name: "zz"})
    assert response.status_code == 400, response.text
    error = html.unescape(re.search(r'class="error"[^>]*>([^<]+)<', response.text)[1])  # type: ignore[index]
    shown = _choices_shown(response.text, name)
    assert len(shown) >= 2
    assert error == f"{label}: choose one of {', '.join(shown[:-1])} or {shown[-1]}", error
    assert not PYDANTIC_WORDS.search(error), error


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"label": "sideways"}, "This bout was: choose one of backward, forward or not walking"),
        ({"label": "backward", "start_s": "soon"}, "Bout: a number of seconds"),
        ({"label": "backward", "start_s": "9", "end_s": "2"}, "Bout: a bout ends after it starts"),
        # An endless span: stored, it made every later analysis of the recording one that
        # could not be served as JSON (SQLite) or stored at all (PostgreSQL).
        ({"label": "backward", "start_s": "0", "end_s": "inf"}, "Bout: a number of seconds"),
    ],
)
def test_a_refused_bout_label_stays_on_the_recording_page(
    app, client: TestClient, fields: dict[str, str], said: str
) -> None:  # type: ignore[no-untyped-def]
    """A tampered relabel form: the recording's page again, in the form's words."""
    sign_up(client, "relabel@example.org")
    person = add_person(client, "Rae")
    rec = upload(client, person, require("ipol-gait", "1-1_lb.txt"))
    wait_for_analysis(app)
    url = f"/recordings/{rec['id']}"
    typed = {"start_s": "5.0", "end_s": "20.0", **fields, "csrf_token": csrf(client, url)}
    response = client.post(f"{url}/bouts/label", data=typed)
    assert response.status_code == 400
    assert _error(response.text, "relabel-error").startswith(said)
    assert 'id="relabel-list"' in response.text  # the recording's page, bouts and all
    assert "Your labels" not in client.get(url).text  # nothing was stored


@pytest.mark.parametrize(
    ("form", "label"), [("tests/3mbwt", "Recording"), ("coach/log", "From a recording")]
)
def test_a_recording_not_of_the_person_is_refused_as_the_form_says(
    app, world, form: str, label: str
) -> None:  # type: ignore[no-untyped-def]
    """The 3MBWT and the session log timed or linked to a recording that is not the
    person's: refused on the form's page, another account's as one that does not exist."""
    bea = add_person(world.b, "Bea")
    others = upload(world.b, bea, require("ipol-gait", "1-2_lb.txt"))
    wait_for_analysis(app)
    url = f"/people/{world.person_id}/{form}"
    token = csrf(world.a, url)
    said = {}
    for chosen in (str(others["id"]), "987654"):
        typed = {"csrf_token": token, "recording_id": chosen, "backward_min": "12"}
        response = world.a.post(url, data=typed)
        assert response.status_code == 400
        said[chosen] = html.unescape(re.search(r'class="error"[^>]*>([^<]+)<', response.text)[1])  # type: ignore[index]
        assert 'name="backward_min"' not in response.text or 'value="12"' in response.text
    assert set(said.values()) == {f"{label}: choose one of the recordings in the list"}, said
    # Another person's recording of the same account is not theirs either.
    own = add_person(world.a, "Al")
    response = world.a.post(
        f"/people/{own}/{form}",
        data={"csrf_token": token, "recording_id": str(world.recording_id), "backward_min": "12"},
    )
    assert response.status_code == 400
    error = html.unescape(re.search(r'class="error"[^>]*>([^<]+)<', response.text)[1])  # type: ignore[index]
    assert error == f"{label}: this recording belongs to someone else", error


@pytest.mark.parametrize(
    ("password", "said"),
    [
        ("password123", "this password is too common or too easy to guess"),
        ("          ", "the password cannot be only spaces"),
    ],
)
def test_a_refused_password_is_named_as_its_form_labels_it(
    client: TestClient, password: str, said: str
) -> None:
    """Sign-up ('Password') and the account page's password change ('New password')."""
    token = csrf(client, "/signup")
    response = client.post(
        "/signup", data={"email": "pw@example.org", "password": password, "csrf_token": token}
    )
    assert response.status_code == 400
    error = html.unescape(re.search(r'class="error"[^>]*>([^<]+)<', response.text)[1])  # type: ignore[index]
    assert error.startswith(f"Password: {said}"), error
    assert 'value="pw@example.org"' in response.text  # the email kept
    sign_up(client, "pw@example.org")
    token = csrf(client, "/account")
    response = client.post(
        "/account/password",
        data={"current_password": "correct horse", "new_password": password, "csrf_token": token},
    )
    assert response.status_code == 400
    error = html.unescape(re.search(r'class="error"[^>]*>([^<]+)<', response.text)[1])  # type: ignore[index]
    assert error.startswith(f"New password: {said}"), error


def test_a_refused_stage_change_names_the_plan_in_words(client: TestClient) -> None:
    """The plan page's stage buttons (hidden fields) tampered with, or pressed without a plan."""
    sign_up(client, "stage@example.org")
    url = f"/people/{add_person(client, 'Sol')}/coach"
    token = csrf(client, url)
    response = client.post(f"{url}/stage", data={"csrf_token": token, "stage": "open_space"})
    assert response.status_code == 400
    assert html.unescape(re.search(r'class="error"[^>]*>([^<]+)<', response.text)[1]) == (  # type: ignore[index]
        "Plan: make a plan first"
    )
    client.post(f"{url}/plan", data={"csrf_token": token, "goal": "fitness"})
    response = client.post(f"{url}/stage", data={"csrf_token": token, "stage": "moonwalk"})
    assert response.status_code == 400
    error = html.unescape(re.search(r'class="error"[^>]*>([^<]+)<', response.text)[1])  # type: ignore[index]
    assert error == "Stage: unknown stage 'moonwalk'", error


def test_a_session_logged_without_a_plan_is_shown_where_the_log_leads(client: TestClient) -> None:
    """Logging a session before any plan: the page the form leads to lists it (it led to a
    plan page with no trace of it)."""
    sign_up(client, "noplan@example.org")
    url = f"/people/{add_person(client, 'Ned')}/coach/log"
    response = client.post(
        url,
        data={"csrf_token": csrf(client, url), "date": "2026-01-05", "backward_min": "12"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].endswith("#sessions")
    page = client.get(response.headers["location"]).text
    section = re.search(r'<section class="card" id="sessions">(.*?)</section>', page, re.S)
    assert section and "2026-01-05: 12 min backwards (open flat space)" in section[1], page


def test_a_token_name_too_long_is_refused_on_the_page_and_in_the_api(  # type: ignore[no-untyped-def]
    app, client: TestClient
) -> None:
    """100 characters, the name column's length, are kept whole; more are refused naming
    the field (they were cut at 100 without a word)."""
    from sqlalchemy import inspect

    sign_up(client, "tokens@example.org")
    long_name = "laptop script of the clinic's gait lab, " * 3  # 120 characters
    page = client.post(
        "/account/tokens", data={"name": long_name, "csrf_token": csrf(client, "/account")}
    )
    assert page.status_code == 400
    assert _error(page.text, "token-error") == "Token name: at most 100 characters"
    assert f'value="{escape(long_name)}"' in page.text  # kept as typed, to shorten
    assert 'id="new-token"' not in page.text
    credentials = {"email": "tokens@example.org", "password": "correct horse"}
    api = client.post("/api/v1/tokens", json={**credentials, "name": long_name})
    assert api.status_code == 422
    (problem,) = api.json()["detail"]
    assert problem["loc"] == ["body", "name"] and "at most 100 characters" in problem["msg"]
    assert app.state.services.list_tokens(1) == []

    whole = long_name[:100]
    made = client.post("/api/v1/tokens", json={**credentials, "name": whole})
    assert made.status_code == 201 and made.json()["name"] == whole
    shown = client.post(
        "/account/tokens", data={"name": whole, "csrf_token": csrf(client, "/account")}
    )
    assert shown.status_code == 200 and 'id="new-token"' in shown.text
    assert [t.name for t in app.state.services.list_tokens(1)] == [whole, whole]
    # The page's field takes no more, and the database column holds as many.
    assert 'maxlength="100"' in shown.text
    with app.state.services.db.read() as session:
        columns = inspect(session.get_bind()).get_columns("api_token")
    assert next(c["type"].length for c in columns if c["name"] == "name") == 100

"""Children's pages and API through the test client; isolation of every id route."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from fastapi.routing import APIRoute
from kidstest_helpers import PNG, KidsWorld, months_ago
from webtest_helpers import api_token, csrf

from retrowalk.web.routes import kids


def test_pages_show_timeline_log_guidance_and_summary(kids_world: KidsWorld) -> None:
    a, cid = kids_world.a, kids_world.child_id
    page = a.get(f"/children/{cid}").text
    assert 'id="timeline"' in page and 'data-milestone="walking-alone"' in page
    assert "corrected age" in page and "Crawls only backwards" in page
    assert f"/children/{cid}/observations/{kids_world.entry_id}/file" in page
    photo = a.get(f"/children/{cid}/observations/{kids_world.entry_id}/file")
    assert photo.status_code == 200 and photo.content == PNG
    assert photo.headers["content-type"] == "image/png"
    guide = a.get(f"/children/{cid}/guide").text
    assert "Typical now" in guide and "not a sign of autism" in guide
    assert 'href="/learn/kids-when-to-ask"' in guide
    assert 'id="no-flags"' in guide
    before_birth = a.get(f"/children/{cid}/guide", params={"on": "1990-01-01"})
    assert before_birth.status_code == 400 and "before the birth date" in before_birth.text
    summary = a.get(f"/children/{cid}/summary")
    assert summary.status_code == 200 and "movement notes for the doctor" in summary.text
    csv_text = a.get(f"/children/{cid}/summary.csv").text
    assert csv_text.startswith("date,age") and "Crawling backwards" in csv_text
    assert a.get(f"/children/{cid}/summary.json").json()["child"]["name"] == "Mia"
    assert "Mia" in a.get("/children").text and 'href="/children"' in a.get("/people").text


def test_bad_upload_is_refused_on_the_page(kids_world: KidsWorld) -> None:
    a, cid = kids_world.a, kids_world.child_id
    token = csrf(a, "/children")
    response = a.post(
        f"/children/{cid}/observations",
        data={"csrf_token": token, "skill": "cruising"},
        files={"file": ("evil.png", b"#!/bin/sh\necho hi", "image/png")},
    )
    assert response.status_code == 400 and "photo" in response.text
    assert len(a.get(f"/children/{cid}/summary.json").json()["observations"]) == 1


def test_count_saves_an_entry_and_delete_removes_it(kids_world: KidsWorld) -> None:
    a, cid = kids_world.a, kids_world.child_id
    token = csrf(a, "/children")
    response = a.post(
        f"/children/{cid}/count",
        json={"steps": 6, "duration_s": 4.2, "skill": "first-backward-steps"},
        headers={"x-csrf-token": token, "accept": "application/json"},
    )
    assert response.status_code == 201 and response.json()["steps"] == 6
    assert a.post(f"/children/{cid}/count", json={"steps": 3}).status_code == 403  # no CSRF
    entries = a.get(f"/children/{cid}/summary.json").json()["observations"]
    assert [e["steps"] for e in entries][-1] == 6 and entries[-1]["source"] == "tap-counter"
    a.post(f"/children/{cid}/observations/{kids_world.entry_id}/delete", data={"csrf_token": token})
    assert a.get(f"/children/{cid}/observations/{kids_world.entry_id}/file").status_code == 404


def test_api(kids_world: KidsWorld) -> None:
    headers = api_token(kids_world.a, "a@example.org")
    cid = kids_world.child_id
    children = kids_world.a.get("/api/v1/children", headers=headers).json()
    assert [c["name"] for c in children] == ["Mia"]
    added = kids_world.a.post(
        f"/api/v1/children/{cid}/observations",
        json={"skill": "cruising", "details": ["drags-one-side"]},
        headers=headers,
    )
    assert added.status_code == 201
    flags = kids_world.a.get(f"/api/v1/children/{cid}/guidance", headers=headers).json()["flags"]
    assert "lopsided-crawling" in {f["id"] for f in flags}
    bad = kids_world.a.post(
        f"/api/v1/children/{cid}/observations", json={"skill": "flying"}, headers=headers
    )
    assert bad.status_code == 400


def test_every_child_route_is_isolated(kids_world: KidsWorld) -> None:
    b = kids_world.b
    token = csrf(b, "/children")
    b_api = api_token(b, "b@example.org")
    routes = [
        (method, r.path)
        for r in kids.router.routes
        if isinstance(r, APIRoute) and "{person_id}" in r.path
        for method in sorted(r.methods)
    ]
    assert len(routes) >= 12
    for person_id in (kids_world.child_id, kids_world.adult_id):
        for method, path in routes:
            url = path.replace("{person_id}", str(person_id)).replace(
                "{entry_id}", str(kids_world.entry_id)
            )
            api = path.startswith("/api/")
            headers = dict(b_api) if api else {"x-csrf-token": token}
            kwargs: dict = {"headers": headers}
            if method == "POST":
                kwargs["json"] = {"skill": "cruising", "steps": 1}
            client = b if person_id == kids_world.child_id else kids_world.a
            if person_id == kids_world.adult_id:  # A's own adult is not a child: 404 too
                headers = (
                    dict(api_token(kids_world.a, "a@example.org"))
                    if api
                    else {"x-csrf-token": csrf(kids_world.a, "/children")}
                )
                kwargs["headers"] = headers
            response = client.request(method, url, follow_redirects=False, **kwargs)
            assert response.status_code == 404, (method, url, response.status_code)
    a_entries = kids_world.a.get(f"/children/{kids_world.child_id}/summary.json").json()
    assert len(a_entries["observations"]) == 1
    assert "Mia" not in b.get("/children").text


def test_a_child_opens_the_milestones_page_not_the_adult_page(kids_world: KidsWorld) -> None:
    a, cid = kids_world.a, kids_world.child_id
    people = a.get("/people").text
    assert f'href="/children/{cid}"' in people and f'href="/people/{cid}"' not in people
    opened = a.get(f"/people/{cid}")
    assert opened.url.path == f"/children/{cid}"
    assert 'id="upload-form"' not in opened.text and "chart-speed" not in opened.text
    assert f'href="/children/{cid}/guide"' in opened.text
    # editing and deleting stay on the child's page
    assert f'action="/people/{cid}/edit"' in opened.text
    assert f'action="/people/{cid}/delete"' in opened.text
    token = csrf(a, "/children")
    born = a.get(f"/children/{cid}/summary.json").json()["child"]["birth_date"]
    edited = a.post(
        f"/people/{cid}/edit",
        data={"csrf_token": token, "name": "Mia Rose", "kind": "child", "birth_date": born},
    )
    assert edited.url.path == f"/children/{cid}" and "Mia Rose" in edited.text
    # an adult still opens the adult page
    adult = a.get(f"/people/{kids_world.adult_id}")
    assert adult.url.path == f"/people/{kids_world.adult_id}" and 'id="upload-form"' in adult.text


def test_timeline_has_a_legend_and_now_clear_of_the_ticks(kids_world: KidsWorld) -> None:
    page = kids_world.a.get(f"/children/{kids_world.child_id}").text
    legend = page.split('id="timeline-legend"', 1)[1].split("</ul>", 1)[0]
    for words in ("Usual age range", "Rough guide", "Window open now", "Today:", "Logged as seen"):
        assert words in legend
    axis = page.split('class="tl-axis"', 1)[1].split("</div>", 1)[0]
    assert "now" not in axis
    css = kids_world.a.get("/static/kids.css").text
    assert ".tl-now span { position: absolute; bottom:" in css


def test_questions_are_answered_on_the_guide_page(kids_world: KidsWorld, app) -> None:  # type: ignore[no-untyped-def]
    a = kids_world.a
    token = csrf(a, "/children")
    born = months_ago(19.5)
    made = a.post(
        "/children", data={"csrf_token": token, "name": "Tom", "birth_date": born.isoformat()}
    )
    cid = int(made.url.path.rsplit("/", 1)[-1])
    guide = a.get(f"/children/{cid}/guide").text
    assert 'id="questions"' in guide and "walking on their own yet" in guide
    assert 'data-flag="not-walking-by-18-months"' not in guide and 'id="no-flags"' in guide
    assert "Walking alone" in guide.split('id="reached"', 1)[1]
    assert f'href="/children/{cid}/guide#questions"' in a.get(f"/children/{cid}").text
    answered = a.post(
        f"/children/{cid}/observations",
        data={"csrf_token": token, "skill": "walking-alone", "details": "not-yet", "back": "guide"},
    )
    assert answered.url.path == f"/children/{cid}/guide"
    assert 'data-flag="not-walking-by-18-months"' in answered.text
    assert 'id="questions"' not in answered.text
    yes = a.post(
        f"/children/{cid}/observations",
        data={"csrf_token": token, "skill": "walking-alone", "details": "", "back": "guide"},
    )
    assert 'data-flag="not-walking-by-18-months"' not in yes.text and 'id="no-flags"' in yes.text


def test_the_child_page_offers_the_export_its_deletion_asks_for(kids_world: KidsWorld) -> None:
    """Deleting a child deletes every photo and video: the page links the export that keeps
    them (it only said to keep the summary, which holds neither)."""
    a, cid = kids_world.a, kids_world.child_id
    page = a.get(f"/children/{cid}").text
    assert page.count(f'href="/people/{cid}/export"') == 2  # the actions and the deletion
    export = a.get(f"/people/{cid}/export")
    assert export.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(export.content)).namelist()
    assert any(name.startswith("attachments/") for name in names), names


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"steps": 501}, "Steps: at most 500"),
        ({"steps": 40, "duration_s": 5000}, "Time: at most 3600 s"),
        ({"steps": 4, "skill": "moonwalk"}, "Skill: choose one of"),
    ],
)
def test_a_refused_count_says_why_in_the_counters_words(
    kids_world: KidsWorld, body: dict, said: str
) -> None:
    """The counter's script shows the answer's sentence: it showed '[object Object]' for
    FastAPI's list of problems, or a field's name."""
    a, cid = kids_world.a, kids_world.child_id
    response = a.post(
        f"/children/{cid}/count",
        json=body,
        headers={"x-csrf-token": csrf(a, "/children"), "accept": "application/json"},
    )
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail.startswith(said), detail


def test_the_timeline_shows_the_age_in_months_the_json_gives(client) -> None:  # type: ignore[no-untyped-def]
    """76 days of corrected age are about 2.5 calendar months (2.45-2.55 by the months
    they span): the timeline says the months the guidance JSON gives, rounded half up
    (it said "now, 2 mo" for the JSON's 2.5 when it rounded the unrounded months in
    binary). Born 25 days early: 3.57 weeks, "4 weeks early"."""
    import datetime as dt

    from webtest_helpers import sign_up

    from retrowalk.report import display

    sign_up(client, "ages@example.org")
    born = dt.date.today() - dt.timedelta(days=101)
    due = born + dt.timedelta(days=25)
    made = client.post(
        "/children",
        data={
            "name": "Lea",
            "birth_date": born.isoformat(),
            "due_date": due.isoformat(),
            "csrf_token": csrf(client, "/children"),
        },
    )
    assert made.status_code == 200, made.text
    cid = int(str(made.url).rsplit("/", 1)[-1])
    auth = api_token(client, "ages@example.org")
    guidance = client.get(f"/api/v1/children/{cid}/guidance", headers=auth).json()
    assert 2.44 < guidance["age_months"] < 2.56 and guidance["corrected"]
    shown = display.age_months(guidance["age_months"])
    assert shown == ("3" if guidance["age_months"] >= 2.5 else "2")
    assert f"<span>now, {shown} mo</span>" in client.get(f"/children/{cid}").text
    guide = client.get(f"/children/{cid}/guide").text
    assert "was born 4 weeks early (used until the second birthday)" in guide


def test_pages_state_the_corrected_age_rule_the_age_uses(kids_world: KidsWorld) -> None:
    """The children page, the printable summary and its JSON state one rule, the one the
    age is computed by: the corrected age is for babies born before 37 weeks. They said
    it was for every baby born before the due date."""
    from retrowalk.domain.kids.age import CORRECTED_AGE_RULE

    a, cid = kids_world.a, kids_world.child_id
    assert "before 37 weeks of pregnancy" in CORRECTED_AGE_RULE
    assert CORRECTED_AGE_RULE in a.get("/children").text
    assert CORRECTED_AGE_RULE in a.get(f"/children/{cid}/summary").text
    rule = a.get(f"/children/{cid}/summary.json").json()["corrected_age_rule"]
    assert rule == CORRECTED_AGE_RULE


def test_the_guide_names_the_age_the_walking_flag_is_raised_at(kids_world: KidsWorld) -> None:
    """The guide's "always worth asking about" line reads the age of the "not walking"
    flag from the flags' data, where the page restated 18 months by hand."""
    from importlib.resources import files

    from retrowalk.domain.kids.guidance import flag_age_months

    a, cid = kids_world.a, kids_world.child_id
    months = flag_age_months("not-walking-by-18-months")
    guide = a.get(f"/children/{cid}/guide").text
    assert f"not walking by {months:g} months (corrected age)" in guide
    page = files("retrowalk") / "web" / "templates" / "kids" / "guide.html"
    assert "18 months" not in page.read_text(encoding="utf-8")


def test_each_flag_says_its_age_once(kids_world: KidsWorld) -> None:
    """A flag raised at an age says that age once, in its title, on the guide and the
    printable summary. Its title and its text both stated it ("Not walking alone yet at
    18 months", "... at 18 months or older")."""
    a = kids_world.a
    token = csrf(a, "/children")
    answers = {  # the age in months: the log that raises the flags with an age
        19.5: [("walking-alone", "not-yet")],
        13: [("hands-knees-crawling", "not-yet"), ("backward-crawling", "strong-hand-preference")],
    }
    raised = set()
    for months, log in answers.items():
        made = a.post(
            "/children",
            data={"csrf_token": token, "name": "Tom", "birth_date": months_ago(months)},
        )
        cid = int(made.url.path.rsplit("/", 1)[-1])
        for skill, detail in log:
            data = {"csrf_token": token, "skill": skill, "details": detail}
            assert a.post(f"/children/{cid}/observations", data=data).status_code == 200
        guide = a.get(f"/children/{cid}/guide").text
        summary = a.get(f"/children/{cid}/summary").text
        blocks = [b.split("<p class=")[0] for b in guide.split('class="red-flag"')[1:]]
        blocks += [b.split("</div>")[0] for b in summary.split('class="flag"')[1:]]
        for block in blocks:
            ages = re.findall(r"(\d+(?:\.\d+)?) months", block)
            assert len(ages) == len(set(ages)) == 1, block
        raised |= set(re.findall(r'data-flag="([^"]+)"', guide))
    aged = {"not-walking-by-18-months", "no-crawling-by-12-months", "early-hand-preference"}
    assert raised == aged

"""Everything a user reads is written for them: no internal notes, ids or slugs on the pages.

The demo account is seeded and analysed, given a plan and 3MBWT results (one
timed from a recording, two typed in for a group with a minimal detectable
change), and every page of the adult's path is fetched and scanned: person,
recording and its report, progress, plan, log, safe-start questions, 3MBWT,
result, clinician view, printable report and Learn. The packaged texts behind
them (``src/retrowalk/data/**/*.toml``) are scanned too.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tomllib
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webtest_helpers import csrf, make_settings, wait_for_analysis

from retrowalk.app.services import DEMO_EMAIL, DEMO_PASSWORD, DEMO_PERSON, seed_demo
from retrowalk.web.app import create_app

#: Wording that belongs to the people who write retrowalk, not to its users.
INTERNAL = re.compile(
    r"shared/|domain\.md|check before quoting|\bTODO\b|FIXME|not named|/work/|"
    r"Rule <code>|<code>[a-z0-9]+_[a-z0-9_]+</code>|\(rule [a-z_]+\)",
    re.IGNORECASE,
)
LEARN_LINK = re.compile(r'<a href="/learn/([a-z0-9-]+)">([^<]*)</a>')


def _problems(text: str) -> list[str]:
    found = [m.group(0) for m in INTERNAL.finditer(text)]
    for entry_id, label in LEARN_LINK.findall(text):
        label = html.unescape(label).strip()
        bare = entry_id.removeprefix("kids-")
        if label in (entry_id, entry_id.replace("-", " "), bare, bare.replace("-", " ")):
            found.append(f"Learn link shown as its id: {label!r}")
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, int, Any]]:
    tmp = tmp_path_factory.mktemp("user-text")
    app = create_app(make_settings(f"sqlite:///{tmp / 'db.sqlite'}", tmp))
    seed_demo(app.state.services)
    with TestClient(app) as client:
        wait_for_analysis(app)
        token = csrf(client, "/signin")
        signed = client.post(
            "/signin", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        assert signed.url.path == "/people", signed.text
        services = app.state.services
        account = services.sign_in(DEMO_EMAIL, DEMO_PASSWORD, client="test")
        person = next(p for p in services.list_people(account) if p.name == DEMO_PERSON)
        yield client, person.id, services.list_recordings(account, person.id)


def _post(client: TestClient, url: str, data: dict[str, str]) -> Any:
    response = client.post(url, data={"csrf_token": csrf(client, "/people"), **data})
    assert response.status_code == 200, response.text[:500]
    return response


def test_pages_hold_no_internal_notes_ids_or_slugs(demo: tuple[TestClient, int, Any]) -> None:
    client, pid, recordings = demo
    _post(client, f"/people/{pid}/coach/plan", {"goal": "knee_pain", "level": "beginner"})
    _post(client, f"/people/{pid}/coach/log", {"backward_min": "5", "place": "wall_support"})
    latest = recordings[0]
    timed = _post(
        client,
        f"/people/{pid}/tests/3mbwt",
        {"group": "community", "recording_id": str(latest.id)},
    )
    assert "Measured by the sensor in the timed bout" in timed.text
    for seconds in ("6.1", "5.2"):
        _post(client, f"/people/{pid}/tests/3mbwt", {"group": "parkinsons", "time_s": seconds})

    # A child of 19 months: the guide links to Learn entries.
    born = (dt.date.today() - dt.timedelta(days=578)).isoformat()
    child = client.post(
        "/children",
        data={"csrf_token": csrf(client, "/children"), "name": "Robin", "birth_date": born},
    )
    assert child.status_code == 200, child.text[:500]
    child_id = int(re.findall(r"/children/(\d+)", child.url.path + child.text)[0])
    pages = [
        f"/children/{child_id}/guide",
        f"/people/{pid}",
        f"/people/{pid}/progress",
        f"/people/{pid}/coach",
        f"/people/{pid}/coach/log",
        f"/people/{pid}/coach/screening",
        f"/people/{pid}/tests/3mbwt",
        f"/people/{pid}/report",
        "/clinic",
        "/learn",
        f"/recordings/{latest.id}",
        f"/recordings/{latest.id}/report",
    ]
    seen: dict[str, list[str]] = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        problems = _problems(response.text)
        if problems:
            seen[url] = problems
        if url.endswith("/report") and url.startswith("/people"):
            report = response.text
    for entry in sorted(set(re.findall(r'href="/learn/([a-z0-9-]+)"', client.get("/learn").text)))[
        :40
    ]:
        problems = _problems(client.get(f"/learn/{entry}").text)
        if problems:
            seen[f"/learn/{entry}"] = problems
    assert not seen, seen

    # The printable report: sensor measures, the MDC source and the reason without ids.
    assert 'id="sensor-table"' in report
    assert "Minimal detectable change of 2.13 s" in report
    assert "Gong et al., GeroScience, 2026" in report
    assert "Why:" in report


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, f"{where}[{i}]")
    elif isinstance(node, str):
        yield where, node


def test_packaged_texts_are_written_for_users() -> None:
    """Learn texts are read as shown: each ``{name}`` filled with its published number
    (a placeholder's name is no identifier shown to the reader)."""
    from retrowalk.domain.learn.numbers import fill

    root = Path(str(files("retrowalk") / "data"))
    bad = []
    for path in sorted(root.rglob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for where, raw in _strings(data, path.name):
            text = fill(raw, where) if path.parent.name == "learn" else raw
            if INTERNAL.search(text) or "`" in text:
                bad.append(f"{where}: {text[:120]}")
            # A sentence with a snake_case word shows an identifier to the reader.
            if " " in text and re.search(r"\b[a-z]+_[a-z_]+\b", text):
                bad.append(f"{where}: {text[:120]}")
    assert not bad, bad


def test_the_scan_finds_what_it_looks_for() -> None:
    assert _problems("as listed in shared/docs/domain.md (check before quoting)")
    assert _problems("<p>Rule <code>not_enough_done</code>: less</p>")
    assert _problems('<a href="/learn/benefit-knee-oa">benefit knee oa</a>')
    assert not _problems('<a href="/learn/benefit-knee-oa">Knee osteoarthritis</a>')

"""The calibration page of a person with many analysed recordings.

The page lists every analysed recording under what its latest analysis did with the
calibration of its placement. It loaded each recording's whole analysis document in
a query of its own (one more query per recording, slow for a long history); it now
reads, in one query, the two fields of the documents it looks at. The same lists on
real recordings, and as many statements for eight recordings as for three. SQLite
and PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import event
from webtest_helpers import (
    add_person,
    analyse_queued,
    calibrate_walk,
    csrf,
    make_settings,
    page_words,
    sign_up,
    upload,
)

from realdata import data_root, require
from retrowalk.web.app import create_app


def _links(words_before: str, page: str) -> list[str]:
    """The recordings linked in the paragraph of the page that starts with these words."""
    found = re.search(re.escape(words_before) + r"(.*?)</p>", page, re.S)
    assert found, words_before
    return re.findall(r'<a href="/recordings/\d+">([^<]+)</a>', found.group(1))


def test_the_page_reads_a_long_history_in_one_query(  # type: ignore[no-untyped-def]
    database_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(database_url, tmp_path, worker="none"))
    services = app.state.services
    walks = sorted((data_root() / "ipol-gait").glob("*_lb.txt"))[:8]
    assert len(walks) == 8, "the real ipol-gait lower-back recordings are needed"
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    with TestClient(app) as client, TestClient(app) as stranger:
        sign_up(client, "history@example.org")
        sign_up(stranger, "stranger@example.org")
        person = add_person(client, "Hana")
        ids = {}
        for day, walk in enumerate(walks[:3], 1):
            rec = upload(
                client, person, walk, placement="lower_back", recorded_on=f"2026-03-0{day}"
            )
            ids[walk.name] = rec["id"]
        analyse_queued(services)
        made = calibrate_walk(
            client, person, require("mocap-backward", "09_12_pelvis.csv"), "forward, backward"
        )
        assert made.status_code == 303, made.text
        url = f"/people/{person}/calibration"
        event.listen(services.db.engine, "before_cursor_execute", count)
        client.get(url)
        statements = 0
        assert client.get(url).status_code == 200
        with_three = statements

        for day, walk in enumerate(walks[3:], 4):
            rec = upload(
                client, person, walk, placement="lower_back", recorded_on=f"2026-03-0{day}"
            )
            ids[walk.name] = rec["id"]
        analyse_queued(services)
        # One analysed again with the calibration, one waiting to be.
        for again in walks[:2]:
            page_url = f"/recordings/{ids[again.name]}"
            asked = client.post(f"{page_url}/reanalyse", data={"csrf_token": csrf(client, url)})
            assert asked.status_code == 200, asked.text
            if again == walks[0]:
                analyse_queued(services)
        statements = 0
        page = client.get(url).text
        assert statements == with_three, (statements, with_three)

        # Those uploaded since the calibration were analysed with it, like the one
        # analysed again; the first two of before it wait, or were analysed without.
        with_it = [walks[0].name, *(w.name for w in walks[3:])]
        listed = _links("Worn another way than in its walk", page) or _links(
            "Reports that use it:", page
        )
        assert listed == with_it
        assert _links("Being analysed again with it:", page) == [walks[1].name]
        assert "1 recording worn at the lower back was analysed without it" in page_words(page)
        assert _links("analysed without it (", page) == [walks[2].name]
        # The calibration form offers every analysed recording not waiting, newest first.
        offered = re.findall(r'<option value="(\d+)"', page)
        expected = sorted([*with_it, walks[2].name], key=lambda name: ids[name], reverse=True)
        assert offered == [str(ids[name]) for name in expected]
        assert stranger.get(url).status_code == 404

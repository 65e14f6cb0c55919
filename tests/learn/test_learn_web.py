"""Learn pages and JSON over HTTP: public, searchable, with grades, sources and links."""

from __future__ import annotations

import re

from webtest_helpers import sign_up

from retrowalk.domain.learn.loader import default_library
from retrowalk.domain.learn.service import LearnService


def test_index_is_public_and_lists_every_entry(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/learn")
    assert response.status_code == 200
    html = response.text
    assert 'href="/learn"' in html  # nav link in the base layout
    ids = set(re.findall(r'data-entry="([a-z0-9-]+)"', html))
    assert {"benefit-knee-oa", "kids-not-autism", "test-3mbwt"} <= ids
    assert len(ids) == len(default_library().entries)


def test_index_search_and_filters(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/learn", params={"q": "knee"}).text
    ids = re.findall(r'<li class="card" data-entry="([a-z0-9-]+)"', html)
    assert ids[:2] == ["benefit-knee-load", "benefit-knee-oa"]
    assert "kids-not-autism" not in ids
    html = client.get("/learn", params={"audience": "parents", "topic": "kids"}).text
    ids = re.findall(r'<li class="card" data-entry="([a-z0-9-]+)"', html)
    assert ids and all(i.startswith("kids-") for i in ids)
    html = client.get("/learn", params={"q": "zzqqxx"}).text
    assert "Nothing matches" in html


def test_entry_page_shows_claim_grade_sources_related_and_used_in(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/learn/benefit-knee-oa").text
    assert "Knee osteoarthritis" in html
    assert 'class="grade grade-trials"' in html and "Why this grade" in html
    assert 'href="https://doi.org/10.1186/s12891-019-2537-9"' in html
    assert 'href="/learn/benefit-knee-load"' in html
    assert "What it means for you" in html


def test_entry_page_back_links_from_data_files(app, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "coach").mkdir()
    (tmp_path / "coach" / "plans.toml").write_text(
        '[[stages]]\ntitle = "Along a hallway wall"\nlearn = ["safety-wall-railing"]\n'
    )
    (tmp_path / "kids").mkdir()
    (tmp_path / "kids" / "flags.json").write_text(
        '{"flag": [{"title": "Lopsided crawling", "learn": ["kids-when-to-ask"]}]}'
    )
    app.state.learn = LearnService(data_root=tmp_path)
    html = client.get("/learn/safety-wall-railing").text
    assert "Used in retrowalk" in html and "Coaching plan steps" in html
    assert "Along a hallway wall" in html and "Lopsided crawling" not in html
    html = client.get("/learn/kids-when-to-ask").text
    assert '<a href="/children">Child guidance</a>' in html and "Lopsided crawling" in html
    assert "Used in retrowalk" not in client.get("/learn/form-upright").text


def test_alzheimers_is_shown_politely_as_unsupported(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/learn/claim-alzheimers").text
    assert 'class="grade grade-not-supported"' in html
    assert "There is no evidence for this" in html


def test_unknown_entry_is_404(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/learn/no-such-entry")
    assert response.status_code == 404
    assert "no Learn page" in response.text
    assert client.get("/api/v1/learn/no-such-entry").status_code == 404


def test_json_api_matches_pages(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v1/learn", params={"q": "stroke"}).json()
    assert data["content_version"] == "1.0.0"
    assert data["entries"][0]["id"] == "benefit-stroke-rehab"
    one = client.get("/api/v1/learn/benefit-stroke-rehab").json()
    assert one["grade"] == "trials" and one["url"] == "/learn/benefit-stroke-rehab"
    assert {s["id"] for s in one["sources"]} >= {"wen2022", "chen2020"}
    assert all(s["citation"] for s in one["sources"])


def test_signed_in_users_see_the_same_public_content(client, other_client) -> None:  # type: ignore[no-untyped-def]
    anonymous = client.get("/learn/kids-not-autism").text
    sign_up(other_client, "b@example.org")
    signed_in = other_client.get("/learn/kids-not-autism").text
    assert "b@example.org" in signed_in and "b@example.org" not in anonymous
    for html in (anonymous, signed_in):
        assert 'href="/learn/kids-when-to-ask"' in html


def test_the_3mbwt_entry_states_the_numbers_the_scoring_uses(client) -> None:  # type: ignore[no-untyped-def]
    """The Learn entries on the 3MBWT and backward speed, and their sources' notes, read
    the cut-offs, group means, MDCs and the fallers' speed from the data file the scoring
    uses, where they restated them by hand (a second copy that could drift)."""
    from retrowalk.domain.assess.norms import table
    from retrowalk.domain.assess.threembwt import interpret
    from retrowalk.domain.learn.content import LEARN_DIR

    cuts = {
        f.kind: f.threshold_s for f in interpret(4.0).findings if f.citation.startswith("Carter")
    }
    html = client.get("/learn/test-3mbwt").text
    assert (
        f"{cuts['at_most']:.1f} s or less suggests low and {cuts['at_least']:.1f} s or more" in html
    )
    mdcs = [g["mdc_s"] for g in table()["groups"].values() if g["mdc_s"]]
    assert f"about {min(mdcs):.1f}-{max(mdcs):.1f} s in studies" in html
    fallers = table()["speed"]["faller_below_mps"]
    assert f"slower than {fallers:g} m/s" in client.get("/learn/test-backward-speed").text
    for name in ("tests.toml", "safety.toml", "bibliography.toml"):
        text = (LEARN_DIR / name).read_text(encoding="utf-8")
        for by_hand in ("3.0 s", "4.5 s", "4.2 s", "6.8 s", "5.1 s", "0.6 m/s", "1.6-2.1"):
            assert by_hand not in text, f"{name} states {by_hand} by hand"


def test_the_energy_entries_state_the_mets_the_energy_estimate_uses(client) -> None:  # type: ignore[no-untyped-def]
    """The Learn entry on the energy cost, the Compendium's source note and the FAQ on
    slopes read the MET values (backward 6.0 level and 8.0 at 5 %, the forward equation's
    3.7 and 6.1 at 3.5 mph) from the numbers the energy estimate computes with, where
    they restated them by hand."""
    from retrowalk.domain.learn.content import LEARN_DIR
    from retrowalk.summary import energy

    v = energy.COMPENDIUM_SPEED_M_MIN / 60.0  # m/s
    grade = energy.COMPENDIUM_BACKWARD_GRADE
    back = energy.met(v, "backward"), energy.met(v, "backward", grade)
    fwd = energy.met(v, "forward"), energy.met(v, "forward", grade)
    html = " ".join(client.get("/learn/benefit-energy-cost").text.split())
    assert (
        f"on the level at {back[0]:.1f} MET, against about {fwd[0]:.1f} MET that the "
        f"standard forward walking equation gives at that speed: about "
        f"{back[0] / fwd[0]:.1f} times as much" in html
    )
    assert (
        f"At a {grade * 100:g} % slope the values are {back[1]:.1f} against about "
        f"{fwd[1]:.1f} MET: about {back[1] / fwd[1]:.1f} times" in html
    )
    for name in ("benefits.toml", "bibliography.toml", "faq.toml"):
        text = (LEARN_DIR / name).read_text(encoding="utf-8")
        for by_hand in ("6.0 MET", "8.0 MET", "3.7 MET", "6.1 MET", "4.3 MET", "6 to 8 MET"):
            assert by_hand not in text, f"{name} states {by_hand} by hand"


def test_an_unknown_number_in_a_learn_text_names_the_file_and_entry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from retrowalk.domain.learn.content import LEARN_DIR, LearnError
    from retrowalk.domain.learn.loader import load_library

    target = tmp_path / "learn"
    target.mkdir()
    for path in LEARN_DIR.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "tests.toml":
            text = text.replace("{mbwt_parkinsons_s}", "{mbwt_parkinson_s}")
        (target / path.name).write_text(text, encoding="utf-8")
    with pytest.raises(
        LearnError, match=r"^tests\.toml: entry test-3mbwt: unknown number \{mbwt_parkinson_s\}$"
    ):
        load_library(target)


def test_the_childrens_entries_state_the_windows_the_guidance_uses(client) -> None:  # type: ignore[no-untyped-def]
    """The children's Learn entries read the WHO windows, the backward-walking ages, the
    18-month red flag and the 37 weeks of the corrected age from the data the guidance
    compares with, where they restated them by hand ("about 5 to 13.5 months")."""
    import tomllib

    from retrowalk.domain.kids.age import PRETERM_BEFORE_WEEKS
    from retrowalk.domain.kids.milestones import load_milestones
    from retrowalk.domain.learn.content import LEARN_DIR

    table = load_milestones()
    crawl, walk = table.get("hands-knees-crawling"), table.get("walking-alone")
    steps = table.get("first-backward-steps")
    html = client.get("/learn/kids-backward-crawling-normal").text
    assert f"from about {crawl.start_months:g} to {crawl.end_months:g} months" in html
    html = client.get("/learn/kids-walking-backward-milestones").text
    assert f"from about {walk.start_months:g} to {walk.end_months:g} months" in html
    assert f"Around {steps.start_months:g}-{steps.end_months:g} months" in html
    assert f"before {PRETERM_BEFORE_WEEKS} weeks of pregnancy" in html
    # The claims are what parents have read, graded; the product's own words read the data.
    entries = tomllib.loads((LEARN_DIR / "kids.toml").read_text(encoding="utf-8"))["entry"]
    for entry in entries:
        own = " ".join(str(v) for k, v in entry.items() if k not in ("claim", "tags"))
        for by_hand in ("13.5 months", "16-18 months", "28-30 months", "37 weeks", "by 18 months"):
            assert by_hand not in own, f"kids.toml: {entry['id']} states {by_hand} by hand"


def test_the_3mbwt_sources_read_as_the_test_cites_them(client) -> None:  # type: ignore[no-untyped-def]
    """A source of the 3MBWT's cut-offs is written once, in the test's data file: its Learn
    entry lists it in the words the test's results cite it in. The Learn bibliography
    had a second record of each, worded otherwise ("Carter V, et al.")."""
    import html as html_lib

    from retrowalk.domain.assess.norms import table

    cites = {s["cite"] for s in table()["sources"].values()}
    page = client.get("/learn/test-3mbwt").text
    items = re.findall(r'<li id="src-[^"]+">(.*?)<br>', page, re.S)
    shown = [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", i)).split()) for i in items]
    assert len(shown) == 4 and all(text in cites for text in shown), shown
    data = client.get("/api/v1/learn/test-3mbwt").json()
    assert [s["citation"] for s in data["sources"]] == shown
    for source in data["sources"]:  # known only within the citation: not "" nor year 0
        assert source["doi"] and source["citation"].endswith(f"doi:{source['doi']}")
        for field in ("authors", "year", "title", "journal", "volume_pages"):
            assert source[field] is None, (source["id"], field)
    other = client.get("/api/v1/learn/benefit-stroke-rehab").json()["sources"][0]
    assert other["authors"] and other["year"] > 1900 and not other["cite"]

"""Search, filters and lookup of Learn entries."""

from __future__ import annotations

import pytest

from retrowalk.domain.learn.content import LearnError
from retrowalk.domain.learn.loader import default_library
from retrowalk.domain.learn.service import LearnService


def test_search_ranks_title_and_tag_matches_first() -> None:
    lib = default_library()
    ids = [e.id for e in lib.search("knee")]
    assert ids[:2] == ["benefit-knee-load", "benefit-knee-oa"]
    assert lib.search("calories")[0].id == "benefit-energy-cost"
    assert lib.search("alzheimer")[0].id == "claim-alzheimers"


def test_every_word_must_match() -> None:
    lib = default_library()
    assert lib.search("knee zzzq") == []
    assert all("crawl" in e.text() for e in lib.search("crawling"))


def test_filters_by_audience_topic_and_grade() -> None:
    lib = default_library()
    parents = lib.search(audience="parents")
    assert parents and all("parents" in e.audiences for e in parents)
    assert {e.id for e in lib.search(topic="kids")} >= {"kids-not-autism", "kids-when-to-ask"}
    trials = {e.id for e in lib.search(grade="trials")}
    assert trials == {"benefit-balance", "benefit-stroke-rehab", "benefit-knee-oa"}
    assert [e.id for e in lib.search("autism", audience="adults")] == []


def test_unknown_filters_match_nothing() -> None:
    service = LearnService()
    assert service.listing(audience="pets") == []
    assert service.listing(topic="nope") == []
    assert len(service.listing()) == len(service.library.entries)


def test_resolve_by_id_then_words() -> None:
    lib = default_library()
    assert lib.resolve("benefit-knee-oa").id == "benefit-knee-oa"
    assert lib.resolve("Is backward crawling autism").id == "kids-not-autism"
    assert lib.resolve("qqqzzz") is None
    with pytest.raises(LearnError):
        lib.get("qqqzzz")


def test_page_has_backlinks_from_other_packages() -> None:
    page = LearnService().page("safety-wall-railing")
    assert page["grade"].id == "expert-advice"
    assert [s.id for s in page["sources"]] == ["acsm2021"]
    # Entries that link here but are not in its own related list.
    assert all(e.id not in page["entry"].related for e in page["linking"])


def test_used_in_groups_by_area(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "coach").mkdir()
    (tmp_path / "coach" / "p.toml").write_text(
        '[[s]]\ntitle = "Step one"\nlearn = ["form-upright"]\n'
    )
    (tmp_path / "kids").mkdir()
    (tmp_path / "kids" / "k.json").write_text('{"learn": ["form-upright"], "title": "Play"}')
    used = LearnService(data_root=tmp_path).used_in("form-upright")
    assert [(u.area, u.label, [i.label for i in u.items]) for u in used] == [
        ("coach", "Coaching plan steps", ["Step one"]),
        ("kids", "Child guidance", ["Play"]),
    ]
    assert LearnService(data_root=tmp_path).used_in("form-look-ahead") == []


@pytest.mark.parametrize("query", ["knee", "knees", "Knees", "knee pain"])
def test_knee_entries_come_before_entries_that_mention_knees_in_passing(query: str) -> None:
    lib = default_library()
    ids = [e.id for e in lib.search(query)]
    assert set(ids[:2]) == {"benefit-knee-load", "benefit-knee-oa"}
    if "kids-backward-crawling-normal" in ids:
        titled = [i for i, e in enumerate(lib.search(query)) if "knee" in e.title.lower()]
        assert ids.index("kids-backward-crawling-normal") > max(titled)


def test_plural_and_ing_forms_match() -> None:
    lib = default_library()
    assert {e.id for e in lib.search("crawl")} == {e.id for e in lib.search("crawling")}
    assert lib.search("knees")[0].id == lib.search("knee")[0].id

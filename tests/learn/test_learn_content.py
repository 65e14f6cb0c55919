"""Validation of the Learn content and of every Learn link in the packaged data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrowalk.domain.learn.content import LEARN_DIR, LearnError
from retrowalk.domain.learn.loader import default_library, load_library
from retrowalk.domain.learn.references import backlinks, find_learn_references

# Fixed ids other packages link to (plans, tests, child guidance).
FIXED_IDS = [
    "benefit-muscles",
    "benefit-balance",
    "benefit-proprioception",
    "benefit-knee-load",
    "benefit-energy-cost",
    "benefit-posture-core",
    "benefit-cognition",
    "benefit-stroke-rehab",
    "benefit-knee-oa",
    "benefit-low-back-pain",
    "claim-alzheimers",
    "safety-open-flat-space",
    "safety-start-slowly",
    "safety-wall-railing",
    "safety-treadmill-lowest-speed",
    "safety-someone-watching",
    "safety-soreness",
    "safety-too-much-too-soon",
    "safety-see-doctor-first",
    "form-look-ahead",
    "form-shorter-steps",
    "form-toe-then-heel",
    "form-upright",
    "kids-backward-crawling-normal",
    "kids-walking-backward-milestones",
    "kids-when-to-ask",
    "kids-not-autism",
    "kids-encouraging-play",
    "test-3mbwt",
    "test-backward-speed",
]
GRADES = {"trials", "small-studies", "expert-advice", "plausible", "not-supported", "contradicted"}


@pytest.fixture(scope="module")
def lib():  # type: ignore[no-untyped-def]
    return load_library()


def test_packaged_content_and_links_have_no_problems(lib) -> None:  # type: ignore[no-untyped-def]
    assert lib.problems(find_learn_references()) == []


def test_every_fixed_id_has_an_entry(lib) -> None:  # type: ignore[no-untyped-def]
    assert set(FIXED_IDS) <= set(lib.entries)


def test_content_version_and_changelog_are_set(lib) -> None:  # type: ignore[no-untyped-def]
    assert lib.content_version.count(".") == 2
    assert any(c["version"] == lib.content_version for c in lib.changelog)


def test_grade_vocabulary_is_defined_with_meanings(lib) -> None:  # type: ignore[no-untyped-def]
    assert set(lib.grades) == GRADES
    assert all(g.meaning and g.label for g in lib.grades.values())


def test_every_entry_has_grade_reason_and_a_source(lib) -> None:  # type: ignore[no-untyped-def]
    for entry in lib.entries.values():
        assert entry.grade in GRADES, entry.id
        assert len(entry.grade_reason) > 20, entry.id
        assert entry.sources, entry.id
        assert all(s in lib.sources for s in entry.sources), entry.id
        assert entry.audiences and set(entry.audiences) <= {"adults", "parents", "clinicians"}


def test_every_bibliography_record_is_full_and_cited(lib) -> None:  # type: ignore[no-untyped-def]
    cited = {s for e in lib.entries.values() for s in e.sources}
    for source in lib.sources.values():
        if not source.cite:  # else the citation of the data file that cites it
            assert source.authors and source.title and source.journal and source.year > 1900
            assert source.volume_pages, source.id
        assert source.id in cited, f"{source.id} is never cited"
        if source.doi:
            assert source.doi.startswith("10.") and source.link.startswith("https://doi.org/")


def test_honest_grades_for_the_popular_claims(lib) -> None:  # type: ignore[no-untyped-def]
    assert lib.get("claim-alzheimers").grade == "not-supported"
    assert lib.get("kids-not-autism").grade == "contradicted"
    assert "kids-when-to-ask" in lib.get("kids-not-autism").related
    assert lib.get("benefit-stroke-rehab").grade == "trials"
    assert lib.get("benefit-knee-oa").grade == "trials"
    assert "alghadir2019" in lib.get("benefit-knee-oa").sources
    energy = lib.get("benefit-energy-cost")
    assert energy.grade == "small-studies"
    assert {"ainsworth2011", "hooper2004"} <= set(energy.sources)


def test_every_topic_of_the_issue_has_entries(lib) -> None:  # type: ignore[no-untyped-def]
    by_topic = {t: [e for e in lib.entries.values() if e.topic == t] for t in lib.topics}
    assert all(by_topic[t] for t in ("benefits", "safety", "form", "kids", "tests", "faq"))


def test_packaged_data_files_link_to_learn(lib) -> None:  # type: ignore[no-untyped-def]
    usages = find_learn_references()
    # Each usage refers only to entries that exist (the no-dangling-links guard).
    for usage in usages:
        assert set(usage.learn) <= set(lib.entries), usage
        assert not usage.path.startswith("learn/")


def _write_tree(root: Path) -> None:
    (root / "learn").mkdir(parents=True)
    (root / "learn" / "ignored.toml").write_text('learn = ["nope"]\n')
    (root / "coach").mkdir()
    (root / "coach" / "plan.toml").write_text(
        '[[steps]]\ntitle = "Wall walk"\nlearn = ["safety-wall-railing", "form-look-ahead"]\n'
        '[[steps]]\ntitle = "No links"\n'
        '[goals.knee]\nname = "Knee"\nlearn = "benefit-knee-oa"\n'
    )
    (root / "kids").mkdir()
    (root / "kids" / "deep.json").write_text(
        json.dumps({"groups": [{"items": [{"id": "flag-1", "learn": ["kids-when-to-ask"]}]}]})
    )
    (root / "top.json").write_text(json.dumps({"learn": ["benefit-balance"]}))


def test_reference_scan_is_generic(tmp_path: Path) -> None:
    _write_tree(tmp_path)
    usages = find_learn_references(tmp_path)
    found = {(u.path, u.label, u.learn) for u in usages}
    assert found == {
        ("coach/plan.toml", "Wall walk", ("safety-wall-railing", "form-look-ahead")),
        ("coach/plan.toml", "Knee", ("benefit-knee-oa",)),
        ("kids/deep.json", "flag-1", ("kids-when-to-ask",)),
        ("top.json", "top", ("benefit-balance",)),
    }
    areas = {u.path: u.area for u in usages}
    assert areas["coach/plan.toml"] == "coach" and areas["top.json"] == ""
    links = backlinks(usages)
    assert [u.label for u in links["benefit-knee-oa"]] == ["Knee"]


def test_dangling_learn_link_is_reported(tmp_path: Path) -> None:
    (tmp_path / "assess").mkdir()
    (tmp_path / "assess" / "tests.toml").write_text(
        '[[test]]\nid = "3mbwt"\nlearn = ["test-3mbwt", "test-does-not-exist"]\n'
    )
    problems = default_library().problems(find_learn_references(tmp_path))
    assert problems == [
        "assess/tests.toml (test[0]): learn entry 'test-does-not-exist' does not exist"
    ]


def test_broken_data_file_is_an_error_not_silence(tmp_path: Path) -> None:
    (tmp_path / "kids").mkdir()
    (tmp_path / "kids" / "bad.toml").write_text("learn = [\n")
    with pytest.raises(LearnError, match=r"kids/bad\.toml"):
        find_learn_references(tmp_path)


def _copy_learn(tmp_path: Path) -> Path:
    target = tmp_path / "learn"
    target.mkdir()
    for path in LEARN_DIR.glob("*.toml"):
        (target / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def test_validation_catches_bad_entries(tmp_path: Path) -> None:
    target = _copy_learn(tmp_path)
    extra = (
        '\n[[entry]]\nid = "faq-bad"\ntitle = "Bad"\nclaim = "c"\nsummary = "s"\n'
        'grade = "proven"\ngrade_reason = ""\nbody = "b"\nfor_you = "f"\n'
        'audiences = ["pets"]\nsources = ["nobody2020"]\nrelated = ["faq-missing"]\n'
    )
    (target / "faq.toml").write_text((target / "faq.toml").read_text() + extra)
    problems = load_library(target).problems()
    assert "entry 'faq-bad': grade 'proven' is not in the vocabulary" in problems
    assert "entry 'faq-bad': grade_reason is empty" in problems
    assert "entry 'faq-bad': unknown audience 'pets'" in problems
    assert "entry 'faq-bad': source 'nobody2020' is not in the bibliography" in problems
    assert "entry 'faq-bad': related entry 'faq-missing' does not exist" in problems


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    target = _copy_learn(tmp_path)
    text = (target / "form.toml").read_text()
    (target / "faq.toml").write_text((target / "faq.toml").read_text() + "\n" + text)
    with pytest.raises(LearnError, match="used twice"):
        load_library(target)


def test_a_citation_missing_from_its_data_file_is_refused(tmp_path: Path) -> None:
    target = _copy_learn(tmp_path)
    bib = target / "bibliography.toml"
    bib.write_text(bib.read_text().replace('cite_id = "polo2025"', 'cite_id = "polo2052"'))
    with pytest.raises(LearnError, match="source poloferrero2025: cite_from 'assess/threembwt'"):
        load_library(target)


def test_missing_content_version_is_reported(tmp_path: Path) -> None:
    target = _copy_learn(tmp_path)
    meta = (target / "content.toml").read_text().replace('content_version = "1.0.0"', "")
    (target / "content.toml").write_text(meta)
    assert "content.toml: content_version is empty" in load_library(target).problems()

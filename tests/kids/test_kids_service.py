"""The log on a real database: entries, photo/video files, isolation, export, summary."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from kidstest_helpers import MP4, PNG, months_ago

from retrowalk.app.kids import KidsService, build_summary
from retrowalk.app.uploads import TooLargeError
from retrowalk.core.errors import InputError
from retrowalk.domain.kids.summary import to_csv, to_html, to_json
from retrowalk.store.repositories import NotFoundError
from retrowalk.store.schemas import PersonIn


def _child(kids: KidsService, account: int) -> int:
    born = months_ago(9)
    return kids.add_child(account, "Mia", born, born + dt.timedelta(weeks=7)).id


def test_log_entry_with_photo_is_kept_and_removed(kids_service: KidsService) -> None:
    a, _ = kids_service.accounts  # type: ignore[attr-defined]
    child = _child(kids_service, a)
    entry = kids_service.observe(
        a,
        child,
        skill="backward-crawling",
        details=["crawls-only-backwards"],
        note="under the sofa",
        attachment=("mia.png", io.BytesIO(PNG)),
    )
    path, media, name = kids_service.attachment(a, child, entry.id)
    assert path.read_bytes() == PNG and media == "image/png" and name == "mia.png"
    assert kids_service.services.data_dir in path.parents
    video = kids_service.observe(a, child, skill="cruising", attachment=("v.mp4", io.BytesIO(MP4)))
    assert video.is_video
    kids_service.delete_entry(a, child, entry.id)
    assert not path.exists()
    assert [e.id for e in kids_service.entries(a, child)] == [video.id]
    video_path = kids_service.attachment(a, child, video.id)[0]
    kids_service.services.delete_person(a, child)
    assert not video_path.exists()


def test_bad_files_are_refused_and_nothing_is_left(kids_service: KidsService) -> None:
    a, _ = kids_service.accounts  # type: ignore[attr-defined]
    child = _child(kids_service, a)
    with pytest.raises(InputError, match="photo"):
        kids_service.observe(a, child, skill="cruising", attachment=("x.png", io.BytesIO(b"hi")))
    with pytest.raises(TooLargeError):
        big = PNG + b"\x00" * 4096
        kids_service.observe(a, child, skill="cruising", attachment=("x.png", io.BytesIO(big)))
    assert kids_service.entries(a, child) == []
    assert not list((kids_service.services.data_dir / "files").rglob("*.*"))
    assert not list((kids_service.services.data_dir / "tmp").iterdir())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"skill": "flying"}, "skill"),
        ({"skill": "cruising", "details": ["x"]}, "detail"),
        ({"skill": "cruising", "steps": 9999}, "steps"),
        ({"skill": "cruising", "days_ahead": 1}, "future"),
    ],
)
def test_invalid_entries(kids_service: KidsService, kwargs: dict, match: str) -> None:
    a, _ = kids_service.accounts  # type: ignore[attr-defined]
    if "days_ahead" in kwargs:  # tomorrow as the test runs, not as it was collected
        days = dt.timedelta(days=kwargs["days_ahead"])
        kwargs = {k: v for k, v in kwargs.items() if k != "days_ahead"}
        kwargs["on"] = dt.date.today() + days
    with pytest.raises(InputError, match=match):
        kids_service.observe(a, _child(kids_service, a), **kwargs)


def test_other_accounts_and_adults_are_not_found(kids_service: KidsService) -> None:
    a, b = kids_service.accounts  # type: ignore[attr-defined]
    child = _child(kids_service, a)
    entry = kids_service.observe(a, child, skill="cruising", attachment=("p.png", io.BytesIO(PNG)))
    for call in (
        lambda: kids_service.child(b, child),
        lambda: kids_service.entries(b, child),
        lambda: kids_service.entry(b, child, entry.id),
        lambda: kids_service.attachment(b, child, entry.id),
        lambda: kids_service.delete_entry(b, child, entry.id),
        lambda: kids_service.observe(b, child, skill="cruising"),
    ):
        with pytest.raises(NotFoundError):
            call()
    adult = kids_service.services.create_person(a, PersonIn(name="Dad")).id
    with pytest.raises(NotFoundError):
        kids_service.entries(a, adult)
    assert kids_service.find_child(a, "mia").id == child
    assert len(kids_service.entries(a, child)) == 1


def test_export_contains_the_photo(kids_service: KidsService) -> None:
    a, _ = kids_service.accounts  # type: ignore[attr-defined]
    child = _child(kids_service, a)
    kids_service.observe(a, child, skill="cruising", attachment=("p.png", io.BytesIO(PNG)))
    export = kids_service.services.export_person(a, child)
    with zipfile.ZipFile(export.path) as zf:
        photos = [n for n in zf.namelist() if n.startswith("attachments/")]
        assert len(photos) == 1 and zf.read(photos[0]) == PNG
    export.path.unlink()


def test_summary_formats(kids_service: KidsService) -> None:
    a, _ = kids_service.accounts  # type: ignore[attr-defined]
    child = _child(kids_service, a)
    day = dt.date.today() - dt.timedelta(days=40)  # more than a month ago
    kids_service.observe(
        a,
        child,
        skill="backward-crawling",
        on=day,
        details=["crawls-only-backwards"],
        note="pushes <back>",
    )
    kids_service.observe(a, child, skill="backward-crawling", details=["crawls-only-backwards"])
    summary = build_summary(kids_service, a, child)
    rows = to_csv(summary).splitlines()
    assert rows[0].startswith("date,age,age_months,skill")
    assert len(rows) == 3 and "(corrected)" in rows[1] and "Crawls only backwards" in rows[1]
    data = json.loads(to_json(summary))
    assert data["child"]["weeks_early"] == 7.0
    assert [f["id"] for f in data["guidance"]["flags"]] == ["only-backwards-no-progress"]
    assert "who-mgrs-2006" in data["sources"]
    html = to_html(summary)
    assert "Still only moving backwards" in html and "pushes &lt;back&gt;" in html
    assert "Acta Paediatr Suppl" in html and "@media print" in html


def test_a_due_date_up_to_26_weeks_either_way_is_kept_and_further_says_which_way(
    kids_service: KidsService,
) -> None:
    """The rule is kept (26 weeks either way of the birth date); the refusal says whether
    the due date is too far after or before it, where both said 'from the birth date'."""
    a, _ = kids_service.accounts  # type: ignore[attr-defined]
    born = months_ago(12)
    for weeks in (-26, 26):
        kept = kids_service.add_child(a, f"Kit{weeks}", born, born + dt.timedelta(weeks=weeks))
        assert kept.due_date == born + dt.timedelta(weeks=weeks)
    for days, which in ((26 * 7 + 1, "after"), (-26 * 7 - 1, "before")):
        due = born + dt.timedelta(days=days)
        with pytest.raises(InputError) as refused:
            kids_service.add_child(a, "Kit", born, due)
        assert refused.value.path == "Due date"
        assert refused.value.reason.startswith(f"the due date is more than 26 weeks {which} the")
        with pytest.raises(
            ValueError, match=f"due_date: the due date is more than 26 weeks {which}"
        ):
            PersonIn(name="Kit", kind="child", birth_date=born, due_date=due)
    assert len(kids_service.children(a)) == 2

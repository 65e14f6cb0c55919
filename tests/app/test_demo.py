"""The demo: its sessions are read right against the motion-capture labels, through the app.

The demo person's recordings are seeded, analysed by the web app's worker with
the person's stored calibration (made from the labelled week-1 walk, as a user
makes one) and compared with the labels that come with the bundled take. The
same take is reused for every week (see :mod:`retrowalk.app.demo`): this checks
the demo shows what it says, it is not an accuracy figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from argon2 import PasswordHasher

from retrowalk.app import demo
from retrowalk.app.jobs.worker import run_once
from retrowalk.app.services import (
    DAILY_LIFE_PERSON,
    DEMO_PERSON,
    Services,
    seed_demo,
)
from retrowalk.store.db import Database
from retrowalk.store.testing import temporary_database

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, int]]:
    tmp = tmp_path_factory.mktemp("demo")
    with temporary_database("sqlite", tmp) as url:
        db = Database(url)
        services = Services(
            db, tmp / "data", hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        account, _, _ = seed_demo(services, today=TODAY)
        while run_once(services.db, services.data_dir, services.runner):
            pass
        yield services, account
        db.dispose()


def _person(services: Services, account: int, name: str) -> int:
    return next(p.id for p in services.list_people(account) if p.name == name)


def _label_of(bout: dict, segments: list[dict]) -> str:
    """The labelled direction that covers most of ``bout``."""
    overlap = {}
    for seg in segments:
        covered = min(bout["end_s"], seg["end_s"]) - max(bout["start_s"], seg["start_s"])
        if covered > 0:
            overlap[seg["direction"]] = overlap.get(seg["direction"], 0.0) + covered
    return max(overlap, key=overlap.__getitem__) if overlap else "none"


def test_demo_sessions_are_read_as_the_labels_say(seeded: tuple[Services, int]) -> None:
    services, account = seeded
    person = _person(services, account, DEMO_PERSON)
    recordings = {r.filename: r for r in services.list_recordings(account, person)}
    assert sorted(recordings) == sorted(s.file_name for s in demo.DEMO_SESSIONS)
    for session in demo.DEMO_SESSIONS:
        rec = recordings[session.file_name]
        assert rec.status == "done", rec.error
        assert rec.recorded_on == session.recorded_on(TODAY)
        result = services.analysis_json(account, rec.id)
        labels = demo.session_labels(session.copies)
        bouts = result["bouts"]
        assert bouts, session.file_name
        for bout in bouts:
            assert bout["direction"] == _label_of(bout, labels), (session.file_name, bout)
        # Every labelled walk is found: one bout per labelled segment, in the same order.
        assert [b["direction"] for b in bouts] == [s["direction"] for s in labels]
        assert rec.summary is not None
        assert rec.summary.backward_steps > 0 and rec.summary.uncertain_steps == 0
        assert rec.summary.forward_steps > 0 and rec.summary.backward_distance_m > 0
        assert result["session"]["backward"]["energy_kcal"] > 0
        # The person's stored calibration was used, and the analysis says so.
        profile = result["assumptions"]["direction_profile"]
        assert profile["source"] == "stored calibration of this person for lower_back"
    # Backward steps per session within 25 % of the steps counted in the motion capture.
    take_steps = sum(
        s["steps_true"] for s in demo.take_labels()["segments"] if s["direction"] == "backward"
    )
    for session in demo.DEMO_SESSIONS:
        found = recordings[session.file_name].summary.backward_steps
        assert abs(found - session.copies * take_steps) <= 0.25 * session.copies * take_steps


def test_demo_forward_steps_are_the_takes_steps(seeded: tuple[Services, int]) -> None:
    """Forward steps and cadence as the motion capture's feet counted them.

    The take walks forward at about 108 steps/min (its foot contacts); a
    detector that also counts the pelvis's second rise in mid-step reads 19
    steps at 155-160/min per copy. One step per copy is allowed: the first
    contact of a walk from standing, or the last one at the turn, can fall
    below what a trunk sensor shows.
    """
    services, account = seeded
    person = _person(services, account, DEMO_PERSON)
    recordings = {r.filename: r for r in services.list_recordings(account, person)}
    labels = demo.take_labels()
    (segment,) = (s for s in labels["segments"] if s["direction"] == "forward")
    feet = sorted(
        t
        for side in labels["foot_contacts_s"].values()
        for t in side
        if segment["start_s"] <= t <= segment["end_s"]
    )
    take_cadence = 60.0 * (len(feet) - 1) / (feet[-1] - feet[0])
    for session in demo.DEMO_SESSIONS:
        rec = recordings[session.file_name]
        found = rec.summary.forward_steps
        assert abs(found - session.copies * segment["steps_true"]) <= session.copies, (
            session.file_name,
            found,
        )
        forward = [
            b
            for b in services.analysis_json(account, rec.id)["bouts"]
            if b["direction"] == "forward"
        ]
        assert len(forward) == session.copies
        for bout in forward:
            assert abs(bout["cadence_spm"] - take_cadence) <= 0.15 * take_cadence, bout


def test_demo_progress_spans_four_weeks_of_backward_walking(seeded: tuple[Services, int]) -> None:
    services, account = seeded
    weeks = services.progress(account, _person(services, account, DEMO_PERSON))
    assert len(weeks) == 4
    assert all(w.backward_steps > 0 and w.forward_steps > 0 for w in weeks)
    steps = [w.backward_steps for w in weeks]
    assert steps == sorted(steps) and steps[-1] == 4 * steps[0]


def test_daily_life_example_is_forward_walking(seeded: tuple[Services, int]) -> None:
    services, account = seeded
    (rec,) = services.list_recordings(account, _person(services, account, DAILY_LIFE_PERSON))
    assert rec.status == "done" and rec.summary is not None
    assert rec.summary.forward_steps > 0 and rec.summary.backward_steps == 0


def test_seeding_again_changes_nothing(seeded: tuple[Services, int]) -> None:
    services, account = seeded
    before = [
        (p.name, [r.id for r in services.list_recordings(account, p.id)])
        for p in services.list_people(account)
    ]
    assert seed_demo(services, today=TODAY + dt.timedelta(days=3))[0] == account
    after = [
        (p.name, [r.id for r in services.list_recordings(account, p.id)])
        for p in services.list_people(account)
    ]
    assert after == before


def test_one_copy_is_the_take_and_copies_repeat_it_exactly(tmp_path: Path) -> None:
    assert demo.session_csv(1) == demo.take_path().read_bytes()
    take = np.loadtxt(demo.take_path(), delimiter=",", skiprows=1)
    path = tmp_path / "x3.csv"
    path.write_bytes(demo.session_csv(3))
    joined = np.loadtxt(path, delimiter=",", skiprows=1)
    offsets = demo.session_offsets_s(3)
    rate_hz = 100.0
    for offset in offsets:
        start = round(offset * rate_hz)
        np.testing.assert_allclose(joined[start : start + len(take), 1:], take[:, 1:], atol=1e-5)
    assert np.allclose(np.diff(joined[:, 0]), 0.01)
    assert len(demo.session_labels(3)) == 3 * len(demo.take_labels()["segments"])


def test_provenance_is_said_for_every_demo_file() -> None:
    for session in demo.DEMO_SESSIONS:
        note = demo.provenance(session.file_name)
        assert note is not None and "CMU" in note and "join the same take" in note
    assert "Mobilise-D" in (demo.provenance(demo.DEMO_FILE_NAME) or "")
    assert demo.provenance("my-walk.csv") is None

"""3MBWT results on stored data and the clinician view, for the pages, the API and the CLI.

A test result is an :class:`~retrowalk.store.models.Observation` of kind
``test_3mbwt`` whose payload holds the time, the group, where the time came
from (``manual`` or ``recording``) and, for recordings, its uncertainty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from retrowalk.app.coach import CoachServices
from retrowalk.app.services import Services
from retrowalk.core.errors import InputError
from retrowalk.domain.assess.norms import group_titles
from retrowalk.domain.assess.threembwt import (
    VERDICT_LABELS,
    combined_trials_s,
    compare,
    interpret,
    time_from_analysis,
)
from retrowalk.domain.coach.weekly import adherence
from retrowalk.store.repositories import AccountScoped, NotFoundError
from retrowalk.store.schemas import ObservationIn, ObservationOut
from retrowalk.summary.measures import backward_measures, bout_measures

TEST_KIND = "test_3mbwt"
#: Why a test timed from a recording whose date is unknown needs its day given.
UNDATED_RECORDING = (
    "the recording's date is unknown (its file holds none): give the day of the test, "
    "or set the recording's date on its page"
)
Group = Literal["community", "nursing_home", "parkinsons", "ms", "stroke"]


class ThreeMbwtIn(BaseModel):
    """A 3MBWT result: a time typed in, or a recording to time it from."""

    date: dt.date | None = Field(
        None,
        description="the day of the test; default: the recording's day (given when its "
        "date is unknown), or today",
    )
    group: Group = "community"
    variant: Literal["standard", "stroke_5m"] = "standard"
    time_s: float | None = Field(
        None,
        gt=0,
        le=300,
        description="time for 3 m; from trials: their mean, for stroke_5m the time of "
        "their mean speed",
    )
    trials_s: list[float] = Field(default_factory=list, description="single trial times")
    recording_id: int | None = None
    bout: int | None = None
    walking_aid: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)

    @field_validator("trials_s", mode="before")
    @classmethod
    def _split_trials(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return [float(p) for p in parts]
            except ValueError:
                raise ValueError("write the trial times as numbers, e.g. 4.31, 4.05") from None
        return value

    @model_validator(mode="after")
    def _one_source(self) -> ThreeMbwtIn:
        if any(t <= 0 or t > 300 for t in self.trials_s):
            raise ValueError("each trial time must be more than 0 and at most 300 s")
        if self.trials_s and self.time_s is None:
            self.time_s = combined_trials_s(self.trials_s, self.variant)
        if self.time_s is None and self.recording_id is None:
            raise ValueError("give the time in seconds or choose a recording")
        return self


class AssessServices:
    """Storing, scoring and comparing 3MBWT results; the clinician overview."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.coach = CoachServices(services)

    def add_test(self, account_id: int, person_id: int, test: ThreeMbwtIn) -> dict[str, Any]:
        """Score and store a test; returns the stored result with its interpretation.

        Its day is the one given, else the day of the recording it is timed from, else
        today; a recording whose date is unknown needs the day given (refused naming
        ``date`` otherwise: it was dated the day it was scored).
        """
        self.services.get_person(account_id, person_id)
        payload: dict[str, Any] = {
            "group": test.group,
            "variant": test.variant,
            "walking_aid": test.walking_aid,
            "trials_s": test.trials_s,
        }
        day = test.date or dt.date.today()
        if test.time_s is not None:
            payload.update(time_s=round(test.time_s, 2), source="manual", uncertainty_s=None)
        else:
            assert test.recording_id is not None
            recording = self.services.get_recording(account_id, test.recording_id)
            if recording.person_id != person_id:
                raise InputError("recording", "this recording belongs to someone else")
            if test.date is None:  # timed from a walk: the day it was walked
                if recording.date_source == "unknown":
                    raise InputError("date", UNDATED_RECORDING)
                day = recording.recorded_on
            analysis = self.services.analysis_json(account_id, test.recording_id)
            start, end = (1.0, 4.0) if test.variant == "stroke_5m" else (0.0, 3.0)
            timed = time_from_analysis(analysis, start_m=start, end_m=end, bout=test.bout)
            payload.update(
                time_s=timed.time_s,
                source="recording",
                recording_id=test.recording_id,
                uncertainty_s=timed.uncertainty_s,
                timing=timed.to_dict(),
            )
        obs = self.services.add_observation(
            account_id,
            person_id,
            ObservationIn(date=day, kind=TEST_KIND, payload=payload, note=test.note),
        )
        return self._result(
            obs, self.tests_raw(account_id, person_id), self._sensor(account_id, obs)
        )

    def tests_raw(self, account_id: int, person_id: int) -> list[ObservationOut]:
        return [
            o for o in self.services.list_observations(account_id, person_id) if o.kind == TEST_KIND
        ]

    def get_test(self, account_id: int, person_id: int, test_id: int) -> dict[str, Any]:
        rows = self.tests_raw(account_id, person_id)
        for row in rows:
            if row.id == test_id:
                return self._result(row, rows, self._sensor(account_id, row))
        raise NotFoundError(f"Test {test_id} not found")

    def tests(self, account_id: int, person_id: int) -> list[dict[str, Any]]:
        """A person's tests, oldest first, each interpreted and compared with the one before."""
        rows = self.tests_raw(account_id, person_id)
        return [self._result(r, rows, self._sensor(account_id, r)) for r in rows]

    def _sensor(self, account_id: int, obs: ObservationOut) -> dict[str, Any] | None:
        """Sensor measures of a test timed from a recording: its bout and the whole recording.

        ``None`` for a time typed in, or when the recording or its analysis is gone.
        """
        p = obs.payload
        recording_id = p.get("recording_id")
        if p.get("source") != "recording" or recording_id is None:
            return None
        try:
            analysis = self.services.analysis_json(account_id, int(recording_id))
        except (NotFoundError, InputError):
            return None
        bout = (p.get("timing") or {}).get("bout")
        timed = bout_measures(analysis, int(bout)) if bout is not None else None
        whole = backward_measures(analysis)
        return {
            "bout": timed.to_dict() if timed else None,
            "recording": whole.to_dict() if whole else None,
        }

    def sensor_recordings(
        self, account_id: int, person_id: int, limit: int = 5
    ) -> list[dict[str, Any]]:
        """Backward measures of the person's latest analysed recordings with backward walking.

        A recording waiting to be analysed again, or being analysed again, is listed
        with its last finished analysis (``analysing_again`` true) until the new one is
        in: asking for a new analysis never takes a recording out of the report.
        """
        from retrowalk.app.reanalysis import WAITING

        rows: list[dict[str, Any]] = []
        candidates = [
            rec
            for rec in self.services.list_recordings(account_id, person_id)
            if rec.summary is not None and rec.summary.backward_steps > 0
        ]
        # Read in turns of ``limit`` (one as a rule: each candidate has backward steps),
        # of each analysis only what the measures are made of.
        parts: dict[int, dict[str, Any]] = {}
        for n, rec in enumerate(candidates):
            if len(rows) >= limit:
                break
            if n % limit == 0:
                parts = self._measured_parts(account_id, [r.id for r in candidates[n : n + limit]])
            if rec.id not in parts:
                continue  # its analysis is gone meanwhile
            measures = backward_measures(parts[rec.id])
            if measures is None:
                continue
            rows.append(
                {
                    "recording_id": rec.id,
                    "date": rec.recorded_on.isoformat(),
                    "date_source": rec.date_source,  # "unknown": the upload day, not the walk's
                    "filename": rec.filename,
                    "analysing_again": rec.status in WAITING,
                    "measures": measures.to_dict(),
                }
            )
        return rows

    def _measured_parts(
        self, account_id: int, recording_ids: list[int]
    ) -> dict[int, dict[str, Any]]:
        """Of each recording's latest analysis, the parts of its JSON
        :func:`~retrowalk.summary.measures.backward_measures` reads: ``session`` and
        ``bouts``, and ``steps`` for one whose session block has no steadiness (made
        before it had), in one query (two with such ones)."""
        with self.services.db.read() as session:
            scoped = AccountScoped(session, account_id)
            parts = scoped.analysis_parts(recording_ids, ("session", "bouts"))
            older = [
                rid
                for rid, part in parts.items()
                if not isinstance(part.get("session"), Mapping)
                or "steadiness" not in part["session"]
            ]
            for rid, part in scoped.analysis_parts(older, ("steps",)).items():
                parts[rid].update(part)
        return parts

    def _result(
        self,
        obs: ObservationOut,
        rows: list[ObservationOut],
        sensor: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        p = obs.payload
        earlier = [
            r
            for r in rows
            if (r.date, r.id) < (obs.date, obs.id) and r.payload.get("group") == p["group"]
        ]
        out: dict[str, Any] = {
            "id": obs.id,
            "person_id": obs.person_id,
            "date": obs.date.isoformat(),
            "note": obs.note,
            **p,
            "interpretation": interpret(
                p["time_s"], p["group"], uncertainty_s=p.get("uncertainty_s")
            ).to_dict(),
            "change": None,
            "sensor": sensor,
        }
        if earlier:
            prev = earlier[-1]
            change = compare(prev.payload["time_s"], p["time_s"], p["group"]).to_dict()
            change["previous_date"] = prev.date.isoformat()
            out["change"] = change
        return out

    # -- clinician view ------------------------------------------------------------
    def clinic(self, account_id: int, today: dt.date | None = None) -> list[dict[str, Any]]:
        """Every adult of the account: latest test, trend and plan adherence."""
        today = today or dt.date.today()
        titles = group_titles()
        rows = []
        for person in self.services.list_people(account_id):
            if person.kind != "adult":
                continue
            tests = self.tests(account_id, person.id)
            latest = tests[-1] if tests else None
            weeks = self.coach.weeks(account_id, person.id, today)
            plan = self.coach.current_plan(account_id, person.id)
            rows.append(
                {
                    "person": person.model_dump(mode="json"),
                    "latest_test": latest,
                    "group_title": titles.get(latest["group"]) if latest else None,
                    "trend": [{"date": t["date"], "time_s": t["time_s"]} for t in tests[-6:]],
                    "trend_verdict": latest["change"]["verdict"]
                    if latest and latest["change"]
                    else None,
                    "trend_verdict_label": VERDICT_LABELS[latest["change"]["verdict"]]
                    if latest and latest["change"]
                    else None,
                    "plan": {
                        "goal": plan.goal,
                        "goal_title": plan.payload.get("goal_title") or plan.goal,
                        "level": plan.level,
                    }
                    if plan
                    else None,
                    "this_week": adherence(weeks, 1),
                    "last_4_weeks": adherence(weeks, 4),
                }
            )
        return rows

    def report(
        self, account_id: int, person_id: int, today: dt.date | None = None
    ) -> dict[str, Any]:
        """What the printable report shows for one person."""
        person = self.services.get_person(account_id, person_id)
        return {
            "person": person.model_dump(mode="json"),
            "tests": self.tests(account_id, person_id),
            "coach": self.coach.overview(account_id, person_id, today),
            "recordings": self.sensor_recordings(account_id, person_id),
            "today": (today or dt.date.today()).isoformat(),
        }

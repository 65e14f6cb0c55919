"""Export of a person's data as a zip, and the one CSV writer the app uses.

Every CSV the app writes goes through :func:`csv_text` (or :func:`safe_cell`),
which neutralises cells a spreadsheet would run as a formula (OWASP, "CSV
Injection").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrowalk.store.db import Database
from retrowalk.store.repositories import AccountScoped
from retrowalk.store.schemas import (
    AnalysisSummary,
    ObservationOut,
    PersonOut,
    PlanOut,
    ProgressWeek,
    RecordingOut,
)

__all__ = ["ExportFile", "ExportMixin", "csv_text"]


@dataclass(frozen=True)
class ExportFile:
    """A finished export on disk (the caller deletes it after sending)."""

    path: Path
    filename: str


def csv_text(rows: Sequence[dict[str, Any]], fieldnames: Iterable[str] | None = None) -> str:
    """Rows of dicts as CSV text with a header (the union of keys unless given)."""
    if not rows and fieldnames is None:
        return ""
    fields: list[str] = list(fieldnames) if fieldnames is not None else []
    if fieldnames is None:
        for row in rows:
            fields += [k for k in row if k not in fields]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


class ExportMixin:
    """The zip export of a person (part of ``Services``)."""

    db: Database
    data_dir: Path

    def progress(self, account_id: int, person_id: int) -> list[ProgressWeek]:
        raise NotImplementedError  # provided by Services

    def export_person(self, account_id: int, person_id: int) -> ExportFile:
        """All of a person's data as a zip: JSON, CSV tables, analyses and original files."""
        with self.db.read() as session:
            scoped = AccountScoped(session, account_id)
            person = PersonOut.model_validate(scoped.person(person_id))
            recordings = scoped.recordings(person_id)
            analyses = {r.id: a for r, a in scoped.analyses_for_person(person_id)}
            rec_rows = [RecordingOut.model_validate(r) for r in recordings]
            files = {r.id: (Path(r.stored_path), r.filename) for r in recordings}
            results = {rid: a.result for rid, a in analyses.items()}
            summaries = {rid: AnalysisSummary.model_validate(a) for rid, a in analyses.items()}
            observations = [
                ObservationOut.model_validate(o) for o in scoped.observations(person_id)
            ]
            plans = [PlanOut.model_validate(p) for p in scoped.plans(person_id)]
        weeks = self.progress(account_id, person_id)
        fd, tmp_name = tempfile.mkstemp(dir=self.data_dir / "tmp", suffix=".zip")
        os.close(fd)
        slug = re.sub(r"[^a-z0-9]+", "-", person.name.lower()).strip("-") or "person"
        with zipfile.ZipFile(tmp_name, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("person.json", person.model_dump_json(indent=2))
            table = []
            for rec in rec_rows:
                row = rec.model_dump(mode="json")
                summary = summaries.get(rec.id)
                row.update(summary.model_dump(mode="json") if summary else {})
                table.append(row)
            zf.writestr("recordings.json", json.dumps(table, indent=2))
            zf.writestr("recordings.csv", csv_text(table))
            zf.writestr(
                "progress_weekly.csv", csv_text([w.model_dump(mode="json") for w in weeks])
            )
            obs = [o.model_dump(mode="json") for o in observations]
            zf.writestr("observations.json", json.dumps(obs, indent=2))
            zf.writestr(
                "observations.csv",
                csv_text([{**o, "payload": json.dumps(o["payload"])} for o in obs]),
            )
            zf.writestr(
                "plans.json", json.dumps([p.model_dump(mode="json") for p in plans], indent=2)
            )
            for rid, result in results.items():
                zf.writestr(f"analyses/recording-{rid}.json", json.dumps(result, indent=2))
            for rid, (path, filename) in files.items():
                if path.is_file():
                    zf.write(path, f"recordings/{rid}-{filename}")
            for o in observations:  # photos/videos kept with observations
                if o.attachment_path and Path(o.attachment_path).is_file():
                    name = Path(o.attachment_path).name
                    zf.write(o.attachment_path, f"attachments/{o.id}-{name}")
        return ExportFile(Path(tmp_name), f"retrowalk-{slug}-{dt.date.today():%Y%m%d}.zip")

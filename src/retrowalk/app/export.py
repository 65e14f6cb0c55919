"""Export of a person's data as a zip.

Every CSV goes through :func:`retrowalk.core.csvcells.csv_text`, which
neutralises cells a spreadsheet would run as a formula. Server paths are not
part of the export: files are named by their id and original name.
``analysis_versions.json`` says which analyses another engine version made
(``progress_weekly.csv`` counts them per week in ``older_engine_recordings``),
so mixed numbers are not taken for comparable ones. The backward-only cadence
and step-time variability are named ``backward_cadence_spm`` and
``backward_step_time_cv_pct``, as in the batch tables (the store's names
predate the prefix).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from retrowalk.core import provenance
from retrowalk.core.csvcells import csv_text, safe_cell
from retrowalk.store.db import Database
from retrowalk.store.repositories import AccountScoped
from retrowalk.store.schemas import (
    AnalysisSummary,
    BoutLabelOut,
    PersonOut,
    ProgressWeek,
    RecordingOut,
    observation_out,
    plan_out,
)
from retrowalk.summary.progress import STORED

__all__ = ["ExportFile", "ExportMixin", "csv_text", "safe_cell"]

#: Stored name -> exported name, where they differ (the backward-only figures).
EXPORTED = {stored: name for name, stored in STORED.items() if stored != name}


def _exported(row: dict[str, object]) -> dict[str, object]:
    """``row`` with each stored figure under its exported name (order kept)."""
    return {EXPORTED.get(key, key): value for key, value in row.items()}


@dataclass(frozen=True)
class ExportFile:
    """A finished export on disk (the caller deletes it after sending)."""

    path: Path
    filename: str


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
            recordings = scoped.recordings(person_id, with_labels=True)
            analyses = {r.id: a for r, a in scoped.analyses_for_person(person_id)}
            rec_rows = [RecordingOut.model_validate(r) for r in recordings]
            files = {r.id: (Path(r.stored_path), r.filename) for r in recordings}
            results = {rid: a.result for rid, a in analyses.items()}
            summaries = {rid: AnalysisSummary.model_validate(a) for rid, a in analyses.items()}
            # Everything is exported, malformed records too (nothing stored is lost).
            obs_rows = scoped.observations(person_id, include_malformed=True)
            observations = [observation_out(o) for o in obs_rows]
            attachments = {o.id: o.attachment_path for o in obs_rows if o.attachment_path}
            plans = [plan_out(p) for p in scoped.plans(person_id, include_malformed=True)]
            bout_labels = [
                BoutLabelOut.model_validate(x).model_dump(mode="json")
                for r in recordings
                for x in r.bout_labels
            ]
        weeks = self.progress(account_id, person_id)
        from retrowalk.app.calibration import profile_store_dir

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
                table.append(_exported(row))
            zf.writestr("recordings.json", json.dumps(table, indent=2))
            zf.writestr("recordings.csv", csv_text(table))
            weekly = [_exported(w.model_dump(mode="json")) for w in weeks]
            zf.writestr("progress_weekly.csv", csv_text(weekly))
            zf.writestr("analysis_versions.json", json.dumps(_versions(summaries), indent=2))
            obs = [o.model_dump(mode="json") for o in observations]
            zf.writestr("observations.json", json.dumps(obs, indent=2))
            zf.writestr(
                "observations.csv",
                csv_text([{**o, "payload": json.dumps(o["payload"])} for o in obs]),
            )
            zf.writestr(
                "plans.json", json.dumps([p.model_dump(mode="json") for p in plans], indent=2)
            )
            zf.writestr("bout_labels.json", json.dumps(bout_labels, indent=2))
            # The person's walking-direction calibrations, as stored: those in use and
            # the earlier ones newer ones replaced (kept to be used again).
            profiles = profile_store_dir(person_id, self.data_dir)
            for pattern in ("*.json", "earlier/*.json"):
                for stored_profile in sorted(profiles.glob(pattern)) if profiles.is_dir() else []:
                    name = stored_profile.relative_to(profiles).as_posix()
                    zf.write(stored_profile, f"calibrations/{name}")
            for rid, result in results.items():
                zf.writestr(f"analyses/recording-{rid}.json", json.dumps(result, indent=2))
            for rid, (path, filename) in files.items():
                if path.is_file():
                    zf.write(path, f"recordings/{rid}-{filename}")
            for oid, stored in attachments.items():  # photos/videos kept with observations
                if Path(stored).is_file():
                    zf.write(stored, f"attachments/{oid}{Path(stored).suffix}")
        return ExportFile(Path(tmp_name), f"retrowalk-{slug}-{dt.date.today():%Y%m%d}.zip")


def _versions(summaries: dict[int, AnalysisSummary]) -> dict[str, object]:
    """Which engine made the exported analyses, and which another version made
    (``by_earlier_engine``, the key kept as it was: older or newer)."""
    engine = provenance.engine_version()
    older = {
        rid: summary.analysis_version
        for rid, summary in summaries.items()
        if summary.analysis_version != engine
    }
    note = (
        f"{len(older)} of the {len(summaries)} analyses were made by another engine "
        "version; totals that include them mix the numbers of two versions. Analyse "
        "them again with this version to compare like with like."
        if older
        else "Every analysis was made by this engine version."
    )
    return {
        "engine_version": engine,
        "analyses": len(summaries),
        "by_earlier_engine": [
            {"recording_id": rid, "analysis_version": version} for rid, version in older.items()
        ],
        "note": note,
    }

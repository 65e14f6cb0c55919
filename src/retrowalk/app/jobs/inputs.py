"""What a batch analyses: recordings found in folders, files and manifest CSVs.

A manifest is a CSV with a ``path`` column (relative paths are taken from the
manifest's folder) and optional person columns (``id``, ``height_m``,
``weight_kg``, ``age_years``, ``placement``) that replace the run's defaults
for that recording. A body measure that is not a plausible number
(:data:`~retrowalk.app.limits.BODY_LIMITS`: a height in centimetres) or an unknown
placement refuses the manifest, naming its line and column, before any work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from retrowalk.app.analyse import AnalysisRequest
from retrowalk.app.limits import BODY_LIMITS, body_measure
from retrowalk.core.errors import InputError
from retrowalk.core.types import PLACEMENTS
from retrowalk.video.source import VIDEO_SUFFIXES

#: Files up to this size are read whole once for batch work: hashed, then read from
#: the same bytes (:func:`hash_and_bytes`).
WHOLE_READ_BYTES = 16 * 2**20

#: The files a folder search takes: those of the sensor formats and the videos that
#: ``retrowalk analyze`` reads (:data:`~retrowalk.video.source.VIDEO_SUFFIXES`).
RECORDING_SUFFIXES = {".csv", ".tsv", ".txt", ".zip", ".cwa", ".gt3x", *VIDEO_SUFFIXES}
EXPORT_FOLDER_MARKERS = {"accelerometer.csv", "totalacceleration.csv"}
MANIFEST_PERSON_COLUMNS = {"height_m", "weight_kg", "age_years", "placement"}


@dataclass(frozen=True)
class BatchItem:
    """One recording to analyse, with what a manifest says about its person."""

    path: Path
    person: dict[str, Any] = field(default_factory=dict)

    def request(self, defaults: AnalysisRequest) -> AnalysisRequest:
        """The run's defaults with what the manifest says about this recording's person."""

        def pick(name: str) -> Any:
            value = self.person.get(name)
            return getattr(defaults, name) if value is None or pd.isna(value) else value

        return replace(
            defaults,
            placement=str(pick("placement")),
            height_m=_float_or_none(pick("height_m")),
            weight_kg=_float_or_none(pick("weight_kg")),
            age_years=_float_or_none(pick("age_years")),
        )


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _is_export_folder(path: Path) -> bool:
    return any(p.name.lower() in EXPORT_FOLDER_MARKERS for p in path.iterdir() if p.is_file())


def _is_manifest(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    try:
        header = pd.read_csv(path, nrows=0).columns
    except (ValueError, OSError, UnicodeDecodeError):
        return False
    return "path" in {str(c).strip().lower() for c in header}


def _read_manifest(path: Path) -> list[BatchItem]:
    table = pd.read_csv(path, skip_blank_lines=False)  # a row's line is its index + 2
    table.columns = [str(c).strip().lower() for c in table.columns]
    items = []
    for line, row in enumerate(table.to_dict("records"), start=2):
        if all(isinstance(v, float) and pd.isna(v) for v in row.values()):
            continue  # a blank line
        raw = row.pop("path")
        if not isinstance(raw, str) or not raw.strip():
            raise InputError(path, "empty path", line=line, field="path")
        target = Path(raw.strip())
        if not target.is_absolute():
            target = path.parent / target
        person = {str(k): v for k, v in row.items() if not (isinstance(v, float) and pd.isna(v))}
        for name in BODY_LIMITS.keys() & person.keys():
            try:
                person[name] = body_measure(name, person[name])
            except ValueError as exc:
                raise InputError(path, str(exc), line=line, field=name) from None
        placement = person.get("placement")
        if placement is not None and str(placement).strip() not in PLACEMENTS:
            reason = f"placement must be one of {', '.join(PLACEMENTS)}, not {placement!r}"
            raise InputError(path, reason, line=line, field="placement")
        items.append(BatchItem(target, person))
    return items


def is_batch_output(folder: Path) -> bool:
    """Whether ``folder`` is a batch's output folder (it holds ``parts/done``)."""
    return (folder / "parts" / "done").is_dir()


def _walk(folder: Path, skip: Path | None) -> Iterator[Path]:
    if _is_export_folder(folder):
        yield folder
        return
    for child in sorted(folder.iterdir()):
        if child.is_dir():
            if not is_batch_output(child) and (skip is None or child.resolve() != skip):
                yield from _walk(child, skip)
        elif child.suffix.lower() in RECORDING_SUFFIXES and not child.name.startswith("."):
            yield child


def collect_inputs(inputs: Iterable[str | Path], out: Path | None = None) -> list[BatchItem]:
    """Files, folders (searched recursively) and manifest CSVs -> batch items.

    A manifest is a CSV with a ``path`` column (relative paths are taken from the
    manifest's folder) and optional person columns such as ``id``, ``height_m``,
    ``weight_kg``, ``age_years`` and ``placement``. A folder with no recording in it
    or its subfolders, or a manifest with no row, is an :class:`InputError`. The
    search leaves out the batch's output folder ``out`` and any other batch's (its
    tables are CSV files, not recordings). Each item's path is absolute (symbolic links
    kept as named): the tables say which file wherever they are read, and a recording
    is the same one whatever folder the command was run from.
    """
    items: list[BatchItem] = []
    seen: set[tuple[Path, str]] = set()  # a file, with what a manifest says of it
    for raw in inputs:
        path = Path(raw)
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_dir():
            found = [BatchItem(p) for p in _walk(path, out.resolve() if out else None)]
            if not found:  # a mistyped or wrong folder: say so, write no empty tables
                suffixes = ", ".join(sorted(RECORDING_SUFFIXES - VIDEO_SUFFIXES))
                videos = ", ".join(sorted(VIDEO_SUFFIXES))
                raise InputError(
                    path,
                    f"no recordings found in this folder or its subfolders (files ending "
                    f"{suffixes}, videos ending {videos}, or export folders)",
                )
        elif _is_manifest(path):
            found = _read_manifest(path)
            if not found:
                raise InputError(path, "the manifest lists no recordings")
        else:
            found = [BatchItem(path)]
        for item in found:
            given = (item.path.resolve(), json.dumps(item.person, sort_keys=True, default=str))
            if given not in seen:
                seen.add(given)
                items.append(replace(item, path=item.path.absolute()))
    return items


def videos_note(items: list[BatchItem]) -> str:
    """A line on the videos among ``items`` (by their names), or "" when there are none:
    they are analysed frame by frame, or, without the video extra, how to include them."""
    from retrowalk.video import available

    n = sum(item.path.suffix.lower() in VIDEO_SUFFIXES for item in items)
    if not n:
        return ""
    videos = f"{n} video{'s' if n > 1 else ''}"
    if available():
        return f"{videos} among the {len(items)} recordings: analysed frame by frame, slower"
    return (
        f"{videos} among the {len(items)} recordings: install the video extra "
        "(pip install 'retrowalk[video]') to analyse them; until then each has a row "
        "in errors, and the first run after installing it analyses them"
    )


def content_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, or of a folder's files (names and bytes) in order."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode())
        with file.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def hash_and_bytes(path: Path) -> tuple[str, bytes | None]:
    """:func:`content_hash` of ``path``, and the file's bytes when it is a file of at
    most :data:`WHOLE_READ_BYTES` (read once: its reader takes them instead of
    reading the file again); ``None`` for a larger file or a folder.
    """
    if path.is_dir() or path.stat().st_size > WHOLE_READ_BYTES:
        return content_hash(path), None
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), data


def file_stamp(path: Path) -> str:
    """What tells, without reading it, that a file changed since it was read: its size
    and modification time (``"<bytes>:<mtime_ns>"``); of a folder, a digest of every
    file's name, size and modification time."""
    if not path.is_dir():
        info = path.stat()
        return f"{info.st_size}:{info.st_mtime_ns}"
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        info = file.stat()
        digest.update(f"{file.relative_to(path)}\0{info.st_size}:{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:24]

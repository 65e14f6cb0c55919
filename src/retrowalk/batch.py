"""Analyse many recordings: locally in parallel or on a Dask cluster.

Every recording is one task that reads, analyses and writes its own small
Parquet parts (``parts/<table>/<key>.parquet``) atomically, so an interrupted
run loses nothing already written and a re-run skips recordings already
analysed with the same content, analysis version and options. At the end the
parts are gathered into tidy tables (Parquet and CSV): ``recordings``,
``bouts``, ``steps`` and ``errors``.

Local runs use a :class:`dask.distributed.LocalCluster` (one single-threaded
worker process per core); ``scheduler="tcp://host:port"`` sends the same tasks
to an existing cluster, whose workers must see the input files and the output
folder under the same paths (a shared file system).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from retrowalk import __version__
from retrowalk.analysis import AnalysisOptions, analyze
from retrowalk.errors import InputError, RetrowalkError
from retrowalk.io import read_recording
from retrowalk.tables import analysis_tables

TABLES = ("recordings", "bouts", "steps", "errors")
RECORDING_SUFFIXES = {".csv", ".tsv", ".txt", ".zip", ".cwa", ".gt3x"}
EXPORT_FOLDER_MARKERS = {"accelerometer.csv", "totalacceleration.csv"}
MANIFEST_PERSON_COLUMNS = {"height_m", "weight_kg", "age_years", "placement"}


@dataclass(frozen=True)
class BatchItem:
    """One recording to analyse, with what a manifest says about its person."""

    path: Path
    person: dict[str, Any] = field(default_factory=dict)

    def options(self, defaults: AnalysisOptions) -> AnalysisOptions:
        def pick(name: str) -> Any:
            value = self.person.get(name)
            return getattr(defaults, name) if value is None or pd.isna(value) else value

        return AnalysisOptions(
            placement=str(pick("placement")),
            height_m=_float_or_none(pick("height_m")),
            weight_kg=_float_or_none(pick("weight_kg")),
            age_years=_float_or_none(pick("age_years")),
        )


@dataclass
class BatchSummary:
    """Counts of one batch run."""

    analysed: int = 0
    skipped: int = 0
    failed: int = 0
    data_hours: float = 0.0
    seconds: float = 0.0
    out_dir: Path | None = None

    @property
    def total(self) -> int:
        return self.analysed + self.skipped + self.failed

    def line(self) -> str:
        rate = self.analysed / self.seconds if self.seconds > 0 else 0.0
        return (
            f"{self.total} recordings: {self.analysed} analysed, {self.skipped} already done, "
            f"{self.failed} failed, in {self.seconds:.1f} s ({rate:.1f} recordings/s, "
            f"{self.data_hours:.2f} h of data)"
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
    table = pd.read_csv(path)
    table.columns = [str(c).strip().lower() for c in table.columns]
    items = []
    for line, row in enumerate(table.to_dict("records"), start=2):
        raw = row.pop("path")
        if not isinstance(raw, str) or not raw.strip():
            raise InputError(path, "empty path", line=line, field="path")
        target = Path(raw.strip())
        if not target.is_absolute():
            target = path.parent / target
        person = {k: v for k, v in row.items() if not (isinstance(v, float) and pd.isna(v))}
        items.append(BatchItem(target, person))
    return items


def _walk(folder: Path) -> Iterator[Path]:
    if _is_export_folder(folder):
        yield folder
        return
    for child in sorted(folder.iterdir()):
        if child.is_dir():
            yield from _walk(child)
        elif child.suffix.lower() in RECORDING_SUFFIXES and not child.name.startswith("."):
            yield child


def collect_inputs(inputs: Iterable[str | Path]) -> list[BatchItem]:
    """Files, folders (searched recursively) and manifest CSVs -> batch items.

    A manifest is a CSV with a ``path`` column (relative paths are taken from the
    manifest's folder) and optional person columns such as ``id``, ``height_m``,
    ``weight_kg``, ``age_years`` and ``placement``.
    """
    items: list[BatchItem] = []
    seen: set[Path] = set()
    for raw in inputs:
        path = Path(raw)
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_dir():
            found = [BatchItem(p) for p in _walk(path)]
        elif _is_manifest(path):
            found = _read_manifest(path)
        else:
            found = [BatchItem(path)]
        for item in found:
            resolved = item.path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                items.append(item)
    return items


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


def task_key(file_hash: str, options: AnalysisOptions) -> str:
    """Identifies one analysis: same content, version and options -> same key."""
    fingerprint = json.dumps([__version__, options.__dict__], sort_keys=True, default=str)
    return f"{file_hash[:24]}-{hashlib.sha256(fingerprint.encode()).hexdigest()[:12]}"


def _write_atomic(frame: pd.DataFrame, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, target)


def _done_marker(out_dir: Path, key: str) -> Path:
    return out_dir / "parts" / "done" / f"{key}.json"


def analyse_item(item: BatchItem, out_dir: str, defaults: AnalysisOptions) -> dict[str, Any]:
    """Analyse one recording and write its parts; the task every worker runs.

    Returns a small status dict; nothing large travels back to the caller.
    """
    out = Path(out_dir)
    options = item.options(defaults)
    try:
        file_hash = content_hash(item.path)
    except OSError as exc:
        file_hash = hashlib.sha256(str(item.path).encode()).hexdigest()
        return _record_failure(out, item, task_key(file_hash, options), f"cannot read: {exc}")
    key = task_key(file_hash, options)
    marker = _done_marker(out, key)
    if marker.exists():
        status = json.loads(marker.read_text())
        return {**status, "status": "skipped"}
    try:
        recording = read_recording(item.path, placement=options.placement)
        analysis = analyze(recording, options)
    except RetrowalkError as exc:
        return _record_failure(out, item, key, str(exc))
    except Exception as exc:  # one bad file never stops the batch
        return _record_failure(out, item, key, f"internal error: {type(exc).__name__}: {exc}")
    extra = {
        f"person_{k}" if k in MANIFEST_PERSON_COLUMNS else k: v for k, v in item.person.items()
    }
    extra["content_sha256"] = file_hash
    tables = analysis_tables(analysis, key, extra)
    for name, frame in tables.items():
        _write_atomic(frame, out / "parts" / name / f"{key}.parquet")
    status = {"key": key, "path": str(item.path), "duration_s": recording.duration_s}
    _write_marker(marker, status)
    return {**status, "status": "analysed"}


def _record_failure(out: Path, item: BatchItem, key: str, reason: str) -> dict[str, Any]:
    frame = pd.DataFrame([{"recording_id": key, "path": str(item.path), "reason": reason}])
    _write_atomic(frame, out / "parts" / "errors" / f"{key}.parquet")
    status = {"key": key, "path": str(item.path), "duration_s": 0.0, "reason": reason}
    _write_marker(_done_marker(out, key), status)
    return {**status, "status": "failed"}


def _write_marker(marker: Path, status: dict[str, Any]) -> None:
    marker.parent.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_name(f".{marker.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(status))
    os.replace(tmp, marker)


def gather_tables(out_dir: Path) -> dict[str, int]:
    """Concatenate the parts into ``<table>.parquet`` and ``<table>.csv``; row counts."""
    counts: dict[str, int] = {}
    for name in TABLES:
        parts = sorted((out_dir / "parts" / name).glob("*.parquet"))
        frames = [pd.read_parquet(p) for p in parts]
        frames = [f for f in frames if not f.empty]
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        counts[name] = len(table)
        _write_atomic(table, out_dir / f"{name}.parquet")
        tmp = out_dir / f".{name}.csv.{uuid.uuid4().hex}.tmp"
        table.to_csv(tmp, index=False)
        os.replace(tmp, out_dir / f"{name}.csv")
    return counts


ProgressCallback = Callable[[dict[str, Any]], None]


def run_batch(
    items: list[BatchItem],
    out_dir: str | Path,
    *,
    defaults: AnalysisOptions | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    serial: bool = False,
    on_result: ProgressCallback | None = None,
    max_in_flight_per_worker: int = 4,
) -> BatchSummary:
    """Analyse every item and gather the tables.

    Parameters
    ----------
    items
        What to analyse (see :func:`collect_inputs`).
    out_dir
        Output folder (created); holds ``parts/`` and the gathered tables.
    defaults
        Options for items whose manifest row does not say.
    scheduler
        Address of a running Dask scheduler; ``None`` starts a LocalCluster.
    n_workers
        Local worker processes (default: all cores).
    serial
        Run in this process without Dask (same task function), for debugging
        and as the single-process baseline.
    on_result
        Called with each task's status dict as it completes (progress display).
    max_in_flight_per_worker
        Bound on submitted-but-unfinished tasks, so memory stays flat however
        many files there are.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    defaults = defaults or AnalysisOptions()
    summary = BatchSummary(out_dir=out)
    started = time.perf_counter()

    def account(status: dict[str, Any]) -> None:
        kind = status["status"]
        if kind == "analysed":
            summary.analysed += 1
            summary.data_hours += float(status.get("duration_s", 0.0)) / 3600.0
        elif kind == "skipped":
            summary.skipped += 1
        else:
            summary.failed += 1
        if on_result is not None:
            on_result(status)

    if serial:
        for item in items:
            account(analyse_item(item, str(out), defaults))
    else:
        _run_on_dask(
            items, str(out), defaults, scheduler, n_workers, account, max_in_flight_per_worker
        )
    gather_tables(out)
    summary.seconds = time.perf_counter() - started
    return summary


def _run_on_dask(
    items: list[BatchItem],
    out: str,
    defaults: AnalysisOptions,
    scheduler: str | None,
    n_workers: int | None,
    account: ProgressCallback,
    max_in_flight_per_worker: int,
) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    scheduler = scheduler or os.environ.get("RETROWALK_DASK_SCHEDULER") or None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=n_workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        window = max(workers * max_in_flight_per_worker, 1)
        queue = iter(items)
        first = [
            client.submit(analyse_item, item, out, defaults, pure=False)
            for item in _take(queue, window)
        ]
        pending = as_completed(first)
        for future in pending:
            account(future.result())
            future.release()
            for item in _take(queue, 1):
                pending.add(client.submit(analyse_item, item, out, defaults, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _take(iterator: Iterator[BatchItem], n: int) -> list[BatchItem]:
    taken = []
    for _ in range(n):
        try:
            taken.append(next(iterator))
        except StopIteration:
            break
    return taken

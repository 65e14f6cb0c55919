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


def _analyse_one(
    item: BatchItem, out: Path, defaults: AnalysisOptions
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Status of one recording and its table rows (none when skipped)."""
    options = item.options(defaults)
    try:
        file_hash = content_hash(item.path)
    except OSError as exc:
        key = task_key(hashlib.sha256(str(item.path).encode()).hexdigest(), options)
        return _failure(item, key, f"cannot read: {exc}")
    key = task_key(file_hash, options)
    marker = _done_marker(out, key)
    if marker.exists():
        return {**json.loads(marker.read_text()), "status": "skipped"}, {}
    try:
        recording = read_recording(item.path, placement=options.placement)
        analysis = analyze(recording, options)
    except RetrowalkError as exc:
        return _failure(item, key, str(exc))
    except Exception as exc:  # one bad file never stops the batch
        return _failure(item, key, f"internal error: {type(exc).__name__}: {exc}")
    extra = {
        f"person_{k}" if k in MANIFEST_PERSON_COLUMNS else k: v for k, v in item.person.items()
    }
    extra["content_sha256"] = file_hash
    status = {"key": key, "path": str(item.path), "duration_s": recording.duration_s}
    return {**status, "status": "analysed"}, analysis_tables(analysis, key, extra)


def _failure(
    item: BatchItem, key: str, reason: str
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    status = {"key": key, "path": str(item.path), "duration_s": 0.0, "reason": reason}
    errors = pd.DataFrame([{"recording_id": key, "path": str(item.path), "reason": reason}])
    return {**status, "status": "failed"}, {"errors": errors}


def analyse_items(
    items: list[BatchItem], out_dir: str, defaults: AnalysisOptions
) -> list[dict[str, Any]]:
    """Analyse a group of recordings; the task every worker runs.

    The group's rows are written as one part file per table (atomically), then
    each recording is marked done with the name of its part. A run killed in
    between leaves parts that no marker names; they are ignored and the
    recordings are analysed again next time. Only small status dicts travel
    back to the caller.
    """
    out = Path(out_dir)
    statuses: list[dict[str, Any]] = []
    rows: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for item in items:
        status, tables = _analyse_one(item, out, defaults)
        statuses.append(status)
        for name, frame in tables.items():
            rows[name].append(frame)
    part = uuid.uuid4().hex
    for name, frames in rows.items():
        frames = [f for f in frames if not f.empty]
        if frames:
            table = pd.concat(frames, ignore_index=True)
            _write_atomic(table, out / "parts" / name / f"{part}.parquet")
    for status in statuses:
        if status["status"] != "skipped":
            marked = {k: v for k, v in status.items() if k != "status"}
            _write_marker(_done_marker(out, status["key"]), {**marked, "part": part})
    return statuses


def _write_marker(marker: Path, status: dict[str, Any]) -> None:
    marker.parent.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_name(f".{marker.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(status))
    os.replace(tmp, marker)


def _part_of_each_recording(out_dir: Path) -> dict[str, str]:
    """Recording key -> the part file that holds its rows, from the done markers."""
    parts: dict[str, str] = {}
    for marker in (out_dir / "parts" / "done").glob("*.json"):
        status = json.loads(marker.read_text())
        parts[status["key"]] = status["part"]
    return parts


def gather_tables(out_dir: Path) -> dict[str, int]:
    """Gather the parts into ``<table>.parquet`` and ``<table>.csv``; row counts.

    Only rows of a recording's marked part are taken, so a part left by an
    interrupted run never duplicates a recording.
    """
    owner = _part_of_each_recording(out_dir)
    counts: dict[str, int] = {}
    for name in TABLES:
        frames = []
        for path in sorted((out_dir / "parts" / name).glob("*.parquet")):
            frame = pd.read_parquet(path)
            keep = frame["recording_id"].map(owner).eq(path.stem)
            if keep.any():
                frames.append(frame[keep.to_numpy()])
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if not table.empty:
            table = table.sort_values("recording_id", kind="stable", ignore_index=True)
        counts[name] = len(table)
        _write_atomic(table, out_dir / f"{name}.parquet")
        tmp = out_dir / f".{name}.csv.{uuid.uuid4().hex}.tmp"
        table.to_csv(tmp, index=False)
        os.replace(tmp, out_dir / f"{name}.csv")
    return counts


def group_items(items: list[BatchItem], *, max_files: int, max_bytes: int) -> list[list[BatchItem]]:
    """Split items into tasks of at most ``max_files`` files or ``max_bytes`` of input.

    Grouping small recordings keeps the per-task cost of a distributed scheduler
    (about a millisecond or more per task) small beside the analysis itself.
    """
    groups: list[list[BatchItem]] = []
    current: list[BatchItem] = []
    size = 0
    for item in items:
        try:
            item_bytes = item.path.stat().st_size if item.path.is_file() else max_bytes
        except OSError:
            item_bytes = 0
        if current and (len(current) >= max_files or size + item_bytes > max_bytes):
            groups.append(current)
            current, size = [], 0
        current.append(item)
        size += item_bytes
    if current:
        groups.append(current)
    return groups


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
    files_per_task: int = 32,
    bytes_per_task: int = 32 * 2**20,
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
        Called with each recording's status dict as it completes (progress display).
    max_in_flight_per_worker
        Bound on submitted-but-unfinished tasks, so memory stays flat however
        many files there are.
    files_per_task, bytes_per_task
        Largest group of recordings one task analyses; groups are made smaller
        when there are few files, so every worker gets work.
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

    def groups(workers: int) -> list[list[BatchItem]]:
        fair_share = -(-len(items) // max(workers * max_in_flight_per_worker, 1))
        size = max(1, min(files_per_task, fair_share))
        return group_items(items, max_files=size, max_bytes=bytes_per_task)

    if serial:
        for group in groups(1):
            for status in analyse_items(group, str(out), defaults):
                account(status)
    else:
        _run_on_dask(
            groups, str(out), defaults, scheduler, n_workers, account, max_in_flight_per_worker
        )
    gather_tables(out)
    summary.seconds = time.perf_counter() - started
    return summary


def _run_on_dask(
    make_groups: Callable[[int], list[list[BatchItem]]],
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
        queue = iter(make_groups(workers))
        first = [
            client.submit(analyse_items, group, out, defaults, pure=False)
            for group in _take(queue, window)
        ]
        pending = as_completed(first)
        for future in pending:
            for status in future.result():
                account(status)
            future.release()
            for group in _take(queue, 1):
                pending.add(client.submit(analyse_items, group, out, defaults, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _take(iterator: Iterator[list[BatchItem]], n: int) -> list[list[BatchItem]]:
    taken = []
    for _ in range(n):
        try:
            taken.append(next(iterator))
        except StopIteration:
            break
    return taken

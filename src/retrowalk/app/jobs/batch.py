"""Analyse many recordings: locally in parallel or on a Dask cluster.

Every task reads and analyses a group of recordings (up to ``files_per_task``;
the groups shrink towards the end of a batch shared among workers, so the
workers finish together) and writes the group's rows as small Parquet parts
(``parts/<table>/<part>.parquet``) atomically, then marks its recordings done
with the name of their part in one marker file (``parts/done/<part>.json``); one
bad file gives that file a row in ``errors`` and the others go on. An
interrupted run loses nothing already marked done and a re-run
skips recordings already analysed with the same content, analysis version and
options; of the stored direction calibrations, only the one a recording used counts (that of
the placement it was analysed as worn at: a new calibration for the lower back leaves the
pocket recordings done). A stored calibration that cannot be used (damaged, or holding
another placement's) refuses the recordings of its placement alone, each a row in
``errors``, until it is mended, removed or made again (:class:`_Digests`). A file refused
for its content is not tried again either (the same bytes and engine are refused the same
way): the re-run counts it as failed, in an earlier run, and keeps its row in ``errors``. A
file that could not be read, whose reader needs a package not installed, or whose analysis
failed with an internal error, is tried again. A file whose content changed since an earlier
run is analysed anew, and the tables hold only its latest content's rows. A recording is a
file path with its content, manifest row and options (:func:`task_key`): a copy of a file
under another name is a recording of its own. Its result depends on all that but the folder
(:func:`_result_key`): a file of a folder moved, renamed or copied since takes the result
marked done at its earlier path, with its new path and recording id (:func:`_reused`), where
a file renamed is analysed anew. At the end the parts of the recordings given to this run
(and of no others) are gathered into tidy tables (Parquet and CSV): ``recordings``,
``bouts``, ``steps`` and ``errors``; the parts written by the same run come back with their
task's result and are not read again. Then the results superseded at their path are removed
from ``parts/`` (:func:`prune_parts`), unless another run uses the folder
(:class:`~retrowalk.app.jobs.locks.SharedUse`).

Memory: a worker's peak does not grow with the number of files (tasks in
flight are bounded; its index of the recordings marked done holds about
1.2 kB per recording of a 45-character path, 0.15 kB of it to reuse results
at another path; a task reads each earlier part it reuses rows of once). A file
of up to 16 MB (:data:`~retrowalk.app.jobs.inputs.WHOLE_READ_BYTES`) is read once, its bytes
hashed and then parsed, instead of read twice; a longer one is hashed as it
streams and parsed from the file. A task reads up to 8 recordings of short
files (4 MB of input together, :data:`READ_AHEAD_FILES`) before it analyses
them, so it holds their samples (a 36-s recording: 170 kB) at once.
The calling process holds the rows of this run's parts until the end, when
each table is joined, sorted and written whole: its peak
grows by about 15 kB per recording (7 kB held until the gathering, the rest
while the steps table is sorted and written), some 30 MB for 2,000 files.

Every recording's options come from :func:`retrowalk.app.analyse.build_options`
(so a stored direction calibration applies here as in ``retrowalk analyze``),
built once in the calling process: workers need not see the profile store. They
travel with the units its file is read in (:class:`TaskOptions`), as
``retrowalk analyze`` reads it.

Local runs use a :class:`dask.distributed.LocalCluster` (:func:`local_cluster`:
one single-threaded worker process per core, started with this module
imported); ``scheduler="tcp://host:port"`` sends the same tasks
to an existing cluster, whose workers must see the input files and the output
folder under the same paths (a shared file system).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from retrowalk.app.analyse import (
    AnalysisRequest,
    ReadForAnalysis,
    analyse_recording,
    build_options,
    calibration_refusal,
    read_for_analysis,
    stored_for,
)
from retrowalk.app.jobs import stopping
from retrowalk.app.jobs.inputs import (
    MANIFEST_PERSON_COLUMNS,
    BatchItem,
    collect_inputs,
    content_hash,
    file_stamp,
    hash_and_bytes,
)
from retrowalk.app.jobs.locks import SharedUse, ignore_ctrl_c
from retrowalk.app.jobs.stopping import StopRequests, stop_requests
from retrowalk.core.csvcells import safe_frame
from retrowalk.core.errors import ExtraMissingError, RetrowalkError
from retrowalk.core.provenance import engine_version
from retrowalk.pipeline import AnalysisOptions
from retrowalk.summary.tables import (
    BOUT_COLUMNS,
    RECORDING_COLUMNS,
    STEP_COLUMNS,
    analysis_columns,
    empty_table,
    tables_of_many,
)

if TYPE_CHECKING:
    from dask.distributed import Client, Future, LocalCluster

    from retrowalk.app.calibration import StoredCalibrations, UnreadableCalibrationError
    from retrowalk.gait.calibration import DirectionProfile

__all__ = [
    "TABLES",
    "BatchItem",
    "BatchStopped",
    "BatchSummary",
    "ClusterError",
    "OutputError",
    "check_writable",
    "collect_inputs",
    "content_hash",
    "gather_tables",
    "group_items",
    "local_cluster",
    "prune_parts",
    "run_batch",
    "task_key",
]

TABLES = ("recordings", "bouts", "steps", "errors")
#: The columns of each table when it has no row (a recording's rows may add a
#: manifest's columns to ``recordings``).
TABLE_COLUMNS = {
    "recordings": [*RECORDING_COLUMNS, "content_sha256"],
    "bouts": BOUT_COLUMNS,
    "steps": STEP_COLUMNS,
    "errors": ["recording_id", "path", "reason"],
}


class OutputError(RetrowalkError):
    """The output folder cannot be written (made, or a file written in it)."""


class ClusterError(RetrowalkError):
    """The Dask cluster cannot be used: no scheduler answers at the address given (or it
    is malformed), or a worker runs another retrowalk, or none."""


@dataclass
class BatchSummary:
    """Counts of one batch run.

    ``skipped``: analysed by an earlier run, of which ``reused`` at another path (the
    same file in a folder moved, renamed or copied since: :func:`_reused`).
    ``failed``: every recording that has a row in ``errors``, of which
    ``failed_before`` were refused by an earlier run and not tried again
    (:func:`_read_one`).
    """

    analysed: int = 0
    skipped: int = 0
    reused: int = 0
    failed: int = 0
    failed_before: int = 0
    data_hours: float = 0.0
    seconds: float = 0.0
    out_dir: Path | None = None
    #: Recordings whose earlier results were removed from ``parts/``, superseded at their
    #: path (:func:`prune_parts`); ``None`` when none could be, for ``kept_because``.
    pruned: int | None = 0
    kept_because: str = ""

    @property
    def total(self) -> int:
        return self.analysed + self.skipped + self.failed

    def line(self) -> str:
        rate = self.analysed / self.seconds if self.seconds > 0 else 0.0
        before = f" ({self.failed_before} in an earlier run)" if self.failed_before else ""
        moved = f" ({self.reused} of them at another path)" if self.reused else ""
        return (
            f"{self.total} recordings: {self.analysed} analysed, {self.skipped} already done"
            f"{moved}, {self.failed} failed{before}, in {self.seconds:.1f} s "
            f"({rate:.1f} recordings/s, "
            f"{self.data_hours:.2f} h of data)"
        )

    def parts_line(self) -> str:
        """What was removed from ``parts/``, or why nothing could be; "" when nothing."""
        parts = f"{self.out_dir}/parts" if self.out_dir else "parts/"
        if self.pruned is None:
            return f"Kept {parts} as it is: {self.kept_because}"
        if self.pruned:
            n = self.pruned
            return (
                f"Removed from {parts} the earlier results of {n} recording{'s' if n > 1 else ''} "
                "(files changed since, or other options or engine)"
            )
        return ""


def task_key(file_hash: str, options: TaskOptions, item: BatchItem) -> str:
    """Identifies one recording's analysis (its ``recording_id`` in the tables): the same
    file path, content, manifest row, engine and options -> the same key.

    The path and the manifest row are part of it, so every file given has rows of its
    own, under its own path and person columns: two files of the same content (a copy
    under another name) are two recordings. A file whose manifest row changed is
    analysed anew; one moved takes its earlier result (:func:`_result_key`). The engine is
    :func:`~retrowalk.core.provenance.engine_version`: after any change to the code
    that computes an analysis, a re-run analyses again.

    Of the stored calibrations the options offer (one per placement), an analysed
    recording's key has only the one it used, that of the placement it was analysed as
    worn at, or none (:class:`_Digests`); this key has them all, as a recording whose
    analysis failed.
    """
    return _key(file_hash, _options_digest(options), item)


def _key(file_hash: str, digest: str, item: BatchItem) -> str:
    """:func:`task_key` of a file's hash, its :func:`_options_digest` and its item."""
    described = json.dumps([file_hash, str(item.path), item.person], sort_keys=True, default=str)
    return f"{hashlib.sha256(described.encode()).hexdigest()[:24]}-{digest}"


def _result_key(file_hash: str, digest: str, item: BatchItem) -> str:
    """What a recording's analysis depends on: :func:`_key` without the file's folder.

    The file's name stays in it (an Xsens export's name says where it was worn:
    ``_lb``, ``_lf``, ``_rf``), its folder does not: a recording whose folder was moved,
    renamed or copied has the result of its earlier path (:func:`_reused`), with its
    new path and ``recording_id``.
    """
    described = json.dumps([file_hash, item.path.name, item.person], sort_keys=True, default=str)
    return f"{hashlib.sha256(described.encode()).hexdigest()[:24]}-{digest}"


def _options_digest(
    options: TaskOptions, used: Any = ..., refused: tuple[str, str] | None = None
) -> str:
    """The engine and options part of :func:`task_key`: the analysis options and the units
    the file is read in (a unit told from the data, ``auto``, adds nothing: the key of a
    recording analysed so is the one it had before units were part of it).

    ``used``, where the options offer the stored calibrations (a mapping by placement),
    is the one a recording was analysed with, ``(placement, profile)``, or ``None`` for
    none: its digest is then of that calibration alone, not of every one stored
    (:class:`_Digests`); ``None`` gives the digest of options offering no calibration.
    ``refused``: ``(placement, reason)`` of a recording refused for its placement's stored
    calibration (:attr:`TaskOptions.refused`), whose digest is of that refusal alone.
    """
    fields = options.options.__dict__
    if used is not ... or refused is not None:
        fields = {**fields, "direction_profile": None}
    described: list[Any] = [engine_version(), fields]
    units = {
        name: value
        for name, value in (("acc_unit", options.acc_unit), ("gyro_unit", options.gyro_unit))
        if value != "auto"
    }
    if units:
        described.append(units)
    if used is not ... and used is not None:
        placement, profile = used
        described.append({"stored calibration used": [placement, profile]})
    if refused is not None:
        described.append({"stored calibration refused": list(refused)})
    fingerprint = json.dumps(described, sort_keys=True, default=str)
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class _Digests:
    """The options parts of the keys a recording analysed with one :class:`TaskOptions`
    can have (:func:`_digests`).

    Where the options offer the stored calibrations (one per placement), an analysis
    uses the one of the placement the recording is analysed as worn at, or none; its key
    depends on that one alone (``stored``: placement -> the digest with its calibration;
    ``none``: with none), so that a new calibration for one placement leaves the
    recordings of the others done. Which placement that is shows only once analysed: a
    recording is found done under one of :meth:`candidates`, and its status says the
    placement (:meth:`valid`). A recording whose analysis failed, placement unknown, is
    keyed by ``every``, the digest of every calibration offered (as all were before).
    Without stored calibrations (none stored, --no-profile, a calibration named) the
    three are one.

    A recording worn where the stored calibration cannot be used (``refused``: placement
    -> the digest of that refusal, of the placement and the reason alone; ``reasons``:
    placement -> the reason, :attr:`TaskOptions.refused`) is refused, keyed by it. It is
    done while that file stays as it is (the other placements' keys do not change with
    it); once the file is mended, removed or made again, that refusal is no longer among
    the candidates and its recordings are analysed. A recording done before at a
    placement refused now (analysed with its calibration, or with none) is refused.
    """

    every: str
    none: str
    stored: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def candidates(self) -> list[str]:
        """Every digest a recording done with these options can have been keyed by."""
        return list(
            dict.fromkeys([self.every, *self.stored.values(), self.none, *self.refused.values()])
        )

    def used(self, placement: str) -> str:
        """The digest of a recording analysed as worn at ``placement``."""
        return self.stored.get(placement, self.none)

    def valid(self, status: dict[str, Any], placement: str | None = None) -> bool:
        """Whether ``status`` (found under one of :meth:`candidates`) is of an analysis
        these options give: of the same calibrations, or of the one its placement uses
        (the status's ``placement``; ``placement`` when it has none, as an earlier version
        wrote it; empty: read before any calibration mattered), or the refusal of its
        placement when that is refused. An analysis whose placement is not said is not
        taken while a placement is refused (an earlier version's is told by its row,
        :func:`_still`); a failure is, as its reason holds whatever the calibrations."""
        digest = str(status.get("key", "")).rpartition("-")[2]
        worn = status.get("placement", placement)
        if self.refused:
            if worn in self.refused:
                return digest == self.refused[worn]
            if worn is None and "reason" not in status:
                return False  # analysed, its placement not said: perhaps one refused now
        if digest == self.every:
            return True
        if worn is None:
            return False
        if digest == self.none:
            return worn not in self.stored
        return self.stored.get(worn) == digest


def _digests(options: TaskOptions) -> _Digests:
    """The :class:`_Digests` of ``options``."""
    every = _options_digest(options)
    offered = options.options.direction_profile
    refused = {p: _options_digest(options, refused=(p, why)) for p, why in options.refused}
    reasons = dict(options.refused)
    if not isinstance(offered, Mapping) or not offered:
        return _Digests(every, every, refused=refused, reasons=reasons)
    return _Digests(
        every,
        _options_digest(options, None),
        {p: _options_digest(options, (p, profile)) for p, profile in offered.items()},
        refused,
        reasons,
    )


def check_writable(out: Path) -> None:
    """Create the output folder, and make sure a file can be written in it, before any
    work starts (else :class:`OutputError`: one line naming the folder and why)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test.{uuid.uuid4().hex}.tmp"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(f"{out}: cannot write the results there ({reason})") from None


def _write_atomic(frame: pd.DataFrame, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, target)


def _done_dir(out_dir: Path) -> Path:
    """The folder of the done markers: one per group, ``<part>.json``."""
    return out_dir / "parts" / "done"


@dataclass
class _DoneIndex:
    """What this process has read of one folder of done markers."""

    markers: dict[str, int] = field(default_factory=dict)  # marker name -> its inode
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)  # recording key -> status
    marked_by: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (mtime, marker)
    # The statuses of each source's latest marker only (a file path, with its manifest
    # row: _source; those without one too), what :func:`_done_statuses` gives; and per
    # source, that marker and its keys.
    current: dict[str, dict[str, Any]] = field(default_factory=dict)
    latest: dict[str, tuple[tuple[int, str], set[str]]] = field(default_factory=dict)
    # Of the current statuses, those of each result (_result_key) -> their keys (mostly
    # one: a tuple holds it in a third of a set's memory).
    results: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def mark(self, key: str, status: dict[str, Any], when: tuple[int, str]) -> None:
        """Take ``status`` of ``key`` from the marker ``when`` (if it is the later one)."""
        if self.marked_by.get(key, when) > when:
            return
        self._drop(key)  # its earlier status, if it had one
        self.statuses[key] = status
        self.marked_by[key] = when
        path = _source_of(status)
        if not path:  # no path to tell a newer content by
            self._keep(key, status)
            return
        last, keys = self.latest.get(path, (when, set()))
        if when > last:  # the file's content changed since: its earlier keys are not current
            for old in keys:
                if _source_of(self.statuses[old]) == path:
                    self._drop(old)
            last, keys = when, set()
        if when == last:
            keys.add(key)
            self._keep(key, status)
        self.latest[path] = (last, keys)

    def earlier_result(
        self, result: str, still: Callable[[dict[str, Any]], bool] = lambda _: True
    ) -> dict[str, Any] | None:
        """A current status of the result ``result`` (:func:`_result_key`) whose rows can
        be reused: not a failure to try again, and ``still`` done for the options."""
        for key in self.results.get(result, ()):
            status = self.current[key]
            if not _try_again(status) and still(status):
                return status
        return None

    def _keep(self, key: str, status: dict[str, Any]) -> None:
        self.current[key] = status
        if "result" in status:
            keys = self.results.get(status["result"], ())
            if key not in keys:
                self.results[status["result"]] = (*keys, key)

    def _drop(self, key: str) -> None:
        status = self.current.pop(key, None)
        if status is not None and "result" in status:
            keys = tuple(k for k in self.results.get(status["result"], ()) if k != key)
            if keys:
                self.results[status["result"]] = keys
            else:
                self.results.pop(status["result"], None)


#: Folder -> the done markers read from it by this process. A marker is written
#: once under a new name and never changed, so each is read once: every group
#: of a batch reads only the markers written since the last one.
_done_indexes: dict[str, _DoneIndex] = {}
_done_lock = threading.Lock()


def _done_statuses(done: Path) -> dict[str, dict[str, Any]]:
    """Recording key -> its done status (with its ``part``), from the markers in ``done``.

    The current statuses of :func:`_done_index`: read it, do not change it.
    """
    return _done_index(done).current


def _done_index(done: Path) -> _DoneIndex:
    """This process's index of the done markers in ``done``: their current statuses
    (recording key -> its done status, with its ``part``) and their results.

    A group's marker (``{"part": ..., "recordings": [...]}``) holds the statuses
    of its recordings; a marker of one recording (written by earlier versions)
    is that recording's status. Should a recording be marked twice (two runs on
    one folder at once), the later marker (by modification time, then name) holds.
    Of each file path only the recordings of its latest marker are given: a file
    whose content changed since an earlier run (a broken file mended, a recording
    cut) has a new key, and its earlier content's is no longer done, nor gathered
    into the tables; changed back, that content is analysed again. Only markers not
    yet read by this process are read; should one it read be gone or replaced (a
    part removed, :func:`prune_parts`), the folder is read afresh. The index returned
    is this process's: read it, do not change it.
    """
    try:
        with os.scandir(done) as entries:
            listed = {
                e.name: (e.inode(), e.path)
                for e in entries
                if e.name.endswith(".json") and not e.name.startswith(".")
            }
    except FileNotFoundError:
        return _DoneIndex()
    with _done_lock:
        index = _done_indexes.get(str(done))
        if index is None or any(
            listed.get(name, (None,))[0] != inode for name, inode in index.markers.items()
        ):
            index = _done_indexes[str(done)] = _DoneIndex()
        found = []
        for name, (inode, path) in listed.items():
            if name in index.markers:
                continue
            try:
                with open(path, encoding="utf-8") as handle:
                    mtime = os.fstat(handle.fileno()).st_mtime_ns
                    marker = json.load(handle)
            except FileNotFoundError:  # removed since the listing
                continue
            found.append(((mtime, name), inode, marker.get("recordings", [marker])))
        found.sort(key=lambda f: f[0])
        try:
            for when, inode, statuses in found:
                index.markers[when[1]] = inode
                for status in statuses:
                    index.mark(status["key"], status, when)
        except BaseException:  # a batch stopped meanwhile: read afresh next time
            _done_indexes.pop(str(done), None)
            raise
        return index


@dataclass(frozen=True)
class TaskOptions:
    """How a batch analyses a recording: its analysis options (built once in the calling
    process, :func:`~retrowalk.app.analyse.build_options`), the units its file is read
    in (the run's --acc-unit and --gyro-unit; ``"auto"``: told from the data), and the
    placements whose recordings are refused, with the reason (``refused``: their stored
    calibration cannot be used, :meth:`~retrowalk.app.calibration.StoredCalibrations.refusal`;
    a recording's placement is decided once it is read)."""

    options: AnalysisOptions
    acc_unit: str = "auto"
    gyro_unit: str = "auto"
    refused: tuple[tuple[str, str], ...] = ()


Task = tuple[BatchItem, TaskOptions]


#: A group's recordings are read up to READ_AHEAD_FILES at a time (of files of fewer
#: than READ_AHEAD_BYTES together; a file that reaches that is analysed as soon as
#: it is read), then analysed one after another. Reading and analysing in turns,
#: each evicts the other's memory from the processor's caches: reading and
#: analysing a 36-s file took 0.5 ms more than in runs of 8 or 32 (11.6 against
#: 11.2 ms on a loaded machine, 8.6 against 8.1 ms); runs of 32 gained 0.1 ms more.
READ_AHEAD_FILES = 8
READ_AHEAD_BYTES = 4 * 2**20


@dataclass
class _Read:
    """A recording read and not yet analysed, with what its status and rows need (its
    key waits for its analysis: the placement it is analysed as worn at tells which
    calibration it used, :class:`_Digests`)."""

    item: BatchItem
    digests: _Digests
    file_hash: str
    ready: ReadForAnalysis
    size: int  # bytes of the file (READ_AHEAD_BYTES when not read whole)
    stamp: str  # its file_stamp before it was read


Outcome = tuple[dict[str, Any], dict[str, Any]]


def _read_one(
    item: BatchItem, options: TaskOptions, digests: _Digests, done: _DoneIndex, earlier: _Parts
) -> _Read | Outcome:
    """The recording of ``item`` read (:func:`_analyse_read` analyses it), or the outcome
    of one skipped, reused or not read.

    An outcome is a recording's status and its table rows (none when skipped).
    ``digests`` are :func:`_digests` of ``options``, ``done`` the recordings
    marked done (:func:`_done_index`) and ``earlier`` the parts their rows are read
    from when reused (:func:`_reused`). An analysed recording's rows are columns
    (``{"columns": analysis_columns(...)}``), made into tables once per group; a
    failure's is its ``errors`` DataFrame; a reused one's, its tables. A file that
    cannot be read is keyed as analysed with no calibration, and its status's
    ``placement`` is empty: no calibration decided its fate. One read whose placement's
    stored calibration cannot be used (:attr:`TaskOptions.refused`) is refused with the
    reason, keyed by that refusal, its placement in its status.
    """
    try:
        stamp = file_stamp(item.path)  # before reading: a change while read shows
        file_hash, content = hash_and_bytes(item.path)  # a short file's bytes read once
    except OSError as exc:
        key = _key("", digests.none, item)  # no content to tell
        return _failure(item, key, "", f"{_PASSING_FAILURES[1]}{exc}", "", placement="")
    for digest in digests.candidates():
        marked = done.current.get(_key(file_hash, digest, item))
        if marked is not None and not _try_again(marked) and _still(marked, digests, earlier):
            return {**marked, "status": "skipped"}, {}
    for digest in digests.candidates():
        source = done.earlier_result(
            _result_key(file_hash, digest, item), lambda s: _still(s, digests, earlier)
        )
        if source is not None:
            key = _key(file_hash, digest, item)
            reused = _reused(item, key, stamp, source, earlier)
            if reused is not None:
                return reused
    try:
        ready = read_for_analysis(
            item.path,
            options.options,
            content=content,
            acc_unit=options.acc_unit,
            gyro_unit=options.gyro_unit,
        )
    except Exception as exc:  # one bad file never stops the batch
        key, result = (
            _key(file_hash, digests.none, item),
            _result_key(file_hash, digests.none, item),
        )
        return _failure(item, key, result, _reason(exc), stamp, placement="")
    placement, refused = calibration_refusal(ready.recording, ready.options, digests.reasons)
    if refused is not None:
        digest = digests.refused[placement]
        key, result = _key(file_hash, digest, item), _result_key(file_hash, digest, item)
        return _failure(item, key, result, str(refused), stamp, placement=placement)
    size = READ_AHEAD_BYTES if content is None else len(content)
    return _Read(item, digests, file_hash, ready, size, stamp)


def _still(status: dict[str, Any], digests: _Digests, earlier: _Parts) -> bool:
    """Whether the recording of ``status`` (marked done under one of ``digests``'
    candidates) is done for these options (:meth:`_Digests.valid`). A status written by
    an earlier version does not say the placement; its analysis's row does."""
    if digests.valid(status):
        return True
    said = "placement" in status or "reason" in status or "part" not in status
    if said or str(status.get("key", "")).rpartition("-")[2] != digests.none:
        return False  # only an analysis with no calibration may be of its placement's
    try:
        row = earlier.rows("recordings", str(status["part"]), str(status["key"]))
    except (OSError, ValueError):  # a part file that cannot be read
        return False
    if len(row) != 1 or "placement" not in row.columns:
        return False
    return digests.valid(status, str(row["placement"].iloc[0]))


class _Parts:
    """The tables of earlier parts in an output folder, each read once (for a group)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.read: dict[tuple[str, str], pd.DataFrame] = {}

    def rows(self, table: str, part: str, key: str) -> pd.DataFrame:
        """The rows of recording ``key`` in the table of ``part`` (none: no such table)."""
        frame = self.read.get((table, part))
        if frame is None:
            path = self.out / "parts" / table / f"{part}.parquet"
            frame = pd.read_parquet(path) if path.exists() else pd.DataFrame()
            self.read[(table, part)] = frame
        if frame.empty:
            return frame
        return frame[frame["recording_id"].to_numpy() == key]


def _reused(
    item: BatchItem, key: str, stamp: str, source: dict[str, Any], earlier: _Parts
) -> Outcome | None:
    """The outcome of ``item`` made from ``source``: the status of the same content,
    name, manifest row and options marked done at another path (a folder moved, renamed
    or copied), with its rows as an analysis at this path gives them.

    What of a result tells its path is its ``recording_id`` (:func:`task_key`), its
    ``path`` column and a refusal's reason, which names the file: those are made
    anew, the rest is the earlier analysis's. ``None`` when the rows are not all
    there (a part file removed by hand): the file is analysed.
    """
    old_key, old_path, new_path = source["key"], str(source["path"]), str(item.path)
    part = source["part"]
    status = {
        **_status(item, key, "reused", float(source.get("duration_s", 0.0)), stamp),
        "result": source["result"],
        **({"placement": source["placement"]} if "placement" in source else {}),
    }
    tables: Tables = {}
    try:
        if "reason" in source:
            status["reason"] = str(source["reason"]).replace(old_path, new_path)
            names: tuple[str, ...] = ("errors",)
        else:
            names = ("recordings", "bouts", "steps")
        for name in names:
            frame = earlier.rows(name, part, old_key).copy()
            frame["recording_id"] = key
            if "path" in frame.columns:
                frame["path"] = new_path
            if "reason" in frame.columns:
                frame["reason"] = status["reason"]
            tables[name] = frame
    except (OSError, ValueError):  # a part file that cannot be read
        return None
    if len(tables[names[0]]) != 1:  # its row is not there
        return None
    return status, tables


def _analyse_read(read: _Read) -> Outcome:
    """The outcome of a recording :func:`_read_one` read.

    Its key is made once it is analysed: of the calibration the placement it was analysed
    as worn at uses (:meth:`_Digests.used`), the placement noted in its status. Should the
    analysis say otherwise (a calibration offered where none is stored for its placement,
    or the other way round), or fail, it is keyed by every calibration offered."""
    item, ready, digests = read.item, read.ready, read.digests
    try:
        analysis = analyse_recording(ready.recording, ready.options, video=ready.video)
    except Exception as exc:  # one bad file never stops the batch
        digest = digests.every
        key, result = _key(read.file_hash, digest, item), _result_key(read.file_hash, digest, item)
        return _failure(item, key, result, _reason(exc), read.stamp)
    placement: str | None = str(analysis.placement)
    offered = bool(analysis.assumptions.get("direction_profile"))
    if offered != (placement in digests.stored) and digests.stored:
        digest, placement = digests.every, None
    else:
        digest = digests.used(str(placement))
    key = _key(read.file_hash, digest, item)
    extra = {
        f"person_{k}" if k in MANIFEST_PERSON_COLUMNS else k: v for k, v in item.person.items()
    }
    extra["content_sha256"] = read.file_hash
    status = _status(item, key, "analysed", analysis.recording.duration_s, read.stamp)
    status["result"] = _result_key(read.file_hash, digest, item)
    if placement is not None:
        status["placement"] = placement
    return status, {"columns": analysis_columns(analysis, key, extra)}


#: How the reason of a failure that may not happen again begins (:func:`_reason`,
#: :func:`_read_one`): a re-run tries such a recording again.
_PASSING_FAILURES = ("internal error: ", "cannot read: ", "not installed: ")


def _reason(exc: Exception) -> str:
    """A failed recording's reason: the message of a RetrowalkError (a reader that needs
    a package not installed says so first), else what went wrong."""
    if isinstance(exc, ExtraMissingError):
        return f"{_PASSING_FAILURES[2]}{exc}"
    if isinstance(exc, RetrowalkError):
        return str(exc)
    return f"{_PASSING_FAILURES[0]}{type(exc).__name__}: {exc}"


def _try_again(status: dict[str, Any]) -> bool:
    """Whether a recording marked done by an earlier run is analysed again: it failed,
    but not for its content (it could not be read, or an internal error)."""
    return str(status.get("reason", "")).startswith(_PASSING_FAILURES)


def _failure(
    item: BatchItem, key: str, result: str, reason: str, stamp: str, placement: str | None = None
) -> Outcome:
    """A failed recording's outcome; ``result`` its :func:`_result_key` ("" when its
    content could not be read); ``placement`` empty when it failed before any calibration
    mattered (its file could not be read), ``None`` when that is not known."""
    errors = pd.DataFrame([{"recording_id": key, "path": str(item.path), "reason": reason}])
    status = {**_status(item, key, "failed", 0.0, stamp), "reason": reason}
    if result:
        status["result"] = result
    if placement is not None:
        status["placement"] = placement
    return status, {"errors": errors}


#: The statuses of a recording done by an earlier run: found done at its path, or at
#: another (:func:`_reused`).
_FOUND_DONE = ("skipped", "reused")


def _source(item: BatchItem) -> str:
    """What one recording is analysed from: its file's path, and its manifest row if it
    has one (one file listed twice, for two people, is two recordings)."""
    if not item.person:
        return str(item.path)
    return f"{item.path}\0{json.dumps(item.person, sort_keys=True, default=str)}"


def _source_of(status: dict[str, Any]) -> str | None:
    """The :func:`_source` of a done marker's recording."""
    return status.get("source") or status.get("path")


def _status(
    item: BatchItem, key: str, outcome: str, duration_s: float, stamp: str
) -> dict[str, Any]:
    """What a done marker says of one recording: its key, file, length, outcome and
    engine, and the file's :func:`~retrowalk.app.jobs.inputs.file_stamp` when it was read
    (:func:`_kept` tells by it, without reading the file, whether it changed since)."""
    return {
        "key": key,
        "path": str(item.path),
        **({"source": _source(item)} if item.person else {}),
        "duration_s": duration_s,
        "engine": engine_version(),
        "stamp": stamp,
        "status": outcome,
    }


Tables = dict[str, pd.DataFrame]


def _analyse_group(tasks: list[Task], out_dir: str) -> tuple[list[dict[str, Any]], str, Tables]:
    """Analyse a group of recordings; the task every worker runs.

    The group's rows are written as one part file per table (atomically), then
    its recordings are marked done together, with the name of their part, by
    one marker file (``parts/done/<part>.json``, atomically). A run killed in
    between leaves parts that no marker names; they are ignored and the group's
    recordings are analysed again next time. Returns the statuses, the part's
    name and the tables written to it (small: a few rows per recording), so the
    caller gathers them without reading the part files back.
    """
    out = Path(out_dir)
    done = _done_dir(out)
    marked_done = _done_index(done)  # recordings of earlier runs and groups
    earlier = _Parts(out)
    statuses: list[dict[str, Any]] = []
    rows: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    analysed: list[dict[str, dict[str, Any]]] = []
    digests: dict[int, _Digests] = {}  # recordings of a run mostly share one options object
    outcomes: list[Outcome | None] = []
    ahead: list[tuple[int, _Read]] = []  # read, not yet analysed (see READ_AHEAD_FILES)
    held = 0
    for item, options in tasks:
        digest = digests.get(id(options))
        if digest is None:
            digest = digests[id(options)] = _digests(options)
        read = _read_one(item, options, digest, marked_done, earlier)
        if not isinstance(read, _Read):
            outcomes.append(read)
            continue
        ahead.append((len(outcomes), read))
        outcomes.append(None)
        held += read.size
        if len(ahead) >= READ_AHEAD_FILES or held >= READ_AHEAD_BYTES:
            for index, waiting in ahead:
                outcomes[index] = _analyse_read(waiting)
            ahead, held = [], 0
    for index, waiting in ahead:
        outcomes[index] = _analyse_read(waiting)
    for outcome in outcomes:
        assert outcome is not None
        status, tables = outcome
        statuses.append(status)
        if "columns" in tables:
            analysed.append(tables.pop("columns"))
        for name, frame in tables.items():
            rows[name].append(frame)
    if analysed:  # the group's tables made once, not three DataFrames per recording
        for name, frame in tables_of_many(analysed).items():
            rows[name].append(frame)
    part = uuid.uuid4().hex
    written: Tables = {}
    for name, frames in rows.items():
        frames = [f for f in frames if not f.empty]
        if frames:
            table = pd.concat(frames, ignore_index=True)
            _write_atomic(table, out / "parts" / name / f"{part}.parquet")
            written[name] = table
    marked = [
        {**{k: v for k, v in status.items() if k != "status"}, "part": part}
        for status in statuses
        if status["status"] != "skipped"
    ]
    if marked:
        _write_marker(done / f"{part}.json", {"part": part, "recordings": marked})
    return statuses, part, written


def _write_marker(marker: Path, content: dict[str, Any]) -> None:
    marker.parent.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_name(f".{marker.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(content), encoding="utf-8")
    os.replace(tmp, marker)


def _part_of_each_recording(out_dir: Path) -> dict[str, str]:
    """Recording key -> the part file that holds its rows, from the done markers.

    Only recordings done by this engine (:func:`engine_version`): after the
    code that computes an analysis changed, the rows of earlier runs stay in
    their part files but are not gathered, so the tables never mix the numbers
    of two engines.
    """
    engine = engine_version()
    return {
        key: status["part"]
        for key, status in _done_statuses(_done_dir(out_dir)).items()
        if status.get("engine") == engine
    }


@dataclass
class Gathered:
    """What :func:`gather_tables` wrote: each table's rows, and the parts they came from."""

    rows: dict[str, int]
    parts: set[str]


def gather_tables(
    out_dir: Path,
    fresh: dict[str, tuple[set[str], Tables]] | None = None,
    recordings: set[str] | None = None,
) -> Gathered:
    """Gather the parts into ``<table>.parquet`` and ``<table>.csv``.

    Only rows of a recording's marked part are taken, so a part left by an
    interrupted run never duplicates a recording. ``recordings`` (keys) are the
    recordings of a run's inputs, whose rows alone are gathered; ``None`` gathers
    every recording done in the folder (each file's latest). ``fresh`` holds the parts
    written by this run (part name -> the recordings written to it and its
    tables), taken from memory instead of read back from their files, and
    whole when every one of its recordings is marked with it. The tables are
    written aside, then put in place together: stopped while they are written,
    the folder keeps an earlier run's four tables, not a mixture.
    """
    fresh = fresh or {}
    owner = _part_of_each_recording(out_dir)
    if recordings is not None:
        owner = {key: part for key, part in owner.items() if key in recordings}
    owned: dict[str, set[str]] = {}  # part -> the recordings whose rows it holds
    for key, part in owner.items():
        owned.setdefault(part, set()).add(key)
    whole = {part for part, (keys, _) in fresh.items() if keys <= owned.get(part, set())}
    counts: dict[str, int] = {}
    staged: dict[Path, Path] = {}  # each table's file -> its new content, written aside
    try:
        for name in TABLES:
            frames = []
            for path in sorted((out_dir / "parts" / name).glob("*.parquet")):
                written = fresh[path.stem][1] if path.stem in fresh else {}
                if name in written and path.stem in whole:
                    frames.append(written[name])  # every row is kept
                    continue
                frame = written[name] if name in written else pd.read_parquet(path)
                keep = frame["recording_id"].isin(owned.get(path.stem, set()))
                if keep.any():
                    frames.append(frame[keep.to_numpy()])
            if not frames:
                table = empty_table(TABLE_COLUMNS[name])
            else:
                table = pd.concat(frames, ignore_index=True)
                table = table.sort_values("recording_id", kind="stable", ignore_index=True)
            counts[name] = len(table)
            written_to = {
                out_dir / f"{name}.{kind}": out_dir / f".{name}.{kind}.{uuid.uuid4().hex}.tmp"
                for kind in ("parquet", "csv")
            }
            staged.update(written_to)
            table.to_parquet(written_to[out_dir / f"{name}.parquet"], index=False)
            # no cell runs as a spreadsheet formula
            safe_frame(table).to_csv(written_to[out_dir / f"{name}.csv"], index=False)
        if (requests := stopping.current()) is not None:
            requests.no_more_cuts()  # a stop now comes once the tables are in place
        for target, tmp in staged.items():  # the tables of one run together, or none
            os.replace(tmp, target)
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)  # left only when stopped or failed
    return Gathered(counts, set(owned))


def prune_parts(out_dir: Path, keep: set[str]) -> int:
    """Remove from ``out_dir/parts`` every part not in ``keep`` with its done marker, and
    the files of runs that were killed (parts that no marker names, unfinished
    temporary files); the number of recordings whose results were removed.

    :func:`run_batch` keeps the parts of the tables just written (:class:`Gathered`)
    and those holding a result still current at its path (:func:`_done_index`): what
    goes is the results superseded at their path, by a later content, other options
    or another engine. The results of files not given to a run stay, so a run on
    part of a study, into the same folder, costs the rest no analysis later.

    Only for a process that uses the folder alone (:meth:`SharedUse.alone`): another
    run's parts are written before their marker. Markers go first, so a part removed is
    never marked done; stopped in between, its files are removed next time.
    """
    parts = out_dir / "parts"
    removed = 0
    done = _done_dir(out_dir)
    for marker in sorted(done.iterdir()) if done.is_dir() else []:
        if marker.name.startswith("."):
            if marker.name.endswith(".tmp"):
                marker.unlink(missing_ok=True)
            continue
        if marker.suffix != ".json":
            continue
        content = json.loads(marker.read_text(encoding="utf-8"))
        if content.get("part") not in keep:
            marker.unlink(missing_ok=True)
            removed += len(content.get("recordings", [content]))
    for name in TABLES:
        folder = parts / name
        if not folder.is_dir():
            continue
        for file in folder.iterdir():
            temporary = file.name.startswith(".") and file.name.endswith(".tmp")
            if temporary or (file.suffix == ".parquet" and file.stem not in keep):
                file.unlink(missing_ok=True)
    for staged in out_dir.glob(".*.tmp"):  # tables being written when a run was killed
        staged.unlink(missing_ok=True)
    return removed


def group_items(
    tasks: list[Task], *, max_files: int, max_bytes: int, shares: int = 0, min_files: int = 1
) -> list[list[Task]]:
    """Split items into tasks of at most ``max_files`` files or ``max_bytes`` of input.

    Grouping small recordings keeps the per-task cost of a distributed scheduler
    (tens of milliseconds of the calling process's time per task on a local
    cluster) small beside the analysis itself. With ``shares`` (workers times
    tasks in flight per worker) a group holds at most ``1 / shares`` of the files
    not yet grouped, but no fewer than ``min_files``: groups shrink towards the
    end, so the workers finish together instead of one waiting for another's
    last large group.
    """
    groups: list[list[Task]] = []
    current: list[Task] = []
    size = 0
    limit = max_files
    for k, task in enumerate(tasks):
        item = task[0]
        try:
            item_bytes = item.path.stat().st_size if item.path.is_file() else max_bytes
        except OSError:
            item_bytes = 0
        if current and (len(current) >= limit or size + item_bytes > max_bytes):
            groups.append(current)
            current, size = [], 0
        if not current and shares > 0:
            limit = min(max_files, max(min_files, -(-(len(tasks) - k) // shares)))
        current.append(task)
        size += item_bytes
    if current:
        groups.append(current)
    return groups


ProgressCallback = Callable[[dict[str, Any]], None]
StageCallback = Callable[[str], None]
GroupCallback = Callable[[list[dict[str, Any]], str, Tables], None]

#: Fewest recordings in a task of a batch shared among workers (the last, shrinking
#: groups): a few recordings' analysis outweighs a task's cost to the scheduler.
MIN_FILES_PER_TASK = 4


def run_batch(
    items: list[BatchItem],
    out_dir: str | Path,
    *,
    defaults: AnalysisRequest | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    serial: bool = False,
    on_result: ProgressCallback | None = None,
    on_stage: StageCallback | None = None,
    max_in_flight_per_worker: int = 2,
    files_per_task: int = 64,
    bytes_per_task: int = 32 * 2**20,
    refused_because: Callable[[UnreadableCalibrationError], str] = str,
    store: StoredCalibrations | None = None,
) -> BatchSummary:
    """Analyse every item and gather the tables.

    Parameters
    ----------
    items
        What to analyse (see :func:`collect_inputs`).
    out_dir
        Output folder (created); holds ``parts/`` and the gathered tables.
    defaults
        What is known for items whose manifest row does not say; its stored
        (or explicit) direction calibration applies to every item.
    scheduler
        Address of a running Dask scheduler; ``None`` starts a LocalCluster.
    n_workers
        Local worker processes (default: all cores).
    serial
        Run in this process without Dask (same task function), for debugging
        and as the single-process baseline.
    on_result
        Called with each recording's status dict as it completes (progress display).
    on_stage
        Called with what the batch is doing when that changes, in a few words
        ("Starting 2 local workers", "Connecting to the Dask scheduler at ...",
        "Waiting for a worker to join ...", "Analysing", "Writing the tables").
    max_in_flight_per_worker
        Bound on submitted-but-unfinished tasks, so memory stays flat however
        many files there are: one running and one waiting keep a worker busy
        (a result comes back and the next task is sent in milliseconds, a task
        runs for tenths of a second), and with fewer shares the groups shrink
        later, so there are fewer of them.
    files_per_task, bytes_per_task
        Largest group of recordings one task analyses; groups are made smaller
        when there are few files, so every worker gets work. Each task costs
        15-20 ms of CPU besides its recordings (its tables made and written as
        parts, its marker, Dask's work for it in this process and in the
        worker): 3 % of a task of 64 recordings of 36 s each (0.6 s).
    refused_because
        The reason a recording is refused with, in ``errors``, when the stored
        calibration of the placement it is analysed as worn at cannot be used, from
        that placement's refusal
        (:meth:`~retrowalk.app.calibration.StoredCalibrations.refusal`; default: its
        message). The recordings of other placements are analysed.
    store
        The stored calibrations of ``defaults`` when the caller has read them already
        (:func:`~retrowalk.app.analyse.stored_for`: the command line, to name those that
        cannot be used before it starts), so that the batch works with what it named;
        read here otherwise.
    """
    out = Path(out_dir)
    # a stop asked before the work begins is noted, and stops it as it begins
    with stop_requests() as stop:
        tasks = _tasks(items, defaults or AnalysisRequest(), refused_because, store)
        check_writable(out)
        with SharedUse(out / "parts" / IN_USE) as use:
            return _run_batch(
                items,
                tasks,
                out,
                use,
                stop,
                scheduler=scheduler,
                n_workers=n_workers,
                serial=serial,
                on_result=on_result,
                on_stage=on_stage,
                max_in_flight_per_worker=max_in_flight_per_worker,
                files_per_task=files_per_task,
                bytes_per_task=bytes_per_task,
            )


#: The lock file every run holds while it uses an output folder (:class:`SharedUse`).
IN_USE = ".in-use.lock"


def _run_batch(
    items: list[BatchItem],
    tasks: list[Task],
    out: Path,
    use: SharedUse,
    stop: StopRequests,
    *,
    scheduler: str | None,
    n_workers: int | None,
    serial: bool,
    on_result: ProgressCallback | None,
    on_stage: StageCallback | None,
    max_in_flight_per_worker: int,
    files_per_task: int,
    bytes_per_task: int,
) -> BatchSummary:
    """:func:`run_batch` in an output folder it uses (``use``).

    A stop (``stop``) cuts short the analysis and the gathering of the tables
    (:class:`BatchStopped`), and their tidying (``parts/`` kept as it is). Asked while
    the workers start or close, or the tables are put in place, it is noted and stops
    the batch at the next of those steps; asked once the tables are written, it ends the
    run as a complete one, with ``parts/`` as it is.
    """
    stage = on_stage or _said
    summary = BatchSummary(out_dir=out)
    started = time.perf_counter()

    given: set[str] = set()  # the recordings of these inputs: the tables hold them alone
    finished: set[str] = set()  # sources (_source) done by this run, or found done by it

    def account(status: dict[str, Any]) -> None:
        given.add(status["key"])
        if not _try_again(status):
            finished.add(str(_source_of(status)))
        kind = status["status"]
        if kind == "analysed":
            summary.analysed += 1
            summary.data_hours += float(status.get("duration_s", 0.0)) / 3600.0
        elif kind in _FOUND_DONE and "reason" in status:  # refused by an earlier run
            summary.failed += 1
            summary.failed_before += 1
        elif kind in _FOUND_DONE:
            summary.skipped += 1
            summary.reused += kind == "reused"
        else:
            summary.failed += 1
        if on_result is not None:
            on_result(status)

    def groups(workers: int) -> list[list[Task]]:
        shares = max(workers * max_in_flight_per_worker, 1)
        size = max(1, min(files_per_task, -(-len(tasks) // shares)))
        return group_items(
            tasks,
            max_files=size,
            max_bytes=bytes_per_task,
            shares=shares if workers > 1 else 0,
            min_files=min(size, MIN_FILES_PER_TASK),
        )

    fresh: dict[str, tuple[set[str], Tables]] = {}

    def account_group(statuses: list[dict[str, Any]], part: str, tables: Tables) -> None:
        fresh[part] = ({s["key"] for s in statuses if s["status"] != "skipped"}, tables)
        for status in statuses:
            account(status)

    closed: Callable[[], None] = _nothing  # waits until a local cluster has closed
    try:
        stop.check()  # asked before the work began
        if serial:
            stage("Analysing")
            with stop.cut_short():
                for group in groups(1):
                    account_group(*_analyse_group(group, str(out)))
        else:
            closed = _run_on_dask(
                groups,
                str(out),
                scheduler,
                n_workers,
                account_group,
                max_in_flight_per_worker,
                stage,
                stop,
            )
        stop.check()  # asked once the last group was done, as the workers began to close
        stage("Writing the tables")
        with stop.cut_short():  # until the tables are put in place, together
            gathered = gather_tables(out, fresh, given)  # while a local cluster closes
    except KeyboardInterrupt as interrupt:  # the tables are not written
        stop.stopping()  # a signal from now on stops at once
        running = interrupt.running if isinstance(interrupt, StoppedOnCluster) else 0
        closed()
        kept = _kept(out, tasks, finished)
        stop.finished()
        raise BatchStopped(kept, len(items), running) from None
    finally:
        closed()
    # parts/ keeps the results of the tables just written and every result still
    # current at its path (a file not given to this run keeps its results): removed
    # once every recording is done and the tables written, by a run alone in the folder
    if stop.asked:  # while the tables were put in place, or the workers closed
        stop.finished()
        summary.pruned = None
        summary.kept_because = "stopped before it was tidied (a later run does it)"
    elif use.alone():
        try:
            with stop.cut_short():
                current = {
                    s["part"] for s in _done_statuses(_done_dir(out)).values() if "part" in s
                }
                summary.pruned = prune_parts(out, gathered.parts | current)
        except KeyboardInterrupt:  # the run is done and its tables written
            summary.pruned = None
            summary.kept_because = "stopped while it was tidied (a later run goes on)"
    else:
        summary.pruned = None
        summary.kept_because = (
            "another batch is using the folder (a later run removes what is superseded)"
            if use.locks
            else "its file system has no file locks, so another batch could be using it"
        )
    stop.finished()
    summary.seconds = time.perf_counter() - started
    return summary


class BatchStopped(KeyboardInterrupt):
    """A batch was interrupted (Ctrl-C, or SIGTERM made one): no work is sent any more,
    the work waiting is cancelled, and local workers are stopped.

    ``done`` of the ``total`` recordings are marked done in the output folder (by
    this run or an earlier one: analysed, or refused); the same batch run again
    goes on from there. ``running`` recordings were being analysed by the workers of a
    Dask cluster of its own (``--scheduler``): a task running there cannot be stopped,
    so they may be done too, later (``None``: the workers did not say how many; 0 on
    this machine, whose workers stop).
    """

    def __init__(self, done: int, total: int, running: int | None = 0) -> None:
        super().__init__(done, total, running)
        self.done = done
        self.total = total
        self.running = running


def _kept(out_dir: Path, tasks: list[Task], finished: set[str]) -> int:
    """How many recordings of ``tasks`` are done in ``out_dir``: the same batch run again
    would not analyse them again.

    Those whose sources (:func:`_source`) are in ``finished`` were analysed, refused
    or found done by this run. Of the others, a recording is done when its file's
    latest done marker is of the same options (the same calibration of its placement,
    :func:`_still`) and engine, is not a failure that is
    tried again
    (:func:`_try_again`), and the file has not changed since it was read (its
    :func:`~retrowalk.app.jobs.inputs.file_stamp`: size and modification time, so no
    file is read here): a file only touched since (its content the same) counts as not
    done until the run reaches it. A marker written by an earlier version has no
    stamp; its file counts as unchanged.
    """
    latest = {_source_of(s): s for s in _done_statuses(_done_dir(out_dir)).values()}
    engine = engine_version()
    digests: dict[int, _Digests] = {}
    earlier = _Parts(out_dir)
    kept = 0
    for item, options in tasks:
        if _source(item) in finished:
            kept += 1
            continue
        status = latest.get(_source(item))
        if status is None or status.get("engine") != engine or _try_again(status):
            continue
        digest = digests.get(id(options))
        if digest is None:
            digest = digests[id(options)] = _digests(options)
        if not _still(status, digest, earlier):
            continue  # done with other options, or another calibration of its placement
        if "stamp" in status:
            try:
                if file_stamp(item.path) != status["stamp"]:
                    continue  # changed since: its new content is not done
            except OSError:  # gone since
                continue
        kept += 1
    return kept


def _tasks(
    items: list[BatchItem],
    defaults: AnalysisRequest,
    refused_because: Callable[[UnreadableCalibrationError], str] = str,
    store: StoredCalibrations | None = None,
) -> list[Task]:
    """Each item with its options; the stored calibration profiles are read once (unless
    given, ``store``), and the placements whose stored calibration cannot be used are
    refused with ``refused_because`` of their refusal (:func:`run_batch`)."""
    if store is None:
        store = stored_for(defaults)
    stored: dict[str, DirectionProfile] | None = None
    refused: tuple[tuple[str, str], ...] = ()
    if store is not None:
        stored = store.found
        refused = tuple((p, refused_because(e)) for p, e in store.refusals().items())
    tasks: list[Task] = []
    built: dict[AnalysisRequest, TaskOptions] = {}
    for item in items:
        request = item.request(defaults)
        try:  # equal requests share one options object (pickled once per task)
            options = built.get(request)
            if options is None:
                options = built[request] = _task_options(request, stored, refused)
        except TypeError:  # a request that cannot be hashed
            options = _task_options(request, stored, refused)
        tasks.append((item, options))
    return tasks


def _task_options(
    request: AnalysisRequest,
    stored: dict[str, DirectionProfile] | None,
    refused: tuple[tuple[str, str], ...] = (),
) -> TaskOptions:
    """The options of a recording of ``request``: the analysis options, the units and
    the placements refused (:attr:`TaskOptions.refused`)."""
    options = build_options(request, stored=stored)
    return TaskOptions(options, request.acc_unit, request.gyro_unit, refused)


#: What :func:`local_cluster` changes in Dask's configuration.
_LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",  # a warning only, after 3 s unresponsive
    "distributed.worker.memory.monitor-interval": "500ms",
}


def local_cluster(n_workers: int | None = None) -> LocalCluster:
    """The local Dask cluster of a batch: one single-threaded worker process per core.

    Each worker imports this module as it starts (its imports take about a
    second), so the workers are ready for a task when the cluster is, instead of
    each paying the imports inside its first task. The workers' statistical
    profiler, which feeds only the dashboard (there is none), is off: sampling
    the task thread's stack every 10 ms cost a few per cent of a batch of short
    recordings. The scheduler, the nannies (both in this process) and the
    workers check their event loop's health every 500 ms instead of 20 ms and
    their workers' memory every 500 ms instead of 100 ms: on an idle cluster of
    two workers that took 45 ms of CPU a second, cores the workers need. The
    workers' C allocator keeps its own threshold for giving freed memory back
    (as in a single process), not Dask's ``MALLOC_TRIM_THRESHOLD_`` of 64 KiB:
    that fixed threshold also fixes the one above which arrays are mapped anew,
    so every array of the analysis above 128 KiB cost fresh page faults. The
    workers log errors only.
    """
    import dask
    from dask.distributed import LocalCluster

    environ = dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {}
    config = {
        **_LOCAL_CLUSTER_CONFIG,
        "distributed.nanny.pre-spawn-environ": {
            k: v for k, v in environ.items() if k != "MALLOC_TRIM_THRESHOLD_"
        },
    }
    n_workers = n_workers or os.cpu_count() or 1
    # the nannies hand the configuration of the moment to every worker they start
    with dask.config.set(config):
        cluster = LocalCluster(
            n_workers=0,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            preload=[__name__],
            # the workers' warnings (a task cancelled when a batch is stopped) are
            # Dask's bookkeeping, not the user's business; errors still show
            silence_logs=logging.ERROR,
        )
        try:
            _start_workers(cluster, n_workers)
        except BaseException:
            cluster.close()
            raise
    return cluster


def _start_workers(cluster: LocalCluster, n_workers: int) -> None:
    """Start the ``n_workers`` worker processes of ``cluster`` and wait until they are up.

    Ctrl-C at a terminal reaches every process of the command, also workers still
    importing their modules, which died of it (a traceback each, and the cluster's start
    failed) before they could leave it to the batch (:func:`dask_setup`). So they are
    started with Ctrl-C ignored, which a process keeps from its start: ignored in this
    process too for the few milliseconds until they are started (in the main thread
    only, where signals are handled), not while they import (a second or two).
    """
    import multiprocessing

    before = {id(p) for p in multiprocessing.active_children()}
    handler = None
    if threading.current_thread() is threading.main_thread():
        handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        cluster.scale(n_workers)
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:
            started = [p for p in multiprocessing.active_children() if id(p) not in before]
            if len(started) >= n_workers:
                break
            time.sleep(0.005)
    finally:
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
    cluster.wait_for_workers(n_workers)


def dask_setup(worker: object) -> None:
    """Dask's hook in each worker process of :func:`local_cluster` (which preloads this
    module): Ctrl-C is left to the batch, which stops its workers itself
    (:class:`BatchStopped`, :func:`~retrowalk.app.jobs.locks.ignore_ctrl_c`), and a
    heartbeat lost as the cluster closes is not logged (:class:`HeartbeatAtClose`)."""
    ignore_ctrl_c()
    logging.getLogger("distributed.worker").addFilter(HeartbeatAtClose())


class HeartbeatAtClose(logging.Filter):
    """Leaves out a local worker's "Failed to communicate with scheduler during heartbeat"
    error, with its traceback.

    A local cluster's scheduler lives in the batch's own process, and closes last as
    the batch ends. On a busy machine a worker's heartbeat can still be on its way
    then (the nanny waits a few seconds for its worker to close, then goes on), and
    Dask logs that as an error with a traceback, at the end of a batch that went
    well: once in a sweep of Ctrl-C as a batch closed, under the load of other work.
    While the batch runs, the same would mean its own process had gone, which it
    says itself. Every other error of the workers still shows.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_HEARTBEAT_LOST)


#: How Dask's worker begins the error of a heartbeat the scheduler did not answer.
_HEARTBEAT_LOST = "Failed to communicate with scheduler during heartbeat"


def _nothing() -> None:
    return None


def _said(stage: str) -> None:
    return None


def _run_on_dask(
    make_groups: Callable[[int], list[list[Task]]],
    out: str,
    scheduler: str | None,
    n_workers: int | None,
    account: GroupCallback,
    max_in_flight_per_worker: int,
    stage: StageCallback,
    stop: StopRequests,
) -> Callable[[], None]:
    """Run every group on Dask; returns what waits until a local cluster has closed.

    Once every group is done, a local cluster closes in a thread of its own (its
    workers stop and exit: 0.1-0.3 s, mostly waiting) while the caller gathers
    the tables; after a failure it is closed before this returns. A stop (``stop``)
    cuts short the connection to a scheduler and the work (:class:`StoppedOnCluster`),
    not a local cluster's start (one half started was left running and closed at exit,
    with a traceback) nor its close: asked meanwhile, it stops the batch once the
    cluster has started, or is the caller's to take once every group is done.
    """
    from dask.distributed import Client

    scheduler = scheduler or os.environ.get("RETROWALK_DASK_SCHEDULER") or None
    cluster: LocalCluster | None = None
    client: Client | None = None
    sent: dict[str, tuple[Future, int]] = {}  # sent, not done yet: each with its recordings
    try:
        if scheduler is None:
            n_workers = n_workers or os.cpu_count() or 1
            stage(f"Starting {n_workers} local worker{'s' if n_workers > 1 else ''}")
            cluster = local_cluster(n_workers)
            client = Client(cluster)
        else:
            stage(f"Connecting to the Dask scheduler at {scheduler}")
            with stop.cut_short():
                client = _connect(scheduler)
        with stop.cut_short():
            in_flight = max_in_flight_per_worker
            own = cluster is not None
            _send_all(
                client, own, scheduler, make_groups, out, account, sent, stage, in_flight, stop
            )
    except KeyboardInterrupt:
        # Stopped: no work is sent any more and the work waiting is cancelled; a local
        # cluster's workers stop with it, a cluster's own go on with what they run.
        stop.stopping()  # a signal from now on stops at once
        running = 0 if cluster is not None or client is None else _cancel(client, sent)
        _close(client, cluster)
        raise StoppedOnCluster(running) from None
    except BaseException:
        _close(client, cluster)
        raise
    client.close()  # a stop asked from here on is the caller's (StopRequests.check)
    if cluster is None:
        return _nothing
    closing = threading.Thread(target=cluster.close, name="retrowalk-close-cluster")
    closing.start()
    return closing.join


def _close(client: Client | None, cluster: LocalCluster | None) -> None:
    """Close the client and the local cluster of a batch that did not finish."""
    if client is not None:
        client.close()
    if cluster is not None:
        cluster.close()


def _send_all(
    client: Client,
    own: bool,
    scheduler: str | None,
    make_groups: Callable[[int], list[list[Task]]],
    out: str,
    account: GroupCallback,
    sent: dict[str, tuple[Future, int]],
    stage: StageCallback,
    max_in_flight_per_worker: int,
    stop: StopRequests,
) -> None:
    """Send every group to the workers of ``client`` (of a local cluster: ``own``) and
    account for each as it comes back; ``sent`` holds those not back yet.

    A stop (``stop``) is raised while the results are waited for, and held through the
    client's blocking calls (:meth:`StopRequests.held`), such as taking a result once its
    work is done. (Results taken by Dask's loop, ``as_completed(with_results=True)``, are
    no way round: one being taken as a local cluster closed made Dask log a traceback.)"""
    from dask.distributed import as_completed

    def workers_now() -> int:
        with stop.held():
            return len(client.scheduler_info().get("workers", {}))

    if not workers_now():  # workers may join later
        stage(f"Waiting for a worker to join the Dask scheduler at {scheduler}")
        while not workers_now():
            with stop.held(), contextlib.suppress(TimeoutError):
                client.wait_for_workers(1, timeout=1)
    if not own:
        try:
            with stop.held():
                versions = client.run(_code_version)
        except Exception as exc:  # a worker that cannot import retrowalk
            raise ClusterError(
                f"a Dask worker of the scheduler at {scheduler} cannot run retrowalk "
                f"({' '.join(str(exc).split())}): install the same retrowalk on every "
                "worker"
            ) from None
        _same_engine(versions, _code_version(), scheduler)
    stage("Analysing")
    workers = max(workers_now(), 1)
    window = max(workers * max_in_flight_per_worker, 1)
    queue = iter(make_groups(workers))

    def send(group: list[Task]) -> Future:
        future = client.submit(_analyse_group, group, out, pure=False)
        sent[str(future.key)] = (future, len(group))
        return future

    pending = as_completed([send(group) for group in _take(queue, window)])
    for future in pending:  # a stop raises while the next is waited for
        with stop.held():
            statuses, part, tables = future.result()
        del sent[str(future.key)]
        if not own:  # a worker that joined since
            for engine in {s["engine"] for s in statuses if "engine" in s}:
                _same_engine({"": engine}, engine_version(), scheduler)
        account(statuses, part, tables)
        future.release()
        for group in _take(queue, 1):
            pending.add(send(group))


class StoppedOnCluster(KeyboardInterrupt):
    """A batch on a Dask cluster was stopped; ``running`` recordings were being analysed
    by the cluster's own workers then, which cannot be stopped from here and may finish
    (``None``: the workers did not say)."""

    def __init__(self, running: int | None) -> None:
        super().__init__(running)
        self.running = running


def _cancel(client: Client, sent: dict[str, tuple[Future, int]]) -> int | None:
    """Cancel the work sent and not done (what no worker runs yet is dropped); how many
    recordings the workers go on analysing: their running tasks cannot be interrupted
    and write their results (``None`` when the workers do not say)."""
    futures = [future for future, _ in sent.values()]
    try:
        if futures:
            client.cancel(futures, reason="the batch was stopped")
        running = client.run(_running_keys, on_error="return")
    except Exception:  # the scheduler or its workers gone meanwhile
        return None
    keys: set[str] = set()
    for said in running.values():
        if not isinstance(said, list):
            return None
        keys.update(said)
    return sum(n for key, (_, n) in sent.items() if key in keys)


def _running_keys(dask_worker: Any) -> list[str]:
    """On a Dask worker: the keys of the tasks it is running (also those cancelled while
    running: a running task cannot be interrupted, and it finishes)."""
    running = ("executing", "long-running")
    return [
        str(key)
        for key, task in dask_worker.state.tasks.items()
        if task.state in running or (task.state == "cancelled" and task.previous in running)
    ]


def _connect(scheduler: str) -> Client:
    """A client of the Dask scheduler at ``scheduler``, or :class:`ClusterError` saying
    why there is none (a malformed address; none answering there within Dask's connect
    timeout, ``distributed.comm.timeouts.connect``: 30 s unless configured)."""
    from dask.distributed import Client

    try:
        return Client(scheduler)
    except (ValueError, TypeError) as exc:
        raise ClusterError(
            f"Dask scheduler address {scheduler!r}: {exc} (give tcp://host:port)"
        ) from None
    except OSError as exc:
        raise ClusterError(
            f"no Dask scheduler answers at {scheduler} ({exc}); start one with "
            "`dask scheduler` and its workers with `dask worker ADDRESS`, or leave out "
            "--scheduler (and RETROWALK_DASK_SCHEDULER) to run on this machine"
        ) from None


@cache
def _code_version() -> str:
    """:func:`engine_version` and a digest of the batch's own code (this module and
    :mod:`~retrowalk.app.jobs.inputs`, which key the recordings and write their parts):
    what every worker must run as the calling process does."""
    from retrowalk.app.jobs import inputs

    digest = hashlib.sha256()
    for module in (__file__, inputs.__file__):
        digest.update(Path(module).read_bytes())
    return f"{engine_version()} (batch code {digest.hexdigest()[:10]})"


def _same_engine(engines: dict[str, str], here: str, scheduler: str | None) -> None:
    """:class:`ClusterError` unless every worker of ``engines`` (its address, or "" when
    unknown -> the :func:`_code_version` it runs, or the :func:`engine_version` of its
    results) runs ``here``, this process's: rows of another engine are never gathered
    into this run's tables (:func:`_part_of_each_recording`), so its recordings would be
    counted analysed and be missing from them, and other batch code keys them otherwise."""
    other = {worker: engine for worker, engine in engines.items() if engine != here}
    if other:
        worker, engine = next(iter(other.items()))
        who = f"the Dask worker {worker}" if worker else "a Dask worker"
        raise ClusterError(
            f"{who} of the scheduler at {scheduler} runs retrowalk {engine}, this command "
            f"{here}: install the same retrowalk on every worker (results of two versions "
            "of the engine are not mixed)"
        )


def _take(iterator: Iterator[list[Task]], n: int) -> list[list[Task]]:
    taken = []
    for _ in range(n):
        try:
            taken.append(next(iterator))
        except StopIteration:
            break
    return taken

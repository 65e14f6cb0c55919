"""Batch throughput: single process vs local parallel vs a 2-worker LocalCluster.

Builds N recordings (default 2,000, about 20 hours of data) from the real
recordings found by ``tests/realdata.py`` — consecutive slices of the ipol-gait lower-back
trials and the mobgap-lab recordings, written as CSV files — then analyses them
with ``retrowalk.app.jobs.batch.run_batch`` in three ways and prints recordings per
second, hours of data per second, scaling efficiency and peak memory per worker
(and of the calling process).
It also times the engine on one long recording, so the per-file overhead of
batch work can be read off, the placement detection every corpus file needs
(CSV files state no placement), and only hashing and only parsing the same
files (pandas' C parser and pyarrow's CSV reader on one thread), the floor of
any batch that reads text files. The local clusters are the one
``retrowalk batch`` starts (``local_cluster``); their start is not timed.

Every measurement runs with one BLAS thread, as Dask starts its workers
(``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` = 1, set
before numpy is imported, as ``benchmarks/throughput.py`` measures the
engine): with OpenBLAS's second thread the engine's hour was up to 2.5x
slower on a loaded machine, so the reference moved with the load. It also
times the engine on the corpus's own recordings, read beforehand, to split
the batch's gap into the engine's cost per call and the rest (reading,
hashing, tables). Those rates are taken minutes apart, while this machine's
speed moves by 10-20 % within minutes; so the batch and the engine on the same
recordings are also timed in turns in one process, and that ratio's median
over the rounds is the one to read. For the same reason the 1- and 2-worker
clusters are also run in turns over a few rounds, and the median of their
ratio is the scaling to read.

    python benchmarks/batch.py            # 2,000 recordings
    python benchmarks/batch.py --n 300    # quicker
"""

from __future__ import annotations

import os

# one BLAS thread, as Dask's workers have (set before numpy is imported)
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import hashlib
import multiprocessing
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import ipol_trial_ids, load_ipol_trial, load_mobgap, mobgap_names
from _memory import peak_mb, reset_peak
from retrowalk.app.analyse import AnalysisRequest, build_options
from retrowalk.app.jobs.batch import collect_inputs, local_cluster, run_batch
from retrowalk.core.recording import Recording
from retrowalk.gait.placement import resolve_placement
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze


def _sources() -> list[Recording]:
    recordings = [load_ipol_trial(t, "lb")[0] for t in ipol_trial_ids()]
    recordings += [load_mobgap(n)[0] for n in mobgap_names()]
    if not recordings:
        sys.exit("no real recordings found (see tests/realdata.py)")
    return recordings


def _write_csv(rec: Recording, path: Path) -> None:
    t = np.arange(rec.n_samples) / rec.sampling_rate_hz
    gyro = rec.gyro_rads if rec.gyro_rads is not None else np.zeros_like(rec.acc_mps2)
    frame = pd.DataFrame(
        np.column_stack([t, rec.acc_mps2, gyro]),
        columns=["time_s", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"],
    )
    frame.to_csv(path, index=False, float_format="%.6f")


def _tiled(sources: list[Recording], min_samples: int) -> Recording:
    """The real recordings one after another, repeated until long enough."""
    acc: list[np.ndarray] = []
    gyro: list[np.ndarray] = []
    total = 0
    while total < min_samples:
        for rec in sources:
            acc.append(rec.acc_mps2)
            gyro.append(rec.gyro_rads if rec.gyro_rads is not None else np.zeros_like(rec.acc_mps2))
            total += rec.n_samples
    return Recording(np.concatenate(acc), np.concatenate(gyro), 100.0, placement="lower_back")


def build_corpus(folder: Path, n: int, seconds: float) -> float:
    """Write ``n`` consecutive slices of about ``seconds`` each; returns hours written.

    The slices are cut from the real recordings played one after another, so
    every file holds real walking, standing and turning, and file lengths vary
    by +/-20 %.
    """
    rng = np.random.default_rng(0)
    lengths = rng.uniform(0.8, 1.2, n) * seconds
    long = _tiled(_sources(), int(lengths.sum() * 100) + 1)
    folder.mkdir(parents=True, exist_ok=True)
    start = 0.0
    for i, length in enumerate(lengths):
        _write_csv(long.slice_s(start, start + length), folder / f"rec{i:05d}.csv")
        start += length
    return float(lengths.sum()) / 3600.0


def _engine_hours_per_s() -> tuple[float, float]:
    """Engine throughput on one long recording (1 h tiled from real trials, worn at the
    lower back): hours of data per second of wall-clock time and per second of CPU time.
    """
    long = _tiled(_sources(), 360_000)
    options = AnalysisOptions(placement="lower_back")
    analyze(long, options)
    wall, cpu = float("inf"), float("inf")
    for _ in range(3):  # the best of three: one run is short beside other work's bursts
        start, cpu_start = time.perf_counter(), time.process_time()
        analyze(long, options)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - cpu_start)
    hours = long.duration_s / 3600.0
    return hours / wall, hours / cpu


def _corpus_hours_per_s(corpus: Path, max_files: int = 300) -> dict[str, tuple[float, float]]:
    """Hours of data per wall-clock and per CPU second, on (at most ``max_files`` of)
    the corpus files as the batch reads them, read beforehand: of the placement
    detection alone (``"detection"``) and of the whole engine, ``analyze()`` with
    the batch's options, detection included (``"analyze"``); best of two passes.

    CSV files state no placement, so the engine detects one for every file. The
    tiled hour cannot stand in for them: its recordings are joined end to end, so
    the sensor turns where one ends and the next begins, and the hour is (rightly)
    not taken for a lower back. The engine on the corpus's recordings is the
    engine's rate with its cost per call: what a batch of these files would reach
    if reading, hashing and writing tables cost nothing.
    """
    recordings = [read_recording(f) for f in sorted(corpus.glob("*.csv"))[:max_files]]
    hours = sum(r.duration_s for r in recordings) / 3600.0
    options = build_options(AnalysisRequest())
    work: dict[str, Callable[[Recording], object]] = {
        "detection": lambda r: resolve_placement(r, "auto"),
        "analyze": lambda r: analyze(r, options),
    }
    rates = {}
    for name, one in work.items():
        wall, cpu = _best_of_two(one, recordings)
        rates[name] = (hours / wall, hours / cpu)
    return rates


def _best_of_two(one: Callable[[Any], object], items: list[Any]) -> tuple[float, float]:
    """The shorter wall-clock and the shorter CPU time of two passes of ``one`` over ``items``."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(2):
        start, cpu_start = time.perf_counter(), time.process_time()
        for item in items:
            one(item)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - cpu_start)
    return wall, cpu


def _parse_floor(corpus: Path, hours: float) -> list[tuple[str, float, float]]:
    """Hours of data per second of only hashing, or only parsing, the corpus files
    (``(name, per wall-clock second, per CPU second)``, best of two passes).

    Each reader parses every file into float64 columns in this process, on one
    thread (the batch's single process has one): pandas' C parser (what
    retrowalk uses) and, when installed, pyarrow's CSV reader. The fastest one
    is the floor of what any batch that reads text could reach.
    """
    files = sorted(corpus.glob("*.csv"))
    readers: list[tuple[str, Callable[[Path], object]]] = [
        ("sha256 of the bytes", lambda f: hashlib.sha256(f.read_bytes()).digest()),
        ("pandas read_csv (C)", lambda f: pd.read_csv(f, dtype=np.float64)),
    ]
    try:
        import pyarrow.csv as pacsv

        one_thread = pacsv.ReadOptions(use_threads=False)
        readers.append(
            ("pyarrow.csv, 1 thread", lambda f: pacsv.read_csv(f, read_options=one_thread))
        )
    except ImportError:
        pass
    rates = []
    for name, read in readers:
        best, best_cpu = _best_of_two(read, files)
        rates.append((name, hours / best, hours / best_cpu))
    return rates


def _single(items: list[Any], out: Path) -> tuple[float, float, float, float]:
    """Recordings/s, hours of data/s, peak MB and hours of data per CPU second of
    ``run_batch`` in this process, without Dask, after a few files analysed
    untimed (what the first file loads is not counted, as in this process before)."""
    warm = out.with_name(f"{out.name}-warm")
    run_batch(items[:8], warm, serial=True)
    shutil.rmtree(warm, ignore_errors=True)
    reset_peak()
    cpu = time.process_time()
    summary = run_batch(items, out, serial=True)
    cpu_s = time.process_time() - cpu
    return (
        summary.total / summary.seconds,
        summary.data_hours / summary.seconds,
        peak_mb(),
        summary.data_hours / cpu_s,
    )


#: Rounds of :func:`_same_recordings`.
SAME_ROUNDS = 4


def _same_recordings(items: list[Any], out: Path, rounds: int) -> list[float]:
    """The batch's rate over the engine's on the same recordings, per round: in one
    process, ``run_batch`` (serial, into a fresh folder) over every corpus file and
    ``analyze()`` over the same recordings read beforehand, in turns (in order on
    even rounds, reversed on odd ones), CPU time of each, after a few files of
    each untimed. Timed in turns because this machine's speed moves by 10-20 %
    within minutes, so rates taken minutes apart (the table's) do not compare
    within a few per cent.
    """
    recordings = [read_recording(item.path) for item in items]
    options = build_options(AnalysisRequest())

    def batch(r: int) -> float:
        target = out.with_name(f"{out.name}-same-{r}")
        cpu = time.process_time()
        run_batch(items, target, serial=True)
        spent = time.process_time() - cpu
        shutil.rmtree(target, ignore_errors=True)
        return spent

    def engine(_: int) -> float:
        cpu = time.process_time()
        for recording in recordings:
            analyze(recording, options)
        return time.process_time() - cpu

    warm = out.with_name(f"{out.name}-same-warm")
    run_batch(items[:8], warm, serial=True)
    shutil.rmtree(warm, ignore_errors=True)
    for recording in recordings[:8]:
        analyze(recording, options)
    ratios = []
    for r in range(rounds):
        if r % 2 == 0:
            batch_s, engine_s = batch(r), engine(r)
        else:
            engine_s, batch_s = engine(r), batch(r)
        ratios.append(engine_s / batch_s)
    return ratios


def _run(mode: str, corpus: Path, out: Path) -> tuple[float, float, float, float, float]:
    """Recordings/s, hours of data/s, peak MB per worker and of the calling
    process during the run, and hours of data per CPU second: of the single
    process, or of this process and a cluster's workers (this process holds the
    client and the scheduler; the workers' nannies are left out).
    """
    items = collect_inputs([corpus])
    shutil.rmtree(out, ignore_errors=True)
    reset_peak()
    if mode == "single process":
        # in a process of its own, started as a cluster's worker is (this module,
        # and so retrowalk, imported), so that its peak memory is the batch's
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            rate, hours_per_s, peak, cpu_rate = pool.submit(_single, items, out).result()
        return rate, hours_per_s, peak, peak, cpu_rate
    from dask.distributed import Client

    workers = 1 if mode == "LocalCluster 1 worker" else 2
    # the cluster ``retrowalk batch`` starts (workers ready with retrowalk
    # imported); its start is not timed
    with local_cluster(workers) as lc, Client(lc) as client:
        client.run(reset_peak)
        reset_peak()
        before, cpu = client.run(time.process_time), time.process_time()
        summary = run_batch(items, out, scheduler=lc.scheduler_address)
        after, cpu_s = client.run(time.process_time), time.process_time() - cpu
        cpu_s += sum(after[w] - before[w] for w in after)
        peak = max(client.run(peak_mb).values())
    return (
        summary.total / summary.seconds,
        summary.data_hours / summary.seconds,
        peak,
        peak_mb(),
        summary.data_hours / cpu_s,
    )


#: Rounds of :func:`_scaling_in_turns`.
SCALING_ROUNDS = 4


def _scaling_in_turns(corpus: Path, out: Path, rounds: int) -> list[float]:
    """The 2-worker cluster's rate over the 1-worker cluster's, per round: the two
    run in turns (1 then 2 workers on even rounds, 2 then 1 on odd ones), each on
    every corpus file into a fresh folder with a freshly started cluster (its start
    not timed), as :func:`_run` times them. One run of each, minutes apart (the
    table's), moves with this machine's speed: four runs of the 1-worker cluster on
    the same 2,000 files in one quarter of an hour took 17.0-18.5 s, of the
    2-worker one 9.0-9.8 s, so one pair's ratio alone could read 1.7x or 2.1x.
    """
    ratios = []
    for r in range(rounds):
        order = ("LocalCluster 1 worker", "LocalCluster 2 workers")
        turn = order if r % 2 == 0 else order[::-1]
        rates = {mode: _run(mode, corpus, out)[0] for mode in turn}
        ratios.append(rates[order[1]] / rates[order[0]])
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="number of recordings")
    parser.add_argument("--seconds", type=float, default=36.0, help="mean recording length")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="retrowalk-batch-") as tmp:
        corpus = Path(tmp) / "corpus"
        hours = build_corpus(corpus, args.n, args.seconds)
        print(f"corpus: {args.n} recordings, {hours:.1f} h of data, {os.cpu_count()} cores")
        engine, engine_cpu = _engine_hours_per_s()
        per_file = _corpus_hours_per_s(corpus)
        detecting, detecting_cpu = per_file["detection"]
        engine_files, engine_files_cpu = per_file["analyze"]
        engine_detecting = 1.0 / (1.0 / engine + 1.0 / detecting)
        engine_detecting_cpu = 1.0 / (1.0 / engine_cpu + 1.0 / detecting_cpu)
        floor = _parse_floor(corpus, hours)
        rows = []
        for mode in ("single process", "LocalCluster 1 worker", "LocalCluster 2 workers"):
            rows.append((mode, *_run(mode, corpus, Path(tmp) / "out")))
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            items = collect_inputs([corpus])
            same = pool.submit(_same_recordings, items, Path(tmp) / "out", SAME_ROUNDS).result()
        scaling = _scaling_in_turns(corpus, Path(tmp) / "out", SCALING_ROUNDS)
        single_cpu = rows[0][5]
        base = rows[1][1]
        print(
            f"{'mode':<24}{'rec/s':>9}{'h data/s':>10}{'speed-up':>10}{'peak MB/worker':>16}"
            f"{'caller MB':>11}{'h per CPU-s':>13}"
        )
        for mode, rate, hours_per_s, peak, caller, cpu_rate in rows:
            print(
                f"{mode:<24}{rate:>9.1f}{hours_per_s:>10.2f}{rate / base:>9.2f}x{peak:>16.0f}"
                f"{caller:>11.0f}{cpu_rate:>13.2f}"
            )
        print(
            "  (peak resident memory during each run, imports included: of each worker and of "
            "the calling process, which also holds the client and a local cluster's scheduler)"
        )
        two = rows[2][1] / base
        print(
            f"scaling 1 -> 2 workers, the runs above: {two:.2f}x, efficiency {two / 2:.0%}; "
            f"CPU per hour of data {1 / rows[1][5]:.2f} -> {1 / rows[2][5]:.2f} s"
        )
        in_turns = float(np.median(scaling))
        print(
            f"scaling 1 -> 2 workers in turns ({len(scaling)} rounds of both on all {args.n} "
            f"files): median {in_turns:.2f}x (rounds {min(scaling):.2f}-{max(scaling):.2f}x, "
            f"target >= 1.8x), efficiency {in_turns / 2:.0%}"
        )
        single = rows[0][2]
        print(
            f"engine analyze() on one 1-hour recording: {engine:.2f} h data/s; batch in one "
            f"process (read, analyse, tables): {single:.2f} h/s = {single / engine:.2f}x the "
            "engine (target >= 0.7x)"
        )
        for name, rate, cpu_rate in floor:
            print(f"only {name}: {rate:.2f} h data/s ({cpu_rate:.2f} h per CPU-s)")
        for clock, batch, eng, eng_detecting, eng_files, col in (
            ("wall-clock", single, engine, engine_detecting, engine_files, 1),
            ("CPU time", single_cpu, engine_cpu, engine_detecting_cpu, engine_files_cpu, 2),
        ):
            hashing = float(floor[0][col])
            parse = max(float(row[col]) for row in floor[1:])
            bound = 1.0 / (1.0 / eng + 1.0 / parse + 1.0 / hashing)
            gap = 1.0 / batch - 1.0 / eng
            print(
                f"{clock}: batch {batch:.2f} h/s = {batch / eng:.2f}x the engine "
                f"({eng:.2f}), {batch / eng_detecting:.2f}x the engine with each file's "
                f"placement detection ({eng_detecting:.2f}); floor engine + fastest parse + hash = "
                f"{bound / eng:.2f}x the engine; of the batch's gap to the engine, parsing "
                f"text is {(1.0 / parse) / gap:.0%}, hashing {(1.0 / hashing) / gap:.0%}"
            )
            ms = 1e3 * hours / args.n  # ms per file at 1 h of data per second
            print(
                f"  per file: batch {ms / batch:.2f} ms, the engine on the corpus's recordings "
                f"(read beforehand, detection included) {ms / eng_files:.2f} ms = "
                f"{eng_files / eng:.2f}x the engine (the batch {batch / eng_files:.2f}x the "
                f"engine on the same recordings), at the hour's rate {ms / eng:.2f} ms; of "
                f"the gap, the engine's cost per call {(1 / eng_files - 1 / eng) / gap:.0%}, "
                f"reading, hashing and tables {(1 / batch - 1 / eng_files) / gap:.0%}"
            )
        print(
            f"batch against the engine on the same recordings, in turns in one process "
            f"({len(same)} rounds of all {args.n} files, CPU time): median "
            f"{float(np.median(same)):.2f}x (rounds {min(same):.2f}-{max(same):.2f}x; "
            "target >= 0.7x read this way)"
        )


if __name__ == "__main__":
    main()

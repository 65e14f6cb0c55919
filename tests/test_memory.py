"""File-backed sample arrays of long recordings (``retrowalk.dsp.memory``) and their use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrowalk.core.recording import Recording
from retrowalk.dsp import memory
from retrowalk.io import chunked, longarrays, read_recording, table
from retrowalk.pipeline import AnalysisOptions, analyze, trunk


def _rss_file_kib() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("RssFile:"):
                return int(line.split()[1])
    return 0


def test_file_backed_array_holds_values_and_releases_pages() -> None:
    x = memory.empty_samples((1 << 20, 3), file_backed=True)  # 24 MiB
    assert memory.is_file_backed(x) and memory.is_file_backed(x[10:20])
    x[:] = np.arange(x.size, dtype=np.float64).reshape(x.shape)
    before = _rss_file_kib()
    memory.release(x)
    after = _rss_file_kib()
    assert before - after > 20 * 1024  # the written pages left resident memory
    assert x[12345, 1] == 12345 * 3 + 1  # ... and come back from the file
    assert float(x.sum()) == float(np.arange(x.size, dtype=np.float64).sum())


def test_a_file_read_through_in_chunks_leaves_no_pages_resident() -> None:
    # Reading a chunk maps in the rest of a large page-cache block (up to
    # 2 MiB) that began in the chunk before, already handed back: released
    # rows only, that stayed resident, about 2 MiB a chunk (15 % of a 2-day
    # recording's acceleration after its block means).
    x = memory.empty_samples((8 << 20, 3), file_backed=True)  # 192 MiB
    for start, stop in memory.row_chunks(x.shape[0]):
        x[start:stop] = 1.0
        memory.release(x, start, stop)
    before = _rss_file_kib()
    means = memory.block_means(x, 5, x.shape[0] // 5)
    assert (means == 1.0).all()
    assert _rss_file_kib() - before < 192 * 1024 // 50  # under 2 % of the array stays


def test_ordinary_arrays_pass_through() -> None:
    x = memory.empty_samples((10, 3))
    assert not memory.is_file_backed(x)
    x[:] = 1.0
    memory.release(x)  # nothing happens
    assert (x == 1.0).all()


@pytest.mark.parametrize("where", [None, 5, 250_000])
def test_range_of_a_file_backed_array_is_numpys(
    where: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``min_max`` of an array in a file, taken a chunk at a time, is ``x.min(), x.max()``:
    a NaN in any chunk is the range (the reader takes a column whose range is finite
    for one without an empty cell)."""
    monkeypatch.setattr(longarrays, "CHUNK_ROWS", 100_000)  # three chunks
    x = memory.empty_samples((300_000, 3), file_backed=True)
    x[:] = np.linspace(-5.0, 7.0, x.size).reshape(x.shape)
    if where is not None:
        x[where, 1] = np.nan
    expected = (float(np.asarray(x).min()), float(np.asarray(x).max()))
    assert np.array_equal(longarrays.min_max(x), expected, equal_nan=True)
    assert np.isnan(longarrays.min_max(x)[0]) == (where is not None)


@pytest.mark.parametrize("block", [1, 7, 100])
def test_block_means_are_the_one_line_form(block: int) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1_300_003, 3))
    n_blocks = x.shape[0] // block
    ref = x[: n_blocks * block].reshape(n_blocks, block, 3).mean(axis=1)
    assert np.allclose(memory.block_means(x, block, n_blocks), ref, rtol=0.0, atol=1e-15)


def test_long_table_is_read_into_files_with_the_same_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(2)
    n = 60_000
    t = np.arange(n) / 100.0
    acc = rng.normal(size=(n, 3)) + [0.0, 0.0, 9.81]
    gyro = rng.normal(size=(n, 3)) * 30.0  # deg/s
    path = tmp_path / "long.csv"
    np.savetxt(
        path, np.column_stack([t, acc, gyro]), delimiter=",", fmt="%.6f", comments="",
        header="time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z",
    )  # fmt: skip
    in_memory = read_recording(path)
    assert not memory.is_file_backed(in_memory.acc_mps2)
    # the same file taken for a long one: chunked, and kept in temporary files
    monkeypatch.setattr(table, "CHUNK_BYTES", 1024)
    monkeypatch.setattr(chunked, "CHUNK_ROWS", 7_000)
    monkeypatch.setattr(chunked, "FILE_BACKED_BYTES", 1024)
    on_file = read_recording(path)
    assert memory.is_file_backed(on_file.acc_mps2)
    assert on_file.gyro_rads is not None and in_memory.gyro_rads is not None
    assert memory.is_file_backed(on_file.gyro_rads)
    assert np.array_equal(on_file.acc_mps2, in_memory.acc_mps2)
    assert np.array_equal(on_file.gyro_rads, in_memory.gyro_rads)
    assert on_file.units["gyro"].unit == in_memory.units["gyro"].unit == "dps"


@pytest.mark.parametrize("n", [500, 300_000])
@pytest.mark.parametrize("in_files", [False, True])  # channels together / in parts, in files
def test_anchor_gravity_directions_equal_the_whole_array_form(
    n: int, in_files: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retrowalk.dsp import filters
    from retrowalk.gait.direction.anchor import _gravity_directions, _unit

    rng = np.random.default_rng(3)
    acc = rng.normal(size=(n, 3)) + [0.0, 0.0, 9.81]
    up = _unit(filters.lowpass(acc, 0.5, 20.0))
    slow = _unit(filters.lowpass(acc, 0.3, 20.0))
    fast = _unit(filters.lowpass(acc, 3.0, 20.0))
    given = acc.copy()
    if in_files:
        given = memory.empty_samples(acc.shape, file_backed=True)
        given[:] = acc
        monkeypatch.setattr(filters, "RELEASE_ROWS", 70_001)  # filtered in parts
    got_up, got_swing, got_slow = _gravity_directions(given, 20.0, in_files=in_files)
    assert np.array_equal(got_up, up)
    assert np.array_equal(got_slow, slow)
    assert np.array_equal(got_swing, fast - slow)
    assert got_up.flags.c_contiguous and got_slow.flags.c_contiguous  # sample-major rows


@pytest.mark.parametrize("n", [0, 1, 7, 70_000])
def test_anchor_unit_rows_are_to_unit_of_the_rows_bit_for_bit(n: int) -> None:
    """Channel-major rows made unit sample-major rows: _to_unit's numbers, with signed
    zeros, NaN, infinities and rows under the norm's floor; the rows left as they were."""
    from retrowalk.gait.direction.anchor import _to_unit, _unit_rows

    rng = np.random.default_rng(5)
    rows = rng.normal(size=(3, n)) * rng.choice([1e-14, 1.0, 1e3], size=(1, n))
    special = [0.0, -0.0, np.nan, np.inf, -np.inf, 1e-300]
    if n:
        rows[rng.integers(0, 3, size=n // 5 + 1), rng.integers(0, n, size=n // 5 + 1)] = rng.choice(
            special, size=n // 5 + 1
        )
        rows[:, 0] = [-0.0, 0.0, -0.0]
    given = rows.copy()
    with np.errstate(invalid="ignore"):  # inf / inf
        got = _unit_rows(given)
        want = _to_unit(np.ascontiguousarray(rows.T))
    assert got.tobytes() == want.tobytes()  # signed zeros and NaN bit for bit
    assert got.flags.c_contiguous and got.shape == (n, 3)
    assert given.tobytes() == rows.tobytes()


@pytest.mark.parametrize("n", [1, 500, 150_000])  # one block, and rows over several blocks
def test_anchor_walking_mean_is_the_one_line_form_bit_for_bit(n: int) -> None:
    from retrowalk.gait.direction.anchor import _walking_mean

    rng = np.random.default_rng(4)
    x = rng.normal(size=(n, 3)) * [1.0, 1e3, 1e-3] + [0.1, 0.0, 9.81]
    for walking in (rng.random(n) < 0.6, np.ones(n, dtype=bool), np.zeros(n, dtype=bool)):
        expected = x[walking].mean(axis=0) if walking.any() else np.zeros(3)
        assert np.array_equal(_walking_mean(x, walking), expected)


def test_lowpass_into_in_parts_is_lowpass_bit_for_bit() -> None:
    from retrowalk.dsp.filters import lowpass, lowpass_into

    rng = np.random.default_rng(5)
    x = np.cumsum(rng.normal(size=250_001))
    for cutoff in (0.3, 3.0):
        out = memory.empty_samples(x.shape, file_backed=True)
        lowpass_into(x, out, cutoff, 20.0, rows=7_777)
        assert np.array_equal(out, lowpass(x, cutoff, 20.0))


def test_walking_swing_read_in_parts_agrees_with_the_rows_gathered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from retrowalk.gait.direction import anchor

    rng = np.random.default_rng(4)
    n = 200_000
    slow = anchor._unit(rng.normal(size=(n, 3)) * 0.05 + [0.0, 0.0, 1.0])
    swing = memory.empty_samples((n, 3), file_backed=True)
    swing[:] = rng.normal(size=(n, 3)) * 0.05
    swing[:, 0] += 0.05 * np.exp(2.0 * np.sin(np.arange(n) / 10.0))  # lopsided: an asymmetry
    walking = rng.random(n) > 0.2
    whole = anchor._walking_swing(swing, slow, walking, 20.0, 0.55)
    monkeypatch.setattr(anchor, "_SWING_ROWS", 30_000)  # six parts
    parts = anchor._walking_swing(swing, slow, walking, 20.0, 0.55)
    assert abs(whole[1]) > 1.0  # the asymmetry the anchors read
    for a, b in zip(whole, parts, strict=True):
        assert np.allclose(a, b, rtol=1e-12, atol=1e-12)


def test_step_evidence_joined_into_files_equals_the_one_in_memory() -> None:
    from retrowalk.gait.direction.features import StepEvidence, StepWindows

    rng = np.random.default_rng(4)
    parts = []
    for k in (50, 0, 120):  # a piece without usable steps too
        idx = np.arange(k, dtype=np.int64)
        parts.append(
            StepEvidence(
                np.sort(rng.integers(0, 10_000, size=k + 2)), np.zeros(k + 2, dtype=np.int64),
                StepWindows(idx, np.zeros(k, dtype=np.int64), idx * 10, idx * 10 + 100),
                rng.normal(size=(k, 16, 3)), rng.normal(size=(k, 16, 3)),
                rng.random(k) < 0.2, np.tile([0.0, 0.0, 1.0], (1, 1)), rng.normal(size=(k, 3)),
            )
        )  # fmt: skip
    plain = StepEvidence.concat(parts)
    filed = StepEvidence.concat(parts, file_backed=True)
    assert memory.is_file_backed(filed.odd) and memory.is_file_backed(filed.even)
    assert not memory.is_file_backed(plain.odd)
    for name in ("ic", "owner", "odd", "even", "turning", "bout_up", "window_up"):
        a, b = getattr(plain, name), getattr(filed, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    for name in ("step_index", "bout_index", "start", "end"):
        assert np.array_equal(getattr(plain.windows, name), getattr(filed.windows, name))
    pieces_filed = [p.in_files() for p in parts]  # each piece kept in a file as scanned
    assert all(memory.is_file_backed(p.odd) for p in pieces_filed if p.odd.size)
    again = StepEvidence.concat(pieces_filed, file_backed=True)
    assert np.array_equal(again.odd, plain.odd) and np.array_equal(again.even, plain.even)


@pytest.mark.parametrize("placement", ["lower_back", "pocket"])
def test_body_anchor_of_a_file_backed_recording_is_the_same(placement: str) -> None:
    """An hour at 100 Hz (72,000 blocks: several of the anchor's row blocks), two brief
    50-degree bends: the anchor of the samples in a temporary file equals the in-memory one."""
    from retrowalk.gait.direction.anchor import BodyAnchorEstimator

    rng = np.random.default_rng(5)
    fs, n = 100.0, 360_000
    t = np.arange(n) / fs
    acc = np.column_stack(
        [
            np.sin(2 * np.pi * 0.9 * t),
            0.5 * np.sin(2 * np.pi * 1.8 * t + 0.3),
            9.81 + np.sin(2 * np.pi * 1.8 * t),
        ]
    ) + rng.normal(scale=0.3, size=(n, 3))
    tilted = 9.81 * np.array([np.sin(np.radians(50)), 0.0, np.cos(np.radians(50))])
    for start_s in (600.0, 1800.0):  # brief bends between bouts
        acc[int(start_s * fs) : int((start_s + 2.0) * fs)] = tilted
    bouts = [(int(a * fs), int((a + 500.0) * fs)) for a in (50.0, 700.0, 1900.0, 2600.0)]
    stretch = np.array([0, 0, 0, 1], dtype=np.int64)
    filed = memory.empty_samples(acc.shape, file_backed=True)
    filed[:] = acc
    in_memory = BodyAnchorEstimator(placement).estimate(acc, fs, bouts, stretch).anchors_
    in_file = BodyAnchorEstimator(placement).estimate(filed, fs, bouts, stretch).anchors_
    assert [a.reason for a in in_memory] == [a.reason for a in in_file]
    for a, b in zip(in_memory, in_file, strict=True):
        assert a.strength_deg == b.strength_deg
        assert (a.forward_unit is None and b.forward_unit is None) or np.array_equal(
            a.forward_unit, b.forward_unit
        )
    if placement == "lower_back":
        assert in_memory[0].cue == "trunk flexion"  # the bends anchored the first stretch


def test_bend_search_in_blocks_finds_the_runs_of_the_whole_array(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from retrowalk.gait.direction import anchor

    monkeypatch.setattr(anchor, "_UNIT_ROWS", 97)  # blocks far shorter than the runs
    monkeypatch.setattr(anchor, "_SEARCH_ROWS", 13)
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(5, 2000))
        tilt = np.abs(np.cumsum(rng.normal(size=n))) * rng.uniform(0.5, 10.0)
        lo = int(rng.integers(0, n))
        hi = int(rng.integers(lo, n + 1))
        level = rng.uniform(0.0, 30.0)
        over = np.zeros(n + 2, dtype=bool)  # the whole-array form
        over[lo + 1 : hi + 1] = tilt[lo:hi] > level
        edges = np.flatnonzero(np.diff(over.astype(np.int8)))
        starts, ends = anchor._runs_above(tilt, lo, hi, level)
        assert np.array_equal(starts, edges[0::2]) and np.array_equal(ends, edges[1::2])
        for k in rng.integers(lo, max(hi, lo + 1), size=3) if hi > lo else []:
            below = tilt[lo:hi] <= 0.5 * float(tilt[k])
            left, right = np.flatnonzero(below[: k - lo]), np.flatnonzero(below[k - lo :])
            whole = (
                lo + int(left[-1]) + 1 if left.size else lo,
                int(k) + int(right[0]) if right.size else hi,
            )
            assert anchor._half_height(tilt, int(k), lo, hi) == whole


def test_travel_vectors_and_projections_of_steps_in_a_file_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from retrowalk.gait.direction import travel
    from retrowalk.gait.direction.features import DEFAULT_LAGS

    monkeypatch.setattr(travel, "_STEP_ROWS", 1_000)  # many blocks
    rng = np.random.default_rng(6)
    odd = rng.normal(size=(20_001, DEFAULT_LAGS.size, 3))
    in_file = memory.empty_samples(odd.shape, file_backed=True)
    in_file[:] = odd
    assert np.array_equal(travel.travel_vectors(in_file), travel.travel_vectors(odd))
    rows = np.flatnonzero(rng.random(odd.shape[0]) > 0.3)
    axis = rng.normal(size=(DEFAULT_LAGS.size, 3))
    assert np.array_equal(travel.projected(in_file, rows, axis), travel.projected(odd, rows, axis))


def _recorded_mallopt(monkeypatch: pytest.MonkeyPatch, kept: bool, file_backed: bool) -> list:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(memory, "_mallopt", lambda p, v: calls.append((p, v)) or True)
    monkeypatch.setattr(memory, "_HEAP", {"kept": kept, "file_backed": file_backed})
    return calls


def test_freed_heap_is_kept_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _recorded_mallopt(monkeypatch, kept=False, file_backed=False)
    memory.keep_freed_heap()
    memory.keep_freed_heap()
    # M_MMAP_THRESHOLD, then M_TOP_PAD, asked for once
    assert calls == [(-3, memory.HEAP_ARRAYS_BYTES), (-2, memory.KEEP_FREED_BYTES)]
    assert memory._HEAP["kept"]


def test_freed_heap_is_not_kept_once_a_recording_is_in_a_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _recorded_mallopt(monkeypatch, kept=True, file_backed=False)
    memory._large_arrays_from_the_system.__wrapped__()
    # the mmap threshold fixed, the top pad back to glibc's default
    assert calls == [(-3, 256 * 1024), (-2, memory.DEFAULT_TOP_PAD_BYTES)]
    calls.clear()
    memory.keep_freed_heap()
    assert calls == [] and not memory._HEAP["kept"]


@pytest.mark.parametrize(("n", "asked"), [(1 << 16, True), ((1 << 16) - 1, False)])
def test_a_long_in_memory_analysis_keeps_freed_heap(
    monkeypatch: pytest.MonkeyPatch, n: int, asked: bool
) -> None:
    kept: list[bool] = []
    monkeypatch.setattr(trunk, "keep_freed_heap", lambda: kept.append(True))
    rng = np.random.default_rng(3)
    acc = rng.normal(scale=0.1, size=(n, 3)) + [0.0, 0.0, 9.81]
    rec = Recording(acc_mps2=acc, gyro_rads=None, sampling_rate_hz=100.0, placement="lower_back")
    analyze(rec, AnalysisOptions())
    assert kept == ([True] if asked else [])

"""The bout of each step and the steps of each bout, found by sorting instead of one pass per bout.

A week of walking has tens of thousands of bouts and hundreds of thousands of
steps; one pass over all steps per bout made the direction stage grow with the
square of the recording's length. The sorted forms must give the very arrays
of the per-bout passes.
"""

from __future__ import annotations

import numpy as np
import pytest

from retrowalk.gait.direction.features import assign_steps, members_of


def _owners_by_masks(bouts: list[tuple[int, int]], ic: np.ndarray) -> np.ndarray:
    ic = np.unique(np.asarray(ic, dtype=np.int64))
    owner = np.full(ic.shape, -1, dtype=np.int64)
    for b, (start, end) in enumerate(bouts):
        owner[(ic >= start) & (ic <= end)] = b
    return owner


@pytest.mark.parametrize("seed", range(6))
def test_assign_steps_equals_one_mask_per_bout(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ic = rng.integers(0, 50_000, size=3_000)  # unsorted, with repeats
    starts = np.sort(rng.integers(-100, 50_100, size=200))
    bouts = [(int(a), int(a + rng.integers(-50, 2_000))) for a in starts]  # some empty
    bouts += [(int(a), int(a + 500)) for a in rng.integers(0, 50_000, size=20)]  # overlapping
    bouts.append((int(np.unique(ic)[10]), int(np.unique(ic)[20])))  # touching contacts
    got_ic, owner = assign_steps(bouts, ic)
    assert np.array_equal(got_ic, np.unique(ic))
    expected = _owners_by_masks(bouts, ic)
    assert owner.dtype == expected.dtype and np.array_equal(owner, expected)
    assert (owner >= 0).any() and (owner == -1).any()


@pytest.mark.parametrize("seed", range(4))
def test_members_of_equals_flatnonzero_per_bout(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    owner = rng.integers(-1, n + 3, size=5_000)  # outside steps, and labels past n
    got = members_of(owner, n)
    assert len(got) == n
    for b in range(n):
        want = np.flatnonzero(owner == b)
        assert got[b].dtype == want.dtype and np.array_equal(got[b], want)
    none = members_of(np.zeros(0, dtype=np.int64), 3)  # no steps at all
    assert len(none) == 3 and all(m.size == 0 for m in none)

"""The contact filters' running median against ``np.nanmedian`` of every window."""

import numpy as np
import pytest

from retrowalk.gait.contacts import _local_median


@pytest.mark.parametrize("half_width", [1, 4])
def test_running_median_equals_nanmedian_of_each_window(half_width):
    """Full windows (partial sort) and edge windows padded with NaN (sorted whole)
    give ``np.nanmedian``'s medians, odd and even counts, ties, every length."""
    rng = np.random.default_rng(7)
    for n in [*range(1, 3 * half_width + 3), 60, 257]:
        for values in (rng.normal(size=n), rng.integers(0, 3, n).astype(float)):
            padded = np.pad(values, half_width, constant_values=np.nan)
            windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half_width + 1)
            np.testing.assert_array_equal(
                _local_median(values, half_width), np.nanmedian(windows, axis=1)
            )
    assert _local_median(np.zeros(0), half_width).size == 0

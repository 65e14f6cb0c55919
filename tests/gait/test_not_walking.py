"""The walking check: what is not walking is refused, real walking is kept."""

from __future__ import annotations

import numpy as np

from retrowalk.gait.not_walking import WalkingCheck, fast_fft_length

FS = 100.0


def _smallest_smooth(n: int) -> int:
    m = max(n, 1)
    while True:
        rest = m
        for p in (2, 3, 5):
            while rest % p == 0:
                rest //= p
        if rest == 1:
            return m
        m += 1


def test_fast_fft_length_is_the_next_2_3_5_number():
    assert [fast_fft_length(n) for n in range(1, 3000)] == [
        _smallest_smooth(n) for n in range(1, 3000)
    ]
    assert fast_fft_length(2153) == 2160  # a prime length


def _upright(vertical_mps2: np.ndarray, seed: int = 0) -> np.ndarray:
    noise = 0.02 * np.random.default_rng(seed).normal(size=(vertical_mps2.size, 2))
    return np.column_stack([noise, 9.81 + vertical_mps2])


def test_a_pure_oscillation_is_not_walking():
    t = np.arange(2999) / FS  # an awkward length for the FFT
    check = WalkingCheck().check(
        _upright(2.0 * np.sin(2 * np.pi * 1.8 * t)), FS, np.arange(5, 2990, 56)
    )
    assert not check.walking_
    assert "pure oscillation at 1.80 Hz" in check.reason_


def test_exactly_repeated_impacts_are_not_walking():
    impacts = np.zeros(3001)
    impacts[::55] = 8.0
    check = WalkingCheck().check(
        _upright(np.convolve(impacts, np.hanning(9), "same")), FS, np.arange(0, 3001, 55)
    )
    assert not check.walking_
    assert "strides repeat exactly" in check.reason_


def test_real_walking_is_walking():
    from realdata import ipol_lower_back_rows

    recording, bouts, contacts = ipol_lower_back_rows("1-1")
    lo, hi = bouts[0]
    inside = contacts[(contacts >= lo) & (contacts < hi)]
    check = WalkingCheck().check(recording.acc_mps2[lo:hi], FS, inside - lo)
    assert check.walking_, check.reason_
    assert check.features_["peak_share"] < WalkingCheck().max_peak_share
    # consecutive strides alike, as a person's are, but not exactly
    assert 0.3 < check.features_["stride_correlation"] < WalkingCheck().max_stride_correlation

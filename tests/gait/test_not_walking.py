"""The walking check: what is not walking is refused, real walking is kept."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from gait.nonwalking_models import ride, tapped_table
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


def test_a_tapped_table_is_not_walking():
    acc, gyro = tapped_table()
    taps = np.flatnonzero(np.abs(acc[:, 2] - 9.81) > 0.4)
    contacts = taps[np.concatenate([[True], np.diff(taps) > 10])]
    for rotation in (gyro, None):  # with or without a gyroscope
        check = WalkingCheck().check(acc, FS, contacts, rotation)
        assert not check.walking_
        assert "hardly moves at the step rhythm" in check.reason_
        assert check.features_["vertical_mps2"] < WalkingCheck().min_vertical_mps2


def test_a_vibration_that_does_not_turn_the_device_is_not_walking():
    acc, gyro = ride()
    contacts = np.arange(50, acc.shape[0] - 50, 59)  # where a step detector finds the bounce
    check = WalkingCheck().check(acc, FS, contacts, gyro)
    assert check.features_["vertical_mps2"] > WalkingCheck().min_vertical_mps2  # it moves ...
    assert not check.walking_  # ... but does not turn as walking does
    assert "hardly turns at the step rhythm" in check.reason_
    # Without a gyroscope the rotation is not guessed: the movement across
    # gravity stands in for it, and the seat's bounce hardly moves the device
    # forward or sideways.
    blind = WalkingCheck().check(acc, FS, contacts)
    assert "rotation_rads" not in blind.features_ and "turns" not in blind.reason_
    assert not blind.walking_ and "hardly sways at the step rhythm" in blind.reason_
    assert blind.features_["horizontal_mps2"] < WalkingCheck().min_horizontal_mps2 / 5
    # with a gyroscope the rotation decides, and the sway is not worked out
    assert "horizontal_mps2" not in check.features_


def test_a_ride_gives_no_walking_bout():
    from retrowalk.core.recording import Recording
    from retrowalk.pipeline import AnalysisOptions, analyze

    acc, gyro = ride(180.0, seed=1)
    for rotation, why in ((gyro, "hardly turns"), (None, "hardly sways")):
        recording = Recording(acc_mps2=acc, gyro_rads=rotation, sampling_rate_hz=FS)
        for placement in (None, "lower_back", "pocket"):
            options = AnalysisOptions(placement=placement) if placement else None
            result = analyze(recording, options)
            assert result.bouts == [] and result.steps == []
            assert any(f"{why} at the step rhythm" in note for note in result.notes)


def test_real_walking_moves_and_turns_well_above_the_floors(monkeypatch: pytest.MonkeyPatch):
    """The slowest real walks here clear every movement floor at least twice over."""
    from realdata import load_mobgap
    from retrowalk.pipeline import analyze

    floors = WalkingCheck()
    seen: list[tuple[float, float, float]] = []
    original = WalkingCheck.check_bouts

    def measure(self, acc, fs, bouts, gyro=None):  # type: ignore[no-untyped-def]
        self.rotation_check_below_mps2 = float("inf")  # work out the rotation of every bout
        out = original(self, acc, fs, bouts, gyro)
        blind = WalkingCheck(horizontal_check_below_mps2=float("inf"))  # and, blind, its sway
        sways = original(blind, acc, fs, bouts, None)
        seen.extend(
            (c.features_["vertical_mps2"], c.features_["rotation_rads"],
             b.features_["horizontal_mps2"])
            for c, b in zip(out, sways, strict=True)
        )  # fmt: skip
        return out

    monkeypatch.setattr(WalkingCheck, "check_bouts", measure)
    for name in ("MS_001_Test11_Trial1", "HA_002_Test11_Trial1"):  # slow daily life
        recording, _ = load_mobgap(name)
        assert analyze(recording).bouts
    assert len(seen) >= 8
    assert min(v for v, _, _ in seen) > 2 * floors.min_vertical_mps2
    assert min(r for _, r, _ in seen) > 2 * floors.min_rotation_rads
    assert min(h for _, _, h in seen) > 2 * floors.min_horizontal_mps2


def test_bouts_checked_together_are_each_bouts_own_check() -> None:
    """Bouts checked together (their spectra of one length in one call, the windows'
    cosines in one call, the flight screen's squares in one pass) give each bout's
    own check: the same decision, reason and figures, bit for bit."""
    rng = np.random.default_rng(11)
    fs = 100.0
    n = 60_000
    t = np.arange(n) / fs
    acc = np.column_stack(
        [
            0.3 * np.sin(2 * np.pi * 0.9 * t),
            0.2 * np.cos(2 * np.pi * t),
            9.81 + 1.5 * np.sin(2 * np.pi * 1.8 * t),
        ]
    )
    acc += rng.normal(scale=0.3, size=acc.shape)
    acc[20_000:20_600, 2] = 0.5  # a flight
    acc[30_000:33_000] = [0.0, 0.0, 9.81]  # still
    gyro = rng.normal(scale=0.2, size=acc.shape)
    bouts = []
    at = 0
    while at < n - 50:
        length = int(rng.integers(30, 4_000))
        hi = min(at + length, n)
        contacts = np.arange(0, hi - at, int(rng.integers(40, 70)))
        bouts.append((at, hi, contacts[: int(rng.integers(0, contacts.size + 1))]))
        at = hi + int(rng.integers(0, 500))
    for g in (None, gyro):
        for check in (
            WalkingCheck(),
            WalkingCheck(rotation_check_below_mps2=np.inf),
            WalkingCheck(horizontal_check_below_mps2=np.inf),
        ):
            together = check.check_bouts(acc, fs, bouts, g)
            for (lo, hi, contacts), got in zip(bouts, together, strict=True):
                alone = copy.copy(check).check(
                    acc[lo:hi], fs, contacts, None if g is None else g[lo:hi]
                )
                assert (got.walking_, got.reason_) == (alone.walking_, alone.reason_)
                assert repr(got.features_) == repr(alone.features_)
    assert any(not c.walking_ for c in together) and any(c.walking_ for c in together)
    # a long recording's samples in a temporary file: the same checks
    from retrowalk.dsp.memory import empty_samples

    in_file = empty_samples(acc.shape, file_backed=True)
    in_file[:] = acc
    for got, want in zip(check.check_bouts(in_file, fs, bouts, gyro), together, strict=True):
        assert (got.walking_, got.reason_) == (want.walking_, want.reason_)
        assert repr(got.features_) == repr(want.features_)


def test_hann_windows_worked_together_are_numpys() -> None:
    """The windows of many bouts, their cosines in one call, are np.hanning's bit for bit."""
    from retrowalk.gait.not_walking import _hanns

    rng = np.random.default_rng(4)
    for _ in range(50):
        sizes = [int(m) for m in rng.integers(0, 5_000, size=int(rng.integers(0, 12)))]
        for m, window in zip(sizes, _hanns(sizes), strict=True):
            assert window.tobytes() == np.hanning(m).tobytes()


def _stride_correlation_of_each_lag(v: np.ndarray, step: int) -> float:
    """The largest normalised correlation one stride later, lag by lag from the lags
    1.8-2.2 steps kept where a step of overlap is left (the form the ends of the run
    of lags replaced)."""
    n = v.size
    lags = np.arange(max(int(1.8 * step), 1), int(2.2 * step) + 1)
    lags = lags[lags < n - step]
    if lags.size == 0:
        return -1.0
    energy = np.concatenate([[0.0], np.cumsum(v * v)])
    denom = np.sqrt(energy[n - lags] * (energy[n] - energy[lags]))
    lo, hi = int(lags[0]), int(lags[-1])
    cross = np.correlate(v[lo:], v[: n - hi], "valid")
    last = v[n - hi :]
    cross[:-1] += np.correlate(last, last, "full")[hi - 1 + lo :]
    ok = denom > 0
    return max(-1.0, float(np.max(cross[ok] / denom[ok]))) if ok.any() else -1.0


def test_stride_correlation_takes_the_run_of_lags_that_fit() -> None:
    """Every lag from 1.8 to 2.2 steps that leaves a step of overlap, found from the
    run's two ends: the same correlation as lag by lag, also where only some lags
    fit, none does, or the signal is flat in parts."""
    from retrowalk.gait.not_walking import _best_stride_correlation

    rng = np.random.default_rng(9)
    for trial in range(300):
        n = int(rng.integers(1, 400))
        v = rng.normal(size=n)
        if trial % 5 == 0:
            v[: n // 2] = 0.0
        step = int(rng.integers(0, 150))
        got = _best_stride_correlation(v, step)
        assert (
            np.float64(got).tobytes()
            == np.float64(_stride_correlation_of_each_lag(v, step)).tobytes()
        )


def test_tail_products_are_the_full_correlations_run_out_bit_for_bit() -> None:
    """The products of a stride's last samples with themselves some lags later, from the
    short correlation, are numpy's full correlation's outputs bit for bit, kernels
    numpy sums by its own short loop (11 samples or fewer) and longer ones, zeros."""
    from retrowalk.gait.not_walking import _tail_products

    rng = np.random.default_rng(3)
    for trial in range(3_000):
        m = int(rng.integers(1, 300))
        lo = int(rng.integers(1, m + 1))
        last = rng.normal(size=m) * 10.0 ** rng.uniform(-3, 3)
        if trial % 7 == 0:
            last[: m // 2] = -0.0
        want = np.correlate(last, last, "full")[m - 1 + lo :]
        assert _tail_products(last, lo).tobytes() == want.tobytes(), (m, lo)


def _flight_share_reference(
    check: WalkingCheck, acc: np.ndarray, fs: float, ic: np.ndarray
) -> float:
    """The share of steps in flight worked out in full (the moving mean of every norm)."""
    width = max(int(0.05 * fs), 1)
    smooth = np.convolve(np.linalg.norm(acc, axis=1), np.ones(width) / width, mode="same")
    below = np.searchsorted(np.flatnonzero(smooth < check.free_fall_mps2), ic)
    return float(np.mean((below[1:] - below[:-1]) >= check.min_flight_s * fs))


def test_flight_share_is_the_full_moving_mean_s_also_where_it_is_skipped() -> None:
    """Where no moving mean can fall below free fall the share is 0 without working
    them out; near that bound, at every width and with NaN, the full computation's."""
    rng = np.random.default_rng(4)
    for trial in range(400):
        fs = float(rng.choice([10.0, 30.0, 40.0, 50.0, 100.0, 128.0, 200.0]))
        n = int(rng.integers(int(2 * fs), int(6 * fs)))
        level = float(rng.choice([3.0, 4.5, 5.0, 6.0, 9.81])) * (1 + rng.normal(0, 1e-10))
        direction = rng.normal(size=(n, 3))
        direction /= np.linalg.norm(direction, axis=1)[:, None]
        acc = direction * (level + np.abs(rng.normal(0, [0.0, 0.5, 3.0][trial % 3], n)))[:, None]
        if trial % 7 == 0:  # a jump: free fall in parts
            acc[n // 3 : n // 3 + int(0.2 * fs)] *= 0.05
        if trial % 11 == 0:
            acc[n // 2, 1] = np.nan
        ic = np.sort(rng.choice(np.arange(1, n - 1), size=8, replace=False))
        ic = np.concatenate([[0], ic, [n - 1]])  # a sample in free fall at an end counts
        # a single sample in free fall makes a flight (so no sample's mean is skipped
        # that the full computation would count)
        check = WalkingCheck(min_flight_s=0.5 / fs)
        check.features_ = {}
        check._flight(acc, fs, ic)
        want = _flight_share_reference(check, acc, fs, ic)
        assert check.features_["flight_share"] == want, (trial, fs, level)


@pytest.mark.parametrize("rate_hz", [100.0, 50.0])
def test_sensor_noise_is_not_walking(rate_hz: float) -> None:
    """White noise has steps for a step detector, as irregular as slow real walking,
    but its power is spread up to the sampling's limit: a walking body's is not."""
    from retrowalk.core.recording import Recording
    from retrowalk.pipeline import AnalysisOptions, analyze

    rng = np.random.default_rng(3)
    n = int(60 * rate_hz)
    acc = rng.normal(0.0, 2.0, (n, 3)) + [0.0, 0.0, 9.81]
    for gyro in (rng.normal(0.0, 0.6, (n, 3)), None):
        recording = Recording(acc_mps2=acc, gyro_rads=gyro, sampling_rate_hz=rate_hz)
        for placement in (None, "lower_back", "pocket"):
            options = AnalysisOptions(placement=placement) if placement else None
            result = analyze(recording, options)
            assert result.bouts == [] and result.steps == [], placement
            assert any("faster than 15 Hz" in note for note in result.notes)
    # the check itself, on the whole noise: its share of fast movement is over the ceiling
    check = WalkingCheck().check(acc, rate_hz, np.arange(0, n - 1, int(0.55 * rate_hz)))
    assert check.features_["fast_share"] > WalkingCheck().max_fast_share
    assert not check.walking_ and "faster than 15 Hz" in check.reason_


def test_real_walking_is_slow_beside_the_fast_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real walking whose sensor feels each heel strike (ipol-gait's lower back, the
    largest share of fast movement here) stays under half the ceiling."""
    from realdata import ipol_trial_ids, load_ipol_trial
    from retrowalk.pipeline import AnalysisOptions, analyze

    shares: list[float] = []
    original = WalkingCheck.check_bouts

    def measure(self, acc, fs, bouts, gyro=None):  # type: ignore[no-untyped-def]
        out = original(self, acc, fs, bouts, gyro)
        shares.extend(c.features_["fast_share"] for c in out if "fast_share" in c.features_)
        return out

    monkeypatch.setattr(WalkingCheck, "check_bouts", measure)
    for trial in ipol_trial_ids()[:12]:
        recording, _ = load_ipol_trial(trial, "lb")
        assert analyze(recording, AnalysisOptions(placement="lower_back")).bouts
    assert len(shares) >= 12
    assert max(shares) < 0.5 * WalkingCheck().max_fast_share


def _noise_recording(rate_hz: float, gyro: bool, seed: int = 3, amplitude: float = 2.0):  # type: ignore[no-untyped-def]
    from retrowalk.core.recording import Recording

    rng = np.random.default_rng(seed)
    n = int(60 * rate_hz)
    acc = rng.normal(0.0, amplitude, (n, 3)) + [0.0, 0.0, 9.81]
    rotation = rng.normal(0.0, 0.6, (n, 3)) if gyro else None
    return Recording(acc_mps2=acc, gyro_rads=rotation, sampling_rate_hz=rate_hz)


@pytest.mark.parametrize("rate_hz", [20.0, 25.0, 30.0, 40.0])
def test_sensor_noise_sampled_slowly_is_not_walking(rate_hz: float) -> None:
    """Noise sampled at 40 Hz or less has little or no power at 15 Hz and above, so
    the pace check cannot see it; its power is spread evenly over every frequency
    the device samples, and it does not repeat at a step rhythm: refused as noise
    (the old code found 90-120 steps of walking in each of these minutes)."""
    from retrowalk.pipeline import AnalysisOptions, analyze

    for gyro in (False, True):
        recording = _noise_recording(rate_hz, gyro)
        # a foot with a gyroscope has its own pipeline (strides from zero-velocity
        # integration), which this check does not run in
        placements = (None, "lower_back", "pocket") + (() if gyro else ("foot",))
        for placement in placements:
            options = AnalysisOptions(placement=placement) if placement else None
            result = analyze(recording, options)
            assert result.bouts == [] and result.steps == [], (placement, gyro)
            assert any("spread evenly over every frequency" in note for note in result.notes)
    n = int(60 * rate_hz)
    acc = _noise_recording(rate_hz, False).acc_mps2
    check = WalkingCheck().check(acc, rate_hz, np.arange(0, n - 1, int(0.55 * rate_hz)))
    assert not check.walking_ and "sensor noise" in check.reason_
    assert check.features_["flatness"] > WalkingCheck().max_flatness
    assert check.features_["repetition"] < WalkingCheck().min_repetition


@pytest.mark.parametrize("rate_hz", [50.0, 100.0, 200.0])
def test_sensor_noise_on_a_foot_without_gyroscope_is_not_walking(rate_hz: float) -> None:
    """A foot is not asked the pace (its impacts are fast), so noise given as a foot
    without a gyroscope used to give bouts at every rate; it is refused as noise."""
    from retrowalk.pipeline import AnalysisOptions, analyze

    result = analyze(_noise_recording(rate_hz, False), AnalysisOptions(placement="foot"))
    assert result.bouts == [] and result.steps == []
    assert any("spread evenly over every frequency" in note for note in result.notes)


def test_flatness_and_repetition_of_known_signals() -> None:
    """White noise is flat (near 1) and does not repeat; a walk-like signal (a step
    rhythm and its harmonics) is far from flat and repeats at its stride."""
    from retrowalk.gait.not_walking import _flatness, _repetition

    fs = 30.0
    t = np.arange(int(60 * fs)) / fs
    noise = np.random.default_rng(0).normal(size=t.size)
    walk = np.sin(2 * np.pi * 1.8 * t) + 0.5 * np.sin(2 * np.pi * 3.6 * t + 1.0)
    walk += 0.3 * np.sin(2 * np.pi * 0.9 * t)  # stride asymmetry
    n_fft = fast_fft_length(t.size)
    bands = int((0.4 * fs - 0.5) / 0.5)
    for x, flat_range, repeat_range in (
        (noise, (0.9, 1.0), (-1.0, 0.3)),
        (walk + 0.1 * noise, (0.0, 0.2), (0.9, 1.0)),
    ):
        power = np.abs(np.fft.rfft(x * np.hanning(x.size), n_fft)) ** 2
        flatness = _flatness(power, fs / n_fft, bands)
        assert flat_range[0] < flatness <= flat_range[1]
        assert repeat_range[0] < _repetition(x - x.mean(), fs) <= repeat_range[1]
    assert _flatness(np.zeros(n_fft // 2 + 1), fs / n_fft, bands) == 0.0  # no movement
    assert _repetition(noise[: int(0.7 * fs)], fs) == 1.0  # too short to judge: not refused


def test_real_walking_is_not_noise_at_low_rates_nor_on_a_foot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Real walking at the lower back and on a foot without gyroscope, as recorded
    and resampled to 20 Hz: no bout is refused as noise, and every bout as flat as
    noise repeats at its stride (the flattest real bouts here are a foot's)."""
    from fractions import Fraction

    from scipy.signal import resample_poly

    from realdata import load_ipol_trial
    from retrowalk.core.recording import Recording
    from retrowalk.pipeline import AnalysisOptions, analyze

    seen: list[dict[str, float]] = []
    original = WalkingCheck.check_bouts

    def measure(self, acc, fs, bouts, gyro=None):  # type: ignore[no-untyped-def]
        out = original(self, acc, fs, bouts, gyro)
        seen.extend(c.features_ for c in out)
        return out

    monkeypatch.setattr(WalkingCheck, "check_bouts", measure)
    check = WalkingCheck()
    found = 0
    for trial in ("8-6", "8-2", "6-5", "1-1"):  # 8-6's right foot: the flattest real bout
        for sensor, placement in (("lb", "lower_back"), ("lf", "foot"), ("rf", "foot")):
            recording, _ = load_ipol_trial(trial, sensor)  # type: ignore[arg-type]
            for rate_hz in (recording.sampling_rate_hz, 20.0):
                ratio = Fraction(rate_hz / recording.sampling_rate_hz).limit_denominator(100)
                acc = resample_poly(recording.acc_mps2, ratio.numerator, ratio.denominator, axis=0)
                walk = Recording(acc_mps2=acc, gyro_rads=None, sampling_rate_hz=rate_hz)
                result = analyze(walk, AnalysisOptions(placement=placement))
                found += len(result.bouts)
                assert not any("spread evenly" in note for note in result.notes)
    assert found >= 24
    flat = [f for f in seen if f.get("flatness", 0.0) > check.max_flatness]
    assert len([f for f in seen if "flatness" in f]) >= 24
    assert flat and all(f["repetition"] > check.min_repetition for f in flat)


def _walk_like(rate_hz: float, step_hz: float, seconds: float = 60.0) -> np.ndarray:
    """A machine's exact, walk-like movement: forward at each step, sideways at each
    stride, up and down at the step with a harmonic and a stride component."""
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    return np.column_stack(
        [
            np.sin(2 * np.pi * step_hz * t + 0.5),
            np.sin(np.pi * step_hz * t),
            9.81
            + 2.0 * np.sin(2 * np.pi * step_hz * t)
            + 0.8 * np.sin(4 * np.pi * step_hz * t + 1.0)
            + 0.4 * np.sin(np.pi * step_hz * t),
        ]
    )


@pytest.mark.parametrize("rate_hz", [20.0, 25.0, 30.0, 40.0, 50.0])
def test_a_machine_exact_walk_like_movement_sampled_slowly_is_not_walking(rate_hz: float) -> None:
    """At 50 Hz or less a machine's stride is no whole number of samples, and compared
    at the nearest whole lag its exact repetition correlated at 0.976-0.995, under the
    ceiling: the old code found a bout of walking in some of these. Strides are now
    compared at 100 Hz or finer."""
    from retrowalk.core.recording import Recording
    from retrowalk.pipeline import AnalysisOptions, analyze

    for step_hz in (1.6, 1.8, 1.9, 2.1):
        recording = Recording(
            acc_mps2=_walk_like(rate_hz, step_hz), gyro_rads=None, sampling_rate_hz=rate_hz
        )
        for placement in (None, "lower_back", "pocket", "foot"):
            options = AnalysisOptions(placement=placement) if placement else None
            result = analyze(recording, options)  # type: ignore[arg-type]
            assert result.bouts == [] and result.steps == [], (step_hz, placement)


def test_strides_are_compared_finely_at_every_sampling_rate() -> None:
    """The stride correlation of an exact repetition reads as exact (over the ceiling)
    whatever the sampling rate, and that of real walking as recorded at 100 Hz is
    compared as it is (no interpolation: the same number)."""
    from realdata import ipol_lower_back_rows
    from retrowalk.gait.not_walking import _best_stride_correlation

    ceiling = WalkingCheck().max_stride_correlation
    for rate_hz in (20.0, 30.0, 50.0):
        v = _walk_like(rate_hz, 1.8)[:, 2] - 9.81
        step = round(rate_hz / 1.8)
        assert _best_stride_correlation(v, step) < ceiling  # at whole-sample lags: not seen
        check = WalkingCheck().check(
            _upright(v), rate_hz, np.arange(0, v.size - 1, rate_hz / 1.8).astype(int)
        )
        assert not check.walking_ and "strides repeat exactly" in check.reason_, rate_hz
        assert check.features_["stride_correlation"] > ceiling
    recording, bouts, contacts = ipol_lower_back_rows("1-1")
    lo, hi = bouts[0]
    inside = contacts[(contacts >= lo) & (contacts < hi)]
    check = WalkingCheck().check(recording.acc_mps2[lo:hi], FS, inside - lo)
    acc = recording.acc_mps2[lo:hi]
    up = acc.mean(axis=0) / np.linalg.norm(acc.mean(axis=0))
    v = acc @ up
    step = int(np.median(np.diff(inside)))
    # as it is: the same number, but for the last bits of the mean taken out
    expected = _best_stride_correlation(v - v.mean(), step)
    assert check.features_["stride_correlation"] == pytest.approx(expected, rel=1e-12)

"""Single-foot gait engine on real ipol-gait foot recordings."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from scipy import signal
from scipy.spatial.transform import Rotation

from realdata import data_root
from retrowalk.core.errors import AnalysisError
from retrowalk.core.recording import Recording
from retrowalk.gait.foot import STRIDE_COLUMNS, FootGaitAnalyzer

DATA = data_root() / "ipol-gait"
TRIALS = [("1-1", "lf"), ("4-4", "rf"), ("12-1", "rf")]
FS = 100.0

needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"ipol-gait recordings not found at {DATA.resolve()}"
)


@lru_cache(maxsize=8)
def load(trial: str, side: str) -> tuple[Recording, np.ndarray, tuple[int, int]]:
    """Recording on the packet-counter grid, reference contacts, trial boundaries.

    The Xsens exports drop packets and the reference events are in packet-counter
    time, so dropped packets are interpolated.
    """
    frame = pd.read_csv(DATA / f"{trial}_{side}.txt", sep="\t", skiprows=1)
    counter = frame["PacketCounter"].to_numpy(dtype=np.int64)
    counter = counter - counter[0]
    keep = np.concatenate([[True], np.diff(counter) > 0])
    frame, counter = frame[keep], counter[keep]
    grid = np.arange(counter[-1] + 1)

    def cols(names: list[str]) -> np.ndarray:
        return np.column_stack([np.interp(grid, counter, frame[c].to_numpy(float)) for c in names])

    rec = Recording(
        acc_mps2=cols(["Acc_X", "Acc_Y", "Acc_Z"]),
        gyro_rads=cols(["Gyr_X", "Gyr_Y", "Gyr_Z"]),
        sampling_rate_hz=FS,
        placement="foot",
    )
    info = json.loads((DATA / f"{trial}.json").read_text())
    lo, hi = (int(v) for v in info["TrialBoundaries"])
    key = "LeftFootEvents" if side == "lf" else "RightFootEvents"
    ic = np.array([e[1] for e in info[key]], dtype=np.int64)
    return rec, np.sort(ic[(ic >= lo) & (ic <= min(hi, rec.n_samples - 1))]), (lo, hi)


def analyze(rec: Recording) -> FootGaitAnalyzer:
    return FootGaitAnalyzer().analyze(rec.acc_mps2, rec.gyro_rads, rec.sampling_rate_hz)


def recall(detected: np.ndarray, reference: np.ndarray, tol: int) -> float:
    """Share of reference events with a detection within ``tol`` samples (one-to-one)."""
    free = list(detected)
    hits = 0
    for r in reference:
        if not free:
            break
        d = np.abs(np.array(free) - r)
        j = int(np.argmin(d))
        if d[j] <= tol:
            hits += 1
            free.pop(j)
    return hits / max(len(reference), 1)


def straight(res: FootGaitAnalyzer) -> pd.DataFrame:
    s = res.strides_
    return s[~s["turning"]]


@needs_data
@pytest.mark.parametrize(("trial", "side"), TRIALS)
def test_contacts_match_reference(trial: str, side: str) -> None:
    rec, ref, (lo, hi) = load(trial, side)
    res = analyze(rec)
    det = res.initial_contacts_
    det = det[(det >= lo - 25) & (det <= hi + 25)]
    assert recall(det, ref, 25) >= 0.95
    assert len(det) <= len(ref) + 1
    assert isinstance(res.initial_contacts_, np.ndarray)
    assert res.initial_contacts_.dtype == np.int64


@needs_data
@pytest.mark.parametrize(("trial", "side"), TRIALS)
def test_forward_and_time_reversed_directions(trial: str, side: str) -> None:
    rec, _, _ = load(trial, side)
    fwd = analyze(rec).strides_
    assert list(fwd.columns) == list(STRIDE_COLUMNS)
    assert (fwd["direction"] == "forward").mean() >= 0.85
    assert (fwd["direction"] == "backward").sum() == 0
    back = analyze(rec.time_reversed()).strides_
    assert (back["direction"] == "backward").mean() >= 0.85
    assert (back["direction"] == "forward").sum() == 0
    # Straight strides: forward near 0 deg, backward near 180 deg.
    assert fwd.loc[~fwd["turning"], "direction_angle_deg"].median() < 22
    assert back.loc[~back["turning"], "direction_angle_deg"].median() > 158


@needs_data
def test_slowed_time_reversed_is_backward() -> None:
    rec, _, _ = load("1-1", "lf")
    rev = rec.time_reversed()
    slow = Recording(
        acc_mps2=signal.resample_poly(rev.acc_mps2, 5, 3, axis=0),
        gyro_rads=signal.resample_poly(rev.gyro_rads, 5, 3, axis=0) * 0.6,
        sampling_rate_hz=FS,
    )
    strides = analyze(slow).strides_
    assert len(strides) >= 14
    assert (strides["direction"] == "backward").mean() >= 0.85


@needs_data
@pytest.mark.parametrize(
    "rotation",
    [
        Rotation.random(random_state=1).as_matrix(),
        Rotation.random(random_state=7).as_matrix(),
        Rotation.from_euler("z", 180, degrees=True).as_matrix(),
        Rotation.from_euler("x", 180, degrees=True).as_matrix(),
    ],
    ids=["random-a", "random-b", "yaw-180", "upside-down"],
)
def test_rotation_invariance(rotation: np.ndarray) -> None:
    rec, _, _ = load("1-1", "lf")
    base = analyze(rec)
    turned = analyze(rec.rotated(rotation))
    assert len(turned.initial_contacts_) == len(base.initial_contacts_)
    assert np.max(np.abs(turned.initial_contacts_ - base.initial_contacts_)) <= 1
    assert list(turned.strides_["direction"]) == list(base.strides_["direction"])
    np.testing.assert_allclose(
        turned.strides_["stride_length_m"], base.strides_["stride_length_m"], atol=0.02
    )
    # The toe axis turns with the sensor.
    np.testing.assert_allclose(turned.toe_axis_, rotation @ base.toe_axis_, atol=0.05)


@needs_data
def test_toe_axis_matches_mounting() -> None:
    # Test-only knowledge (data README): on the feet X points to the heel.
    for trial, side in TRIALS:
        res = analyze(load(trial, side)[0])
        assert res.toe_axis_ is not None
        assert res.toe_axis_[0] < -0.5
        assert res.toe_axis_confidence_ > 0.8


@needs_data
def test_bouts_strides_and_inferred_contacts() -> None:
    rec, _, _ = load("1-1", "lf")
    res = analyze(rec)
    assert 1 <= len(res.walking_bouts_) <= 2
    for start, end in res.walking_bouts_:
        assert isinstance(start, int) and isinstance(end, int) and start < end
    in_bouts = res.strides_[res.strides_["bout"] >= 0]
    assert len(res.other_foot_contacts_) == len(in_bouts) - len(res.walking_bouts_)
    # Other foot's contacts fall between own contacts.
    own = res.initial_contacts_
    for c in res.other_foot_contacts_:
        assert own.min() < c < own.max()
    lengths = straight(res)["stride_length_m"]
    assert 1.0 < lengths.median() < 1.8
    confidence = res.strides_["direction_confidence"]
    assert ((confidence >= 0) & (confidence <= 1)).all()


@needs_data
@pytest.mark.parametrize(("up", "down"), [(1, 2), (2, 1)], ids=["50Hz", "200Hz"])
def test_other_sampling_rates(up: int, down: int) -> None:
    rec, ref, (lo, hi) = load("1-1", "lf")
    acc = signal.resample_poly(rec.acc_mps2, up, down, axis=0)
    gyro = signal.resample_poly(rec.gyro_rads, up, down, axis=0)
    fs = FS * up / down
    res = FootGaitAnalyzer().analyze(acc, gyro, fs)
    det = res.initial_contacts_ * down / up
    det = det[(det >= lo - 25) & (det <= hi + 25)]
    assert recall(det, ref, 25) >= 0.95
    assert (res.strides_["direction"] == "forward").mean() >= 0.85


def test_missing_gyroscope_raises() -> None:
    acc = np.tile([0.0, 0.0, 9.81], (500, 1))
    with pytest.raises(AnalysisError, match="gyroscope"):
        FootGaitAnalyzer().analyze(acc, None, 100.0)


def test_bad_shapes_raise() -> None:
    with pytest.raises(AnalysisError):
        FootGaitAnalyzer().analyze(np.zeros((100, 2)), np.zeros((100, 2)), 100.0)


def test_still_recording_has_no_strides() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    acc = np.array([3.0, 1.0, 9.2]) + 0.02 * rng.standard_normal((n, 3))
    gyro = 0.01 * rng.standard_normal((n, 3))
    res = FootGaitAnalyzer().analyze(acc, gyro, 100.0)
    assert len(res.strides_) == 0
    assert len(res.initial_contacts_) == 0
    assert len(res.other_foot_contacts_) == 0
    assert res.walking_bouts_ == []
    assert list(res.strides_.columns) == list(STRIDE_COLUMNS)


def test_short_recording_is_empty() -> None:
    res = FootGaitAnalyzer().analyze(np.tile([0.0, 0.0, 9.81], (20, 1)), np.zeros((20, 3)), 100.0)
    assert len(res.strides_) == 0


@needs_data
def test_a_pause_of_exactly_the_limit_ends_a_foot_bout() -> None:
    """Strides whose pause is exactly ``max_pause_s`` are two bouts (the contract: pauses
    under it do not end a bout); a hair longer limit joins them."""
    rec, _, _ = load("1-1", "lf")
    strides = analyze(rec).strides_
    walking = strides[strides["bout"] >= 0]
    pauses = walking["start_sample"].to_numpy()[1:] - walking["end_sample"].to_numpy()[:-1]
    k = int(np.argmax(pauses))  # the longest pause between consecutive strides
    limit_s = float(pauses[k]) / rec.sampling_rate_hz
    at = FootGaitAnalyzer(max_pause_s=limit_s).analyze(rec.acc_mps2, rec.gyro_rads, FS)
    over = FootGaitAnalyzer(max_pause_s=limit_s + 0.01).analyze(rec.acc_mps2, rec.gyro_rads, FS)
    assert len(at.walking_bouts_) == len(over.walking_bouts_) + 1


@pytest.mark.parametrize("rate_hz", [20.0, 25.0, 30.0, 50.0])
@pytest.mark.parametrize("seconds", [10.0, 60.0])
def test_sensor_noise_on_a_foot_with_gyroscope_gives_no_strides(
    rate_hz: float, seconds: float
) -> None:
    """At 30 Hz or less the zero-velocity detector's window is a sample or two and it
    took noise's chance dips for rests: a minute of white noise gave 118 steps at
    20 Hz, 109 at 25 Hz and 5 at 30 Hz. A walking foot stands still in every stride;
    noise turns about as fast at every moment, and its stretches are refused."""
    from retrowalk.pipeline import AnalysisOptions
    from retrowalk.pipeline import analyze as analyze_recording

    for seed, (amplitude, rotation) in enumerate([(2.0, 0.6), (1.0, 1.5), (5.0, 0.3)]):
        rng = np.random.default_rng(seed)
        n = int(seconds * rate_hz)
        acc = rng.normal(0.0, amplitude, (n, 3)) + [0.0, 0.0, 9.81]
        gyro = rng.normal(0.0, rotation, (n, 3))
        res = FootGaitAnalyzer().analyze(acc, gyro, rate_hz)
        assert res.walking_bouts_ == []
        assert (res.strides_["bout"] == -1).all()
        assert res.other_foot_contacts_.size == 0
        recording = Recording(acc_mps2=acc, gyro_rads=gyro, sampling_rate_hz=rate_hz)
        result = analyze_recording(recording, AnalysisOptions(placement="foot"))  # type: ignore[arg-type]
        assert result.bouts == [] and result.steps == []
        if res.refused_bouts_:
            assert any("never stands still" in note for note in result.notes)


@needs_data
@pytest.mark.parametrize("rate_hz", [100.0, 30.0, 20.0])
@pytest.mark.parametrize(("trial", "side"), TRIALS)
def test_real_feet_stand_still_at_any_rate(trial: str, side: str, rate_hz: float) -> None:
    """Every real foot bout, as recorded and resampled down to 20 Hz, has a still
    moment far under the noise ceiling (ipol-gait: at most 0.096 of the swing rate;
    ``benchmarks/not_walking.py``, section 6); none is refused."""
    rec, _, _ = load(trial, side)
    up, down = int(rate_hz), int(FS)
    acc = signal.resample_poly(rec.acc_mps2, up, down, axis=0) if up != down else rec.acc_mps2
    gyro = signal.resample_poly(rec.gyro_rads, up, down, axis=0) if up != down else rec.gyro_rads
    res = FootGaitAnalyzer().analyze(acc, gyro, rate_hz)
    assert res.refused_bouts_ == []
    assert len(res.walking_bouts_) >= 1
    lenient = FootGaitAnalyzer(max_still_rotation_share=0.5).analyze(acc, gyro, rate_hz)
    assert res.walking_bouts_ == lenient.walking_bouts_

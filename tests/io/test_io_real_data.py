"""Readers against the real recordings (reached through tests/realdata.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from retrowalk.io import read_recording


def _xsens_rows(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", skiprows=1)


@pytest.mark.parametrize(
    ("name", "placement"),
    [("1-1_lb.txt", "lower_back"), ("1-1_lf.txt", "foot"), ("1-1_rf.txt", "foot")],
)
def test_ipol_xsens_values(shared_data: Path, name: str, placement: str) -> None:
    path = shared_data / "ipol-gait" / name
    rec = read_recording(path)
    rows = _xsens_rows(path)
    counter = rows["PacketCounter"].to_numpy().astype(int)
    assert rec.format == "xsens-txt"
    assert rec.sampling_rate_hz == 100.0
    assert rec.n_samples == counter[-1] - counter[0] + 1  # time base is the packet counter
    assert rec.placement == placement
    assert rec.units["acc"].unit == "mps2" and rec.units["acc"].decided_by == "file"
    assert rec.units["gyro"].unit == "rads" and rec.units["gyro"].decided_by == "file"
    idx = counter - counter[0]
    np.testing.assert_array_equal(rec.acc_mps2[idx], rows[["Acc_X", "Acc_Y", "Acc_Z"]].to_numpy())
    np.testing.assert_array_equal(rec.gyro_rads[idx], rows[["Gyr_X", "Gyr_Y", "Gyr_Z"]].to_numpy())
    g = np.median(np.linalg.norm(rec.acc_mps2, axis=1))
    assert 9.0 < g < 11.0
    assert any("PacketCounter skips" in n for n in rec.notes)


def test_ipol_gap_longer_than_threshold(shared_data: Path) -> None:
    rec = read_recording(shared_data / "ipol-gait" / "7-3_lb.txt")
    assert len(rec.gaps) == 1
    gap = rec.gaps[0]
    assert gap.duration_s == pytest.approx(0.65, abs=1e-9)
    i0 = round(gap.start_s * 100)
    i1 = round(gap.end_s * 100)
    held = rec.acc_mps2[i0 + 1 : i1]
    assert np.all(held == rec.acc_mps2[i0])  # last value held, not interpolated
    assert rec.gap_mask()[i0 + 1 : i1].all()
    assert any("gap" in n for n in rec.notes)


def test_ipol_events_fit_the_counter_time_base(shared_data: Path) -> None:
    """Reference events index the PacketCounter grid: none lies past its end."""
    meta = json.loads((shared_data / "ipol-gait" / "1-6.json").read_text())
    rec = read_recording(shared_data / "ipol-gait" / "1-6_lf.txt")
    last = max(hs for _, hs in meta["LeftFootEvents"])
    assert last < rec.n_samples


def test_ipol_all_files_read(shared_data: Path) -> None:
    files = sorted((shared_data / "ipol-gait").glob("*_*.txt"))
    assert files
    for path in files:
        rec = read_recording(path)
        assert rec.format == "xsens-txt", path
        assert rec.sampling_rate_hz == 100.0
        assert rec.units["acc"].unit == "mps2"
        g = np.median(np.linalg.norm(rec.acc_mps2, axis=1))
        assert 9.0 < g < 11.5, (path, g)
        assert rec.placement in ("lower_back", "foot")


def test_ipol_placement_override(shared_data: Path) -> None:
    rec = read_recording(shared_data / "ipol-gait" / "1-1_lb.txt", placement="pocket")
    assert rec.placement == "pocket"


def test_mobgap_files(shared_data: Path) -> None:
    files = sorted((shared_data / "mobgap-lab").glob("*.csv"))
    assert files
    for path in files:
        rec = read_recording(path)
        df = pd.read_csv(path)
        assert rec.format == "mobgap-csv"
        assert rec.n_samples == len(df)
        assert rec.sampling_rate_hz == 100.0
        assert rec.units["acc"].unit == "mps2" and rec.units["acc"].decided_by == "auto"
        assert rec.units["gyro"].unit == "dps" and rec.units["gyro"].decided_by == "auto"
        np.testing.assert_array_equal(rec.acc_mps2, df[["acc_x", "acc_y", "acc_z"]].to_numpy())
        np.testing.assert_allclose(
            rec.gyro_rads, np.deg2rad(df[["gyr_x", "gyr_y", "gyr_z"]].to_numpy()), rtol=1e-12
        )
        assert not rec.gaps
        assert not any("resampled" in n or "uniform" in n for n in rec.notes)  # fast path
        g = np.median(np.linalg.norm(rec.acc_mps2, axis=1))
        assert 9.3 < g < 10.0


def test_mobgap_first_values(shared_data: Path) -> None:
    rec = read_recording(shared_data / "mobgap-lab" / "HA_001_Test11_Trial1.csv")
    np.testing.assert_allclose(rec.acc_mps2[0], [9.690482, -0.498529, -0.135459])
    np.testing.assert_allclose(rec.gyro_rads[0], np.deg2rad([-2.326209, 2.967921, -0.916732]))
    assert rec.start_time is None


def test_mobgap_user_units_override(shared_data: Path) -> None:
    path = shared_data / "mobgap-lab" / "HA_002_Test5_Trial1.csv"
    rec = read_recording(path, acc_unit="g", gyro_unit="rads")
    assert rec.units["acc"].decided_by == "user"
    assert rec.units["acc"].unit == "g"
    assert np.median(np.linalg.norm(rec.acc_mps2, axis=1)) > 80  # honoured, however odd
    assert any("look like m/s^2" in n for n in rec.notes)
    assert any("deg/s" in n for n in rec.notes)


def test_mobgap_resampled_to_50(shared_data: Path) -> None:
    path = shared_data / "mobgap-lab" / "HA_001_Test5_Trial1.csv"
    full = read_recording(path)
    half = read_recording(path, target_rate_hz=50)
    assert half.sampling_rate_hz == 50
    assert half.n_samples == pytest.approx(full.n_samples / 2, abs=1)
    # gait content (well below 20 Hz) survives: compare with every 2nd source sample
    ref = full.acc_mps2[::2]
    m = min(len(ref), half.n_samples) - 10
    assert np.median(np.abs(half.acc_mps2[10:m] - ref[10:m])) < 0.05

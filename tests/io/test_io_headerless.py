"""Headerless CSVs, ActiLife CSV exports and legacy .gt3x, on the real files."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from realdata import device_export, phone_steps_recordings
from retrowalk.cli.main import app
from retrowalk.core.errors import InputError, UnsupportedFormatError
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze

G = 9.80665


def _phone(index: int = 0) -> Path:
    return phone_steps_recordings()[index][1]


def test_phone_steps_read_with_named_columns_matches_the_file() -> None:
    path = _phone()
    rec = read_recording(path, columns="time_ns,_,acc_x,acc_y,acc_z")
    raw = pd.read_csv(path, header=None).to_numpy()
    assert rec.format == "headerless-csv"
    assert rec.notes[0] == "no header line: columns given as time_ns,_,acc_x,acc_y,acc_z"
    span_s = (raw[-1, 0] - raw[0, 0]) / 1e9
    assert rec.n_samples / rec.sampling_rate_hz == pytest.approx(
        span_s, abs=2 / rec.sampling_rate_hz
    )
    assert rec.acc_mps2[0] == pytest.approx(raw[0, 2:5])  # m/s^2, not scaled
    assert rec.units["acc"].unit == "mps2"


def test_named_columns_as_a_list_give_the_same_recording() -> None:
    path = _phone()
    a = read_recording(path, columns="time_ns,_,acc_x,acc_y,acc_z")
    b = read_recording(path, columns=["time_ns", "_", "acc_x", "acc_y", "acc_z"])
    np.testing.assert_array_equal(a.acc_mps2, b.acc_mps2)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            "time_ns,acc_x,acc_y,acc_z",
            "columns names 4 columns (time_ns,acc_x,acc_y,acc_z) but the row has 5 fields",
        ),
        ("time_ns,_,acc_x,acc_y,acc_z,_", "columns names 6 columns"),
        ("time_ns,_,acc_x,acc_y", "columns must name acc_x, acc_y and acc_z"),
        ("time_ns,_,acc_x,acc_y,accz", "unknown column name 'accz'"),
        ("_,_,acc_x,acc_y,acc_z", "exactly one time column"),
    ],
)
def test_wrong_columns_give_one_line_errors(columns: str, message: str) -> None:
    path = _phone()
    with pytest.raises(InputError) as info:
        read_recording(path, columns=columns)
    text = str(info.value)
    assert message in text and "\n" not in text and path.name in text


def test_phone_steps_layout_is_recognised_without_columns() -> None:
    path = _phone()
    rec = read_recording(path)
    named = read_recording(path, columns="time_ns,_,acc_x,acc_y,acc_z")
    assert rec.format == "headerless-csv"
    assert "recognised the phone-logger layout" in rec.notes[0]
    assert rec.units["acc"].decided_by == "file" and "phone-logger" in rec.units["acc"].evidence
    np.testing.assert_array_equal(rec.acc_mps2, named.acc_mps2)


def test_every_phone_steps_recording_is_read() -> None:
    for folder, path, _ in phone_steps_recordings():
        rec = read_recording(path)
        assert rec.format == "headerless-csv", folder
        duration_s = rec.n_samples / rec.sampling_rate_hz
        assert 60 < duration_s < 400, folder
        assert 9.0 < float(np.median(np.linalg.norm(rec.acc_mps2, axis=1))) < 11.0, folder


def test_a_phone_logger_export_folder_or_zip_reads_its_accelerometer_table(
    tmp_path: Path,
) -> None:
    """The phone-steps folders as they come (accelerometer.csv and the phone's own
    stepcounter.csv, neither with a header line): the folder, and a zip of it, read
    the accelerometer table exactly as the file given on its own."""
    path = _phone()
    alone = read_recording(path)
    folder = read_recording(path.parent)
    assert folder.format == "headerless-csv"
    np.testing.assert_array_equal(folder.acc_mps2, alone.acc_mps2)
    assert folder.sampling_rate_hz == alone.sampling_rate_hz
    assert folder.notes[0].startswith("accelerometer.csv: no header line: recognised the phone-")
    assert any(n.startswith("stepcounter.csv: skipped") for n in folder.notes)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for member in sorted(path.parent.iterdir()):
            zf.write(member, member.name)
    zipped = read_recording(archive)
    np.testing.assert_array_equal(zipped.acc_mps2, alone.acc_mps2)


def test_an_export_with_two_headerless_acceleration_tables_names_both(tmp_path: Path) -> None:
    folder = tmp_path / "two phones"
    folder.mkdir()
    shutil.copy(_phone(0), folder / "accelerometer.csv")
    shutil.copy(_phone(1), folder / "accelerometer_2.csv")
    with pytest.raises(UnsupportedFormatError) as info:
        read_recording(folder)
    text = str(info.value)
    assert "\n" not in text and text.startswith(str(folder))
    assert "2 acceleration tables without a header line" in text
    assert "(accelerometer.csv, accelerometer_2.csv)" in text


def test_phone_steps_step_count_near_the_truth() -> None:
    """Hand-held phone on a hard floor: steps within 5 % of the counted truth."""
    folder, path, truth = phone_steps_recordings()[0]
    analysis = analyze(read_recording(path), AnalysisOptions())
    steps = sum(b.n_steps for b in analysis.bouts)
    assert abs(steps - truth) <= 0.05 * truth, (folder, steps, truth)


def test_headerless_axivity_unix_seconds() -> None:
    path = device_export("generic-csv", "GGIR_ax3_testfile_unix_timestamps.csv")
    rec = read_recording(path)
    raw = pd.read_csv(path, header=None).to_numpy()
    assert rec.format == "headerless-csv"
    assert "Axivity CSV layout (unix time in seconds" in rec.notes[0]
    assert rec.sampling_rate_hz == 100.0
    assert rec.units["acc"].unit == "g"
    assert rec.start_time is not None and rec.start_time.year == 2019
    assert rec.acc_mps2[0] == pytest.approx(raw[0, 1:4] * G)


def test_headerless_axivity_datetime_with_gyro_is_refused_for_its_small_acc() -> None:
    """The AX6 test file's 'acceleration' has |acc| ~ 0.07: read as g, it has no gravity."""
    path = device_export("generic-csv", "GGIR_ax6_testfile_formatted_timestamps.csv")
    with pytest.raises(InputError, match="does not include gravity"):
        read_recording(path)
    # named columns: the date-time text is parsed and the file reaches the same check
    with pytest.raises(InputError, match="does not include gravity"):
        read_recording(path, columns="time_iso,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z")
    with pytest.raises(InputError, match="line 1: columns names 4 columns"):
        read_recording(path, columns="time_iso,acc_x,acc_y,acc_z")


def test_actilife_raw_csv_matches_the_gt3x() -> None:
    csv_rec = read_recording(device_export("gt3x", "pygt3x_neo.csv"))
    gt3x_rec = read_recording(device_export("gt3x", "pygt3x_neo.gt3x"))
    assert csv_rec.format == "actilife-csv" and gt3x_rec.format == "actigraph-gt3x"
    assert csv_rec.sampling_rate_hz == 30.0 and csv_rec.units["acc"].unit == "g"
    assert str(csv_rec.start_time) == "2021-12-20 11:55:00"
    assert csv_rec.start_time == gt3x_rec.start_time
    assert csv_rec.n_samples == gt3x_rec.n_samples == 18004
    np.testing.assert_allclose(csv_rec.acc_mps2, gt3x_rec.acc_mps2, atol=0.0011 * G)


def test_epoch_count_csv_is_refused_naming_the_file() -> None:
    path = device_export("generic-csv", "GGIR_ActiGraph13_timestamps_headers.csv")
    with pytest.raises(UnsupportedFormatError) as info:
        read_recording(path)
    text = str(info.value)
    assert "this holds activity counts, not raw acceleration" in text
    assert path.name in text and "\n" not in text


def test_gt3x_info_txt_waist_sets_lower_back_and_idle_fill_is_gaps() -> None:
    rec = read_recording(device_export("gt3x", "GGIR_actigraph_testfile.gt3x"))
    assert rec.placement == "lower_back"
    assert any("idle-sleep-mode fill" in n for n in rec.notes)
    gap_s = sum(g.duration_s for g in rec.gaps)
    assert gap_s == pytest.approx(1180, abs=5)  # 67 % of 1768 s
    assert any("height_m 1.5, weight_kg 61, age_years 42" in n for n in rec.notes)


def test_gt3x_wrist_is_noted_as_not_supported() -> None:
    rec = read_recording(device_export("gt3x", "pygt3x_ISM_Disabled.gt3x"))
    assert rec.placement == "auto"
    assert any("wrist placement is not supported" in n for n in rec.notes)


def test_gt3x_body_measures_become_given_values() -> None:
    from retrowalk.app.analyse import AnalysisRequest, analyse_file

    analysis = analyse_file(
        device_export("gt3x", "GGIR_actigraph_testfile.gt3x"),
        AnalysisRequest(use_stored_profiles=False, weight_kg=70.0),
    )
    assert analysis.assumptions["height_m"] == 1.5
    assert analysis.assumptions["height_source"] == "given"
    assert analysis.assumptions["weight_kg"] == 70.0  # the caller's value wins


def test_cli_columns_option_and_help() -> None:
    runner = CliRunner()
    path = _phone()
    bad = runner.invoke(app, ["analyze", str(path), "--columns", "time_ns,acc_x,acc_y,acc_z"])
    assert bad.exit_code != 0
    assert "columns names 4 columns" in bad.output
    ok = runner.invoke(
        app, ["analyze", str(path), "--columns", "time_ns,_,acc_x,acc_y,acc_z", "--json", "-"]
    )
    assert ok.exit_code == 0, ok.output
    assert '"format": "headerless-csv"' in ok.output
    helptext = runner.invoke(app, ["analyze", "--help"], terminal_width=200).output
    for what in (
        "--columns",
        "phone logger",
        "Axivity CSV",
        "ActiLife raw CSV",
        "legacy NEO",
        "epoch-count",
    ):
        assert what in helptext, what


def test_unknown_headerless_layout_asks_for_columns(tmp_path: Path) -> None:
    """Mechanics (synthetic): two numeric columns match no known layout."""
    path = tmp_path / "two.csv"
    path.write_text("".join(f"{i * 0.01:.2f},{i % 7}\n" for i in range(100)))
    with pytest.raises(UnsupportedFormatError, match="name them with --columns") as info:
        read_recording(path)
    assert "\n" not in str(info.value)


def test_refusal_of_a_recognised_layout_says_what_was_assumed() -> None:
    path = device_export("generic-csv", "GGIR_ax6_testfile_formatted_timestamps.csv")
    with pytest.raises(InputError) as info:
        read_recording(path)
    assert "recognised the Axivity CSV layout (date-time text" in str(info.value)


@pytest.mark.parametrize(
    "cells",
    [
        ["1", "-2", "+3"],
        ["1.5", ".5", "5.", "1e3", "-2.5E-3"],
        ["1", "2", ""],
        ["1", "1.5.2", "3"],
        ["1", "e5", "3"],
        ["1", "nan", "2"],
        ["2024-01-02 03:04:05.5", "2024-01-02T03:04:06"],
        ["2024-01-02 03:04:05", "2024-01-02 3:04:05"],
        ["\u0661\u0662", "3"],
        ["1 2", "3"],
    ],
)
def test_one_match_of_a_column_agrees_with_a_match_per_cell(cells: list[str]) -> None:
    from retrowalk.io import headerless as hl

    for one, every in (
        (hl._INT, hl._ALL_INT),
        (hl._FLOAT, hl._ALL_FLOAT),
        (hl._ISO_FULL, hl._ALL_ISO_FULL),
    ):
        assert hl._all_match(every, cells) == all(one.match(c) for c in cells)


def test_spaced_and_quoted_cells_are_recognised_as_plain_ones() -> None:
    from retrowalk.io.headerless import recognise_headerless

    rng = np.random.default_rng(3)
    rows = [
        (833841569044223 + i * 20_000_000, 3, *map(float, rng.normal(0, 0.5, 3) + (0.3, 6.5, 7.6)))
        for i in range(60)
    ]
    plain = "".join(f"{t},{f},{x!r},{y!r},{z!r}\n" for t, f, x, y, z in rows)
    spaced = "".join(f'{t}, {f} ,"{x!r}", {y!r},  {z!r} \n' for t, f, x, y, z in rows)
    found = recognise_headerless(plain.encode())
    assert found is not None and found[0][0] == "time_ns"
    assert recognise_headerless(spaced.encode()) == found

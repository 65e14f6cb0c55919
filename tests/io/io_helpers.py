"""Helpers for the reader tests: real-data location and synthetic, physically consistent signals."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from realdata import data_root

G = 9.80665
SHARED_DATA = data_root()


@dataclass
class Motion:
    """A physically consistent synthetic recording (acc in m/s^2 with gravity, gyro rad/s)."""

    t: np.ndarray
    acc: np.ndarray
    gyro: np.ndarray
    rate: float


def _rodrigues(axis: np.ndarray, angle: np.ndarray) -> np.ndarray:
    k = axis / np.linalg.norm(axis)
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    eye = np.eye(3)
    s = np.sin(angle)[:, None, None]
    c = np.cos(angle)[:, None, None]
    return eye + s * kx + (1 - c) * (kx @ kx)


def make_motion(
    seconds: float = 20.0,
    rate: float = 100.0,
    *,
    sway_rad: float = 0.3,
    sway_hz: float = 1.0,
    bounce: float = 1.5,
    seed: int = 0,
) -> Motion:
    """Swaying and bouncing sensor: gravity turns in the sensor frame as the gyro says.

    The sensor tilts by ``sway_rad * sin(2 pi sway_hz t)`` about a fixed axis, so
    the angular rate is exactly that angle's derivative about the axis, and the
    gravity seen by the sensor turns accordingly; a vertical bounce of ``bounce``
    m/s^2 at twice the sway frequency stands in for steps.
    """
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    t = np.arange(n) / rate
    axis = np.array([0.3, 1.0, 0.2])
    axis /= np.linalg.norm(axis)
    theta = sway_rad * np.sin(2 * np.pi * sway_hz * t)
    dtheta = sway_rad * 2 * np.pi * sway_hz * np.cos(2 * np.pi * sway_hz * t)
    rot = _rodrigues(axis, theta)  # sensor -> world
    f_world = np.zeros((n, 3))
    f_world[:, 2] = G + bounce * np.sin(2 * np.pi * 2 * sway_hz * t)
    acc = np.einsum("nji,nj->ni", rot, f_world)  # R^T f
    acc += rng.normal(0, 0.02, acc.shape)
    gyro = dtheta[:, None] * axis[None, :] + rng.normal(0, 0.005, (n, 3))
    return Motion(t=t, acc=acc, gyro=gyro, rate=rate)


def write_table(
    path: Path,
    header: list[str],
    columns: list[np.ndarray],
    *,
    sep: str = ",",
    decimal: str = ".",
    fmt: str = "{:.6f}",
    quote_header: bool = False,
    preamble: list[str] | None = None,
) -> Path:
    """Write a delimited table (numbers formatted with ``fmt``)."""
    lines = list(preamble or [])
    names = [f'"{h}"' if quote_header else h for h in header]
    lines.append(sep.join(names))
    n = len(columns[0])
    cols_txt = []
    for col in columns:
        if col.dtype.kind in "iuO" or col.dtype.kind == "U":
            cols_txt.append([str(v) for v in col])
        else:
            txt = [fmt.format(v) for v in col]
            if decimal != ".":
                txt = [v.replace(".", decimal) for v in txt]
            cols_txt.append(txt)
    for i in range(n):
        lines.append(sep.join(c[i] for c in cols_txt))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_cwa(
    path: Path, acc_g: np.ndarray, gyro_dps: np.ndarray, start_epoch_s: int, rate_code: int = 10
) -> Path:
    """Write an Axivity AX6 ``.cwa`` file (public OpenMovement block layout).

    One 1024-byte header block, then 512-byte data blocks of 40 samples
    (gyro x, y, z then acc x, y, z as int16; 256 LSB per g, 16.384 LSB per deg/s),
    each with a packed timestamp, a sub-second offset and a zero-sum checksum.
    """
    import struct
    from datetime import UTC, datetime

    rate = 3200.0 / (1 << (15 - rate_code))
    header = bytearray(1024)
    header[0:4] = b"MD\xfc\x03"
    blocks = [bytes(header)]
    per_block = 40
    n = acc_g.shape[0] // per_block * per_block
    for k in range(n // per_block):
        t_block = start_epoch_s + k * per_block / rate
        whole = int(np.floor(t_block))
        frac = t_block - whole
        d = datetime.fromtimestamp(whole, tz=UTC)
        packed = (
            ((d.year - 2000) << 26) | (d.month << 22) | (d.day << 17) | (d.hour << 12)
            | (d.minute << 6) | d.second
        )  # fmt: skip
        raw = bytearray(512)
        raw[0:2] = b"AX"
        struct.pack_into("<H", raw, 2, 508)
        struct.pack_into("<I", raw, 10, k)
        struct.pack_into("<I", raw, 14, packed)
        raw[24] = rate_code
        raw[25] = (6 << 4) | 2
        struct.pack_into("<h", raw, 26, -round(frac * rate))
        struct.pack_into("<H", raw, 28, per_block)
        sl = slice(k * per_block, (k + 1) * per_block)
        samples = np.column_stack(
            [np.round(gyro_dps[sl] * 16.384), np.round(acc_g[sl] * 256)]
        ).astype("<i2")
        raw[30 : 30 + samples.nbytes] = samples.tobytes()
        words = np.frombuffer(bytes(raw[:510]), dtype="<u2")
        struct.pack_into("<H", raw, 510, (-int(words.sum())) & 0xFFFF)
        blocks.append(bytes(raw))
    path.write_bytes(b"".join(blocks))
    return path


def write_gt3x(path: Path, acc_g: np.ndarray, start_epoch_s: int, rate: int = 30) -> Path:
    """Write an ActiGraph ``.gt3x`` archive (public log.bin layout, ACTIVITY2 records).

    ``info.txt`` plus ``log.bin`` with one record per second: separator 0x1E, type 26,
    Unix timestamp, payload size, int16 x/y/z samples (256 per g), xor checksum.
    """
    import struct
    import zipfile

    scale = 256.0
    records = []
    n_sec = acc_g.shape[0] // rate
    for s in range(n_sec):
        ts = start_epoch_s + s
        payload = np.round(acc_g[s * rate : (s + 1) * rate] * scale).astype("<i2").tobytes()
        header = struct.pack("<BBLH", 0x1E, 26, ts, len(payload))
        check = 0x1E ^ 26
        for b in ts.to_bytes(4, "little") + len(payload).to_bytes(4, "little") + payload:
            check ^= b
        records.append(header + payload + bytes([~check & 0xFF]))
    info = (
        "Serial Number: MOS2E00000000\nDevice Type: wGT3XBT\nFirmware: 1.9.2\n"
        f"Sample Rate: {rate}\nAcceleration Scale: {scale}\nAcceleration Min: -8.0\n"
        "Acceleration Max: 8.0\nStart Date: 638357432000000000\n"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("info.txt", info)
        zf.writestr("log.bin", b"".join(records))
    return path


def spy_on_reader(monkeypatch: Any, module: Any, name: str) -> list[bool]:
    """Wrap ``module.name`` (a fast table reader that gives ``None`` when it leaves a
    table to the next one) so that each call appends whether it read the table."""
    taken: list[bool] = []
    reader = getattr(module, name)

    def spy(*args: Any) -> Any:
        columns = reader(*args)
        taken.append(columns is not None)
        return columns

    monkeypatch.setattr(module, name, spy)
    return taken

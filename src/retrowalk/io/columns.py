"""Recognising time and sensor columns by their header names.

Names are matched after normalisation: lower case, units in brackets removed,
separators dropped (``"Acceleration x (m/s^2)"`` -> ``"accelerationx"``,
``"accelerometerAccelerationX(G)"`` -> ``"accelerometeraccelerationx"``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from retrowalk.io.units import unit_from_label

AXES = ("x", "y", "z")

# Stream kind -> name stems (normalised) that precede the axis letter.
_STEMS: dict[str, tuple[str, ...]] = {
    "acc": (
        "acc",
        "accel",
        "acceleration",
        "accelerometer",
        "accelerometeracceleration",
        "accelerometeraccel",
        "totalacceleration",
        "totalacc",
        "rawacc",
        "a",
        "accelerationincludinggravity",
        "accelerationwithg",
        "gf",  # g-force, in g (Physics Toolbox Sensor Suite: gFx, gFy, gFz)
    ),
    "linacc": (
        "linearacceleration",
        "linearacc",
        "linacc",
        "useracceleration",
        "motionuseracceleration",
        "useracc",
        "freeacc",
        "accelerationwithoutg",
    ),
    "gyro": (
        "gyr",
        "gyro",
        "gyroscope",
        "gyroscoperotationrate",
        "gyrorotation",
        "gyrorotationrate",
        "rotationrate",
        "motionrotationrate",
        "angularvelocity",
        "angvel",
        "g",
        "w",
        "omega",
    ),
    "gravity": ("gravity", "grav", "motiongravity"),
}

_UNIT_TOKENS = {
    "g": "g",
    "mg": "mg",
    "mps2": "mps2",
    "ms2": "mps2",
    "dps": "dps",
    "degs": "dps",
    "deg": "dps",
    "rads": "rads",
    "rad": "rads",
}

_TIME_NAMES = (
    "time",
    "t",
    "timestamp",
    "times",
    "seconds",
    "secondselapsed",
    "elapsed",
    "elapsedtime",
    "datetime",
    "date",
    "loggingtime",
    "epoch",
    "unixtime",
    "utc",
    "sampletime",
    "relativetime",  # Science Journal
    "epoc",  # MetaWear's "epoc (ms)"
)


def normalise(name: str) -> str:
    """Lower-case alphanumeric form of a column name without bracketed units."""
    s = name.strip().strip('"').strip("'")
    s = re.sub(r"[\(\[\{].*?[\)\]\}]", "", s)
    return re.sub(r"[^0-9a-z]", "", s.lower())


def _split_unit_suffix(name: str) -> tuple[str, str | None]:
    """``"acc_x_mps2"`` -> (``"accx"``, ``"mps2"``)."""
    s = re.sub(r"[\(\[\{].*?[\)\]\}]", "", name.strip().strip('"'))
    tokens = [t for t in re.split(r"[_\s\-]+", s.lower()) if t]
    if len(tokens) >= 2 and tokens[-1] in _UNIT_TOKENS:
        unit = _UNIT_TOKENS[tokens[-1]]
        return re.sub(r"[^0-9a-z]", "", "".join(tokens[:-1])), unit
    return normalise(name), None


def time_unit_from_label(label: str) -> str | None:
    """The time unit a column label states: ``"s"``, ``"ms"``, ``"us"``, ``"ns"`` or None."""
    s = label.strip().strip('"').lower()
    if re.search(r"(^|[^a-z])(ns|nanos|nanoseconds?)([^a-z]|$)", s):
        return "ns"
    if re.search(r"(^|[^a-z])(us|µs|micros|microseconds?)([^a-z]|$)", s):
        return "us"
    if re.search(r"(^|[^a-z])(ms|msec|millis|milliseconds?)([^a-z]|$)", s):
        return "ms"
    if re.search(r"(^|[^a-z])(s|sec|secs|seconds?)([^a-z]|$)", s) or "seconds" in s:
        return "s"
    return None


@dataclass
class ColumnMap:
    """Which header columns hold time and the sensor axes.

    Attributes
    ----------
    time
        Name of the time column, or ``None``.
    streams
        Kind (``"acc"``, ``"linacc"``, ``"gyro"``, ``"gravity"``) -> three column names
        in x, y, z order.
    units
        Kind -> unit stated in the header (``"g"``, ``"mg"``, ``"mps2"``, ``"dps"``,
        ``"rads"``), or in the table's units row.
    from_units_row
        The kinds whose unit the units row states.
    time_unit
        The time column's cell of the units row (``"ms"``), or ``None``.
    """

    time: str | None = None
    streams: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    from_units_row: frozenset[str] = frozenset()
    time_unit: str | None = None


def map_columns(columns: Sequence[str], units: Sequence[str] = ()) -> ColumnMap:
    """Find the time column and x/y/z triplets of each stream kind.

    ``units``: the cells of a units row under the header (one per column, ``""``
    where it names none), read as a unit in brackets after the column's name is.

    Columns are named as Shimmer's Consensys exports them too
    (``Shimmer_8D12_Accel_LN_X_CAL``: any device prefix, the signal, ``_CAL`` for
    calibrated values). Columns marked ``_RAW`` or ``_UNCAL`` hold ADC counts and
    are never read. Of Shimmer3's two accelerometers, the low-noise one
    (``Accel_LN``, the one Consensys enables by default, +/-2 g) is taken before
    the wide-range one (``Accel_WR``, +/-2 to 16 g), which is read when the file
    holds no low-noise triplet. Of its time columns, the numeric Unix time
    (``Timestamp_Unix_CAL``, ms since the epoch) is taken first, then the
    synchronised one (``TimestampSync_Unix_CAL``), then the same written as text
    (``Timestamp_FormattedUnix_CAL``), then the time since the device started
    (``Timestamp_CAL``), then the computer's (``System_Timestamp_CAL``).
    """
    # many files of a batch share one header: it is read once (a fresh copy each call)
    found = _map_columns(tuple(columns), tuple(units))
    return ColumnMap(
        found.time, dict(found.streams), dict(found.units), found.from_units_row, found.time_unit
    )


@lru_cache(maxsize=256)
def _map_columns(columns: tuple[str, ...], units: tuple[str, ...] = ()) -> ColumnMap:
    cmap = ColumnMap()
    found: dict[str, dict[str, str]] = {}
    unit_of: dict[str, str] = {}
    row_unit_of: dict[str, bool] = {}
    plain: dict[str, str] = {}
    shimmer: dict[str, dict[int, dict[str, str]]] = {}  # kind -> rank -> axis -> column
    shimmer_times: list[tuple[int, str]] = []
    unit_cell = dict(zip(columns, units, strict=False))
    for col in columns:
        marker = _CALIBRATION.search(col)
        if marker is not None and marker.group(1).lower() != "cal":
            continue  # ADC counts (Shimmer's _RAW, _UNCAL): never a reading in units
        signal = _shimmer_signal(col) if marker is not None else None
        if signal is not None:
            kind, rank, axis = signal
            if kind == "time":
                shimmer_times.append((rank, col))
            else:
                shimmer.setdefault(kind, {}).setdefault(rank, {}).setdefault(axis, col)
            continue
        key, unit = _split_unit_suffix(col)
        label_unit = _row_unit(unit_cell.get(col)) or unit_from_label(col) or unit
        if cmap.time is None and _is_time_name(key):
            cmap.time = col
            continue
        if key in AXES or key in _AXIS_NAMES:  # "x", or MetaWear's "x-axis (g)"
            plain.setdefault(_AXIS_NAMES.get(key, key), col)
            continue
        if not key or key[-1] not in AXES:
            continue
        stem, axis = key[:-1], key[-1]
        for kind, stems in _STEMS.items():
            if stem in stems:
                found.setdefault(kind, {}).setdefault(axis, col)
                if label_unit is not None:
                    unit_of.setdefault(kind, label_unit)
                    row_unit_of.setdefault(kind, _row_unit(unit_cell.get(col)) is not None)
                break
    for kind, axes in found.items():
        if all(a in axes for a in AXES):
            cmap.streams[kind] = (axes["x"], axes["y"], axes["z"])
            if kind in unit_of:
                cmap.units[kind] = unit_of[kind]
    for kind, ranked in shimmer.items():
        whole = [axes for _, axes in sorted(ranked.items()) if all(a in axes for a in AXES)]
        if kind in cmap.streams or not whole:
            continue
        cmap.streams[kind] = (whole[0]["x"], whole[0]["y"], whole[0]["z"])
        for col in cmap.streams[kind]:
            unit = _row_unit(unit_cell.get(col))
            if unit is not None or (unit := unit_from_label(col)) is not None:
                cmap.units[kind] = unit
                row_unit_of[kind] = _row_unit(unit_cell.get(col)) is not None
                break
    if cmap.time is None and shimmer_times:
        cmap.time = min(shimmer_times)[1]
    if len(plain) == 3:  # axes named alone: their unit says what they measure
        from_row = {_row_unit(unit_cell.get(plain[a])) for a in AXES} - {None}
        stated = from_row or {unit_from_label(plain[a]) for a in AXES} - {None}
        unit = stated.pop() if len(stated) == 1 else None
        kind = "gyro" if unit in ("dps", "rads") else "acc"
        if kind not in cmap.streams and (kind == "gyro" or "linacc" not in cmap.streams):
            cmap.streams[kind] = (plain["x"], plain["y"], plain["z"])
            if unit is not None:
                cmap.units[kind] = unit
                row_unit_of[kind] = bool(from_row)
    cmap.from_units_row = frozenset(k for k in cmap.units if row_unit_of.get(k))
    if cmap.time is not None and unit_cell.get(cmap.time):
        cmap.time_unit = unit_cell[cmap.time]
    return cmap


def _row_unit(cell: str | None) -> str | None:
    """The unit a units row's cell names (``"m/(s^2)"`` -> ``"mps2"``), as a unit in
    brackets after a column's name is read; ``None`` for none."""
    return unit_from_label(f"({cell})") if cell else None


#: The calibration a Shimmer column's name ends with (``_CAL``, ``_RAW``, ``_UNCAL``).
_CALIBRATION = re.compile(r"_(CAL|RAW|UNCAL)$", re.IGNORECASE)
#: A calibrated Shimmer sensor column's signal after any device prefix (``_CAL`` cut).
_SHIMMER_STREAM = re.compile(r"(?:^|_)(accel_ln|accel_wr|accel|gyro)_([xyz])$", re.IGNORECASE)
_SHIMMER_STREAMS = {"accel_ln": ("acc", 0), "accel_wr": ("acc", 1), "accel": ("acc", 2)}
#: A Shimmer time column's signal, and its rank (the lowest is taken).
_SHIMMER_TIME = re.compile(
    r"(?:^|_)((?:system_)?timestamp(?:sync)?(?:_(?:formatted)?unix)?)$", re.IGNORECASE
)
_SHIMMER_TIMES = {
    "timestamp_unix": 0,
    "timestampsync_unix": 1,
    "timestamp_formattedunix": 2,
    "timestampsync_formattedunix": 3,
    "timestamp": 4,
    "timestampsync": 5,
}


def _shimmer_signal(column: str) -> tuple[str, int, str] | None:
    """(kind, rank, axis) of a calibrated Shimmer column (``..._Accel_LN_X_CAL`` ->
    ``("acc", 0, "x")``; a time column is ``("time", rank, "")``), or ``None``."""
    name = _CALIBRATION.sub("", column.strip().strip('"'))
    stream = _SHIMMER_STREAM.search(name)
    if stream is not None:
        signal = stream.group(1).lower()
        kind, rank = _SHIMMER_STREAMS.get(signal, ("gyro", 0))
        return kind, rank, stream.group(2).lower()
    time = _SHIMMER_TIME.search(name)
    if time is not None:
        return "time", _SHIMMER_TIMES.get(time.group(1).lower(), len(_SHIMMER_TIMES)), ""
    return None


#: Axes named as axes ("x-axis"), as MetaWear's exports name them.
_AXIS_NAMES = {f"{a}axis": a for a in AXES}


def _is_time_name(key: str) -> bool:
    if key in ("ts", "tms", "tus", "tns", "tsec"):
        return True
    return key in _TIME_NAMES or key.startswith("time") or "timestamp" in key

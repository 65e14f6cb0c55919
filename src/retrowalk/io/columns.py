"""Recognising time and sensor columns by their header names.

Names are matched after normalisation: lower case, units in brackets removed,
separators dropped (``"Acceleration x (m/s^2)"`` -> ``"accelerationx"``,
``"accelerometerAccelerationX(G)"`` -> ``"accelerometeraccelerationx"``).
"""

from __future__ import annotations

import re
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
        ``"rads"``).
    """

    time: str | None = None
    streams: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)


def map_columns(columns: list[str]) -> ColumnMap:
    """Find the time column and x/y/z triplets of each stream kind."""
    # many files of a batch share one header: it is read once (a fresh copy each call)
    found = _map_columns(tuple(columns))
    return ColumnMap(found.time, dict(found.streams), dict(found.units))


@lru_cache(maxsize=256)
def _map_columns(columns: tuple[str, ...]) -> ColumnMap:
    cmap = ColumnMap()
    found: dict[str, dict[str, str]] = {}
    unit_of: dict[str, str] = {}
    plain: dict[str, str] = {}
    for col in columns:
        key, unit = _split_unit_suffix(col)
        label_unit = unit_from_label(col) or unit
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
                break
    for kind, axes in found.items():
        if all(a in axes for a in AXES):
            cmap.streams[kind] = (axes["x"], axes["y"], axes["z"])
            if kind in unit_of:
                cmap.units[kind] = unit_of[kind]
    if len(plain) == 3:  # axes named alone: their unit says what they measure
        units = {unit_from_label(plain[a]) for a in AXES} - {None}
        unit = units.pop() if len(units) == 1 else None
        kind = "gyro" if unit in ("dps", "rads") else "acc"
        if kind not in cmap.streams and (kind == "gyro" or "linacc" not in cmap.streams):
            cmap.streams[kind] = (plain["x"], plain["y"], plain["z"])
            if unit is not None:
                cmap.units[kind] = unit
    return cmap


#: Axes named as axes ("x-axis"), as MetaWear's exports name them.
_AXIS_NAMES = {f"{a}axis": a for a in AXES}


def _is_time_name(key: str) -> bool:
    if key in ("ts", "tms", "tus", "tns", "tsec"):
        return True
    return key in _TIME_NAMES or key.startswith("time") or "timestamp" in key

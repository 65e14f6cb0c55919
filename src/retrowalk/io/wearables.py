"""Axivity ``.cwa`` and ActiGraph ``.gt3x`` files through their maintained readers.

Both readers are optional (the ``wearables`` extra): ``actipy`` (needs Java) for
Axivity and ``pygt3x`` for ActiGraph. They are imported only when such a file is
read; without them the user is told how to install them.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
import struct
import sys
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import numpy as np

from retrowalk.core.errors import ExtraMissingError, InputError
from retrowalk.io.assemble import Block, Parsed

INSTALL_HINT = "pip install 'retrowalk[wearables]'"


def _require(module: str, path: Path, what: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ExtraMissingError(
            path, f"reading {what} files needs the optional package {module}: {INSTALL_HINT}"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def read_cwa(path: Path) -> Parsed:
    """Parse an Axivity AX3/AX6 ``.cwa`` file with actipy (raw samples, no processing).

    Raises
    ------
    InputError
        When actipy (or Java) is missing or the file cannot be decoded.
    """
    actipy = _require("actipy", path, "Axivity .cwa")
    java: list[str] = []
    try:
        # actipy prints what it repairs on stdout (where ``--json -`` writes), and its
        # Java reader on stderr: kept from both, and said in notes instead
        with contextlib.redirect_stdout(io.StringIO()), _stderr_lines(java, _JAVA_REPAIRS):
            data, info = actipy.read_device(
                str(path), lowpass_hz=None, calibrate_gravity=False, detect_nonwear=False,
                resample_hz=None, verbose=False,
            )  # fmt: skip
    except FileNotFoundError as exc:
        raise ExtraMissingError(
            path, f"the Axivity reader needs Java ({_first_line(exc)})"
        ) from None
    except Exception as exc:  # the reader runs Java; any failure means an unreadable file
        raise InputError(path, f"the Axivity reader failed: {_first_line(exc)}") from None
    if len(data) < 2:
        raise InputError(path, "the file holds no acceleration samples")
    ns = data.index.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    t = (ns - ns[0]).astype(np.float64) / 1e9
    streams = {"acc": np.ascontiguousarray(data[["x", "y", "z"]].to_numpy(dtype=np.float64))}
    gyro_cols = ["gyro_x", "gyro_y", "gyro_z"]
    if all(c in data.columns for c in gyro_cols):
        streams["gyro"] = np.ascontiguousarray(data[gyro_cols].to_numpy(dtype=np.float64))
    block = Block(
        t=t, streams=streams, display=str(path),
        time_field="time", rate_hz=_rate(info),
    )  # fmt: skip
    start = data.index[0].to_pydatetime()
    units = {"acc": ("g", "Axivity CWA: acceleration in g")}
    if "gyro" in streams:
        units["gyro"] = ("dps", "Axivity AX6 CWA: angular rate in deg/s")
    notes = [f"read with actipy {getattr(actipy, '__version__', '')}".strip()]
    skipped = Counter(
        line.partition(":")[2].strip() or "damaged"
        for line in java
        if line.startswith(_JAVA_REPAIRS[0])
    )
    capped = sum(line.startswith(_JAVA_REPAIRS[1]) for line in java)
    if skipped:
        why = "; ".join(f"{n} {reason}" for reason, n in skipped.most_common())
        notes.append(
            f"the Axivity reader skipped {skipped.total()} damaged block(s) of the file "
            f"({why}): their samples are missing"
        )
    if capped:
        notes.append(
            f"the Axivity reader read {capped} block(s) stating more samples than a block "
            "holds (damaged?) only as far as the block holds"
        )
    # actipy's count of repairs also counts the Java reader's (each a line above)
    repaired = info.get("ReadErrors") if isinstance(info, dict) else None
    if isinstance(repaired, (int, float)) and repaired - len(java) > 0:
        notes.append(
            f"the Axivity reader dropped samples at {int(repaired) - len(java)} place(s) where "
            "the time did not advance (a block repeated or out of order)"
        )
    if path.stat().st_size % CWA_BLOCK_BYTES:
        notes.append(
            f"the file ends inside a {CWA_BLOCK_BYTES}-byte block, probably cut off: the "
            "samples end before it"
        )
    elif any(line.startswith(_JAVA_REPAIRS[2]) for line in java):
        notes.append("the Axivity reader stopped at cut-off data: the samples end there")
    notes.append("start time is the device clock (local time, no time zone)")
    return Parsed(str(path), "axivity-cwa", [block], units, start, None, notes)


#: What the Axivity reader's Java part prints on stderr when it skips or repairs a
#: part of a damaged file (each also counted in actipy's ReadErrors).
_JAVA_REPAIRS = (
    "Skipping malformed CWA block",
    "Capping malformed CWA sample count",
    "Stopping at truncated CWA data",
)


@contextlib.contextmanager
def _stderr_lines(kept: list[str], starts: tuple[str, ...]) -> Iterator[None]:
    """Hold back from stderr (file descriptor 2, which child processes write to) the
    lines that begin with one of ``starts``, adding them to ``kept``; other lines
    are written to stderr when the block ends."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to take over
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = held.read().decode("utf-8", errors="replace")
            other = []
            for line in text.splitlines(keepends=True):
                if line.startswith(starts):
                    kept.append(line.strip())
                else:
                    other.append(line)
            if other:
                sys.stderr.write("".join(other))
                sys.stderr.flush()


#: An Axivity .cwa file is a whole number of blocks of this size.
CWA_BLOCK_BYTES = 512


def read_gt3x(path: Path) -> Parsed:
    """Parse an ActiGraph ``.gt3x`` file with pygt3x (calibrated acceleration in g).

    Both layouts are read: the current one (``log.bin``) and the legacy NEO / GT3X+
    one (``activity.bin``). From ``info.txt``: the limb sets the placement hint
    (waist -> lower back; wrist is noted as not supported for direction), and height,
    mass and age are noted (they are given to the analysis by the caller). Rows that
    pygt3x fills in while the device slept (idle sleep mode: it records nothing while
    still) are dropped, so that they become gaps instead of still data.

    Raises
    ------
    InputError
        When pygt3x is missing or the file cannot be decoded.

    References
    ----------
    ActiGraph. GT3X file format (github.com/actigraph/GT3X-File-Format), "info.txt"
    and "Idle sleep mode" sections.
    """
    _require("pygt3x", path, "ActiGraph .gt3x")
    reader_mod = _require("pygt3x.reader", path, "ActiGraph .gt3x")
    _check_gt3x(path)
    log = logging.getLogger("pygt3x")  # its per-second warnings would reach the terminal
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with reader_mod.FileReader(str(path)) as reader:
            df = reader.to_pandas()
            info = reader.info
            legacy = bool(getattr(reader, "nhanes", False))
            rate = float(getattr(info, "sample_rate", 0) or 0) or None
    except Exception as exc:  # damaged archives surface as many exception types
        size = _legacy_activity_size(path)
        if isinstance(exc, ValueError) and "reshape" in str(exc) and size is not None:
            raise InputError(
                path,
                f"activity.bin ends inside a sample ({size} bytes, where samples of 3 "
                "12-bit values come in 9-byte pairs): the file is cut off or damaged; "
                "download it from the device again",
            ) from None
        raise InputError(path, f"the ActiGraph reader failed: {_first_line(exc)}") from None
    finally:
        log.setLevel(level)
    notes = ["read with pygt3x"]
    if legacy:
        notes.append("legacy ActiGraph NEO / GT3X+ file (activity.bin)")
    if len(df):
        cut = _cut_short(df.index.to_numpy(dtype=np.float64), rate, info, legacy)
        if cut is not None:
            notes.append(cut)
    idle = df["IdleSleepMode"].to_numpy(dtype=bool) if "IdleSleepMode" in df else None
    if idle is not None and idle.any():
        n_idle = int(idle.sum())
        df = df.loc[~idle]
        seconds = n_idle / rate if rate else float(n_idle)
        notes.append(
            f"{seconds:.0f} s of idle-sleep-mode fill (the device slept, nothing was "
            "recorded) marked as not worn: left as gaps, not analysed as still data"
        )
    if len(df) < 2:
        raise InputError(path, "the file holds no acceleration samples")
    ts = df.index.to_numpy(dtype=np.float64)
    start = _ticks_time(getattr(info, "start_date", 0)) if legacy else None
    if start is None:
        start = datetime.fromtimestamp(float(ts[0]), tz=UTC).replace(tzinfo=None)
    acc = np.ascontiguousarray(df[["X", "Y", "Z"]].to_numpy(dtype=np.float64))
    if not np.isfinite(acc).all():  # pygt3x divides by info.txt's scale
        stated = getattr(info, "acceleration_scale", None)
        scale = f"{stated:g}" if isinstance(stated, (int, float)) else str(stated or "none")
        raise InputError(
            path,
            f"the samples are not numbers once scaled: info.txt states an acceleration "
            f"scale of {scale}",
            field="Acceleration Scale",
        )
    block = Block(
        t=ts - ts[0], streams={"acc": acc},
        display=str(path), time_field="Timestamp", rate_hz=rate,
    )  # fmt: skip
    hint, info_notes = _info_txt(info)
    notes += info_notes
    notes.append("start time is the device clock (local time, no time zone)")
    return Parsed(
        str(path), "actigraph-gt3x", [block],
        {"acc": ("g", "ActiGraph GT3X: acceleration in g")}, start, hint, notes,
    )  # fmt: skip


#: Highest sampling rate a .gt3x's info.txt may state (ActiGraph devices: 30 to 100 Hz).
MAX_GT3X_RATE_HZ = 1000
#: First byte of every record of a .gt3x's log.bin.
_LOG_SEPARATOR = 0x1E


def _check_gt3x(path: Path) -> None:
    """Refuse a .gt3x whose info.txt rate or log.bin records would make pygt3x fill
    gigabytes: it fills idle-sleep stretches between records' times, second by
    second at the stated rate, and reads log.bin without checking where records
    start, so a record out of step (bytes lost or repeated) gives it times decades
    apart (14 GiB asked for), and a rate of 99999999 Hz 194 GiB.

    Each record is a separator byte, its type, a 4-byte time, a 2-byte payload
    size, the payload and a checksum byte (ActiGraph's GT3X file format, "log.bin").
    A damaged archive is left to pygt3x to report.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            info = zf.read("info.txt") if "info.txt" in names else b""
            log = zf.read("log.bin") if "log.bin" in names else b""
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, zlib.error):
        return
    _check_info_numbers(path, info)
    for line in info.decode("utf-8", errors="replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "sample rate":
            try:
                rate = float(value.strip())
            except ValueError:
                rate = float("nan")
            if not (1 <= rate <= MAX_GT3X_RATE_HZ and rate == int(rate)):
                raise InputError(
                    path,
                    f"info.txt states a sample rate of {value.strip()[:20]!r} Hz, no device's "
                    "(damaged?)",
                    field="Sample Rate",
                )
    last = None
    for line in info.decode("utf-8", errors="replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "last sample time" and value.strip().isdigit():
            last = (int(value.strip()) - _EPOCH_TICKS) // 10_000_000
    pos = 0
    window: tuple[int, int] | None = None
    while pos + 8 <= len(log):
        separator, _, when, size = struct.unpack_from("<BBLH", log, pos)
        if window is None:  # a day around the records' times (400 days on, none stated)
            end = last if last is not None and last > when else when + 400 * 86_400
            window = (when - 86_400, end + 86_400)
        if separator != _LOG_SEPARATOR or not window[0] <= when <= window[1]:
            raise InputError(
                path,
                f"log.bin is damaged at byte {pos} of {len(log)}: no record starts where "
                "the one before ends (bytes lost or repeated)"
                if separator != _LOG_SEPARATOR
                else f"log.bin is damaged at byte {pos} of {len(log)}: a record is timed "
                f"{datetime.fromtimestamp(when, tz=UTC):%Y-%m-%d %H:%M}, a day or more "
                "outside the recording",
            )
        pos += 8 + size + 1


#: info.txt fields the ActiGraph reader reads as numbers: whole numbers (dates are
#: .NET ticks) and decimals (a decimal comma is read in those it names so).
_INFO_INTEGERS = ("Start Date", "Stop Date", "Last Sample Time", "Download Date")
_INFO_DECIMALS = ("Acceleration Scale", "Acceleration Min", "Acceleration Max", "Age")
_INFO_DECIMALS_COMMA = ("Battery Voltage", "Height", "Mass")


def _check_info_numbers(path: Path, info: bytes) -> None:
    """Refuse, naming the field, an ``info.txt`` the ActiGraph reader cannot read:
    text that is not UTF-8, or a field it reads as a number that is none (an empty
    Start Date gave 'invalid literal for int() with base 10: ''"). Its fields are
    split as that reader splits them (a line of one colon, or TimeZone)."""
    try:
        text = info.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at = info[: exc.start].count(b"\n") + 1
        raise InputError(
            path,
            f"info.txt is not UTF-8 text (byte 0x{info[exc.start]:02x} on its line {at}): "
            "damaged; download the file from the device again",
        ) from None
    fields: dict[str, str] = {}
    for line in text.splitlines():
        values = line.split(":")
        if len(values) == 2:
            fields[values[0].strip()] = values[1].strip()
    for key in (*_INFO_INTEGERS, *_INFO_DECIMALS, *_INFO_DECIMALS_COMMA):
        value = fields.get(key)
        if value is None:
            continue
        try:
            if key in _INFO_INTEGERS:
                int(value)
            else:
                float(value.replace(",", ".") if key in _INFO_DECIMALS_COMMA else value)
        except ValueError:
            kind = "a whole number" if key in _INFO_INTEGERS else "a number"
            raise InputError(
                path,
                f"info.txt states {key} as {value[:20]!r}, not {kind} (damaged?), and "
                "the ActiGraph reader cannot read the file without it: download the file "
                "from the device again, or correct that line of info.txt",
                field=key,
            ) from None


def _legacy_activity_size(path: Path) -> int | None:
    """The size of a legacy-layout .gt3x's activity.bin (``None`` for another file)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "activity.bin" not in names or "log.bin" in names:
                return None
            return zf.getinfo("activity.bin").file_size
    except (zipfile.BadZipFile, OSError):
        return None


#: .NET ticks (100 ns since 0001-01-01) of the unix epoch.
_EPOCH_TICKS = 621_355_968_000_000_000
#: Seconds the samples of a .gt3x may end before the time its info.txt states for
#: the last one (the real files end 0 to 8 s before it).
CUT_SHORT_S = 30.0


def _cut_short(ts: np.ndarray, rate: float | None, info: object, legacy: bool) -> str | None:
    """A note when the samples (pygt3x's times ``ts``, seconds) end well before
    ``info.txt`` says they do: ``log.bin`` or ``activity.bin`` cut off or damaged
    there (pygt3x stops at the first record it cannot read, without a word).

    The current layout states its last sample time (the clock of ``ts``); the
    legacy one only its start and stop dates, so there the span is compared.
    """
    step = 1.0 / rate if rate else 0.0
    if legacy:
        start, stop = _ticks(info, "start_date"), _ticks(info, "stop_date")
        if start is None or stop is None or stop <= start:
            return None
        short = (stop - start) / 1e7 - (float(ts[-1] - ts[0]) + step)
    else:
        last = _ticks(info, "last_sample_time")
        if last is None or last <= _EPOCH_TICKS:
            return None
        short = (last - _EPOCH_TICKS) / 1e7 - (float(ts[-1]) + step)
    if not short > CUT_SHORT_S:
        return None
    return (
        f"the samples end {short:.0f} s before the time info.txt states for the last one: "
        "the file is probably cut off or damaged there"
    )


def _ticks(info: object, name: str) -> int | None:
    """A .NET tick count of ``info.txt`` (``None`` when absent or not a number)."""
    try:
        return int(str(getattr(info, name, "") or ""))
    except ValueError:
        return None


#: ActiGraph limb (info.txt) -> placement hint.
_LIMB_PLACEMENT = {"waist": "lower_back", "hip": "lower_back"}


def _info_txt(info: object) -> tuple[str | None, list[str]]:
    """Placement hint and notes from ActiGraph's ``info.txt`` (limb and body measures)."""
    notes: list[str] = []
    limb = str(getattr(info, "limb", None) or "").strip()
    hint = _LIMB_PLACEMENT.get(limb.lower())
    if hint is not None:
        notes.append(f"info.txt: worn at the {limb.lower()}, read as placement {hint}")
    elif limb.lower() == "wrist":
        notes.append(
            "info.txt: worn at the wrist; wrist placement is not supported for walking "
            "direction (backward walking cannot be measured from the wrist)"
        )
    elif limb:
        notes.append(f"info.txt: worn at the {limb.lower()} (no placement is assumed)")
    body = body_measures(info)
    if body:
        shown = ", ".join(f"{k} {v:g}" for k, v in body.items())
        notes.append(f"info.txt body measures: {shown}")
    return hint, notes


def body_measures(info: object) -> dict[str, float]:
    """``height_m``, ``weight_kg`` and ``age_years`` stated in ActiGraph's ``info.txt``.

    Height is stored in cm and mass in kg; implausible values are left out.
    """
    out: dict[str, float] = {}
    height = _number(getattr(info, "height", None))
    mass = _number(getattr(info, "mass", None))
    age = _number(getattr(info, "age", None))
    if height is not None and 50 <= height <= 260:
        out["height_m"] = height / 100.0
    if mass is not None and 2 <= mass <= 400:
        out["weight_kg"] = mass
    if age is not None and 0 <= age <= 120:
        out["age_years"] = age
    return out


def _number(value: object) -> float | None:
    try:
        v = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) and v > 0 else None


def _ticks_time(ticks: object) -> datetime | None:
    """A .NET tick count (100 ns since 0001-01-01) as a naive datetime."""
    try:
        n = int(str(ticks))
    except (TypeError, ValueError):
        return None
    if n <= 0:
        return None
    return datetime(1, 1, 1) + timedelta(microseconds=n // 10)


def _rate(info: dict) -> float | None:
    for key in ("SampleRate", "sample_rate", "ResampleRate"):
        value = info.get(key) if isinstance(info, dict) else None
        if isinstance(value, (int, float)) and value > 0:
            return float(value)
    return None


def stated_body_measures(path: str | Path) -> dict[str, float]:
    """Height (m), mass (kg) and age (years) stated in a ``.gt3x`` file's ``info.txt``.

    Empty for any other file, or when ``info.txt`` states none of them.
    """
    import zipfile

    p = Path(path)
    if not p.is_file() or not zipfile.is_zipfile(p):
        return {}
    try:
        with zipfile.ZipFile(p) as zf:
            if "info.txt" not in zf.namelist():
                return {}
            text = zf.read("info.txt")[:65536].decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, OSError, KeyError):
        return {}
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip()

    class _Info:
        height = fields.get("height")
        mass = fields.get("mass")
        age = fields.get("age")

    return body_measures(_Info())

"""Deciding the units of acceleration and angular-rate streams.

Acceleration is told apart by the size of gravity in it (near 1 in g, near 9.81 in
m/s^2); angular rate by its range and, where the sensor turns, by how fast the
gravity direction turns in the sensor frame compared with the gyroscope reading
(``d(g_hat)/dt = -w x g_hat`` holds only with ``w`` in rad/s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from retrowalk.core.recording import UnitDecision
from retrowalk.dsp.filters import lowpass_channels
from retrowalk.dsp.memory import release
from retrowalk.dsp.rows import median, percentile, row_dot, row_norm
from retrowalk.io import longarrays
from retrowalk.io.longarrays import is_file_backed, strided

STANDARD_GRAVITY = 9.80665
DEG2RAD = np.pi / 180.0

AccUnit = Literal["auto", "g", "mg", "mps2"]
GyroUnit = Literal["auto", "dps", "rads"]

# A median |acc| between these bounds reads as g, resp. m/s^2.
_G_RANGE = (0.5, 2.5)
_MPS2_RANGE = (4.0, 25.0)
# Gravity in milli-g (a Polar sensor's "X [mg]"). Milli-g is taken only where the file or
# the user says so: raw counts of many accelerometers (1024 a g, say) read near 1000 too.
_MG_RANGE = (500.0, 2500.0)
# Above this 99th percentile of |w| the stream cannot be rad/s (gyroscopes saturate
# at about 2000 deg/s = 35 rad/s), below _DPS_LIKELY it is very likely rad/s for gait.
_DPS_CERTAIN = 35.0
_DPS_LIKELY = 20.0
# Gravity turning at no more than this fraction of |w x g_hat| reads as deg/s
# (rad/s gives about 1, deg/s about 1/57).
_DPS_RATIO = 0.2


@dataclass(frozen=True)
class AccStats:
    """Summary of an acceleration stream used for unit and gravity checks.

    Attributes
    ----------
    median_norm
        Median of ``|a|`` over all samples.
    gravity_norm
        Median norm of 1-s window means: close to ``median_norm`` when gravity
        is included, small for linear (gravity-free) acceleration.
    """

    median_norm: float
    gravity_norm: float

    @property
    def has_gravity(self) -> bool:
        """Whether the stream looks like it includes gravity."""
        if not np.isfinite(self.median_norm) or self.median_norm <= 0:
            return False
        return self.gravity_norm > 0.5 * self.median_norm and self.gravity_norm > 0.3


def acc_stats(acc: np.ndarray, rate_hz: float) -> AccStats:
    """Compute :class:`AccStats` of an ``(n, 3)`` acceleration array."""
    if acc.shape[0] == 0:
        return AccStats(float("nan"), float("nan"))
    sub = strided(acc, max(acc.shape[0] // 100_000, 1))  # a long file's: chunk by chunk
    median_norm = median(np.sqrt(_row_squares(sub)))
    win = max(round(rate_hz), 1)
    n_win = acc.shape[0] // win
    if n_win >= 1:
        every = max(n_win // 1000, 1)  # at most about 1000 windows spread over the recording
        if is_file_backed(acc):  # a long file's: the windows copied out a chunk at a time
            means = _window_means(_window_stack(acc, win, n_win, every))
        else:
            means = _window_means(acc[: n_win * win].reshape(n_win, win, 3)[::every])
    else:
        means = acc.mean(axis=0, keepdims=True)
    gravity_norm = median(row_norm(means))  # np.linalg.norm(means, axis=1)'s numbers
    return AccStats(median_norm, gravity_norm)


def gravity_off_scale(acc_mps2: np.ndarray, rate_hz: float) -> str:
    """Why ``acc_mps2`` cannot be acceleration in m/s^2 with gravity, or "".

    Gravity (the median norm of 1-s means, :func:`acc_stats`) must read about
    9.81: outside the range the readers take for m/s^2 (4-25) it reads about
    96 for m/s^2 taken as g, about 1 for g taken as m/s^2. A unit read
    automatically is always in range (the reader refuses a file that fits
    neither); a unit set by the user or stated by the file may not be, and is
    honoured. The walking direction must not be told from it: the turns' lever
    arms scale with the acceleration, and a lever arm 9.81 times too long left
    only the turns measured shortest, the least clear, under the trunk-width
    limit (an ipol-gait forward walk, trial 12-4, its m/s^2 taken as g, was
    called backward at 0.8).
    """
    stats = acc_stats(acc_mps2, rate_hz)
    m = stats.gravity_norm if np.isfinite(stats.gravity_norm) else stats.median_norm
    if not np.isfinite(m) or _MPS2_RANGE[0] <= m <= _MPS2_RANGE[1]:
        return ""
    hint = ""
    if _G_RANGE[0] <= m <= _G_RANGE[1]:
        hint = " (it looks like g taken as m/s^2)"
    elif _MPS2_RANGE[0] * STANDARD_GRAVITY <= m <= _MPS2_RANGE[1] * STANDARD_GRAVITY:
        hint = " (it looks like m/s^2 taken as g)"
    return (
        f"gravity reads {m:.3g} m/s^2, not about 9.81: the acceleration unit is wrong{hint}, "
        "so no walking direction is given; set the acceleration unit right"
    )


def _row_squares(x: np.ndarray) -> np.ndarray:
    """``np.einsum("ij,ij->i", x, x)`` of ``(n, 3)`` samples: by whole columns
    (:func:`~retrowalk.dsp.rows.row_dot`) when each row's three values lie side by
    side as einsum's own sum takes them, else einsum itself."""
    if x.ndim == 2 and x.shape[1:] == (3,) and x.strides[1] == x.itemsize:
        return row_dot(x, x)
    return np.einsum("ij,ij->i", x, x)


def _window_means(windows: np.ndarray) -> np.ndarray:
    """``windows.mean(axis=1)`` of ``(m, w, k)`` float64 windows, a channel at a time.

    numpy adds a window's rows one after another into its ``k`` sums (the
    reduced axis is not the inner one), which is a channel's running sum at the
    window's last row; then divides by ``w``. Each channel's running sums over
    all windows at once take a few whole-array calls instead of ``m * w``
    loops of ``k`` values.
    """
    m, w, k = windows.shape
    if windows.dtype != np.float64 or w < 2:
        return np.asarray(windows.mean(axis=1))
    sums = np.empty((m, k))
    for j in range(k):
        sums[:, j] = np.cumsum(windows[:, :, j], axis=1)[:, -1]
    sums /= w
    return sums


def _window_stack(acc: np.ndarray, win: int, n_win: int, every: int) -> np.ndarray:
    """``acc[: n_win * win].reshape(n_win, win, 3)[::every]`` as a copy, read in chunks.

    Each chunk's rows are released once copied, so the pages read around the
    windows do not stay resident.
    """
    picks = list(range(0, n_win, every))
    per = max(longarrays.CHUNK_ROWS // max(win * every, 1), 1)
    parts = []
    for i in range(0, len(picks), per):
        batch = picks[i : i + per]
        parts.append(np.stack([acc[k * win : (k + 1) * win] for k in batch]))
        release(acc, 0, (batch[-1] + 1) * win)
    return np.concatenate(parts)


def classify_acc(stats: AccStats) -> tuple[str | None, str]:
    """Guess the acceleration unit from gravity's size.

    Returns
    -------
    unit, evidence
        ``unit`` is ``"g"``, ``"mps2"`` or ``None`` when the magnitude fits neither.
    """
    m = stats.gravity_norm if np.isfinite(stats.gravity_norm) else stats.median_norm
    evidence = f"median |acc| = {stats.median_norm:.3g}, gravity estimate = {m:.3g}"
    if _G_RANGE[0] <= m <= _G_RANGE[1]:
        return "g", evidence + " (near 1 g)"
    if _MPS2_RANGE[0] <= m <= _MPS2_RANGE[1]:
        return "mps2", evidence + " (near 9.81 m/s^2)"
    return None, evidence


def decide_acc_unit(
    stats: AccStats,
    requested: str,
    file_unit: str | None,
    file_evidence: str = "",
) -> tuple[UnitDecision, list[str]]:
    """Settle the acceleration unit.

    Parameters
    ----------
    stats
        Statistics of the stream (including gravity).
    requested
        ``"auto"``, ``"g"`` or ``"mps2"`` (a user override wins).
    file_unit
        The unit the file states, if any.
    file_evidence
        Where the file states it.

    Returns
    -------
    decision, notes
        ``notes`` holds warnings when the data contradict the chosen unit.

    Raises
    ------
    ValueError
        When the unit cannot be decided (the caller turns it into an InputError).
    """
    guess, evidence = classify_acc(stats)
    notes: list[str] = []
    if requested not in ("auto", "g", "mg", "mps2"):
        raise ValueError(f"acc_unit must be auto, g, mg or mps2, not {requested!r}")
    if requested != "auto":
        if guess is not None and guess != requested:
            notes.append(
                f"acceleration unit {requested} set by the user, but the data look like "
                f"{_unit_words(guess)} ({evidence})"
            )
        return UnitDecision(requested, "user", "set by the user"), notes
    if file_unit is not None:
        if guess is not None and guess != file_unit:
            notes.append(
                f"the file states acceleration in {_unit_words(file_unit)}, but the data look "
                f"like {_unit_words(guess)} ({evidence}); kept the file's unit"
            )
        return UnitDecision(file_unit, "file", file_evidence), notes
    if guess is None:
        m = stats.gravity_norm if np.isfinite(stats.gravity_norm) else stats.median_norm
        maybe = " (about 1000: milli-g? or raw counts)" if _MG_RANGE[0] <= m <= _MG_RANGE[1] else ""
        raise ValueError(
            f"cannot tell the acceleration unit: {evidence} fits neither g (about 1) nor "
            f"m/s^2 (about 9.81){maybe}; set the unit explicitly (acc_unit g, mg or mps2)"
        )
    return UnitDecision(guess, "auto", evidence), notes


def gyro_scale_ratio(
    acc: np.ndarray, gyro: np.ndarray, rate_hz: float
) -> tuple[float | None, float]:
    """Ratio of the gravity direction's turn rate to ``|w x g_hat|``.

    About 1 when ``gyro`` is in rad/s, about 0.02-0.05 when it is in deg/s.

    Returns
    -------
    ratio, turn_rate
        ``ratio`` is ``None`` when the sensor hardly turned (no evidence);
        ``turn_rate`` is the mean turn rate of the gravity direction in rad/s.
    """
    n = acc.shape[0]
    if n < max(int(4 * rate_hz), 30) or rate_hz < 5:
        return None, 0.0
    step = max(int(rate_hz // 25), 1)  # about 25 Hz is plenty for this
    max_points = 20_000  # 13 min at 25 Hz; a longer recording is sampled in its middle
    if n // step > max_points:
        mid = n // 2
        half = max_points * step // 2
        acc = acc[mid - half : mid + half]
        gyro = gyro[mid - half : mid + half]
    a = acc[::step]
    w = gyro[::step]
    fs = rate_hz / step
    # scipy's default edge padding (3 x taps = 9 samples for order 2)
    cutoff_hz = min(1.5, 0.4 * fs / 2)
    # both filtered in one call: each channel on its own, as in one call each;
    # channel-major (:func:`lowpass_channels`), so that the work below, on
    # ``(n, 3)`` views of its rows, goes a whole channel at a time instead of
    # a loop of three values per sample
    k = a.shape[1]
    channels = np.empty((k + w.shape[1], a.shape[0]))
    channels[:k] = a.T
    channels[k:] = w.T
    rows = lowpass_channels(channels.T, cutoff_hz, fs, pad_samples=9)
    a, w = rows[:k].T, rows[k:].T
    norm = row_norm(a)[:, None]
    if (norm <= 0).any():
        return None, 0.0
    g = a / norm
    dg = _gradient_rows(g, 1.0 / fs)
    num = _mean(row_norm(dg))
    den = _mean(row_norm(_cross(w, g)))
    if num < 0.05 or den <= 0:
        return None, num
    return num / den, num


def gyro_off_scale(acc_mps2: np.ndarray, gyro_rads: np.ndarray, rate_hz: float) -> str:
    """Why ``gyro_rads`` cannot be angular rate in rad/s, or "".

    The gravity direction in the sensor's axes turns as the gyroscope says
    (:func:`gyro_scale_ratio`): about 1 in rad/s. At or under the deg/s
    threshold of :func:`classify_gyro` (0.2) the gyroscope reads many times
    faster than the sensor turns: deg/s taken as rad/s. Measured on every
    real recording with a gyroscope (ipol-gait lower backs and feet,
    mobgap-lab, motion capture, Sensor Logger, AX6; 269 files, 227 of them
    turning enough to measure, not 42 short motion-capture walks):
    0.56-3.9 read right, 0.010-0.069 with deg/s taken as rad/s, so with any
    one person left out every threshold from 0.07 to 0.55 parts them, and
    0.2 lies inside. A unit read automatically is never under it (the
    reader takes such a stream for deg/s); one set by the user or stated by
    the file may be. The walking direction must not be told from it: the
    foot method on a lower back stated as a foot, its deg/s taken as rad/s,
    called forward walks backward at 0.33-0.67 (ipol-gait 5-3, mobgap-lab
    MS_001 Test11).
    """
    ratio, _ = gyro_scale_ratio(acc_mps2, gyro_rads, rate_hz)
    if ratio is None or ratio > _DPS_RATIO:
        return ""
    return (
        f"the gravity direction turns at only {ratio:.2g} times the rate the gyroscope "
        "reads (about 1 in rad/s, 1/57 for deg/s taken as rad/s): the angular-rate unit "
        "is wrong, so no walking direction is given; set the angular-rate unit right"
    )


def _gradient_rows(f: np.ndarray, dx: float) -> np.ndarray:
    """``np.gradient(f, dx, axis=0)`` of ``(n, k)`` samples, ``n >= 2``, a uniform spacing
    ``dx``: numpy's central differences over ``2 * dx`` inside and one-sided ones at
    the two ends (``edge_order`` 1), without its per-call set-up."""
    out = np.empty_like(f)
    np.divide(f[2:] - f[:-2], 2.0 * dx, out=out[1:-1])
    out[0] = (f[1] - f[0]) / dx
    out[-1] = (f[-1] - f[-2]) / dx
    return out


def _mean(x: np.ndarray) -> float:
    """``float(x.mean())`` of a 1-D float64 array: numpy's sum over the count."""
    return float(np.add.reduce(x)) / x.shape[0]


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.cross(a, b)`` of float ``(n, 3)`` rows: its products and differences, not its set-up
    (in ``a``'s memory order: channel by channel for views of channel-major rows)."""
    out = np.empty_like(a, dtype=np.float64)
    np.multiply(a[:, 1], b[:, 2], out=out[:, 0])
    out[:, 0] -= a[:, 2] * b[:, 1]
    np.multiply(a[:, 2], b[:, 0], out=out[:, 1])
    out[:, 1] -= a[:, 0] * b[:, 2]
    np.multiply(a[:, 0], b[:, 1], out=out[:, 2])
    out[:, 2] -= a[:, 1] * b[:, 0]
    return out


def classify_gyro(gyro: np.ndarray, acc: np.ndarray | None, rate_hz: float) -> tuple[str, str]:
    """Guess the angular-rate unit.

    Returns
    -------
    unit, evidence
        ``"dps"`` or ``"rads"`` and a plain-words reason.
    """
    if gyro.shape[0] == 0:
        return "rads", "no samples"
    sub = strided(gyro, max(gyro.shape[0] // 200_000, 1))
    norm = np.sqrt(_row_squares(sub))
    p99 = percentile(norm, 99)
    base = f"99th percentile of |w| = {p99:.3g}"
    if p99 > _DPS_CERTAIN:
        return "dps", base + " (too fast for rad/s)"
    ratio = None
    if acc is not None:
        ratio, _ = gyro_scale_ratio(acc, gyro, rate_hz)
    if ratio is not None:
        words = f"{base}; gravity turns at {ratio:.2g} x |w x g|"
        if ratio > _DPS_RATIO:
            return "rads", words + " (consistent with rad/s)"
        return "dps", words + " (consistent with deg/s)"
    if p99 > _DPS_LIKELY:
        return "dps", base + " (above 20, so deg/s)"
    return "rads", base + " (small rates; assumed rad/s)"


def decide_gyro_unit(
    gyro: np.ndarray,
    acc_mps2: np.ndarray | None,
    rate_hz: float,
    requested: str,
    file_unit: str | None,
    file_evidence: str = "",
) -> tuple[UnitDecision, list[str]]:
    """Settle the angular-rate unit (see :func:`decide_acc_unit` for the rules)."""
    if requested not in ("auto", "dps", "rads"):
        raise ValueError(f"gyro_unit must be auto, dps or rads, not {requested!r}")
    notes: list[str] = []
    if requested == "auto" and file_unit is not None:
        guess, evidence = classify_gyro(gyro, acc_mps2, rate_hz)
        if guess != file_unit and "percentile" in evidence and "consistent" in evidence:
            notes.append(
                f"the file states angular rate in {_unit_words(file_unit)}, but the data look "
                f"like {_unit_words(guess)} ({evidence}); kept the file's unit"
            )
        return UnitDecision(file_unit, "file", file_evidence), notes
    guess, evidence = classify_gyro(gyro, acc_mps2, rate_hz)
    if requested != "auto":
        if guess != requested and ("consistent" in evidence or "too fast" in evidence):
            notes.append(
                f"angular-rate unit {requested} set by the user, but the data look like "
                f"{_unit_words(guess)} ({evidence})"
            )
        return UnitDecision(requested, "user", "set by the user"), notes
    return UnitDecision(guess, "auto", evidence), notes


def acc_factor(unit: str) -> float:
    """Factor that converts acceleration in ``unit`` to m/s^2."""
    return {"g": STANDARD_GRAVITY, "mg": STANDARD_GRAVITY / 1000.0}.get(unit, 1.0)


def gyro_factor(unit: str) -> float:
    """Factor that converts angular rate in ``unit`` to rad/s."""
    return DEG2RAD if unit == "dps" else 1.0


def _unit_words(unit: str) -> str:
    return {"g": "g", "mg": "milli-g", "mps2": "m/s^2", "dps": "deg/s", "rads": "rad/s"}.get(
        unit, unit
    )


#: How m/s^2 is written in a label (``m/(s^2)`` as Shimmer's Consensys writes it).
_MPS2_SPELLINGS = (
    "m/s^2", "m/s²", "m/s2", "m/(s^2)", "m/(s²)", "ms^-2", "ms-2", "mps2", "m_s2", "m_s^2"
)  # fmt: skip


def unit_from_label(label: str) -> str | None:
    """The unit named in a column label such as ``"Acceleration x (m/s^2)"``.

    Returns ``"mps2"``, ``"g"``, ``"mg"``, ``"rads"``, ``"dps"`` or ``None``.
    """
    s = label.strip().lower().replace(" ", "")
    if any(k in s for k in _MPS2_SPELLINGS):
        return "mps2"
    if any(k in s for k in ("rad/s", "rad_s", "rads)", "rads]", "_rads")) or s.endswith("rads"):
        return "rads"
    if any(k in s for k in ("deg/s", "°/s", "dps", "deg_s", "degs)", "degs]")):
        return "dps"
    if s.endswith(("(g)", "[g]", "_g", "(gs)", "[gs]")):
        return "g"
    if s.endswith(("(mg)", "[mg]", "_mg")):
        return "mg"
    return None

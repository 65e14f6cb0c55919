"""Where the device sits on the body, from the turns: the lever arm of a back-worn sensor.

When the body turns about the vertical at a rate ``w`` (angular acceleration
``dw/dt``), a point of the body at the horizontal offset ``r`` from the
turning axis feels, on top of the axis's own acceleration, the centripetal
``-w**2 r`` and the tangential ``dw/dt (up x r)`` acceleration (rigid-body
kinematics; the lever-arm effect of inertial navigation, Titterton & Weston
2004, Strapdown Inertial Navigation Technology, 2nd ed.). The centripetal
part points from the device to the axis whichever way the body turns and
whichever way it walks: it is *time-even* (``w**2`` is unchanged by time
reversal and by the direction of travel), so it is a property of where the
device sits, not of the walking. A sensor worn on the lower back (L5, a belt
clip at the back) sits behind the turning axis of the trunk, so the lever arm
``r`` points to the back of the body.

Here each turn (turning rate low-passed at 0.8 Hz above ``turn_rate_rads``
for at least ``min_turn_deg`` of rotation) is fitted on its own: the
horizontal acceleration around it (0.8-Hz low-pass, half a second either
side, in the horizontal plane of the accelerometer's 0.3-Hz gravity
direction, the one the body anchors use) is regressed on ``-w**2`` and
``dw/dt`` with a constant (the axis's own mean acceleration and any tilt
error), which gives ``r`` in device axes and its standard error. The 0.3-Hz
gravity direction takes in part of a turn's slow centripetal acceleration,
so ``r`` comes out short (a constructed 180-deg turn in 1.6 s: by about a
quarter); its direction is kept. Fitted apart on ipol-gait's turns of 120 deg
or more (77), the tangential term alone puts ``r`` at the back 99 % of the
time and the centripetal term alone 86 %: the tangential term carries the
fit. It turns round with the sign of the angular rate, so a gyroscope whose
sign or axes are mirrored against the accelerometer's (a convention, two
columns swapped) puts the back in front; the two terms' agreement does not
tell a mirror (they agree on 84 % of ipol-gait's 99 turns and 54 % of
mobgap-lab's 39, real disagreements going both ways).

Measured on forward walks with the body's axes known, every turn of 45 deg
or more in the walks' stretches: ipol-gait lower back (70 walks of 12
people, one U-turn each and a few smaller turns): 94 of 97 turns put ``r``
within 90 deg of the back (median |r| of all turns 0.12 m); the three others
had |r| of 0.02-0.06 m, at most 2.6 standard errors, or lay 67 deg across
the walking travel. mobgap-lab daily life (3 people, walking, standing and
sitting): 38 of 39; the other lay 72 deg across the travel with |r| 0.83 m
(no trunk is that wide). What counts is the end of the walking travel axis
a turn's lever arm points to, and the majority of the turns weighed by
their clarity
(:class:`~retrowalk.gait.direction.anchor.BodyAnchorEstimator`). On the one
real backward walker (motion capture, take 09_12, a virtual sensor 0.10 m
behind the hip joints) the three turns - one while walking forward, two
between backward stretches - all put ``r`` 0.14-0.27 m behind the pelvis:
the same side whichever way the person walked.

Where it fails: a device worn at the *front* of the waist (a phone clipped
to the front of a belt) sits in front of the axis and would name the back
as the front; at the side of the waist (a hip-worn activity monitor) ``r``
lies mostly across the walking direction and its small front-back part
decides (no real side-worn device was here to measure; a stretch with three
or more turns whose lever arms lie across is not anchored by them, see
:class:`~retrowalk.gait.direction.anchor.BodyAnchorEstimator`). A phone held in the
hand, or any device that moves against the body while turning, has no fixed
lever arm. The acceleration of the turning axis itself (slowing down into a
U-turn, speeding up out of it) is not modelled: over a turn it averages out
only when the turn is roughly symmetric.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from retrowalk.dsp.filters import lowpass_channels
from retrowalk.dsp.memory import is_file_backed, release
from retrowalk.dsp.rows import cross, row_dot, row_norm, true_runs

TURN_CUTOFF_HZ = 0.8
"""Low-pass of the turning rate and of the acceleration fitted: under the step frequency."""
MARGIN_S = 0.5
"""Time fitted either side of a turn, seconds."""
PAD_S = 3.0
"""A recording shorter than twice this has no turn measured, seconds."""


@dataclass(frozen=True)
class Turn:
    """One turn of the body about the vertical, and the device's lever arm from it.

    Attributes
    ----------
    time_s
        Start of the turn, seconds from the recording's start.
    rotation_deg
        How far the body turned.
    lever
        The horizontal offset from the turning axis to the device, device
        axes, metres (towards the back of the body for a back-worn device).
    se_m
        Standard error of each of its two horizontal components (from the
        fit's residuals, which are correlated in time: a lower bound).
    """

    time_s: float
    rotation_deg: float
    lever: np.ndarray
    se_m: float

    @property
    def lever_m(self) -> float:
        """Length of the lever arm, metres."""
        return float(np.linalg.norm(self.lever))


def find_turns(
    acc_mps2: np.ndarray,
    up_unit: np.ndarray,
    gyro_rads: np.ndarray,
    rate_hz: float,
    *,
    turn_rate_rads: float = 0.8,
    min_turn_deg: float = 45.0,
) -> list[Turn]:
    """Every turn of the recording with its fitted lever arm.

    Parameters
    ----------
    acc_mps2, gyro_rads
        ``(n, 3)`` acceleration with gravity and angular rate on the same
        axes, at ``rate_hz`` (block means of the recorded samples will do;
        file-backed arrays are read a part at a time).
    up_unit
        ``(n, 3)`` unit gravity direction (a low-pass of ``acc_mps2`` well
        under the step frequency).
    rate_hz
        Their rate: the body anchors' 20 Hz (at 10 Hz, pairs of those rows
        averaged, the fits were noisier: 8 of 136 turns of the forward walks
        came out on the wrong side, against 4 at 20 Hz).
    turn_rate_rads
        Smallest turning rate (about the vertical, 0.8-Hz low-pass) of a turn.
    min_turn_deg
        Smallest rotation of a turn.

    Notes
    -----
    A recording longer than :data:`PART_S` is worked a part at a time, each
    with :data:`OVERLAP_S` of signal either side (the filter's and a turn's
    reach), so the memory needed stays that of one part; a turn belongs to
    the part it starts in.
    """
    n, rate = acc_mps2.shape[0], rate_hz
    if n < 2 * round(PAD_S * rate):
        return []
    part, over = round(PART_S * rate), round(OVERLAP_S * rate)
    if n <= part + 2 * over:  # one part: its turns as they are (times from the start)
        acc, up, gyro = (_rows(x, 0, n) for x in (acc_mps2, up_unit, gyro_rads))
        return _turns_in(acc, up, gyro, rate, turn_rate_rads, min_turn_deg)
    bounds = [
        (max(c0 - over, 0), min(c0 + part + over, n), c0, min(c0 + part, n))
        for c0 in range(0, n, part)
    ]
    turns: list[Turn] = []
    for lo, hi, c0, c1 in bounds:
        acc, up, gyro = (_rows(x, lo, hi) for x in (acc_mps2, up_unit, gyro_rads))
        for t in _turns_in(acc, up, gyro, rate, turn_rate_rads, min_turn_deg):
            if c0 <= lo + round(t.time_s * rate) < c1:
                turns.append(Turn(t.time_s + lo / rate, t.rotation_deg, t.lever, t.se_m))
    return turns


def _turns_in(
    acc: np.ndarray,
    up: np.ndarray,
    gyro: np.ndarray,
    rate: float,
    turn_rate_rads: float,
    min_turn_deg: float,
) -> list[Turn]:
    """:func:`find_turns` on one part's rows (times from its start)."""
    n = acc.shape[0]
    margin = round(MARGIN_S * rate)
    # the rows: horizontal acceleration (device axes, 3), the squared turning
    # rate, its rate of change, the rate itself; one filter pass. Channel-major,
    # each worked and filtered along its own contiguous row (the numbers of
    # the sample-major columns).
    signals = np.empty((6, n))
    norm = np.maximum(row_norm(up), 1e-9)
    unit = np.empty(up.shape)  # up / norm[:, None], a column at a time (``up`` is not changed)
    for j in range(3):
        np.divide(up[:, j], norm, out=unit[:, j])
    up = unit
    along = row_dot(acc, up)  # np.einsum("ij,ij->i")'s numbers
    for j in range(3):  # acc - along * up, a column at a time
        np.subtract(acc[:, j], np.multiply(along, up[:, j], out=signals[j]), out=signals[j])
    del acc, along
    rate_v = row_dot(gyro, up, out=signals[5])
    np.multiply(rate_v, rate_v, out=signals[3])
    gradient = signals[4]  # np.gradient(rate_v) (unit spacing), then times the rate
    np.subtract(rate_v[2:], rate_v[:-2], out=gradient[1:-1])
    np.divide(gradient[1:-1], 2.0, out=gradient[1:-1])
    gradient[0], gradient[-1] = rate_v[1] - rate_v[0], rate_v[-1] - rate_v[-2]
    np.multiply(gradient, rate, out=gradient)
    # All six rows over the whole part, though only the turning rate is needed
    # everywhere and the fit's five near the turns: measured and not used,
    # filtering those five only around the turns. On the tiled ipol-gait hour
    # (a turn every 22 s) the turns with the whole-signal filter's 90-sample
    # padding either side cover 48 % of it in 137 stretches, whose 137 filter
    # calls alone cost more than the six rows over the hour; with enough signal
    # for the filter's start to die out under rounding (210 samples at 0.8 Hz)
    # 83 %. At most 2.5 ms an hour of the five rows' making and filtering was
    # to be saved, less those calls, and the fits' numbers would change.
    slow = lowpass_channels(signals.T, TURN_CUTOFF_HZ, rate)  # (6, n)
    del signals
    turning = np.abs(slow[5]) > turn_rate_rads
    spans = []
    for a, b in zip(*true_runs(turning), strict=True):
        # np.degrees(...)'s numbers in Python floats (math.degrees: the same one product)
        rotation = math.degrees(abs(float(np.add.reduce(rate_v[a:b]))) / rate)
        if rotation >= min_turn_deg:
            spans.append((a, b, rotation))
    if not spans:
        return []
    lo = np.array([max(a - margin, 0) for a, _, _ in spans])
    hi = np.array([min(b + margin, n) for _, b, _ in spans])
    levers, se = _fit(slow, up, lo, hi)
    return [
        Turn(a / rate, rotation, levers[i], float(se[i]))
        for i, (a, _, rotation) in enumerate(spans)
    ]


PART_S = 7200.0
"""A long recording's turns are worked out this much at a time, seconds."""
OVERLAP_S = 60.0
"""Signal read either side of a part, seconds."""


def _rows(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Rows ``lo .. hi`` of ``x`` as a float array (:func:`_turns_in` only reads them).

    A file-backed ``x``'s rows are read into memory and handed back to the
    system; an ordinary array's are a view (no copy of an hour's rows).
    """
    if not is_file_backed(x):
        return np.asarray(x[lo:hi], dtype=np.float64)
    rows = np.array(x[lo:hi], dtype=np.float64)
    release(x, lo, hi)
    return rows


_UPPER = (np.array([0, 0, 0, 1, 1, 2]), np.array([0, 1, 2, 1, 2, 2]))
"""``np.triu_indices(3)``: the upper triangle of a 3x3 matrix, made once."""
_EYE3 = np.eye(3)
_EYE3.flags.writeable = False


def _fit(
    slow: np.ndarray, up: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares lever arms (device axes, m) of the turns ``[lo, hi)`` and their errors.

    ``slow``: the low-passed horizontal acceleration (3 rows, channel-major),
    squared turning rate and its rate of change (and the rate); ``up``: the gravity
    directions. In each turn's horizontal basis ``e, f``: ``a_h = c - w^2 r +
    dw/dt (u x r)``, unknowns ``c_e, c_f, r_e, r_f``, solved by the normal
    equations, whose sums are taken for all turns at once.
    """
    lengths = hi - lo
    starts = np.concatenate(([0], lengths.cumsum()[:-1]))
    # each turn's rows lo..hi - 1, one after another
    rows = np.arange(int(lengths.sum())) + (lo - starts).repeat(lengths)
    # each channel's rows taken on its own (1-D takes, contiguous results)
    a_h = [slow[j].take(rows) for j in range(3)]
    w2, alpha = slow[3].take(rows), slow[4].take(rows)
    # the columns 1, w2, alpha, w2^2, alpha^2, a_h, w2 a_h, alpha a_h and the six
    # products of a_h's components, each worked into its place (no stacking copy),
    # a column at a time
    columns = np.empty((rows.size, 20))
    columns[:, 0] = 1.0
    columns[:, 1] = w2
    columns[:, 2] = alpha
    np.multiply(w2, w2, out=columns[:, 3])
    np.multiply(alpha, alpha, out=columns[:, 4])
    for ch, a in enumerate(a_h):
        columns[:, 5 + ch] = a
        np.multiply(w2, a, out=columns[:, 8 + ch])
        np.multiply(alpha, a, out=columns[:, 11 + ch])
    for c, (p, q) in enumerate(((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))):
        np.multiply(a_h[p], a_h[q], out=columns[:, 14 + c])
    sums = np.add.reduceat(columns, starts, axis=0)
    # no sum of w^2 dw/dt: in the normal equations the two components' cross
    # terms in it cancel
    k, sw, sa, sww, saa = sums[:, :5].T
    s_a, s_wa, s_aa = sums[:, 5:8], sums[:, 8:11], sums[:, 11:14]
    i, j = _UPPER
    t = sums.shape[0]
    second = np.empty((t, 3, 3))
    second[:, i, j] = sums[:, 14:20]
    second[:, j, i] = sums[:, 14:20]
    u = np.add.reduceat(up.take(rows, axis=0), starts, axis=0)  # up[rows], taken faster
    u /= row_norm(u)[:, None]  # np.linalg.norm(u, axis=1, keepdims=True)'s numbers
    ref = _EYE3[np.abs(u).argmin(axis=1)]
    e = ref - np.sum(ref * u, axis=1, keepdims=True) * u
    e /= row_norm(e)[:, None]
    f = cross(u, e)  # e, f, u right-handed: u x e = f, u x f = -e
    ae, af = row_dot(s_a, e), row_dot(s_a, f)  # np.einsum("ij,ij->i")'s numbers
    wae, waf = row_dot(s_wa, e), row_dot(s_wa, f)
    aae, aaf = row_dot(s_aa, e), row_dot(s_aa, f)
    yy = np.einsum("ti,tij,tj->t", e, second, e) + np.einsum("ti,tij,tj->t", f, second, f)
    # rows of a_e: [1, 0, -w2, -alpha]; rows of a_f: [0, 1, alpha, -w2]
    normal = np.zeros((t, 4, 4))
    turning = sww + saa
    normal[:, 0, 0] = normal[:, 1, 1] = k
    normal[:, 0, 2] = normal[:, 1, 3] = normal[:, 2, 0] = normal[:, 3, 1] = -sw
    normal[:, 0, 3] = normal[:, 3, 0] = -sa
    normal[:, 1, 2] = normal[:, 2, 1] = sa
    normal[:, 2, 2] = normal[:, 3, 3] = turning
    rhs = np.empty((t, 4))
    rhs[:, 0], rhs[:, 1], rhs[:, 2], rhs[:, 3] = ae, af, -wae + aaf, -aae - waf
    levers = np.zeros((t, 3))
    se = np.full(t, np.inf)
    ok = np.abs(np.linalg.det(normal)) > 1e-12
    if ok.any():
        inverse = np.linalg.inv(normal[ok])
        x = np.einsum("tij,tj->ti", inverse, rhs[ok])
        rss = np.maximum(yy[ok] - np.sum(x * rhs[ok], axis=1), 0.0)
        dof = np.maximum(2.0 * k[ok] - 4.0, 1.0)
        # the mean of the last two diagonal terms: their sum over two (np.mean's)
        variance = rss / dof * ((inverse[:, 2, 2] + inverse[:, 3, 3]) / 2.0)
        se[ok] = np.sqrt(np.maximum(variance, 0.0))
        levers[ok] = x[:, 2:3] * e[ok] + x[:, 3:4] * f[ok]
    return levers, se

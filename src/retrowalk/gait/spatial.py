"""Step length, speed and distance.

Trunk sensor (lower back): the inverted-pendulum model of Zijlstra & Hof
(2003, Gait Posture 18:1). During single support the centre of mass vaults
over the stance leg like an inverted pendulum of length ``l``; a vertical
excursion ``h`` of the sensor during the step then implies a forward
displacement ``2 * sqrt(2 * l * h - h**2)``. The model underestimates the
step (it ignores double support and the foot's roll-over), so it is scaled by
one factor ``K``.

``h`` comes from double integration of the vertical acceleration over each step
(contact to contact). Over one step of steady walking the vertical velocity and
height return to their start values, so the mean acceleration of the step is
removed before the first integration and the mean velocity before the second:
this is the per-step drift removal of Zijlstra & Hof, done in closed form.

``l`` is the sensor (pelvis) height. Without a measured value it is
``0.53 * body height`` (greater trochanter height in Winter's anthropometric
table, Winter 2009, Biomechanics and Motor Control of Human Movement, 4th ed.,
fig. 4.1), so a missing height still gives a result, based on the stated
default height.

Three corrections make the model hold outside steady straight walking
(:class:`TrunkStepLength`). Stepping on the spot, shuffling and weight shifts
lift and lower the pelvis by a few millimetres without carrying it forward,
and the per-step integration adds a similar floor of its own; so that much of
``h`` (``h_floor_m``) is taken as carrying no progression before the pendulum
formula. Without it, slow daily-life steps (``h`` of about 1 cm) came out
20-50 % too long against a foot-based reference while normal steps
(``h`` of 3-4 cm) were right; ``K`` is re-estimated together with the floor.
A single step much longer than its neighbours is an integration artefact
(a stumble, a sit-to-stand, a missed contact), since step length changes
gradually from step to step; it is limited to a multiple of the running
median. And a step in which the body turns covers less ground than its rise
and fall implies: in a turn the pelvis vaults over a stance foot that it also
pivots about, so part of the vault goes into turning rather than progressing
(on ipol-gait, at the ``K`` that leaves the plain model unbiased on the
straight walks, its U-turns come out 10 % too long). Turning steps are common: 8-50 %
of the steps of daily activities (Glaister et al. 2007, Gait Posture 25:289).
The step's length is divided by ``1 + (theta / turn_rad0)^2``, ``theta`` the
body's heading change over the step (the vertical angular rate summed from
contact to contact; the to-and-fro yaw of the pelvis in straight walking
cancels out): a step turning 45 degrees is 13 % shorter, one of 90 degrees 38 %
(``turn_rad0 = 2`` rad). Without a gyroscope the turn is not known and steps
keep their pendulum length.

The three constants are fitted leave-one-subject-out over the 15 people of
ipol-gait (foot-sensor stride lengths, straight walking and U-turns) and
mobgap-lab (INDIP reference, per-bout walking speed of daily-life bouts), each
dataset weighing equally (``benchmarks/accuracy_loso.py``). Counting in a
reference bout only the steps that start and end inside it, each step's length
as the analysis gives it (worked out over the whole bout it belongs to), 14 of
15 folds choose ``K = 1.40``, ``h_floor_m = 0.006`` and ``turn_rad0 = 2.0``
(one ``K = 1.45`` with ``turn_rad0 = 1.5``; before the rhythm rule, 10 of 15,
four choosing ``turn_rad0 = 2.5``); held
out, mobgap-lab bout speed is off by 11.2 % (mean absolute; mean +2.1 %) and
ipol-gait distance by 14.7 % (8.8 % on the straight 10 m walks, 26.6 % on the
U-turns, whose bias is -15 %), with the contacts of the rhythm rule
(:class:`~retrowalk.gait.contacts.RhythmContactFilter`; before it, 9.9 % and
15.0 %). The figures below, unless said otherwise, were
measured with the lengths worked out over each reference bout's or segment's
own steps, which the analysis never does (9.0 % and 14.7 % for the shipped
model so): the limit on a step far longer than its neighbours then saw other
neighbours. The one bout it moves most is HA_001's daily-life bout 1 (+30 %
so, -41 % as the analysis gives it): in our bout around it the steps of no
length (shuffling, a pause) keep the running median near zero, and its three
real steps are cut to 1.5 times that. Without the turning correction every fold chose ``K = 1.35``
with the same floor, and the held-out figures were 9.1 % and 15.8 % (10.2 %
straight, 26.9 % U-turns, bias +1 %). The two data sets pull ``K`` apart:
without the turning correction the straight walks were unbiased near 1.48,
the daily-life bouts, which turn at almost every other step, near 1.32;
shortening the turning steps lets one ``K`` serve both better. The floor is
the sensitive constant: slow daily-life steps have ``h`` of 0.5-1.5 cm, and 1
mm more or less floor moves the daily-life bout speed error by 2-6 points.
Tried and not kept (before the turning correction), worse held out on both
data sets or a gain on one paid by the other: a symmetric outlier filter
(Hampel, as mobgap's ``SlZijlstra``), running median or mean of ``h``, a floor
in quadrature or growing with step duration, a continuous high-pass drift
removal (0.3-1 Hz) instead of the per-step one, a step-length power of ``h``
other than 1/2, ``K`` scaled by cadence, a blend with a height-and-cadence
model or with Weinberg's (2002) fourth root of the acceleration range when
``h`` is small. Turning as a rate rather than an angle (the length divided by
``1 + (w / w0)^2``, ``w`` the step's yaw rate) is chosen by 14 folds (``w0 =
2 rad/s``, ``K = 1.45``): held out, mobgap-lab 8.7 % and ipol-gait's straight
walks 7.1 %, but its U-turns go from a bias of +1 % to -26 % (26.8 -> 31.9 %):
it shortens the quick steps of a U-turn far more than their turn; the step's
heading change does not. Other powers of the step's turn than 2 (1 to 4,
``turn_rad0`` chosen per fold: mobgap-lab 8.5-9.4 %, ipol-gait 14.6-16.1 %)
do no better and the folds do not agree on their ``turn_rad0``.

The rest of this paragraph was measured without the turning correction.
Also worse on mobgap-lab
even with ``K`` and the floor fitted on mobgap-lab itself (bout speed MAE,
against 9.1 % for this model so fitted): ``h`` integrated over the two steps
around each step (31 %), velocity and height detrended linearly within each
step instead of their means removed (18 %), the mean speed of only the steps
that progress (17 %), the median step speed (14 %), the mean stride speed
(12 %); the measured sensor height instead of ``0.53 * body height`` as ``l``
gains 0.2 points there, within the noise of 19 bouts. The bouts' errors do not
come from the constants: with INDIP's own contacts as the step boundaries the
same model is off by 25 %, so ``h`` is tied to the trunk's own contacts, and
the largest errors are daily-life bouts with stretches of 1.2-2.7 s in which
INDIP has no contact and the trunk finds steps (+42 %: long ones; -18 %: ones
of almost no length), or with one contact INDIP does not have (+32 %). Those
steps are not the cause to remove, though: taking INDIP's own word for which
steps are walking, the bout speed gets worse, not better. Only our steps whose
two contacts both lie on INDIP contacts: 16.8 % at the best constants on
mobgap-lab itself (``K = 1.15``); only our steps outside INDIP's pauses (an
INDIP interval over 1.5 s): 11.4 % (``K = 1.35``, floor 7 mm), 15.4 % with
pauses from 1.2 s, 9.0 % from 2 s (``benchmarks/speed_bouts.py``). The steps
of almost no length in a pause pull the mean down about as much as the slow
steps INDIP does count are made too long. So rules that drop a step as not
walking fail held out as well (mobgap-lab bout speed, ipol-gait distance; at
each threshold ``K`` and the floor chosen on 14 people): a step time outside
``1/r .. r`` times the median of the 2-4 steps on either side (``r`` 1.3-2:
9.3-20.4 %, 14.1-16.6 %; only the long or only the short ones: 9.4-17.9 %;
with ``r`` and the neighbours chosen per fold too, 14 folds take 1.75 and 4
for ipol-gait's U-turns, 26.9 -> 23.6 %, and mobgap-lab goes to 11.6 %), a
vertical displacement that does not rise and fall once
over the step like the pendulum's (its correlation with a half sine under
-0.2 to 0.3: 11.8-13.7 %), a step of little vertical acceleration (RMS under
0.3-0.5 m/s^2: 12.4-13.8 %), or a short step lengthened to a quarter to
two thirds of its neighbours' running median (11.5-12.8 %), against 9.1 %
and 15.8 % then; nor does a trimmed mean of the bout's step speeds (5-25 % off
each end: 9.2-11.9 %).
Choosing ``K`` and the floor by distance over walking time, as the bout's
speed is reported, gives 9.8 % instead of 9.1 %; INDIP's average speed is a
speed while walking, as ours: its mean stride length times its cadence (a
median difference of 0.5 %), pauses left out (its distance over the bout's
duration is a median 19 % lower), and our two summaries differ by 0.1 points.

Where the error is now (shipped constants, in sample, lengths as the analysis
gives them, ``benchmarks/speed_bouts.py``): the bout speed error of 11.2 % is
what is left of two larger ones that partly cancel. Our cadence is off by
11.2 % (mean absolute; up to +51 % on slow daily-life bouts, where the trunk
finds contacts inside what INDIP takes as one slow stride or a pause) and our
mean step length by 15.9 %, mostly the other way. Bouts under 0.6 m/s are off
by 15.5 % (mean +4.7 %), the faster ones by 7.3 % (mean -0.2 %). The steps at
a bout's ends are not the excess: without each bout's first and last step the
error grows to 15.0 %. Two bouts make most of it (without them 6.5 %); in both
the pendulum's step lengths are wrong, which no way of averaging the steps
mends. HA_001's daily-life bout 1 (-41 %) is three steps, a stand of 1.4 s and
a turning step: the pendulum reads 2-3 cm of excursion in the three steps and
makes them 0.38-0.57 m long, where INDIP's whole bout (1.45 m over five steps)
has 0.29 m steps; the limit, whose running median the bout's steps of no
length keep low, cuts them to 0.18-0.21 m, the right way but too far. INDIP
then averages four strides, one across the stand (2.7 s long), where ours
leaves the 1.51 s interval out as a pause and gives the step before it (0.5 cm
of excursion, a step INDIP counts at its normal rate) no length. MS_001's
daily-life bout 4 (+63 %) ends in a movement other than walking: in its last
2.5 s the trunk tilts by up to 20 degrees and back while the pelvis sinks and
rises by up to 10 cm (just after the bout the trunk tilts by 45 degrees and
the pelvis moves 17 cm: sitting down or bending). INDIP finds one slow step of
1.63 s there, the trunk two of 0.8 s; five of the bout's last six steps rise
and fall 2.4-5.6 cm, which the pendulum reads as steps of 0.43-0.69 m where
INDIP's average step is 0.25 m.
INDIP averages per stride (one foot's contact to its next) over the strides
the Mobilise-D rules keep (0.2-3 s, at least 0.15 m long: in 7 of the 19
bouts it averages fewer strides than its contacts make): in the 9 bouts where
it counts every stride, its cadence is exactly their mean rate, strides
across hesitations of up to 2.7 s included at their low rate. Ours leaves an
interval over 1.5 s out as a pause. Counting every interval of a bout as a
step (up to 2 s, the bout's own pause limit) brings our cadence closer to
INDIP's (8.7 -> 6.9 %) and gave 7.9 % bout speed with the lengths worked
out per reference bout, but 12.1 % as the analysis gives them, so it is not
used (with 1.5, 1.75 and 2 s to choose from per fold: 11.3 % held out). Leaving out steps
under 7.5 cm, as INDIP leaves out strides under 0.15 m, does worse (16.6 %,
per reference bout): the floor gives slow real steps no length too.
Averaging pairs of our steps as INDIP averages strides gave 10.6 % (per
reference bout).

Tried since, held out over the 15 people as above (mobgap-lab bout speed,
ipol-gait distance, against 11.2 % and 14.7 %; ``K``, the floor and
``turn_rad0`` chosen per fold with each), all with the lengths as the analysis
gives them, and not kept: the running median of the limit taken over the steps
above the floor only (13.6 %, 15.2 %: it leaves HA_001's bout 1 as it is and
lengthens the slow steps of others); the limit's ratio (1.25-2) and its
neighbours (2-8) chosen per fold too (14.8 %, 15.0 %; no limit at all gives
14.4 % in sample at the shipped constants); the bout speed as distance over
walking time, as the analysis reports it, the constants chosen on that
(10.4 %, 15.1 %: U-turns 27.7 %), or as the mean speed of consecutive step
pairs (12.4 %, 14.9 %; leaving out pairs under 0.15 m, as INDIP its strides:
11.4 %, 16.8 %); intervals of 1.5-2 or 1.5-3 s counted as steps of no length
(12.5 %); a step whose trunk inclination (the direction of the acceleration
low-passed at 0.5 Hz) changes by more than 5-20 degrees within it taken as not
walking, left out or given no length (11.4-23.5 %, 13.4-18.5 %); each step
limited to 1.2-2 times the length that body height and the step's own rate
give (Grieve & Gear, as for the thigh; 11.0 %, 14.5 %, U-turns 27.7 %); and
``h`` as the amplitude of a pendulum-shaped rise and fall (``-cos`` over the
step) fitted to the step's displacement instead of its range (16.1 %, 15.5 %).
Chosen on mobgap-lab alone, leave-one-person-out over its three people, the
step mean gives 11.7 % (10.4 % in sample), distance over time 11.0 %, the step
pairs 10.7 % (8.8 % in sample), without pairs under 0.15 m 11.9 % (8.1 % in
sample): on these 19 bouts, figures near 8 % in sample do not hold out.

Thigh sensor (trouser pocket): the thigh rotates, so its vertical excursion is
not the centre of mass's and the pendulum model does not apply. Step length
then comes from body height and step frequency (Grieve & Gear 1966,
Ergonomics 9:379: step length rises about linearly with step frequency; the
ratio 0.415 of height at 1.8 steps/s is the usual walking reference, Zijlstra
et al. use the same proportion as a plausibility bound).
"""

from __future__ import annotations

import numpy as np

from retrowalk.core.algorithm import Algorithm
from retrowalk.core.types import Direction
from retrowalk.dsp.rows import split_at

# Pelvis (greater trochanter) height as a fraction of body height (Winter 2009).
LEG_LENGTH_FRACTION = 0.53

# Zijlstra & Hof's factor for this h-estimation: see ZijlstraStepLength.
ZIJLSTRA_K = 1.25

# Zijlstra & Hof's factor and the excursion that carries no progression, as
# fitted together leave-one-subject-out (see the module docstring).
TRUNK_K = 1.40
H_FLOOR_M = 0.006

# Heading change over one step at which its pendulum length is halved (a step
# turning by ``theta`` is shortened by ``1 + (theta / TURN_RAD0)^2``), chosen
# leave-one-subject-out with K and the floor (see the module docstring).
TURN_RAD0 = 2.0

# Longest plausible ratio of one step's length to the running median of its
# neighbours (step length changes gradually while walking).
MAX_STEP_LENGTH_RATIO = 1.5


class ZijlstraStepLength(Algorithm):
    """Step lengths from the vertical excursion of a trunk sensor.

    Parameters
    ----------
    k_factor
        Multiplier of the inverted-pendulum step length. Zijlstra & Hof (2003)
        found 1.25 on average for their subjects; the value used here is
        re-estimated for this integration on real data with a reference
        (see ``benchmarks/accuracy.py``, leave-one-subject-out).
    max_step_s
        Steps longer than this (pauses inside a bout) get no length of their own;
        they take the median of the bout.
    max_h_fraction
        Upper bound of ``h`` as a fraction of ``l`` (guards against integration
        blow-ups on turns or stumbles).

    Attributes
    ----------
    step_length_m_
        One value per step (contact k to contact k + 1); ``nan`` where undefined.
    h_m_
        The vertical excursion of each step.

    References
    ----------
    Zijlstra W, Hof AL (2003). Assessment of spatio-temporal gait parameters from
    trunk accelerations during human walking. Gait Posture 18:1-10.
    """

    def __init__(
        self, *, k_factor: float = ZIJLSTRA_K, max_step_s: float = 1.5, max_h_fraction: float = 0.1
    ) -> None:
        self.k_factor = k_factor
        self.max_step_s = max_step_s
        self.max_h_fraction = max_h_fraction

    def estimate(
        self,
        acc_vertical_mps2: np.ndarray,
        ic_samples: np.ndarray,
        sampling_rate_hz: float,
        leg_length_m: float,
    ) -> ZijlstraStepLength:
        """Estimate per-step lengths for consecutive contacts of one bout.

        Parameters
        ----------
        acc_vertical_mps2
            Dynamic vertical acceleration (gravity removed, up positive).
        ic_samples
            Sorted contact indices of one bout.
        sampling_rate_hz
            Sampling rate.
        leg_length_m
            Pendulum length ``l`` (sensor height above the ground).
        """
        fs = float(sampling_rate_hz)
        ic = np.asarray(ic_samples, dtype=np.int64)
        h = step_excursion_m(acc_vertical_mps2, ic, fs)
        durations = (ic[1:] - ic[:-1]) / fs
        h = np.where(durations <= self.max_step_s, h, np.nan)
        self.h_m_ = h
        self.step_length_m_ = step_length_from_excursion_m(
            h, leg_length_m, self.k_factor, self.max_h_fraction
        )
        return self


class TrunkStepLength(Algorithm):
    """Step lengths of a trunk sensor in daily-life walking, not only straight lines.

    ``K * 2 * sqrt(2 l h' - h'^2)`` with ``h' = h - h_floor_m`` (at least 0),
    then each step limited to ``max_ratio`` times the running median of its
    neighbours, then divided by ``1 + (theta / turn_rad0)^2`` where the body
    turned by ``theta`` (rad, the net heading change over the step) while
    stepping.

    Parameters
    ----------
    k_factor
        Zijlstra & Hof's multiplier, re-estimated with the floor.
    h_floor_m
        Vertical excursion that carries no forward progression, m.
    turn_rad0
        Heading change over one step at which its length is halved, rad
        (``None``: turning steps keep their pendulum length). Applies only where
        the step's turn is given (a sensor with a gyroscope).
    max_h_fraction
        Upper bound of ``h`` as a fraction of the pendulum length.
    max_ratio
        Longest step as a multiple of the running median of the neighbours.
    neighbours
        Steps on each side of the running median.

    Attributes
    ----------
    step_length_m_
        One value per step; ``nan`` where ``h`` is ``nan``.

    References
    ----------
    Zijlstra W, Hof AL (2003). Assessment of spatio-temporal gait parameters from
    trunk accelerations during human walking. Gait Posture 18:1-10.
    Salis F et al. (2023). A multi-sensor wearable system for the assessment of
    diseased gait in real-world conditions. Front Bioeng Biotechnol 11:1143248
    (INDIP, the foot-based reference of mobgap-lab).
    """

    def __init__(
        self,
        *,
        k_factor: float = TRUNK_K,
        h_floor_m: float = H_FLOOR_M,
        max_h_fraction: float = 0.1,
        max_ratio: float = MAX_STEP_LENGTH_RATIO,
        neighbours: int = 4,
        turn_rad0: float | None = TURN_RAD0,
    ) -> None:
        self.k_factor = k_factor
        self.h_floor_m = h_floor_m
        self.turn_rad0 = turn_rad0
        self.max_h_fraction = max_h_fraction
        self.max_ratio = max_ratio
        self.neighbours = neighbours

    def estimate(
        self, h_m: np.ndarray, leg_length_m: float, turn_rad: np.ndarray | None = None
    ) -> TrunkStepLength:
        """Lengths of consecutive steps of one bout.

        Parameters
        ----------
        h_m
            Vertical excursion of each step (``nan``: not a step, e.g. a pause).
        leg_length_m
            Pendulum length.
        turn_rad
            Heading change of the body over each step, rad (either sign), or
            ``None`` (not measured: no turning correction).
        """
        turns = None if turn_rad is None else [turn_rad]
        self.step_length_m_ = self._lengths([h_m], leg_length_m, turns)[0]
        return self

    def estimate_bouts(
        self,
        h_m: list[np.ndarray],
        leg_length_m: float,
        turn_rad: list[np.ndarray] | None = None,
    ) -> list[np.ndarray]:
        """:attr:`step_length_m_` of :meth:`estimate` for each of many bouts.

        Worked for all bouts at once: every step's length from its own
        excursion, then each bout's running median over its own measured steps
        (:func:`_running_median` within each bout), then the turning
        correction. A subclass with its own :meth:`estimate` is asked bout by
        bout.
        """
        if type(self).estimate is not TrunkStepLength.estimate:
            if turn_rad is None:
                return [self.estimate(h, leg_length_m).step_length_m_ for h in h_m]
            return [
                self.estimate(h, leg_length_m, t).step_length_m_
                for h, t in zip(h_m, turn_rad, strict=True)
            ]
        return self._lengths(h_m, leg_length_m, turn_rad)

    def _lengths(
        self,
        h_m: list[np.ndarray],
        leg_length_m: float,
        turn_rad: list[np.ndarray] | None = None,
    ) -> list[np.ndarray]:
        """The step lengths of each bout of excursions ``h_m`` (and turns ``turn_rad``)."""
        if not h_m:
            return []
        sizes = [np.asarray(h).size for h in h_m]
        h = np.concatenate([np.asarray(x, dtype=np.float64).ravel() for x in h_m]) - self.h_floor_m
        raw = step_length_from_excursion_m(h, leg_length_m, self.k_factor, self.max_h_fraction)
        raw = np.where(np.isfinite(h), raw, np.nan)
        valid = np.flatnonzero(np.isfinite(raw))
        lengths = raw.copy()
        # each bout's measured steps, one after another in ``raw[valid]``
        count = np.bincount(np.arange(len(sizes)).repeat(sizes)[valid], minlength=len(sizes))
        enough = (count >= 3).repeat(count)
        if enough.any():
            kept = raw[valid]
            local = _running_median(kept, self.neighbours, count)
            lengths[valid[enough]] = np.minimum(kept[enough], self.max_ratio * local[enough])
        if turn_rad is not None and self.turn_rad0 is not None:
            turn = np.concatenate([np.asarray(t, dtype=np.float64).ravel() for t in turn_rad])
            if turn.size != lengths.size:
                raise ValueError("one turn per step is needed")
            lengths /= 1.0 + np.square(_nan_to_num(turn) / self.turn_rad0)
        return split_at(lengths, np.cumsum(sizes)[:-1])


def _nan_to_num(x: np.ndarray) -> np.ndarray:
    """``np.nan_to_num(x)`` of a float64 array: NaN as 0, infinities as the largest
    finite numbers of their sign, without its per-call set-up."""
    out = x.copy()
    out[np.isnan(out)] = 0.0
    big = np.finfo(np.float64).max
    out[out == np.inf] = big
    out[out == -np.inf] = -big
    return out


def _running_median(
    values: np.ndarray, half_width: int, sizes: np.ndarray | None = None
) -> np.ndarray:
    """Running median over ``2 * half_width + 1`` values (edges repeat the end value).

    With ``sizes``, within each run of that many consecutive values on its own
    (its edges repeat the run's end values).
    """
    # the median of an odd count is one of the values: the same numbers as
    # scipy.ndimage.median_filter(mode="nearest"), without importing scipy.ndimage
    arr = np.asarray(values, dtype=np.float64)
    n = arr.shape[0]
    if n == 0 or half_width <= 0:
        return arr.copy()
    runs = np.asarray([n] if sizes is None else sizes, dtype=np.int64)
    first = (runs.cumsum() - runs).repeat(runs)  # each value's run's first index
    last = first + runs.repeat(runs) - 1
    offsets = np.arange(-half_width, half_width + 1)
    at = np.arange(n)[:, None] + offsets[None, :]
    windows = arr[np.minimum(np.maximum(at, first[:, None]), last[:, None])]  # np.clip's
    return np.sort(windows, axis=1)[:, half_width]


def step_length_from_excursion_m(
    h_m: np.ndarray, leg_length_m: float, k_factor: float = ZIJLSTRA_K, max_h_fraction: float = 0.1
) -> np.ndarray:
    """Inverted-pendulum step length ``K * 2 * sqrt(2 l h - h^2)`` (Zijlstra & Hof 2003)."""
    h = np.clip(np.asarray(h_m, dtype=np.float64), 0.0, max_h_fraction * leg_length_m)
    return k_factor * 2.0 * np.sqrt(2.0 * leg_length_m * h - h**2)


#: Samples of steps whose excursions :func:`step_excursion_m` works together.
_EXCURSION_BLOCK = 1 << 15


def step_excursion_m(acc_vertical_mps2: np.ndarray, ic: np.ndarray, fs: float) -> np.ndarray:
    """Peak-to-peak vertical displacement within each step ``[ic[k], ic[k+1])``.

    Vectorised over the steps: per-step mean removal of acceleration and of
    velocity, then cumulative sums restarted at every step boundary (one
    running sum, less its value where each step starts). Each step's values
    are spread over its samples by ``np.repeat``, not gathered by an index per
    sample. The steps are worked a block of about :data:`_EXCURSION_BLOCK`
    samples at a time, whose arrays stay in the processor's cache; the running
    sums go on from block to block (a block's first sample adds the total
    before it, the very addition of one running sum over all steps).
    """
    if ic.size < 2:
        return np.zeros(0)
    if (ic[1:] <= ic[:-1]).any():  # a difference of 0 or less
        raise ValueError("contacts must be strictly increasing")
    acc = np.asarray(acc_vertical_mps2, dtype=np.float64)
    n_steps = ic.size - 1
    # each block ends at the first contact at or after its samples' end
    marks = np.arange(int(ic[0]) + _EXCURSION_BLOCK, int(ic[-1]), _EXCURSION_BLOCK)
    ends = [*ic.searchsorted(marks).tolist(), n_steps]
    out = np.empty(n_steps)
    carry_v = carry_p = 0.0  # the running sums' totals before the block
    first = 0
    for last in ends:
        if last <= first:
            continue  # a step longer than a block: in the block before
        lo = int(ic[first])
        a = acc[lo : int(ic[last])]
        bounds = ic[first:last] - lo
        lengths = ic[first + 1 : last + 1] - ic[first:last]
        counts = lengths.astype(np.float64)
        # each step's array worked in place where it is the function's own
        x = (np.add.reduceat(a, bounds) / counts).repeat(lengths)
        np.subtract(a, x, out=x)  # acceleration less each step's mean
        v, next_v = _segment_cumsum(x, bounds, lengths, carry_v, first > 0)
        v /= fs
        v -= (np.add.reduceat(v, bounds) / counts).repeat(lengths)
        p, next_p = _segment_cumsum(v, bounds, lengths, carry_p, first > 0)
        p /= fs
        out[first:last] = np.maximum.reduceat(p, bounds) - np.minimum.reduceat(p, bounds)
        carry_v, carry_p, first = next_v, next_p, last
    return out


def step_turn_rad(gyro_vertical_rads: np.ndarray, ic: np.ndarray, fs: float) -> np.ndarray:
    """Heading change of the body within each step ``[ic[k], ic[k+1])``, rad.

    The angular rate about the vertical summed over the step's samples (its
    sign: the way the body turned). The pelvis yaws to and fro with every step
    of straight walking, so only a turn of the walking heading is left.
    """
    if ic.size < 2:
        return np.zeros(0)
    if (ic[1:] <= ic[:-1]).any():  # a difference of 0 or less
        raise ValueError("contacts must be strictly increasing")
    w = np.asarray(gyro_vertical_rads, dtype=np.float64)[ic[0] : ic[-1]]
    return np.add.reduceat(w, ic[:-1] - ic[0]) / fs


def _segment_cumsum(
    x: np.ndarray, bounds: np.ndarray, lengths: np.ndarray, carry: float, carried: bool
) -> tuple[np.ndarray, float]:
    """Running sums of ``x`` restarted at each of ``bounds`` (segments ``lengths`` long).

    In place: ``x`` (a float64 array of the caller's own) becomes the result.
    ``carry``: the total of the running sum before ``x`` (used when
    ``carried``; else the sum starts at ``x``). Also returns the running
    sum's total after ``x``.
    """
    if carried:
        x[0] += carry
    total = x.cumsum(out=x)
    after = float(total[-1])
    before = np.empty(bounds.size)  # the running sum before each segment
    before[0] = carry if carried else 0.0
    before[1:] = total[bounds[1:] - 1]
    total -= before.repeat(lengths)
    return total, after


#: Backward step length as a share of forward step length at the same cadence.
#: Backward walking is slower with shorter strides while cadence is about
#: unchanged (Laufer 2005, J Gerontol A 60:627); older adults walked 0.73 m/s
#: backward against 1.36 m/s forward (Gong et al. 2026, GeroScience), a ratio of
#: 0.54. Used only where step length is not measured but assumed (pocket).
BACKWARD_STEP_LENGTH_RATIO = 0.73 / 1.36


def height_based_step_length_m(
    height_m: float, cadence_spm: float, direction: str = Direction.FORWARD
) -> float:
    """Step length of a thigh/pocket sensor from body height, cadence and direction.

    ``0.415 * height`` at 108 steps/min, scaled linearly with step frequency
    within 0.7-1.3 of that (Grieve & Gear 1966); backward steps are shorter by
    :data:`BACKWARD_STEP_LENGTH_RATIO`. An ``"uncertain"`` direction keeps the
    forward value (the larger, stated in the analysis notes).
    """
    scale = float(np.clip(cadence_spm / 108.0, 0.7, 1.3))
    forward = 0.415 * height_m * scale
    return forward * BACKWARD_STEP_LENGTH_RATIO if direction == Direction.BACKWARD else forward

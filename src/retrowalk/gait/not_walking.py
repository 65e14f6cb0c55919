"""What is not walking: rhythmic movement that the step detector would count.

A step detector finds a regular train of impacts; many things other than
walking make one. Five properties of human walking rule them out, each
checked on one candidate bout:

- **Movement.** Walking moves the body up and down at the step rhythm, and
  turns the pelvis and thighs with every step (pelvic rotation and obliquity
  of about 4-5 degrees each way at the lower back, hip flexion and extension
  of about 40 degrees in all at the thigh; Perry & Burnfield 2010, Gait
  Analysis, ch. 8 and 10). A phone on a table that is tapped or knocked, or
  a vehicle's or machine's vibration, moves the device a little at the same
  rhythm but hardly turns it. Walking also moves the body across gravity with
  every step: its forward speed falls and rises in each step as it vaults over
  the stance leg (Cavagna, Heglund & Taylor 1977, Am J Physiol 233:R243), and
  it sways sideways from foot to foot; a seat's bounce or a machine's shake
  moves the device up and down but hardly forward or sideways at that rhythm.
  Measured on every real walking bout here (lower back, pocket, hand, arm band,
  neck pouch, purse, swinging arm): the vertical acceleration at 0.5-3 Hz at
  least 0.40 m/s^2 (RMS), the acceleration across gravity at 0.5-3 Hz at least
  0.76 m/s^2, and, with a gyroscope, the rotation rate at 0.5-3 Hz at least
  0.24 rad/s (``benchmarks/not_walking.py``).
- **Support.** In walking one foot is always on the ground (a double-support
  phase at every step; Perry & Burnfield 2010, Gait Analysis, ch. 1), so the
  body is never in free fall. Jumping, hopping and running have a flight phase
  in every step: the measured acceleration magnitude drops near zero. Measured:
  jumping in place (phone in hand) 11 % of samples below 3 m/s^2 (50 ms mean);
  walking at every placement here at most 0.9 %.
- **Harmonics.** The heel strike and push-off make the vertical acceleration of
  walking rich in harmonics of the step frequency (Zijlstra & Hof 2003, Gait
  Posture 18:1; the harmonic ratio of Smidt et al. 1971), so its power is never
  concentrated in one narrow line. A pure oscillation (a shaker, a swinging
  object, a synthetic sine) is.
- **Variability.** Human steps vary from stride to stride (stride-time
  coefficient of variation 1-3 % in healthy adults, Hausdorff 2005, J Neuroeng
  Rehabil 2:19), which lowers the correlation of consecutive strides (0.6-0.95
  at the lower back, Moe-Nilssen & Helbostad 2004, J Biomech 37:121). A
  machine repeats itself exactly. Strides are compared at 100 Hz or finer (a
  slower recording is interpolated first): at whole-sample lags of 30 Hz, a
  machine's stride of 33.3 samples compared 33 samples later correlates at
  only 0.989.
- **Pace.** A walking body moves slowly: the movement of gait lies almost
  wholly below 15 Hz (Antonsson & Mann 1985, The frequency content of gait,
  J Biomech 18:39), and so does the acceleration of the body it carries.
  Sensor noise and a machine's buzz spread their power over every frequency
  the device samples. Measured on every real walking bout here (2 s or more):
  at most 15 % of the vertical dynamic power (above 0.3 Hz) lies at 15 Hz or
  above (an ipol-gait lower back, whose sensor feels each heel strike; phones
  up to 9 %, the daily-life lower backs 3 %), where white noise sampled at
  100 Hz has 69-71 % there and at 50 Hz 38-42 %. A bout's own regularity cannot
  tell noise from walking: consecutive strides of real slow daily-life walking
  correlate as little as noise does (down to -0.16 here). The check cannot
  see noise sampled at 40 Hz or less (a quarter of its power above 15 Hz at
  40 Hz, none at 30 Hz). Nor does it hold for a sensor on a foot, which lands
  with an impact at every contact (ipol-gait's feet: up to 63 % at 15 Hz and
  above): the pipeline does not ask it of a foot. Spread, below, covers both.
- **Spread.** The vertical acceleration of walking is concentrated at the
  step rhythm and its harmonics (Zijlstra & Hof 2003, above), or, where a
  foot's impacts spread it over every frequency, it comes back with every
  stride; white noise is the one signal spread evenly over all the
  frequencies a device samples, at any sampling rate, and it does not repeat.
  The spread is the spectral flatness (Wiener entropy: the geometric over the
  arithmetic mean of the power; Gray & Markel 1974, IEEE Trans Acoust Speech
  Signal Process 22:207) of the vertical movement from 0.5 Hz to the lower of
  15 Hz and 0.4 times the sampling rate (below a device's anti-alias
  roll-off), in 0.5-Hz bands; the repetition is the largest correlation of
  its step-rhythm band (0.5-3 Hz) with itself 0.4-2.5 s later. Both are read
  in hertz and seconds, so white noise is as flat at 20 Hz as at 200 Hz
  (0.95-0.98 over 60 s). A bout is refused when it is flatter than
  ``max_flatness`` (0.8) and repeats less than ``min_repetition`` (0.4).
  Measured on every real walking bout here (2 s or more) as recorded: the
  flattest at a trunk or phone 0.72 (mocap thigh), on a foot without
  gyroscope 0.90 (a 2.2-s bout of ipol-gait 8-6's right foot, repeating at
  0.53); resampled to 20-50 Hz, at most 0.90, and every bout flatter than 0.8
  repeats at 0.43 or more (a 2.7-s bout of an ipol-gait lower back at 25 Hz).
  White noise over 60 s at 20-200 Hz repeats at 0.10-0.22. Where it fails:
  noise shorter than about 20 s looks less flat (fewer bins to each band) and
  repeats more by chance, and 10 s of noise gives a bout in up to half of the
  cases; the bouts of 5-20 s of noise are 0.61-0.96 flat and repeat at
  0.09-0.80, where 91 real bouts here lie too (as recorded or resampled; a
  2.2-s ipol-gait foot bout 0.90 and 0.50, a 25-s daily-life lower back at
  20 Hz 0.75 and 0.13: ``benchmarks/not_walking.py``, section 5), so a
  threshold that moves with the bout's length would refuse real walking; a
  machine's exact, walk-like movement is not flat and is left to the exact
  repetition; and it refuses a wrist's irregular hand movement too (16 of the
  585 candidate bouts of 13.6 h of unlabelled free living at 30 Hz, 454 steps,
  half of them strongest at 5-10 Hz).
"""

from __future__ import annotations

import bisect
import copy
import functools
import math

import numpy as np

from retrowalk.core.algorithm import Algorithm
from retrowalk.dsp.memory import release
from retrowalk.dsp.rows import row_dot, row_norm, small_median, unit_vector

G_MPS2 = 9.81

#: A bout's acceleration with gravity and the unit vector of its mean (up).
Upright = tuple[np.ndarray, np.ndarray]

#: Longest FFT length looked up in :func:`_smooth_lengths` (beyond it: the next power of two).
_MAX_SMOOTH = 1 << 24


class WalkingCheck(Algorithm):
    """Decide whether a detected bout is walking.

    Parameters
    ----------
    free_fall_mps2
        Acceleration magnitude (50 ms mean) below which the body is in flight.
    max_flight_share
        Largest share of steps with a flight phase of ``min_flight_s`` (real
        walking here: at most 0.006; jumping in place: 0.46).
    min_flight_s
        Shortest flight that counts.
    max_peak_share
        Largest share of the vertical dynamic power (0.3-15 Hz) within 15 % of
        its strongest frequency; above it the movement is one pure oscillation.
        Measured on real walking: up to 0.91 (phones whose accelerometer is
        smoothed); sines 1.00.
    max_stride_correlation
        Largest correlation of consecutive strides of the vertical acceleration;
        above it the movement is too regular for a person. Real walking here:
        up to 0.94 as recorded, 0.95 resampled to 20-50 Hz (a 2.2-s motion
        capture bout at 20 Hz); a machine's impacts with sensor noise: 0.999;
        a machine-exact walk-like oscillation at 20-100 Hz: 0.9992 or more
        (``benchmarks/not_walking.py``, section 7).
    stride_check_rate_hz
        Sampling rate at which consecutive strides are compared. A stride is
        compared at whole-sample lags; a machine's stride is rarely a whole
        number of samples, and at 50 Hz or less the nearest whole lag can be far
        enough off to lower the correlation of an exact repetition under the
        ceiling, to as little as 0.976 (a walk-like oscillation of 1.6-2.1
        steps a second at 20-50 Hz). A bout sampled more slowly is first
        brought to this rate or above by band-limited interpolation
        (``scipy.signal.resample_poly``), so the check sees as finely at every
        sampling rate; a bout sampled at this rate or faster is compared as it
        is. Where it fails: a machine's movement that varies from stride to
        stride as much as a person's is not seen by this check.
    max_fast_share
        Largest share of the vertical dynamic power (above 0.3 Hz) at 15 Hz and
        above; over it the movement is too fast for a walking body (sensor
        noise, a machine's buzz). Real walking here: up to 0.154; with any one
        person left out, twice the others' largest is 0.220 or more, and no
        real bout is over its held-out ceiling (``benchmarks/not_walking.py``).
        White noise: 0.69-0.71 at 100 Hz, 0.38-0.42 at 50 Hz. Not for a foot
        (its impacts are fast: real feet here up to 0.63); the pipeline sets it
        to infinity there.
    max_flatness
        Spectral flatness of the vertical movement (0.5 Hz to the lower of 15 Hz
        and 0.4 times the sampling rate, in 0.5-Hz bands) over which the movement
        must repeat (``min_repetition``) to be walking. Real walking here: up to
        0.72 at a trunk or phone and 0.90 on a foot without gyroscope (0.90
        resampled to 20-50 Hz); with any one person left out, the others'
        largest is 0.77 or more. White noise over 60 s: 0.95-0.98 at 20-200 Hz.
    min_repetition
        Smallest repetition (the largest correlation of the 0.5-3 Hz vertical
        movement with itself 0.4-2.5 s later) of a bout flatter than
        ``max_flatness``; under it the bout is noise. Real walking here flatter
        than 0.8: at least 0.53 as recorded, 0.43 resampled to 20-50 Hz; with
        any one person left out, the others' smallest is 0.43 or more
        (``benchmarks/not_walking.py``). White noise over 60 s: 0.10-0.22;
        noise of 10 s repeats more by chance and is not always refused.
    min_vertical_mps2
        Smallest RMS of the vertical acceleration at 0.5-3 Hz (the step
        rhythm); below it the body does not move as walking moves it. Set at
        half the smallest of real walking here (0.40 m/s^2, a phone in a front
        pocket; at least 0.42 m/s^2 at the lower back); with any one person
        left out, half the others' smallest is 0.201 or more.
    min_rotation_rads
        Smallest RMS of the rotation rate at 0.5-3 Hz, checked when the
        vertical movement is under ``rotation_check_below_mps2`` and the
        recording has a gyroscope; under half the smallest of real walking
        here (0.24 rad/s, a 0.7-s bout at the lower back; 0.27 rad/s in bouts
        of 2 s or more); with any one person left out, half the others'
        smallest is 0.12 or more.
    rotation_check_below_mps2
        Vertical movement (as for ``min_vertical_mps2``) under which the
        rotation is checked too. Above it a bout moves as only walking here
        does, and the rotation is not worked out (it costs a transform of three
        more channels).
    min_horizontal_mps2
        Smallest RMS of the acceleration across gravity (the components
        perpendicular to the bout's mean specific force) at 0.5-3 Hz, checked
        instead of the rotation when the recording has no gyroscope and the
        vertical movement is under ``horizontal_check_below_mps2``; under half
        the smallest of real walking here (0.76 m/s^2, a slow walk at the lower
        back; a phone in the hand 0.93); with any one person left out, half the
        others' smallest is 0.378 or more. A model of a vehicle's seat bounce
        moves 0.02-0.03 m/s^2 across gravity (no real ride is recorded here).
    horizontal_check_below_mps2
        Vertical movement under which the movement across gravity is checked,
        without a gyroscope.

    Attributes
    ----------
    walking_ : bool
        The bout is walking.
    reason_ : str
        Why not (empty when walking).
    features_ : dict
        The statistics.
    """

    walking_: bool
    reason_: str
    features_: dict[str, float]

    def __init__(
        self,
        *,
        free_fall_mps2: float = 3.0,
        max_flight_share: float = 0.3,
        min_flight_s: float = 0.06,
        max_peak_share: float = 0.97,
        max_stride_correlation: float = 0.995,
        stride_check_rate_hz: float = 100.0,
        max_fast_share: float = 0.35,
        max_flatness: float = 0.8,
        min_repetition: float = 0.4,
        min_vertical_mps2: float = 0.2,
        min_rotation_rads: float = 0.12,
        rotation_check_below_mps2: float = 0.6,
        min_horizontal_mps2: float = 0.35,
        horizontal_check_below_mps2: float = 0.6,
    ) -> None:
        self.free_fall_mps2 = free_fall_mps2
        self.max_flight_share = max_flight_share
        self.min_flight_s = min_flight_s
        self.max_peak_share = max_peak_share
        self.max_stride_correlation = max_stride_correlation
        self.stride_check_rate_hz = stride_check_rate_hz
        self.max_fast_share = max_fast_share
        self.max_flatness = max_flatness
        self.min_repetition = min_repetition
        self.min_vertical_mps2 = min_vertical_mps2
        self.min_rotation_rads = min_rotation_rads
        self.rotation_check_below_mps2 = rotation_check_below_mps2
        self.min_horizontal_mps2 = min_horizontal_mps2
        self.horizontal_check_below_mps2 = horizontal_check_below_mps2

    def check(
        self,
        acc_mps2: np.ndarray,
        sampling_rate_hz: float,
        contacts: np.ndarray,
        gyro_rads: np.ndarray | None = None,
    ) -> WalkingCheck:
        """Check one bout.

        Parameters
        ----------
        acc_mps2
            ``(n, 3)`` acceleration with gravity over the bout.
        sampling_rate_hz
            Its rate.
        contacts
            The bout's contacts, samples relative to ``acc_mps2``.
        gyro_rads
            ``(n, 3)`` rotation rate over the bout, if the recording has one.
        """
        bout = (0, np.asarray(acc_mps2).shape[0], contacts)
        self._check_into([self], acc_mps2, sampling_rate_hz, [bout], gyro_rads)
        return self

    def check_bouts(
        self,
        acc_mps2: np.ndarray,
        sampling_rate_hz: float,
        bouts: list[tuple[int, int, np.ndarray]],
        gyro_rads: np.ndarray | None = None,
    ) -> list[WalkingCheck]:
        """:meth:`check` of each bout ``(lo, hi, contacts)`` of a recording, a copy each.

        A bout is the rows ``lo:hi`` of ``acc_mps2`` (and of ``gyro_rads``), its
        contacts samples relative to ``lo``. Each bout is checked as :meth:`check`
        checks it, with the same decisions and figures, but the work common to
        all is done in a few calls, not a few a bout: the flight screen's squared
        norms in one pass over the bouts' rows (:func:`_smallest_squares`), the
        Hann windows' cosines in one call (:func:`_hanns`) and the spectra of
        all bouts whose transforms have one length in one call (numpy's
        transform of each row of a matrix is that row's own, bit for bit).
        """
        checks = [copy.copy(self) for _ in bouts]
        self._check_into(checks, acc_mps2, sampling_rate_hz, bouts, gyro_rads)
        return checks

    def _check_into(
        self,
        checks: list[WalkingCheck],
        acc_mps2: np.ndarray,
        sampling_rate_hz: float,
        bouts: list[tuple[int, int, np.ndarray]],
        gyro_rads: np.ndarray | None,
    ) -> None:
        """:meth:`check_bouts` with each bout's figures and decision put in ``checks``."""
        fs = float(sampling_rate_hz)
        smallest = _smallest_squares(acc_mps2, bouts, int(2 * fs))
        todo: list[
            tuple[WalkingCheck, np.ndarray, np.ndarray, np.ndarray, bool, int, int, Upright]
        ] = []
        for k, (check, (lo, hi, contacts)) in enumerate(zip(checks, bouts, strict=True)):
            acc = np.asarray(acc_mps2[lo:hi], dtype=np.float64)
            ic = np.asarray(contacts, dtype=np.int64)
            check.walking_, check.reason_ = True, ""
            check.features_ = {}
            if ic.size < 3:
                continue
            # The rhythm checks need 2 s; the movement floors hold for a short
            # bout too (real walks here of 0.7-2 s: at least 0.59 m/s^2 and 0.24 rad/s).
            rhythm = acc.shape[0] >= int(2 * fs)
            if rhythm and check._flight(acc, fs, ic, smallest.get(k)):
                continue
            up = np.ones(acc.shape[0]) @ acc  # the mean direction of the specific force
            up = unit_vector(up)
            v = acc @ up
            v -= np.add.reduce(v) / v.size  # np.mean's sum and division, without its overhead
            todo.append((check, ic, v, v, rhythm, lo, hi, (acc, up)))  # its window below
        windows = _hanns([item[2].size for item in todo])
        todo = [(c, ic, v, window, r, lo, hi, u) for (c, ic, v, _, r, lo, hi, u), window in zip(
            todo, windows, strict=True
        )]  # fmt: skip
        # The spectrum at a length the FFT factors well (zero-padded: finer bins,
        # the same spectrum; a prime length costs many times more), the bouts of
        # one length together.
        by_length: dict[int, list[int]] = {}
        for k, item in enumerate(todo):
            by_length.setdefault(fast_fft_length(item[2].size), []).append(k)
        spectra: list[tuple[int, np.ndarray]] = [(0, np.empty(0, dtype=np.complex128))] * len(todo)
        for n_fft, members in by_length.items():
            rows = np.zeros((len(members), n_fft))
            for row, k in zip(rows, members, strict=True):
                v, window = todo[k][2], todo[k][3]
                np.multiply(v, window, out=row[: v.size])
            for k, spectrum in zip(members, np.fft.rfft(rows, axis=1), strict=True):
                spectra[k] = (n_fft, spectrum)
        for (check, ic, v, window, rhythm, lo, hi, upright), (n_fft, spectrum) in zip(
            todo, spectra, strict=True
        ):
            gyro = None if gyro_rads is None else gyro_rads[lo:hi]
            check._decide(fs, ic, v, window, n_fft, spectrum, rhythm, gyro, upright)

    def _decide(
        self,
        fs: float,
        ic: np.ndarray,
        v: np.ndarray,
        window: np.ndarray,
        n_fft: int,
        spectrum: np.ndarray,
        rhythm: bool,
        gyro_rads: np.ndarray | None,
        upright: Upright,
    ) -> None:
        """:meth:`check`'s checks of one bout from its vertical movement ``v`` (no mean),
        its Hann ``window``, the spectrum of the two's product at ``n_fft`` points,
        and its acceleration and up direction (``upright``: for the horizontal movement)."""
        bin_hz = fs / n_fft
        # 0.3-15 Hz: one run of bins, as the frequencies rise (the power of
        # those bins only)
        lo = math.ceil(0.3 / bin_hz)
        band = spectrum[lo : math.floor(15.0 / bin_hz) + 1]
        spec_band = np.abs(band) ** 2
        # Parseval: a band's share of the windowed signal's energy, over the
        # window's energy, is the band's mean square
        scale = 2.0 / (n_fft * float(window @ window))
        step_lo, step_hi = math.ceil(0.5 / bin_hz) - lo, math.floor(3.0 / bin_hz) - lo + 1
        vertical = math.sqrt(scale * float(np.add.reduce(spec_band[step_lo:step_hi])))
        self.features_["vertical_mps2"] = vertical
        if vertical < self.min_vertical_mps2:
            self._refused(
                f"the body hardly moves at the step rhythm ({vertical:.2f} m/s^2 "
                "up and down; walking moves it more: a tap, a vibration, a small movement)"
            )
            return
        if gyro_rads is not None and vertical < self.rotation_check_below_mps2:
            rotation = _rhythm_rms(gyro_rads, window, n_fft, lo + step_lo, lo + step_hi, scale)
            self.features_["rotation_rads"] = rotation
            if rotation < self.min_rotation_rads:
                self._refused(
                    f"the device hardly turns at the step rhythm ({rotation:.2f} "
                    "rad/s; walking turns the pelvis and thighs with every step: a vehicle's "
                    "or machine's vibration, a knocked table)"
                )
                return
        if gyro_rads is None and vertical < self.horizontal_check_below_mps2:
            acc, up = upright
            level = acc - (acc @ up)[:, None] * up  # the movement across gravity
            horizontal = _rhythm_rms(level, window, n_fft, lo + step_lo, lo + step_hi, scale)
            self.features_["horizontal_mps2"] = horizontal
            if horizontal < self.min_horizontal_mps2:
                self._refused(
                    f"the device hardly sways at the step rhythm ({horizontal:.2f} m/s^2 "
                    "across gravity; walking moves the trunk forward and sideways with every "
                    "step: a vehicle's or machine's vibration, a bouncing seat)"
                )
                return
        if not rhythm:
            return
        total = np.add.reduce(spec_band)  # the sum, without its per-call cost
        fast = float(np.add.reduce(np.abs(spectrum[lo + spec_band.size :]) ** 2))
        fast_share = fast / (total + fast) if total + fast > 0 else 0.0
        self.features_["fast_share"] = fast_share
        if fast_share > self.max_fast_share:
            self._refused(
                f"{100 * fast_share:.0f} % of the up-and-down movement is faster than 15 Hz "
                "(sensor noise or a vibration; a walking body moves far more slowly)"
            )
            return
        if self._noise(fs, v, window, n_fft, spectrum):
            return
        if total > 0:
            top = int(spec_band.argmax())
            peak = (lo + top) * bin_hz
            reach = int(0.15 * (lo + top))  # bins within 15 % of the peak frequency
            near = spec_band[max(top - reach, 0) : top + reach + 1]
            share = float(np.add.reduce(near) / total)
            self.features_["peak_share"] = share
            if share > self.max_peak_share:
                self._refused(
                    f"{100 * share:.0f} % of the movement is one pure oscillation "
                    f"at {peak:.2f} Hz (a machine or a swinging object)"
                )
                return
        step = int(small_median(ic[1:] - ic[:-1]))
        best = _fine_stride_correlation(v, step, fs, self.stride_check_rate_hz)
        self.features_["stride_correlation"] = best
        if best > self.max_stride_correlation:
            self._refused(
                f"consecutive strides repeat exactly (correlation {best:.3f}), "
                "more regular than a person (a machine)"
            )

    def _noise(
        self, fs: float, v: np.ndarray, window: np.ndarray, n_fft: int, spectrum: np.ndarray
    ) -> bool:
        """Whether the vertical movement ``v`` is noise (then refused, with the reason): its
        power spread evenly from 0.5 Hz up (``max_flatness``) and no repetition at a
        step rhythm (``min_repetition``).

        ``spectrum`` is that of ``v`` times its Hann ``window`` at ``n_fft`` points; a
        bout shorter than :data:`_FLAT_SPAN_S` is transformed again, zero-padded to
        that span, for at least four bins in each band.
        """
        top = min(_FLAT_TOP_HZ, _FLAT_TOP_SHARE * fs)
        n_bands = int((top - _FLAT_LOW_HZ) / _FLAT_BAND_HZ + 1e-9)
        if n_bands < _FLAT_MIN_BANDS:
            return False
        if n_fft < _FLAT_SPAN_S * fs:
            n_fft = fast_fft_length(math.ceil(_FLAT_SPAN_S * fs))
            spectrum = np.fft.rfft(v * window, n_fft)
        flatness = _flatness(np.abs(spectrum) ** 2, fs / n_fft, n_bands)
        self.features_["flatness"] = flatness
        if flatness <= self.max_flatness:
            return False
        repetition = _repetition(v, fs)
        self.features_["repetition"] = repetition
        if repetition >= self.min_repetition:
            return False
        self._refused(
            f"the up-and-down movement is spread evenly over every frequency up to "
            f"{top:.0f} Hz (flatness {flatness:.2f}) and does not repeat at a step rhythm "
            f"(correlation {repetition:.2f}): sensor noise or irregular jitter, not steps"
        )
        return True

    def _refused(self, why: str) -> WalkingCheck:
        """Not walking, and why (the reason begins "not walking: ")."""
        self.walking_ = False
        self.reason_ = f"not walking: {why}"
        return self

    def _flight(
        self, acc: np.ndarray, fs: float, ic: np.ndarray, smallest: float | None = None
    ) -> bool:
        """Whether the body leaves the ground in too many steps (then refused, with the reason).

        ``smallest``: the smallest squared norm of ``acc``'s rows, if known
        (:func:`_smallest_squares`).
        """
        width = max(int(0.05 * fs), 1)
        # The moving mean of the norm ("same" mode: the ends average fewer
        # samples, the fewest being ``fewest``) is at least fewest / width of
        # the smallest norm; where that bound clears the free-fall level, no
        # sample is in free fall and the mean need not be worked out (the same
        # share, 0, as below; the margin covers rounding).
        fewest = min((width - 1) // 2 + 1, width - (width - 1) // 2)
        bound = self.free_fall_mps2 * width / fewest * (1.0 + 1e-9)
        if smallest is None and acc.shape[0]:
            smallest = float(np.min(row_dot(acc, acc)))
        if smallest is not None and smallest >= bound * bound:
            self.features_["flight_share"] = 0.0
            return False
        norm = row_norm(acc)
        smooth = np.convolve(norm, _box(width), mode="same")
        # samples in free fall within each step: those before its end contact
        # less those before its start (counted among the few such samples)
        low = (smooth < self.free_fall_mps2).nonzero()[0]
        below = low.searchsorted(ic)
        flight = (below[1:] - below[:-1]) >= self.min_flight_s * fs
        flight_share = float(np.count_nonzero(flight) / flight.size)  # the mean, less overhead
        self.features_["flight_share"] = flight_share
        if flight_share > self.max_flight_share:
            self._refused(
                f"the body leaves the ground in {100 * flight_share:.0f} % of "
                "the steps (jumping, hopping or running)"
            )
            return True
        return False


#: The flatness is taken over 0.5 Hz (:data:`_FLAT_LOW_HZ`) to the lower of 15 Hz
#: (:data:`_FLAT_TOP_HZ`) and 0.4 times the sampling rate (:data:`_FLAT_TOP_SHARE`:
#: 0.8 of the Nyquist frequency, below a device's anti-alias roll-off), in bands of
#: 0.5 Hz (:data:`_FLAT_BAND_HZ`), of at least :data:`_FLAT_MIN_BANDS`.
_FLAT_LOW_HZ = 0.5
_FLAT_TOP_HZ = 15.0
_FLAT_TOP_SHARE = 0.4
_FLAT_BAND_HZ = 0.5
_FLAT_MIN_BANDS = 4
#: A bout's spectrum for the flatness spans at least this many seconds (zero-padded):
#: bins of 0.125 Hz or finer, four or more in each band.
_FLAT_SPAN_S = 8.0
#: The repetition: the step rhythm's band (Hz) and the lags searched (s).
_REPEAT_BAND_HZ = (0.5, 3.0)
_REPEAT_LAGS_S = (0.4, 2.5)


def _flatness(power: np.ndarray, bin_hz: float, n_bands: int) -> float:
    """Spectral flatness (Wiener entropy) of ``power``, bins of ``bin_hz`` from 0 Hz, over
    ``n_bands`` bands of :data:`_FLAT_BAND_HZ` from :data:`_FLAT_LOW_HZ` up.

    The geometric mean of the bands' mean power over their arithmetic mean: 1 for a
    flat spectrum (white noise), near 0 for power in a few bands. A band's mean, not
    each bin, so that the bins' own scatter does not count (a periodogram's scatter
    alone puts white noise at about 0.56 bin by bin).
    """
    edges = np.array(
        [math.ceil((_FLAT_LOW_HZ + k * _FLAT_BAND_HZ) / bin_hz) for k in range(n_bands + 1)]
    )
    sums = np.add.reduceat(power[edges[0] : edges[-1]], edges[:-1] - edges[0])
    means = sums / (edges[1:] - edges[:-1])
    mean = float(np.add.reduce(means)) / n_bands
    if not mean > 0:
        return 0.0
    tiny = np.finfo(np.float64).tiny
    return math.exp(float(np.add.reduce(np.log(np.maximum(means, tiny)))) / n_bands) / mean


def _repetition(v: np.ndarray, fs: float) -> float:
    """Largest normalised correlation of ``v``'s step-rhythm band (0.5-3 Hz) with itself
    0.4-2.5 s later (up to half its length): near 1 for movement that repeats at a step
    or stride, near 0 for noise; 1 when no such lag fits (nothing to judge).

    The band is cut from ``v``'s transform (zero-padded, so not circular); the
    correlation at every lag from one more transform, each lag's overlap energies
    from :func:`_overlap_norms` (as :func:`_best_stride_correlation`).
    """
    n = v.size
    lo, hi = int(_REPEAT_LAGS_S[0] * fs), min(int(_REPEAT_LAGS_S[1] * fs), n // 2)
    if hi < lo or lo < 1:
        return 1.0
    m = fast_fft_length(2 * n)
    spectrum = np.fft.rfft(v, m)
    bin_hz = fs / m
    spectrum[: math.ceil(_REPEAT_BAND_HZ[0] / bin_hz)] = 0.0
    spectrum[math.floor(_REPEAT_BAND_HZ[1] / bin_hz) + 1 :] = 0.0
    x = np.fft.irfft(spectrum, m)[:n]
    auto = np.fft.irfft(np.abs(np.fft.rfft(x, m)) ** 2, m)
    lags = np.arange(lo, hi + 1)
    denom = _overlap_norms(x, lags)
    ok = denom > 0
    if not ok.any():
        return 1.0
    return float(np.max(auto[lags][ok] / denom[ok]))


def _rhythm_rms(
    channels: np.ndarray, window: np.ndarray, n_fft: int, lo: int, hi: int, scale: float
) -> float:
    """RMS of ``(n, 3)`` ``channels`` (each less its mean) in the bins ``lo:hi`` of
    their Hann-windowed spectra at ``n_fft`` points, summed over the channels.

    ``scale`` turns the band's power into a mean square (Parseval, as in
    :meth:`WalkingCheck._decide`).
    """
    x = np.asarray(channels, dtype=np.float64)
    x = (x - np.add.reduce(x, axis=0) / x.shape[0]) * window[:, None]
    band = np.fft.rfft(x, n_fft, axis=0)[lo:hi]
    return math.sqrt(scale * float(np.add.reduce(np.abs(band) ** 2, axis=None)))


def _smallest_squares(
    acc_mps2: np.ndarray, bouts: list[tuple[int, int, np.ndarray]], shortest: int
) -> dict[int, float]:
    """The smallest squared norm of the rows of each bout of ``shortest`` rows or more
    whose flight is checked (3 contacts or more), by its index in ``bouts``.

    The squares are worked in one call over the rows from the first such bout's
    start to the last one's end (:func:`~retrowalk.dsp.rows.row_dot`'s numbers,
    each row's own), their smallest of each bout in another, where the bouts
    fill at least half those rows; else none is worked here. A file-backed
    ``acc_mps2``'s rows read are handed back to the system (see dsp.memory).
    """
    some = [
        (k, lo, hi)
        for k, (lo, hi, contacts) in enumerate(bouts)
        if hi - lo >= max(shortest, 1) and np.asarray(contacts).size >= 3
    ]
    if not some:
        return {}
    a = min(lo for _, lo, _ in some)
    b = max(hi for _, _, hi in some)
    if 2 * sum(hi - lo for _, lo, hi in some) < b - a:
        return {}
    rows = np.asarray(acc_mps2[a:b], dtype=np.float64)
    squares = np.empty(b - a + 1)  # one more: a bout's end may be the last row's
    row_dot(rows, rows, out=squares[:-1])
    release(acc_mps2, a, b)  # a long recording's rows, the gaps between bouts too
    squares[-1] = 0.0
    edges = np.array([(lo - a, hi - a) for _, lo, hi in some], dtype=np.int64).ravel()
    least = np.minimum.reduceat(squares, edges)[0::2]  # each [lo, hi): lo < hi
    return {k: float(m) for (k, _, _), m in zip(some, least.tolist(), strict=True)}


def _fine_stride_correlation(v: np.ndarray, step: int, fs: float, fine_hz: float) -> float:
    """:func:`_best_stride_correlation` of ``v`` (sampled at ``fs``, ``step`` samples a
    step) brought to ``fine_hz`` or above by a whole factor first, where ``fs`` is
    slower (band-limited polyphase interpolation, with its anti-imaging filter)."""
    factor = math.ceil(fine_hz / fs - 1e-9)
    if factor <= 1:
        return _best_stride_correlation(v, step)
    from scipy.signal import resample_poly

    return _best_stride_correlation(np.asarray(resample_poly(v, factor, 1)), step * factor)


def _best_stride_correlation(v: np.ndarray, step: int) -> float:
    """Largest normalised correlation of ``v`` with itself one stride (1.8-2.2 steps) later.

    The energies of the overlapping parts at every lag come from one running
    sum of squares. The cross products at all lags are two correlations: of
    the overlap every lag shares (the signal without its last ``hi`` samples
    against the signal from ``lo`` on), then of those last samples with
    themselves, which add the rest of each lag's overlap; -1 when no lag fits.
    """
    n = v.size
    # the lags from 1.8 to 2.2 steps that leave a step of overlap (a run of whole
    # numbers, so its ends are enough)
    lo, hi = max(int(1.8 * step), 1), min(int(2.2 * step), n - step - 1)
    if hi < lo:
        return -1.0
    lags = np.arange(lo, hi + 1)
    denom = _overlap_norms(v, lags)
    cross = np.correlate(v[lo:], v[: n - hi], "valid")  # sum_i<n-hi v[i] v[i + lag]
    last = v[n - hi :]
    cross[:-1] += _tail_products(last, lo)  # n-hi <= i < n-lag
    ok = denom > 0
    if ok.all():  # the usual case: every lag, without picking them out
        return max(-1.0, float(np.max(cross / denom)))
    return max(-1.0, float(np.max(cross[ok] / denom[ok]))) if ok.any() else -1.0


def _overlap_norms(v: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """For each lag, the product of the norms of ``v``'s two overlapping parts (without
    its last ``lag`` samples, and from sample ``lag`` on): the denominator of its
    normalised correlation with itself at that lag, from one running sum of squares."""
    n = v.size
    energy = np.empty(n + 1)  # running sum of squares, a leading zero
    energy[0] = 0.0
    np.multiply(v, v).cumsum(out=energy[1:])  # np.cumsum's, without its dispatch
    return np.sqrt(energy[n - lags] * (energy[n] - energy[lags]))


#: Longest kernel numpy's correlation works by its own short loop, not a dot product
#: per output (``small_correlate``, whose sums run in another order).
_SHORT_KERNEL = 11


def _tail_products(last: np.ndarray, lo: int) -> np.ndarray:
    """``np.correlate(last, last, "full")[last.size - 1 + lo :]``, the same numbers.

    Those outputs are the products of ``last`` with itself ``lo`` or more samples
    later, each one dot product over the overlap, the last ones of the full
    correlation's run-out; the same dot products, in the same order, make the
    middle and run-out of the full correlation of ``last[lo:]`` with
    ``last[: last.size - lo]``, a few outputs where the whole correlation has
    ``2 last.size - 1``. A kernel numpy would sum by its own short loop goes the
    whole way.
    """
    m = last.size
    if m - lo <= _SHORT_KERNEL:
        return np.correlate(last, last, "full")[m - 1 + lo :]
    return np.correlate(last[lo:], last[: m - lo], "full")[m - lo - 1 :]


@functools.cache
def _box(width: int) -> np.ndarray:
    """``np.ones(width) / width``, the moving-average kernel (made once per width; read-only)."""
    kernel = np.ones(width) / width
    kernel.flags.writeable = False
    return kernel


def _hann(m: int) -> np.ndarray:
    """``np.hanning(m)`` with half the cosines: the first half and the middle, then mirrored.

    The window's arguments are symmetric about zero and the cosine is even, so
    the mirrored half is the same numbers ``np.hanning`` computes.
    """
    if m < 2:
        return np.hanning(m)
    half = 0.5 + 0.5 * np.cos(np.pi * np.arange(1 - m, 1, 2) / (m - 1))
    return np.concatenate([half, half[: m // 2][::-1]])


def _hanns(sizes: list[int]) -> list[np.ndarray]:
    """:func:`_hann` of each size, the cosines of all of them in one call.

    Each window's arguments ``pi k / (m - 1)`` (``k`` the whole numbers ``1 - m,
    3 - m, ..`` up to 0) are worked in one array, each the same product and
    quotient as its own window's, so the same numbers.
    """
    some = [m for m in sizes if m >= 2]
    if not some:
        return [_hann(m) for m in sizes]
    counts = np.array([(m + 1) // 2 for m in some])
    sizes_ = np.array(some)
    before = counts.cumsum() - counts
    k = np.arange(int(counts.sum())) - before.repeat(counts)
    k *= 2
    k += (1 - sizes_).repeat(counts)
    halves = 0.5 + 0.5 * np.cos(np.pi * k / (sizes_ - 1).repeat(counts))
    out = []
    at = 0
    for m in sizes:
        if m < 2:
            out.append(_hann(m))
            continue
        half = halves[at : at + (m + 1) // 2]
        out.append(np.concatenate([half, half[: m // 2][::-1]]))
        at += (m + 1) // 2
    return out


def fast_fft_length(n: int) -> int:
    """The smallest ``2^a 3^b 5^c`` at least ``n``: a length numpy's FFT factors quickly.

    A prime length costs the FFT many times more (about 8 times at 2153 samples).
    """
    lengths = _smooth_lengths()
    if n > _MAX_SMOOTH:
        return 1 << (n - 1).bit_length()
    return lengths[bisect.bisect_left(lengths, n)]


@functools.cache
def _smooth_lengths() -> list[int]:
    """Every ``2^a 3^b 5^c`` up to :data:`_MAX_SMOOTH`, sorted (836 numbers)."""
    lengths = []
    five = 1
    while five <= _MAX_SMOOTH:
        odd = five
        while odd <= _MAX_SMOOTH:
            length = odd
            while length <= _MAX_SMOOTH:
                lengths.append(length)
                length *= 2
            odd *= 3
        five *= 5
    return sorted(lengths)

"""Initial contacts (foot strikes) from a trunk- or thigh-worn sensor.

Every foot strike decelerates the falling centre of mass: the vertical
acceleration of the trunk swings from its minimum (mid-swing of the body over
the stance leg) to a sharp maximum a few tens of milliseconds after the heel or
toe touches the ground (Zijlstra & Hof 2003, Gait Posture 18:1). The detector
follows the two-stage idea of McCamley et al. (2012, Gait Posture 36:316) and
Pham et al. (2017, Front Neurol 8:457): a smooth, low-pass vertical signal finds
one peak per step robustly, then a sharper signal places the contact in time.
Both signals are rotation invariant (vertical = along gravity; horizontal jerk
as a norm), and the method needs no gyroscope. With one, the angular rate
about the vertical (also rotation invariant) marks where the body turns;
turning steps are pivots that shake the trunk far less than straight steps,
so a lower relative amplitude floor applies there (on ipol-gait's U-turns the
reference contacts missed fell from 43 to 17 of 2371).

Timing: the contact is placed at the mean of two independent markers, the
maximum of the 12 Hz vertical acceleration and the maximum of the 4 Hz
horizontal jerk, each found just before the coarse peak and shifted back by
:data:`IMPACT_DELAY_S`, the mechanical delay between the foot touching the
ground and the trunk's peak response. The delay was measured on ipol-gait
(lower back, foot-sensor reference) and re-fitted in every fold of the
leave-one-subject-out evaluation (``benchmarks/accuracy_loso.py``), with the
cut-offs, the search window and the amplitude rules; it is one number with a
physical meaning, not a per-person fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrowalk.core.algorithm import Algorithm
from retrowalk.dsp.filters import lowpass
from retrowalk.dsp.kernels import find_peaks
from retrowalk.dsp.rows import row_norm

# Delay between initial contact and the mean of the trunk's peak vertical
# acceleration (12 Hz) and horizontal jerk (4 Hz), searched 0.2 s before the
# step peak. Median over the 12 subjects of ipol-gait: 45 ms; the
# leave-one-subject-out estimates stayed within one sample of it
# (``benchmarks/accuracy_loso.py`` re-fits it in every fold).
IMPACT_DELAY_S = 0.045


class TrunkContactDetector(Algorithm):
    """Find initial contacts in the vertical acceleration of a body-worn sensor.

    Parameters
    ----------
    coarse_cutoff_hz
        Low-pass cut-off of the step-finding signal (one smooth peak per step).
    vertical_cutoff_hz, jerk_cutoff_hz
        Low-pass cut-offs of the two timing markers.
    min_step_s
        Shortest time between two contacts (running cadence stays above 0.25 s).
    min_prominence_mps2
        Absolute floor of a step peak's prominence, m/s^2. Standing sway and
        breathing stay far below 0.3 m/s^2; the slowest walkers in mobgap-lab
        (multiple sclerosis, 0.4 m/s) still exceed it.
    relative_prominence
        A peak must also reach this fraction of the median prominence of its
        neighbours (a robust local gait amplitude), which rejects small bumps
        between two real steps. Chosen leave-one-subject-out on ipol-gait
        (11 of 12 folds chose 0.3).
    turning_relative_prominence, turning_rate_rads
        Where the body turns faster than ``turning_rate_rads`` about the
        vertical (0.5 Hz low-pass; walking turns reach 1.5-3 rad/s, the pelvis
        oscillation of straight walking stays far below 1 rad/s after the
        filter), the relative floor is this lower one: turning steps are short
        and pivoting, and load the trunk far less than the straight steps
        around them (Pham et al. 2017 for the weaker trunk signal of turning
        steps). Both were chosen leave-one-subject-out on ipol-gait (the
        U-turns): every fold but one chose 0.1 and 1.2 rad/s.
    search_before_s, search_after_s
        Where the timing markers are searched around the coarse peak to tell
        which peaks are one impact: two peaks whose markers fall within
        ``min_impact_separation_s`` of each other are one contact (the first
        is kept).
    timing_search_before_s
        How far before the coarse peak the markers are searched to place the
        contact in time (``None``: ``search_before_s``). A shorter window
        keeps an earlier, unrelated peak of a marker from pulling the contact
        early; chosen leave-one-subject-out on ipol-gait
        (``benchmarks/accuracy_loso.py``).
    min_impact_separation_s
        Markers closer than this belong to one impact.
    impact_delay_s
        Contact time = marker time minus this delay.
    min_two_step_ratio
        Two consecutive steps take at least this many typical step times (the
        smaller running median of the step times on either side): a contact
        closer than that to both its neighbours splits one step in two (a
        pivoting foot's heel and toe at a turn) and is dropped. ``None``: no
        such rule. Chosen leave-one-subject-out on ipol-gait
        (``benchmarks/accuracy_loso.py``).

    Attributes
    ----------
    ic_samples_
        Sorted sample indices of initial contacts.
    prominence_mps2_
        Coarse-peak prominence of each contact (a step-strength measure).
    signals_
        The filtered signals the contacts were found in (coarse step signal,
        vertical acceleration and jerk markers, with their rate), kept for
        :class:`ClosingContactDetector`.

    References
    ----------
    McCamley J, Donati M, Grimpampi E, Mazzà C (2012). An enhanced estimate of
    initial contact and final contact instants of time using lower trunk inertial
    sensor data. Gait Posture 36:316-318.
    Pham MH et al. (2017). Validation of a step detection algorithm during
    straight walking and turning in patients with Parkinson's disease and older
    adults using an inertial measurement unit at the lower back. Front Neurol 8:457.
    """

    def __init__(
        self,
        *,
        coarse_cutoff_hz: float = 3.0,
        vertical_cutoff_hz: float = 12.0,
        jerk_cutoff_hz: float = 4.0,
        min_step_s: float = 0.25,
        min_prominence_mps2: float = 0.3,
        relative_prominence: float = 0.3,
        turning_relative_prominence: float = 0.1,
        turning_rate_rads: float = 1.2,
        search_before_s: float = 0.25,
        search_after_s: float = 0.05,
        timing_search_before_s: float | None = 0.2,
        min_impact_separation_s: float = 0.15,
        impact_delay_s: float = IMPACT_DELAY_S,
        min_two_step_ratio: float | None = 1.2,
    ) -> None:
        self.coarse_cutoff_hz = coarse_cutoff_hz
        self.vertical_cutoff_hz = vertical_cutoff_hz
        self.jerk_cutoff_hz = jerk_cutoff_hz
        self.min_step_s = min_step_s
        self.min_prominence_mps2 = min_prominence_mps2
        self.relative_prominence = relative_prominence
        self.turning_relative_prominence = turning_relative_prominence
        self.turning_rate_rads = turning_rate_rads
        self.search_before_s = search_before_s
        self.search_after_s = search_after_s
        self.timing_search_before_s = timing_search_before_s
        self.min_impact_separation_s = min_impact_separation_s
        self.impact_delay_s = impact_delay_s
        self.min_two_step_ratio = min_two_step_ratio

    def detect(
        self,
        acc_vertical_mps2: np.ndarray,
        acc_horizontal_mps2: np.ndarray,
        sampling_rate_hz: float,
        gyro_vertical_rads: np.ndarray | None = None,
    ) -> TrunkContactDetector:
        """Detect contacts.

        Parameters
        ----------
        acc_vertical_mps2
            Dynamic vertical acceleration (gravity removed, up positive), ``(n,)``.
        acc_horizontal_mps2
            Horizontal acceleration in a yaw-free basis, ``(n, 2)``.
        sampling_rate_hz
            Rate of both.
        gyro_vertical_rads
            Angular rate about the vertical (optional): where the body turns,
            the weaker turning steps are accepted (``turning_relative_prominence``).
        """
        fs = float(sampling_rate_hz)
        av = np.asarray(acc_vertical_mps2, dtype=np.float64)
        n = av.shape[0]
        if n < int(fs):
            self.ic_samples_ = np.zeros(0, dtype=np.int64)
            self.prominence_mps2_ = np.zeros(0)
            return self
        coarse = lowpass(av, self.coarse_cutoff_hz, fs)
        peaks, props = find_peaks(
            coarse,
            distance=max(round(self.min_step_s * fs), 1),
            prominence=self.min_prominence_mps2,
        )
        prom = props["prominences"]
        relative = np.full(peaks.size, self.relative_prominence)
        if gyro_vertical_rads is not None and peaks.size:
            turning = np.abs(lowpass(gyro_vertical_rads, 0.5, fs)) >= self.turning_rate_rads
            relative[turning[peaks]] = self.turning_relative_prominence
        keep = prom >= relative * _local_median(prom, half_width=4)
        peaks, prom = peaks[keep], prom[keep]

        vertical = lowpass(av, self.vertical_cutoff_hz, fs)
        horiz = lowpass(np.asarray(acc_horizontal_mps2, dtype=np.float64), self.jerk_cutoff_hz, fs)
        jerk = row_norm(np.diff(horiz, axis=0, prepend=horiz[:1]))
        self.signals_ = _Signals(coarse, vertical, jerk, fs)
        if self.timing_search_before_s is not None and peaks.size > 1:
            # one impact: markers (searched in the wide window) too close together
            wide = self._place(peaks, self.search_before_s)
            keep = np.diff(wide, prepend=np.int64(-(10**9))) >= self.min_impact_separation_s * fs
            peaks, prom = peaks[keep], prom[keep]
        ic = self.place(peaks)
        order = np.argsort(ic, kind="stable")
        ic, prom = ic[order], prom[order]
        if self.min_two_step_ratio and ic.size >= 3:
            # three contacts within about one step time: the middle one splits a step
            intervals = np.diff(ic).astype(np.float64)
            local = _local_median(intervals, half_width=4)
            span = ic[2:] - ic[:-2]
            typical = np.minimum(local[:-1], local[1:])
            keep = np.ones(ic.size, dtype=bool)
            keep[1:-1] = span >= self.min_two_step_ratio * typical
            ic, prom = ic[keep], prom[keep]
        self.ic_samples_ = ic
        self.prominence_mps2_ = prom
        return self

    def place(self, peaks: np.ndarray) -> np.ndarray:
        """Contact times for coarse-peak indices (after :meth:`detect`)."""
        before = self.search_before_s
        if self.timing_search_before_s is not None:
            before = self.timing_search_before_s
        return self._place(peaks, before)

    def _place(self, peaks: np.ndarray, search_before_s: float) -> np.ndarray:
        sig = self.signals_
        fs = sig.sampling_rate_hz
        lo = -round(search_before_s * fs)
        hi = round(self.search_after_s * fs)
        t_v = _argmax_near(sig.vertical, peaks, lo, hi)
        t_j = _argmax_near(sig.jerk, peaks, lo, hi) - 0.5  # diff() places jerk half a sample late
        ic = np.round((t_v + t_j) / 2.0 - self.impact_delay_s * fs).astype(np.int64)
        return np.clip(ic, 0, sig.vertical.shape[0] - 1)


@dataclass(frozen=True)
class _Signals:
    coarse: np.ndarray
    vertical: np.ndarray
    jerk: np.ndarray
    sampling_rate_hz: float


class ClosingContactDetector(Algorithm):
    """The last, soft contact that ends a walk.

    Stopping ends with the trailing foot brought down beside the leading one.
    That contact moves the trunk far less than a walking step (its vertical
    peak is often a tenth of a normal one), so the step detector's amplitude
    rules miss it, although every stop has one. It is searched for where it
    must be: between 0.4 and 1.4 step times after the bout's last contact, as
    the largest smooth vertical peak there that rises clearly above the
    standing noise floor.

    Slowing down to a stop often takes two weak steps, not one (Jian et al.
    1993: the body decelerates over the last stride): the step before the
    closing one is then also too weak for the step detector, and the search
    finds it instead. So when the contact found is still step-like (its peak
    at least ``repeat_relative_prominence`` of the bout's median step
    prominence: a walking step, not the soft closing contact), the search is
    repeated after it, up to ``max_contacts`` contacts. On ipol-gait the
    walk's last reference contact was missed in 13 of 70 trials without it,
    in 9 with it (together with :class:`~retrowalk.gait.bouts.BoutEdgeFilter`).

    Parameters
    ----------
    window_steps
        Search window after the last contact, in units of the bout's step time.
    min_prominence_mps2
        Absolute floor of the closing peak's prominence.
    min_relative_prominence
        Floor relative to the bout's median step prominence.
    context_steps
        Signal after the window (in step times) over which a candidate's
        prominence is measured.
    max_contacts
        Most contacts searched one after another at a bout end.
    repeat_relative_prominence
        A contact found with at least this share of the bout's median step
        prominence is a walking step, and the search goes on after it.
        Chosen leave-one-subject-out on ipol-gait (``benchmarks/accuracy_loso.py``).
    repeat_min_steps
        The repeated search starts this many step times after the contact
        found (a step follows a step, not a quick re-settling of the trunk).

    Attributes
    ----------
    closing_samples_
        Per bout end, ``(n_bouts, max_contacts)``: the contacts found one
        after another, -1 where none.

    References
    ----------
    Jian Y, Winter DA, Ishac MG, Gilchrist L (1993). Trajectory of the body COG
    and COP during initiation and termination of gait. Gait Posture 1:9-22.
    """

    def __init__(
        self,
        *,
        window_steps: tuple[float, float] = (0.4, 1.4),
        min_prominence_mps2: float = 0.05,
        min_relative_prominence: float = 0.01,
        context_steps: float = 0.5,
        max_contacts: int = 2,
        repeat_relative_prominence: float = 0.1,
        repeat_min_steps: float = 0.8,
    ) -> None:
        self.window_steps = window_steps
        self.context_steps = context_steps
        self.max_contacts = max_contacts
        self.repeat_relative_prominence = repeat_relative_prominence
        self.repeat_min_steps = repeat_min_steps
        self.min_prominence_mps2 = min_prominence_mps2
        self.min_relative_prominence = min_relative_prominence

    def detect(
        self,
        contacts: TrunkContactDetector,
        last_ic_samples: np.ndarray,
        step_s: np.ndarray,
        bout_prominence_mps2: np.ndarray,
        limit_samples: np.ndarray,
    ) -> ClosingContactDetector:
        """Search after each bout end.

        Parameters
        ----------
        contacts
            A fitted :class:`TrunkContactDetector` (its filtered signals are reused).
        last_ic_samples
            Last contact of each bout.
        step_s
            Typical step time of each bout.
        bout_prominence_mps2
            Median step prominence of each bout.
        limit_samples
            Per bout, the first sample the search may not reach (next contact, gap
            or end of data).
        """
        sig = contacts.signals_
        out = np.full((len(last_ic_samples), max(self.max_contacts, 1)), -1, dtype=np.int64)
        for k, (last, step, prom, limit) in enumerate(
            zip(last_ic_samples, step_s, bout_prominence_mps2, limit_samples, strict=True)
        ):
            start = self.window_steps[0]
            for j in range(out.shape[1]):
                found = self._search(
                    sig, contacts, int(last), start, float(step), float(prom), int(limit)
                )
                if found is None:
                    break
                out[k, j], peak_prominence = found
                if peak_prominence < self.repeat_relative_prominence * prom:
                    break  # the soft closing contact: the walk has ended
                last = out[k, j]
                start = max(self.repeat_min_steps, self.window_steps[0])
        self.closing_samples_ = out
        return self

    def _search(
        self,
        sig: _Signals,
        contacts: TrunkContactDetector,
        last: int,
        start_steps: float,
        step: float,
        prom: float,
        limit: int,
    ) -> tuple[int, float] | None:
        """The largest clear peak in the window after ``last``: (contact, prominence)."""
        fs = sig.sampling_rate_hz
        i0 = int(last + start_steps * step * fs)
        i1 = min(int(last + self.window_steps[1] * step * fs), limit - 1)
        if i1 - i0 < 3:
            return None
        # a peak near the window's end needs the signal after it for its
        # prominence (the start stays cut, away from the last step's peak)
        c0 = i0
        c1 = min(int(i1 + self.context_steps * step * fs), limit, sig.coarse.shape[0])
        peaks, props = find_peaks(sig.coarse[c0:c1], prominence=0.0)
        inside = (peaks + c0 >= i0) & (peaks + c0 < i1)
        peaks, prominences = peaks[inside] + c0, props["prominences"][inside]
        if peaks.size == 0:
            return None
        best = int(np.argmax(prominences))
        floor = max(self.min_prominence_mps2, self.min_relative_prominence * prom)
        if prominences[best] < floor:
            return None
        return int(contacts.place(np.array([peaks[best]]))[0]), float(prominences[best])


def _argmax_near(x: np.ndarray, centres: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Index of the maximum of ``x`` within ``[c + lo, c + hi]`` for each centre."""
    if centres.size == 0:
        return np.zeros(0, dtype=np.float64)
    offsets = np.arange(lo, hi + 1)
    idx = np.clip(centres[:, None] + offsets[None, :], 0, x.shape[0] - 1)
    return idx[np.arange(centres.size), np.argmax(x[idx], axis=1)].astype(np.float64)


def _local_median(values: np.ndarray, half_width: int) -> np.ndarray:
    """Running median over ``2 * half_width + 1`` neighbours (edges use what exists)."""
    n = values.size
    if n == 0:
        return values.copy()
    padded = np.pad(values, half_width, mode="constant", constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half_width + 1)
    # np.nanmedian's arithmetic (the mean of the two middle values) without the
    # masked arrays it uses for short rows, whose set-up cost dominates here
    ordered = np.sort(windows, axis=1)  # NaN last
    count = np.count_nonzero(~np.isnan(windows), axis=1)
    high = count // 2
    low = np.where(count % 2 == 1, high, high - 1)
    rows = np.arange(n)
    median = (ordered[rows, np.maximum(low, 0)] + ordered[rows, high]) / 2.0
    median[count == 0] = np.nan
    return median


class LateralityEstimator(Algorithm):
    """Left or right foot for each contact of one bout, from the pelvis yaw.

    The pelvis turns towards the swing leg as it comes forward: in the half
    step before a left contact the angular rate about the vertical is
    clockwise seen from above (negative), before a right contact
    counter-clockwise (Saunders et al. 1953, J Bone Joint Surg 35:543 for the
    pelvic rotation). The turning of the walk itself is
    removed by subtracting the mean of the neighbouring steps, and the labels are
    forced to alternate: one vote over the whole bout decides which contacts are
    left. Checked on ipol-gait (12 people) and mobgap-lab (3 people): single
    steps agree 84 % and 78 %, whole-bout votes far more. Needs a gyroscope.

    Parameters
    ----------
    window_steps
        The window before (negative) and after each contact, in step times.
    min_agreement
        Smallest share of steps that must agree with the bout's vote; below it
        the sides are left unknown.

    Attributes
    ----------
    sides_
        ``"left"``, ``"right"`` or ``None`` per contact.
    agreement_
        Share of the bout's steps agreeing with the vote (0.5 = no information).
    """

    def __init__(
        self, *, window_steps: tuple[float, float] = (-0.5, 0.25), min_agreement: float = 0.7
    ) -> None:
        self.window_steps = window_steps
        self.min_agreement = min_agreement

    def estimate(
        self, gyro_vertical_rads: np.ndarray | None, ic_samples: np.ndarray
    ) -> LateralityEstimator:
        """Label the contacts of one bout.

        Parameters
        ----------
        gyro_vertical_rads
            Angular rate about the vertical (up positive), or ``None``.
        ic_samples
            Sorted contacts of one bout.
        """
        ic = np.asarray(ic_samples, dtype=np.int64)
        self.sides_: list[str | None] = [None] * ic.size
        self.agreement_ = 0.5
        if gyro_vertical_rads is None or ic.size < 3:
            return self
        n = gyro_vertical_rads.shape[0]
        cum = np.concatenate([[0.0], np.cumsum(gyro_vertical_rads)])
        step = np.diff(ic)
        step = np.concatenate([step, step[-1:]])
        s = np.clip(ic + (self.window_steps[0] * step).astype(np.int64), 0, n - 1)
        e = np.clip(ic + (self.window_steps[1] * step).astype(np.int64), 1, n)
        e = np.maximum(e, s + 1)
        rate = (cum[e] - cum[s]) / (e - s)
        detrended = rate.copy()
        detrended[1:-1] -= 0.5 * (rate[:-2] + rate[2:])
        parity = np.where(np.arange(ic.size) % 2 == 0, 1.0, -1.0)
        votes = np.sign(detrended) * parity  # -1: even contacts are left
        agreement = float(np.mean(votes == np.sign(votes.sum()))) if votes.sum() else 0.5
        self.agreement_ = agreement
        if agreement < self.min_agreement:
            return self
        even_left = votes.sum() < 0
        self.sides_ = ["left" if (k % 2 == 0) == even_left else "right" for k in range(ic.size)]
        return self

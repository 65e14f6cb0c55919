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

import itertools
from dataclasses import dataclass

import numpy as np

from retrowalk.core.algorithm import Algorithm
from retrowalk.dsp.filters import lowpass, lowpass_channels, slow_lowpass_sampler
from retrowalk.dsp.kernels import find_peaks, window_peaks
from retrowalk.dsp.rows import (
    diff_after,
    row_norm,
    sliding_rows,
    small_median,
    split_at,
    true_runs,
)

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
        pivoting foot's heel and toe at a turn, a weight shift in a pivot)
        and is dropped. ``None``: no such rule. Chosen leave-one-subject-out
        with :class:`MidStepContactFilter`'s contrast on ipol-gait, mobgap-lab
        and the motion-capture walks at the pelvis together
        (``benchmarks/accuracy_loso.py``; 17 of 18 folds chose 1.2): on
        ipol-gait alone 1.4 counts the U-turns better, but at the pelvis it
        drops real steps and lets mid-step contacts of a slow walk through
        (steps miscounted there 12 -> 15 of 141).
    turning_min_step_ratio
        Where the body turns (``turning_rate_rads``), two contacts closer than
        this many typical step times (the running median of the step times
        around them) cannot both be steps: the weaker is dropped (a pivoting
        foot's swivel or a weight shift within one turning step). ``None``:
        no such rule. Chosen leave-one-subject-out on ipol-gait
        (``benchmarks/accuracy_loso.py``; by the contacts missed plus extra,
        8 of 12 folds chose 0.55, 2 each 0.5 and 0.6; judged with the count's
        error too, 8 chose 0.5 and one each 0.4, 0.55 and 0.6, a near tie: 0.55
        is kept): held out, the extra contacts fell from 52 to 45 of 2371
        reference contacts and the missed stayed at 40. Real turning steps
        come as quick as 0.7 typical step times; at 0.6 the rule starts to
        drop them.

    Attributes
    ----------
    ic_samples_
        Sorted sample indices of initial contacts.
    prominence_mps2_
        Coarse-peak prominence of each contact (a step-strength measure).
    relative_strength_
        Each contact's prominence over the median prominence of the peaks
        around it (what the relative floors are checked against).
    turning_
        Whether each contact's peak was where the body turns (the turning
        floor applied to it).
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
        turning_min_step_ratio: float | None = 0.55,
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
        self.turning_min_step_ratio = turning_min_step_ratio

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
            self.relative_strength_ = np.zeros(0)
            self.turning_ = np.zeros(0, dtype=bool)
            return self
        coarse = lowpass(av, self.coarse_cutoff_hz, fs)
        peaks, props = find_peaks(
            coarse,
            distance=max(round(self.min_step_s * fs), 1),
            prominence=self.min_prominence_mps2,
        )
        prom = props["prominences"]
        relative = np.full(peaks.size, self.relative_prominence)
        # the turning rate (yaw rate low-passed at 0.5 Hz), filtered once and
        # drawn back at the peaks, then at the contacts only
        turning_rate = None
        if gyro_vertical_rads is not None:
            turning_rate = slow_lowpass_sampler(gyro_vertical_rads, 0.5, fs)
        turned = np.zeros(peaks.size)  # 1.0 where the turning floor applies
        if turning_rate is not None and peaks.size:
            rate = turning_rate(peaks)[0]
            turned[np.abs(rate) >= self.turning_rate_rads] = 1.0
            relative[turned > 0] = self.turning_relative_prominence
        local = _local_median(prom, half_width=4)
        keep = prom >= relative * local
        strength = prom / local  # the floor's own measure (local is at least the floor)
        # each peak's prominence, its strength and whether it turned, filtered together
        peaks, prom = peaks[keep], np.stack([prom, strength, turned])[:, keep]

        vertical = lowpass(av, self.vertical_cutoff_hz, fs)
        jerk = _jerk_norm(lowpass_channels(acc_horizontal_mps2, self.jerk_cutoff_hz, fs))
        self.signals_ = _Signals(coarse, vertical, jerk, fs)
        if self.timing_search_before_s is not None and peaks.size > 1:
            # one impact: markers (searched in the wide window) too close together
            wide = self._place(peaks, self.search_before_s)
            keep = diff_after(wide, np.int64(-(10**9))) >= self.min_impact_separation_s * fs
            peaks, prom = peaks[keep], prom[:, keep]
        ic = self.place(peaks)
        order = ic.argsort(kind="stable")
        ic, prom = ic[order], prom[:, order]
        if self.min_two_step_ratio and ic.size >= 3:
            # three contacts within about one step time: the middle one splits a step
            intervals = (ic[1:] - ic[:-1]).astype(np.float64)
            local = _local_median(intervals, half_width=4)
            span = ic[2:] - ic[:-2]
            typical = np.minimum(local[:-1], local[1:])
            keep = np.ones(ic.size, dtype=bool)
            keep[1:-1] = span >= self.min_two_step_ratio * typical
            ic, prom = ic[keep], prom[:, keep]
        if self.turning_min_step_ratio and ic.size >= 2 and turning_rate is not None:
            rate = turning_rate(ic)[0]
            turning = np.abs(rate) >= self.turning_rate_rads
            if turning.any():
                keep = _turning_pairs(ic, prom[0], turning, self.turning_min_step_ratio)
                ic, prom = ic[keep], prom[:, keep]
        self.ic_samples_ = ic
        self.prominence_mps2_ = prom[0]
        self.relative_strength_ = prom[1]
        self.turning_ = prom[2] > 0
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
        ic = ((t_v + t_j) / 2.0 - self.impact_delay_s * fs).round().astype(np.int64)  # np.round's
        return np.minimum(np.maximum(ic, 0), sig.vertical.shape[0] - 1)  # np.clip's


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
    must be: between 0.5 and 1.4 step times after the bout's last contact
    (the trailing foot swings for at least half a step time before it comes
    down; a peak sooner is the tail of the last step's), as the largest smooth
    vertical peak there that rises clearly above the standing noise floor.

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
        Its start chosen leave-one-subject-out on ipol-gait
        (``benchmarks/accuracy_loso.py``; 0.5 against 0.4).
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
        window_steps: tuple[float, float] = (0.5, 1.4),
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
        step = np.asarray(step_s, dtype=np.float64)
        prom = np.asarray(bout_prominence_mps2, dtype=np.float64)
        limit = np.asarray(limit_samples, dtype=np.int64)
        last = np.array(last_ic_samples, dtype=np.int64)
        out = np.full((last.size, max(self.max_contacts, 1)), -1, dtype=np.int64)
        searching = np.arange(last.size)
        start = self.window_steps[0]
        for j in range(out.shape[1]):  # one round of searches, placed in time together
            hit, peaks, peak_prominence = self._search(
                sig, last[searching], start, step[searching], prom[searching], limit[searching]
            )
            if not hit.size:
                break
            bouts = searching[hit]
            out[bouts, j] = last[bouts] = contacts.place(peaks)
            # a soft closing contact ends the walk; a step-like one: search on after it
            searching = bouts[peak_prominence >= self.repeat_relative_prominence * prom[bouts]]
            start = max(self.repeat_min_steps, self.window_steps[0])
        self.closing_samples_ = out
        return self

    def _search(
        self,
        sig: _Signals,
        last: np.ndarray,
        start_steps: float,
        step: np.ndarray,
        prom: np.ndarray,
        limit: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The largest clear peak of the coarse signal in the window after each ``last``.

        Returns ``(searches, peaks, prominences)``: the searches (indices into
        ``last``) that found one, in order, its peak sample and prominence;
        the contact is the peak placed in time
        (:meth:`TrunkContactDetector.place`). The windows' peaks are found in
        one pass (:func:`~retrowalk.dsp.kernels.window_peaks`: each window's
        ``find_peaks``), with each window's bounds, largest peak (the first of
        equal ones) and floor worked as one search's in Python floats.
        """
        fs = sig.sampling_rate_hz
        i0 = (last + start_steps * step * fs).astype(np.int64)  # int()'s truncation
        i1 = np.minimum((last + self.window_steps[1] * step * fs).astype(np.int64), limit - 1)
        searched = (i1 - i0 >= 3).nonzero()[0]
        # a peak near the window's end needs the signal after it for its
        # prominence (the start stays cut, away from the last step's peak)
        i0, i1 = i0[searched], i1[searched]
        c1 = np.minimum(
            (i1 + self.context_steps * step[searched] * fs).astype(np.int64),
            np.minimum(limit[searched], sig.coarse.shape[0]),
        )
        window, peaks, prominences = window_peaks(sig.coarse, i0, c1)
        inside = peaks < i1[window]  # and at or after i0, where the window starts
        window, peaks, prominences = window[inside], peaks[inside], prominences[inside]
        none = np.zeros(0, dtype=np.int64)
        if not window.size:
            return none, none, np.zeros(0)
        first = np.flatnonzero(np.concatenate(([True], window[1:] != window[:-1])))
        top = np.maximum.reduceat(prominences, first)
        runs = np.diff(np.append(first, window.size))
        at_top = (prominences == top.repeat(runs)).nonzero()[0]
        best = at_top[at_top.searchsorted(first)]  # np.argmax's: the first of the largest
        window, peaks, prominences = window[best], peaks[best], prominences[best]
        relative = self.min_relative_prominence * prom[searched[window]]
        floor = np.where(relative > self.min_prominence_mps2, relative, self.min_prominence_mps2)
        found = ~(prominences < floor)  # max()'s floor, as one search takes it
        return searched[window[found]], peaks[found], prominences[found]


class RhythmContactFilter(Algorithm):
    """Drop a weak contact unless the walk's rhythm needs it.

    A contact whose step peak is only a little above the detector's relative
    floor (:attr:`TrunkContactDetector.relative_strength_` under
    ``min_strength``) is as often a weight shift, a pivot or the settling of
    the trunk before the first step or after the last as it is a real soft
    step. Walking is rhythmic, and that tells them apart: a real step fills
    the place where the rhythm needs one, so the weak contact is kept only
    when both its intervals are steps (at most ``max_step_s``) and without it
    the walk would have an interval that is no step (over ``max_step_s``, a
    pause) or at least ``min_span_steps`` typical step times (a step
    missing). Any other weak contact is dropped, the weakest first (each
    drop changes its neighbours' intervals), so a weak contact at either end
    of a walk, where no rhythm holds it, goes. Turning steps are judged by
    their own lower floor and are not weak here.

    Only for a sensor at the lower back (a pocket's steps alternate strong
    and weak), after :class:`MidStepContactFilter` (a weak contact in mid-step
    is that rule's evidence: dropped before it, the slow walk of
    mocap-backward's 09_12 at the pelvis kept two contacts in mid-step).

    Chosen leave-one-subject-out on ipol-gait with the other contact rules
    (``benchmarks/accuracy_loso.py``), every fold chose 0.35 (among off, 0.35
    and 0.4) and a pause alone (among that and 1.6 or 2 typical step times).
    Held out, the step count's error went from 2.08 to 1.81 % per trial,
    recall 98.36 -> 98.27 %, precision 98.07 -> 98.23 %, timing 24.8 -> 24.6
    ms, and the daily-life bouts of mobgap-lab it changes all came closer to
    INDIP's contacts (cadence 8.7 -> 8.2 %). Their mean step speed moved away
    from INDIP's, 9.9 -> 11.3 %: the slow soft steps it drops had hidden step
    lengths that are too long elsewhere in the same bouts (a plain floor of
    0.35: 1.86 % and 18.5 %). See ``docs/architecture.md``.

    Parameters
    ----------
    min_strength
        A contact whose peak prominence is under this share of the median of
        the peaks around it is weak (the detector's floor is 0.3); ``None``:
        the rule is off.
    max_step_s
        Longest interval that is a step (the pipeline's pause limit).
    min_span_steps
        Without the weak contact, an interval of at least this many typical
        step times (the smaller running median of the intervals on either
        side) needs it; ``None``: only a pause does.

    Attributes
    ----------
    keep_
        Boolean per input contact.
    """

    def __init__(
        self,
        *,
        min_strength: float | None = 0.35,
        max_step_s: float = 1.5,
        min_span_steps: float | None = None,
    ) -> None:
        self.min_strength = min_strength
        self.max_step_s = max_step_s
        self.min_span_steps = min_span_steps

    def filter(
        self,
        ic_samples: np.ndarray,
        strength: np.ndarray,
        sampling_rate_hz: float,
        turning: np.ndarray | None = None,
    ) -> RhythmContactFilter:
        """Find the weak contacts the rhythm does not need.

        Parameters
        ----------
        ic_samples
            Sorted contacts.
        strength
            Each contact's relative strength
            (:attr:`TrunkContactDetector.relative_strength_`).
        sampling_rate_hz
            Rate of the samples.
        turning
            Contacts judged by the turning floor (never weak here), or ``None``.
        """
        ic = np.asarray(ic_samples, dtype=np.int64)
        power = np.asarray(strength, dtype=np.float64)
        self.keep_ = np.ones(ic.size, dtype=bool)
        if self.min_strength is None or ic.size == 0:
            return self
        weak = power < self.min_strength
        if turning is not None:
            weak &= ~np.asarray(turning, dtype=bool)
        if weak.any():
            self.keep_ = ~_out_of_rhythm(
                ic, power, weak, self.max_step_s * float(sampling_rate_hz), self.min_span_steps
            )
        return self


def _out_of_rhythm(
    at: np.ndarray,
    strength: np.ndarray,
    weak: np.ndarray,
    max_step: float,
    min_span_steps: float | None = None,
) -> np.ndarray:
    """The weak contacts no rhythm needs (:class:`RhythmContactFilter`), weakest first."""
    n = at.size
    out = np.zeros(n, dtype=bool)
    needed = np.full(n, np.inf)  # the span without it at which a step is missing
    if min_span_steps is not None and n >= 3:
        local = _local_median((at[1:] - at[:-1]).astype(np.float64), half_width=4)
        needed[1:-1] = min_span_steps * np.minimum(local[:-1], local[1:])
    prev = np.arange(n) - 1  # a doubly linked list over the contacts kept
    nxt = np.arange(n) + 1
    for j in np.flatnonzero(weak)[strength[weak].argsort(kind="stable")].tolist():
        a, b = int(prev[j]), int(nxt[j])
        steps = a >= 0 and b < n and at[j] - at[a] <= max_step and at[b] - at[j] <= max_step
        if steps and (at[b] - at[a] > max_step or at[b] - at[a] >= needed[j]):
            continue  # both its intervals are steps, and without it one would be missing
        out[j] = True
        if a >= 0:
            nxt[a] = b
        if b < n:
            prev[b] = a
    return out


class MidStepContactFilter(Algorithm):
    """Drop the second contact found in mid-step when the trunk's rise and fall peaks twice.

    In slow walking the smooth vertical acceleration of the lower back can
    peak twice per step: once after the foot lands and again in mid-stance,
    when the second harmonic of the step frequency passes the step signal's
    low-pass. The detector then finds a contact in the middle of every step,
    and the bout counts twice its steps at twice its cadence. Real steps
    repeat each other: at the lower back the vertical acceleration correlates
    with itself one step later about as well as one stride later (step and
    stride regularity, Moe-Nilssen & Helbostad 2004, J Biomech 37:121). With a
    contact in mid-step it correlates with itself two contacts later (one
    real step) far better than one contact later (half a step). So runs of
    contacts are looked at ``window_contacts`` at a time; where the
    autocorrelation of the step signal at two contact intervals exceeds the one
    at one interval by ``min_contrast`` or more, the contacts of that stretch
    are doubled, and of them the strongest are kept, no two closer than
    ``min_separation`` of the real step time (the lag at which the step
    signal repeats best, about two contact intervals; a mid-step contact lies
    half a step from each neighbour).

    Only for a sensor at the lower back: in a trouser pocket one leg's steps
    are the stronger and the thigh's signal repeats every stride, so real
    steps look doubled by this measure.

    Where it was seen: the slow straight walks of mocap-backward at the pelvis
    (virtual sensors from motion capture, whose impacts are smoothed), none of
    the real lower-back recordings here (ipol-gait, mobgap-lab), which stay
    below the threshold. A strongly asymmetric gait (one leg's steps unlike
    the other's, as after a stroke) also lowers the step regularity against
    the stride regularity; no such recording was available to check it.

    Parameters
    ----------
    min_contrast
        Autocorrelation of the step signal at two contact intervals minus that
        at one interval (each the best within 12 % of the lag) at and above
        which a window's contacts are doubled; ``None``: the rule is off.
        Chosen leave-one-subject-out on ipol-gait, mobgap-lab and the
        motion-capture walks at the pelvis, the three weighing equally
        (``benchmarks/accuracy_loso.py``): every fold chose 0.6. Real walking at
        the lower back stays below it (ipol-gait at most 0.40, mobgap-lab's
        daily-life walks 0.53, in turns and pauses), so no real contact of
        either is dropped; the slow walks doubled at the pelvis reach 0.7-0.95
        (their steps found 157 -> 140 of 141).
    window_contacts
        Contacts per window, slid one contact at a time along each run.
    max_gap_s
        An interval longer than this splits a run (a pause is not a step).
    min_separation
        Within a doubled stretch, kept contacts are at least this share of its
        real step time apart (the lag of the step signal's best correlation at
        two contact intervals; a mid-step contact lies about half a step from
        each neighbour).

    Attributes
    ----------
    keep_
        Boolean per input contact.
    doubled_
        Boolean per input contact: it lies in a stretch judged doubled.

    References
    ----------
    Moe-Nilssen R, Helbostad JL (2004). Estimation of gait cycle characteristics
    by trunk accelerometry. J Biomech 37:121-126.
    """

    def __init__(
        self,
        *,
        min_contrast: float | None = 0.6,
        window_contacts: int = 8,
        max_gap_s: float = 1.5,
        min_separation: float = 0.7,
    ) -> None:
        self.min_contrast = min_contrast
        self.window_contacts = window_contacts
        self.max_gap_s = max_gap_s
        self.min_separation = min_separation

    def filter(
        self,
        ic_samples: np.ndarray,
        prominence: np.ndarray,
        step_signal: np.ndarray,
        sampling_rate_hz: float,
    ) -> MidStepContactFilter:
        """Find doubled stretches and thin them.

        Parameters
        ----------
        ic_samples
            Sorted contacts.
        prominence
            Step-peak prominence of each contact (the stronger are kept).
        step_signal
            The smooth vertical step signal the contacts were found in
            (:attr:`TrunkContactDetector.signals_` ``.coarse``).
        sampling_rate_hz
            Its rate.
        """
        ic = np.asarray(ic_samples, dtype=np.int64)
        prom = np.asarray(prominence, dtype=np.float64)
        self.doubled_ = np.zeros(ic.size, dtype=bool)
        self.keep_ = np.ones(ic.size, dtype=bool)
        if self.min_contrast is None or ic.size < self.window_contacts:
            return self
        fs = float(sampling_rate_hz)
        breaks = ((ic[1:] - ic[:-1]) > self.max_gap_s * fs).nonzero()[0] + 1
        w = self.window_contacts
        first = np.concatenate(
            [run[: max(run.size - w + 1, 0)] for run in split_at(np.arange(ic.size), breaks)]
        )
        x = np.asarray(step_signal, dtype=np.float64)
        every = max(round(fs / 25.0), 1)
        if every > 1:
            # a quick look at 25 Hz (the smooth step signal keeps its shape there)
            # leaves only the windows that come near the threshold to measure in
            # full; its few correlations at two intervals summed pair by pair
            coarse_ic = (ic / every).round().astype(np.int64)  # np.round's
            floor = self.min_contrast - _SCREEN_MARGIN
            rough, _ = _step_contrasts(
                np.ascontiguousarray(x[::every]),  # the same numbers, read faster
                coarse_ic, first, w, join=round(30 * fs / every), floor=floor, direct=True,
            )  # fmt: skip
            first = first[rough >= floor]
        contrast, step = _step_contrasts(
            x, ic, first, w, join=round(30 * fs), floor=self.min_contrast
        )
        doubled = contrast >= self.min_contrast
        step_of = np.full(ic.size, np.nan)  # the real step time of each doubled contact
        for s0, lag in zip(first[doubled], step[doubled], strict=True):
            self.doubled_[s0 : s0 + w] = True
            step_of[s0 : s0 + w] = np.fmin(step_of[s0 : s0 + w], lag)
        for a, b in zip(*true_runs(self.doubled_), strict=True):
            stretch = np.arange(a, b)
            gap = self.min_separation * small_median(step_of[stretch])
            kept: list[int] = []
            for k in stretch[(-prom[stretch]).argsort(kind="stable")]:
                if all(abs(int(ic[k]) - int(ic[j])) >= gap for j in kept):
                    kept.append(int(k))
            self.keep_[stretch] = False
            self.keep_[kept] = True
        return self


#: How far below the threshold a window's contrast at 25 Hz may be and still be
#: measured at the full rate: the quick look falls short of the full measure by
#: at most 0.29 on the windows of ipol-gait, mobgap-lab and mocap-backward, and
#: leaves about 2 % of their windows to measure in full.
_SCREEN_MARGIN = 0.4


def _step_contrasts(
    x: np.ndarray,
    ic: np.ndarray,
    first: np.ndarray,
    w: int,
    join: int | None = 0,
    floor: float | None = None,
    direct: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Per window of ``w`` contacts from ``ic[first]``: autocorrelation at two intervals minus one.

    Over the window's span (first to last contact) the step signal's Pearson
    correlation with itself is taken at every lag within 12 % of the window's
    median contact interval ``d`` and within 12 % of ``2 d``, the best of each
    kept (returned: the contrast, and the lag of the best at two intervals,
    the real step time where contacts come twice per step). Windows less
    than ``join`` samples apart are measured together, and of them, at each
    lag, those that need it and lie less than ``join`` apart
    (:func:`_best_correlations`: each lag costs one pass over their stretch,
    plus a fixed cost per lag and stretch); ``None``: all together. A window
    whose correlation at one interval exceeds ``1 - floor`` cannot reach a
    contrast of ``floor``: it is not measured at two intervals and its
    contrast is returned as ``-inf``. With ``direct`` the cross products at
    two intervals are summed for each window and lag on their own
    (:func:`_lagged_products`), not from running sums over stretches: the
    few windows left to measure there (about one in nine at the screen's
    floor) lie far apart, and their stretches, which cover what lies between
    them too, cost far more than their own samples (the quick look at 25 Hz of
    the tiled ipol-gait hour: 3,060 pairs of 255,000 samples in all against
    stretches of 424,000 samples). The correlations then differ from the
    running sums' by rounding (under 1e-12 there): for the quick look only,
    whose windows are measured again in full when near the threshold
    (:data:`_SCREEN_MARGIN`).
    """
    contrast = np.full(first.size, -np.inf)
    lag = np.zeros(first.size, dtype=np.int64)
    if first.size == 0:
        return contrast, lag
    starts, ends = ic[first], ic[np.minimum(first + w - 1, ic.size - 1)]
    apart = np.zeros(0, dtype=np.int64)
    if join is not None:
        apart = np.flatnonzero(starts[1:] > np.maximum.accumulate(ends)[:-1] + join) + 1
    if join is None or apart.size == 0:
        return _nearby_contrasts(x, ic, first, w, join, floor, direct)
    # Several groups, measured in one pass as one call per group measures each:
    # their stretches laid one after another, join + 2 samples apart, so that no
    # stretch of windows reaches from one into the next, and each group's
    # running sums its own (from zero at its stretch's start), as in its call.
    d = _window_steps(ic, first, w)
    bounds = [0, *apart.tolist(), first.size]
    pairs = list(itertools.pairwise(bounds))
    lo = np.array([int(starts[p:q].min()) for p, q in pairs], dtype=np.int64)
    hi = np.array([int(ic[first[p:q] + w - 1].max()) + 1 for p, q in pairs], dtype=np.int64)
    offset = np.concatenate(([0], (hi - lo + join + 2).cumsum()[:-1]))
    laid = np.zeros(int(offset[-1] + hi[-1] - lo[-1]))
    # the running sums of the samples and of their squares: one complex running
    # sum (its parts each added on their own, bit for bit: np.cumsum's of each)
    sums = np.zeros(laid.size + 1, dtype=np.complex128)
    for g0, g1, at in zip(lo.tolist(), hi.tolist(), offset.tolist(), strict=True):
        part = laid[at : at + g1 - g0]
        part[:] = x[g0:g1]
        run = sums[at + 1 : at + 1 + part.size]
        run.real = part
        np.multiply(part, part, out=run.imag)
        run.cumsum(out=run)  # the method: np.cumsum without its dispatch
    s1, s2 = sums.real, sums.imag
    shift = (offset - lo).repeat(np.diff(bounds))  # each window's group's move
    a = ic[first] + shift
    b = ic[first + w - 1] + 1 + shift
    return _contrasts(laid, s1, s2, a, b, d, join, floor, direct)


def _nearby_contrasts(
    x: np.ndarray,
    ic: np.ndarray,
    first: np.ndarray,
    w: int,
    join: int | None = None,
    floor: float | None = None,
    direct: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_step_contrasts` of windows near one another.

    The overlapping parts' sums and energies come from running sums over
    the windows' stretch, the cross products from one pass per lag
    (:func:`_best_correlations`), so a window costs a few look-ups per lag
    (an hour of walking takes tens of milliseconds).
    """
    if first.size == 0:
        return np.full(0, -np.inf), np.zeros(0, dtype=np.int64)
    d = _window_steps(ic, first, w)
    lo = int(ic[first].min())
    x = x[lo : int(ic[first + w - 1].max()) + 1]  # the windows' stretch only
    a = ic[first] - lo
    b = ic[first + w - 1] + 1 - lo
    if not ((d >= 1) & (b - a >= 3 * d)).any():
        return np.full(first.size, -np.inf), np.zeros(first.size, dtype=np.int64)
    # the running sums of the samples and of their squares (a leading zero), as one
    # complex running sum: each part's np.cumsum, bit for bit, in about the time of one
    sums = np.empty(x.size + 1, dtype=np.complex128)
    sums[0] = 0.0
    sums.real[1:] = x
    np.multiply(x, x, out=sums.imag[1:])
    sums[1:].cumsum(out=sums[1:])  # the method: np.cumsum without its dispatch
    return _contrasts(x, sums.real, sums.imag, a, b, d, join, floor, direct)


def _window_steps(ic: np.ndarray, first: np.ndarray, w: int) -> np.ndarray:
    """Each window's median contact interval (whole samples)."""
    intervals = ic[1:] - ic[:-1]
    return _median_rows(sliding_rows(intervals, w - 1)[first]).astype(np.int64)


def _contrasts(
    x: np.ndarray,
    s1: np.ndarray,
    s2: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    d: np.ndarray,
    join: int | None,
    floor: float | None,
    direct: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_nearby_contrasts` of windows ``a:b`` of ``x`` (running sums ``s1``, ``s2``
    of ``x`` and of its squares, a leading zero) of median interval ``d``."""
    n = b - a
    valid = (d >= 1) & (n >= 3 * d)
    if not valid.any():
        return np.full(a.size, -np.inf), np.zeros(a.size, dtype=np.int64)
    lo1 = np.maximum((0.88 * d).astype(np.int64), 1)
    hi1 = np.where(valid, (1.12 * d).astype(np.int64), 0)
    best1, _ = _best_correlations(x, s1, s2, a, b, lo1, hi1, join)
    if floor is not None:  # at best 1 - best1 apart: these cannot reach the floor
        valid &= best1 <= 1.0 - floor + _CORRELATION_ROUNDING
    lo2 = np.maximum((1.76 * d).astype(np.int64), 1)
    hi2 = np.where(valid, np.minimum((2.24 * d).astype(np.int64), n - 3), 0)
    best2, best_lag = _best_correlations(x, s1, s2, a, b, lo2, hi2, join, direct)
    return np.where(valid, best2 - best1, -np.inf), best_lag


#: How far a correlation worked out from running sums may pass 1 by rounding.
_CORRELATION_ROUNDING = 1e-9


def _best_correlations(
    x: np.ndarray,
    s1: np.ndarray,
    s2: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    join: int | None,
    direct: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Each window's best Pearson correlation of ``x[a:b]`` with itself at a lag in ``[lo, hi]``.

    ``s1`` and ``s2`` are the running sums of ``x`` and ``x**2`` (a leading
    zero); a window with ``hi < lo`` is not measured. The running cross
    products are taken lag by lag, over each stretch of the windows that
    need the lag (windows more than ``join`` samples apart on different
    stretches; ``None``: one stretch per lag); the correlations of every
    (lag, window) pair are worked out together after. Returns the best
    correlation (``-1`` where none is above it) and its shortest lag
    (``0`` then). With ``direct`` each pair's cross products are summed on
    their own instead (:func:`_lagged_products`; see :func:`_step_contrasts`).
    """
    best = np.full(a.size, -1.0)
    best_lag = np.zeros(a.size, dtype=np.int64)
    if not (hi >= lo).any():
        return best, best_lag
    lags = np.arange(int(lo[hi >= lo].min()), int(hi.max()) + 1)
    row, win = np.nonzero((lo <= lags[:, None]) & (lags[:, None] <= hi))  # pairs, lag by lag
    lag = lags[row]
    aa, bb = a[win], b[win]
    if direct:
        span = _lagged_products(x, aa, bb, lag)
    else:
        span = _stretch_products(x, row, aa, bb, lag, join)
    m = (bb - aa - lag).astype(np.float64)
    sum_a = s1[bb - lag] - s1[aa]
    sum_b = s1[bb] - s1[aa + lag]
    var_a = s2[bb - lag] - s2[aa] - sum_a**2 / m
    var_b = s2[bb] - s2[aa + lag] - sum_b**2 / m
    cross = span - sum_a * sum_b / m
    denom = np.sqrt(np.maximum(var_a * var_b, 0.0))
    r = np.where(denom > 0, cross / np.where(denom > 0, denom, 1.0), -1.0)
    np.maximum.at(best, win, r)
    top = (r == best[win]) & (r > -1.0)
    best_lag[win[top]] = np.iinfo(np.int64).max
    np.minimum.at(best_lag, win[top], lag[top])
    return best, best_lag


def _stretch_products(
    x: np.ndarray,
    row: np.ndarray,
    aa: np.ndarray,
    bb: np.ndarray,
    lag: np.ndarray,
    join: int | None,
) -> np.ndarray:
    """:func:`_best_correlations`' summed cross products of each (lag, window) pair from
    running sums over stretches (``row``: each pair's lag's position, pairs lag by lag)."""
    # pairs of one lag and one stretch: a new stretch where the lag changes or
    # the window starts more than ``join`` after the lag's windows so far end
    new = np.empty(row.size, dtype=bool)
    new[:1] = row[:1] != -1  # np.diff(row, prepend=-1) != 0
    np.not_equal(row[1:], row[:-1], out=new[1:])
    if join is not None:
        rank = row * (x.size + join + 1)  # orders each lag's ends after the lag before's
        new[1:] |= aa[1:] + rank[1:] > np.maximum.accumulate(bb + rank)[:-1] + join
    bounds = np.concatenate((new.nonzero()[0], [row.size]))  # np.append's
    counts = bounds[1:] - bounds[:-1]  # pairs of each stretch
    start = np.minimum.reduceat(aa, bounds[:-1])  # each stretch
    stop = np.maximum.reduceat(bb, bounds[:-1])
    begin = aa - start.repeat(counts)  # each pair's look-ups in its stretch's sums
    end = bb - lag - start.repeat(counts)
    span = np.empty(row.size)  # each pair's summed cross products
    # Each stretch's running cross products (a leading zero), one after
    # another in one buffer, as many stretches at a time as fit; then the
    # pairs of those stretches are looked up together.
    sizes = (stop - lag[bounds[:-1]] - start).tolist()
    products = np.empty(max(_PRODUCT_SAMPLES, max(sizes) + 1))
    shifts, starts, edges = lag[bounds[:-1]].tolist(), start.tolist(), bounds.tolist()
    k = 0
    while k < len(sizes):
        k0, used, offsets = k, 0, []
        while k < len(sizes) and used + sizes[k] + 1 <= products.size:
            shift, s0, size = shifts[k], starts[k], sizes[k]
            products[used] = 0.0
            run = products[used + 1 : used + 1 + size]
            np.multiply(x[s0 : s0 + size], x[s0 + shift : s0 + shift + size], out=run)
            run.cumsum(out=run)  # the method: np.cumsum without its dispatch
            offsets.append(used)
            used += size + 1
            k += 1
        p0, p1 = edges[k0], edges[k]
        at = np.repeat(offsets, counts[k0:k])  # each pair's stretch's sums
        np.subtract(products[at + end[p0:p1]], products[at + begin[p0:p1]], out=span[p0:p1])
    return span


def _lagged_products(x: np.ndarray, aa: np.ndarray, bb: np.ndarray, lag: np.ndarray) -> np.ndarray:
    """Per pair, ``x[i] * x[i + lag]`` summed over ``aa <= i < bb - lag``, each on its own."""
    length = np.maximum(bb - aa - lag, 0)
    span = np.zeros(length.size)
    some = np.flatnonzero(length)
    if not some.size:
        return span
    length = length[some]
    ends = length.cumsum()
    starts = ends - length
    idx = np.arange(int(ends[-1])) + (aa[some] - starts).repeat(length)
    products = x.take(idx)
    idx += lag[some].repeat(length)
    products *= x.take(idx)
    span[some] = np.add.reduceat(products, starts)
    return span


#: Running cross products held at once by :func:`_best_correlations` (2 MB).
_PRODUCT_SAMPLES = 1 << 18


def _turning_pairs(
    ic: np.ndarray, prom: np.ndarray, turning: np.ndarray, ratio: float
) -> np.ndarray:
    """Keep-mask of sorted contacts: of two closer than ``ratio`` typical step
    times where either is turning, the weaker goes (the typical step time: the
    running median of the intervals around the pair, as taken before any is
    dropped; of a run of such pairs, each is judged against the last kept)."""
    intervals = (ic[1:] - ic[:-1]).astype(np.float64)
    typical = _local_median(intervals, half_width=4)
    keep = np.ones(ic.size, dtype=bool)
    close = (intervals < ratio * typical).nonzero()[0]
    last = -1  # the last contact kept before the current one
    for k in close.tolist():
        a = k if keep[k] else last
        b = k + 1
        if a < 0 or not (turning[a] or turning[b]):
            continue
        if ic[b] - ic[a] >= ratio * typical[k]:
            continue
        weaker = b if prom[b] < prom[a] else a
        keep[weaker] = False
        last = a if weaker == b else b
    return keep


def _jerk_norm(rows: np.ndarray) -> np.ndarray:
    """Norm of the sample-to-sample change of ``(k, n)`` channel-major rows (0 at the start).

    ``row_norm(np.diff(x, axis=0, prepend=x[:1]))`` of the sample-major ``x =
    rows.T``, worked along the contiguous rows: the same differences and the
    same sums of squares, without numpy's passes over short rows of ``k``.
    """
    if not 1 <= rows.shape[0] <= 3:
        change = np.empty_like(rows)
        np.subtract(rows[:, :1], rows[:, :1], out=change[:, :1])
        np.subtract(rows[:, 1:], rows[:, :-1], out=change[:, 1:])
        return row_norm(change.T)
    # row_norm's sums of squares (left to right), a block of samples at a time
    # so the differences stay in the processor's cache (each sample's numbers
    # are its own: the same as on whole rows)
    n = rows.shape[1]
    total = np.empty(n)
    change = np.empty(min(n, _JERK_BLOCK))
    for b0 in range(0, n, _JERK_BLOCK):
        b1 = min(b0 + _JERK_BLOCK, n)
        out, d = total[b0:b1], change[: b1 - b0]
        for k, row in enumerate(rows):
            target = out if k == 0 else d
            lo = max(b0, 1)  # the first sample's change: its own difference, 0
            np.subtract(row[lo:b1], row[lo - 1 : b1 - 1], out=target[lo - b0 :])
            if b0 == 0:
                np.subtract(row[:1], row[:1], out=target[:1])
            np.multiply(target, target, out=target)
            if k:
                out += d
    return np.sqrt(total, out=total)


#: Samples of the jerk norm worked at once by :func:`_jerk_norm`.
_JERK_BLOCK = 16384


def _argmax_near(x: np.ndarray, centres: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Index of the maximum of ``x`` within ``[c + lo, c + hi]`` for each centre.

    The window is clipped to ``x`` (its indices outside repeat the end sample,
    and the first maximum counts). The windows that lie inside ``x``, nearly
    all of them, are read as rows of one sliding view: no index array.
    """
    if centres.size == 0:
        return np.zeros(0, dtype=np.float64)
    n = x.shape[0]
    first = centres + lo
    out = np.empty(centres.size, dtype=np.float64)
    inside = (first >= 0) & (centres + hi <= n - 1)
    if inside.any():
        rows = sliding_rows(x, hi - lo + 1)[first[inside]]
        out[inside] = first[inside] + rows.argmax(axis=1)
    edge = ~inside
    if edge.any():
        offsets = np.arange(lo, hi + 1)
        idx = np.clip(centres[edge, None] + offsets[None, :], 0, n - 1)
        out[edge] = idx[np.arange(idx.shape[0]), x[idx].argmax(axis=1)]
    return out


def _local_median(values: np.ndarray, half_width: int) -> np.ndarray:
    """Running median over ``2 * half_width + 1`` neighbours (edges use what exists).

    A full window's median is its middle value after a partial sort; only the
    few windows at the ends, padded with NaN, are sorted whole (the same medians
    as ``np.nanmedian`` of every window).
    """
    n = values.size
    if n == 0:
        return values.copy()
    padded = np.full(n + 2 * half_width, np.nan, dtype=values.dtype)  # NaN either side
    padded[half_width : half_width + n] = values
    windows = sliding_rows(padded, 2 * half_width + 1)
    out = np.empty(n)
    inner = slice(half_width, max(n - half_width, half_width))
    out[inner] = np.partition(windows[inner], half_width, axis=1)[:, half_width]
    head = np.arange(min(half_width, n))
    ends = np.concatenate((head, np.arange(max(n - half_width, head.size), n)))
    out[ends] = _nanmedian_rows(windows[ends])
    return out


def _median_rows(rows: np.ndarray) -> np.ndarray:
    """``np.median(rows, axis=1)`` of whole numbers: numpy's partition at the middle and
    the mean of the middle one or two (as float64), without its per-call set-up."""
    size = rows.shape[1]
    half = size // 2
    if rows.dtype.kind not in "iu" or size == 0 or rows.shape[0] == 0:
        return np.asarray(np.median(rows, axis=1))
    if size % 2:
        part = np.partition(rows, [half], axis=1)
        return part[:, half].astype(np.float64)
    part = np.partition(rows, [half - 1, half], axis=1)
    return np.add(part[:, half - 1], part[:, half], dtype=np.float64) / 2


def _nanmedian_rows(windows: np.ndarray) -> np.ndarray:
    """``np.nanmedian(windows, axis=1)``'s arithmetic (the mean of the two middle
    values) without the masked arrays it uses for short rows, whose set-up cost
    dominates here."""
    ordered = np.sort(windows, axis=1)  # NaN last
    count = np.count_nonzero(~np.isnan(windows), axis=1)
    high = count // 2
    low = np.where(count % 2 == 1, high, high - 1)
    rows = np.arange(windows.shape[0])
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
        sides, agreements = self._label([gyro_vertical_rads], [ic_samples])
        self.sides_: list[str | None] = sides[0]
        self.agreement_ = agreements[0]
        return self

    def estimate_bouts(
        self, gyro_vertical_rads: list[np.ndarray | None], ic_samples: list[np.ndarray]
    ) -> list[list[str | None]]:
        """:attr:`sides_` of :meth:`estimate` for each of many bouts (rates and contacts).

        The same numbers as one :meth:`estimate` per bout, worked for all bouts
        at once: only each bout's running sum of its angular rate is taken on
        its own (so its sums are the bout's alone); the windows' mean rates,
        the detrending, the votes and their counts go over all contacts
        together (the votes are -1, 0 or 1, so their sums are exact in any
        order). A subclass with its own :meth:`estimate` is asked bout by bout.
        """
        if type(self).estimate is not LateralityEstimator.estimate:
            return [
                list(self.estimate(g, c).sides_)
                for g, c in zip(gyro_vertical_rads, ic_samples, strict=True)
            ]
        return self._label(gyro_vertical_rads, ic_samples)[0]

    def _label(
        self, gyro_vertical_rads: list[np.ndarray | None], ic_samples: list[np.ndarray]
    ) -> tuple[list[list[str | None]], list[float]]:
        """Sides and agreement of each bout (rates and contacts), all bouts at once."""
        out: list[list[str | None]] = [[None] * np.asarray(c).size for c in ic_samples]
        agreements = [0.5] * len(ic_samples)
        todo = [
            k for k, (g, c) in enumerate(zip(gyro_vertical_rads, ic_samples, strict=True))
            if g is not None and np.asarray(c).size >= 3
        ]  # fmt: skip
        if not todo:
            return out, agreements
        ics = [np.asarray(ic_samples[k], dtype=np.int64) for k in todo]
        rates = [np.asarray(gyro_vertical_rads[k]) for k in todo]  # none is None
        sizes = np.array([c.size for c in ics])
        first = np.concatenate([[0], sizes.cumsum()[:-1]])  # each bout's first contact
        ic = np.concatenate(ics)
        bout = np.arange(len(todo)).repeat(sizes)
        n = np.array([r.shape[0] for r in rates]).repeat(sizes)
        # each bout's running sum of its rate (a leading zero), one after another
        sums = np.empty(sum(r.shape[0] + 1 for r in rates))
        offset = 0
        for r in rates:
            sums[offset] = 0.0
            r.cumsum(out=sums[offset + 1 : offset + 1 + r.shape[0]])  # np.cumsum's
            offset += r.shape[0] + 1
        at = np.concatenate([[0], np.cumsum([r.shape[0] + 1 for r in rates])[:-1]]).repeat(sizes)
        step = np.empty_like(ic)
        step[:-1] = ic[1:] - ic[:-1]
        last = first + sizes - 1
        step[last] = step[last - 1]  # a bout's last contact: the step before
        s = np.minimum(np.maximum(ic + (self.window_steps[0] * step).astype(np.int64), 0), n - 1)
        e = np.minimum(np.maximum(ic + (self.window_steps[1] * step).astype(np.int64), 1), n)
        e = np.maximum(e, s + 1)
        rate = (sums[at + e] - sums[at + s]) / (e - s)
        detrended = rate.copy()
        inner = np.ones(ic.size, dtype=bool)
        inner[first] = inner[last] = False
        middle = np.flatnonzero(inner)
        detrended[middle] -= 0.5 * (rate[middle - 1] + rate[middle + 1])
        votes = np.sign(detrended)
        votes[(np.arange(ic.size) - first[bout]) % 2 == 1] *= -1.0
        total = np.add.reduceat(votes, first)
        agree = np.add.reduceat((votes == np.sign(total)[bout]).astype(np.int64), first)
        for j, k in enumerate(todo):
            agreements[k] = float(agree[j] / sizes[j]) if total[j] else 0.5
            if agreements[k] < self.min_agreement:
                continue
            pair: list[str | None] = ["left", "right"] if total[j] < 0 else ["right", "left"]
            out[k] = (pair * ((int(sizes[j]) + 1) // 2))[: int(sizes[j])]
        return out, agreements

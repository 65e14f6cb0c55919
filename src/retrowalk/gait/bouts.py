"""Walking bouts from a sequence of initial contacts.

A bout is continuous walking with at least three steps; a pause shorter than
two seconds stays inside the bout (the bout rule of the JSON contract). This
is the step-based definition of the Mobilise-D walking-bout assembly
(Micó-Amigo et al. 2023, J NeuroEng Rehabil 20:78; Kluge et al. 2021, for the
break and minimum-size rules), built directly on contacts rather than on a
separate gait-sequence classifier. Nothing here depends on body height.

A sequence of peaks that is not walking (sitting down, picking the phone up,
fidgeting) rarely repeats with a regular rhythm; a candidate bout must keep
consecutive step times within a plausible range and its step times must agree
with each other. Contacts never pair across a recording gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrowalk.core.algorithm import Algorithm
from retrowalk.dsp.memory import release
from retrowalk.dsp.rows import row_norm, segment_medians, true_runs, unit_vector


@dataclass(frozen=True)
class BoutSpan:
    """One detected bout: contacts ``ic_samples[first:last + 1]`` of the input."""

    first: int
    last: int
    start_sample: int
    end_sample: int

    @property
    def n_steps(self) -> int:
        return self.last - self.first + 1


class BoutDetector(Algorithm):
    """Group initial contacts into walking bouts.

    Parameters
    ----------
    max_pause_s
        Time between two consecutive contacts that ends a bout (the contract:
        pauses under 2 s do not end a bout; one of 2 s does).
    min_steps
        Fewest contacts of a bout.
    max_step_s
        Longest single step time counted as rhythmic walking; a longer interval
        (up to ``max_pause_s``) is a pause, allowed only between rhythmic runs.
    min_step_s
        Shortest plausible step time.
    max_step_ratio
        Largest ratio between two consecutive rhythmic step times; a rhythm
        whose step times jump by more than this is not walking.

    Attributes
    ----------
    bouts_
        List of :class:`BoutSpan`, in time order.
    in_bout_
        Boolean per input contact: True when it belongs to a bout.

    References
    ----------
    Micó-Amigo ME et al. (2023). Assessing real-world gait with digital
    technology? Validation, insights and recommendations from the Mobilise-D
    consortium. J NeuroEng Rehabil 20:78.
    Kluge F et al. (2021). Consensus based framework for digital mobility
    monitoring. PLoS One 16:e0256541.
    """

    def __init__(
        self,
        *,
        max_pause_s: float = 2.0,
        min_steps: int = 3,
        max_step_s: float = 1.5,
        min_step_s: float = 0.25,
        max_step_ratio: float = 2.2,
    ) -> None:
        self.max_pause_s = max_pause_s
        self.min_steps = min_steps
        self.max_step_s = max_step_s
        self.min_step_s = min_step_s
        self.max_step_ratio = max_step_ratio

    def detect(
        self,
        ic_samples: np.ndarray,
        sampling_rate_hz: float,
        gap_mask: np.ndarray | None = None,
    ) -> BoutDetector:
        """Find bouts.

        Parameters
        ----------
        ic_samples
            Sorted contact sample indices.
        sampling_rate_hz
            Sampling rate of the indices.
        gap_mask
            Boolean per sample, True inside a recording gap (``Recording.gap_mask()``).
        """
        fs = float(sampling_rate_hz)
        ic = np.asarray(ic_samples, dtype=np.int64)
        self.in_bout_ = np.zeros(ic.size, dtype=bool)
        self.bouts_: list[BoutSpan] = []
        if ic.size < self.min_steps:
            return self
        dt = (ic[1:] - ic[:-1]) / fs
        link = dt < self.max_pause_s
        if gap_mask is not None and gap_mask.any():
            gaps_before = np.concatenate([[0], gap_mask.cumsum()])
            link &= gaps_before[ic[1:]] == gaps_before[ic[:-1] + 1]
        rhythmic = link & (dt >= self.min_step_s) & (dt <= self.max_step_s)
        # A rhythmic step next to a step of very different duration is suspect.
        ratio = np.ones_like(dt)
        ratio[1:] = np.maximum(dt[1:], dt[:-1]) / np.maximum(np.minimum(dt[1:], dt[:-1]), 1e-9)
        # Contacts first..last (inclusive) joined by links form a run; a run is a
        # bout when it has min_steps contacts and, somewhere inside it, at least
        # (min_steps - 1) rhythmic step times in a row with consistent durations
        # (the run's first interval has no predecessor to compare with). All
        # runs at once: a steady interval is always linked, so steady stretches
        # never cross from one run into the next.
        breaks = (~link).nonzero()[0]
        firsts = np.concatenate([[0], breaks + 1])
        lasts = np.concatenate([breaks, [link.size]])
        steady = rhythmic & (ratio <= self.max_step_ratio)
        opening = firsts[firsts < link.size]
        steady[opening] = rhythmic[opening]
        longest = _longest_true_run_from(steady, firsts, lasts)
        emit = (lasts - firsts + 1 >= self.min_steps) & (longest >= self.min_steps - 1)
        for first, last in zip(firsts[emit].tolist(), lasts[emit].tolist(), strict=True):
            self.bouts_.append(BoutSpan(first, last, int(ic[first]), int(ic[last])))
            self.in_bout_[first : last + 1] = True
        return self


def _longest_true_run_from(mask: np.ndarray, firsts: np.ndarray, lasts: np.ndarray) -> np.ndarray:
    """Longest run of True in ``mask[first:last]`` for each pair (runs never span two pairs)."""
    starts, ends = true_runs(mask)
    lengths = ends - starts
    out = np.zeros(firsts.size, dtype=np.int64)
    if starts.size:
        owner = firsts.searchsorted(starts, side="right") - 1
        np.maximum.at(out, owner, lengths)
    return np.where(lasts > firsts, out, 0)


def bout_cadence_spm(step_times_s: np.ndarray, max_step_s: float = 1.5) -> float:
    """Cadence of one bout, steps/min: its steps over the time they take.

    The one definition of a bout's cadence: the number of step intervals
    (contact to next contact) over their summed duration, pauses inside the
    bout (intervals longer than ``max_step_s``) left out of both. So the
    reported cadence always agrees with the bout's steps and walking time
    (``60 * (n_steps - 1) / duration_s`` without pauses), also when the two
    feet's step times alternate (a median would pick one of the two), and it
    is the inverse of the mean step time (Kluge et al. 2021 define cadence as
    steps per minute of walking).

    Parameters
    ----------
    step_times_s
        Intervals between consecutive contacts of the bout, s.
    max_step_s
        Longest interval still counted as a step.

    Returns
    -------
    float
        Steps per minute; 0 when the bout has no step interval.
    """
    step_s = np.asarray(step_times_s, dtype=np.float64)
    walking = step_s[(step_s > 0) & (step_s <= max_step_s)]
    if walking.size == 0:
        return 0.0
    return 60.0 * walking.size / float(np.add.reduce(walking))


class GaitInitiationFilter(Algorithm):
    """Drop the weight shift that precedes the first step of a walk.

    Starting to walk from standing, the body first shifts its weight onto the
    stance leg and the trunk rises a little before the swing foot lifts
    (anticipatory postural adjustments; Brenière Y, Do MC 1986, J Biomech
    19:1035; Crenna P, Frigo C 1991, J Physiol 437:635). That gives a small
    vertical peak about half a step before the first real contact. It is
    recognised by two marks together: it comes sooner before the next contact
    than the steady steps follow each other (a real first step is as slow as
    or slower than the steady ones, since the walk accelerates from rest),
    and its peak is much weaker than theirs (a shift, not an impact).
    On ipol-gait (12 people, 70 starts) the two marks together separated 13 of
    15 such peaks from every real first contact.

    Parameters
    ----------
    max_interval_ratio
        The first interval of a bout relative to the median of the next
        ``reference_steps`` intervals must be below this ...
    max_prominence_ratio
        ... and the first peak's prominence relative to the median of the next
        ``reference_steps + 2`` peaks below this, for the first contact to go.
    reference_steps
        Steady steps the first one is compared with.

    Attributes
    ----------
    keep_
        Boolean per input contact.
    """

    def __init__(
        self,
        *,
        max_interval_ratio: float = 1.0,
        max_prominence_ratio: float = 0.4,
        reference_steps: int = 3,
    ) -> None:
        self.max_interval_ratio = max_interval_ratio
        self.max_prominence_ratio = max_prominence_ratio
        self.reference_steps = reference_steps

    def filter(
        self, ic_samples: np.ndarray, prominence: np.ndarray, bouts: list[BoutSpan]
    ) -> GaitInitiationFilter:
        """Check the first contact of each bout.

        Parameters
        ----------
        ic_samples
            Sorted contact samples.
        prominence
            Step-peak prominence of each contact.
        bouts
            Bouts over these contacts (:class:`BoutDetector`).
        """
        ic = np.asarray(ic_samples, dtype=np.int64)
        prom = np.asarray(prominence, dtype=np.float64)
        self.keep_ = np.ones(ic.size, dtype=bool)
        n_ref = self.reference_steps
        gaps = ic[1:] - ic[:-1]  # gaps[i] = ic[i + 1] - ic[i], taken once for all bouts
        first = np.array([b.first for b in bouts if b.n_steps >= n_ref + 3], dtype=np.int64)
        if not first.size:
            return self
        # each bout's later prominences, those above zero (closing contacts carry
        # none), one bout after another; the medians of all bouts at once
        window = first[:, None] + 1 + np.arange(n_ref + 2)
        later = prom[window]
        counts = np.count_nonzero(later > 0, axis=1)
        later = later[later > 0]
        ends = counts.cumsum()
        quick = gaps[first] < self.max_interval_ratio * segment_medians(
            gaps, first + 1, first + n_ref + 1
        )
        weak = prom[first] < self.max_prominence_ratio * segment_medians(later, ends - counts, ends)
        self.keep_[first[(counts > 0) & quick & weak]] = False
        return self


class BoutEdgeFilter(Algorithm):
    """Drop contacts at the ends of a walk that break its rhythm by a hesitation.

    Walking is rhythmic: a stride (contact ``k`` to contact ``k + 2``, the same
    foot twice, so the alternation of the two feet's step times cancels) stays
    close to the walk's typical stride, also in its first and last strides
    (a walk accelerates from rest and slows down to a stop within about one
    stride; Brenière Y, Do MC 1986, J Biomech 19:1035; Jian Y et al. 1993,
    Gait Posture 1:9). A contact at either end of a bout whose stride to the
    walk is much longer than the walk's median stride is separated from it by
    a hesitation: a weight shift, a phone being put in or taken out of a
    pocket, a shuffle before or after the walk. Such contacts are dropped, one
    at a time from each end, at most ``max_drops`` per end. Bouts shorter than
    ``min_contacts`` are left alone (their median stride says too little).

    Parameters
    ----------
    max_stride_ratio
        Longest first or last stride as a multiple of the bout's median stride.
        Chosen with :class:`WeakEdgeFilter`'s settings leave-one-subject-out on
        ipol-gait, the phone recordings and mocap-backward
        (``benchmarks/accuracy_loso.py``): every fold chose 1.25 (on ipol-gait
        alone 1.5 does as well, one contact apart, but it costs phones in a
        back pocket 2.4 -> 2.8 % step error).
    max_drops
        Most contacts dropped at each end.
    min_contacts
        Fewest contacts a bout keeps, and needs, for the rule to apply.

    Attributes
    ----------
    keep_
        Boolean per input contact.

    References
    ----------
    Jian Y, Winter DA, Ishac MG, Gilchrist L (1993). Trajectory of the body COG
    and COP during initiation and termination of gait. Gait Posture 1:9-22.
    """

    def __init__(
        self, *, max_stride_ratio: float = 1.25, max_drops: int = 3, min_contacts: int = 8
    ) -> None:
        self.max_stride_ratio = max_stride_ratio
        self.max_drops = max_drops
        self.min_contacts = min_contacts

    def filter(self, ic_samples: np.ndarray, bouts: list[BoutSpan]) -> BoutEdgeFilter:
        """Check both ends of each bout.

        Parameters
        ----------
        ic_samples
            Sorted contact samples.
        bouts
            Bouts over these contacts (:class:`BoutDetector`).
        """
        ic = np.asarray(ic_samples, dtype=np.int64)
        self.keep_ = np.ones(ic.size, dtype=bool)
        checked = [b for b in bouts if b.n_steps >= self.min_contacts]
        # every bout's median stride at once (contact k to k + 2 within the bout)
        firsts = np.array([b.first for b in checked], dtype=np.int64)
        lasts = np.array([b.last for b in checked], dtype=np.int64)
        limits = self.max_stride_ratio * segment_medians(ic[2:] - ic[:-2], firsts, lasts - 1)
        for b, limit in zip(checked, limits.tolist(), strict=True):
            members = ic[b.first : b.last + 1]
            first, last = 0, members.size - 1
            for _ in range(self.max_drops):
                if (
                    last - first + 1 <= self.min_contacts
                    or members[first + 2] - members[first] <= limit
                ):
                    break
                first += 1
            for _ in range(self.max_drops):
                if (
                    last - first + 1 <= self.min_contacts
                    or members[last] - members[last - 2] <= limit
                ):
                    break
                last -= 1
            self.keep_[b.first : b.first + first] = False
            self.keep_[b.first + last + 1 : b.last + 1] = False
        return self


class WeakEdgeFilter(Algorithm):
    """Drop contacts at the ends of a walk far weaker than the walk's steps.

    A step loads the sensor about as hard as the other steps of its walk: in a
    pocket the two legs' steps differ (the pocket leg's is the stronger) but
    stay within a factor of about three of each other, and a walk's first and
    last steps, from rest and to a stop, within a few tenths of the steady
    ones. Putting a phone into a pocket or taking it out, shifting it in the
    hand, fidgeting while standing, gives peaks with the rough rhythm of steps
    but a small fraction of a step's strength. So a walk is taken to start at
    the first of ``min_run`` consecutive contacts that all reach
    ``min_prominence_ratio`` of the walk's median step prominence, and to end
    at the last such run; the contacts before and after are dropped, and a
    bout without such a run is dropped whole. The walk whose prominence is the
    measure is the bout with the most contacts within ``context_s`` of this
    one (itself when alone), so a short bout of handling next to a walk is
    measured against the walk. Contacts inside a walk are left alone (a
    turning step is weak and real).

    Parameters
    ----------
    min_prominence_ratio
        Weakest contact of a steady run, as a share of the walk's median
        prominence; ``None``: the rule is off. Chosen with ``min_run`` (and
        :class:`BoutEdgeFilter`'s ``max_stride_ratio``) leave-one-subject-out
        on ipol-gait, the phone recordings and the motion-capture walks, the
        three weighing equally (``benchmarks/accuracy_loso.py``): every fold
        chose 0.15 and 3; the
        phones' step error in a trouser pocket fell from 3.4 % to 2.2 %, with
        ipol-gait's contacts and the motion-capture walks' steps unchanged.
    min_run
        Consecutive contacts that must all reach it for the walk to start or end.
    context_s
        How far (s) another bout may be from this one to serve as its walk.

    Attributes
    ----------
    keep_
        Boolean per input contact.
    """

    def __init__(
        self,
        *,
        min_prominence_ratio: float | None = 0.15,
        min_run: int = 3,
        context_s: float = 30.0,
    ) -> None:
        self.min_prominence_ratio = min_prominence_ratio
        self.min_run = min_run
        self.context_s = context_s

    def filter(
        self, prominence: np.ndarray, bouts: list[BoutSpan], sampling_rate_hz: float
    ) -> WeakEdgeFilter:
        """Trim the weak ends of each bout.

        Parameters
        ----------
        prominence
            Step-peak prominence of each contact, in time order.
        bouts
            Bouts over these contacts (:class:`BoutDetector`).
        sampling_rate_hz
            Rate of the bouts' sample indices.
        """
        prom = np.asarray(prominence, dtype=np.float64)
        self.keep_ = np.ones(prom.size, dtype=bool)
        if self.min_prominence_ratio is None or not bouts:
            return self
        reach = self.context_s * sampling_rate_hz
        run = max(int(self.min_run), 1)
        # bouts are in time order: those within reach of a bout are one run of them
        starts = np.array([c.start_sample for c in bouts])
        ends = np.array([c.end_sample for c in bouts])
        firsts = ends.searchsorted(starts - reach, "left").tolist()
        stops = starts.searchsorted(ends + reach, "right").tolist()
        walks = [
            max(bouts[first:stop], key=lambda c: c.n_steps)
            for first, stop in zip(firsts, stops, strict=True)
        ]
        # each walk's median prominence, of all walks at once
        medians = segment_medians(
            prom,
            np.array([w.first for w in walks], dtype=np.int64),
            np.array([w.last + 1 for w in walks], dtype=np.int64),
        ).tolist()
        for b, median in zip(bouts, medians, strict=True):
            limit = self.min_prominence_ratio * median
            strong = prom[b.first : b.last + 1] >= limit
            # where ``run`` strong contacts in a row start (a run's window all strong)
            all_strong = strong[: max(strong.size - run + 1, 0)].copy()
            for k in range(1, run):
                all_strong &= strong[k : strong.size - run + 1 + k]
            steady = all_strong.nonzero()[0]
            if steady.size == 0:
                self.keep_[b.first : b.last + 1] = False
                continue
            self.keep_[b.first : b.first + steady[0]] = False
            self.keep_[b.first + steady[-1] + run : b.last + 1] = False
        return self


class StationaryBoutFilter(Algorithm):
    """Drop bouts whose steps do not carry the body anywhere.

    Walking moves the body: each step carries the pelvis forward over the
    stance foot, which rises and falls with it (the inverted pendulum of
    Zijlstra & Hof 2003). Stepping in place, shuffling round while standing,
    shifting weight or fidgeting can give contacts with the rhythm of steps
    but hardly any rise and fall, so the pendulum gives them a step length
    near zero. Mobilise-D's walking bouts are built only from strides of at
    least 0.15 m (its stride selection; Micó-Amigo et al. 2023, the reference
    that the INDIP system's bouts follow), a step of 0.075 m; a bout whose
    median step is shorter than that is not walking. Only where step length
    is measured (the lower back's pendulum), never from body height.

    Parameters
    ----------
    min_median_step_m
        Shortest median step length of a bout, m; ``None``: the rule is off.
        Half of Mobilise-D's shortest stride; checked leave-one-subject-out
        on mobgap-lab, ipol-gait and mocap-backward's pelvis
        (``benchmarks/bout_agreement.py``).

    Attributes
    ----------
    keep_
        Boolean per bout: it travels (or its steps were not measured).
    median_step_m_
        Median measured step length of each bout, m (nan: none measured).

    References
    ----------
    Zijlstra W, Hof AL (2003). Assessment of spatio-temporal gait parameters
    from trunk accelerations during human walking. Gait Posture 18:1-10.
    Micó-Amigo ME et al. (2023). Assessing real-world gait with digital
    technology? Validation, insights and recommendations from the Mobilise-D
    consortium. J NeuroEng Rehabil 20:78.
    """

    def __init__(self, *, min_median_step_m: float | None = 0.075) -> None:
        self.min_median_step_m = min_median_step_m

    def filter(self, step_length_m: list[np.ndarray]) -> StationaryBoutFilter:
        """Check each bout.

        Parameters
        ----------
        step_length_m
            The measured step lengths of each bout, m (nan: not measured, a pause).
        """
        # each bout's measured steps, one bout after another; their medians at once
        measured = [np.asarray(lengths, dtype=np.float64).ravel() for lengths in step_length_m]
        every = np.concatenate([np.zeros(0), *measured])
        finite = np.isfinite(every)
        before = np.zeros(every.size + 1, dtype=np.int64)  # finite steps before each
        finite.cumsum(out=before[1:])
        bounds = before[np.cumsum([0, *(m.size for m in measured)])]
        self.median_step_m_ = segment_medians(every[finite], bounds[:-1], bounds[1:])
        self.keep_ = np.ones(len(measured), dtype=bool)
        if self.min_median_step_m is not None:
            self.keep_ = ~(self.median_step_m_ < self.min_median_step_m)
        return self


class BentTrunkFilter(Algorithm):
    """Trim a bout's ends where the trunk is far from its walking posture.

    Walking keeps the trunk within a few degrees of one posture; bending down,
    sitting down and standing up tilt it by tens of degrees for a second or
    two, the way trunk-tilt posture-transition detection finds them (Najafi
    et al. 2003). The feet still touch down then (a step back before sitting,
    a weight shift while bending, the steps of standing up), and a lower-back
    device feels contacts with the rhythm of steps, but the body is not
    walking. Each contact's trunk posture is the gravity direction of a
    ``posture_window_s`` mean of the acceleration centred on it; the contacts
    before a bout's first and after its last contact within ``max_bend_deg``
    of its walking posture (the median of its contacts' postures) are left
    out of it; a bout left with fewer than ``min_steps`` contacts is no bout.
    The pipeline applies it at the lower back only (a phone in a pocket or in
    the hand tilts with the thigh or the arm), after the direction: the bout
    keeps its call, so the rule can take time out of a bout but never change
    a call.

    The pipeline's gravity direction (a 0.25-Hz low-pass, made for the body
    frame of whole walks) is too slow for this: through the two deep bends of
    mobgap-lab HA_002 Test11 at 145 and 148.5 s it leans 34 and 45 deg from
    the recording's walking posture where the 1-s mean leans 57 deg.

    Measured (``benchmarks/bout_agreement.py``, sections 4 and 5; the
    threshold chosen leave-one-subject-out on mobgap-lab, ipol-gait and
    mocap-backward's pelvis, each person's cost the mobgap-lab seconds outside
    INDIP's walking bouts plus three times the INDIP seconds missed, 1.5 s per
    ipol-gait or mocap step lost): the 1-s posture of walking stays within
    7.8 deg of the bout's posture at 99 % of the contacts inside ipol-gait's
    bouts (5.9 deg mobgap-lab Test5), and every fold chooses 12 deg. Held
    out, mobgap-lab Test11's time outside INDIP's walking goes 79.5 -> 66.5 s
    (HA_001 26.7 -> 21.9, HA_002 30.3 -> 23.1, MS_001 22.5 -> 21.5 s, its
    Test5 included), INDIP time missed and ipol-gait and mocap steps in a bout
    unchanged, and Test11's bout time called forward 75.6 -> 78.1 % (213 ->
    200 s). At 10 deg the ends of real walks begin to go (INDIP time missed
    +5.0 s, a mocap forward step). The walking posture taken over all of a
    recording's bouts (where within 20 deg of the bout's) instead of the
    bout's own trims less (in sample at 12 deg: Test11 78.1 -> 77.0 %).

    Parameters
    ----------
    max_bend_deg
        Largest angle, deg, between a contact's trunk posture and its bout's
        walking posture; ``None``: the rule is off.
    posture_window_s
        Length of the acceleration mean giving each contact's posture, s:
        about two steps, so the walking accelerations average out.
    min_steps
        Fewest contacts of a part kept as a bout (the bout rule's three steps).
    ends_only
        Only the bent contacts at a bout's start and end are left out (the
        bout trimmed). ``False`` leaves out every bent contact and splits the
        bout there: measured, not used. Its folds choose 50 deg (25 without
        HA_001, 60 without HA_002) and lose no ipol-gait or mocap step, but
        held out it does not pay: HA_001 Test11 bends 62 deg at 123-124 s
        inside an INDIP walking bout (INDIP bridges breaks under 3 s), so at
        25 deg its INDIP time missed goes 0.6 -> 2.5 s for 2.0 s less
        outside, and Test11's bout time called forward goes 75.6 -> 75.2 %.
        Split before the direction instead, each part called on its own
        evidence, it is worse (in sample at 30 deg: 75.6 -> 67.0 %; MS_001's
        forward bout at 200 s, split in two, has too few straight steps in
        either part).

    Attributes
    ----------
    bouts_
        The bouts after the trim (or split), :class:`BoutSpan` over the same
        contacts.
    source_
        For each of ``bouts_``, the index of the input bout it is part of.
    bend_deg_
        Per input contact, its angle from its bout's walking posture, deg
        (nan outside every bout).

    References
    ----------
    Najafi B, Aminian K, Paraschiv-Ionescu A, Loew F, Büla CJ, Robert P
    (2003). Ambulatory system for human motion analysis using a kinematic
    sensor: monitoring of daily physical activity in the elderly. IEEE Trans
    Biomed Eng 50:711-723.
    """

    def __init__(
        self,
        *,
        max_bend_deg: float | None = 12.0,
        posture_window_s: float = 1.0,
        min_steps: int = 3,
        ends_only: bool = True,
    ) -> None:
        self.max_bend_deg = max_bend_deg
        self.posture_window_s = posture_window_s
        self.min_steps = min_steps
        self.ends_only = ends_only

    def filter(
        self,
        acc_mps2: np.ndarray,
        ic_samples: np.ndarray,
        bouts: list[BoutSpan],
        sampling_rate_hz: float,
    ) -> BentTrunkFilter:
        """Trim (or split) each bout at its contacts with the trunk far from the walking posture.

        Parameters
        ----------
        acc_mps2
            ``(n, 3)`` acceleration with gravity, device axes (read a bout at a time).
        ic_samples
            Contact sample indices, in time order.
        bouts
            Bouts over these contacts (:class:`BoutDetector`).
        sampling_rate_hz
            Rate of the samples.
        """
        ic = np.asarray(ic_samples, dtype=np.int64)
        self.bend_deg_ = np.full(ic.size, np.nan)
        self.bouts_: list[BoutSpan] = []
        self.source_: list[int] = []
        if self.max_bend_deg is None:
            self.bouts_ = list(bouts)
            self.source_ = list(range(len(bouts)))
            return self
        half = max(round(0.5 * self.posture_window_s * sampling_rate_hz), 1)
        bend_all = _bends(acc_mps2, ic, bouts, half)
        for k, span in enumerate(bouts):
            bend = bend_all[span.first : span.last + 1]
            self.bend_deg_[span.first : span.last + 1] = bend
            ok = bend <= self.max_bend_deg
            if self.ends_only and bool(ok.any()):
                inner = np.flatnonzero(ok)
                ok[inner[0] : inner[-1] + 1] = True
            if bool(ok.all()):
                self.bouts_.append(span)
                self.source_.append(k)
                continue
            # runs of consecutive upright contacts: the parts of the bout
            starts, ends = true_runs(ok)
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
                if e - s >= self.min_steps:
                    first, last = span.first + s, span.first + e - 1
                    self.bouts_.append(BoutSpan(first, last, int(ic[first]), int(ic[last])))
                    self.source_.append(k)
        return self


#: Rows of running sums :func:`_bends` keeps at a time (several bouts' at once; 6 MB).
_BEND_ROWS = 1 << 18


def _bends(acc_mps2: np.ndarray, ic: np.ndarray, bouts: list[BoutSpan], half: int) -> np.ndarray:
    """Per contact of ``bouts``, its angle from its bout's walking posture, deg (nan elsewhere).

    A contact's posture is the mean acceleration of the ``2 half + 1`` samples
    about it (clipped to the bout's samples), from running sums over the bout
    that start at its first sample, made a unit vector; the bout's walking
    posture is the unit vector of their per-axis medians. The running sums
    and the medians are a bout's own; the rest is worked for the contacts of
    all bouts at once (each contact's arithmetic as it is a bout at a time:
    the same divisions, norms and angles, one call each instead of one a
    bout), and each bout's products with its posture are taken from a fresh
    copy of its rows, as they were from its own array.
    """
    n = acc_mps2.shape[0]
    window_sums = np.zeros((ic.size, 3))  # contacts outside every bout: zero, then nan
    counts = np.zeros(ic.size, dtype=np.int64)
    # Each bout's running sums (a leading zero) one after another in one buffer,
    # as many bouts as fit; then the windows of those bouts are looked up together.
    spans = []
    for span in bouts:
        lo = max(int(ic[span.first]) - half, 0)
        hi = min(int(ic[span.last]) + half + 1, n)
        spans.append((span.first, span.last + 1, lo, hi))
    longest = max((hi - lo + 1 for _, _, lo, hi in spans), default=1)
    needed = sum(hi - lo + 1 for _, _, lo, hi in spans)
    total = np.empty((max(min(_BEND_ROWS, needed), longest), 3))
    k = 0
    while k < len(spans):
        k0, used, offsets = k, 0, []
        while k < len(spans) and used + spans[k][3] - spans[k][2] + 1 <= total.shape[0]:
            lo, hi = spans[k][2], spans[k][3]
            part = np.asarray(acc_mps2[lo:hi], dtype=np.float64)
            total[used] = 0.0
            part.cumsum(axis=0, out=total[used + 1 : used + 1 + part.shape[0]])
            release(acc_mps2, lo, hi)  # a long recording's samples: read a bout at a time
            offsets.append(used)
            used += part.shape[0] + 1
            k += 1
        group = spans[k0:k]
        sizes = np.array([last - first for first, last, _, _ in group])
        where = np.concatenate([np.arange(first, last) for first, last, _, _ in group])
        members = ic[where]
        lo_of = np.array([lo for _, _, lo, _ in group]).repeat(sizes)
        length = np.array([hi - lo for _, _, lo, hi in group]).repeat(sizes)
        at = np.array(offsets).repeat(sizes)
        a = np.maximum(members - half - lo_of, 0)
        b = np.minimum(members + half + 1 - lo_of, length)
        window_sums[where] = total[at + b] - total[at + a]
        counts[where] = b - a
    g = window_sums
    g /= np.maximum(counts, 1)[:, None]
    g /= np.maximum(row_norm(g), 1e-12)[:, None]  # np.linalg.norm(g, axis=1)'s numbers
    cosine = np.full(ic.size, np.nan)
    # every bout's column medians at once (median_direction's), then each bout's
    # unit vector of them and its product with its rows as before
    firsts = np.array([span.first for span in bouts], dtype=np.int64)
    stops = np.array([span.last + 1 for span in bouts], dtype=np.int64)
    medians = np.stack([segment_medians(g[:, j], firsts, stops) for j in range(3)], axis=1)
    for span, ref in zip(bouts, medians, strict=True):
        ref = unit_vector(ref)  # median_direction's
        rows = np.array(g[span.first : span.last + 1])  # a bout's own array, as before
        cosine[span.first : span.last + 1] = rows @ ref
    return np.degrees(np.arccos(np.minimum(np.maximum(cosine, -1.0), 1.0)))

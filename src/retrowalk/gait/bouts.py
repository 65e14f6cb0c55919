"""Walking bouts from a sequence of initial contacts.

A bout is continuous walking with at least three steps; a pause shorter than
two seconds stays inside the bout (``shared/docs/analysis-contract.md``). This
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


class BoutDetector:
    """Group initial contacts into walking bouts.

    Parameters
    ----------
    max_pause_s
        Longest time between two consecutive contacts inside one bout (the
        contract: pauses under 2 s do not end a bout).
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
        dt = np.diff(ic) / fs
        link = dt <= self.max_pause_s
        if gap_mask is not None and np.any(gap_mask):
            gaps_before = np.concatenate([[0], np.cumsum(gap_mask)])
            link &= gaps_before[ic[1:]] == gaps_before[ic[:-1] + 1]
        rhythmic = link & (dt >= self.min_step_s) & (dt <= self.max_step_s)
        # A rhythmic step next to a step of very different duration is suspect.
        ratio = np.ones_like(dt)
        ratio[1:] = np.maximum(dt[1:], dt[:-1]) / np.maximum(np.minimum(dt[1:], dt[:-1]), 1e-9)
        for first, last in _runs(link):
            # contacts first..last (inclusive) are linked; require a rhythmic core
            self._emit(ic, first, last, rhythmic, ratio)
        return self

    def _emit(
        self, ic: np.ndarray, first: int, last: int, rhythmic: np.ndarray, ratio: np.ndarray
    ) -> None:
        if last - first + 1 < self.min_steps:
            return
        intervals = np.arange(first, last)
        ok = rhythmic[intervals]
        # a linked run needs at least (min_steps - 1) rhythmic step times in a row,
        # with consistent durations, somewhere inside it
        steady = ok & (ratio[intervals] <= self.max_step_ratio)
        steady[0] = ok[0]  # the first interval has no predecessor to compare with
        if _longest_true_run(steady) < self.min_steps - 1:
            return
        self.bouts_.append(BoutSpan(first, last, int(ic[first]), int(ic[last])))
        self.in_bout_[first : last + 1] = True


def _runs(link: np.ndarray) -> list[tuple[int, int]]:
    """Runs of contacts joined by ``link`` (link[k] joins contact k and k+1)."""
    out = []
    start = 0
    for k in np.flatnonzero(~link):
        out.append((start, int(k)))
        start = int(k) + 1
    out.append((start, link.size))
    return out


def _longest_true_run(mask: np.ndarray) -> int:
    if mask.size == 0 or not mask.any():
        return 0
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return int((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).max())

"""What an analysis finds: bouts, steps and the analysis that holds them.

Data only. The JSON contract that serialises these is
:mod:`retrowalk.summary.contract`; the totals and steadiness derived from them
are :mod:`retrowalk.summary.totals`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from retrowalk.core.recording import Recording
from retrowalk.core.types import Direction, Side

__all__ = ["Analysis", "Bout", "Step"]


@dataclass
class Bout:
    """One period of continuous walking in one direction.

    Attributes
    ----------
    start_s, end_s
        First and last initial contact of the bout, s from the recording start.
    direction, direction_confidence
        The walking direction and how sure the classifier is (0-1).
    n_steps
        Initial contacts in the bout.
    cadence_spm
        Steps per minute of this bout: its step intervals over their summed
        time, pauses inside the bout left out.
    speed_mps, distance_m, step_length_m
        Mean speed, distance and mean step length, where they can be estimated.
    energy_kcal
        Gross energy of the bout (see :mod:`retrowalk.summary.energy`).
    extra
        Further per-bout fields of the contract (e.g. ``"met"``).
    """

    start_s: float
    end_s: float
    direction: Direction | str
    direction_confidence: float
    n_steps: int
    cadence_spm: float
    speed_mps: float | None = None
    distance_m: float | None = None
    step_length_m: float | None = None
    energy_kcal: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class Step:
    """One initial contact (foot strike) of either foot.

    Attributes
    ----------
    time_s
        When the foot struck, s from the recording start.
    bout
        Index of the bout in :attr:`Analysis.bouts`.
    direction
        The bout's walking direction.
    inferred
        True for a contact of the other foot inferred from a single foot sensor.
    side
        ``"left"``, ``"right"`` or ``None`` (not known).
    length_m
        Length of the step that ends at this contact (``None``: first step, pause).
    """

    time_s: float
    bout: int
    direction: Direction | str
    inferred: bool = False
    side: Side = None
    length_m: float | None = None


@dataclass
class Analysis:
    """Everything one analysis found.

    Attributes
    ----------
    recording
        The recording analysed.
    placement, placement_confidence
        The placement used and how sure its detection was (1.0 when given).
    assumptions
        Body measures used, each marked as given or default, and any calibration.
    bouts, steps
        What was found.
    notes
        What was assumed or decided, in plain words.
    sections
        Further top-level blocks of the JSON contract that a source adds (e.g.
        ``"video"``).
    """

    recording: Recording
    placement: str
    placement_confidence: float
    assumptions: dict[str, Any]
    bouts: list[Bout]
    steps: list[Step]
    notes: list[str] = field(default_factory=list)
    sections: dict[str, Any] = field(default_factory=dict)

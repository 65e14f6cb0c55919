"""The canonical in-memory recording every reader produces.

Whatever the file looked like, the rest of retrowalk sees one thing: a uniform
time base starting at zero, acceleration in m/s^2 *including* gravity on three
device axes, optional angular rate in rad/s on the same axes, the sampling rate,
and a record of what was assumed or decided while reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import numpy as np

from retrowalk.core.types import PLACEMENTS, WORN_PLACEMENTS, Placement

__all__ = ["PLACEMENTS", "WORN_PLACEMENTS", "Gap", "Placement", "Recording", "UnitDecision"]


@dataclass(frozen=True)
class UnitDecision:
    """How the unit of one sensor stream was settled.

    Attributes
    ----------
    unit
        ``"g"`` or ``"mps2"`` for acceleration, ``"dps"`` or ``"rads"`` for angular rate.
    decided_by
        ``"file"`` (stated by the format), ``"user"`` (an override) or ``"auto"``
        (inferred from the data).
    evidence
        A short plain-words reason, e.g. ``"median |acc| = 9.79"``.
    """

    unit: str
    decided_by: Literal["file", "user", "auto"]
    evidence: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"unit": self.unit, "decided_by": self.decided_by, "evidence": self.evidence}


@dataclass(frozen=True)
class Gap:
    """A stretch with no samples in the source, longer than the bridging threshold.

    The samples inside were filled by holding the last value so that arrays stay
    uniform; detectors must not report walking across a gap.
    """

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Recording:
    """A uniformly sampled inertial recording in SI units.

    Attributes
    ----------
    acc_mps2
        ``(n, 3)`` float64, acceleration including gravity, device axes.
    gyro_rads
        ``(n, 3)`` float64 angular rate on the same axes, or ``None``.
    sampling_rate_hz
        The uniform rate of the arrays.
    path, format
        Where the data came from and which reader read it.
    start_time
        Wall-clock time of the first sample where the file says it.
    placement
        Where the device was worn, if the file or the user says so (``"auto"`` otherwise);
        one of :data:`~retrowalk.core.types.PLACEMENTS`.
    units
        ``{"acc": UnitDecision, "gyro": UnitDecision}``.
    gaps
        Stretches without source samples (see :class:`Gap`).
    notes
        Other things assumed or repaired while reading, in plain words.
    source_rate_hz
        The (median) rate of the source timestamps before resampling.
    """

    acc_mps2: np.ndarray
    gyro_rads: np.ndarray | None
    sampling_rate_hz: float
    path: str = ""
    format: str = "array"
    start_time: datetime | None = None
    placement: str = Placement.AUTO
    units: dict[str, UnitDecision] = field(default_factory=dict)
    gaps: tuple[Gap, ...] = ()
    notes: tuple[str, ...] = ()
    source_rate_hz: float | None = None

    def __post_init__(self) -> None:
        acc = np.ascontiguousarray(self.acc_mps2, dtype=np.float64)
        if acc.ndim != 2 or acc.shape[1] != 3:
            raise ValueError(f"acc_mps2 must have shape (n, 3), got {acc.shape}")
        object.__setattr__(self, "acc_mps2", acc)
        if self.gyro_rads is not None:
            gyro = np.ascontiguousarray(self.gyro_rads, dtype=np.float64)
            if gyro.shape != acc.shape:
                raise ValueError(f"gyro_rads shape {gyro.shape} differs from acc {acc.shape}")
            object.__setattr__(self, "gyro_rads", gyro)
        if not self.sampling_rate_hz > 0:
            raise ValueError("sampling_rate_hz must be positive")

    @property
    def n_samples(self) -> int:
        return int(self.acc_mps2.shape[0])

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sampling_rate_hz

    @property
    def time_s(self) -> np.ndarray:
        """Seconds from the first sample (uniform)."""
        return np.arange(self.n_samples) / self.sampling_rate_hz

    @property
    def has_gyro(self) -> bool:
        return self.gyro_rads is not None

    def gap_mask(self) -> np.ndarray:
        """Boolean per sample, True inside a gap."""
        mask = np.zeros(self.n_samples, dtype=bool)
        for gap in self.gaps:
            i0 = int(np.floor(gap.start_s * self.sampling_rate_hz))
            i1 = int(np.ceil(gap.end_s * self.sampling_rate_hz))
            mask[max(i0, 0) : max(min(i1, self.n_samples), 0)] = True
        return mask

    def with_(self, **changes: Any) -> Recording:
        """A copy with some attributes replaced."""
        return replace(self, **changes)

    def rotated(self, rotation: np.ndarray) -> Recording:
        """The same recording as seen by a sensor turned by ``rotation`` (3x3).

        Vectors are mapped as ``v' = R @ v`` for every sample.
        """
        rot = np.asarray(rotation, dtype=np.float64)
        gyro = None if self.gyro_rads is None else self.gyro_rads @ rot.T
        return replace(self, acc_mps2=self.acc_mps2 @ rot.T, gyro_rads=gyro)

    def time_reversed(self) -> Recording:
        """The recording played backwards in time.

        ``a(t) -> a(T - t)`` and ``w(t) -> -w(T - t)``: the stand-in for backward
        walking used in the direction benchmark (Grasso et al. 1998,
        J Neurophysiol 80:1868).
        """
        gyro = None if self.gyro_rads is None else -self.gyro_rads[::-1]
        duration = self.duration_s
        gaps = tuple(Gap(duration - g.end_s, duration - g.start_s) for g in reversed(self.gaps))
        return replace(
            self,
            acc_mps2=self.acc_mps2[::-1],
            gyro_rads=gyro,
            gaps=gaps,
            notes=(*self.notes, "time-reversed"),
        )

    def slice_s(self, start_s: float, end_s: float) -> Recording:
        """A copy holding only ``[start_s, end_s)`` (gaps clipped and shifted)."""
        i0 = max(round(start_s * self.sampling_rate_hz), 0)
        i1 = min(round(end_s * self.sampling_rate_hz), self.n_samples)
        t0 = i0 / self.sampling_rate_hz
        t1 = i1 / self.sampling_rate_hz
        gaps = tuple(
            Gap(max(g.start_s, t0) - t0, min(g.end_s, t1) - t0)
            for g in self.gaps
            if g.end_s > t0 and g.start_s < t1
        )
        gyro = None if self.gyro_rads is None else self.gyro_rads[i0:i1]
        return replace(self, acc_mps2=self.acc_mps2[i0:i1], gyro_rads=gyro, gaps=gaps)

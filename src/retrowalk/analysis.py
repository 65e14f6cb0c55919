"""The analysis pipeline: one Recording in, one Analysis out.

``read -> standardise -> detect -> measure -> summarise``. The result maps
one-to-one onto the JSON contract of ``retrowalk analyze``
(``shared/docs/analysis-contract.md``); ``Analysis.to_dict`` is that JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from retrowalk import __version__
from retrowalk.recording import Recording

SCHEMA_VERSION = 1

Direction = Literal["forward", "backward", "uncertain"]

# Defaults used when the person does not say. Stated in the JSON under
# "assumptions", never silently applied.
# Adult height/weight: roughly the mean of adults worldwide (NCD-RisC 2016,
# eLife 5:e13410 for height; Walpole et al. 2012, BMC Public Health 12:439 for
# body mass), rounded.
DEFAULT_HEIGHT_M = 1.70
DEFAULT_WEIGHT_KG = 70.0


@dataclass(frozen=True)
class AnalysisOptions:
    """What the user told us about the recording and the person."""

    placement: str = "auto"
    height_m: float | None = None
    weight_kg: float | None = None
    age_years: float | None = None


@dataclass
class Bout:
    """One period of continuous walking in one direction."""

    start_s: float
    end_s: float
    direction: Direction
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

    def to_dict(self) -> dict[str, Any]:
        out = {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "direction": self.direction,
            "direction_confidence": round(float(self.direction_confidence), 3),
            "n_steps": int(self.n_steps),
            "cadence_spm": round(float(self.cadence_spm), 2),
            "speed_mps": _round_or_none(self.speed_mps, 3),
            "distance_m": _round_or_none(self.distance_m, 2),
            "step_length_m": _round_or_none(self.step_length_m, 3),
            "energy_kcal": _round_or_none(self.energy_kcal, 2),
        }
        out.update(self.extra)
        return out


@dataclass
class Step:
    """One initial contact (foot strike) of either foot."""

    time_s: float
    bout: int
    direction: Direction
    inferred: bool = False
    side: Literal["left", "right"] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "time_s": round(self.time_s, 3),
            "bout": self.bout,
            "direction": self.direction,
        }
        if self.inferred:
            out["inferred"] = True
        if self.side is not None:
            out["side"] = self.side
        return out


@dataclass
class Analysis:
    """Everything one analysis found, ready for the JSON contract."""

    recording: Recording
    placement: str
    placement_confidence: float
    assumptions: dict[str, Any]
    bouts: list[Bout]
    steps: list[Step]
    notes: list[str] = field(default_factory=list)

    def direction_totals(self, direction: Direction) -> dict[str, float | int]:
        chosen = [b for b in self.bouts if b.direction == direction]
        return {
            "steps": int(sum(b.n_steps for b in chosen)),
            "duration_s": round(sum(b.duration_s for b in chosen), 2),
            "distance_m": round(sum(b.distance_m or 0.0 for b in chosen), 2),
        }

    @property
    def energy_kcal(self) -> float:
        return round(sum(b.energy_kcal or 0.0 for b in self.bouts), 2)

    def to_dict(self) -> dict[str, Any]:
        rec = self.recording
        return {
            "schema_version": SCHEMA_VERSION,
            "analysis_version": __version__,
            "recording": {
                "path": rec.path,
                "format": rec.format,
                "n_samples": rec.n_samples,
                "sampling_rate_hz": float(rec.sampling_rate_hz),
                "duration_s": round(rec.duration_s, 3),
                "placement": self.placement,
                "placement_confidence": round(self.placement_confidence, 3),
                "units": {name: unit.to_dict() for name, unit in rec.units.items()},
                "has_gyro": rec.has_gyro,
                "start_time": rec.start_time.isoformat() if rec.start_time else None,
                "gaps": [
                    {"start_s": round(g.start_s, 3), "end_s": round(g.end_s, 3)} for g in rec.gaps
                ],
                "notes": list(rec.notes),
            },
            "assumptions": self.assumptions,
            "bouts": [b.to_dict() for b in self.bouts],
            "steps": [s.to_dict() for s in self.steps],
            "summary": {
                "forward": self.direction_totals("forward"),
                "backward": self.direction_totals("backward"),
                "uncertain": self.direction_totals("uncertain"),
                "energy_kcal": self.energy_kcal,
            },
            "notes": self.notes,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)


def _round_or_none(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def resolve_assumptions(options: AnalysisOptions) -> dict[str, Any]:
    """Body measures to use, each marked as given or assumed."""
    return {
        "height_m": options.height_m if options.height_m is not None else DEFAULT_HEIGHT_M,
        "height_source": "given" if options.height_m is not None else "default",
        "weight_kg": options.weight_kg if options.weight_kg is not None else DEFAULT_WEIGHT_KG,
        "weight_source": "given" if options.weight_kg is not None else "default",
        "age_years": options.age_years,
    }


def analyze(recording: Recording, options: AnalysisOptions | None = None) -> Analysis:
    """Run the whole pipeline on one recording."""
    options = options or AnalysisOptions()
    assumptions = resolve_assumptions(options)
    placement = options.placement if options.placement != "auto" else recording.placement
    return Analysis(
        recording=recording,
        placement=placement,
        placement_confidence=1.0 if placement != "auto" else 0.0,
        assumptions=assumptions,
        bouts=[],
        steps=[],
    )

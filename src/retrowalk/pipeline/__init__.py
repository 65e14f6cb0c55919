"""The analysis pipeline: one Recording in, one Analysis out.

``analyze(recording, options)`` picks the pipeline for the recording (see
:mod:`retrowalk.pipeline.registry`): the trunk path
(:class:`~retrowalk.pipeline.trunk.TrunkPipeline`) for lower back and pocket,
the foot path (:class:`~retrowalk.pipeline.foot.FootPipeline`) for a foot,
and the pipeline a source registered for its own format (video). Then the
energy of each bout is filled in. The result serialises to the JSON contract
with :func:`retrowalk.summary.contract.to_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from retrowalk.core.recording import Recording
from retrowalk.core.results import Analysis
from retrowalk.core.types import Placement
from retrowalk.gait.placement import resolve_placement, stated_placement_conflict
from retrowalk.pipeline.options import (
    DEFAULT_HEIGHT_M,
    DEFAULT_WEIGHT_KG,
    AnalysisOptions,
    resolve_assumptions,
)
from retrowalk.pipeline.registry import (
    KIND_OF_PLACEMENT,
    Pipeline,
    PlacementDecision,
    kind_of_format,
    register_pipeline,
    register_pipeline_maker,
    registered_pipeline,
)
from retrowalk.pipeline.trunk import TrunkPipeline
from retrowalk.summary.energy import fill_bout_energy

if TYPE_CHECKING:
    from retrowalk.pipeline.foot import FootPipeline

__all__ = [
    "DEFAULT_HEIGHT_M",
    "DEFAULT_WEIGHT_KG",
    "AnalysisOptions",
    "FootPipeline",
    "Pipeline",
    "PlacementDecision",
    "TrunkPipeline",
    "analyze",
    "register_pipeline",
    "resolve_assumptions",
]


def _foot_pipeline() -> Pipeline:
    # start-up time: the foot path (and pandas, for its stride table) loads
    # only when a foot recording is analysed
    from retrowalk.pipeline.foot import FootPipeline

    return FootPipeline()


def __getattr__(name: str) -> Any:
    if name == "FootPipeline":  # imported on first use, as its pipeline is
        from retrowalk.pipeline.foot import FootPipeline

        return FootPipeline
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


register_pipeline("trunk", TrunkPipeline())
register_pipeline_maker("foot", _foot_pipeline)


def analyze(
    recording: Recording,
    options: AnalysisOptions | None = None,
    *,
    pipelines: Mapping[str, Pipeline] | None = None,
) -> Analysis:
    """Run the whole pipeline on one recording.

    Parameters
    ----------
    recording
        The recording (from :func:`retrowalk.io.read_recording`).
    options
        What the user said; defaults are used and stated where it says nothing.
    pipelines
        Pipelines to use instead of the registered ones, by kind (``"trunk"``,
        ``"foot"``, ``"video"``), e.g. ``{"trunk": TrunkPipeline(step_length=...)}``.

    Returns
    -------
    Analysis
        Bouts, steps, notes and assumptions, with the energy of each bout.
    """
    options = options or AnalysisOptions()
    kind = kind_of_format(recording.format)
    if kind is None:
        placement, confidence, notes = resolve_placement(recording, options.placement)
        # start-up time: the readers' package loads with the first analysis, not on import
        from retrowalk.io.units import gravity_off_scale, gyro_off_scale

        fs = recording.sampling_rate_hz
        veto = gravity_off_scale(recording.acc_mps2, fs)
        if not veto and recording.gyro_rads is not None:
            veto = gyro_off_scale(recording.acc_mps2, recording.gyro_rads, fs)
        if not veto and (
            options.placement != Placement.AUTO or recording.placement != Placement.AUTO
        ):
            # a stated placement: the signal may contradict it (a detected one agrees)
            veto = stated_placement_conflict(recording, placement)
        if veto:
            notes = [*notes, veto]
        decision = PlacementDecision(placement, confidence, notes, veto)
        kind = KIND_OF_PLACEMENT.get(placement, "trunk")
    else:
        decision = PlacementDecision(recording.placement)
    chosen = pipelines[kind] if pipelines and kind in pipelines else registered_pipeline(kind)
    result = chosen.clone().analyze(recording, options, decision).analysis_
    fill_bout_energy(result.bouts, float(result.assumptions["weight_kg"]))
    return result

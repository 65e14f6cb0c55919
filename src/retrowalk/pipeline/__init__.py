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


#: How a unit that may be wrong was settled: given by the person, or stated by the file.
_STATED_UNITS = ("user", "file")


def _direction_veto(recording: Recording, options: AnalysisOptions, placement: str) -> str:
    """Why no walking direction may be told from ``recording`` at ``placement``, or "".

    What a person or a file stated and the signal plainly contradicts: an
    acceleration or angular-rate unit given by the person or stated by the file
    (:func:`~retrowalk.io.units.gravity_off_scale`,
    :func:`~retrowalk.io.units.gyro_off_scale`; a unit read from the data
    fits it by construction), and a placement the person gave in the options
    (:func:`~retrowalk.gait.placement.stated_placement_conflict`: the command
    line, the web form, a batch manifest). A placement the recording carries
    itself (a device's own metadata, or a caller's :class:`Recording`) is taken
    as given, and the check's cost, about 30 ms of CPU per hour of data, is
    saved there; a detected placement agrees with the signal by construction.
    """
    # start-up time: the readers' package loads with the first analysis, not on import
    from retrowalk.io.units import gravity_off_scale, gyro_off_scale

    fs = recording.sampling_rate_hz
    acc, gyro = recording.units.get("acc"), recording.units.get("gyro")
    if acc is not None and acc.decided_by in _STATED_UNITS:
        veto = gravity_off_scale(recording.acc_mps2, fs)
        if veto:
            return veto
    if recording.gyro_rads is not None and gyro is not None and gyro.decided_by in _STATED_UNITS:
        veto = gyro_off_scale(recording.acc_mps2, recording.gyro_rads, fs)
        if veto:
            return veto
    if options.placement != Placement.AUTO:
        return stated_placement_conflict(recording, placement)
    return ""


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
        veto = _direction_veto(recording, options, placement)
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

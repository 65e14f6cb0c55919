"""Which pipeline analyses which recording.

Sensor recordings go by their placement (given or detected): lower back and
pocket take the trunk pipeline, a foot the foot pipeline. A source that
carries its own pipeline (video) registers it under its format when it is
imported; nothing in the pipeline package imports such a source. A pipeline
registered with a maker (:func:`register_pipeline_maker`: the foot path, video)
is made, and its modules imported, when a recording first needs it, so that
analysing a lower-back file does not load them (start-up time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, Self

from retrowalk.core.types import Placement

if TYPE_CHECKING:  # only for annotations: options imports nothing from here at run time
    from retrowalk.core.recording import Recording
    from retrowalk.core.results import Analysis
    from retrowalk.pipeline.options import AnalysisOptions

__all__ = [
    "KIND_OF_PLACEMENT",
    "Pipeline",
    "PlacementDecision",
    "kind_of_format",
    "register_pipeline",
    "register_pipeline_maker",
    "registered_pipeline",
    "registered_pipelines",
]


@dataclass(frozen=True)
class PlacementDecision:
    """The placement an analysis uses, how sure it is, and what was noted.

    ``direction_veto``: why no walking direction may be told with this
    placement's method, a stated placement the signal plainly contradicts
    (:func:`~retrowalk.gait.placement.stated_placement_conflict`), or "".
    """

    placement: str
    confidence: float = 1.0
    notes: list[str] = field(default_factory=list)
    direction_veto: str = ""


class Pipeline(Protocol):
    """One way from a recording to an :class:`~retrowalk.core.results.Analysis`."""

    analysis_: Analysis

    def analyze(
        self, recording: Recording, options: AnalysisOptions, placement: PlacementDecision
    ) -> Self: ...

    def clone(self) -> Self: ...


#: The pipeline kind of each worn placement.
KIND_OF_PLACEMENT: dict[str, str] = {
    Placement.LOWER_BACK: "trunk",
    Placement.POCKET: "trunk",
    Placement.FOOT: "foot",
}

_PIPELINES: dict[str, Pipeline] = {}
_MAKERS: dict[str, Callable[[], Pipeline]] = {}
_KIND_OF_FORMAT: dict[str, str] = {}


def register_pipeline(kind: str, pipeline: Pipeline, *, formats: tuple[str, ...] = ()) -> None:
    """Make ``pipeline`` the default of ``kind``; recordings of ``formats`` go to it directly.

    Parameters
    ----------
    kind
        ``"trunk"``, ``"foot"``, or a source's own kind (``"video"``).
    pipeline
        The pipeline instance; it is cloned for every analysis.
    formats
        ``Recording.format`` values whose recordings skip placement detection
        and go to this pipeline.
    """
    _MAKERS.pop(kind, None)
    _PIPELINES[kind] = pipeline
    for fmt in formats:
        _KIND_OF_FORMAT[fmt] = kind


def register_pipeline_maker(
    kind: str, make: Callable[[], Pipeline], *, formats: tuple[str, ...] = ()
) -> None:
    """:func:`register_pipeline` of the pipeline ``make()`` gives, made when first needed.

    ``make`` imports the pipeline's module inside it: what that module loads
    (pandas for the foot path, the video stack) loads only when a recording
    of ``kind`` is analysed.
    """
    _PIPELINES.pop(kind, None)
    _MAKERS[kind] = make
    for fmt in formats:
        _KIND_OF_FORMAT[fmt] = kind


def unregister_pipeline(kind: str) -> None:
    """Remove the pipeline of ``kind`` and the formats sent to it."""
    _PIPELINES.pop(kind, None)
    _MAKERS.pop(kind, None)
    for fmt in [f for f, k in _KIND_OF_FORMAT.items() if k == kind]:
        del _KIND_OF_FORMAT[fmt]


def registered_pipeline(kind: str) -> Pipeline:
    """The pipeline registered for ``kind``, made now if its maker was registered.

    Raises
    ------
    KeyError
        When no pipeline of ``kind`` is registered.
    """
    if kind not in _PIPELINES and kind in _MAKERS:
        _PIPELINES[kind] = _MAKERS.pop(kind)()
    return _PIPELINES[kind]


def registered_pipelines() -> dict[str, Pipeline]:
    """The registered pipelines by kind (a copy; those of a maker are made now)."""
    for kind in list(_MAKERS):
        registered_pipeline(kind)
    return dict(_PIPELINES)


def kind_of_format(fmt: str) -> str | None:
    """The kind of pipeline registered for recordings of format ``fmt``, if any."""
    return _KIND_OF_FORMAT.get(fmt)

"""Gait detection and measurement from one body-worn sensor.

- :mod:`retrowalk.gait.contacts`: initial contacts from a trunk/thigh sensor
  (:class:`~retrowalk.gait.contacts.TrunkContactDetector`), the soft closing
  contact of a stop, and left/right labels.
- :mod:`retrowalk.gait.bouts`: walking bouts from contacts.
- :mod:`retrowalk.gait.spatial`: step length (inverted pendulum), speed, distance.
- :mod:`retrowalk.gait.placement`: lower back / pocket / foot detection.
- :mod:`retrowalk.gait.foot`: the single-foot-sensor path.
- :mod:`retrowalk.gait.direction`: forward / backward walking.

:func:`retrowalk.pipeline.analyze` puts them together.
"""

from retrowalk.gait.bouts import BoutDetector, BoutSpan
from retrowalk.gait.contacts import (
    ClosingContactDetector,
    LateralityEstimator,
    TrunkContactDetector,
)
from retrowalk.gait.placement import PlacementDetector, resolve_placement
from retrowalk.gait.spatial import ZijlstraStepLength

__all__ = [
    "BoutDetector",
    "BoutSpan",
    "ClosingContactDetector",
    "LateralityEstimator",
    "PlacementDetector",
    "TrunkContactDetector",
    "ZijlstraStepLength",
    "resolve_placement",
]

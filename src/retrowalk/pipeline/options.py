"""What the user told us about a recording and the person, and the defaults used otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from retrowalk.core.errors import AnalysisError
from retrowalk.core.types import Placement
from retrowalk.gait.calibration import DirectionProfile
from retrowalk.summary.labels import HandLabel

__all__ = [
    "DEFAULT_HEIGHT_M",
    "DEFAULT_WEIGHT_KG",
    "FOOT_NEEDS_NO_PROFILE",
    "NO_STEPS_FOR_PROFILE",
    "NO_WALKING_FOR_PROFILE",
    "AnalysisOptions",
    "note_profile_use",
    "resolve_assumptions",
    "resolve_direction_profile",
]

# Defaults used when the person does not say. Stated in the JSON under
# "assumptions", never silently applied.
# Adult height/weight: roughly the mean of adults worldwide (NCD-RisC 2016,
# eLife 5:e13410 for height; Walpole et al. 2012, BMC Public Health 12:439 for
# body mass), rounded.
DEFAULT_HEIGHT_M = 1.70
DEFAULT_WEIGHT_KG = 70.0


@dataclass(frozen=True)
class AnalysisOptions:
    """What the user told us about the recording and the person.

    Attributes
    ----------
    placement
        Where the sensor was worn; ``"auto"`` detects it.
    height_m, weight_kg, age_years
        Body measures; defaults are used (and said so) where missing.
    direction_profile
        Walking-direction calibration: a ``DirectionProfile``, a mapping
        placement -> ``DirectionProfile`` (stored profiles), or ``None``.
    columns
        Column names of a table without a header line (how the file is read
        again, e.g. by the web worker), or ``None``.
    hand_labels
        Bouts whose direction the user set by hand, applied after the
        pipeline (:func:`retrowalk.summary.labels.apply_hand_labels`).
    """

    placement: str = Placement.AUTO
    height_m: float | None = None
    weight_kg: float | None = None
    age_years: float | None = None
    direction_profile: DirectionProfile | Mapping[str, DirectionProfile] | None = None
    columns: str | None = None
    hand_labels: tuple[HandLabel, ...] = ()


def resolve_assumptions(options: AnalysisOptions) -> dict[str, Any]:
    """Body measures to use, each marked as given or assumed."""
    return {
        "height_m": options.height_m if options.height_m is not None else DEFAULT_HEIGHT_M,
        "height_source": "given" if options.height_m is not None else "default",
        "weight_kg": options.weight_kg if options.weight_kg is not None else DEFAULT_WEIGHT_KG,
        "weight_source": "given" if options.weight_kg is not None else "default",
        "age_years": options.age_years,
    }


def resolve_direction_profile(
    requested: object, placement: str, assumptions: dict[str, Any]
) -> DirectionProfile | None:
    """Pick the direction profile for ``placement``; record what was used in ``assumptions``.

    ``requested`` is a ``DirectionProfile`` (always used; a wrong placement is
    noted), a mapping placement -> profile (the stored profiles the application
    found; the one of the detected placement is used) or None. A profile is
    applied only to stretches of the recording worn like the calibration (see
    :mod:`retrowalk.gait.calibration`). A profile whose walk left bouts out
    (worn differently) names them under ``left_out``.
    """
    if isinstance(requested, Mapping):
        requested = requested.get(placement)
    if requested is None:
        return None
    if not isinstance(requested, DirectionProfile):
        raise AnalysisError(
            f"direction profile must be a DirectionProfile, not {type(requested).__name__}"
        )
    profile = requested
    info: dict[str, Any] = {
        "source": profile.origin or "given",
        "placement": profile.placement,
        "created_at": profile.created_at,
    }
    if profile.placement not in (placement, Placement.AUTO):
        info["warning"] = f"profile made for {profile.placement}, recording is {placement}"
    if profile.left_out:
        # Bouts of the calibration walk worn differently, not used in the fit.
        info["left_out"] = profile.left_out_notes()
    assumptions["direction_profile"] = info
    return profile


#: ``not_used_reason`` of a calibration offered to an analysis that found no walking.
NO_WALKING_FOR_PROFILE = "no walking was found to apply it to"

#: ``not_used_reason`` of a calibration whose mounting matched but no straight step could use it.
NO_STEPS_FOR_PROFILE = "no straight walking step (device in place, not turning) to apply it to"

#: ``not_used_reason`` of a calibration offered to a foot sensor's analysis.
FOOT_NEEDS_NO_PROFILE = (
    "a foot sensor's strides carry their own direction (travel against the toe), "
    "so a calibration is not used there"
)


def note_profile_use(info: dict[str, Any], used: bool, reason: str) -> None:
    """Mark a calibration's entry in ``assumptions`` used or not, and why not.

    ``info`` is ``assumptions["direction_profile"]`` (:func:`resolve_direction_profile`);
    a calibration is used when it decided the direction of at least one bout.
    """
    info["used"] = used
    if used:
        info.pop("not_used_reason", None)
    else:
        info["not_used_reason"] = reason

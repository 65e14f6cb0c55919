"""Energy expenditure of forward and backward walking.

The model
---------
Oxygen uptake (VO2, ml O2 per kg per min) from walking speed ``v`` (m/min) and
grade ``g`` (rise over run, 0.05 = 5 %):

forward (ACSM walking equation, ACSM's Guidelines for Exercise Testing and
Prescription, metabolic calculations)::

    VO2 = 3.5 + 0.1 * v + 1.8 * v * g

backward (no published equation exists; this is retrowalk's own fit, same form)::

    VO2 = 3.5 + a * v + b * v * g
    a = (6.0 - 1) * 3.5 / 93.88            = 0.1864 ml/kg/m
    b = (8.0 - 6.0) * 3.5 / (93.88 * 0.05) = 1.491  ml/kg/m per unit grade

``a`` and ``b`` are chosen so that the model meets both Compendium of Physical
Activities 2011 values for backward walking (Ainsworth et al., Med Sci Sports
Exerc 43:1575): code 17320, walking backwards 3.5 mph (93.88 m/min) level,
6.0 MET; code 17325, backwards 3.5 mph at 5 % grade, 8.0 MET.

METs are ``VO2 / 3.5`` (1 MET = 3.5 ml O2/kg/min) and energy is
``kcal = MET * body mass (kg) * duration (h)`` (1 MET ~ 1 kcal/kg/h), the
Compendium's convention.

What the model implies, and checks against other sources
---------------------------------------------------------
- Backward/forward ratio at 93.88 m/min: 1.63 level and 1.31 at 5 % grade
  (the ratios the Compendium implies against the ACSM equation), 1.24 at 7.5 %
  and 1.18 at 10 % -- in line with Hooper et al. 2004 (J Orthop Sports Phys Ther
  34:65), who found %VO2max 17-20 % higher backwards than forwards on 5-10 %
  grades. Flynn et al. 1994 (Med Sci Sports Exerc 26:89) and Chaloupka et al.
  1997 (J Orthop Sports Phys Ther 25:302, 93.8 m/min at 0 and 5 %) also found a
  higher VO2 backwards at the same speed.
- The ratio depends on speed: both equations start from rest (3.5) at zero speed
  and backward walking's speed term is 1.86 times forward walking's. At the slow
  speeds people actually walk backwards (0.3-1.0 m/s) the model gives
  2.0-4.2 MET level (1.3-1.55 times forward), always above rest, above forward
  walking at the same speed and rising with speed.
- The grade term backwards (1.49) is smaller than forwards (1.8): the
  Compendium's 5 % value implies it, and so do Hooper et al.'s smaller
  backward/forward differences on steeper grades.
- The Compendium's own forward value at 3.5 mph (code 17200, 4.3 MET) is higher
  than the ACSM equation's 3.68 MET; retrowalk uses the ACSM equation forwards
  because it covers all speeds and grades. Against 17200 the backward model is
  1.40 times forward at 3.5 mph level.

Limits (stated in reports)
--------------------------
- The backward model is anchored at one speed (93.88 m/min); below it, it is a
  straight line down to rest. A study of backward walking between 0.89 and
  1.79 m/s (J Orthop Sports Phys Ther 1995, 21:132) found VO2 rising
  curvilinearly with speed, so the straight line is a simplification. The ACSM
  equation is validated for 50-100 m/min; speeds outside that range are flagged
  as extrapolated.
- Downhill (negative grade) is not modelled: it is treated as level.
- Bouts whose direction is ``"uncertain"`` use the forward model, the lower of
  the two estimates, so energy is never overstated.
- A bout without a speed estimate has no energy estimate (``None``); no number is
  made up.

Gross versus net
----------------
``energy_kcal`` (per bout and in the JSON) is **gross**: it includes the
1 MET the body uses at rest, as Compendium MET values do. Net energy (above
rest) is ``(MET - 1) * kg * h`` and is reported beside it in the session
summary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from retrowalk.core.energy_sources import (
    ACSM_VALID_SPEED_M_MIN,
    COMPENDIUM_BACKWARD_GRADE,
    COMPENDIUM_BACKWARD_GRADE_MET,
    COMPENDIUM_BACKWARD_LEVEL_MET,
    COMPENDIUM_SPEED_M_MIN,
    REST_VO2_ML_KG_MIN,
    walking_vo2_ml_kg_min,
)
from retrowalk.core.results import Bout
from retrowalk.core.types import Direction

# The published numbers (Compendium 2011 MET values, the ACSM walking equation) are
# written once, in ``retrowalk.core.energy_sources``, where the Learn entries that state
# them read them too; they are named here as before.
#: Backward horizontal coefficient, ml O2/kg per metre, fitted to code 17320.
BACKWARD_HORIZONTAL = (
    (COMPENDIUM_BACKWARD_LEVEL_MET - 1.0) * REST_VO2_ML_KG_MIN / COMPENDIUM_SPEED_M_MIN
)
#: Backward vertical coefficient, ml O2/kg per metre per unit grade, fitted to code 17325.
BACKWARD_VERTICAL = (
    (COMPENDIUM_BACKWARD_GRADE_MET - COMPENDIUM_BACKWARD_LEVEL_MET)
    * REST_VO2_ML_KG_MIN
    / (COMPENDIUM_SPEED_M_MIN * COMPENDIUM_BACKWARD_GRADE)
)

#: A short name of the model, written into JSON and reports.
MODEL_NAME = "retrowalk-energy-1: ACSM walking equation forwards; Compendium-2011 fit backwards"

#: Plain-words statement of the model for reports.
MODEL_SUMMARY = (
    "Forward walking: ACSM walking equation, VO2 = 3.5 + 0.1 v + 1.8 v grade "
    "(ml O2/kg/min, v in m/min). Backward walking: no published equation exists; "
    f"retrowalk uses VO2 = 3.5 + {BACKWARD_HORIZONTAL:.4f} v + {BACKWARD_VERTICAL:.3f} v grade, "
    "fitted so that it meets the Compendium of Physical Activities 2011 values for "
    "walking backwards at 3.5 mph: "
    f"{COMPENDIUM_BACKWARD_LEVEL_MET:.1f} MET level (code 17320) and "
    f"{COMPENDIUM_BACKWARD_GRADE_MET:.1f} MET at {COMPENDIUM_BACKWARD_GRADE * 100:g} % grade "
    "(code 17325) (Ainsworth et al. 2011, Med Sci Sports Exerc 43:1575). "
    "MET = VO2 / 3.5; kcal = MET x body mass (kg) x hours. Energy is gross "
    "(includes the 1 MET used at rest); net = gross minus rest. Grade is taken as 0 "
    "(level) unless known; downhill is treated as level. Bouts with an uncertain "
    "direction use the forward equation (the lower estimate). The backward model is "
    "anchored at one speed (3.5 mph) and is a straight line down to rest below it, "
    "so values at slow backward speeds are estimates, not measurements."
)

#: Kept for callers that name the type; the labels are :class:`Direction`.
EnergyDirection = Direction


@dataclass(frozen=True)
class EnergyEstimate:
    """The energy cost of one stretch of walking.

    Attributes
    ----------
    vo2_ml_kg_min
        Oxygen uptake, ml O2 per kg body mass per minute (gross).
    met
        Metabolic equivalents, ``vo2_ml_kg_min / 3.5`` (gross).
    kcal
        Gross energy, ``met * weight_kg * duration_h``.
    net_kcal
        Energy above rest, ``(met - 1) * weight_kg * duration_h``.
    model_direction
        Which equation was used: ``"forward"`` or ``"backward"``; ``"uncertain"``
        bouts use ``"forward"``.
    extrapolated
        True when the speed lies outside 50-100 m/min (the ACSM equation's
        validated range) or a negative grade was treated as level.
    """

    vo2_ml_kg_min: float
    met: float
    kcal: float
    net_kcal: float
    model_direction: Literal["forward", "backward"]
    extrapolated: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "vo2_ml_kg_min": round(self.vo2_ml_kg_min, 2),
            "met": round(self.met, 2),
            "kcal": round(self.kcal, 2),
            "net_kcal": round(self.net_kcal, 2),
            "model_direction": self.model_direction,
            "extrapolated": self.extrapolated,
        }


def _model_direction(direction: str) -> Literal["forward", "backward"]:
    if direction == Direction.BACKWARD:
        return "backward"
    if direction in (Direction.FORWARD, Direction.UNCERTAIN):
        return "forward"
    raise ValueError(f"direction must be forward, backward or uncertain, got {direction!r}")


def vo2_ml_kg_min(speed_mps: float, direction: str, grade: float = 0.0) -> float:
    """Gross oxygen uptake of walking at a steady speed.

    Parameters
    ----------
    speed_mps
        Walking speed, m/s (>= 0).
    direction
        ``"forward"``, ``"backward"`` or ``"uncertain"`` (uses the forward equation).
    grade
        Rise over run (0.05 = 5 % uphill). Negative grades are treated as level.

    Returns
    -------
    float
        VO2 in ml O2/kg/min, including the 3.5 ml/kg/min of rest.

    Notes
    -----
    Forward: ACSM walking equation ``3.5 + 0.1 v + 1.8 v g`` (v in m/min).
    Backward: ``3.5 + a v + b v g`` with ``a`` and ``b`` fitted to Compendium 2011
    codes 17320 and 17325 (Ainsworth et al. 2011, Med Sci Sports Exerc 43:1575);
    see the module docstring.
    """
    if not math.isfinite(speed_mps) or speed_mps < 0:
        raise ValueError(f"speed_mps must be a finite number >= 0, got {speed_mps!r}")
    if not math.isfinite(grade):
        raise ValueError(f"grade must be finite, got {grade!r}")
    v = speed_mps * 60.0
    g = max(grade, 0.0)
    if _model_direction(direction) == "backward":
        return walking_vo2_ml_kg_min(v, g, BACKWARD_HORIZONTAL, BACKWARD_VERTICAL)
    return walking_vo2_ml_kg_min(v, g)


def met(speed_mps: float, direction: str, grade: float = 0.0) -> float:
    """Gross metabolic equivalents (MET) of walking; ``vo2_ml_kg_min / 3.5``.

    Parameters are those of :func:`vo2_ml_kg_min`.
    """
    return vo2_ml_kg_min(speed_mps, direction, grade) / REST_VO2_ML_KG_MIN


def estimate(
    speed_mps: float | None,
    duration_s: float,
    weight_kg: float,
    direction: str,
    grade: float = 0.0,
) -> EnergyEstimate | None:
    """Energy of one stretch of walking at a steady speed.

    Parameters
    ----------
    speed_mps
        Mean walking speed, m/s; ``None`` (unknown) gives ``None``.
    duration_s
        Walking time, s (>= 0).
    weight_kg
        Body mass, kg (> 0).
    direction
        ``"forward"``, ``"backward"`` or ``"uncertain"`` (forward equation).
    grade
        Rise over run; 0 unless known. Negative grades are treated as level.

    Returns
    -------
    EnergyEstimate or None
        ``None`` when the speed is unknown or not finite.

    Notes
    -----
    ``kcal = MET * weight_kg * duration_h`` (Ainsworth et al. 2011, Med Sci Sports
    Exerc 43:1575).
    """
    if speed_mps is None or not math.isfinite(speed_mps):
        return None
    if not math.isfinite(duration_s) or duration_s < 0:
        raise ValueError(f"duration_s must be a finite number >= 0, got {duration_s!r}")
    if not math.isfinite(weight_kg) or weight_kg <= 0:
        raise ValueError(f"weight_kg must be a finite number > 0, got {weight_kg!r}")
    vo2 = vo2_ml_kg_min(speed_mps, direction, grade)
    mets = vo2 / REST_VO2_ML_KG_MIN
    hours = duration_s / 3600.0
    lo, hi = ACSM_VALID_SPEED_M_MIN
    extrapolated = not (lo <= speed_mps * 60.0 <= hi) or grade < 0
    return EnergyEstimate(
        vo2_ml_kg_min=vo2,
        met=mets,
        kcal=mets * weight_kg * hours,
        net_kcal=(mets - 1.0) * weight_kg * hours,
        model_direction=_model_direction(direction),
        extrapolated=extrapolated,
    )


def bout_energy_kcal(
    speed_mps: float | None,
    duration_s: float,
    weight_kg: float,
    direction: str,
    grade: float = 0.0,
) -> float | None:
    """Gross energy of one walking bout, kcal, or ``None`` when speed is unknown.

    The value for ``Bout.energy_kcal``. Parameters are those of :func:`estimate`.
    """
    result = estimate(speed_mps, duration_s, weight_kg, direction, grade)
    return None if result is None else result.kcal


def fill_bout_energy(bouts: Iterable[Bout], weight_kg: float, grade: float = 0.0) -> None:
    """Set ``energy_kcal`` and ``extra["met"]`` on each bout, in place.

    Parameters
    ----------
    bouts
        Objects with ``speed_mps``, ``duration_s``, ``direction``, ``energy_kcal``
        and an ``extra`` dict (:class:`retrowalk.core.results.Bout`).
    weight_kg
        Body mass, kg.
    grade
        Rise over run for every bout; 0 unless known.

    Notes
    -----
    Bouts without a speed get ``energy_kcal = None`` and ``extra["met"] = None``.
    """
    for bout in bouts:
        result = estimate(bout.speed_mps, bout.duration_s, weight_kg, bout.direction, grade)
        bout.energy_kcal = None if result is None else result.kcal
        bout.extra["met"] = None if result is None else round(result.met, 2)

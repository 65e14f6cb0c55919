"""Published energy numbers: the Compendium of Physical Activities 2011 MET values and
the ACSM walking equation.

The energy model (``retrowalk.summary.energy``) computes with them and the Learn
entries state them (``retrowalk.domain.learn.numbers``), so both read them here, the
one place they are written: a number changed here changes the estimate and every text
that quotes it.
"""

from __future__ import annotations

#: Resting oxygen uptake, ml O2/kg/min: 1 MET (Compendium 2011; ACSM).
REST_VO2_ML_KG_MIN = 3.5

#: ACSM walking equation, horizontal component, ml O2/kg per metre.
ACSM_HORIZONTAL = 0.1
#: ACSM walking equation, vertical component, ml O2/kg per metre per unit grade.
ACSM_VERTICAL = 1.8
#: Speed range (m/min) over which the ACSM walking equation is validated.
ACSM_VALID_SPEED_M_MIN = (50.0, 100.0)

#: 3.5 mph in m/min (1 mile = 1609.344 m): the speed of Compendium codes 17320/17325/17200.
COMPENDIUM_SPEED_M_MIN = 3.5 * 1609.344 / 60.0
#: Compendium 2011, code 17320: walking backwards, 3.5 mph, level.
COMPENDIUM_BACKWARD_LEVEL_MET = 6.0
#: Compendium 2011, code 17325: walking backwards, 3.5 mph, 5 % grade (uphill).
COMPENDIUM_BACKWARD_GRADE_MET = 8.0
#: The grade of code 17325.
COMPENDIUM_BACKWARD_GRADE = 0.05
#: Compendium 2011, code 17200: walking, 3.5 mph, level, brisk (forward).
COMPENDIUM_FORWARD_LEVEL_MET = 4.3


def walking_vo2_ml_kg_min(
    speed_m_min: float,
    grade: float = 0.0,
    horizontal: float = ACSM_HORIZONTAL,
    vertical: float = ACSM_VERTICAL,
) -> float:
    """Gross oxygen uptake of walking, ``3.5 + horizontal v + vertical v grade`` (the
    ACSM walking equation's form; its forward coefficients unless others are given)."""
    return REST_VO2_ML_KG_MIN + horizontal * speed_m_min + vertical * speed_m_min * grade


def acsm_forward_met(speed_m_min: float, grade: float = 0.0) -> float:
    """MET of forward walking by the ACSM walking equation (gross, grade >= 0)."""
    return walking_vo2_ml_kg_min(speed_m_min, grade) / REST_VO2_ML_KG_MIN

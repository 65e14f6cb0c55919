"""Published numbers the Learn entries state, read from the data files the scoring uses.

An entry writes ``{name}`` where it states one of these numbers (no entry uses braces
otherwise); :func:`fill` puts in the value, so a page, the command line and the search
say what the 3MBWT scoring computes with (``data/assess/threembwt.toml``) and what the
children's guidance compares with (``data/kids``: milestone windows, the ages of the
red flags, the corrected-age rule) and what the energy estimate computes with
(``core.energy_sources``: the Compendium MET values, the ACSM walking equation), and a
number changed there changes every Learn text that states it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from retrowalk.core import energy_sources as energy
from retrowalk.domain.assess.norms import table
from retrowalk.domain.kids.age import PRETERM_BEFORE_WEEKS
from retrowalk.domain.kids.milestones import load_milestones, read_data

PLACEHOLDER = re.compile(r"\{([a-z0-9_]*)\}")


def _cutoff(groups: dict[str, Any], group: str, source: str, kind: str) -> float:
    for c in groups[group].get("cutoffs", []):
        if c.get("source") == source and kind in c:
            return float(c[kind])
    raise KeyError(f"{group} {source} {kind}")


@lru_cache(maxsize=1)
def numbers() -> dict[str, str]:
    """Placeholder name -> the value as the Learn texts write it."""
    data = table()
    groups = data["groups"]
    mdcs = [float(g["mdc_s"]) for g in groups.values() if g.get("mdc_s")]
    polo = groups["community"]["reference"]
    return {
        "mbwt_distance_m": f"{float(data['distance_m']):g}",
        "mbwt_low_risk_s": f"{_cutoff(groups, 'community', 'carter2019', 'at_most'):.1f}",
        "mbwt_high_risk_s": f"{_cutoff(groups, 'community', 'carter2019', 'at_least'):.1f}",
        "mbwt_parkinsons_s": f"{_cutoff(groups, 'parkinsons', 'carter2020', 'at_least'):g}",
        "mbwt_fallers_n": f"{int(polo['n'])}",
        "mbwt_fallers_mean_s": f"{float(polo['fallers_mean_s']):g}",
        "mbwt_non_fallers_mean_s": f"{float(polo['non_fallers_mean_s']):g}",
        "mbwt_mdc_range_s": f"{min(mdcs):.1f}-{max(mdcs):.1f}",
        "fallers_speed_mps": f"{float(data['speed']['faller_below_mps']):g}",
        **_energy(),
        **_kids(),
    }


def _energy() -> dict[str, str]:
    """The Compendium values and the ACSM forward equation at the Compendium's speed,
    as the energy estimate computes with them (``core.energy_sources``)."""
    v, grade = energy.COMPENDIUM_SPEED_M_MIN, energy.COMPENDIUM_BACKWARD_GRADE
    back_level, back_grade = (
        energy.COMPENDIUM_BACKWARD_LEVEL_MET,
        energy.COMPENDIUM_BACKWARD_GRADE_MET,
    )
    fwd_level, fwd_grade = energy.acsm_forward_met(v), energy.acsm_forward_met(v, grade)
    return {
        "compendium_speed_m_min": f"{v:.2f}",
        "compendium_grade_pct": f"{grade * 100:g}",
        "met_backward_level": f"{back_level:.1f}",
        "met_backward_grade": f"{back_grade:.1f}",
        "met_backward_level_whole": f"{back_level:g}",
        "met_backward_grade_whole": f"{back_grade:g}",
        "met_forward_brisk": f"{energy.COMPENDIUM_FORWARD_LEVEL_MET:.1f}",
        "met_acsm_forward_level": f"{fwd_level:.1f}",
        "met_acsm_forward_grade": f"{fwd_grade:.1f}",
        "met_ratio_level": f"{back_level / fwd_level:.1f}",
        "met_ratio_grade": f"{back_grade / fwd_grade:.1f}",
    }


def _kids() -> dict[str, str]:
    table = load_milestones()
    flags = {f["id"]: f for f in read_data("flags.toml")["flag"]}

    def window(milestone_id: str) -> tuple[str, str]:
        m = table.get(milestone_id)
        return f"{m.start_months:g}", f"{m.end_months:g}"

    crawl, walk = window("hands-knees-crawling"), window("walking-alone")
    first, steady = window("first-backward-steps"), window("steady-backward-walking")
    return {
        "crawling_from_months": crawl[0],
        "crawling_to_months": crawl[1],
        "walking_from_months": walk[0],
        "walking_to_months": walk[1],
        "first_backward_steps_months": f"{first[0]}-{first[1]}",
        "steady_backward_months": f"{steady[0]}-{steady[1]}",
        "steady_backward_steps": f"{table.get('steady-backward-walking').target_backward_steps}",
        "not_walking_by_months": f"{float(flags['not-walking-by-18-months']['age_months']):g}",
        "preterm_before_weeks": f"{PRETERM_BEFORE_WEEKS}",
    }


def fill(text: str, where: str) -> str:
    """``text`` with each ``{name}`` replaced by its published number.

    Raises
    ------
    KeyError
        Naming ``where`` and the unknown placeholder.
    """
    known = numbers()

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in known:
            raise KeyError(f"{where}: unknown number {{{name}}}")
        return known[name]

    return PLACEHOLDER.sub(value, text)

"""Published numbers the Learn entries state, read from the data files the scoring uses.

An entry writes ``{name}`` where it states one of these numbers (no entry uses braces
otherwise); :func:`fill` puts in the value, so a page, the command line and the search
say what the 3MBWT scoring computes with (``data/assess/threembwt.toml``), and a number
changed there changes every Learn text that states it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from retrowalk.domain.assess.norms import table

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

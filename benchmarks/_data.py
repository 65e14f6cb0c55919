"""The real recordings for the benchmarks: a re-export of ``tests/realdata.py``.

``tests/realdata.py`` is the one module that knows where the shared real
recordings are and how their reference files are laid out; the benchmarks use
the same loaders as the tests (tests never import the benchmarks).

Stable interface: :func:`data_root`, :func:`ipol_dir`, :func:`ipol_trial_ids`,
:func:`load_ipol_trial`, :func:`mobgap_dir`, :func:`mobgap_names`,
:func:`load_mobgap`; and :func:`sum_figures`, the key-wise sum of per-case
figures that the leave-one-person-out tables share.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[1] / "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from realdata import (  # noqa: E402
    IPOL_RATE_HZ,
    MAX_BRIDGED_PACKETS,
    MOBGAP_RATE_HZ,
    data_root,
    ipol_dir,
    ipol_trial_ids,
    load_ipol_trial,
    load_mobgap,
    mobgap_dir,
    mobgap_names,
)

__all__ = [
    "IPOL_RATE_HZ",
    "MAX_BRIDGED_PACKETS",
    "MOBGAP_RATE_HZ",
    "data_root",
    "ipol_dir",
    "ipol_trial_ids",
    "load_ipol_trial",
    "load_mobgap",
    "mobgap_dir",
    "mobgap_names",
]


def sum_figures(figs: list[dict[str, float]]) -> dict[str, float]:
    """Key-wise sum of per-case figure dicts (a key missing from a case counts 0)."""
    total: dict[str, float] = defaultdict(float)
    for f in figs:
        for k, v in f.items():
            total[k] += v
    return total

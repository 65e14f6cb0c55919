"""The real recordings for the benchmarks: a re-export of ``tests/realdata.py``.

``tests/realdata.py`` is the one module that knows where the shared real
recordings are and how their reference files are laid out; the benchmarks use
the same loaders as the tests (tests never import the benchmarks).

Stable interface: :func:`data_root`, :func:`ipol_dir`, :func:`ipol_trial_ids`,
:func:`load_ipol_trial`, :func:`mobgap_dir`, :func:`mobgap_names`,
:func:`load_mobgap`.
"""

from __future__ import annotations

import sys
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

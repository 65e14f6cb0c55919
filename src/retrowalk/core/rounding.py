"""Rounding a figure for a person to read: half up, in decimal.

One rule for every figure shown (:mod:`retrowalk.report.display`, and the domain
rules' sentences, which cannot import the report layer): a value is rounded from
its shortest decimal form, so 9.25 reads 9.3 whatever its binary value is, where
Python's ``round`` and ``format`` round the binary value half to even ("9.2").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["half_up"]


def half_up(value: float, digits: int) -> Decimal:
    """``value`` rounded half up to ``digits`` decimals, from its shortest decimal form
    (``repr``), so 9.25 gives 9.3 whatever its binary value is."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)

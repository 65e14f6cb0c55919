"""Rounding a figure for a person to read: half up, in decimal.

One rule for every figure shown (:mod:`retrowalk.report.display`, and the domain
rules' sentences, which cannot import the report layer): a value is rounded from
its shortest decimal form, so 9.25 reads 9.3 whatever its binary value is, where
Python's ``round`` and ``format`` round the binary value half to even ("9.2").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["half_up", "half_up_text"]


def half_up(value: float, digits: int) -> Decimal:
    """``value`` rounded half up to ``digits`` decimals, from its shortest decimal form
    (``repr``), so 9.25 gives 9.3 whatever its binary value is."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def half_up_text(value: float, digits: int) -> str:
    """``value`` rounded half up to ``digits`` decimals (:func:`half_up`), written
    without trailing zeros and never as "-0": ``"12.5"``, ``"10"``, ``"12.35"`` for
    12.345 at two digits."""
    shown = half_up(value, digits)
    text = str(abs(shown) if shown == 0 else shown)
    return text.rstrip("0").rstrip(".") if "." in text else text

"""Walking periods as typed on the command line (``retrowalk calibrate --segments``); the
labels of bouts (``--labels``) are read as the calibration page reads them
(:func:`retrowalk.app.calibration.parse_bout_labels`)."""

from __future__ import annotations

import re
from itertools import pairwise

_SEGMENT = re.compile(r"^\s*([0-9.]+)\s*-\s*([0-9.]+)\s*:\s*(forward|backward)\s*$")


def parse_segments(text: str) -> list[tuple[float, float, str]]:
    """``"0-30:forward,35-70:backward"`` -> ``[(0, 30, "forward"), (35, 70, "backward")]``.

    Raises
    ------
    ValueError
        If a part is not ``START-END:LABEL`` with ``END > START`` (seconds), or two
        periods overlap (a stretch of walking labelled twice, perhaps both ways).
    """
    out = []
    for part in text.split(","):
        m = _SEGMENT.match(part.lower())
        if not m or float(m.group(2)) <= float(m.group(1)):
            raise ValueError(f"segment must look like '0-30:forward' (seconds): {part!r}")
        out.append((float(m.group(1)), float(m.group(2)), m.group(3)))
    ordered = sorted(out)
    for (a0, a1, _), (b0, b1, _) in pairwise(ordered):
        if b0 < a1:
            raise ValueError(
                f"segments {a0:g}-{a1:g} and {b0:g}-{b1:g} overlap: each stretch of walking "
                "is labelled once"
            )
    return out

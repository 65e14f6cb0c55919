"""Direction labels as typed on the command line (``retrowalk calibrate``)."""

from __future__ import annotations

import re

from retrowalk.gait.direction import BACKWARD, FORWARD

_SEGMENT = re.compile(r"^\s*([0-9.]+)\s*-\s*([0-9.]+)\s*:\s*(forward|backward)\s*$")


def parse_labels(text: str) -> list[str]:
    """``"forward,backward"`` -> ``["forward", "backward"]`` (checked).

    Raises
    ------
    ValueError
        If a label is not ``forward`` or ``backward``, or none is given.
    """
    labels = [x.strip().lower() for x in text.split(",") if x.strip()]
    bad = [x for x in labels if x not in (FORWARD, BACKWARD)]
    if not labels or bad:
        raise ValueError(f"labels must be 'forward' or 'backward', comma separated: {text!r}")
    return labels


def parse_segments(text: str) -> list[tuple[float, float, str]]:
    """``"0-30:forward,35-70:backward"`` -> ``[(0, 30, "forward"), (35, 70, "backward")]``.

    Raises
    ------
    ValueError
        If a part is not ``START-END:LABEL`` with ``END > START`` (seconds).
    """
    out = []
    for part in text.split(","):
        m = _SEGMENT.match(part.lower())
        if not m or float(m.group(2)) <= float(m.group(1)):
            raise ValueError(f"segment must look like '0-30:forward' (seconds): {part!r}")
        out.append((float(m.group(1)), float(m.group(2)), m.group(3)))
    return out

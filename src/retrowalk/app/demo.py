"""The bundled demo recording and the person it belongs to.

A real lower-back recording of simulated daily life (walking, pauses, turns)
by an adult with multiple sclerosis, from the Mobilise-D example data shipped
with mobgap (Apache-2.0; see NOTICE). Height and weight are the participant's.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DEMO_FILE_NAME = "MS_001_Test11_Trial1.csv"
DEMO_PLACEMENT = "lower_back"
DEMO_HEIGHT_M = 1.68
DEMO_WEIGHT_KG = 74.0


def demo_recording_path() -> Path:
    """Path of the bundled demo recording inside the installed package."""
    return Path(str(files("retrowalk") / "data" / "demo" / DEMO_FILE_NAME))

"""Snapshots: the analysis JSON of every real recording, pinned.

A restructuring must not change what retrowalk computes. This test analyses
every recording of the shared real data (through the public reader and
``analyze``) and compares the whole JSON with the stored snapshot. A file the
readers refuse is pinned by its one-line error.

When a change of results is intended, regenerate and name the change::

    RETROWALK_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_snapshots.py -n 2
"""

from __future__ import annotations

import gzip
import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

import retrowalk.video  # noqa: F401  (registers video as a source and its pipeline)
from realdata import snapshot_cases
from retrowalk.core.errors import RetrowalkError
from retrowalk.io import read_recording
from retrowalk.pipeline import AnalysisOptions, analyze
from retrowalk.summary.contract import to_dict

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE = os.environ.get("RETROWALK_UPDATE_SNAPSHOTS") == "1"

CASES = snapshot_cases()


def _result(path: Path, root: Path, read_kw: dict[str, Any]) -> dict[str, Any]:
    try:
        recording = read_recording(path, **read_kw)
        analysis = analyze(recording, AnalysisOptions(placement=read_kw.get("placement", "auto")))
    except RetrowalkError as exc:
        return {"error": str(exc).replace(str(root), "<data>")}
    out = to_dict(analysis)
    out.pop("analysis_version", None)
    out["recording"]["path"] = str(Path(out["recording"]["path"]).relative_to(root))
    return out


#: Float tolerance (relative, absolute): platform rounding only.
EXACT = (1e-9, 1e-9)
#: Video: MediaPipe's pose model gives slightly different keypoints on processors
#: with different instruction sets (its XNNPACK kernels), which moves contacts by
#: a few milliseconds and can change which bystanders are found. A video's
#: snapshot pins its bouts, steps, directions and counts exactly and its numbers
#: to 10 % (or 0.02 absolute); who else was seen and the walker's tracking
#: diagnostics are left to the video tests.
VIDEO = (0.1, 0.02)
VIDEO_TRACKING_KEYS = frozenset({"notes", "people_seen", "walker"})


def _close(
    a: Any,
    b: Any,
    where: str,
    tol: tuple[float, float] = EXACT,
    skip: frozenset[str] = frozenset(),
) -> None:
    """Equal, with floats compared within ``tol`` (relative, absolute); keys in ``skip`` ignored."""
    if isinstance(a, float) and isinstance(b, float | int):
        assert math.isclose(a, b, rel_tol=tol[0], abs_tol=tol[1]), f"{where}: {a} != {b}"
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{where}: keys {sorted(a)} != {sorted(b)}"
        for key in a.keys() - skip:
            _close(a[key], b[key], f"{where}.{key}", tol, skip)
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{where}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]", tol, skip)
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


@pytest.mark.parametrize(("name", "path", "read_kw"), CASES, ids=[c[0] for c in CASES])
def test_analysis_json_matches_snapshot(name: str, path: Path, read_kw: dict[str, Any]) -> None:
    from realdata import data_root

    root = data_root()
    got = json.loads(json.dumps(_result(path, root, read_kw)))
    target = SNAPSHOTS / f"{name}.json.gz"
    if UPDATE:
        if target.exists():
            with gzip.open(target, "rt", encoding="utf-8") as fh:
                if json.load(fh) == got:
                    return  # unchanged: the file (and its gzip time stamp) stays as it is
        target.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(target, "wt", encoding="utf-8") as fh:
            json.dump(got, fh, indent=0, sort_keys=True)
        return
    if not target.exists():
        pytest.fail(f"no snapshot for {name}: run with RETROWALK_UPDATE_SNAPSHOTS=1")
    with gzip.open(target, "rt", encoding="utf-8") as fh:
        expected = json.load(fh)
    if name.startswith("video/"):
        _close(got, expected, name, VIDEO, VIDEO_TRACKING_KEYS)
    else:
        _close(got, expected, name)

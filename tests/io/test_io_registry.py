"""Sources that bring their own reader and pipeline register themselves.

The readers and the pipeline know nothing of video: importing them must not
import it, and a source registered from outside is read and analysed through
the ordinary entry points.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Self

import numpy as np

from retrowalk.core.recording import Recording
from retrowalk.core.results import Analysis, Bout
from retrowalk.io import read_recording
from retrowalk.io.registry import (
    SourceReader,
    register_source,
    registered_sources,
    unregister_source,
)
from retrowalk.pipeline import AnalysisOptions, analyze, resolve_assumptions
from retrowalk.pipeline.registry import (
    PlacementDecision,
    register_pipeline,
    unregister_pipeline,
)


def test_io_and_pipeline_do_not_import_video():
    code = (
        "import sys, retrowalk.io, retrowalk.pipeline, retrowalk.summary.contract; "
        "print('retrowalk.video' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_importing_video_registers_its_source_and_pipeline():
    code = (
        "import retrowalk.video, retrowalk.io.registry as r, retrowalk.pipeline.registry as p; "
        "print([s.format for s in r.registered_sources()], p.kind_of_format('video'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['video'] video"


class _CountingPipeline:
    """A whole pipeline for the test format: one bout per file, as long as the file."""

    def analyze(
        self, recording: Recording, options: AnalysisOptions, placement: PlacementDecision
    ) -> Self:
        bout = Bout(0.0, recording.duration_s, "backward", 1.0, 2, 60.0, speed_mps=0.8)
        self.analysis_ = Analysis(
            recording, placement.placement, 1.0, resolve_assumptions(options), [bout], []
        )
        return self

    def clone(self) -> Self:
        return type(self)()


def _read_beeps(path: Path) -> Recording:
    n = len(path.read_bytes())
    acc = np.tile([0.0, 0.0, 9.81], (n, 1))
    return Recording(acc, None, 1.0, path=str(path), format="beeps", placement="lower_back")


def test_a_registered_source_is_read_and_analysed(tmp_path):
    before = registered_sources()
    register_source(
        SourceReader(
            "beeps",
            "test beeps",
            lambda p: p.is_file() and p.read_bytes()[:5] == b"BEEPS",
            _read_beeps,
        )
    )
    register_pipeline("beeps", _CountingPipeline(), formats=("beeps",))
    try:
        path = tmp_path / "walk.bin"
        path.write_bytes(b"BEEPS" + b"." * 25)
        rec = read_recording(path)
        assert rec.format == "beeps" and rec.n_samples == 30
        result = analyze(rec)
        assert [(b.direction, b.end_s) for b in result.bouts] == [("backward", 30.0)]
        assert result.bouts[0].energy_kcal is not None  # energy is filled in for every pipeline
        assert len(registered_sources()) == len(before) + 1
    finally:  # other tests in this process must not see the test source
        unregister_source("beeps")
        unregister_pipeline("beeps")
    assert registered_sources() == before


def test_a_source_recognises_a_file_by_the_bytes_held(tmp_path):
    """A file whose bytes the caller holds (batch work) is recognised from them by a
    source that looks at bytes; its file is looked at only when they are not given."""
    looked_at: list[Path] = []

    def recognises(path: Path) -> bool:
        looked_at.append(path)
        return path.read_bytes()[:5] == b"BEEPS"

    register_source(
        SourceReader(
            "beeps", "test beeps", recognises, _read_beeps, lambda head: head[:5] == b"BEEPS"
        )
    )
    try:
        path = tmp_path / "walk.bin"
        path.write_bytes(b"BEEPS" + b"." * 25)
        assert read_recording(path, content=path.read_bytes()).format == "beeps"
        assert looked_at == []
        assert read_recording(path).format == "beeps"
        assert looked_at == [path]
        text = tmp_path / "walk.csv"
        text.write_text(
            "time_s,acc_x,acc_y,acc_z\n" + "".join(f"{i / 100},0,0,9.81\n" for i in range(400))
        )
        assert read_recording(text, content=text.read_bytes()).format == "generic-csv"
        assert looked_at == [path]
    finally:
        unregister_source("beeps")

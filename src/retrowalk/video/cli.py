"""Command-line helpers for video analysis: a progress bar on stderr."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from retrowalk.analysis import AnalysisOptions
from retrowalk.recording import Recording
from retrowalk.video.analysis import VideoAnalysis, analyze_video


def analyze_with_progress(
    recording: Recording, options: AnalysisOptions, console: Console
) -> VideoAnalysis:
    """Analyse a video with a frame progress bar."""
    columns = (
        TextColumn("Analysing video"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("frames"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("video", total=recording.n_samples)

        def on_frame(index: int, total: int) -> None:
            progress.update(task, completed=index + 1, total=total)

        return analyze_video(recording, options, on_frame=on_frame)

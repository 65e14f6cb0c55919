"""What the user told us about a video beyond the person's measures: child, floor marks."""

from __future__ import annotations

import math
from dataclasses import dataclass

from retrowalk.core.errors import AnalysisError


@dataclass(frozen=True)
class VideoOptions:
    """What the user told us about the video (beyond the person's measures).

    Attributes
    ----------
    child
        The person is a young child (1-3 years): child proportions are used.
        ``None`` decides from the age (under 4 years is a child).
    floor_points_px
        Two points on the floor ``((x1, y1), (x2, y2))`` in pixels of the first
        frame, ``floor_distance_m`` apart, on the walker's path (side view).
    floor_distance_m
        The distance between the two floor points.
    """

    child: bool | None = None
    floor_points_px: tuple[tuple[float, float], tuple[float, float]] | None = None
    floor_distance_m: float | None = None

    def __post_init__(self) -> None:
        if (self.floor_points_px is None) != (self.floor_distance_m is None):
            raise ValueError("floor_points_px and floor_distance_m: give both or neither")
        if self.floor_distance_m is not None and not self.floor_distance_m > 0:
            raise ValueError(f"floor_distance_m: must be positive, got {self.floor_distance_m}")
        if self.floor_points_px is not None:
            (x1, y1), (x2, y2) = self.floor_points_px
            if math.hypot(x2 - x1, y2 - y1) < 5:
                raise ValueError("floor_points_px: the two points must be at least 5 px apart")

    def m_per_px(self) -> float | None:
        """Metres per pixel from the floor marks, or ``None``."""
        if self.floor_points_px is None or self.floor_distance_m is None:
            return None
        (x1, y1), (x2, y2) = self.floor_points_px
        return self.floor_distance_m / math.hypot(x2 - x1, y2 - y1)


def video_options_from_text(
    floor_marks: str | None, floor_distance_m: float | None, child: bool | None
) -> VideoOptions | None:
    """:class:`VideoOptions` from what a user typed (``"x1,y1,x2,y2"`` for the floor marks).

    Returns ``None`` when nothing was given.

    Raises
    ------
    AnalysisError
        One line naming the option at fault.
    """
    if floor_marks is None and floor_distance_m is None and child is None:
        return None
    points = None
    if floor_marks is not None:
        parts = [p.strip() for p in floor_marks.split(",")]
        try:
            x1, y1, x2, y2 = (float(p) for p in parts)
        except ValueError:
            raise AnalysisError(
                f"floor marks: give four numbers X1,Y1,X2,Y2 (pixels), got {floor_marks!r}"
            ) from None
        if not all(math.isfinite(v) and v >= 0 for v in (x1, y1, x2, y2)):
            raise AnalysisError(f"floor marks: pixels must be 0 or more, got {floor_marks!r}")
        points = ((x1, y1), (x2, y2))
    if (points is None) != (floor_distance_m is None):
        raise AnalysisError("floor marks and floor distance: give both or neither")
    try:
        return VideoOptions(child=child, floor_points_px=points, floor_distance_m=floor_distance_m)
    except ValueError as exc:
        raise AnalysisError(str(exc).replace("floor_points_px", "floor marks")) from None

"""What the user told us about a video beyond the person's measures: child, floor marks."""

from __future__ import annotations

import math
from dataclasses import dataclass

from retrowalk.core.errors import AnalysisError, InputError


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


PROPORTIONS = ("", "child", "adult")  # "" decides from the person's age


def video_options_from_form(
    floor_marks: str | None = "",
    floor_distance_m: str | float | None = "",
    proportions: str | None = "",
) -> VideoOptions | None:
    """:class:`VideoOptions` from an upload form, the API or a stored recording row.

    ``floor_marks`` is ``"x1,y1,x2,y2"`` (pixels of the first frame) or empty,
    ``floor_distance_m`` their distance apart (text or a number) or empty,
    ``proportions`` ``"child"``, ``"adult"`` or empty (from the age). Returns
    ``None`` when nothing is given.

    Raises
    ------
    InputError
        One line naming the field at fault (``floor_marks``, ``floor_distance_m``,
        ``proportions``).
    """
    marks = (floor_marks or "").strip()
    distance_text = "" if floor_distance_m is None else str(floor_distance_m).strip()
    kind = (proportions or "").strip().lower()
    if kind not in PROPORTIONS:
        raise InputError("proportions", f"choose child or adult (or leave empty), got {kind!r}")
    distance = None
    if distance_text:
        try:
            distance = float(distance_text)
        except ValueError:
            raise InputError(
                "floor_distance_m", f"give the distance in metres, got {distance_text!r}"
            ) from None
        if not (math.isfinite(distance) and 0 < distance <= 100):
            raise InputError("floor_distance_m", f"must be between 0 and 100 m, got {distance:g}")
    if distance is not None and not marks:
        raise InputError("floor_marks", "give the two floor points as x1,y1,x2,y2 (pixels)")
    child = None if not kind else kind == "child"
    try:  # the marks themselves first (a stand-in distance when none was given)
        options = video_options_from_text(
            marks or None, distance or (1.0 if marks else None), child
        )
    except AnalysisError as exc:
        raise InputError("floor_marks", str(exc).removeprefix("floor marks: ")) from None
    if marks and distance is None:
        raise InputError("floor_distance_m", "give the distance between the two floor marks")
    return options


def video_options_fields(options: VideoOptions | None) -> dict[str, str | float | None]:
    """How :class:`VideoOptions` are stored with a recording (the inverse of
    :func:`video_options_from_form`)."""
    if options is None:
        return {"floor_marks_px": "", "floor_distance_m": None, "proportions": ""}
    marks = ""
    if options.floor_points_px is not None:
        (x1, y1), (x2, y2) = options.floor_points_px
        marks = ",".join(f"{v:.7g}" for v in (x1, y1, x2, y2))
    kind = "" if options.child is None else ("child" if options.child else "adult")
    return {
        "floor_marks_px": marks,
        "floor_distance_m": options.floor_distance_m,
        "proportions": kind,
    }


def check_floor_marks(options: VideoOptions | None, width_px: int, height_px: int) -> None:
    """Raise :class:`InputError` (field ``floor_marks``) when a mark lies outside the frame."""
    if options is None or options.floor_points_px is None:
        return
    for x, y in options.floor_points_px:
        if not (0 <= x <= width_px and 0 <= y <= height_px):
            raise InputError(
                "floor_marks", f"({x:g}, {y:g}) lies outside the {width_px}x{height_px} frame"
            )

"""Fit a person's direction calibration from a labelled walk file (guided calibration).

Reads and analyses the walk with :func:`retrowalk.app.analyse.analyse_file`
(no stored calibration) and fits the profile with
:func:`retrowalk.app.calibration.profile_from_analysis`; plain dicts in and
out, so that it runs in a worker process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retrowalk.app.analyse import AnalysisRequest, analyse_file
from retrowalk.app.calibration import (
    CALIBRATION_PLACEMENTS,
    parse_bout_labels,
    profile_from_analysis,
)
from retrowalk.core.errors import InputError, RetrowalkError

__all__ = ["fit_walk"]


def fit_walk(
    path: str,
    placement: str = "auto",
    labels: str = "forward, backward",
    columns: str | None = None,
    name: str = "",
) -> dict[str, Any]:
    """Analyse a labelled calibration walk and fit its profile (plain dicts in and out).

    Runs in a worker process of the web app. The walk is analysed without any
    stored calibration. ``name`` (the file's name as its owner knows it) stands
    for ``path`` in what is said about it: a reason never names where the server
    keeps the file. Returns ``{"ok": True, "profile": <saved form>,
    "bouts": [...]}`` or ``{"ok": False, "reason": ..., "bouts": [...]}`` naming
    why the walk cannot be used (labels that cannot be read: with ``field`` and
    ``problem``, the reason without the field's name, and no bouts).
    """
    bouts: list[dict[str, Any]] = []
    try:
        names = parse_bout_labels(labels)
    except ValueError as exc:  # ``problem``: for a form to name the field in its words
        reason = f"labels: {exc}"
        return {"ok": False, "reason": reason, "bouts": [], "field": "labels", "problem": str(exc)}
    try:
        request = AnalysisRequest(
            placement=placement, use_stored_profiles=False, columns=columns or None
        )
        analysis = analyse_file(path, request, display_name=name or Path(path).name)
        bouts = [
            {
                # Rounded as the analysis JSON rounds them; pages show them to 0.1 s.
                "start_s": round(b.start_s, 3),
                "end_s": round(b.end_s, 3),
                "n_steps": int(b.n_steps),
                "direction": str(b.direction),
            }
            for b in sorted(analysis.bouts, key=lambda b: b.start_s)
        ]
        if analysis.placement not in CALIBRATION_PLACEMENTS:
            where = (
                # Not recognised (a phone in the hand, an arm band, a bag): no place to name.
                "not recognised as worn at the lower back, in a pocket or on the foot"
                if analysis.placement == "unsupported"
                else f"analysed as worn at the {str(analysis.placement).replace('_', ' ')}"
            )
            raise ValueError(
                f"the walk was {where}: a calibration is made for the lower back or a "
                "pocket (a foot sensor needs none); choose where it was worn"
            )
        if not bouts:
            raise ValueError("no walking was found in this recording: walk at least 10 steps")
        if len(names) != len(bouts):
            # The page lists the bouts found: one label each, in time order.
            raise ValueError(
                f"{len(names)} label{'s' if len(names) != 1 else ''} for {len(bouts)} walking "
                f"bout{'s' if len(bouts) != 1 else ''} found; give one label per bout, in time "
                "order ('skip' for a bout that was neither, such as a turn)"
            )
        profile = profile_from_analysis(analysis, labels=names)
    except InputError as exc:
        said = InputError(name or Path(path).name, exc.reason, line=exc.line, field=exc.field)
        return {"ok": False, "reason": str(said), "bouts": bouts}
    except (RetrowalkError, ValueError) as exc:
        return {"ok": False, "reason": str(exc), "bouts": bouts}
    return {"ok": True, "profile": profile.to_dict(), "bouts": bouts, "labels": names}

"""Walking bouts whose direction the user set by hand: applied once, before every aggregate.

A user who knows what they walked can say of a bout "this was backward",
"this was forward" or "this was not walking". The label is stored with the
bout's time span as it was when the user labelled it; a later analysis (a new
analysis version, a calibration) may find slightly different bouts, so the
label is carried over by time overlap:

- each bout of the new analysis takes the label whose span overlaps it most,
  provided that overlap covers at least :data:`MIN_OVERLAP_FRACTION` (half) of
  the bout's own duration; of labels overlapping it equally, the one whose
  duration is closest to the bout's (the more specific label) wins;
- a label overlapping no bout that much is kept (it is still stored and listed
  under ``hand_labels`` with ``bout: null``) but changes nothing;
- two new bouts may take the same label (one bout split in two by the new
  analysis: both halves get what the user said of the whole).

A relabelled bout takes the label as its direction with confidence 1, keeps
what the analysis found in ``direction_detected`` and is marked
``direction_set_by: "user"``; its steps take the same direction and its
energy is estimated again for that direction. A bout labelled "not walking" is
removed with its steps. Everything computed from bouts and steps afterwards
(totals, session, progress columns, tables, report) follows, because it is
computed from the relabelled analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from retrowalk.core.results import Analysis, Bout

__all__ = [
    "BACKWARD",
    "FORWARD",
    "HAND_LABELS",
    "MIN_OVERLAP_FRACTION",
    "NOT_WALKING",
    "HandLabel",
    "applied_label_keys",
    "apply_hand_labels",
    "label_key",
    "match_labels",
]

FORWARD = "forward"
BACKWARD = "backward"
NOT_WALKING = "not_walking"
#: What a user may say a bout was.
HAND_LABELS = (FORWARD, BACKWARD, NOT_WALKING)
#: Share of a bout's duration a label's span must cover to apply to it.
MIN_OVERLAP_FRACTION = 0.5


@dataclass(frozen=True)
class HandLabel:
    """A bout's direction as the user set it.

    Attributes
    ----------
    start_s, end_s
        The labelled bout's span when it was labelled, s from the recording start.
    label
        ``forward``, ``backward`` or ``not_walking``.
    """

    start_s: float
    end_s: float
    label: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "label": self.label,
        }


def label_key(start_s: float, end_s: float, label: str) -> tuple[float, float, str]:
    """A hand label as the analysis JSON holds it (its span to the millisecond, as
    :meth:`HandLabel.to_dict` writes it): a stored label and one an analysis applied
    compare by it."""
    return round(start_s, 3), round(end_s, 3), label


def applied_label_keys(result: dict[str, Any] | None) -> set[tuple[float, float, str]]:
    """The hand labels an analysis JSON (``result``; ``None``: none yet) was made with,
    each as :func:`label_key`: a label stored since, or undone since, is not among them."""
    applied = (result or {}).get("hand_labels") or {}
    return {label_key(x["start_s"], x["end_s"], x["label"]) for x in applied.get("labels", [])}


def _overlap_s(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def match_labels(bouts: Sequence[Bout], labels: Sequence[HandLabel]) -> list[int | None]:
    """For each bout, the index of the label that applies to it (or ``None``).

    The label overlapping the bout most, if it covers at least
    :data:`MIN_OVERLAP_FRACTION` of the bout's duration. A bout of zero
    duration takes a label whose span contains it.
    """
    out: list[int | None] = []
    for bout in bouts:
        best: int | None = None
        best_key = (0.0, 0.0)
        duration = bout.end_s - bout.start_s
        for i, lab in enumerate(labels):
            overlap = _overlap_s(bout.start_s, bout.end_s, lab.start_s, lab.end_s)
            if duration <= 0:
                inside = lab.start_s <= bout.start_s <= lab.end_s
                overlap = 1.0 if inside else 0.0
                enough = inside
            else:
                enough = overlap >= MIN_OVERLAP_FRACTION * duration
            key = (round(overlap, 6), -abs((lab.end_s - lab.start_s) - duration))
            if enough and (best is None or key > best_key):
                best, best_key = i, key
        out.append(best)
    return out


def apply_hand_labels(analysis: Analysis, labels: Iterable[HandLabel]) -> Analysis:
    """The analysis with the user's bout labels applied (see the module notes).

    Returns ``analysis`` itself when there are no labels; otherwise a new
    Analysis (the given one is not changed) with a ``hand_labels`` section
    listing every label and the bout it applied to (index in the new bout
    list, ``None`` for removed or unmatched).
    """
    labels = [lab for lab in labels if lab.label in HAND_LABELS]
    if not labels:
        return analysis
    matches = match_labels(analysis.bouts, labels)
    weight = analysis.assumptions.get("weight_kg")
    new_index: dict[int, int] = {}
    bouts: list[Bout] = []
    applied: dict[int, list[int | None]] = {i: [] for i in range(len(labels))}
    removed: list[dict[str, Any]] = []
    for old, (bout, match) in enumerate(zip(analysis.bouts, matches, strict=True)):
        if match is None:
            new_index[old] = len(bouts)
            bouts.append(bout)
            continue
        label = labels[match].label
        if label == NOT_WALKING:
            applied[match].append(None)
            removed.append(
                {
                    "start_s": round(bout.start_s, 3),
                    "end_s": round(bout.end_s, 3),
                    "n_steps": int(bout.n_steps),
                    "direction_detected": str(bout.direction),
                }
            )
            continue
        extra = dict(bout.extra)
        extra["direction_detected"] = str(bout.direction)
        extra["direction_set_by"] = "user"
        changed = replace(bout, direction=label, direction_confidence=1.0, extra=extra)
        if weight is not None and (bout.energy_kcal is not None or "met" in bout.extra):
            from retrowalk.summary.energy import fill_bout_energy

            fill_bout_energy([changed], float(weight))
        new_index[old] = len(bouts)
        applied[match].append(len(bouts))
        bouts.append(changed)
    steps = []
    for step in analysis.steps:
        if not 0 <= step.bout < len(analysis.bouts):
            steps.append(step)  # not in a bout: unchanged
            continue
        if step.bout not in new_index:
            continue  # its bout was "not walking"
        index = new_index[step.bout]
        bout = bouts[index]
        direction = (
            bout.direction if bout.extra.get("direction_set_by") == "user" else step.direction
        )
        steps.append(replace(step, bout=index, direction=direction))
    sections = dict(analysis.sections)
    sections["hand_labels"] = {
        "rule": (
            "a bout takes the hand label overlapping it most, when that covers at least "
            f"{MIN_OVERLAP_FRACTION:.0%} of the bout"
        ),
        "labels": [{**lab.to_dict(), "bouts": applied[i]} for i, lab in enumerate(labels)],
        "removed_bouts": removed,
    }
    return replace(analysis, bouts=bouts, steps=steps, sections=sections)

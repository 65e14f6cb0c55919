"""Walking bouts of one foot: strides between pauses, split where the direction changes.

The output contract says a change of walking direction starts a new bout, with
or without a pause, and that each step keeps its own direction. A foot sensor
labels every stride on its own (the stride's travel against the toe axis), so
a bout is cut wherever the stride labels change between ``"forward"``,
``"backward"`` and ``"sideways"``. Strides labelled ``"uncertain"`` (turning
pivots, shuffles) join the run they lie in. A run shorter than ``min_strides``
(one stray stride) is merged into its neighbour rather than becoming a bout of
its own, so a single misread stride cannot cut a walk in two; its own label is
kept in the stride table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFINITE = ("forward", "backward", "sideways")


def direction_runs(labels: Sequence[str], min_strides: int = 2) -> list[np.ndarray]:
    """Consecutive stride indices of one direction each (indices into ``labels``).

    Parameters
    ----------
    labels
        Per-stride labels in time order (one pause-free group).
    min_strides
        Shortest run with a definite label that stands as its own bout.

    Returns
    -------
    list of ndarray
        Index runs covering ``0 .. len(labels) - 1`` in order.
    """
    n = len(labels)
    if n == 0:
        return []
    runs: list[list[int]] = []
    run_label: list[str | None] = []
    for i, label in enumerate(labels):
        definite = label if label in DEFINITE else None
        if runs and (definite is None or run_label[-1] in (None, definite)):
            runs[-1].append(i)
            if run_label[-1] is None:
                run_label[-1] = definite
            continue
        runs.append([i])
        run_label.append(definite)
    changed = True
    while changed and len(runs) > 1:
        changed = False
        for j, run in enumerate(runs):
            n_definite = sum(labels[i] in DEFINITE for i in run)
            if n_definite >= min_strides:
                continue
            k = j - 1 if j > 0 else j + 1
            lo, hi = min(j, k), max(j, k)
            runs[lo] = runs[lo] + runs[hi]
            run_label[lo] = run_label[k] if run_label[k] is not None else run_label[j]
            del runs[hi], run_label[hi]
            changed = True
            break
        # Neighbours left with the same label are one run.
        j = 1
        while j < len(runs):
            if run_label[j] == run_label[j - 1] or run_label[j] is None:
                runs[j - 1] += runs[j]
                del runs[j], run_label[j]
            else:
                j += 1
    return [np.asarray(r, dtype=np.int64) for r in runs]

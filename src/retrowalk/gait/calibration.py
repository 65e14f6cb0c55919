"""Personal calibration of walking direction from one labelled recording.

The shipped direction model (:mod:`retrowalk.gait.direction`) was fitted on
forward walking and its time reversal. A person's real backward gait differs
from a mirror image of their forward gait (toe-first contact, shorter and slower
steps; Laufer 2005, J Gerontol A 60:627), and how a phone sits on that person
changes the strength of the cue. A short recording the person labels ("this bout
forward, that bout backward") adapts the model:

- the lag weights are refitted by a logistic regression whose penalty pulls them
  towards the shipped weights (a few labelled bouts cannot overrule a model
  fitted on many people, but can tilt it);
- when both directions are labelled, an ``offset`` is fitted too: the score of
  real backward walking need not be the exact negative of forward walking;
- without backward labels the time-reversed labelled steps stand in for them
  (the same stand-in as in training) and the offset stays 0.

The profile is per person and per placement; analyses run without one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from retrowalk.frame import BodyFrame
from retrowalk.gait.direction import (
    BACKWARD,
    FORWARD,
    DirectionModel,
    default_model,
    step_features,
)

PROFILE_SCHEMA = 1


@dataclass(frozen=True)
class DirectionProfile:
    """A person's direction calibration for one placement (saved as JSON).

    Attributes
    ----------
    placement
        Where the device was worn (``"lower_back"``, ``"pocket"``, ...).
    weights
        Lag weights replacing the model's (same lags and feature scale).
    offset
        Subtracted from every step score (0 unless both directions were labelled).
    logit_gain
        Gain from mean step score to bout log-odds.
    lags
        Lags the weights refer to (checked against the model when used).
    created_at
        ISO-8601 UTC time of calibration.
    source_hash
        SHA-256 (first 16 hex digits) of the signals and labels it was fitted on.
    n_bouts, n_steps
        Labelled bouts and steps used, per direction.
    """

    placement: str
    weights: list[float]
    offset: float
    logit_gain: float
    lags: list[int]
    created_at: str
    source_hash: str
    n_bouts: dict[str, int] = field(default_factory=dict)
    n_steps: dict[str, int] = field(default_factory=dict)
    schema: int = PROFILE_SCHEMA

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DirectionProfile:
        if int(data.get("schema", PROFILE_SCHEMA)) != PROFILE_SCHEMA:
            raise ValueError(f"unsupported direction profile schema {data.get('schema')}")
        return cls(
            placement=str(data["placement"]),
            weights=[float(x) for x in data["weights"]],
            offset=float(data["offset"]),
            logit_gain=float(data["logit_gain"]),
            lags=[int(x) for x in data["lags"]],
            created_at=str(data["created_at"]),
            source_hash=str(data["source_hash"]),
            n_bouts={str(k): int(v) for k, v in data.get("n_bouts", {}).items()},
            n_steps={str(k): int(v) for k, v in data.get("n_steps", {}).items()},
        )


def fit_odd_logistic(
    X: np.ndarray,
    y: np.ndarray,
    *,
    lam: float = 1.0,
    prior: np.ndarray | None = None,
    fit_offset: bool = False,
) -> tuple[np.ndarray, float]:
    """Logistic regression of ``y`` (+1 forward, -1 backward) on ``X`` without intercept.

    Minimises ``mean(log(1 + exp(-y (X w - b)))) + lam / 2 * |w - prior|^2``.
    Without an intercept a time-reversed step (``x -> -x``) gets the opposite
    score, which is what makes the direction score exactly antisymmetric.

    Returns
    -------
    weights, offset
        ``offset`` is 0 unless ``fit_offset``.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = X.shape
    w0 = np.zeros(d) if prior is None else np.asarray(prior, dtype=np.float64)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:d], (theta[d] if fit_offset else 0.0)
        margin = y * (X @ w - b)
        value = np.logaddexp(0.0, -margin).mean() + 0.5 * lam * np.sum((w - w0) ** 2)
        r = -y * np.exp(-np.logaddexp(0.0, margin)) / n  # d loss / d (X w - b)
        grad_w = X.T @ r + lam * (w - w0)
        grad = np.r_[grad_w, -r.sum()] if fit_offset else grad_w
        return float(value), grad

    theta0 = np.r_[w0, 0.0] if fit_offset else w0.copy()
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B")
    w = res.x[:d]
    return w, float(res.x[d]) if fit_offset else 0.0


def _source_hash(
    frame: BodyFrame, bouts: list[tuple[int, int]], ic: np.ndarray, labels: list[str]
) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(frame.acc_vertical_mps2, dtype=np.float64).tobytes())
    h.update(np.ascontiguousarray(frame.acc_horizontal_mps2, dtype=np.float64).tobytes())
    h.update(np.asarray(bouts, dtype=np.int64).tobytes())
    h.update(np.asarray(ic, dtype=np.int64).tobytes())
    h.update("|".join(labels).encode())
    return h.hexdigest()[:16]


def calibrate(
    frame: BodyFrame,
    bouts: list[tuple[int, int]],
    ic_samples: np.ndarray,
    labels: list[str],
    *,
    placement: str = "auto",
    model: DirectionModel | None = None,
    strength: float = 0.3,
    min_steps_per_direction: int = 8,
    created_at: datetime | None = None,
) -> DirectionProfile:
    """Fit a :class:`DirectionProfile` from bouts labelled ``forward``/``backward``.

    Parameters
    ----------
    frame, bouts, ic_samples
        As for :meth:`WalkingDirectionClassifier.classify`.
    labels
        One label per bout; bouts labelled anything else are ignored.
    placement
        Stored with the profile; a profile should only be used for this placement.
    model
        The model to adapt (the shipped one when ``None``).
    strength
        Pull towards the shipped weights (larger = trust the labels less).
    min_steps_per_direction
        Labelled steps needed in each direction before an offset is fitted.
    created_at
        Timestamp to store (now, UTC, when ``None``).

    Raises
    ------
    ValueError
        If ``labels`` does not match ``bouts`` or no labelled bout has usable steps.
    """
    if len(labels) != len(bouts):
        raise ValueError(f"{len(labels)} labels for {len(bouts)} bouts")
    model = model or default_model()
    bouts = [(int(a), int(b)) for a, b in bouts]
    _, _, sf = step_features(frame, bouts, ic_samples, model.lags)
    sign = np.array([1.0 if lab == FORWARD else -1.0 if lab == BACKWARD else 0.0 for lab in labels])
    y = sign[sf.windows.bout_index] if sf.features.size else np.zeros(0)
    keep = y != 0
    X = sf.features[keep] / model.feature_scale
    y = y[keep]
    if y.size == 0:
        raise ValueError("no labelled bout has a usable stride (need >= 3 contacts per bout)")
    n_fwd, n_bwd = int((y > 0).sum()), int((y < 0).sum())
    both = min(n_fwd, n_bwd) >= min_steps_per_direction
    if not both:
        # The time-reversed steps stand in for the missing direction.
        X, y = np.vstack([X, -X]), np.r_[y, -y]
    weights, offset = fit_odd_logistic(X, y, lam=strength, prior=model.weights, fit_offset=both)
    bout_counts = {
        FORWARD: sum(lab == FORWARD for lab in labels),
        BACKWARD: sum(lab == BACKWARD for lab in labels),
    }
    stamp = (created_at or datetime.now(UTC)).isoformat()
    return DirectionProfile(
        placement=placement,
        weights=[float(x) for x in weights],
        offset=float(offset),
        logit_gain=float(model.logit_gain),
        lags=[int(x) for x in model.lags],
        created_at=stamp,
        source_hash=_source_hash(frame, bouts, np.asarray(ic_samples), list(labels)),
        n_bouts=bout_counts,
        n_steps={FORWARD: n_fwd, BACKWARD: n_bwd},
    )


def save_profile(profile: DirectionProfile, path: str | Path) -> None:
    """Write ``profile`` as JSON (UTF-8, indented)."""
    Path(path).write_text(json.dumps(profile.to_dict(), indent=2), encoding="utf-8")


def load_profile(path: str | Path) -> DirectionProfile:
    """Read a profile written by :func:`save_profile`."""
    return DirectionProfile.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

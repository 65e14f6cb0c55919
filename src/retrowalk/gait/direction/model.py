"""The earlier time-arrow model: coefficients, loading, features for fitting, transfer.

Kept for comparison only: the classifier no longer uses it. Its cue (``o . e``)
flips under time reversal and detects the arrow of time, not the walking
direction; on real backward walking it was at chance (see
:mod:`retrowalk.gait.direction`).

The model file is ``retrowalk/data/direction_model.json`` (read with
:mod:`importlib.resources`); it is no longer refitted.
See :mod:`retrowalk.gait.direction` for the transfer to a new person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from retrowalk.dsp.frame import BodyFrame
from retrowalk.gait.direction.features import (
    DEFAULT_LAGS,
    STRIDE_POINTS,
    StepWindows,
    arrow_features,
    step_evidence,
)
from retrowalk.gait.direction.grouping import stretches_from_ups

# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class DirectionModel:
    """Fitted coefficients of the rotation-invariant direction score.

    Attributes
    ----------
    lags
        Lags (in 1/:data:`STRIDE_POINTS` of a stride) of the phase features.
    weights
        One weight per lag, applied to ``feature / feature_scale``.
    feature_scale
        RMS of each feature over the training steps (a fixed unit, not a centring:
        centring would break the exact time-reversal symmetry).
    logit_gain
        Bout log-odds = ``logit_gain * mean_step_score * sqrt(n_steps)``; fitted on
        cross-validated scores of sub-bouts of 4-20 steps.
    info
        How and on what the model was fitted (free-form, for reports).
    transfer_failures, transfer_subjects
        Of ``transfer_subjects`` training subjects, how many got the wrong pooled
        sign when left out of the fit (leave-subject-out). They set
        :attr:`transfer_epsilon`.
    """

    lags: np.ndarray
    weights: np.ndarray
    feature_scale: np.ndarray
    logit_gain: float
    info: dict[str, Any] = field(default_factory=dict)
    transfer_failures: int = 0
    transfer_subjects: int = 0

    @property
    def transfer_epsilon(self) -> float:
        """Chance that the time-arrow cue carries no information for a new person.

        Rule of succession on the leave-subject-out outcome,
        ``(failures + 1) / (subjects + 2)`` (``0`` when unknown): with 0 failures
        in 12 subjects, 1/14. See :func:`transfer_logit`.
        """
        if self.transfer_subjects <= 0:
            return 0.0
        return (self.transfer_failures + 1.0) / (self.transfer_subjects + 2.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stride_points": STRIDE_POINTS,
            "lags": [int(x) for x in self.lags],
            "weights": [float(x) for x in self.weights],
            "feature_scale": [float(x) for x in self.feature_scale],
            "logit_gain": float(self.logit_gain),
            "transfer_failures": int(self.transfer_failures),
            "transfer_subjects": int(self.transfer_subjects),
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DirectionModel:
        if int(data.get("stride_points", STRIDE_POINTS)) != STRIDE_POINTS:
            raise ValueError("direction model was fitted with a different stride resolution")
        return cls(
            lags=np.asarray(data["lags"], dtype=np.int64),
            weights=np.asarray(data["weights"], dtype=np.float64),
            feature_scale=np.asarray(data["feature_scale"], dtype=np.float64),
            logit_gain=float(data["logit_gain"]),
            info=dict(data.get("info", {})),
            transfer_failures=int(data.get("transfer_failures", 0)),
            transfer_subjects=int(data.get("transfer_subjects", 0)),
        )


@lru_cache(maxsize=1)
def default_model() -> DirectionModel:
    """The model shipped in ``retrowalk/data/direction_model.json``."""
    text = resources.files("retrowalk").joinpath("data/direction_model.json").read_text()
    return DirectionModel.from_dict(json.loads(text))


# ------------------------------------------------------------- fitting features


@dataclass(frozen=True)
class StepFeatures:
    """Rotation-invariant, time-odd features of every usable step.

    Attributes
    ----------
    windows
        The stride windows the features come from.
    features
        ``(k, n_lags)``: ``o_k(tau) . e_bar(tau)`` per step and lag.
    stretch
        Mounting stretch of each bout.
    """

    windows: StepWindows
    features: np.ndarray
    stretch: np.ndarray


def step_features(
    frame: BodyFrame,
    bouts: list[tuple[int, int]],
    ic_samples: np.ndarray,
    lags: np.ndarray = DEFAULT_LAGS,
    max_tilt_change_deg: float = 30.0,
) -> tuple[np.ndarray, np.ndarray, StepFeatures]:
    """Per-step time-arrow features for all bouts at once (for fitting the model).

    All steps are used (also turning ones), as when the model was fitted.
    """
    ev = step_evidence(frame, bouts, ic_samples, lags, max_turn_rate_rads=None)
    stretch = stretches_from_ups(ev.bout_up, max_tilt_change_deg)
    return ev.ic, ev.owner, StepFeatures(ev.windows, arrow_features(ev, stretch), stretch)


# -------------------------------------------------------------------- transfer


def _sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1.0 - 1e-12)
    return float(np.log(p / (1.0 - p)))


def transfer_logit(logit: float, epsilon: float) -> float:
    """Log-odds of forward for a new person, given the model's pooled log-odds.

    The time-arrow cue was fitted on a dozen people; for a new person it may
    carry no information at all (its sign and size vary between people). With
    probability ``epsilon`` (:attr:`DirectionModel.transfer_epsilon`) the answer
    is a coin toss, otherwise the model's::

        p = (1 - epsilon) * sigmoid(logit) + epsilon / 2

    so no amount of the person's own steps gives more than ``1 - epsilon / 2``
    (about 0.96 for 1/14): strong calls need evidence that the cue works for
    *this* person, which only a calibration gives.
    """
    p = (1.0 - epsilon) * float(_sigmoid(logit)) + 0.5 * epsilon
    return _logit(p)

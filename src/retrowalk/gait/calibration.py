"""Personal calibration of walking direction from one labelled recording.

What a calibration can learn, and why it holds for real backward walking
-----------------------------------------------------------------------
The uncalibrated classifier (:mod:`retrowalk.gait.direction`) gets its one
remaining sign from a rotation-invariant cue that flips under time reversal:
it detects the *arrow of time* of the stride. Real backward walking is not
forward walking played backwards in every respect: time still runs forward, so
foot contacts are still collisions whose braking opposes the *travel*, and the
inverted-pendulum vault also follows the travel. Leg segment kinematics reverse
(Grasso et al. 1998, J Neurophysiol 80:1868), the impacts do not. Whether the
time-arrow cue flips for a real backward walk therefore depends on whether
body-fixed kinematics or travel-fixed collisions dominate it, which no labelled
lower-back recording available here can settle.

The calibration does not rely on it. The time-odd part ``o_k(tau)`` of the
vertical/horizontal cross-correlation points along the body's antero-posterior
axis with the sign of the *travel* relative to the device: in a time-reversed
walk it flips because the time-odd part flips; in a real backward walk it flips
because every travel-fixed part of the signal flips in device axes. Either way
``o`` follows travel. From a walk the person labels ("20 m forward, then 20 m
backward") the profile stores the device-frame template ``T(tau)`` of ``o`` for
body-forward travel (forward steps counted as ``+o``, backward steps as ``-o``)
together with the gravity direction in device axes. A later bout is forward
when its steps' ``o_k . T`` is positive, backward when negative: the travel
sign along the learned axis, valid whichever way the arrow-of-time question
goes.

The template is tied to how the device sits. Gravity in device axes identifies
the mounting up to a turn about the vertical: a profile is refused for a stretch
of a later recording whose mean gravity direction differs by more than
``max_tilt_deg`` (30 deg). A device worn turned by 180 deg about the vertical
(phone facing in instead of out, same way up) cannot be told from gravity; such
a recording would come out with every direction swapped. The analysis notes
this, and the user should calibrate again after changing how the device is worn.

The profile is per person and per placement; analyses run without one.
This module holds the fit only: reading labels from a command line, turning an
analysis into labelled bouts and storing profiles are application concerns
(:mod:`retrowalk.app.calibration`).

References
----------
Grasso, R., Bianchi, L., & Lacquaniti, F. (1998). Motor patterns for human
gait: backward versus forward locomotion. Journal of Neurophysiology, 80(4),
1868-1885.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from retrowalk.dsp.frame import BodyFrame
from retrowalk.gait.direction import (
    BACKWARD,
    DEFAULT_LAGS,
    FORWARD,
    MAX_TURN_RATE_RADS,
    step_evidence,
)

PROFILE_SCHEMA = 2


@dataclass(frozen=True)
class DirectionProfile:
    """A person's direction calibration for one placement (saved as JSON).

    Attributes
    ----------
    placement
        Where the device was worn (``"lower_back"``, ``"pocket"``, ...).
    template
        ``(n_lags, 3)`` unit-norm template of the time-odd vector ``o(tau)`` for
        body-forward travel, in device axes.
    up
        Mean up direction (against gravity) in device axes during calibration.
    lags
        Lags of the template (1/64 stride).
    created_at
        ISO-8601 UTC time of calibration.
    source_hash
        SHA-256 (first 16 hex digits) of the signals and labels it was fitted on.
    consistency
        Fraction of labelled steps whose own ``o_k . T`` sign matches their label.
    n_bouts, n_steps
        Labelled bouts and steps used, per direction.
    max_tilt_deg
        A later stretch whose gravity direction differs more is not calibrated.
    origin
        Where the profile was read from (a path, or "stored default ..."); named
        in the analysis that uses it. Not saved, not compared, not in ``repr``.
    """

    placement: str
    template: list[list[float]]
    up: list[float]
    lags: list[int]
    created_at: str
    source_hash: str
    consistency: float = 1.0
    n_bouts: dict[str, int] = field(default_factory=dict)
    n_steps: dict[str, int] = field(default_factory=dict)
    max_tilt_deg: float = 30.0
    schema: int = PROFILE_SCHEMA
    origin: str = field(default="", compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The saved form (JSON-ready; without :attr:`origin`)."""
        data = asdict(self)
        data.pop("origin")
        return data

    def with_origin(self, origin: str) -> DirectionProfile:
        """The same profile, noting where it came from."""
        return replace(self, origin=origin)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DirectionProfile:
        """Inverse of :meth:`to_dict`; refuses other schema versions."""
        if int(data.get("schema", -1)) != PROFILE_SCHEMA:
            raise ValueError(
                f"unsupported direction profile schema {data.get('schema')}; calibrate again"
            )
        return cls(
            placement=str(data["placement"]),
            template=[[float(x) for x in row] for row in data["template"]],
            up=[float(x) for x in data["up"]],
            lags=[int(x) for x in data["lags"]],
            created_at=str(data["created_at"]),
            source_hash=str(data["source_hash"]),
            consistency=float(data.get("consistency", 1.0)),
            n_bouts={str(k): int(v) for k, v in data.get("n_bouts", {}).items()},
            n_steps={str(k): int(v) for k, v in data.get("n_steps", {}).items()},
            max_tilt_deg=float(data.get("max_tilt_deg", 30.0)),
        )

    def axis(self) -> np.ndarray:
        """The template as an ``(n_lags, 3)`` array."""
        return np.asarray(self.template, dtype=np.float64)

    def tilt_deg(self, up: np.ndarray) -> float:
        """Angle between ``up`` (device axes) and the calibrated up direction."""
        a = np.asarray(up, dtype=np.float64)
        b = np.asarray(self.up, dtype=np.float64)
        cos = float(a @ b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12)
        return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))

    def check_mounting(self, up: np.ndarray, n_lags: int) -> tuple[bool, str]:
        """Whether a stretch with mean ``up`` is worn like the calibration, and a note."""
        if n_lags != len(self.lags):
            return False, "direction profile not used: it was made with other lags"
        tilt = self.tilt_deg(up)
        if tilt > self.max_tilt_deg:
            return False, (
                f"direction profile ({self.placement}, {self.created_at[:10]}) not used: the "
                f"device sits {tilt:.0f} deg differently from the calibration (limit "
                f"{self.max_tilt_deg:.0f} deg); calibrate again for this way of wearing it"
            )
        return True, (
            f"direction from calibration profile ({self.placement}, {self.created_at[:10]}): "
            f"travel along the calibrated body-forward axis (device tilt {tilt:.0f} deg from "
            "calibration; a device turned about the vertical since then would swap directions)"
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
    score, which is what makes the direction score exactly antisymmetric. Used
    to fit the shipped model (``benchmarks/direction.py --fit``).

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
    from scipy.optimize import minimize  # start-up time: only when a profile is fitted

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


class DirectionCalibrator:
    """Learn the device-frame body-forward axis from bouts labelled forward/backward.

    Parameters
    ----------
    placement
        Stored with the profile; a profile is only used for this placement.
    min_steps
        Labelled, non-turning steps needed.
    min_consistency
        Fraction of labelled steps whose own sign must agree with the learned
        template; below it the labels and the signal disagree (wrong labels, or
        the device moved during the walk) and no profile is made.
    max_tilt_deg
        Largest change of the gravity direction (device axes) between labelled
        bouts, and later between the calibration and a recording using it.
    max_turn_rate_rads
        Steps turning faster are ignored (see :mod:`retrowalk.gait.direction`).

    Attributes
    ----------
    profile_ : DirectionProfile
        The fitted profile.
    step_projection_ : ndarray
        Each labelled step's ``o_k . T`` times its label sign (positive = consistent).
    """

    def __init__(
        self,
        placement: str = "auto",
        *,
        min_steps: int = 8,
        min_consistency: float = 0.8,
        max_tilt_deg: float = 30.0,
        max_turn_rate_rads: float | None = MAX_TURN_RATE_RADS,
    ) -> None:
        self.placement = placement
        self.min_steps = min_steps
        self.min_consistency = min_consistency
        self.max_tilt_deg = max_tilt_deg
        self.max_turn_rate_rads = max_turn_rate_rads

    def fit(
        self,
        frame: BodyFrame,
        bouts: list[tuple[int, int]],
        ic_samples: np.ndarray,
        labels: list[str],
        *,
        created_at: datetime | None = None,
    ) -> DirectionCalibrator:
        """Fit from one recording's bouts and their labels (``forward``/``backward``).

        Raises
        ------
        ValueError
            If labels do not match bouts, too few labelled steps, the device was
            moved between labelled bouts, or the labels contradict the signal.
        """
        if len(labels) != len(bouts):
            raise ValueError(f"{len(labels)} labels for {len(bouts)} bouts")
        bouts = [(int(a), int(b)) for a, b in bouts]
        ev = step_evidence(frame, bouts, ic_samples, DEFAULT_LAGS, self.max_turn_rate_rads)
        sign = np.array([1.0 if x == FORWARD else -1.0 if x == BACKWARD else 0.0 for x in labels])
        y = sign[ev.windows.bout_index] if ev.windows.bout_index.size else np.zeros(0)
        keep = (y != 0) & ~ev.turning
        if int(keep.sum()) < self.min_steps:
            raise ValueError(
                f"only {int(keep.sum())} usable labelled steps (need {self.min_steps}): "
                "walk longer, straight, with the device worn as usual"
            )
        labelled = np.flatnonzero(sign != 0)
        ups = ev.bout_up[labelled]
        up = ups.mean(axis=0)
        up /= max(np.linalg.norm(up), 1e-12)
        worst = float(np.degrees(np.arccos(np.clip(ups @ up, -1.0, 1.0))).max())
        if worst > self.max_tilt_deg / 2:
            raise ValueError(
                f"the device moved during the calibration walk (gravity direction changed by "
                f"up to {2 * worst:.0f} deg between bouts); keep it in one place"
            )
        odd = ev.odd[keep] * y[keep][:, None, None]
        template = odd.mean(axis=0)
        template /= max(float(np.linalg.norm(template)), 1e-12)
        proj = np.einsum("kli,li->k", odd, template)
        consistency = float(np.mean(proj > 0))
        if consistency < self.min_consistency:
            raise ValueError(
                f"the labels fit the signal on only {100 * consistency:.0f} % of steps: check "
                "the labels (in time order) and that the device stayed in place"
            )
        yk = y[keep]
        stamp = (created_at or datetime.now(UTC)).isoformat()
        self.step_projection_ = proj
        self.profile_ = DirectionProfile(
            placement=self.placement,
            template=[[float(x) for x in row] for row in template],
            up=[float(x) for x in up],
            lags=[int(x) for x in DEFAULT_LAGS],
            created_at=stamp,
            source_hash=_source_hash(frame, bouts, np.asarray(ic_samples), list(labels)),
            consistency=round(consistency, 4),
            n_bouts={
                FORWARD: sum(x == FORWARD for x in labels),
                BACKWARD: sum(x == BACKWARD for x in labels),
            },
            n_steps={FORWARD: int((yk > 0).sum()), BACKWARD: int((yk < 0).sum())},
            max_tilt_deg=self.max_tilt_deg,
        )
        return self


def calibrate(
    frame: BodyFrame,
    bouts: list[tuple[int, int]],
    ic_samples: np.ndarray,
    labels: list[str],
    *,
    placement: str = "auto",
    created_at: datetime | None = None,
    **kwargs: Any,
) -> DirectionProfile:
    """Functional form of :class:`DirectionCalibrator` (returns the profile)."""
    cal = DirectionCalibrator(placement, **kwargs)
    return cal.fit(frame, bouts, ic_samples, labels, created_at=created_at).profile_

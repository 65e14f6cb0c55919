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

The calibration walk itself must be worn one way. A phone taken out of the
pocket at the end of the walk (or put in at its start) can leave a short bout
of its own whose gravity direction is far from the walk's; the fit keeps the
labelled bouts of the *main mounting* (the largest group, by usable labelled
steps, whose gravity directions agree within the tilt limit), leaves the
others out and names each in the profile (:attr:`DirectionProfile.left_out`).
It refuses the walk when what it would leave out is more than an accident at
an edge (see :class:`DirectionCalibrator`).

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
class LeftOutBout:
    """A labelled bout of a calibration walk worn differently, left out of the fit.

    Attributes
    ----------
    index
        Its place among the walk's bouts in the order given (1 = first), as the
        labels are given.
    start_s, end_s
        Its span in the calibration recording (seconds).
    label
        The label it was given (``forward`` or ``backward``).
    n_steps
        Its usable labelled steps (straight, labelled), which the fit did not use.
    angle_deg
        Angle between its gravity direction and the main mounting's (device axes).
    """

    index: int
    start_s: float
    end_s: float
    label: str
    n_steps: int
    angle_deg: float

    def note(self) -> str:
        """One line naming the bout and why it was left out."""
        return (
            f"bout {self.index} ({self.start_s:.1f}-{self.end_s:.1f} s, {self.n_steps} "
            f"steps labelled {self.label}) left out: the device sat {self.angle_deg:.0f} deg "
            "differently from the rest of the walk (taken out of a pocket, or moved by hand)"
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LeftOutBout:
        """Inverse of :func:`dataclasses.asdict`."""
        return cls(
            index=int(data["index"]),
            start_s=float(data["start_s"]),
            end_s=float(data["end_s"]),
            label=str(data["label"]),
            n_steps=int(data["n_steps"]),
            angle_deg=float(data["angle_deg"]),
        )


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
    left_out
        Labelled bouts of the calibration walk worn differently from its main
        mounting, not used (empty in profiles saved before this was recorded).
    made_from
        Name of the recording of the calibration walk, as its owner knows it (empty
        when not given, and in profiles saved before this was recorded).
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
    left_out: list[LeftOutBout] = field(default_factory=list)
    made_from: str = ""
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
            left_out=[LeftOutBout.from_dict(x) for x in data.get("left_out", [])],
            made_from=str(data.get("made_from", "")),
        )

    def left_out_notes(self) -> list[str]:
        """One line per labelled bout of the calibration walk that was left out."""
        return [bout.note() for bout in self.left_out]

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


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def _angles_deg(ups: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Angle of each row of ``ups`` (unit vectors) from the unit vector ``up``."""
    return np.degrees(np.arccos(np.clip(ups @ up, -1.0, 1.0)))


def main_mounting(ups: np.ndarray, n_steps: np.ndarray, max_tilt_deg: float) -> np.ndarray:
    """Which bouts form the main mounting of a calibration walk (boolean mask).

    A group of bouts is one mounting when every bout's gravity direction
    (``ups``, unit rows in device axes) lies within ``max_tilt_deg / 2`` of the
    group's mean, the rule the whole walk had to meet before. Candidates: all
    bouts together (so a walk that meets the rule keeps every bout), each bout
    alone, and the group gathered round each bout (the bouts within the limit
    of it, then of their mean, until it settles). The main mounting is the
    candidate with the most usable steps (``n_steps`` per bout), then the most
    bouts, then the first found.
    """
    ups = np.asarray(ups, dtype=np.float64)
    steps = np.asarray(n_steps, dtype=np.int64)
    limit = max_tilt_deg / 2
    m = ups.shape[0]

    def spread(mask: np.ndarray) -> float:
        return float(_angles_deg(ups[mask], _unit(ups[mask].mean(axis=0))).max())

    candidates = [np.ones(m, dtype=bool)] + [np.arange(m) == b for b in range(m)]
    for b in range(m):
        mask = _angles_deg(ups, ups[b]) <= limit
        for _ in range(m):
            grown = _angles_deg(ups, _unit(ups[mask].mean(axis=0))) <= limit
            if not grown.any() or np.array_equal(grown, mask):
                break
            mask = grown
        candidates.append(mask)
    valid = [c for c in candidates if c.any() and spread(c) <= limit]
    return max(valid, key=lambda c: (int(steps[c].sum()), int(c.sum())))


class DirectionCalibrator:
    """Learn the device-frame body-forward axis from bouts labelled forward/backward.

    The labelled bouts must share one mounting of the device (gravity direction
    in device axes within ``max_tilt_deg / 2`` of their mean). When they do not,
    the fit keeps the main mounting (:func:`main_mounting`: the largest group by
    usable labelled steps) and leaves the other labelled bouts out, naming each
    in :attr:`DirectionProfile.left_out`: typically the phone taken out of the
    pocket at the end of the walk, a few steps at a steep angle. It refuses the
    walk ("the device moved during the calibration walk") instead when

    - the main mounting holds less than ``min_main_share`` of the usable
      labelled steps: a quarter of the walk worn another way is not a handling
      moment at an edge but a second way of wearing the device, and which one
      the person wears is not known;
    - a direction the person labelled (forward or backward) has no usable step
      left in the main mounting: a guided calibration walks forward, then
      backward, in one mounting; if one part sat differently (the device turned
      or moved between the parts), a profile learned from the other part alone
      would hide that the walk was not what the person meant, so they are asked
      to walk it again. (A device turned only about the vertical between the
      parts keeps its gravity direction; then the labels contradict the signal
      and ``min_consistency`` refuses.)
    - the main mounting has fewer than ``min_steps`` usable labelled steps.

    Parameters
    ----------
    placement
        Stored with the profile; a profile is only used for this placement.
    min_steps
        Labelled, non-turning steps needed. Measured with every calibration of
        the benchmark cut to its first ``k`` usable steps
        (``benchmarks/direction.py --calibration-steps``): with 5 or 6, pocket
        phones' templates come out reversed (phone-steps: 496 and 501 of one
        person's steps called backward, a call wrong at 0.99; with 5 also 241
        of another's), and the one real backward walker's pocket take calls two of
        its turning steps forward; with 7 or 8 nothing is wrong. Chosen
        leave-one-person-out it is 7 for every person; 8 keeps a step of
        margin and costs, on these data, one refused 7-step walk (mobgap-lab
        HA_002 Test5 Trial1) with the same calibrated figures. Where it fails:
        the real backward walker's forward walk gives the pocket 5 usable steps
        (7 s with a U-turn in the middle), so it cannot calibrate the pocket;
        and the consistency check (``min_consistency``) says little on so few
        steps, since it tests the template on the steps it was fitted on.
    min_consistency
        Fraction of labelled steps whose own sign must agree with the learned
        template; below it the labels and the signal disagree (wrong labels, or
        the device moved during the walk) and no profile is made.
    max_tilt_deg
        Largest change of the gravity direction (device axes) between labelled
        bouts of one mounting, and later between the calibration and a
        recording using it.
    min_main_share
        Smallest share of the usable labelled steps the main mounting must hold;
        below it the walk is refused rather than partly left out.
    max_turn_rate_rads
        Steps turning faster are ignored (see :mod:`retrowalk.gait.direction`).

    Attributes
    ----------
    profile_ : DirectionProfile
        The fitted profile.
    step_projection_ : ndarray
        Each used step's ``o_k . T`` times its label sign (positive = consistent).
    left_out_ : list of LeftOutBout
        Labelled bouts left out as worn differently (also in the profile).
    """

    def __init__(
        self,
        placement: str = "auto",
        *,
        min_steps: int = 8,
        min_consistency: float = 0.8,
        max_tilt_deg: float = 30.0,
        min_main_share: float = 0.75,
        max_turn_rate_rads: float | None = MAX_TURN_RATE_RADS,
    ) -> None:
        self.placement = placement
        self.min_steps = min_steps
        self.min_consistency = min_consistency
        self.max_tilt_deg = max_tilt_deg
        self.min_main_share = min_main_share
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
            moved during the walk more than the main mounting allows (see the
            class), or the labels contradict the signal.
        """
        if len(labels) != len(bouts):
            raise ValueError(f"{len(labels)} labels for {len(bouts)} bouts")
        bouts = [(int(a), int(b)) for a, b in bouts]
        ev = step_evidence(frame, bouts, ic_samples, DEFAULT_LAGS, self.max_turn_rate_rads)
        sign = np.array([1.0 if x == FORWARD else -1.0 if x == BACKWARD else 0.0 for x in labels])
        owner = ev.windows.bout_index
        y = sign[owner] if owner.size else np.zeros(0)
        usable = (y != 0) & ~ev.turning
        if int(usable.sum()) < self.min_steps:
            raise ValueError(
                f"only {int(usable.sum())} usable labelled steps (need {self.min_steps}): "
                "walk longer, straight, with the device worn as usual"
            )
        labelled = np.flatnonzero(sign != 0)
        steps = np.bincount(owner[usable], minlength=len(bouts))[labelled]
        main = main_mounting(ev.bout_up[labelled], steps, self.max_tilt_deg)
        up = _unit(ev.bout_up[labelled[main]].mean(axis=0))
        angles = _angles_deg(ev.bout_up[labelled], up)
        self._check_mounting(sign[labelled], steps, main, angles)
        keep = usable & np.isin(owner, labelled[main])
        odd = ev.odd[keep] * y[keep][:, None, None]
        template = _unit(odd.mean(axis=0))
        proj = np.einsum("kli,li->k", odd, template)
        consistency = float(np.mean(proj > 0))
        if consistency < self.min_consistency:
            raise ValueError(
                f"the labels fit the signal on only {100 * consistency:.0f} % of steps: check "
                "the labels (in time order) and that the device stayed in place"
            )
        fs = frame.sampling_rate_hz
        self.left_out_ = [
            LeftOutBout(
                index=int(b) + 1,
                start_s=round(bouts[b][0] / fs, 2),
                end_s=round(bouts[b][1] / fs, 2),
                label=labels[b],
                n_steps=int(steps[i]),
                angle_deg=round(float(angles[i]), 1),
            )
            for i, b in enumerate(labelled)
            if not main[i]
        ]
        yk = y[keep]
        used = sign[labelled[main]]
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
            n_bouts={FORWARD: int((used > 0).sum()), BACKWARD: int((used < 0).sum())},
            n_steps={FORWARD: int((yk > 0).sum()), BACKWARD: int((yk < 0).sum())},
            max_tilt_deg=self.max_tilt_deg,
            left_out=list(self.left_out_),
        )
        return self

    def _check_mounting(
        self, sign: np.ndarray, steps: np.ndarray, main: np.ndarray, angles: np.ndarray
    ) -> None:
        """Refuse a walk whose bouts outside the main mounting are more than an edge accident.

        ``sign``, ``steps``, ``main`` and ``angles`` are per labelled bout: its
        label sign, usable steps, whether it is in the main mounting and its
        angle from the main mounting's gravity direction.
        """
        if main.all():
            return
        total = int(steps.sum())
        kept = int(steps[main].sum())
        lost = [
            name
            for s, name in ((1.0, FORWARD), (-1.0, BACKWARD))
            if steps[sign == s].sum() > 0 and steps[main & (sign == s)].sum() == 0
        ]
        why = ""
        if lost:
            why = f"every {' and '.join(lost)} bout sat differently from the rest"
        elif kept < self.min_main_share * total:
            why = (
                f"the bouts worn differently hold {100 * (total - kept) / total:.0f} % of the "
                "labelled steps"
            )
        elif kept < self.min_steps:
            why = f"only {kept} usable labelled steps were worn one way (need {self.min_steps})"
        if why:
            raise ValueError(
                f"the device moved during the calibration walk (gravity direction changed by "
                f"up to {float(angles.max()):.0f} deg between bouts; {why}); keep it in one place"
            )


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

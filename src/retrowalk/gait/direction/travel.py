"""Where the body travels, as a vector in device axes: the travel-following cue.

Physics
-------
The trunk vaults over the stance foot like an inverted pendulum and is braked
by each foot contact (Zijlstra & Hof 2003, Gait Posture 18:1): after a contact
the body decelerates while it rises, then accelerates while it falls towards
the next contact. Both happen along the *travel*, whichever way the body
faces, because time still runs forwards in backward walking: the contact
still brakes the travel. The time-odd part ``o_k(tau) = c(tau) - c(-tau)`` of
the stride's vertical x horizontal cross-correlation (see
:mod:`retrowalk.gait.direction.features`) therefore points along the travel
direction with a lag pattern ``w(tau)`` that is the same for everyone:

    t_k = sum_tau w(tau) o_k(tau)           (a horizontal 3-vector, device axes)

points where step ``k`` travels. ``w`` was fitted once on forward walking with
known sensor axes (:data:`TRAVEL_TEMPLATE`, ``benchmarks/direction.py
--fit-travel``; lower back, 15 people of ipol-gait and mobgap-lab; each person
left out in turn keeps a correlation of 0.94-1.00 with the pooled pattern).

Measured on real backward walking (motion capture, one person, lower back and
thigh): ``t_k`` turns round with the travel (93 % of the backward steps point
opposite to the body-forward axis that forward walks of two other people give;
forward walks of those people: 100 %). It is therefore a *travel-following*
cue: it tells where the body goes in device axes, and nothing about which way
the body faces. The walking direction is the sign of ``t_k`` along a
body-forward axis, which must come from elsewhere (a body-fixed anchor,
:mod:`retrowalk.gait.direction.anchor`, or a calibration).

Where it fails: turning steps (dropped), shuffling without a clear vault
(weak ``|t_k|``), and placements that do not move with the trunk or thigh (a
phone swinging in a bag or held in the hand), where the pattern is another one.
Daily life is the hard case. With the true forward axis standing in for a
perfect anchor (``benchmarks/direction.py --travel``), the stride windows of
straight walking point forward in 99 % of ipol-gait's lab walks but only in
78 % of mobgap-lab's simulated daily life (Test11, 3 people: slow, short,
irregular strides, median ``|t_k|`` about a third of lab walking), and half of
its strides turn faster than 0.35 rad/s, where 59-76 % point forward. So even
with the facing known, 13 % of Test11's bout time has too few straight steps to
call and 18 % travels mostly across the forward axis. Loosening the rules was
measured and rejected: calling bouts from 4 or 5 straight steps, or using
strides turning up to 0.5-0.7 rad/s, calls ipol-gait's turning shuffles after
the walk backward (1-3 bouts), and the looser turn limits also put 9 % of Test11
bout time backward; chosen leave-one-person-out, the looser step count gives the
person left out a backward bout.

What limits the cue in daily life is the walking more than the contacts.
Against the reference system's contacts (mobgap-lab Test11, the true axis,
straight windows; ``benchmarks/direction.py --travel``): windows whose three
contacts lie within 0.15 s of the reference's travel forward in 98 % of 56,
windows with a contact off in 74 % of 54, and windows outside the reference's
walking (shuffles, turns, steps before sitting) in 57 % of 44. But the places
with a contact off, read with the reference's own contacts, do hardly better:
its stride window around the contact nearest each window's centre travels
forward in 77 % of 53 (the detected windows there: 75 %), and its stride span
centred on the detected step in 68 %; with the reference's contacts and
walking bouts throughout, 88 % of 100; and from those, with the true axis as
the anchor and the shipped rules, 51 % of the reference's walking time is
called forward (from the detected ones: 69 % of the bout time). A contact is
off where the walking is slow and irregular, and there the cue is weak whatever the contacts (slower
than preferred walking makes the trunk's acceleration less regular from
stride to stride: Kavanagh 2009, J NeuroEng Rehabil 6:9). The template reads
the step: against the lags, it weighs the window's second harmonic (the step
frequency) -2.82 and every other harmonic 0.13 or less, so ``t_k`` is in
effect the quadrature of vertical and horizontal acceleration at the step
frequency (keeping harmonics 1-3, 1-4, 1-5 or 1-8 instead of 1-6 moves the
share of straight windows travelling forward by 0.1 % at most, ipol-gait and
Test11). HA_002's 21-s bout at 17.9 s is the reference's slowest walk (3.5 m in 18 s,
18 reference contacts, mostly turning), where 29 contacts are detected: its
10 straight windows travel both ways (clearly: one forward, two backward), so
it is uncertain whatever its sideways share; with the reference's contacts its
5 straight windows all travel forward, but weakly, and it stays uncertain (too
few straight steps), as HA_001's walk at 28.6 s does. Of Test11's 201 s of bout
time, 43 s is not called forward (uncalibrated): 22 s inside the reference's
walking (that bout, and HA_001's at 28.0 s: too few straight steps) and 21 s
outside it, left uncertain on purpose; with every second inside the
reference's walking called forward the bout time forward would be 89.7 %
(``benchmarks/direction.py``: "not forward, outside reference walking"), and
with those two bouts called forward whole, 91.0 %.

Measured and rejected (``benchmarks/direction.py``, Test11 bout time forward
uncalibrated 78.6 % before; per window, the true axis as above):

- Leaving out windows whose two steps last or look unlike (a proxy for a
  contact off): it removes more evidence than noise (fewer daily-life bouts
  called, a pocket's alternating steps lost). Likewise leaving out windows
  whose vertical acceleration is not strongest at their second harmonic (one
  step in them, not two): the 18 windows with a contact off that remain all
  travel forward, but with the true axis Test11's bout time forward falls from
  69.2 to 50.3 % (too few straight steps). Taking for such a window the span
  of detected contacts around the step, one further on either side, whose
  vertical acceleration is strongest at its second harmonic finds hardly any
  (with a contact off 73.6 % forward): the contacts off are not a clean
  double detection.
- A window spanning a robust local stride (the bout's median stride, the
  median of the 5 or 7 strides around the step, or twice the median of the
  steps around it), centred on the step, instead of the exact neighbouring
  contacts: windows with a contact off 78-80 % forward, but Test11 66.0-73.2 %,
  and the real backward walker's whole take (motion capture, lower back)
  calls 64-71 % of its forward segment's steps backward (0 % before; with its
  calibration for every such span, also without for two of the three), and
  is no longer split at the change (why was not looked into). Only where the
  exact window lasts more than 20 % longer or shorter than the bout's median
  stride: Test11 66.5 %, the whole take 64 %.
- Two strides per window (``[ic[k-2], ic[k+2]]``, its even harmonics as the
  stride's): ipol-gait's windows 99.7 % forward (98.6 %), but Test11's with a
  contact off 69 %, and with the true axis a Test11 bout goes backward (1.9 %
  of bout time).
- Each window's time-odd vector averaged with its straight neighbours' in the
  bout: windows with a contact off 81.5 % forward and Test11 78.5 %, but
  ipol-gait's lower back 0.6 % of bout time backward (uncalibrated; two bouts
  with the true axis): averaged windows are no longer independent, and the
  rules that count windows (short runs, the ceiling of
  :func:`.classifier.window_ceiling`) count them as if they were.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from retrowalk.dsp.memory import is_file_backed, release, row_chunks
from retrowalk.gait.direction.features import DEFAULT_LAGS, STRIDE_POINTS


@dataclass(frozen=True)
class TravelTemplate:
    """The lag pattern ``w(tau)`` of the time-odd vector for travel along +axis.

    Attributes
    ----------
    lags
        Lags in 1/:data:`STRIDE_POINTS` of a stride.
    weights
        Unit-norm ``w(tau)``, one per lag.
    info
        Where it was fitted and how it held when each person was left out.
    """

    lags: np.ndarray
    weights: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stride_points": STRIDE_POINTS,
            "lags": [int(x) for x in self.lags],
            "weights": [round(float(x), 6) for x in self.weights],
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TravelTemplate:
        if int(data.get("stride_points", STRIDE_POINTS)) != STRIDE_POINTS:
            raise ValueError("travel template was fitted with a different stride resolution")
        w = np.asarray(data["weights"], dtype=np.float64)
        return cls(np.asarray(data["lags"], dtype=np.int64), w / np.linalg.norm(w), data["info"])


@lru_cache(maxsize=1)
def default_travel_template() -> TravelTemplate:
    """The template shipped in ``retrowalk/data/direction_travel.json``."""
    text = resources.files("retrowalk").joinpath("data/direction_travel.json").read_text()
    return TravelTemplate.from_dict(json.loads(text))


def travel_vectors(odd: np.ndarray, template: TravelTemplate | None = None) -> np.ndarray:
    """``(k, 3)`` travel vector ``t_k = sum_tau w(tau) o_k(tau)`` of each step.

    ``odd`` holds the time-odd parts at :data:`DEFAULT_LAGS` (as
    :func:`~retrowalk.gait.direction.features.step_evidence` computes them).
    """
    tpl = template or default_travel_template()
    if not np.array_equal(tpl.lags, DEFAULT_LAGS):
        raise ValueError("travel template lags differ from the step evidence lags")
    if odd.shape[0] == 0:
        return np.zeros((0, 3))
    if not is_file_backed(odd):
        return np.einsum("kli,l->ki", odd, tpl.weights)
    # a long recording's, in a temporary file: a block of steps at a time, each
    # handed back once read (each step's vector is its own sum: the same numbers)
    out = np.empty((odd.shape[0], 3))
    for a, b in row_chunks(odd.shape[0], _STEP_ROWS):
        out[a:b] = np.einsum("kli,l->ki", odd[a:b], tpl.weights)
        release(odd, a, b)
    return out


_STEP_ROWS = 1 << 14
"""Steps' phase vectors read at a time from a file (about 2 h of walking)."""


def projected(odd: np.ndarray, rows: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """``einsum("kli,li->k", odd[rows], axis)``: the steps ``rows`` on a lag-by-axis template.

    A file-backed ``odd`` (a long recording's) is read a block of steps at a
    time and handed back; each step's sum is its own, so the numbers are the
    same.
    """
    if not is_file_backed(odd):
        return np.einsum("kli,li->k", odd[rows], axis)
    out = np.empty(rows.size)
    for a, b in row_chunks(rows.size, _STEP_ROWS):
        out[a:b] = np.einsum("kli,li->k", odd[rows[a:b]], axis)
        release(odd, int(rows[a]), int(rows[b - 1]) + 1)
    return out


def fit_travel_template(odd_along_forward: list[np.ndarray]) -> np.ndarray:
    """Unit-norm mean lag pattern of ``o_k(tau) . forward`` over groups (people).

    Each array is ``(k, n_lags)``: one person's steps projected on their known
    body-forward axis (forward walking). Every person weighs the same.
    """
    means = np.array([g.mean(axis=0) for g in odd_along_forward if g.size])
    w = means.mean(axis=0)
    return w / max(float(np.linalg.norm(w)), 1e-12)

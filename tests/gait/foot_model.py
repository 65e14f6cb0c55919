"""A kinematic model of a foot sensor walking backward, toe first (mechanics only).

The foot is a rigid body in the sagittal plane (heel 8 cm behind, toe tip 17 cm
in front of the sensor, the sensor 6 cm above the sole). Each stride of the
model follows the description of backward walking by Winter et al. (1989,
J Biomech 22:519) and Grasso et al. (1998, J Neurophysiol 80:1868): flat-foot
rest; the toe lifts while the heel stays down; the foot leaves heel-last and
travels backward while it tips toe-down; the toe tip lands first with the heel
raised; the foot rolls down onto the heel about the toe tip. Two variants that
real backward swings may show and that broke the earlier stance logic:

- ``reversal_deg``: the pitch turns round in mid-swing (toe-down, back up by
  this much, toe-down again), so the swing holds two same-sign lobes of the
  pitch rate;
- ``glide_share``: the foot glides at constant velocity and pitch for this
  share of the swing, so the zero-velocity detector sees a quiet moment in
  the air.

The sensor signals are exact derivatives of the prescribed motion (specific
force and angular rate in sensor axes), plus small white noise. This is a
model: it tests mechanics (segmentation, integration, direction), never
accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal
from scipy.interpolate import PchipInterpolator

G_MPS2 = 9.81
HEEL = np.array([-0.08, 0.0])
TOE = np.array([0.17, 0.0])
SENSOR = np.array([0.0, 0.06])
FINE_HZ = 1000


@dataclass
class ModelWalk:
    """Signals of the model and its ground truth (samples at ``sampling_rate_hz``)."""

    acc_mps2: np.ndarray
    gyro_rads: np.ndarray
    sampling_rate_hz: float
    toe_landings: np.ndarray
    stride_m: float
    toe_axis: np.ndarray


def _rot(theta: float) -> np.ndarray:
    """Foot (x to the toe, z up) to world, toe-up positive."""
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def _smooth(n: int) -> np.ndarray:
    u = np.linspace(0.0, 1.0, n, endpoint=False)
    return 10 * u**3 - 15 * u**4 + 6 * u**5


def backward_walk(
    *,
    n_strides: int = 8,
    stride_m: float = 1.3,
    swing_s: float = 0.48,
    stance_s: float = 0.30,
    lift_deg: float = 12.0,
    land_deg: float = 32.0,
    reversal_deg: float = 0.0,
    glide_share: float = 0.0,
    sampling_rate_hz: float = 100.0,
    seed: int = 0,
) -> ModelWalk:
    """Standing 1 s, ``n_strides`` toe-first backward strides, standing 1 s."""
    pitch: list[np.ndarray] = []
    path: list[np.ndarray] = []
    landings: list[int] = []
    x0 = 0.0

    def stand(n: int, x: float) -> None:
        pitch.append(np.zeros(n))
        path.append(np.tile([x + SENSOR[0], SENSOR[1]], (n, 1)))

    stand(FINE_HZ, x0)
    for _ in range(n_strides):
        stand(int(stance_s * FINE_HZ), x0)
        # The toe lifts about the heel, which stays down.
        heel = np.array([x0 + HEEL[0], 0.0])
        th = np.radians(lift_deg) * _smooth(int(0.08 * FINE_HZ))
        pitch.append(th)
        path.append(np.array([heel + _rot(t) @ (SENSOR - HEEL) for t in th]))
        th_lift = np.radians(lift_deg)
        start = heel + _rot(th_lift) @ (SENSOR - HEEL)
        # Swing backward to a toe-first landing pose.
        x1 = x0 - stride_m
        toe = np.array([x1 + TOE[0], 0.0])
        th_land = -np.radians(land_deg)
        end = toe + _rot(th_land) @ (SENSOR - TOE)
        n = int(swing_s * FINE_HZ)
        u = np.linspace(0.0, 1.0, n, endpoint=False)
        mid = th_lift + 0.6 * (th_land - th_lift)
        if glide_share:
            h0, h1 = 0.5 - glide_share / 2, 0.5 + glide_share / 2
            rise = np.sin(np.pi * u / (2 * h0)) ** 2
            fall = np.cos(np.pi * (u - h1) / (2 * (1 - h1))) ** 2
            speed = np.where(u < h0, rise, np.where(u > h1, fall, 1.0))
            s = np.cumsum(speed)
            s = (s - s[0]) / (s[-1] - s[0])
            bump = speed
            th = PchipInterpolator([0, h0, h1, 1.0], [th_lift, mid, mid, th_land])(u)
        else:
            s = _smooth(n)
            bump = np.sin(np.pi * u) ** 2
            if reversal_deg:
                keys = [th_lift, mid, mid + np.radians(reversal_deg), th_land]
                th = PchipInterpolator([0, 0.4, 0.65, 1.0], keys)(s)
            else:
                th = th_lift + s * (th_land - th_lift)
        p = start + s[:, None] * (end - start)
        p[:, 1] += 0.08 * bump
        pitch.append(th)
        path.append(p)
        landings.append(sum(len(x) for x in pitch))
        # The foot rolls down onto the heel about the toe tip.
        th = th_land * (1.0 - _smooth(int(0.14 * FINE_HZ)))
        pitch.append(th)
        path.append(np.array([toe + _rot(t) @ (SENSOR - TOE) for t in th]))
        x0 = x1
    stand(FINE_HZ, x0)

    theta = np.concatenate(pitch)
    pos = np.vstack(path)
    sos = signal.butter(2, 30 / (FINE_HZ / 2), output="sos")
    pos = signal.sosfiltfilt(sos, pos, axis=0)
    theta = signal.sosfiltfilt(sos, theta)
    dt = 1.0 / FINE_HZ
    acc_world = np.gradient(np.gradient(pos, dt, axis=0), dt, axis=0)
    acc_world[:, 1] += G_MPS2
    c, s_ = np.cos(theta), np.sin(theta)
    # Sensor axes: x to the toe, y to the left, z up; toe-up is a turn about -y.
    acc = np.column_stack(
        [c * acc_world[:, 0] + s_ * acc_world[:, 1], np.zeros_like(c),
         -s_ * acc_world[:, 0] + c * acc_world[:, 1]]
    )  # fmt: skip
    gyro = np.column_stack([np.zeros_like(c), -np.gradient(theta, dt), np.zeros_like(c)])
    step = round(FINE_HZ / sampling_rate_hz)
    rng = np.random.default_rng(seed)
    acc = acc[::step] + 0.03 * rng.standard_normal(acc[::step].shape)
    gyro = gyro[::step] + 0.01 * rng.standard_normal(gyro[::step].shape)
    return ModelWalk(
        acc_mps2=acc,
        gyro_rads=gyro,
        sampling_rate_hz=sampling_rate_hz,
        toe_landings=np.asarray(landings, dtype=np.int64) // step,
        stride_m=stride_m,
        toe_axis=np.array([1.0, 0.0, 0.0]),
    )

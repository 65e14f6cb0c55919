"""The reference gait tools' inputs and calls, shared by the anchor benchmarks.

Imported only in the reference tools' own environment (``.bench-venv``:
numpy, pandas and the tools), by the scripts that ``anchors.py`` and
``anchor_accuracy.py`` run there; retrowalk's environment never imports it
(it holds no retrowalk code either). Each tool is imported where it is
called, so a script pays only for the tool it runs.

The sensor axes: the ipol-gait lower-back sensor has X up, Y left and Z
backward; its foot sensors X towards the heel, Y right and Z up (Voisard et
al. 2023); the mobgap-lab recordings are in mobgap's own axes already.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

FS = 100.0
#: The participant of a recording without metadata (the ipol-gait people are healthy adults).
PARTICIPANT: dict[str, Any] = {
    "height_m": 1.7,
    "sensor_height_m": 0.95,
    "cohort": "HA",
    "foot_length_cm": 26,
    "weight_kg": 70,
    "sensor_type_su": "",
    "handedness": "right",
    "indip_data_used": "",
}


def _frame(acc: np.ndarray, gyro_deg: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "acc_x": acc[:, 0], "acc_y": acc[:, 1], "acc_z": acc[:, 2],
        "gyr_x": gyro_deg[:, 0], "gyr_y": gyro_deg[:, 1], "gyr_z": gyro_deg[:, 2],
    })  # fmt: skip


def mobgap_lower_back(
    acc_mps2: np.ndarray, gyro_rads: np.ndarray, ipol: bool = True
) -> pd.DataFrame:
    """A lower-back recording in mobgap's sensor frame (x up, y ML, z AP forward), gyro in deg/s.

    ipol-gait (X up, Y left, Z backward): a proper rotation, 180 degrees about x.
    """
    turn = np.array([1.0, -1.0, -1.0]) if ipol else np.ones(3)
    return _frame(acc_mps2 * turn, np.rad2deg(gyro_rads) * turn)


def mobgap_datapoint(
    frame: pd.DataFrame, participant: dict[str, Any] | None = None, condition: str = "free_living"
) -> Any:
    """One mobgap datapoint of a lower-back recording (``PARTICIPANT`` where not given)."""
    from mobgap.data import GaitDatasetFromData

    return GaitDatasetFromData(
        {"p1": {"LowerBack": frame}},
        FS,
        {"p1": {**PARTICIPANT, **(participant or {})}},
        {"p1": {"measurement_condition": condition}},
    )[0]


def mobgap_pipeline(cohort: str = "HA") -> Any:
    """The Mobilise-D pipeline mobgap recommends for the cohort: ``MobilisedPipelineImpaired``
    for the cohorts it lists (MS, PD, PFF), ``MobilisedPipelineHealthy`` otherwise."""
    from mobgap.pipeline import MobilisedPipelineHealthy, MobilisedPipelineImpaired

    impaired = MobilisedPipelineImpaired.PredefinedParameters.impaired_walking
    if cohort in impaired["recommended_cohorts"]:
        return MobilisedPipelineImpaired()
    return MobilisedPipelineHealthy()


def skdh_inputs(acc_mps2: np.ndarray, gyro_rads: np.ndarray) -> tuple[np.ndarray, ...]:
    """Time stamps (s, an arbitrary epoch), acceleration in g and angular rate (rad/s)."""
    t = 1.7e9 + np.arange(acc_mps2.shape[0]) / FS
    return t, acc_mps2 / 9.81, gyro_rads


def skdh_gait(
    t: np.ndarray,
    acc_g: np.ndarray,
    gyro: np.ndarray,
    height_m: float = 1.7,
    bouts: np.ndarray | None = None,
) -> dict[str, Any]:
    """``skdh.gait.GaitLumbar``'s results on the gait bouts ``bouts`` (start, stop indices);
    ``None``: the bouts its gait classifier ``PredictGaitLumbarLgbm`` finds."""
    from skdh.context import PredictGaitLumbarLgbm
    from skdh.gait import GaitLumbar

    if bouts is None:
        found = PredictGaitLumbarLgbm().predict(time=t, accel=acc_g, fs=FS)
        bouts = np.column_stack([found["Gait Bout Start Index"], found["Gait Bout Stop Index"]])
    return GaitLumbar().predict(
        time=t, accel=acc_g, gyro=gyro, fs=FS, height=height_m, gait_bouts=bouts
    )


def gaitmap_feet(
    left: tuple[np.ndarray, np.ndarray], right: tuple[np.ndarray, np.ndarray]
) -> dict[str, pd.DataFrame]:
    """Both ipol-gait foot sensors ((acc m/s^2, gyro rad/s) each) in gaitmap's sensor frame.

    ipol feet (X towards the heel, Y right, Z up) -> gaitmap: x towards the
    toes, y left, z up (180 degrees about z).
    """
    turn = np.array([-1.0, -1.0, 1.0])
    return {
        name: _frame(acc * turn, np.rad2deg(gyro) * turn)
        for name, (acc, gyro) in (("left_sensor", left), ("right_sensor", right))
    }


def gaitmap_aligned(data: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """gaitmap's own sensor alignment: to gravity, the main rotation axis to y (PCA),
    then the forward direction's sign."""
    from gaitmap.preprocessing import align_dataset_to_gravity
    from gaitmap.preprocessing.sensor_alignment import ForwardDirectionSignAlignment, PcaAlignment

    upright = align_dataset_to_gravity(data, sampling_rate_hz=FS)
    pitch = PcaAlignment(target_axis="y", pca_plane_axis=("gyr_x", "gyr_y")).align(upright)
    return (
        ForwardDirectionSignAlignment()
        .align(pitch.aligned_data_, sampling_rate_hz=FS)
        .aligned_data_
    )


def gaitmap_events(data: dict[str, pd.DataFrame]) -> Any:
    """Barth DTW stride segmentation, then Rampp event detection, of both feet."""
    from gaitmap.event_detection import RamppEventDetection
    from gaitmap.stride_segmentation import BarthDtw
    from gaitmap.utils.coordinate_conversion import convert_to_fbf

    body = convert_to_fbf(data, left_like="left_", right_like="right_")
    strides = BarthDtw().segment(body, sampling_rate_hz=FS).stride_list_
    return RamppEventDetection().detect(body, strides, sampling_rate_hz=FS)

"""Moved to :mod:`retrowalk.dsp.frame` and :mod:`retrowalk.dsp.filters`; stays while callers move."""

from retrowalk.dsp.filters import butter_lowpass_sos, lowpass, sosfiltfilt_cached
from retrowalk.dsp.frame import BodyFrame, body_frame, horizontal_basis

_horizontal_basis = horizontal_basis

__all__ = [
    "BodyFrame",
    "body_frame",
    "butter_lowpass_sos",
    "horizontal_basis",
    "lowpass",
    "sosfiltfilt_cached",
]

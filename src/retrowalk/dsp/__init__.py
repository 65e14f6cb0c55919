"""Signal processing shared by the readers, the gait algorithms and video.

- :mod:`retrowalk.dsp.filters`: the one zero-phase Butterworth low-pass.
- :mod:`retrowalk.dsp.frame`: gravity and the rotation-invariant body frame.
"""

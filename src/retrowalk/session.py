"""Moved to :mod:`retrowalk.summary.session` and :mod:`retrowalk.summary.totals`.

This name stays while callers move.
"""

from retrowalk.summary.session import *  # noqa: F403
from retrowalk.summary.session import (  # noqa: F401
    PATTERN_MERGE_GAP_S,
    PATTERN_REGULAR_CV,
    STEP_TIME_MEDIAN_RATIO,
    STEP_TIME_RANGE_S,
    summarise,
)
from retrowalk.summary.totals import MIN_INTERVALS_PER_SIDE  # noqa: F401

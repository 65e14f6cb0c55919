"""Moved to :mod:`retrowalk.core.errors`; this name stays while callers move."""

from retrowalk.core.errors import AnalysisError, InputError, RetrowalkError, UnsupportedFormatError

__all__ = ["AnalysisError", "InputError", "RetrowalkError", "UnsupportedFormatError"]

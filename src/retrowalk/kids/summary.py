"""Moved to :mod:`retrowalk.domain.kids.summary` (the document) and :mod:`retrowalk.app.kids`
(``build_summary``); this name stays while callers move."""

from retrowalk.app.kids import build_summary
from retrowalk.domain.kids.summary import *  # noqa: F403
from retrowalk.domain.kids.summary import ChildSummary, to_csv, to_html, to_json, write_summary

__all__ = ["ChildSummary", "build_summary", "to_csv", "to_html", "to_json", "write_summary"]

"""Coaching: safe-start screening, backward-walking plans, progression, weekly view.

Plain, data-driven rules (data files in ``retrowalk/data/coach``) fed by stored
records and analysis summaries, never by raw signals.
"""

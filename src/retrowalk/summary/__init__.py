"""What an analysis adds up to, each aggregate computed once.

- :mod:`retrowalk.summary.energy`: energy of a bout (ACSM forward, a
  Compendium-anchored backward model).
- :mod:`retrowalk.summary.totals`: direction totals, cadence, speed, steadiness.
- :mod:`retrowalk.summary.session`: the session summary (JSON ``session``).
- :mod:`retrowalk.summary.progress`: backward figures per analysis and per week.
- :mod:`retrowalk.summary.tables`: tidy per-recording, per-bout, per-step tables.
- :mod:`retrowalk.summary.contract`: the JSON contract of an analysis.
"""

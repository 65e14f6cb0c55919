"""Domain rules: coaching, clinical tests, children's milestones and Learn content.

Plain, data-driven modules fed by analyses and stored records, never by raw
signals; their norms, doses, milestone windows and content live in data files
under ``retrowalk/data/`` with their citations. Nothing here imports the store:
the use cases that read and write records are in :mod:`retrowalk.app`.
"""

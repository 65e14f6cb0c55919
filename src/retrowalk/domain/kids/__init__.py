"""Children's backward crawling and walking: corrected age, milestones, guidance.

Plain, data-driven modules: the milestone windows and the red-flag rules live in
``retrowalk/data/kids/*.toml`` with their sources; these modules only read them
and apply them to a child's stored profile and observation log.
"""

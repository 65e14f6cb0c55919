"""Clinical backward-walk tests: the 3-metre backward walk test and backward walking speed.

Norms, cut-offs and minimal detectable changes are in ``retrowalk/data/assess``
with their citations.
"""

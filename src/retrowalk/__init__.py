"""retrowalk: measure, coach and track backward walking."""

__version__ = "0.1.0"

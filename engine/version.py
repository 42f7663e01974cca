"""The engine version, recorded in every trace so a replay can say which engine made it."""

__version__ = "0.1.0"

"""Lifeline: an omnichannel conversation hub with live video assist."""

__version__ = "0.1.0"

"""Load scenarios for ``hub bench``."""

"""The test kit: every helper the tests share, written once (fixtures stay in conftest.py)."""

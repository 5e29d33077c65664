"""Fixtures by concern, registered from tests/conftest.py with `pytest_plugins`."""

"""Unit tests exercise the pure engine: no app, no database."""

import pytest


@pytest.fixture(autouse=True)
def _clean_state():
    """Replaces the app-level fixture of the same name: nothing to clean here."""
    yield

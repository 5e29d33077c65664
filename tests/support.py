"""Plain constants and the skip-or-fail rule shared by the test modules and their plugins.

Helpers that act on an app, a client, a page or the command line are fixtures, in
`tests/plugins/`; only values needed while collecting (paths, viewports) live here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SCREENSHOTS = ROOT / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# The password of every console user a test creates.
PASSWORD = "correct horse battery staple"

IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str):
    """Skip locally when a service is missing; in CI a missing service is a failure."""
    if IN_CI:
        pytest.fail(f"CI では必須です: {reason}")
    pytest.skip(reason)

"""The `kb` command line, run as a separate process the way scripts and admins run it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

KB = [sys.executable, "-m", "web.cli"] if not shutil.which("kb") else [shutil.which("kb")]


@pytest.fixture(scope="session")
def run_kb():
    """`run_kb(args, instance, stdin=None, env=None)`: `kb` on that instance folder, finished."""

    def run_kb(args, instance: Path, stdin: str | None = None, env: dict | None = None):
        return subprocess.run(
            [*KB, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, "HELPDESK_INSTANCE": str(instance), **(env or {})},
            timeout=120,
            check=False,
        )

    return run_kb

"""The Makefile's targets work in a fresh clone: they use nothing outside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_eval_reads_only_evaluation_sets_inside_the_repository():
    # `make -n` prints the commands without running them (and without installing anything).
    commands = subprocess.run(
        ["make", "-n", "-o", "install", "eval"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sets = re.findall(r"[\w./-]+\.(?:tsv|json)", commands)
    assert sets, commands
    for name in sets:
        path = (ROOT / name).resolve()
        assert path.is_relative_to(ROOT), f"{name} is outside the repository"
        assert path.exists(), f"{name} does not exist"

"""The mutant harness inside the suite: every declared mutant (tests/mutants/run.py) must be
killed by the tests named for it. The unmutated run is skipped: this suite runs the same tests
on the unmutated code."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.mutants
def test_every_declared_mutant_is_killed():
    result = subprocess.run(
        [sys.executable, "tests/mutants/run.py", "--all", "--no-baseline"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    report = result.stdout.strip().splitlines()
    assert report, result.stderr[-3000:]
    assert re.fullmatch(r"\d+ killed, 0 survived", report[-1]), "\n".join(report)
    assert int(report[-1].split()[0]) >= 20
    assert result.returncode == 0

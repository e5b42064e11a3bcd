"""The mutant harness inside the suite: every declared mutant (tests/mutants/run.py) must be
killed by the tests named for it. The unmutated run is skipped: this suite runs the same tests
on the unmutated code."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import import_script

PROJECT_DIR = Path(__file__).resolve().parents[2]


def declared_mutants():
    return import_script("tests/mutants/run.py", "mutant_run").MUTANTS


def test_every_mutant_text_occurs_exactly_once_in_its_file():
    # Checked in seconds here so a refactor that moves a mutated line fails fast, not after the
    # harness has spent minutes on the mutants before it.
    misplaced = {
        mutant.id: (PROJECT_DIR / mutant.path).read_text().count(mutant.find)
        for mutant in declared_mutants()
        if (PROJECT_DIR / mutant.path).read_text().count(mutant.find) != 1
    }
    assert not misplaced, f"mutant id: occurrences of its text (must be 1): {misplaced}"


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

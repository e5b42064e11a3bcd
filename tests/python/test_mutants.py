"""The mutant harness inside the suite: every declared mutant (tests/mutants/run.py) must be
killed by the tests named for it. The unmutated run is skipped: this suite runs the same tests
on the unmutated code."""

import json
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


def test_a_forked_command_gives_the_exit_status_and_output_a_new_process_would(tmp_path):
    """The harness runs each command in a fork of a process with its imports done: a failing
    test must still read as exit status 1 (killed), a passing one 0, and a usage error or a
    crash as neither (an error, which kills nothing)."""
    (tmp_path / "test_planted.py").write_text(
        "def test_fails():\n    assert 1 + 1 == 3\n\ndef test_passes():\n    pass\n"
    )
    script = f"""
import json, sys
sys.path.insert(0, {str(PROJECT_DIR / "tests" / "mutants")!r})
import run
env = {{"PATH": "/usr/bin:/bin", "HOME": {str(tmp_path)!r}}}
results = {{}}
for name, args in [("fails", ("-k", "fails")), ("passes", ("-k", "passes")),
                   ("usage", ("--no-such-option",))]:
    result = run.run_command(run.pytest("test_planted.py", *args), run.Path({str(tmp_path)!r}),
                             env)
    results[name] = [result.returncode, result.stdout]
crash = run.run_command((run.DBT, "--no-such-option"), run.Path({str(tmp_path)!r}), env)
results["dbt usage"] = [crash.returncode, crash.stdout]
print(json.dumps(results))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)  # fmt: skip
    results = json.loads(result.stdout.strip().splitlines()[-1])
    assert results["fails"][0] == 1 and "assert (1 + 1) == 3" in results["fails"][1]
    assert results["passes"][0] == 0 and "1 passed" in results["passes"][1]
    assert results["usage"][0] not in (0, 1), results["usage"]
    assert results["dbt usage"][0] not in (0, 1) and "no-such-option" in results["dbt usage"][1]

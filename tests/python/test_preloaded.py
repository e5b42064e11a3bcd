"""Commands run through tests/tools/preloaded.py (every dbt command of the suite, every command
of the mutant harness) behave as a new process would: the exit status, the output, the working
folder, exactly the environment given, and the exit handlers run at the end."""

from __future__ import annotations

import shutil
import sys
import threading

from conftest import dbt_launcher

PLANTED_TESTS = """
import atexit
import os
import time

def test_fails():
    assert 1 + 1 == 3

def test_passes():
    time.sleep(1)  # long enough for the other command to start meanwhile

def test_sees_only_the_given_environment():
    assert os.environ["PLANTED"] == "yes" and "PYTEST_XDIST_WORKER" not in os.environ

def test_registers_an_exit_handler():
    # As dbt-duckdb does to close the warehouse file when the process ends.
    atexit.register(lambda: open("exit_handler_ran", "w").close())
"""


PYTEST = (sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-n", "0")


def test_commands_give_the_exit_status_output_folder_and_environment_of_a_new_process(tmp_path):
    (tmp_path / "test_planted.py").write_text(PLANTED_TESTS)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PLANTED": "yes"}
    # The suite's own helpers (run_dbt's): already started on this worker, or started here for
    # the tests after it.
    launcher = dbt_launcher()
    answers = {}

    def run_at_once(name: str) -> None:
        # Two commands at the same time: each gets a helper of its own and its own answer.
        answers[name] = launcher.run((*PYTEST, "test_planted.py", "-k", name), tmp_path, env)

    failed = launcher.run((*PYTEST, "test_planted.py", "-k", "fails"), tmp_path, env)
    exit_handler = launcher.run((*PYTEST, "test_planted.py", "-k", "exit_handler"), tmp_path,
                                env)  # fmt: skip
    usage = launcher.run((*PYTEST, "--no-such-option"), tmp_path, env)
    dbt = launcher.run((shutil.which("dbt"), "--no-such-option"), tmp_path, env)
    threads = [threading.Thread(target=run_at_once, args=(name,))
               for name in ("passes", "environment")]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    helpers = len(launcher._idle)
    # A failing test is 1 (the mutant harness reads it as killed), passing 0, and a usage
    # error in pytest or dbt neither.
    assert failed.returncode == 1 and "assert (1 + 1) == 3" in failed.stdout
    assert exit_handler.returncode == 0 and (tmp_path / "exit_handler_ran").exists()
    assert usage.returncode not in (0, 1), usage
    assert dbt.returncode not in (0, 1) and "no-such-option" in dbt.stderr
    assert helpers >= 2
    assert answers["passes"].returncode == 0 and "test_passes PASSED" in answers["passes"].stdout
    assert "test_sees_only" not in answers["passes"].stdout
    assert answers["environment"].returncode == 0
    assert "test_sees_only_the_given_environment PASSED" in answers["environment"].stdout

"""Run pytest and dbt commands in forks of a helper process that has imported them once.

A new interpreter per command spends 2-3 s importing pytest, dbt and the scientific libraries
(and starting through the shell shim of the ``dbt`` executable) before it does any work; the
test suite runs dozens of dbt commands and the mutant harness dozens of pytest and dbt
commands. ``Launcher().run(command, cwd, env)`` sends a command to a helper
(``python tests/tools/preloaded.py --serve``, started on first use and reused; one per command
running at the same time), which has done the imports and runs the command in a fork of itself:
the same entry points (``pytest.main``, the ``cli`` group the ``dbt`` executable calls), its own
working folder, exactly the environment given, its output captured, its exit handlers run (so
dbt closes its DuckDB file as a process that ends would), its exit status returned.

The helper imports nothing of the project and holds nothing but its imports, so a fork starts
as a new interpreter would: it imports the project's modules from its working folder, and the
only exit handlers it inherits are the imported libraries' own. One difference remains: forks
of one helper share its hash seed, so Python sets of text iterate in the same order in each
(a new interpreter draws a new seed); a test that two runs agree runs one as a new process.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path

# What the commands import before they reach the project's code.
PRELOADED = ("pytest", "numpy", "pandas", "scipy.stats", "sklearn.cluster", "duckdb",
             "threadpoolctl", "dbt.cli.main", "dbt.adapters.duckdb")  # fmt: skip


def preload() -> None:
    for module in PRELOADED:
        # A module that is not installed is left to the command, which reports it.
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


def is_pytest(command: Sequence[str]) -> bool:
    return tuple(command[:3]) == (sys.executable, "-m", "pytest")


def command_main(command: Sequence[str]) -> int:
    """Run a pytest command (``python -m pytest ...``) or a dbt command (``dbt ...``) in this
    process; its exit status."""
    if is_pytest(command):
        import pytest  # noqa: PLC0415  (preloaded; imported where it is used)

        sys.argv = ["pytest", *command[3:]]
        return int(pytest.main(list(command[3:])))
    from dbt.cli.main import cli  # noqa: PLC0415

    sys.argv = ["dbt", *command[1:]]
    try:
        cli.main(args=list(command[1:]), prog_name="dbt")
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    return 0


def run_forked(
    command: Sequence[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess:
    """``command`` in ``cwd`` with exactly ``env``, in a fork of this process where there is
    fork (else as a new process); its exit status, standard output and standard error. Only
    for the helper: a fork runs the exit handlers of the process it was forked from, and forking
    a process with other threads (a pytest-xdist worker) is not safe."""
    if not hasattr(os, "fork"):
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                              check=False)  # fmt: skip
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            status = 2
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                os.chdir(cwd)
                os.environ.clear()
                os.environ.update(env)
                # No bytecode written: the mutant harness changes files and changes them back
                # within a second, which a cached .pyc would not notice.
                sys.dont_write_bytecode = True
                status = command_main(command)
            except BaseException:  # reported in the output; status 2, an error
                traceback.print_exc()
            finally:
                # What the end of a process would do: dbt-duckdb closes the warehouse (which
                # writes its log into the file), the fitting workers are stopped.
                atexit._run_exitfuncs()
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        _, wait_status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    return subprocess.CompletedProcess(
        list(command), os.waitstatus_to_exitcode(wait_status), stdout, stderr
    )


def serve() -> None:
    """The helper: one JSON request per line on standard input (command, cwd, env), one JSON
    answer per line on standard output (returncode, stdout, stderr); ends at end of input."""
    preload()
    channel = os.fdopen(os.dup(1), "w")
    # Nothing else may write to the answer channel: stray prints go to standard error.
    os.dup2(2, 1)
    for line in sys.stdin:
        request = json.loads(line)
        result = run_forked(request["command"], Path(request["cwd"]), request["env"])
        answer = {"returncode": result.returncode, "stdout": result.stdout,
                  "stderr": result.stderr}  # fmt: skip
        channel.write(json.dumps(answer) + "\n")
        channel.flush()


class Launcher:
    """Runs commands through helper processes, one per command running at the same time."""

    def __init__(self) -> None:
        self._idle: list[subprocess.Popen] = []
        self._lock = threading.Lock()

    def _helper(self) -> subprocess.Popen:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return subprocess.Popen(
            [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip

    def run(
        self, command: Sequence[str], cwd: Path, env: dict[str, str]
    ) -> subprocess.CompletedProcess:
        helper = self._helper()
        assert helper.stdin and helper.stdout
        request = {"command": list(command), "cwd": str(cwd), "env": env}
        helper.stdin.write(json.dumps(request) + "\n")
        helper.stdin.flush()
        line = helper.stdout.readline()
        if not line:
            raise RuntimeError(f"the command helper stopped (status {helper.wait()}): {command}")
        answer = json.loads(line)
        with self._lock:
            self._idle.append(helper)
        return subprocess.CompletedProcess(
            list(command), answer["returncode"], answer["stdout"], answer["stderr"]
        )

    def close(self) -> None:
        with self._lock:
            helpers, self._idle = self._idle, []
        for helper in helpers:
            assert helper.stdin
            helper.stdin.close()
            helper.wait()


if __name__ == "__main__":
    if sys.argv[1:] != ["--serve"]:
        raise SystemExit("usage: python tests/tools/preloaded.py --serve (see the docstring)")
    serve()

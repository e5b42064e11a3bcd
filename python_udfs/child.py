"""Run one bounded, compute-heavy function in a child Python process.

dbt runs Python models in threads of one process, so they share the interpreter lock. The fits
hold it for much of their run: scipy's Ward linkage keeps it for 2-3 s on 10,000 rows without a
break, and the cross-validated fits release it only inside their compiled loops. Meanwhile
dbt's other thread can neither render, query nor fit. Measured with two threads on two cores,
Ward beside a gradient-boosting fit took 3.4 s against 2.2 s one after the other.

A fit whose input is capped (a sample of at most ``max_train_rows`` contacts, Ward's metric
sample) therefore runs in ``python -m python_udfs.child``: the request ``(module, function, args,
kwargs)`` and the result cross pipes, pickled (only between this package and itself), the child's
native thread pools get the parent's share of the cores, and its progress lines reach dbt's log as
they happen. The child costs its interpreter start and imports (about 2 s of one core), so only
fits that run for seconds go there, and never a whole-population input, which would be copied.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from python_udfs import progress
from python_udfs.progress import log_progress

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def child_environment(threads: int) -> dict[str, str]:
    """The parent's environment, with this package importable, the native pools capped at
    ``threads`` and progress lines sent to stderr for the parent to relay."""
    python_path = [str(PACKAGE_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(python_path),
        progress.CHILD_VARIABLE: "1",
        **dict.fromkeys(THREAD_VARIABLES, str(max(1, threads))),
    }


def call_in_child(function: Callable[..., Any], *args: Any, threads: int = 1, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` computed in a child process with ``threads`` native threads.

    ``function`` must be a module-level function of an importable module. The child's progress
    lines are logged as they arrive; a failure raises RuntimeError carrying the child's stderr.
    """
    request = pickle.dumps((function.__module__, function.__qualname__, args, kwargs))
    child = subprocess.Popen(
        [sys.executable, "-m", "python_udfs.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_environment(threads),
    )
    stdin, stdout, stderr = child.stdin, child.stdout, child.stderr
    assert stdin and stdout and stderr, "all three are pipes"
    result: list[bytes] = []
    writer = threading.Thread(target=write_and_close, args=(stdin, request))
    reader = threading.Thread(target=lambda: result.append(stdout.read()))
    writer.start()
    reader.start()
    errors = relay_progress(stderr)
    writer.join()
    reader.join()
    if child.wait() != 0:
        raise RuntimeError(
            f"{function.__module__}.{function.__qualname__} failed in its child process:\n"
            + "\n".join(errors)
        )
    return pickle.loads(result[0])


def write_and_close(stream: IO[bytes], payload: bytes) -> None:
    try:
        stream.write(payload)
    except BrokenPipeError:  # the child failed before reading; its stderr says why
        pass
    finally:
        stream.close()


def relay_progress(stderr: IO[bytes]) -> list[str]:
    """Log the child's progress lines through dbt as they arrive; return its other lines."""
    others = []
    for raw in stderr:
        line = raw.decode(errors="replace").rstrip("\n")
        if line.startswith(progress.CHILD_PREFIX):
            log_progress(line.removeprefix(progress.CHILD_PREFIX))
        else:
            others.append(line)
    return others


def serve(requests: IO[bytes], results: IO[bytes]) -> None:
    """The child's side: one request from ``requests``, its pickled result to ``results``."""
    module_name, qualname, args, kwargs = pickle.load(requests)
    function: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        function = getattr(function, part)
    pickle.dump(function(*args, **kwargs), results)
    results.flush()


def main() -> None:
    # Anything the function prints goes to stderr, so stdout carries the pickled result only.
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with results:
        serve(sys.stdin.buffer, results)


if __name__ == "__main__":
    main()

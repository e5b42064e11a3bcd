"""Run one bounded, compute-heavy function in a child Python process.

dbt runs Python models in threads of one process, so they share the interpreter lock. The fits
hold it for much of their run: scipy's Ward linkage keeps it for 2-3 s on 10,000 rows without a
break, and the cross-validated fits release it only inside their compiled loops. Meanwhile
dbt's other thread can neither render, query nor fit. Measured with two threads on two cores,
Ward beside a gradient-boosting fit took 3.4 s against 2.2 s one after the other.

A fit whose input is capped (a sample of at most ``max_train_rows`` contacts, Ward's metric
sample) therefore runs in a worker process (``python -m python_udfs.child``): the request
``(module, function, args, kwargs, threads)`` and the result cross pipes as length-prefixed
pickles (only between this package and itself), the worker's native thread pools get the
caller's share of the cores for that request, and its progress lines reach dbt's log as they
happen.

A worker's interpreter start and imports cost about 2-3 s of a core, so workers are kept: a
finished call returns its worker to ``POOL`` for the next one (at most ``MAX_IDLE`` wait), and the
UDF plugin starts them while dbt is still single-threaded (``POOL.warm``), importing the fitting
modules on the core dbt leaves idle then. Idle workers are stopped when the process exits, and a
worker also exits when its input pipe closes, so none outlives the dbt process. Only fits that
run for seconds go to a worker, and never a whole-population input, which would be copied.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import importlib
import os
import pickle
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from threadpoolctl import threadpool_limits

from python_udfs import progress
from python_udfs.progress import log_progress

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# Every message on the request and result pipes: its length, then that many bytes of pickle.
FRAME_HEADER = struct.Struct(">Q")
# Written to stderr after a request's last progress line and before its result.
DONE_LINE = "segment_marts child: done"
# Idle workers kept for reuse: one per core is enough for dbt's threads on this machine.
MAX_IDLE = max(1, os.cpu_count() or 1)
WARM_VARIABLE = "SEGMENT_MARTS_CHILD_WARM_MODULES"


def thread_environment(threads: int) -> dict[str, str]:
    """The variables that size OpenMP and BLAS pools started after they are set."""
    return dict.fromkeys(THREAD_VARIABLES, str(max(1, threads)))


def child_environment(threads: int, warm_modules: Iterable[str] = ()) -> dict[str, str]:
    """The parent's environment, with this package importable, the native pools capped at
    ``threads``, the modules to import before the first request, and progress lines sent to
    stderr for the parent to relay."""
    python_path = [str(PACKAGE_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(python_path),
        progress.CHILD_VARIABLE: "1",
        WARM_VARIABLE: ",".join(warm_modules),
        **thread_environment(threads),
    }


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(FRAME_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next message, or None when the stream ended (cleanly or mid-message)."""
    header = stream.read(FRAME_HEADER.size)
    if len(header) < FRAME_HEADER.size:
        return None
    (size,) = FRAME_HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


class Worker:
    """One child process serving requests one at a time."""

    def __init__(self, threads: int, warm_modules: Iterable[str] = ()) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "python_udfs.child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_environment(threads, warm_modules),
        )

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def call(self, request: bytes) -> tuple[bytes | None, list[str]]:
        """Send one request; relay its progress lines; return (the pickled result or None if the
        worker died, the worker's other stderr lines)."""
        stdin, stdout, stderr = self.process.stdin, self.process.stdout, self.process.stderr
        assert stdin and stdout and stderr, "all three are pipes"
        writer = threading.Thread(target=write_request, args=(stdin, request))
        writer.start()
        others = relay_progress(stderr)
        writer.join()
        return read_frame(stdout), others

    def close(self) -> None:
        """Stop the worker (it holds nothing between requests) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream:
                stream.close()


class WorkerPool:
    """Idle workers, shared by dbt's threads: a call takes one (or starts one) and gives it back."""

    def __init__(self, max_idle: int = MAX_IDLE) -> None:
        self.max_idle = max_idle
        self.idle: list[Worker] = []
        self.lock = threading.Lock()

    def take(self, threads: int) -> Worker:
        with self.lock:
            while self.idle:
                worker = self.idle.pop()
                if worker.is_alive():
                    return worker
                worker.close()
        return Worker(threads)

    def give_back(self, worker: Worker) -> None:
        with self.lock:
            if worker.is_alive() and len(self.idle) < self.max_idle:
                self.idle.append(worker)
                return
        worker.close()

    def warm(self, count: int, threads: int, modules: Iterable[str]) -> int:
        """Top the idle workers up to ``count`` with workers that import ``modules`` before their
        first request; returns how many it started, at once (the imports run in the workers)."""
        modules = tuple(modules)
        with self.lock:
            missing = max(0, min(count, self.max_idle) - len(self.idle))
            self.idle.extend(Worker(threads, modules) for _ in range(missing))
        return missing

    def close_all(self) -> None:
        with self.lock:
            workers, self.idle = self.idle, []
        for worker in workers:
            worker.close()


POOL = WorkerPool()
atexit.register(POOL.close_all)


def call_in_child(function: Callable[..., Any], *args: Any, threads: int = 1, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` computed in a worker process with ``threads`` native threads.

    ``function`` must be a module-level function of an importable module. The worker's progress
    lines are logged as they arrive; a failure raises RuntimeError carrying the worker's traceback.
    """
    name = f"{function.__module__}.{function.__qualname__}"
    request = pickle.dumps((function.__module__, function.__qualname__, args, kwargs, threads))
    worker = POOL.take(threads)
    try:
        payload, others = worker.call(request)
    except BaseException:  # interrupted mid-request: the worker's state is unknown
        worker.close()
        raise
    if payload is None:
        worker.close()
        raise RuntimeError(f"{name} failed in its child process (it exited):\n" + "\n".join(others))
    POOL.give_back(worker)
    status, value = pickle.loads(payload)
    if status != "ok":
        raise RuntimeError(f"{name} failed in its child process:\n{value}")
    return value


def write_request(stream: IO[bytes], payload: bytes) -> None:
    with contextlib.suppress(BrokenPipeError):  # the worker died before reading: stderr says why
        write_frame(stream, payload)


def relay_progress(stderr: IO[bytes]) -> list[str]:
    """Log the worker's progress lines through dbt as they arrive, until the request is done or
    the worker ends; return its other lines."""
    others = []
    for raw in stderr:
        line = raw.decode(errors="replace").rstrip("\n")
        if line == DONE_LINE:
            break
        if line.startswith(progress.CHILD_PREFIX):
            log_progress(line.removeprefix(progress.CHILD_PREFIX))
        else:
            others.append(line)
    return others


def compute(request: bytes) -> tuple[str, Any]:
    """("ok", the result) or ("error", the traceback) of one pickled request, computed with the
    native pools capped at the request's threads."""
    try:
        module_name, qualname, args, kwargs, threads = pickle.loads(request)
        os.environ.update(thread_environment(threads))
        function: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            function = getattr(function, part)
        with threadpool_limits(limits=max(1, threads)):
            return "ok", function(*args, **kwargs)
    except Exception:
        return "error", traceback.format_exc()


def release_freed_memory() -> None:
    """Hand the heap memory a finished request freed back to the OS (glibc keeps it otherwise),
    so an idle worker holds its imports, not its last fit's frames."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def serve(requests: IO[bytes], results: IO[bytes]) -> None:
    """The worker's side: answer requests until the request pipe closes."""
    for module in filter(None, os.environ.get(WARM_VARIABLE, "").split(",")):
        importlib.import_module(module)
    while (request := read_frame(requests)) is not None:
        outcome = compute(request)
        try:
            payload = pickle.dumps(outcome)
        except Exception:
            payload = pickle.dumps(("error", traceback.format_exc()))
        del outcome
        print(DONE_LINE, file=sys.stderr, flush=True)
        write_frame(results, payload)
        del payload
        release_freed_memory()


def main() -> None:
    # Anything the function prints goes to stderr, so stdout carries the pickled results only.
    results = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with results:
        serve(sys.stdin.buffer, results)


if __name__ == "__main__":
    main()

"""Progress lines from the Python models, through dbt's own logger.

dbt runs the Python models in its own process on DuckDB; a line sent as a dbt event gets dbt's
timestamp and reaches both the console and ``logs/dbt.log`` (a bare ``print`` reaches neither
the log file nor, with timestamps, piped CI output). Outside dbt (unit tests, notebooks) the
line is printed. In a child process (``python_udfs.child``) the line goes to stderr with
``CHILD_PREFIX``, and the parent logs it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from dbt_common.events.functions import fire_event
from dbt_common.events.types import Note

Log = Callable[[str], None]
CHILD_VARIABLE = "SEGMENT_MARTS_CHILD_PROCESS"
CHILD_PREFIX = "segment_marts progress: "


def log_progress(message: str) -> None:
    """Send ``message`` to dbt's logger at info level, or print it outside dbt."""
    if os.environ.get(CHILD_VARIABLE):
        print(CHILD_PREFIX + message, file=sys.stderr, flush=True)
        return
    try:
        fire_event(Note(msg=message))
    except Exception:  # not inside dbt, or its event system is not set up
        print(message, flush=True)


@contextmanager
def timed_step(description: str, log: Log = log_progress) -> Iterator[None]:
    """Log ``description`` when a step starts and again with its duration when it ends."""
    started = time.perf_counter()
    log(f"{description} ...")
    yield
    log(f"{description}: done in {time.perf_counter() - started:.1f} s")

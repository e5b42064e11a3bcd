"""benchmarks/benchmark.py: the peak memory it reports counts every process dbt starts."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import import_script


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads Linux's /proc")
def test_descendants_started_from_any_thread_are_counted():
    # A child started from a second thread is listed under that thread in /proc, and its own
    # child one level further down: both hold memory the build uses.
    started = []
    command = [sys.executable, "-c", "import subprocess, sys; "
               "subprocess.run([sys.executable, '-c', 'import time; time.sleep(30)'])"]  # fmt: skip
    thread = threading.Thread(target=lambda: started.append(subprocess.Popen(command)))
    thread.start()
    thread.join()
    child = started[0]
    children_of = import_script("benchmarks/benchmark.py", "benchmark").children_of
    try:
        for _ in range(200):  # until the child has started its own child
            grandchildren = children_of(child.pid)
            if grandchildren:
                break
            threading.Event().wait(0.05)
        assert len(grandchildren) == 1
        assert {child.pid, *grandchildren} <= set(children_of(os.getpid()))
    finally:
        for pid in [*children_of(child.pid), child.pid]:
            os.kill(pid, 9)
        child.wait()

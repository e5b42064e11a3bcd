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


def test_thread_time_is_summed_per_kind_of_node():
    benchmark = import_script("benchmarks/benchmark.py", "benchmark")
    results = [
        {"unique_id": "model.segment_marts.orders", "execution_time": 1.25},
        {"unique_id": "model.segment_marts.customer_rfm", "execution_time": 0.5},
        {"unique_id": "model.segment_marts.segment_model", "execution_time": 3.0},
        {"unique_id": "test.segment_marts.primary_key_orders_order_id.1", "execution_time": 0.3},
        {"unique_id": "test.segment_marts.not_null_orders_amount.2", "execution_time": 0.2},
        {"unique_id": "seed.segment_marts.age_ranges", "execution_time": 0.1},
        {"unique_id": "operation.segment_marts.on-run-start.0", "execution_time": 0.04},
    ]
    languages = {
        "model.segment_marts.orders": "sql",
        "model.segment_marts.customer_rfm": "sql",
        "model.segment_marts.segment_model": "python",
    }
    used = benchmark.thread_seconds(results, languages)
    assert used == {
        "sql_models": 1.8,  # 1.75 s, reported to 0.1 s
        "python_models": 3.0,
        "data_tests": 0.5,
        "seeds": 0.1,
        "other": 0.0,
    }
    # A kind with no node is reported as 0, and every kind is reported.
    assert benchmark.thread_seconds([], {}) == dict.fromkeys(benchmark.THREAD_TIME_KINDS, 0.0)
    run = {"customers": 10_000, "wall_seconds": 9.9, "peak_rss_mb": 1_300, "models": [],
           "thread_seconds": used}  # fmt: skip
    report = benchmark.markdown([run], top=5).splitlines()
    header = report.index(
        "| customers | thread time (s): sql models | python models | data tests | seeds | other |"
    )
    assert report[header + 2] == "| 10,000 | 1.8 | 3.0 | 0.5 | 0.1 | 0.0 |"


def test_kept_artifacts_land_in_a_folder_per_size(tmp_path):
    benchmark = import_script("benchmarks/benchmark.py", "benchmark")
    target = tmp_path / "target"
    target.mkdir()
    (target / "run_results.json").write_text('{"results": []}')
    (target / "manifest.json").write_text('{"nodes": {}}')
    benchmark.keep_artifacts(target, "Done. PASS=1", tmp_path / "kept", 200_000)
    kept = tmp_path / "kept" / "200000"
    assert sorted(path.name for path in kept.iterdir()) == [
        "dbt_output.log",
        "manifest.json",
        "run_results.json",
    ]
    assert (kept / "dbt_output.log").read_text() == "Done. PASS=1"
    assert (kept / "run_results.json").read_text() == '{"results": []}'

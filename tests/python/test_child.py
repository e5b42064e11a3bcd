"""python_udfs.child: a function computed in a child process returns what it returns in this one,
its progress reaches this process's log, its failure names it, its thread pools are capped, and
its worker serves the next call unless it died."""

import math
import os

import numpy as np
import pytest

from python_udfs import child
from python_udfs.child import call_in_child
from python_udfs.progress import log_progress
from python_udfs.segmentation import ward_labels


def test_the_child_returns_the_in_process_result():
    rng = np.random.default_rng(3)
    # Three planted, well separated blobs: Ward must find them, in either process.
    matrix = np.vstack([rng.normal(centre, 0.1, size=(40, 2)) for centre in (0, 5, 10)])
    labels = call_in_child(ward_labels, matrix, 3)
    np.testing.assert_array_equal(labels, ward_labels(matrix, 3))
    assert sorted(np.bincount(labels)) == [40, 40, 40]
    assert len({tuple(labels[i : i + 40]) for i in (0, 40, 80)}) == 3


def test_progress_lines_are_relayed_and_keyword_arguments_pass(monkeypatch):
    relayed = []
    monkeypatch.setattr(child, "log_progress", relayed.append)
    call_in_child(log_progress, message="fitting 3 learners in the child")
    assert relayed == ["fitting 3 learners in the child"]


def test_a_failure_in_the_child_names_the_function_and_the_error():
    with pytest.raises(RuntimeError, match=r"math\.sqrt failed in its child process") as failure:
        call_in_child(math.sqrt, -1.0)
    assert "ValueError: math domain error" in str(failure.value)


@pytest.mark.parametrize("threads", [1, 3])
def test_the_child_native_pools_get_the_parents_share(threads):
    assert call_in_child(os.getenv, "OMP_NUM_THREADS", threads=threads) == str(threads)
    assert call_in_child(os.getenv, "OPENBLAS_NUM_THREADS", threads=threads) == str(threads)


def test_a_worker_serves_the_next_call_even_after_a_failure():
    first = call_in_child(os.getpid)
    assert first != os.getpid()
    with pytest.raises(RuntimeError):
        call_in_child(math.sqrt, -1.0)
    assert call_in_child(os.getpid) == first


def test_a_worker_that_dies_is_replaced():
    dying = call_in_child(os.getpid)
    with pytest.raises(RuntimeError, match=r"_exit failed in its child process \(it exited\)"):
        call_in_child(os._exit, 3)
    replacement = call_in_child(os.getpid)
    assert replacement not in (dying, os.getpid())


def test_warm_workers_import_their_modules_before_the_first_request():
    child.POOL.close_all()
    assert child.POOL.warm(1, threads=1, modules=["segment_marts_no_such_module"]) == 1
    assert child.POOL.warm(1, threads=1, modules=["segment_marts_no_such_module"]) == 0
    assert len(child.POOL.idle) == 1  # topped up to the count, not added to
    # The warm worker fails at its import, so the request it gets finds it gone and says why.
    with pytest.raises(RuntimeError, match="No module named 'segment_marts_no_such_module'"):
        call_in_child(os.getpid)
    assert not child.POOL.idle  # the dead worker was not kept
    assert call_in_child(os.getpid) != os.getpid()


def test_the_pool_keeps_at_most_max_idle_workers():
    pool = child.WorkerPool(max_idle=1)
    workers = [pool.take(1), pool.take(1)]
    for worker in workers:
        pool.give_back(worker)
    assert pool.idle == workers[:1]
    assert workers[1].process.poll() is not None  # the surplus worker was stopped
    pool.close_all()
    assert workers[0].process.poll() is not None and not pool.idle

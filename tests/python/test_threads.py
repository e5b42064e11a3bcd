"""The Python models' native thread budget: the cores dbt leaves each of them."""

from __future__ import annotations

import numpy as np
import pytest
from project_settings import project_meta
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_info, threadpool_limits

from python_udfs.response import ResponseSettings
from python_udfs.threads import limit_native_threads, native_threads


@pytest.mark.parametrize(
    ("dbt_threads", "cores", "expected"),
    [(2, 2, 1), (2, 8, 4), (3, 8, 2), (4, 2, 1), (None, 4, 4), ("2", 4, 2), ("x", 4, 4)],
)
def test_each_model_gets_its_share_of_the_cores(dbt_threads, cores, expected):
    assert native_threads(dbt_threads, cores) == expected


def test_pools_are_capped_inside_the_block_and_restored_after():
    KMeans(n_clusters=2, n_init=1, random_state=0).fit(np.random.default_rng(0).random((50, 2)))
    # The suite caps its own pools (conftest); lift them so the cap below is visible.
    with threadpool_limits(limits=3):
        before = {pool["internal_api"]: pool["num_threads"] for pool in threadpool_info()}
        assert set(before.values()) == {3}
        with limit_native_threads("test", {"dbt_threads": 10_000}) as threads:
            assert threads == 1
            assert {pool["num_threads"] for pool in threadpool_info()} == {1}
        after = {pool["internal_api"]: pool["num_threads"] for pool in threadpool_info()}
        assert after == before


def test_the_random_forest_jobs_follow_the_budget():
    meta = project_meta(ResponseSettings)
    assert ResponseSettings.from_meta({**meta, "dbt_threads": 10_000}).n_jobs == 1
    assert ResponseSettings.from_meta({**meta, "dbt_threads": 1}).n_jobs == native_threads(1)

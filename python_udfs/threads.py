"""How many native threads a Python model may use: the cores dbt leaves it.

dbt runs up to ``threads`` models at once; each Python model's native pools (OpenMP in
scikit-learn's K-means and gradient boosting, BLAS, joblib's ``n_jobs``) would otherwise each
start one thread per core, so two models on two cores ran four to eight busy threads on two
cores and spent most of their time switching.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from threadpoolctl import threadpool_limits

from python_udfs.progress import log_progress

Item = TypeVar("Item")


def native_threads(dbt_threads: int | str | None, cores: int | None = None) -> int:
    """Cores per dbt thread, at least one: the native threads one Python model may use."""
    cores = cores or os.cpu_count() or 1
    try:
        sharing = max(1, int(dbt_threads or 1))
    except (TypeError, ValueError):
        sharing = 1
    return max(1, cores // sharing)


@contextmanager
def limit_native_threads(model_name: str, meta: dict | None) -> Iterator[int]:
    """Cap OpenMP and BLAS pools at the model's share of the cores (config.meta ``dbt_threads``,
    set from the target in dbt_project.yml) while the block runs; yields the share, for
    ``n_jobs``."""
    threads = native_threads((meta or {}).get("dbt_threads"))
    log_progress(f"{model_name}: {threads} native thread(s) ({os.cpu_count()} cores)")
    with threadpool_limits(limits=threads):
        yield threads


def stream_within_limit(
    model_name: str, meta: dict | None, items: Iterable[Item]
) -> Iterator[Item]:
    """``items`` produced under ``limit_native_threads``: for a result the model returns as a
    stream, which the warehouse consumes after the model function has returned."""
    with limit_native_threads(model_name, meta):
        yield from items

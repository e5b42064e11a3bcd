"""dbt-duckdb plugin that registers the project's Python UDFs on every dbt connection.

Wired in profiles.yml (``plugins: - module: python_udfs.plugin``). The functions exist only inside
the dbt process, so a model that calls one must be materialized as a table, never a view.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import os
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import dbt.selected_resources
import duckdb
import numpy as np
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.flags import get_flags
from dbt_common.exceptions import DbtRuntimeError
from duckdb import DuckDBPyConnection

from python_udfs import stats
from python_udfs.child import POOL
from python_udfs.progress import log_progress
from python_udfs.threads import native_threads


@dataclass(frozen=True)
class ArrowUdf:
    """A numpy function exposed to SQL under ``name`` with DOUBLE arguments and result."""

    name: str
    function: Callable[..., np.ndarray]
    arity: int


UDFS: tuple[ArrowUdf, ...] = (
    ArrowUdf("normal_cdf", stats.normal_cdf, 1),
    ArrowUdf("normal_quantile", stats.normal_quantile, 1),
    ArrowUdf("student_t_cdf", stats.student_t_cdf, 2),
    ArrowUdf("student_t_quantile", stats.student_t_quantile, 2),
    ArrowUdf("chi_square_sf", stats.chi_square_sf, 2),
)


def _to_numpy(column: pa.Array) -> np.ndarray:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def _to_arrow(result: np.ndarray) -> pa.Array:
    # from_pandas=True turns NaN into NULL, so undefined results read as NULL in SQL.
    return pa.array(np.asarray(result, dtype=np.float64), type=pa.float64(), from_pandas=True)


def vectorize(function: Callable[..., np.ndarray], arity: int) -> Callable[..., pa.Array]:
    """Adapt a numpy function to DuckDB's Arrow UDF calling convention (NULL in, NULL out).

    DuckDB checks the Python signature against the declared parameter types, so the adapter has
    exactly ``arity`` named parameters rather than ``*args``.
    """
    if arity == 1:

        def unary(x: pa.Array) -> pa.Array:
            return _to_arrow(function(_to_numpy(x)))

        return unary
    if arity == 2:

        def binary(x: pa.Array, y: pa.Array) -> pa.Array:
            return _to_arrow(function(_to_numpy(x), _to_numpy(y)))

        return binary
    raise ValueError(f"UDFs of arity {arity} are not supported")


def make_directory(path: str) -> str:
    """Create ``path`` (with parents) if missing and return it as given.

    DuckDB's COPY creates no parent folders; the Parquet export hook calls this first.
    """
    os.makedirs(path, exist_ok=True)
    return path


def register_udfs(conn: DuckDBPyConnection) -> None:
    """Register every UDF on ``conn``; safe to call again on the same connection."""
    with contextlib.suppress(duckdb.Error):
        conn.remove_function("make_directory")
    # side_effects: never constant-folded or cached away; it must run on every call.
    conn.create_function(
        "make_directory", make_directory, ["VARCHAR"], "VARCHAR", side_effects=True
    )
    for udf in UDFS:
        # Re-registration replaces: dbt may hand the same connection to the plugin twice.
        with contextlib.suppress(duckdb.Error):
            conn.remove_function(udf.name)
        # The string forms of type and null_handling work on every supported DuckDB; the enums
        # the stubs ask for moved module between versions.
        conn.create_function(  # type: ignore[call-overload]
            udf.name,
            vectorize(udf.function, udf.arity),
            ["DOUBLE"] * udf.arity,
            "DOUBLE",
            type="arrow",
            # SPECIAL: undefined results (e.g. a quantile of 1.0) come back as NULL, not an error.
            null_handling="special",
        )


# What the Python models import. dbt runs them on worker threads; two threads importing the same
# module for the first time can trip CPython's import-deadlock detection (seen with
# narwhals.stable.v1 under scikit-learn), so the plugin imports them once, on the main thread,
# before any model runs.
PYTHON_MODEL_MODULES = (
    "narwhals.stable.v1",
    "narwhals.stable.v2",
    "python_udfs.clv",
    "python_udfs.regression",
    "python_udfs.response",
    "python_udfs.segmentation",
    "python_udfs.threads",
)


# What the fits in child workers import (python_udfs.child). The plugin starts the workers while
# dbt is still on one thread, so these imports run on the core it leaves idle instead of on a
# model's thread. Only for commands that run models: a `dbt test` or `dbt docs` fits nothing.
CHILD_MODULES = ("python_udfs.response", "python_udfs.segmentation", "python_udfs.uplift")
MODEL_COMMANDS = ("build", "run")
# The models that fit in a child and can run at the same time (int_uplift_predictions,
# response_model_metrics and segment_validation; response_feature_importance follows the metrics).
CONCURRENT_CHILD_FITS = 3


# The project's Python models are models/**/*.py (the plugin is imported from the project root).
MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def python_model_names(models_dir: Path = MODELS_DIR) -> frozenset[str]:
    return frozenset(path.stem for path in models_dir.rglob("*.py"))


def selects_python_models(selected: Collection[str], python_models: Collection[str]) -> bool:
    """Whether the command's selected resources (dbt unique ids, ``model.<project>.<name>``)
    hold a Python model. An empty selection is not known yet (a command without a selector):
    it counts as holding one, so the safe default is to prepare for Python models."""
    if not selected:
        return True
    return any(
        unique_id.startswith("model.") and unique_id.split(".")[2] in python_models
        for unique_id in selected
    )


def warm_child_workers(command: str | None, dbt_threads: int | str | None) -> int:
    """For a command that runs models, have a child worker ready for each fit that can run at
    once: the cores over each fit's share of them, at most CONCURRENT_CHILD_FITS. Returns that
    number (0 for other commands)."""
    if command not in MODEL_COMMANDS:
        return 0
    threads = native_threads(dbt_threads)
    count = min(CONCURRENT_CHILD_FITS, max(1, (os.cpu_count() or 1) // threads))
    started = POOL.warm(count, threads=threads, modules=CHILD_MODULES)
    log_progress(f"fitting workers: {started} started, {count} ready for fits "
                 f"({threads} native thread(s) each)")  # fmt: skip
    return count


def is_locked_by_another_process(path: str) -> bool:
    """Whether another process holds DuckDB's lock on the database file ``path``.

    DuckDB takes a POSIX lock on the whole file (a write lock for a writer, a read lock for a
    read-only reader); both conflict with the write lock tried here, which is released at once.
    POSIX locks are per process, so a lock this process holds does not count.
    """
    if path in ("", ":memory:") or path.startswith("md:") or not os.path.isfile(path):
        return False
    with open(path, "r+b") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN)
    return False


# DuckDB's own default is 80% of RAM; the Python models keep their frames outside DuckDB's limit,
# so DuckDB gets half and the other half is left to pandas, scikit-learn and the OS.
MEMORY_SHARE = 0.5
MEMORY_LIMIT_PATTERN = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.I)


def machine_memory_bytes() -> int | None:
    """Physical memory, or the container's cgroup limit when that is smaller; None if unknown."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        physical = None
    limits = [physical] if physical else []
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with contextlib.suppress(OSError, ValueError):
            with open(path) as handle:
                value = handle.read().strip()
            if value.isdigit():
                limits.append(int(value))
    return min(limits) if limits else None


def memory_limit(configured: str | None, machine_bytes: int | None) -> str | None:
    """DuckDB's memory_limit: ``configured`` (SEGMENT_MARTS_MEMORY_LIMIT) when given, checked to
    be an amount such as ``12GB``; else MEMORY_SHARE of the machine's memory in MB; None (keep
    DuckDB's default) when the machine's memory is unknown."""
    if configured:
        if not MEMORY_LIMIT_PATTERN.match(configured):
            raise DbtRuntimeError(
                f"SEGMENT_MARTS_MEMORY_LIMIT must be an amount such as 8GB or 512MB; "
                f"got {configured!r}"
            )
        return configured.strip()
    if not machine_bytes:
        return None
    return f"{int(machine_bytes * MEMORY_SHARE) // 2**20}MB"


class Plugin(BasePlugin):
    """dbt-duckdb entry point: ``configure_connection`` runs on every new connection."""

    def initialize(self, plugin_config: dict) -> None:
        # On the main thread, before dbt opens the warehouse: a lock held elsewhere is one clear
        # line instead of DuckDB's IOException under a page of worker-thread traceback.
        path = getattr(getattr(self, "creds", None), "path", "") or ""
        if is_locked_by_another_process(path):
            raise DbtRuntimeError(
                f"the warehouse {os.path.abspath(path)} is open in another process "
                "(another dbt run, the dashboard or a notebook). Close it and run again."
            )
        # dbt has resolved the command's selection before it opens the first connection. A
        # selection of SQL models and tests (a `dbt run -s` of one model, a `dbt test`) needs
        # neither the Python models' imports nor the fitting workers.
        if not selects_python_models(
            dbt.selected_resources.SELECTED_RESOURCES, python_model_names()
        ):
            return
        flags = get_flags()
        warm_child_workers(
            getattr(flags, "WHICH", None),
            getattr(flags, "THREADS", None) or os.environ.get("SEGMENT_MARTS_THREADS", "2"),
        )
        for module in PYTHON_MODEL_MODULES:
            importlib.import_module(module)

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register_udfs(conn)
        limit = memory_limit(os.environ.get("SEGMENT_MARTS_MEMORY_LIMIT"), machine_memory_bytes())
        if limit is not None:
            # Validated above to digits and a unit, so it can be a literal (SET takes no parameter).
            conn.execute(f"SET memory_limit = '{limit}'")

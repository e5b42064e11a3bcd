"""The dbt-duckdb plugin registers vectorized UDFs that behave like the pure functions."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
from dbt_common.exceptions import DbtRuntimeError
from scipy import stats as scipy_stats

from conftest import PROJECT_DIR
from python_udfs import plugin
from python_udfs.plugin import PYTHON_MODEL_MODULES, UDFS, Plugin, memory_limit, register_udfs


@pytest.fixture
def conn():
    connection = duckdb.connect()
    register_udfs(connection)
    yield connection
    connection.close()


def test_every_udf_is_registered_and_idempotent(conn):
    register_udfs(conn)  # a second registration on the same connection must not fail
    names = {
        row[0] for row in conn.execute("select function_name from duckdb_functions()").fetchall()
    }
    assert {udf.name for udf in UDFS} <= names


def test_udfs_compute_over_a_column_with_nulls(conn):
    rows = conn.execute(
        """
        select x, normal_cdf(x), student_t_cdf(x, 5.5), chi_square_sf(abs(x), 3)
        from (values (-1.5::double), (0.0), (null), (2.5)) as t(x)
        order by x nulls last
        """
    ).fetchall()
    for x, cdf, t_cdf, chi_sf in rows[:3]:
        assert cdf == pytest.approx(scipy_stats.norm.cdf(x), rel=1e-12)
        assert t_cdf == pytest.approx(scipy_stats.t.cdf(x, 5.5), rel=1e-12)
        assert chi_sf == pytest.approx(scipy_stats.chi2.sf(abs(x), 3), rel=1e-12)
    assert rows[3][1:] == (None, None, None)


def test_undefined_results_are_null_not_errors(conn):
    assert conn.execute("select normal_quantile(1.0), student_t_quantile(0.5, 0)").fetchall() == [
        (None, None)
    ]


def test_udfs_are_vectorized_over_large_inputs(conn):
    # One Arrow call per vector: a million rows must come back complete and in order.
    total = conn.execute(
        "select count(*), sum(normal_cdf(x) + normal_cdf(-x)) from "
        "(select (range % 1000) / 100.0 - 5 as x from range(1000000))"
    ).fetchall()[0]
    assert total[0] == 1_000_000
    assert total[1] == pytest.approx(1_000_000, rel=1e-12)


def test_make_directory_creates_nested_folders_so_copy_can_write(conn, tmp_path):
    folder = tmp_path / "exports" / "bi"
    assert conn.execute(f"select make_directory('{folder}')").fetchall() == [(str(folder),)]
    conn.execute(f"copy (select 42 as answer) to '{folder}/t.parquet' (format parquet)")
    assert conn.execute(f"select answer from '{folder}/t.parquet'").fetchall() == [(42,)]
    # A second call on an existing folder is not an error.
    conn.execute(f"select make_directory('{folder}')").fetchall()


def test_the_plugin_imports_what_python_models_import_before_they_run():
    """Python models run on dbt's worker threads: their modules are imported once by the plugin
    on start-up (a first import from two threads at once can deadlock)."""
    Plugin.initialize(object.__new__(Plugin), {})  # raises on a module that does not import
    assert all(module in sys.modules for module in PYTHON_MODEL_MODULES)
    assert {"python_udfs.segmentation", "python_udfs.response"} <= set(PYTHON_MODEL_MODULES)


def test_the_start_up_imports_leave_out_the_whole_of_statsmodels():
    # The plugin's imports run on dbt's main thread before the first node of every build, so
    # what they load delays every build; statsmodels.api loads all of statsmodels for one class.
    imports = "; ".join(f"import {module}" for module in PYTHON_MODEL_MODULES)
    loaded = subprocess.run(
        [sys.executable, "-c", f"import sys; {imports}; print(sorted(sys.modules))"],
        capture_output=True, text=True, check=True, cwd=PROJECT_DIR,
    ).stdout  # fmt: skip
    assert (
        "'python_udfs.regression'" in loaded and "'statsmodels.regression.linear_model'" in loaded
    )
    assert "'statsmodels.api'" not in loaded


def test_the_project_python_models_are_its_py_files():
    names = plugin.python_model_names()
    assert {"segment_validation", "response_model_metrics", "int_uplift_predictions"} <= names
    assert not {"int_customer_features", "customers", "campaign_performance"} & names


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        (["model.segment_marts.customers", "test.segment_marts.unique_customers.1a"], False),
        (["model.segment_marts.customers", "model.segment_marts.segment_validation"], True),
        # A test named after a Python model is not the model.
        (["test.segment_marts.not_null_segment_validation_k.2b"], False),
        ([], True),  # no selection known: prepare for Python models
    ],
)
def test_a_selection_holds_python_models_only_when_it_selects_one(selected, expected):
    python_models = plugin.python_model_names()
    assert plugin.selects_python_models(selected, python_models) is expected


@pytest.mark.parametrize(
    ("selected", "prepared"),
    [(["model.segment_marts.orders"], False), (["model.segment_marts.customer_segments"], True)],
)
def test_a_selection_without_python_models_starts_no_workers(monkeypatch, selected, prepared):
    warmed, imported = [], []
    monkeypatch.setattr(plugin.dbt.selected_resources, "SELECTED_RESOURCES", selected)
    monkeypatch.setattr(plugin, "warm_child_workers", lambda *args: warmed.append(args))
    monkeypatch.setattr(plugin.importlib, "import_module", imported.append)
    Plugin.initialize(object.__new__(Plugin), {})
    assert bool(warmed) is prepared
    assert imported == (list(PYTHON_MODEL_MODULES) if prepared else [])


@pytest.mark.parametrize(
    ("command", "dbt_threads", "cores", "expected"),
    [
        ("build", 2, 2, (2, 1)),  # two models fit at once, one core each
        ("run", "1", 2, (1, 2)),
        ("build", 8, 2, (2, 1)),  # never more workers than cores
        ("build", 16, 64, (3, 4)),  # nor than fits that can run at once
        ("test", 2, 2, None),  # commands that run no model start none
        ("docs", 2, 2, None),
        (None, 2, 2, None),
    ],
)
def test_child_workers_are_warmed_for_commands_that_run_models(
    monkeypatch, command, dbt_threads, cores, expected
):
    warmed = []
    monkeypatch.setattr(plugin.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(plugin.POOL, "warm", lambda count, threads, modules: warmed.append(
        (count, threads, modules)) or count)  # fmt: skip
    ready = plugin.warm_child_workers(command, dbt_threads)
    assert warmed == ([] if expected is None else [(*expected, plugin.CHILD_MODULES)])
    assert ready == (0 if expected is None else expected[0])


def test_memory_limit_is_the_configured_amount_or_half_the_machine():
    assert memory_limit("12GB", 2**34) == "12GB"
    assert memory_limit(" 512 MiB ", None) == "512 MiB"
    assert memory_limit(None, 24 * 2**30) == "12288MB"
    assert memory_limit("", 8 * 2**30) == "4096MB"
    assert memory_limit(None, None) is None
    for hostile in ("4GB'; drop table x; --", "lots", "-1GB"):
        with pytest.raises(DbtRuntimeError, match="SEGMENT_MARTS_MEMORY_LIMIT"):
            memory_limit(hostile, 2**34)


def test_the_plugin_sets_memory_limit_on_the_connection(monkeypatch):
    monkeypatch.setenv("SEGMENT_MARTS_MEMORY_LIMIT", "1GB")
    connection = duckdb.connect()
    Plugin.configure_connection(object.__new__(Plugin), connection)
    # DuckDB reports 1GB (10^9 bytes) in MiB.
    setting = connection.execute("select current_setting('memory_limit')").fetchall()[0][0]
    assert setting == "953.6 MiB"

"""The SQL layer gives the same rows on DuckDB, PostgreSQL and Spark (``pytest -m engines``).

One generated sample is loaded into schema ``raw`` of a DuckDB file, of a PostgreSQL cluster the
test starts, and of a local Spark session (in-memory catalog, in this process so its views stay
readable); dbt builds the whole SQL layer (seeds, models and their data tests, the cross-engine
macro pins) on each with ``input: tables``; every model is then compared row by row.

Tolerance: numbers agree to a relative 1e-9 (engines sum floats in different orders); text, dates
and flags exactly. The exception is the A/B readout's p-values and interval bounds, which are
scipy UDFs on DuckDB and SQL approximations elsewhere (macros/cross_engine/distributions.sql):
those agree to an absolute 1e-6.

Skipped when the engine extras (requirements-engines.txt) are absent, unless
SEGMENT_MARTS_REQUIRE_ENGINES=1 (CI), where that is a failure.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
import json
import math
import os
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest

from conftest import PROJECT_DIR, run_dbt, target_path, vars_arg
from engines import PostgresCluster, export_raw_inputs, load_raw_duckdb, map_in_pandas
from python_udfs.frames import relation_to_pandas
from python_udfs.response import fit_chosen_model, probability_scorer
from test_response import FAST, planted_contacts

pytestmark = pytest.mark.engines

REQUIRED = os.environ.get("SEGMENT_MARTS_REQUIRE_ENGINES") == "1"
CUSTOMERS = 1500
# Everything but the generated sample (loaded as raw tables instead), the Python models and the
# marts built on them (disabled where dbt has no Python models), and unit tests (DuckDB-checked
# formulas; PostgreSQL also caps their generated names at 63 characters).
ENGINE_SELECTION = ["--exclude", "path:models/sample", "tag:needs_python",
                    "--exclude-resource-type", "unit_test"]  # fmt: skip
# Columns computed with the distribution functions: approximated off DuckDB (see above).
APPROXIMATED = {
    "ab_test_results": {"conversion_ci_low", "conversion_ci_high", "conversion_p_value",
                        "revenue_ci_low", "revenue_ci_high", "revenue_p_value", "srm_p_value"},
}  # fmt: skip
TABLES = {"input": "tables"}


def require(module: str):
    """The engine's module, or a skip (a failure in CI) when the extras are not installed."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if REQUIRED:
            raise
        pytest.skip(f"{module} not installed: pip install -r requirements-engines.txt")


@pytest.fixture(scope="module")
def raw_inputs(tmp_path_factory) -> dict[str, Path]:
    """The generated sample's raw inputs, built once on DuckDB and exported to Parquet."""
    workdir = tmp_path_factory.mktemp("engines_raw")
    database = workdir / "generated.duckdb"
    run_dbt(["build", "-s", "+path:models/sample", "--resource-type", "seed", "--resource-type",
             "model", *vars_arg({"sample_customers": CUSTOMERS})], database)  # fmt: skip
    return export_raw_inputs(database, workdir / "raw")


def selected_models(target: Path) -> list[tuple[str, str]]:
    """(schema, name) of the models a build ran, from its run results and manifest."""
    manifest = json.loads((target / "manifest.json").read_text())["nodes"]
    results = json.loads((target / "run_results.json").read_text())["results"]
    models = [manifest[r["unique_id"]] for r in results if r["unique_id"].startswith("model.")]
    return [(node["config"]["schema"] or "main", node["name"]) for node in models]


@pytest.fixture(scope="module")
def duckdb_build(raw_inputs, tmp_path_factory):
    database = tmp_path_factory.mktemp("engines_duckdb") / "warehouse.duckdb"
    load_raw_duckdb(database, raw_inputs)
    started = time.monotonic()
    run_dbt(["build", *ENGINE_SELECTION, *vars_arg(TABLES)], database)
    seconds = time.monotonic() - started
    models = selected_models(target_path(database))

    def read(schema: str, name: str):
        with duckdb.connect(str(database), read_only=True) as conn:
            cursor = conn.execute(f"select * from {schema}.{name}")
            return [c[0] for c in cursor.description], cursor.fetchall()

    return models, read, seconds


@pytest.fixture(scope="module")
def postgres_build(raw_inputs, tmp_path_factory):
    require("dbt.adapters.postgres")
    cluster = PostgresCluster.start()
    try:
        cluster.load_raw(raw_inputs)
        database = tmp_path_factory.mktemp("engines_postgres") / "unused.duckdb"
        started = time.monotonic()
        run_dbt(["build", *ENGINE_SELECTION, *vars_arg(TABLES)], database,
                extra_env=cluster.environment())  # fmt: skip
        seconds = time.monotonic() - started
        yield (lambda schema, name: cluster.query(f"select * from {schema}.{name}")), seconds
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def spark_warehouse(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("engines_spark")


@pytest.fixture(scope="module")
def spark(spark_warehouse):
    """One local Spark session (in-memory catalog, loopback) for the module."""
    spark_sql = require("pyspark.sql")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        spark_sql.SparkSession.builder.master("local[2]")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.warehouse.dir", str(spark_warehouse / "warehouse"))
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def spark_build(raw_inputs, spark, spark_warehouse):
    """dbt runs in this process (dbtRunner) so the in-memory catalog stays readable afterwards."""
    dbt_main = importlib.import_module("dbt.cli.main")
    warehouse = spark_warehouse
    spark.sql("create database if not exists raw")
    for table, path in raw_inputs.items():
        spark.sql(f"create table raw.{table} using parquet options (path '{path}')")
    environment = {"SEGMENT_MARTS_TARGET": "spark",
                   "SEGMENT_MARTS_SPARK_WAREHOUSE": str(warehouse / "warehouse")}  # fmt: skip
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    started = time.monotonic()
    try:
        # Models only: every data test already runs on PostgreSQL and DuckDB, and on Spark each
        # is a job of its own (about a minute for all of them).
        result = dbt_main.dbtRunner().invoke(
            ["build", *ENGINE_SELECTION, "--exclude-resource-type", "test", *vars_arg(TABLES),
             "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
             "--target-path", str(warehouse / "target")]
        )  # fmt: skip
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    seconds = time.monotonic() - started
    assert result.success, f"dbt build on Spark failed: {result.exception}"

    def read(schema: str, name: str):
        frame = spark.sql(f"select * from {schema}.{name}")
        return frame.columns, [tuple(row) for row in frame.collect()]

    return read, seconds


def normalized(value):
    """One comparable form per value: numbers as float, dates as dates, the rest as they are."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | decimal.Decimal):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def sort_key(row):
    return tuple((value is None, str(type(value)), value if value is not None else 0)
                 for value in row)  # fmt: skip


def assert_same_rows(engine: str, name: str, expected, actual) -> None:
    expected_columns, expected_rows = expected
    actual_columns, actual_rows = actual
    assert [c.lower() for c in actual_columns] == [c.lower() for c in expected_columns], (
        f"{engine} {name}: columns differ"
    )
    assert len(actual_rows) == len(expected_rows), f"{engine} {name}: row counts differ"
    left = sorted(([normalized(v) for v in row] for row in expected_rows), key=sort_key)
    right = sorted(([normalized(v) for v in row] for row in actual_rows), key=sort_key)
    for index, (want, got) in enumerate(zip(left, right, strict=True)):
        for column, a, b in zip(expected_columns, want, got, strict=True):
            if isinstance(a, float) and isinstance(b, float):
                approximated = column.lower() in APPROXIMATED.get(name, set())
                tolerance = {"abs": 1e-6} if approximated else {"rel": 1e-9, "abs": 1e-9}
                assert b == pytest.approx(a, **tolerance), (
                    f"{engine} {name}.{column} row {index}: {b} != {a}"
                )
            else:
                assert b == a, f"{engine} {name}.{column} row {index}: {b!r} != {a!r}"


@pytest.mark.parametrize("engine", ["postgres", "spark"])
def test_every_selected_model_has_the_same_rows_as_on_duckdb(engine, request, duckdb_build):
    models, read_duckdb, duckdb_seconds = duckdb_build
    read_engine, seconds = request.getfixturevalue(f"{engine}_build")
    print(f"build seconds: duckdb {duckdb_seconds:.1f}, {engine} {seconds:.1f}")
    assert len(models) >= 25
    for schema, name in models:
        assert_same_rows(engine, name, read_duckdb(schema, name), read_engine(schema, name))


def test_relation_to_pandas_reads_a_spark_dataframe_as_it_reads_duckdb(spark):
    """The helper Python models read their inputs with gives the same frame from either engine."""
    rows = [(3, "c", 0.5), (1, "b", 2.0), (1, "a", -1.0), (2, "z", 0.0)]
    conn = duckdb.connect()
    conn.execute("create table t (k bigint, s varchar, x double)")
    conn.executemany("insert into t values (?, ?, ?)", rows)
    from_duckdb = relation_to_pandas(conn.table("t"), ["k", "s"])
    from_spark = relation_to_pandas(spark.createDataFrame(rows, "k long, s string, x double"),
                                    ["k", "s"])  # fmt: skip
    assert from_spark.to_records(index=False).tolist() == [(1, "a"), (1, "b"), (2, "z"), (3, "c")]
    assert from_spark.to_records(index=False).tolist() == (
        from_duckdb.to_records(index=False).tolist()
    )


def test_scoring_runs_batch_by_batch_as_map_in_pandas_on_spark(spark):
    """A fitted response model scores a Spark DataFrame on the executors (mapInPandas), batch by
    batch, and gives every customer the probability the in-memory pandas path gives."""
    features = planted_contacts()
    train = features[features["snapshot"] == "train"]
    model = fit_chosen_model("logistic_regression", train,
                             train["responded"].astype(bool).to_numpy(), FAST)  # fmt: skip
    population = features[features["snapshot"] == "score"].drop(columns=["responded"])
    population = population.reset_index(drop=True)
    population["customer_id"] = population["customer_id"].astype(str)  # ids are text
    columns = list(population.columns)
    schema = "customer_id string, response_probability double"

    spark_frame = spark.createDataFrame(population).repartition(4)
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "100")
    scored = map_in_pandas(spark_frame, probability_scorer(model), columns, schema)
    assert type(scored).__name__ == "DataFrame" and hasattr(scored, "mapInPandas")
    batches = spark_frame.rdd.getNumPartitions()
    assert batches == 4

    expected = map_in_pandas(
        duckdb.connect().from_df(population), probability_scorer(model), columns, schema
    )
    on_spark = scored.toPandas().sort_values("customer_id").reset_index(drop=True)
    expected = expected.sort_values("customer_id").reset_index(drop=True)
    assert len(on_spark) == len(population) == 1200
    assert on_spark["customer_id"].tolist() == expected["customer_id"].tolist()
    np.testing.assert_allclose(on_spark["response_probability"], expected["response_probability"],
                               rtol=1e-12)  # fmt: skip
    # The planted driver (prior acceptances) orders the scores the same way everywhere.
    merged = on_spark.merge(population[["customer_id", "prior_campaigns_accepted"]])
    by_prior = merged.groupby("prior_campaigns_accepted")["response_probability"].mean()
    assert by_prior.is_monotonic_increasing

"""A daily incremental run gives the same marts as a full refresh of the same data."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from conftest import run_dbt, vars_arg

pytestmark = pytest.mark.e2e

CUSTOMERS = 2000
# The sample runs to 2024-12-31: the first load stops 11 days earlier, so the second run brings
# about 1-2% new order lines, dated after the first load's watermark and inside its lookback.
FIRST_LOAD_UNTIL = "2024-12-20"
# Built by the incremental models and by summing money exactly: these must match bit for bit.
EXACT = ["orders", "customers", "customer_rfm", "customer_clv", "sales_monthly", "cohort_retention"]


def build(database, settings: dict, *flags: str) -> None:
    run_dbt(["seed", *vars_arg(settings)], database)
    run_dbt(["run", *flags, *vars_arg(settings)], database)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("incremental")
    incremental, full = workdir / "incremental.duckdb", workdir / "full.duckdb"
    build(incremental, {"sample_customers": CUSTOMERS, "sample_orders_until": FIRST_LOAD_UNTIL})
    first_load = mart_frame(incremental, "orders")
    build(incremental, {"sample_customers": CUSTOMERS})
    build(full, {"sample_customers": CUSTOMERS}, "--full-refresh")
    return incremental, full, first_load


def mart_frame(database, relation: str, schema: str = "marts") -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(f"select * from {schema}.{relation}").df()


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [column for column in frame.columns if not pd.api.types.is_float_dtype(frame[column])]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def test_the_second_run_loaded_only_a_small_share_of_new_orders(warehouses):
    incremental, _, first_load = warehouses
    orders = mart_frame(incremental, "orders")
    new_share = 1 - len(first_load) / len(orders)
    assert 0.005 < new_share < 0.05
    assert str(first_load["order_date"].max())[:10] <= FIRST_LOAD_UNTIL


@pytest.mark.parametrize("mart", EXACT)
def test_incremental_marts_equal_the_full_refresh_exactly(warehouses, mart):
    incremental, full, _ = warehouses
    pd.testing.assert_frame_equal(
        sorted_frame(mart_frame(incremental, mart)),
        sorted_frame(mart_frame(full, mart)),
        check_exact=True,
    )


def test_incremental_customer_aggregates_equal_the_full_refresh_exactly(warehouses):
    incremental, full, _ = warehouses
    relation, schema = "int_customer_orders_aggregated", "intermediate"
    pd.testing.assert_frame_equal(
        sorted_frame(mart_frame(incremental, relation, schema)),
        sorted_frame(mart_frame(full, relation, schema)),
        check_exact=True,
    )


def test_every_other_mart_equals_the_full_refresh_up_to_float_rounding(warehouses):
    """Marts that aggregate floats in SQL or fit models can differ in the last bits with row
    order (as two full refreshes can); they must agree to 1e-9."""
    incremental, full, _ = warehouses
    with duckdb.connect(str(full), read_only=True) as conn:
        marts = [name for (name,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()]  # fmt: skip
    assert len(marts) >= 20
    for mart in sorted(set(marts) - set(EXACT)):
        left, right = mart_frame(incremental, mart), mart_frame(full, mart)
        assert len(left) == len(right), mart
        floats = [c for c in left.columns if pd.api.types.is_float_dtype(left[c])]
        left, right = sorted_frame(left), sorted_frame(right)
        others = [c for c in left.columns if c not in floats]
        pd.testing.assert_frame_equal(left[others], right[others], obj=mart)
        assert np.allclose(
            left[floats].to_numpy(float),
            right[floats].to_numpy(float),
            rtol=1e-9,
            atol=1e-9,
            equal_nan=True,
        ), mart

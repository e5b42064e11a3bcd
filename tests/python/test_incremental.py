"""A daily incremental run gives the same marts as a full refresh of the same data, except where
the project keeps state on purpose: the stored segmentation model, which a daily run keeps
(segments keep their meaning) and a full refresh refits."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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
# Built on the stored segmentation model: the incremental warehouse assigns to the model fitted on
# the first load, the full refresh fits a new one. Compared by the segment-state tests below.
# Their K-means rows and columns come from the stored model too; their RFM part is compared.
HISTORY_MARTS = ["customer_segment_history", "segment_migration", "segment_size_history"]
SEGMENT_STATE = [
    "segment_model",
    "segment_drift",
    "customer_segments",
    "segment_profiles",
    "segment_validation",
    "campaign_performance",
    "ab_test_segments",
]


# Response and uplift models refit on every run from tables rebuilt in full; they take a third of
# each build here and say nothing about incremental loading.
REFITTED_EVERY_RUN = ["--exclude", "response_model_metrics+", "int_uplift_predictions+"]


def build(database, settings: dict, *flags: str, new_process: bool = False) -> None:
    args = ["build", "--resource-type", "seed", "--resource-type", "model", *flags]
    run_dbt([*args, *REFITTED_EVERY_RUN, *vars_arg(settings)], database, new_process=new_process)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    """Two loads into one warehouse beside a full refresh of the second load's data in another
    (its own folder, so the two can build at once)."""
    incremental = tmp_path_factory.mktemp("incremental") / "incremental.duckdb"
    full = tmp_path_factory.mktemp("full_refresh") / "full.duckdb"

    def two_loads():
        build(incremental, {"sample_customers": CUSTOMERS, "sample_orders_until": FIRST_LOAD_UNTIL})
        first_load = mart_frame(incremental, "orders")
        first_segments = mart_frame(incremental, "customer_segments")
        build(incremental, {"sample_customers": CUSTOMERS})
        return first_load, first_segments

    with ThreadPoolExecutor(max_workers=2) as pool:
        loads = pool.submit(two_loads)
        # A new process: the loads it is compared with must not share its hash seed.
        refresh = pool.submit(build, full, {"sample_customers": CUSTOMERS}, "--full-refresh",
                              new_process=True)  # fmt: skip
        first_load, first_segments = loads.result()
        refresh.result()
    return incremental, full, first_load, first_segments


def mart_frame(database, relation: str, schema: str = "marts") -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(f"select * from {schema}.{relation}").df()


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [column for column in frame.columns if not pd.api.types.is_float_dtype(frame[column])]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def test_the_second_run_loaded_only_a_small_share_of_new_orders(warehouses):
    incremental, _, first_load, _ = warehouses
    orders = mart_frame(incremental, "orders")
    new_share = 1 - len(first_load) / len(orders)
    assert 0.005 < new_share < 0.05
    assert str(first_load["order_date"].max())[:10] <= FIRST_LOAD_UNTIL


@pytest.mark.parametrize("mart", EXACT)
def test_incremental_marts_equal_the_full_refresh_exactly(warehouses, mart):
    incremental, full, _, _ = warehouses
    pd.testing.assert_frame_equal(
        sorted_frame(mart_frame(incremental, mart)),
        sorted_frame(mart_frame(full, mart)),
        check_exact=True,
    )


def test_incremental_customer_aggregates_equal_the_full_refresh_exactly(warehouses):
    incremental, full, _, _ = warehouses
    relation, schema = "int_customer_orders_aggregated", "intermediate"
    pd.testing.assert_frame_equal(
        sorted_frame(mart_frame(incremental, relation, schema)),
        sorted_frame(mart_frame(full, relation, schema)),
        check_exact=True,
    )


def rfm_part(mart: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The history marts without their K-means part, which is segment state (see above)."""
    if "segment_type" in frame.columns and mart in HISTORY_MARTS:
        return frame.loc[frame["segment_type"] == "rfm"]
    if mart == "customer_segment_history":
        return frame.drop(columns=["segment_id", "segment_name"])
    return frame


def test_every_other_mart_equals_the_full_refresh_up_to_float_rounding(warehouses):
    """Marts that aggregate floats in SQL or fit models can differ in the last bits with row
    order (as two full refreshes can); they must agree to 1e-9."""
    incremental, full, _, _ = warehouses
    with duckdb.connect(str(full), read_only=True) as conn:
        marts = [name for (name,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()]  # fmt: skip
    assert len(marts) >= 20
    for mart in sorted(set(marts) - set(EXACT) - set(SEGMENT_STATE)):
        left = rfm_part(mart, mart_frame(incremental, mart))
        right = rfm_part(mart, mart_frame(full, mart))
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


def test_a_daily_run_keeps_the_stored_segments_and_says_why(warehouses):
    incremental, _, _, first_segments = warehouses
    drift = mart_frame(incremental, "segment_drift").sort_values("checked_at")
    assert drift["is_refit"].tolist() == [True, False]
    assert drift["model_version"].tolist() == [1, 1]
    assert drift["reason"].iloc[1].startswith("kept version 1: PSI")
    assert mart_frame(incremental, "segment_model")["model_version"].unique().tolist() == [1]
    # The same customers (the sample's customers exist from the first load on) mostly keep their
    # segment id and always its name: 11 more days of orders move few of them.
    segments = mart_frame(incremental, "customer_segments").set_index("customer_id")
    before = first_segments.set_index("customer_id").reindex(segments.index)
    kept = (segments["segment_id"] == before["segment_id"]).mean()
    assert kept >= 0.95, kept
    names = segments.groupby("segment_id")["segment_name"].first()
    assert names.to_dict() == before.groupby("segment_id")["segment_name"].first().to_dict()


def test_a_rebuild_on_the_same_data_gives_identical_segments_without_a_refit(warehouses, tmp_path):
    _, full, _, _ = warehouses
    copy = tmp_path / "rebuilt.duckdb"
    copy.write_bytes(full.read_bytes())
    settings = {"sample_customers": CUSTOMERS}
    run_dbt(["run", "-s", "segment_model", "segment_drift", "customer_segments",
             *vars_arg(settings)], copy, new_process=True)  # fmt: skip
    pd.testing.assert_frame_equal(
        sorted_frame(mart_frame(copy, "customer_segments")),
        sorted_frame(mart_frame(full, "customer_segments")),
        check_exact=True,
    )
    drift = mart_frame(copy, "segment_drift").sort_values("checked_at")
    assert drift["is_refit"].tolist() == [True, False]
    assert drift["psi"].iloc[1] == pytest.approx(0, abs=1e-12)


def test_the_daily_run_assigns_every_customer_period_once(warehouses):
    # The period assignment is incremental (only the newest stored period and later ones are
    # assigned again): after the daily run it still covers every customer-period of the
    # features exactly once, including customers whose first order arrived with the new day.
    incremental, _, _, _ = warehouses
    with duckdb.connect(str(incremental), read_only=True) as conn:
        missing, extra, duplicated = conn.execute(
            """
            with features as (
                select customer_id, period_end
                from intermediate.int_customer_period_features
            ),
            assigned as (
                select customer_id, cast(period_end as date) as period_end
                from intermediate.int_customer_period_segments
            )
            select
                (select count(*) from (from features except from assigned)),
                (select count(*) from (from assigned except from features)),
                (select count(*) - count(distinct (customer_id, period_end)) from assigned)
            """
        ).fetchall()[0]
    assert (missing, extra, duplicated) == (0, 0, 0)

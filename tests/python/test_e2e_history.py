"""Customers over time on the sample build: the last monthly snapshot is customer_rfm and
customer_segments exactly, an earlier one is a recount of the orders mart, the migration accounts
for every customer between two snapshots of each segment type, the customers BG/NBD gives up
on are the ones the history has moved to the lapsed cells, and the stored segmentation model
recorded why it was fitted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.e2e


def test_the_last_month_end_snapshot_is_customer_rfm(sample_build):
    # The sample's last order is on 31 December, so the as-of date is 1 January: the December
    # snapshot is measured on the same day as customer_rfm and must agree customer by customer.
    compared = sample_build.frame(
        """
        select history.rfm_segment = rfm.rfm_segment as same_segment,
            history.r_score = rfm.r_score and history.f_score = rfm.f_score
                and history.m_score = rfm.m_score as same_scores,
            history.recency_days = rfm.recency_days as same_recency,
            abs(history.monetary - rfm.monetary) < 1e-6 as same_monetary
        from marts.customer_segment_history as history
        inner join marts.customer_rfm as rfm using (customer_id)
        where history.period_end = date '2024-12-31'
        """,
    )
    assert len(compared) == sample_build.scalar("select count(*) from marts.customer_rfm")
    assert compared.all().all(), compared.mean()


def test_customers_bgnbd_gives_up_on_sit_in_the_lapsed_cells(sample_build):
    # Direction check between two independent models: the RFM history (recency score 1-2 at the
    # last snapshot) and BG/NBD's probability that the customer is still active.
    shares = sample_build.frame(
        """
        select clv.p_alive < 0.5 as is_unlikely_alive,
            avg(case when history.r_score <= 2 then 1.0 else 0.0 end) as lapsed_share
        from marts.customer_segment_history as history
        inner join marts.customer_clv as clv using (customer_id)
        where history.period_end = date '2024-12-31' and clv.p_alive is not null
        group by all
        """,
    ).set_index("is_unlikely_alive")["lapsed_share"]
    assert shares[True] > 0.9
    assert shares[False] < 0.5


def test_the_last_month_end_snapshot_is_customer_segments(sample_build):
    # Same day as customer_segments (see above): the features as of the period end are the
    # features of today, so the stored model must put every customer in the same K-means segment.
    columns = ["orders_count", "net_revenue", "recency_days", "tenure_days", "share_wines",
               "share_gold", "share_web", "share_store", "deal_share", "income_clean",
               "age"]  # fmt: skip
    compared = sample_build.frame(
        f"""
        select history.segment_id = segments.segment_id as same_segment,
            history.segment_name = segments.segment_name as same_name,
            {", ".join(f"period.{c} is not distinct from today.{c} as same_{c}" for c in columns)}
        from marts.customer_segment_history as history
        inner join marts.customer_segments as segments using (customer_id)
        inner join intermediate.int_customer_period_features as period
            using (customer_id, period_end)
        inner join intermediate.int_customer_features as today using (customer_id)
        where history.period_end = date '2024-12-31'
        """,
    )
    purchasers = "select count(*) from intermediate.int_customer_features where has_purchased"
    assert len(compared) == sample_build.scalar(purchasers)
    assert compared.all().all(), compared.mean()


def test_an_earlier_snapshot_is_a_recount_of_the_orders_mart(sample_build):
    # June 2024 recounted in pandas from the order lines: orders bought by 30 June (an order is
    # bought on its first non-returned line), net revenue of the lines dated by then, web share.
    lines = sample_build.frame(
        "select customer_id, order_id, order_date, amount, channel, is_return from marts.orders "
        "where not is_order_date_in_future and order_date <= date '2024-06-30'",
    )
    bought = lines.loc[~lines["is_return"]].groupby(["customer_id", "order_id"])
    orders = bought.agg(channels=("channel", set)).reset_index()
    orders["is_web"] = orders["channels"].map(lambda channels: "web" in channels)
    expected = orders.groupby("customer_id").agg(
        orders_count=("order_id", "size"), web=("is_web", "sum")
    )
    expected["net_revenue"] = lines.groupby("customer_id")["amount"].sum()
    expected["share_web"] = expected["web"] / expected["orders_count"]
    period = sample_build.frame(
        "select customer_id, orders_count, net_revenue, share_web "
        "from intermediate.int_customer_period_features where period_end = date '2024-06-30'",
    ).set_index("customer_id")
    assert len(period) == len(expected) > 1000
    joined = expected.join(period, suffixes=("", "_model"))
    assert (joined["orders_count"] == joined["orders_count_model"]).all()
    np.testing.assert_allclose(joined["net_revenue_model"], joined["net_revenue"], atol=1e-6)
    np.testing.assert_allclose(joined["share_web_model"], joined["share_web"], atol=1e-12)


@pytest.mark.parametrize("segment_type", ["rfm", "kmeans"])
def test_sizes_and_flows_tie_out_to_the_snapshots(sample_build, segment_type):
    segment_id = {"rfm": "rfm_segment_id", "kmeans": "segment_id"}[segment_type]
    sizes = sample_build.frame(
        "select period_end, sum(customers) as customers from marts.segment_size_history "
        f"where segment_type = '{segment_type}' group by 1",
    ).set_index("period_end")["customers"]
    snapshots = sample_build.frame(
        "select period_end, count(*) as customers from marts.customer_segment_history "
        f"where {segment_id} is not null group by 1",
    ).set_index("period_end")["customers"]
    pd.testing.assert_series_equal(sizes.sort_index(), snapshots.sort_index(), check_dtype=False)
    # The customers entering from 'New customers' each month are exactly the first purchasers.
    new = sample_build.frame(
        f"""
        select period_end, sum(customers) as customers from marts.segment_migration
        where segment_type = '{segment_type}' and from_segment_id = 0 group by 1
        """,
    ).set_index("period_end")["customers"]
    firsts = sample_build.frame(
        """
        select period_end, count(*) as customers from marts.customer_segment_history
        where is_first_period group by 1
        """,
    ).set_index("period_end")["customers"]
    pd.testing.assert_series_equal(new.sort_index(), firsts.sort_index(), check_dtype=False)
    # Staying put is a flow too: a customer in the same segment two months running.
    stayers = sample_build.scalar(
        f"""
        select count(*) from marts.customer_segment_history as this_month
        inner join marts.customer_segment_history as last_month
            on this_month.customer_id = last_month.customer_id
                and last_month.period_end
                    = this_month.period_end - interval (day(this_month.period_end)) day
        where this_month.{segment_id} = last_month.{segment_id}
            and this_month.period_end = date '2024-12-31'
        """
    )
    staying = sample_build.scalar(
        "select sum(customers) from marts.segment_migration where segment_type = "
        f"'{segment_type}' and period_end = date '2024-12-31' and from_segment_id = to_segment_id"
    )
    assert staying == stayers > 0


def test_the_first_build_stored_one_model_version_and_said_why(sample_build):
    drift = sample_build.frame("select * from marts.segment_drift")
    assert len(drift) == 1 and bool(drift["is_refit"].iloc[0])
    assert drift["reason"].iloc[0].startswith("no stored segment model")
    model = sample_build.frame("select * from marts.segment_model")
    assert model["model_version"].unique().tolist() == [1]
    segments = sample_build.frame(
        "select segment_id, segment_name, count(*) as customers from marts.customer_segments "
        "group by all order by segment_id",
    )
    assert segments["segment_id"].tolist() == model.sort_values("segment_id")["segment_id"].tolist()
    assert (
        segments["segment_name"].tolist()
        == model.sort_values("segment_id")["segment_name"].tolist()
    )

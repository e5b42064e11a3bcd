"""Customers over time on the sample build: the last monthly snapshot is customer_rfm exactly,
the migration accounts for every customer between two snapshots, the customers BG/NBD gives up
on are the ones the history has moved to the lapsed cells, and the stored segmentation model
recorded why it was fitted."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

pytestmark = pytest.mark.e2e


def frame(build, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(build.database), read_only=True) as conn:
        return conn.execute(sql).df()


def test_the_last_month_end_snapshot_is_customer_rfm(sample_build):
    # The sample's last order is on 31 December, so the as-of date is 1 January: the December
    # snapshot is measured on the same day as customer_rfm and must agree customer by customer.
    compared = frame(
        sample_build,
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
    shares = frame(
        sample_build,
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


def test_sizes_and_flows_tie_out_to_the_snapshots(sample_build):
    sizes = frame(
        sample_build,
        "select period_end, sum(customers) as customers from marts.segment_size_history group by 1",
    ).set_index("period_end")["customers"]
    snapshots = frame(
        sample_build,
        "select period_end, count(*) as customers from marts.customer_segment_history group by 1",
    ).set_index("period_end")["customers"]
    pd.testing.assert_series_equal(sizes.sort_index(), snapshots.sort_index(), check_dtype=False)
    # The customers entering from 'New customers' each month are exactly the first purchasers.
    new = frame(
        sample_build,
        """
        select period_end, sum(customers) as customers from marts.segment_migration
        where from_segment_id = 0 group by 1
        """,
    ).set_index("period_end")["customers"]
    firsts = frame(
        sample_build,
        """
        select period_end, count(*) as customers from marts.customer_segment_history
        where is_first_period group by 1
        """,
    ).set_index("period_end")["customers"]
    pd.testing.assert_series_equal(new.sort_index(), firsts.sort_index(), check_dtype=False)


def test_the_first_build_stored_one_model_version_and_said_why(sample_build):
    drift = frame(sample_build, "select * from marts.segment_drift")
    assert len(drift) == 1 and bool(drift["is_refit"].iloc[0])
    assert drift["reason"].iloc[0].startswith("no stored segment model")
    model = frame(sample_build, "select * from marts.segment_model")
    assert model["model_version"].unique().tolist() == [1]
    segments = frame(
        sample_build,
        "select segment_id, segment_name, count(*) as customers from marts.customer_segments "
        "group by all order by segment_id",
    )
    assert segments["segment_id"].tolist() == model.sort_values("segment_id")["segment_id"].tolist()
    assert (
        segments["segment_name"].tolist()
        == model.sort_values("segment_id")["segment_name"].tolist()
    )

"""The marts a manager's questions and a BI tool need: correlations equal to pandas, response by
channel and band recomputed from the contacts, segment profiles recomputed from the customers,
integer segment ids everywhere, both significance flags, and the loyal persona named for it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.e2e


def test_measure_correlations_equal_pandas_on_the_marketing_file(marketing_build):
    correlations = marketing_build.frame("select * from marts.measure_correlations")
    measures = list(dict.fromkeys(correlations["measure_a"]))
    assert len(measures) >= 10 and "net_revenue" in measures and "income_clean" in measures
    customers = marketing_build.frame(
        f"select {', '.join(measures)} from marts.customers where has_purchased",
    ).astype(float)
    expected = customers.corr()
    got = correlations.pivot(index="measure_a", columns="measure_b", values="correlation")  # noqa: PD010
    got = got.reindex(index=measures, columns=measures)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=1e-9, rtol=0)
    pair_counts = customers.notna().astype(int).T @ customers.notna().astype(int)
    counted = correlations.pivot(index="measure_a", columns="measure_b", values="customers")  # noqa: PD010
    np.testing.assert_array_equal(
        counted.reindex(index=measures, columns=measures).to_numpy(), pair_counts.to_numpy()
    )


def channel_response_recomputed(build) -> pd.DataFrame:
    """Treated contacts by channel and age band, from the staged contacts and the customers."""
    return build.frame(
        """
        select coalesce(campaigns.channel, 'unknown') as channel,
            coalesce(customers.age_range, 'Unknown') as band,
            count(*) as contacts,
            count(*) filter (where contacts.responded) as responses
        from staging.stg_shop__campaign_contacts as contacts
        inner join staging.stg_shop__campaigns as campaigns using (campaign_id)
        left join marts.customers as customers using (customer_id)
        where not contacts.is_control
        group by all
        """,
    )


@pytest.mark.parametrize("build_name", ["sample_build", "marketing_build"])
def test_channel_response_by_age_ties_out_to_the_contacts_and_campaign_totals(build_name, request):
    build = request.getfixturevalue(build_name)
    mart = build.frame("select * from marts.campaign_channel_response")
    by_age = mart[mart["band_type"] == "age"].set_index(["channel", "band"])
    expected = channel_response_recomputed(build).set_index(["channel", "band"])
    assert sorted(by_age.index) == sorted(expected.index)
    pd.testing.assert_series_equal(
        by_age["contacts"].sort_index(), expected["contacts"].sort_index(), check_dtype=False
    )
    pd.testing.assert_series_equal(
        by_age["responses"].sort_index(), expected["responses"].sort_index(), check_dtype=False
    )
    totals = build.frame(
        """
        select sum(contacts), sum(responses) from marts.campaign_performance
        where segment_type = 'all'
        """,
    ).iloc[0]
    for band_type in ["all", "age", "income"]:
        rows = mart[mart["band_type"] == band_type]
        assert rows["contacts"].sum() == totals.iloc[0]
        assert rows["responses"].sum() == totals.iloc[1]
    index = by_age["responses"] / by_age["contacts"] / by_age["channel_response_rate"]
    np.testing.assert_allclose(by_age["response_index"], index, rtol=1e-12)


def test_older_customers_answer_more_as_planted_in_the_sample(sample_build):
    # The sample plants response by persona: the oldest persona (born around 1960) has the
    # highest response logit and the youngest (families, born around 1988) the lowest, so in
    # every channel the 60+ bands answer at least twice as often as the under-40 bands.
    rates = sample_build.frame(
        """
        select channel,
            sum(responses) filter (where band_id in (1, 2))
                / sum(contacts) filter (where band_id in (1, 2)) as under_40,
            sum(responses) filter (where band_id in (5, 6))
                / sum(contacts) filter (where band_id in (5, 6)) as over_60
        from marts.campaign_channel_response
        where band_type = 'age'
        group by channel
        """,
    )
    assert len(rates) >= 2
    assert (rates["over_60"] >= 2 * rates["under_40"]).all(), rates


def test_segment_profiles_new_measures_recompute_from_the_customers(sample_build):
    profiles = sample_build.frame("select * from marts.segment_profiles").set_index("segment_id")
    customers = sample_build.frame(
        """
        select segments.segment_id, customers.*
        from marts.customer_segments as segments
        inner join marts.customers as customers using (customer_id)
        """,
    )
    for segment_id, group in customers.groupby("segment_id"):
        profile = profiles.loc[segment_id]
        assert profile["avg_tenure_days"] == pytest.approx(group["tenure_days"].mean(), rel=1e-9)
        spend = group[[f"spend_{c}" for c in ["wines", "meat", "fruits", "fish", "sweets", "gold"]]]
        spend = spend.clip(lower=0)
        assert profile["spend_share_wines"] == pytest.approx(
            spend["spend_wines"].sum() / spend.to_numpy().sum(), rel=1e-9
        )
        assert profile["purchase_share_store"] == pytest.approx(
            group["purchases_store"].sum() / group["orders_count"].sum(), rel=1e-9
        )
        responders = group["campaigns_accepted"] > 0
        assert profile["campaign_responder_share"] == pytest.approx(responders.mean(), rel=1e-9)
        # Rounded to cents for BI tools.
        assert profile["avg_spend_campaign_responders"] == pytest.approx(
            group.loc[responders, "net_revenue"].mean(), abs=0.005
        )
        assert profile["avg_spend_non_responders"] == pytest.approx(
            group.loc[~responders, "net_revenue"].mean(), abs=0.005
        )
        shares = [profile[f"purchase_share_{c}"] for c in ["web", "catalog", "store"]]
        assert sum(shares) == pytest.approx(1.0, abs=1e-9)


def test_the_loyal_regulars_segment_is_named_for_its_frequency(sample_build):
    named = sample_build.frame(
        """
        select segments.segment_name, count(*) as customers
        from marts.customer_segments as segments
        inner join sample.sample_truth_customers as truth using (customer_id)
        where truth.persona_id = 3
        group by all
        order by customers desc
        limit 1
        """,
    )
    assert named["segment_name"].iloc[0].startswith("Frequent buyers")


def test_segment_ids_are_integers_everywhere_with_names_beside_them(sample_build):
    types = dict(
        sample_build.query(
            """
            select table_name, data_type from information_schema.columns
            where table_schema = 'marts' and column_name = 'segment_id'
            """
        )
    )
    assert set(types) >= {"campaign_performance", "ab_test_segments", "customer_segments"}
    assert set(types.values()) == {"BIGINT"}
    mismatched = sample_build.scalar(
        """
        select count(*) from (
            select distinct segment_type, segment_id, segment_name
            from marts.campaign_performance
        ) as cells
        left join marts.segment_profiles as kmeans
            on cells.segment_type = 'kmeans' and cells.segment_id = kmeans.segment_id
        left join (select distinct rfm_segment_id, rfm_segment from marts.customer_rfm) as rfm
            on cells.segment_type = 'rfm' and cells.segment_id = rfm.rfm_segment_id
        where not (
            (cells.segment_type = 'kmeans' and cells.segment_name = kmeans.segment_name)
            or (cells.segment_type = 'rfm' and cells.segment_name = rfm.rfm_segment)
            or (cells.segment_type = 'rfm' and cells.segment_id = 0
                and cells.segment_name = 'No purchase')
            or (cells.segment_type = 'all' and cells.segment_id = 0)
        )
        """
    )
    assert mismatched == 0


def test_the_discount_reads_out_both_significance_flags(sample_build):
    # The planted discount earns less per customer (20% lower spend per conversion): the readout
    # must flag that effect on its own, whatever the conversion test says at this sample size.
    row = sample_build.frame(
        """
        select * from marts.ab_test_results
        where campaign_id = (select cast(cast(fact_value as bigint) as varchar)
                             from sample.sample_truth_facts
                             where fact_name = 'ab_test_campaign_id')
        """,
    ).iloc[0]
    assert row["is_conversion_significant"] == (row["conversion_p_value"] < 0.05)
    assert row["is_revenue_significant"] and row["revenue_diff"] < 0
    assert row["revenue_lift_rel"] == pytest.approx(
        row["revenue_diff"] / row["revenue_per_customer_control"], rel=1e-12
    )


def test_headline_kpis_tie_out_to_the_generated_lines_and_campaigns(sample_build):
    headline = sample_build.frame("select * from marts.headline_kpis")
    assert len(headline) == 1
    row = headline.iloc[0]
    generated_revenue = sample_build.scalar(
        """
        select sum(amount) from sample.sample_order_lines
        where not is_planted_duplicate and not is_planted_orphan
        """
    )
    assert row["revenue"] == pytest.approx(generated_revenue, abs=0.01)
    # Active: a bought line in the 365 days before the as-of date, counted from the order lines.
    active = sample_build.scalar(
        f"""
        select count(distinct customer_id) from marts.orders
        where not is_return and not is_order_date_in_future
            and order_date >= date '{row["as_of_date"].date()}' - 365
        """
    )
    assert row["active_customers"] == active > 0
    # The generator sends one experiment with a control arm and five broadcasts.
    broadcasts = sample_build.scalar(
        """
        select count(*) from (
            select campaign_id from sample.sample_campaign_contacts
            group by campaign_id having count(*) filter (where variant = 'control') = 0
        )
        """
    )
    assert row["gross_campaigns"] == broadcasts == 5
    at_risk = sample_build.scalar(
        "select avg((p_alive < 0.5)::int) from marts.customer_clv where p_alive is not null"
    )
    assert row["share_at_risk"] == pytest.approx(at_risk, abs=1e-12)
    assert 0 < row["share_at_risk"] < 1


def test_rfm_grid_counts_every_purchaser_once_in_their_cell(sample_build):
    grid = sample_build.frame("select * from marts.rfm_grid")
    cells = sample_build.frame(
        "select r_score, fm_score, count(*) as n from marts.customer_rfm group by all"
    )
    merged = grid.merge(cells, on=["r_score", "fm_score"], how="outer", validate="one_to_one")
    assert (merged["customers"] == merged["n"]).all()
    assert grid["share_of_customers"].sum() == pytest.approx(1.0)
    assert grid["rfm_segment"].notna().all()

"""End to end on the generated sample: campaign decisions rest on what the discount test caused.

The sample's discount test plants a conversion effect that differs by persona (seed column
ab_conversion_lift, per customer in sample_truth_customers): Young families on deals respond to it
(+0.15), Loyal regulars buy anyway (0), Affluent connoisseurs are put off (-0.05); every converting
customer spends 20% less under the discount.
"""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from conftest import run_dbt, vars_arg

pytestmark = pytest.mark.e2e

RESPONDS = "Young families on deals"
BUYS_ANYWAY = "Loyal regulars"
PUT_OFF = "Affluent connoisseurs"


def discount_test(build) -> str:
    return str(
        int(
            build.scalar(
                "select fact_value from sample.sample_truth_facts "
                "where fact_name = 'ab_test_campaign_id'"
            )
        )
    )


def test_incremental_revenue_ties_out_to_the_ab_readout_to_the_cent(sample_build):
    campaign = discount_test(sample_build)
    incremental, contacts, control = sample_build.query(
        f"""
        select incremental_revenue, contacts, control_contacts from marts.campaign_performance
        where campaign_id = '{campaign}' and segment_type = 'all'
        """
    )[0]
    treatment_mean, control_mean, n_treatment, n_control = sample_build.query(
        f"""
        select revenue_per_customer_treatment, revenue_per_customer_control, n_treatment, n_control
        from marts.ab_test_results where campaign_id = '{campaign}'
        """
    )[0]
    assert (contacts, control) == (n_treatment, n_control)
    assert round(incremental, 2) == round((treatment_mean - control_mean) * n_treatment, 2)
    # And from the raw contacts, independently of both marts.
    by_arm = dict(
        sample_build.query(
            f"""
            select variant = 'control', sum(response_revenue) / count(*)
            from sample.sample_campaign_contacts where campaign_id = {campaign} group by 1
            """
        )
    )
    assert round(incremental, 2) == round((by_arm[False] - by_arm[True]) * contacts, 2)


def test_the_discount_test_is_not_recommended_on_gross_revenue(sample_build):
    campaign = discount_test(sample_build)
    row = sample_build.query(
        f"""
        select attribution, roi, incremental_profit, incremental_profit_ci_low,
            incremental_profit_ci_high, incremental_roi, recommendation
        from marts.campaign_performance where campaign_id = '{campaign}' and segment_type = 'all'
        """
    )[0]
    attribution, gross_roi, profit, low, high, roi, recommendation = row
    assert attribution == "incremental"
    # Gross, the responders' spend makes the campaign look excellent; against control it loses
    # money (planted: 20% less spend per conversion, a small average conversion gain).
    assert gross_roi > 5
    assert low < profit < high < 0
    assert roi < 0
    assert recommendation == "do not target"
    broadcasts = sample_build.query(
        "select distinct attribution from marts.campaign_performance "
        f"where campaign_id != '{campaign}'"
    )
    assert broadcasts == [("gross",)]


def test_every_experiment_row_follows_its_profit_interval(sample_build):
    rows = sample_build.query(
        """
        select recommendation, incremental_profit_ci_low, incremental_profit_ci_high
        from marts.campaign_performance where attribution = 'incremental'
        """
    )
    seen = set()
    for recommendation, low, high in rows:
        if low is not None and low > 0:
            expected = "target"
        elif high is not None and high < 0:
            expected = "do not target"
        else:
            expected = "inconclusive: extend the test"
        assert recommendation == expected
        seen.add(recommendation)
    # The segment rows reach both decisions: the discount pays in one segment and not in another.
    assert {"target", "do not target"} <= seen


def persona_of_kmeans_segments(build) -> dict[str, tuple[str, float]]:
    """Each K-means segment's majority persona and its share of the segment."""
    rows = build.query(
        """
        with counts as (
            select segments.segment_id, truth.persona_name,
                count(*) as customers
            from marts.customer_segments as segments
            inner join sample.sample_truth_customers as truth
                on segments.customer_id = cast(truth.customer_id as varchar)
            group by all
        )
        select segment_id, persona_name, customers / sum(customers) over (partition by segment_id)
        from counts
        qualify row_number() over (partition by segment_id order by customers desc) = 1
        """
    )
    return {segment: (persona, share) for segment, persona, share in rows}


def test_ab_test_segments_recover_the_sign_of_each_planted_effect(sample_build):
    campaign = discount_test(sample_build)
    personas = persona_of_kmeans_segments(sample_build)
    cells = {
        row[0]: row[1:]
        for row in sample_build.query(
            f"""
            select segment_id, conversion_lift_abs, conversion_ci_low, conversion_ci_high,
                revenue_diff, is_conversion_significant
            from marts.ab_test_segments
            where campaign_id = '{campaign}' and segment_type = 'kmeans'
            """
        )
    }
    checked = set()
    for segment, (persona, share) in personas.items():
        # k is chosen by the data: a segment may merge two personas; read the ones one dominates.
        if share < 0.6:
            continue
        lift, low, high, revenue_diff, significant = cells[segment]
        if persona == RESPONDS:
            assert low > 0 and significant
        elif persona == PUT_OFF:
            assert lift < 0 and high < 0.05 and revenue_diff < 0
        elif persona == BUYS_ANYWAY:
            assert low < 0 < high
        checked.add(persona)
    assert {RESPONDS, PUT_OFF} <= checked


def test_adjusted_p_values_match_statsmodels(sample_build):
    families = sample_build.query(
        """
        select campaign_id, variant, list(conversion_p_value order by segment_type, segment_id),
            list(conversion_p_holm order by segment_type, segment_id),
            list(conversion_p_bh order by segment_type, segment_id),
            list(revenue_p_value order by segment_type, segment_id)
                filter (where revenue_p_value is not null),
            list(revenue_p_bh order by segment_type, segment_id)
                filter (where revenue_p_value is not null)
        from marts.ab_test_segments where conversion_p_value is not null
        group by all
        """
    )
    assert families
    for _, _, p_values, holm, bh, revenue_p, revenue_bh in families:
        assert len(p_values) > 10
        np.testing.assert_allclose(holm, multipletests(p_values, method="holm")[1], rtol=1e-12)
        np.testing.assert_allclose(bh, multipletests(p_values, method="fdr_bh")[1], rtol=1e-12)
        np.testing.assert_allclose(
            revenue_bh, multipletests(revenue_p, method="fdr_bh")[1], rtol=1e-12
        )


def test_cells_too_small_to_read_are_flagged_and_never_significant(sample_build):
    rows = sample_build.query(
        """
        select n_treatment, n_control, is_too_small, is_conversion_significant,
            is_revenue_significant
        from marts.ab_test_segments
        """
    )
    assert any(row[2] for row in rows) and not all(row[2] for row in rows)
    for n_treatment, n_control, too_small, conversion, revenue in rows:
        assert too_small == (min(n_treatment, n_control) < 30)
        if too_small:
            assert not conversion and not revenue


def test_the_uplift_model_ranks_customers_by_what_the_discount_does_to_them(sample_build):
    chosen = sample_build.query(
        "select learner, qini_coefficient, uplift_at_30pct from marts.uplift_model_metrics "
        "where is_chosen"
    )
    assert len(chosen) == 1
    _, qini, top_30 = chosen[0]
    # Out of fold: clearly better than random (0); measured 0.12 at 4,000 customers.
    assert qini > 0.05
    assert top_30 > 0.05
    shares = dict(
        sample_build.query(
            """
            select truth.persona_name,
                avg(case when uplift.uplift_decile = 1 then 1.0 else 0.0 end) / 0.1
            from marts.customer_uplift as uplift
            inner join sample.sample_truth_customers as truth
                on uplift.customer_id = cast(truth.customer_id as varchar)
            group by all
            """
        )
    )
    # Each persona's chance to be in the top decile, over the 10% of a random pick: enriched in
    # the persona the discount works on, under-represented among those it puts off (measured
    # 3.3 and 0.0 on the default sample, 2.8 and 0.5 on this 4,000-customer one, where the
    # noisier boosted X-learner wins the out-of-fold comparison).
    assert shares[RESPONDS] > 2.5
    assert shares[PUT_OFF] < 0.6


def test_planted_effects_are_recovered_per_persona_by_the_uplift_scores(sample_build):
    rows = dict(
        sample_build.query(
            """
            select truth.persona_name, avg(uplift.uplift - truth.ab_conversion_lift)
            from marts.customer_uplift as uplift
            inner join sample.sample_truth_customers as truth
                on uplift.customer_id = cast(truth.customer_id as varchar)
            group by all
            """
        )
    )
    for persona in (RESPONDS, BUYS_ANYWAY, PUT_OFF):
        assert abs(rows[persona]) < 0.05, persona


def test_out_of_fold_uplift_is_given_only_for_the_experiments_customers(sample_build):
    campaign = discount_test(sample_build)
    # The experiment's customers the models learn from: contacted, not flagged as outliers.
    learned_from = sample_build.scalar(
        f"""
        select count(*)
        from sample.sample_campaign_contacts as contacts
        inner join intermediate.int_response_features as features
            on cast(contacts.customer_id as varchar) = features.customer_id
                and features.snapshot = 'experiment'
        where contacts.campaign_id = {campaign} and not features.is_outlier
        """
    )
    mismatches = sample_build.scalar(
        """
        select count(*)
        from marts.customer_uplift as uplift
        left join intermediate.int_response_features as features
            on uplift.customer_id = features.customer_id
                and features.snapshot = 'experiment'
                and not features.is_outlier
        where (uplift.uplift_oof is null) != (features.customer_id is null)
        """
    )
    assert mismatches == 0
    assert (
        sample_build.scalar("select count(uplift_oof) from marts.customer_uplift")
        == learned_from
        > 3000
    )
    # The column is the chosen learner's out-of-fold prediction, not the refitted model's.
    differences = sample_build.scalar(
        """
        select count(*)
        from marts.customer_uplift as uplift
        inner join intermediate.int_uplift_predictions as predictions
            on uplift.customer_id = predictions.customer_id
                and uplift.learner = predictions.learner
        where uplift.uplift_oof != predictions.uplift_oof
        """
    )
    assert differences == 0
    assert sample_build.scalar("select count(*) from marts.customer_uplift") == sample_build.scalar(
        "select count(*) from marts.customers"
    )


def test_treating_by_uplift_beats_treating_by_propensity(sample_build):
    strategies = dict(
        sample_build.query("select strategy, incremental_profit from marts.targeting_strategies")
    )
    assert strategies["uplift"] > 0 > strategies["everyone"]
    assert strategies["uplift"] > strategies["response_propensity"]
    assert strategies["uplift"] > strategies["rfm"]
    assert strategies["nobody"] == 0


def test_the_qini_table_adds_up_to_treating_everyone(sample_build):
    last, everyone = sample_build.query(
        """
        select deciles.cumulative_incremental_profit, strategies.incremental_profit
        from marts.uplift_deciles as deciles
        inner join marts.targeting_strategies as strategies
            on deciles.campaign_id = strategies.campaign_id and strategies.strategy = 'everyone'
        where deciles.uplift_decile = 10
        """
    )[0]
    assert last == pytest.approx(everyone)
    first, tenth = sample_build.query(
        "select max(uplift) filter (where uplift_decile = 1), "
        "max(uplift) filter (where uplift_decile = 10) from marts.uplift_deciles"
    )[0]
    assert first > 0.05 > tenth


def test_a_budget_plans_the_most_profitable_customers_it_pays_for(sample_build, tmp_path):
    database = tmp_path / "budget.duckdb"
    shutil.copy(sample_build.database, database)
    unlimited = sample_build.query(
        "select count(*) filter (where is_in_plan), count(*) filter (where should_treat) "
        "from marts.customer_uplift"
    )[0]
    assert unlimited[0] == unlimited[1] > 0
    run_dbt(["run", "-s", "customer_uplift", *vars_arg({"targeting_budget": 100})], database)
    with duckdb.connect(str(database), read_only=True) as conn:
        planned, cheapest_planned, best_left_out = conn.execute(
            """
            select count(*) filter (where is_in_plan),
                min(expected_incremental_profit) filter (where is_in_plan),
                max(expected_incremental_profit) filter (where not is_in_plan)
            from marts.customer_uplift
            """
        ).fetchall()[0]
        cost = conn.execute(
            "select cost_per_contact from intermediate.int_campaigns_classified where is_experiment"
        ).fetchall()[0][0]
    # 100 pays for 200 contacts at 0.5; they are the 200 best.
    assert planned == int(100 // cost) == 200
    assert cheapest_planned >= best_left_out

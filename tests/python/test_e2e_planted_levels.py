"""The planted levels of the generated sample, recovered from the marts on two seeds.

The generator (models/sample) draws every customer from a persona of sample_persona_mix: its
share of customers, its category and channel probabilities per order, its deal rate, its basket
median (lognormal, sigma 0.6), a 20% deal discount, about 3% of orders returned, the campaign
economics (cost 3 per contact, revenue 11 per response) and an additive A/B conversion lift per
persona. Each check compares a mart figure with the planted value within 4.5 standard errors
computed from the build's own counts, so the tolerance shrinks as the sample grows and no
number is hand-picked; a second seed guards against a level that holds at one seed by chance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import DbtBuild, run_dbt, vars_arg

pytestmark = pytest.mark.e2e

# Standard errors a planted level may be away from what the marts show.
Z = 4.5
SECOND_SEED = 11
# What the checks read: the orders and customers marts, the campaign readouts and the truth.
SELECTION = ["+orders", "+customers", "+campaign_performance", "+ab_test_results",
             "sample_truth_customers", "sample_campaigns"]  # fmt: skip
CATEGORIES = ["wines", "meat", "fruits", "fish", "sweets", "gold"]
CHANNELS = ["web", "catalog", "store"]


@pytest.fixture(scope="module")
def second_seed(tmp_path_factory: pytest.TempPathFactory) -> DbtBuild:
    database = tmp_path_factory.mktemp("second_seed") / "warehouse.duckdb"
    settings = {"sample_customers": 4000, "sample_seed": SECOND_SEED}
    # cautious: only the tests whose every parent is built.
    selection = ["--select", *SELECTION, "--indirect-selection", "cautious"]
    result = run_dbt(["build", *selection, *vars_arg(settings)], database)
    return DbtBuild(database=database, output=result.stdout, settings=settings)


@pytest.fixture(params=["seed 7", f"seed {SECOND_SEED}"])
def build(request, sample_build, second_seed) -> DbtBuild:
    return sample_build if request.param == "seed 7" else second_seed


def within(observed: float, planted: float, standard_error: float) -> bool:
    return abs(observed - planted) <= Z * standard_error


def bought_orders(build: DbtBuild) -> pd.DataFrame:
    """One row per bought order (one line each in the sample) with its customer's persona."""
    return build.frame(
        """
        select orders.*, truth.persona_id
        from marts.orders as orders
        inner join sample.sample_truth_customers as truth
            on orders.customer_id = cast(truth.customer_id as varchar)
        where not orders.is_return
        """
    )


def personas(build: DbtBuild) -> pd.DataFrame:
    return build.frame("select * from sample.sample_persona_mix").set_index("persona_id")


def test_persona_shares_of_the_customers_mart(build):
    counts = build.frame(
        """
        select truth.persona_id, count(*) as customers
        from marts.customers as customers
        inner join sample.sample_truth_customers as truth
            on customers.customer_id = cast(truth.customer_id as varchar)
        group by 1
        """
    ).set_index("persona_id")["customers"]
    total = counts.sum()
    for persona_id, planted in personas(build)["customer_share"].items():
        error = np.sqrt(planted * (1 - planted) / total)
        assert within(counts[persona_id] / total, planted, error), (persona_id, planted)


@pytest.mark.parametrize("kind", ["category", "channel"])
def test_category_and_channel_mix_per_persona(build, kind):
    orders = bought_orders(build)
    values = CATEGORIES if kind == "category" else CHANNELS
    for persona_id, planted in personas(build).iterrows():
        mine = orders.loc[orders["persona_id"] == persona_id, kind]
        assert len(mine) > 500
        for value in values:
            p = planted[f"share_{value}"]
            error = np.sqrt(p * (1 - p) / len(mine))
            assert within((mine == value).mean(), p, error), (persona_id, value, p)


def test_deal_rate_discount_and_basket_per_persona(build):
    orders = bought_orders(build)
    for persona_id, planted in personas(build).iterrows():
        mine = orders.loc[orders["persona_id"] == persona_id]
        deal = mine["is_deal"].to_numpy(bool)
        rate = planted["deal_rate"]
        assert within(deal.mean(), rate, np.sqrt(rate * (1 - rate) / len(mine))), persona_id
        # log(amount) = log(basket median) + 0.6 z, minus log(1 / 0.8) on a deal.
        log_amount = np.log(mine["amount"].to_numpy(float))
        full_price, deals = log_amount[~deal], log_amount[deal]
        error = 0.6 / np.sqrt(len(full_price))
        assert within(full_price.mean(), np.log(planted["basket_median"]), error), persona_id
        if len(deals) > 30:
            error = 0.6 * np.sqrt(1 / len(deals) + 1 / len(full_price))
            assert within(deals.mean() - full_price.mean(), np.log(0.8), error), persona_id


def test_three_percent_of_orders_are_returned(build):
    counts = build.frame(
        "select is_return, count(distinct order_id) as orders from marts.orders group by 1"
    ).set_index("is_return")["orders"]
    bought = counts[False]
    # Returns dated after the sample's last day are never written: about 1/72 of them.
    planted = 0.03 * (1 - 1 / 72)
    error = np.sqrt(planted * (1 - planted) / bought)
    assert within(counts[True] / bought, planted, error)


def test_broadcast_campaigns_cost_3_per_contact_and_earn_11_per_response(build):
    campaigns = build.frame(
        """
        select performance.contacts, performance.responses, performance.cost,
            performance.revenue
        from marts.campaign_performance as performance
        inner join sample.sample_campaigns as planted
            on performance.campaign_id = cast(planted.campaign_id as varchar)
        where performance.segment_type = 'all' and planted.cost_per_contact = 3
        """
    )
    assert len(campaigns) == 5
    np.testing.assert_allclose(campaigns["cost"], 3 * campaigns["contacts"], rtol=1e-12)
    np.testing.assert_allclose(campaigns["revenue"], 11 * campaigns["responses"], rtol=1e-12)


def test_ab_conversion_lift_is_the_planted_persona_lift(build):
    result = build.frame("select * from marts.ab_test_results").iloc[0]
    planted = build.scalar(
        """
        select avg(truth.ab_conversion_lift)
        from staging.stg_shop__campaign_contacts as contacts
        inner join sample.sample_truth_customers as truth
            on contacts.customer_id = cast(truth.customer_id as varchar)
        inner join sample.sample_campaigns as campaigns
            on contacts.campaign_id = cast(campaigns.campaign_id as varchar)
        where campaigns.revenue_per_response is null and not contacts.is_control
        """
    )
    p1, p0 = result["conversion_rate_treatment"], result["conversion_rate_control"]
    error = np.sqrt(p1 * (1 - p1) / result["n_treatment"] + p0 * (1 - p0) / result["n_control"])
    assert within(result["conversion_lift_abs"], planted, error), (planted, result)

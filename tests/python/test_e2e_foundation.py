"""End to end on the generated sample: every raw row is accounted for, and the planted facts
of the generator come back out of the marts."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from conftest import E2E_CUSTOMERS, finished_line, run_dbt, vars_arg

pytestmark = pytest.mark.e2e

INPUTS = {
    # input name: (raw sample table, staged model)
    "customers": ("sample.sample_customers", "staging.stg_shop__customers"),
    "orders": ("sample.sample_orders", "staging.stg_shop__orders"),
    "campaigns": ("sample.sample_campaigns", "staging.stg_shop__campaigns"),
    "campaign_contacts": ("sample.sample_campaign_contacts", "staging.stg_shop__campaign_contacts"),
}


def truth(build, name: str) -> float:
    return build.scalar(
        f"select fact_value from sample.sample_truth_facts where fact_name = '{name}'"
    )


def test_build_prints_no_deprecation_warning(sample_build):
    assert "Deprecat" not in sample_build.output
    assert "PASS=" in sample_build.output and "ERROR=0" in sample_build.output
    # A build that runs the Python models starts its fitting workers (python_udfs/plugin.py):
    # every worker ready is new, as many as the cores allow (2 on 2 cores; test_udf_plugin.py).
    assert re.search(r"fitting workers: ([1-9]) started, \1 ready for fits", sample_build.output)


def test_the_everything_selector_runs_every_unit_test(sample_build):
    manifest = json.loads((sample_build.target / "manifest.json").read_text())
    unit_tests = len(manifest["unit_tests"])
    assert unit_tests >= 15
    assert f" {unit_tests} unit tests" in finished_line(sample_build.output)


def test_sample_size_follows_the_var(sample_build):
    assert sample_build.scalar("select count(*) from sample.sample_customers") == E2E_CUSTOMERS
    assert sample_build.scalar("select count(*) from marts.customers") == E2E_CUSTOMERS


@pytest.mark.parametrize("input_name", sorted(INPUTS))
def test_every_input_row_is_kept_or_rejected(sample_build, input_name):
    raw, staged = INPUTS[input_name]
    rows_in = sample_build.scalar(f"select count(*) from {raw}")
    kept = sample_build.scalar(f"select count(*) from {staged}")
    rejected = sample_build.scalar(
        f"select count(*) from marts.rejected_rows where input_name = '{input_name}'"
    )
    assert rows_in > 0
    assert rows_in == kept + rejected


def test_rejects_are_exactly_the_planted_bad_rows(sample_build):
    reasons = dict(
        sample_build.query(
            "select reject_reason, count(*) from marts.rejected_rows group by reject_reason"
        )
    )
    planted_duplicates = truth(sample_build, "planted_duplicate_orders")
    planted_orphans = truth(sample_build, "planted_orphan_orders")
    assert planted_duplicates > 0 and planted_orphans > 0
    assert reasons == {
        "duplicate order_id": planted_duplicates,
        "orphan order: customer_id not in customers": planted_orphans,
    }


def test_orders_mart_ties_out_to_the_clean_generated_lines(sample_build):
    expected = sample_build.query(
        """
        select count(*), round(sum(amount), 2), count(*) filter (where amount < 0)
        from sample.sample_order_lines
        where not is_planted_duplicate and not is_planted_orphan
        """
    )[0]
    actual = sample_build.query(
        "select count(*), round(sum(amount), 2), count(*) filter (where is_return) "
        "from marts.orders"
    )[0]
    assert actual == expected


def test_customer_summary_adds_up_to_the_orders(sample_build):
    by_customer = sample_build.query(
        "select sum(orders_count), round(sum(net_revenue), 2), sum(returns_count) "
        "from marts.customers"
    )[0]
    from_orders = sample_build.query(
        """
        select count(distinct order_id) filter (where not is_return), round(sum(amount), 2),
               count(*) filter (where is_return)
        from marts.orders
        """
    )[0]
    assert by_customer == from_orders


def test_planted_data_quality_issues_are_flagged_not_dropped(sample_build):
    absurd_income = sample_build.query(
        "select count(*), count(*) filter (where is_income_outlier and is_income_imputed) "
        "from marts.customers where income = 666666"
    )[0]
    assert absurd_income[0] > 0 and absurd_income[0] == absurd_income[1]
    odd_marital = sample_build.scalar(
        "select count(*) from marts.customers where marital_status in ('Alone', 'Absurd', 'YOLO') "
        "and not is_marital_status_odd"
    )
    assert odd_marital == 0
    old = sample_build.query(
        "select count(*), count(age) from marts.customers where birth_year < 1920"
    )[0]
    assert old[0] > 0 and old[1] == 0


def test_planted_peak_months_are_the_top_revenue_months(sample_build):
    top_two = sample_build.query(
        """
        select month(order_date) as month_of_year
        from marts.orders
        group by month_of_year
        order by sum(amount) desc
        limit 2
        """
    )
    peaks = {truth(sample_build, "peak_month_1"), truth(sample_build, "peak_month_2")}
    assert {row[0] for row in top_two} == peaks


def test_personas_differ_in_the_marts_as_planted(sample_build):
    # The affluent persona was planted with the highest income and basket; the family persona
    # with the most deals and children. The cleaned marts must show the same ordering.
    rows = sample_build.query(
        """
        select truth.persona_id,
               median(customers.income_clean),
               median(customers.avg_order_value),
               avg(customers.deal_share),
               avg(customers.kids_home)
        from marts.customers as customers
        inner join sample.sample_truth_customers as truth using (customer_id)
        group by truth.persona_id
        order by truth.persona_id
        """
    )
    income = {row[0]: row[1] for row in rows}
    basket = {row[0]: row[2] for row in rows}
    deals = {row[0]: row[3] for row in rows}
    kids = {row[0]: row[4] for row in rows}
    assert max(income, key=income.get) == 1
    assert max(basket, key=basket.get) == 1
    assert max(deals, key=deals.get) == 2
    assert max(kids, key=kids.get) == 2


def test_a_different_seed_gives_different_but_same_sized_data(sample_build, tmp_path):
    database = tmp_path / "other_seed.duckdb"
    run_dbt(
        ["build", "--select", "sample", *vars_arg({"sample_customers": 500, "sample_seed": 8})],
        database,
    )
    with duckdb.connect(str(database), read_only=True) as conn:
        other = conn.execute(
            "select count(*), sum(income) from sample.sample_customers"
        ).fetchall()[0]
    assert other[0] == 500
    first_500 = sample_build.scalar(
        "select sum(income) from sample.sample_customers where customer_id <= 500"
    )
    assert other[1] != first_500


def test_empty_build_creates_every_mart_with_zero_rows(tmp_path):
    database = tmp_path / "empty.duckdb"
    # Seeds and models: on empty tables every data test passes trivially.
    run_dbt(["build", "--empty", "--exclude-resource-type", "test", "unit_test"], database)
    with duckdb.connect(str(database), read_only=True) as conn:
        marts = [
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        assert {"customers", "orders", "customer_rfm", "ab_test_results", "spend_drivers"} <= set(
            marts
        )
        for mart in marts:
            assert conn.execute(f"select count(*) from marts.{mart}").fetchall()[0][0] == 0

"""One row per customer: calibrated response probability of the chosen model, decile, expected
profit and the targeting decision. Maths in python_udfs.response."""

from python_udfs.frames import relation_to_pandas
from python_udfs.response import (
    INPUT_COLUMNS,
    ResponseSettings,
    campaign_economics,
    chosen_model_name,
    score_customers,
)


def model(dbt, session):
    dbt.config(materialized="table")
    settings = ResponseSettings.from_meta(dbt.config.get("meta"))
    features = relation_to_pandas(dbt.ref("int_response_features"), INPUT_COLUMNS)
    metrics = relation_to_pandas(dbt.ref("response_model_metrics"), ["model", "is_chosen"])
    economics = relation_to_pandas(
        dbt.ref("int_campaign_economics"),
        [
            "campaign_id",
            "cost_per_contact",
            "revenue_per_response",
            "observed_revenue_per_response",
        ],
    )
    revenue, cost = campaign_economics(economics, features)
    return score_customers(features, chosen_model_name(metrics), revenue, cost, settings)

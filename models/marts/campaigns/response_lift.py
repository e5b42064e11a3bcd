"""One row per score decile of the chosen model's out-of-fold scores on the target campaign:
responders, response rate, cumulative gain, lift and cumulative profit. Maths in
python_udfs.response."""

from python_udfs.frames import relation_to_pandas
from python_udfs.response import (
    INPUT_COLUMNS,
    ResponseSettings,
    campaign_economics,
    chosen_model_name,
    out_of_fold_lift,
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
    return out_of_fold_lift(features, chosen_model_name(metrics), revenue, cost, settings)

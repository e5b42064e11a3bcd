"""One row per experiment arm x out-of-fold uplift decile of the chosen learner: observed response
rates by arm, uplift with its interval, cumulative incremental responses and profit (the Qini
curve as a table). Maths in python_udfs.uplift."""

from python_udfs.readers import read_campaigns, read_metrics, read_predictions
from python_udfs.threads import limit_native_threads
from python_udfs.uplift import chosen_learners, uplift_deciles


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("uplift_deciles", dbt.config.get("meta")):
        predictions = read_predictions(dbt.ref("int_uplift_predictions"))
        chosen = chosen_learners(read_metrics(dbt.ref("uplift_model_metrics")))
        campaigns = read_campaigns(dbt.ref("int_campaigns_classified"))
        costs = campaigns.set_index("campaign_id")["cost_per_contact"].fillna(0.0).to_dict()
        result = uplift_deciles(predictions, chosen, costs)
    return result

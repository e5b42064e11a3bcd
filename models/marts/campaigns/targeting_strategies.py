"""One row per experiment arm x targeting strategy: the incremental profit, on the experiment's
own customers and out of fold, of treating everyone, nobody, or the same number of customers
chosen by response propensity, by uplift or by RFM score. Maths in python_udfs.uplift."""

from python_udfs.readers import (
    read_campaigns,
    read_experiment_arms,
    read_metrics,
    read_predictions,
    read_scoring_inputs,
)
from python_udfs.threads import limit_native_threads
from python_udfs.uplift import (
    UpliftSettings,
    chosen_learners,
    response_propensity,
    targeting_strategies,
)


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta")
    with limit_native_threads("targeting_strategies", meta):
        features = dbt.ref("int_response_features")
        arms = read_experiment_arms(features, UpliftSettings.from_meta(meta), connection=session)
        # The response model is read only when there is an experiment to rank customers in.
        response_metrics = dbt.ref("response_model_metrics")
        campaigns = dbt.ref("int_campaigns_classified")
        scoring = (
            read_scoring_inputs(meta, features, response_metrics, campaigns, connection=session)
            if arms
            else None
        )
        result = targeting_strategies(
            arms,
            chosen_learners(read_metrics(dbt.ref("uplift_model_metrics"))),
            read_predictions(dbt.ref("int_uplift_predictions")),
            read_campaigns(campaigns),
            response_propensity(scoring),
        )
    return result

"""One row per customer: calibrated response probability of the chosen model, decile, expected
profit and the targeting decision. Maths in python_udfs.response."""

from python_udfs.readers import read_population, read_scoring_inputs
from python_udfs.response import score_customers
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("response_scores", dbt.config.get("meta")):
        features = dbt.ref("int_response_features")
        inputs = read_scoring_inputs(
            dbt.config.get("meta"),
            features,
            dbt.ref("response_model_metrics"),
            dbt.ref("int_campaigns_classified"),
            connection=session,
        )
        result = score_customers(inputs, read_population(features))
    return result

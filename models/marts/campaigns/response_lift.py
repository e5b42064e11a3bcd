"""One row per score decile of the chosen model's out-of-fold scores on the target campaign:
responders, response rate, cumulative gain, lift and cumulative profit. Maths in
python_udfs.response."""

from python_udfs.readers import read_scoring_inputs
from python_udfs.response import out_of_fold_lift
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("response_lift", dbt.config.get("meta")):
        inputs = read_scoring_inputs(
            dbt.config.get("meta"),
            dbt.ref("int_response_features"),
            dbt.ref("response_model_metrics"),
            dbt.ref("int_campaigns_classified"),
            connection=session,
        )
        result = out_of_fold_lift(
            inputs.sample,
            inputs.chosen_model,
            inputs.revenue_per_response,
            inputs.cost_per_contact,
            inputs.settings,
        )
    return result

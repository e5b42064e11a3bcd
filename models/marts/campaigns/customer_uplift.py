"""One row per customer x experiment arm: the chosen learner's uplift (refitted on the arm's
customers), the out-of-fold uplift of the experiment's own customers, expected incremental
revenue and profit, decile, decision and the budgeted plan. Maths in python_udfs.uplift."""

from python_udfs.readers import (
    read_campaigns,
    read_experiment_arms,
    read_metrics,
    read_population,
    read_predictions,
)
from python_udfs.threads import limit_native_threads
from python_udfs.uplift import UpliftSettings, chosen_learners, customer_uplift


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("customer_uplift", dbt.config.get("meta")):
        settings = UpliftSettings.from_meta(dbt.config.get("meta"))
        features = dbt.ref("int_response_features")
        arms = read_experiment_arms(features, settings, connection=session)
        result = customer_uplift(
            arms,
            chosen_learners(read_metrics(dbt.ref("uplift_model_metrics"))),
            read_predictions(dbt.ref("int_uplift_predictions")),
            read_campaigns(dbt.ref("int_campaigns_classified")),
            population_of=lambda: read_population(features),
            settings=settings,
        )
    return result

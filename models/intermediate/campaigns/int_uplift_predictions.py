"""One row per experiment arm x learner x customer of the target experiment: the out-of-fold
uplift of every candidate learner. Maths in python_udfs.uplift."""

from python_udfs.child import call_in_child
from python_udfs.readers import read_experiment_arms
from python_udfs.threads import limit_native_threads
from python_udfs.uplift import UpliftSettings, predict_out_of_fold


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("int_uplift_predictions", dbt.config.get("meta")) as threads:
        settings = UpliftSettings.from_meta(dbt.config.get("meta"))
        arms = read_experiment_arms(dbt.ref("int_response_features"), settings, connection=session)
        result = call_in_child(predict_out_of_fold, arms, settings, threads=threads)
    return result

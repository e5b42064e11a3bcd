"""One row per experiment arm x uplift learner: out-of-fold Qini coefficient, AUUC and uplift in
the top 30%; the best Qini chosen. Maths in python_udfs.uplift."""

from python_udfs.readers import read_predictions
from python_udfs.threads import limit_native_threads
from python_udfs.uplift import learner_metrics


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("uplift_model_metrics", dbt.config.get("meta")):
        result = learner_metrics(read_predictions(dbt.ref("int_uplift_predictions")))
    return result

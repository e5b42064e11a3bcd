"""One row per candidate classifier with out-of-fold metrics; the chosen one marked.
Maths in python_udfs.response."""

from python_udfs.child import call_in_child
from python_udfs.readers import read_training_sample
from python_udfs.response import ResponseSettings, compare_models
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("response_model_metrics", dbt.config.get("meta")) as threads:
        settings = ResponseSettings.from_meta(dbt.config.get("meta"))
        sample = read_training_sample(
            dbt.ref("int_response_features"), settings, connection=session
        )
        result = call_in_child(compare_models, sample, settings, threads=threads)
    return result

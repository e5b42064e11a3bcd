"""One row per feature: permutation importance of the chosen response model on held-out contacts.
Maths in python_udfs.response."""

from python_udfs.child import call_in_child
from python_udfs.frames import relation_to_pandas
from python_udfs.readers import read_training_sample
from python_udfs.response import ResponseSettings, chosen_model_name, feature_importance
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("response_feature_importance", dbt.config.get("meta")) as threads:
        settings = ResponseSettings.from_meta(dbt.config.get("meta"))
        sample = read_training_sample(
            dbt.ref("int_response_features"), settings, connection=session
        )
        metrics = relation_to_pandas(dbt.ref("response_model_metrics"), ["model", "is_chosen"])
        result = call_in_child(
            feature_importance, chosen_model_name(metrics), sample, settings, threads=threads
        )
    return result

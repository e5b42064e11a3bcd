"""One row per candidate classifier with out-of-fold metrics; the chosen one marked.
Maths in python_udfs.response."""

from python_udfs.frames import relation_to_pandas
from python_udfs.response import INPUT_COLUMNS, ResponseSettings, compare_models


def model(dbt, session):
    dbt.config(materialized="table")
    settings = ResponseSettings.from_meta(dbt.config.get("meta"))
    features = relation_to_pandas(dbt.ref("int_response_features"), INPUT_COLUMNS)
    return compare_models(features, settings)

"""One row per candidate classifier with out-of-fold metrics; the chosen one marked.
Maths in python_udfs.response."""

from python_udfs.response import ResponseSettings, compare_models, read_training_sample


def model(dbt, session):
    dbt.config(materialized="table")
    settings = ResponseSettings.from_meta(dbt.config.get("meta"))
    sample = read_training_sample(dbt.ref("int_response_features"), settings)
    return compare_models(sample, settings)

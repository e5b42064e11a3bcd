"""One row per customer x period end of int_customer_period_features: the K-means segment of the
newest stored segmentation model (marts.segment_model) the customer was nearest to as of that
period end, and its name. Read and assigned batch by batch, so the table of every customer at
every period end is never one pandas frame. Maths in python_udfs.segment_model."""

from python_udfs.frames import relation_batches, relation_to_pandas
from python_udfs.segment_model import MODEL_COLUMNS, assign_periods
from python_udfs.segmentation import INPUT_COLUMNS
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("int_customer_period_segments", dbt.config.get("meta")):
        history = relation_to_pandas(dbt.ref("segment_model"), MODEL_COLUMNS)
        periods = dbt.ref("int_customer_period_features")
        result = assign_periods(history, relation_batches(periods, ["period_end", *INPUT_COLUMNS]))
    return result

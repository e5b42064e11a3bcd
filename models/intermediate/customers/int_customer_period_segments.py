"""One row per customer x period end of int_customer_period_features: the K-means segment of the
newest stored segmentation model (marts.segment_model) the customer was nearest to as of that
period end, and its name. Read and assigned batch by batch, so the table of every customer at
every period end is never one pandas frame. Incremental: a run assigns the newest stored period
again (late orders) and the periods completed since, which is all the incremental
customer_segment_history reads; --full-refresh assigns every period to the newest model. Maths
in python_udfs.segment_model."""

from python_udfs.frames import (
    newest_value,
    relation_batches,
    relation_to_pandas,
    rows_from,
    with_text_columns,
)
from python_udfs.segment_model import MODEL_COLUMNS, assign_periods
from python_udfs.segmentation import INPUT_COLUMNS
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(
        materialized="incremental", unique_key="period_end", incremental_strategy="delete+insert"
    )
    with limit_native_threads("int_customer_period_segments", dbt.config.get("meta")):
        history = relation_to_pandas(dbt.ref("segment_model"), MODEL_COLUMNS)
        periods = dbt.ref("int_customer_period_features")
        if dbt.is_incremental:
            newest = newest_value(session, dbt.this, "period_end")
            if newest is not None:
                periods = rows_from(periods, "period_end", newest)
        batches = relation_batches(periods, ["period_end", *INPUT_COLUMNS], arrow_text=True)
        result = assign_periods(history, batches)
    return with_text_columns(session, result, ["segment_name"])

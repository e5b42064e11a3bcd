"""One row per customer x period end of int_customer_period_features: the K-means segment of the
newest stored segmentation model (marts.segment_model) the customer was nearest to as of that
period end, and its name. Streamed batch by batch from the features to the table (the features
on a cursor of their own, the result as an Arrow stream), so neither the features nor the
result of every customer at every period end is ever in memory at once. Incremental: a run
assigns the newest stored period again (late orders) and the periods completed since, which is
all the incremental customer_segment_history reads; --full-refresh assigns every period to the
newest model. Each row carries the period's recency, orders, net revenue, revenue in the period
and first-period flag, which customer_segment_history scores, so the customer-periods are never
joined back to their segment. Maths in python_udfs.segment_model."""

from python_udfs.frames import (
    newest_value,
    on_own_cursor,
    relation_batches,
    relation_to_pandas,
    rows_from,
    streamed_result,
    typed_empty,
)
from python_udfs.segment_model import (
    MODEL_COLUMNS,
    PERIOD_ASSIGNMENT_DTYPES,
    PERIOD_CARRIED_DTYPES,
    period_assignments,
)
from python_udfs.segmentation import INPUT_COLUMNS
from python_udfs.threads import stream_within_limit


def model(dbt, session):
    dbt.config(
        materialized="incremental", unique_key="period_end", incremental_strategy="delete+insert"
    )
    history = relation_to_pandas(dbt.ref("segment_model"), MODEL_COLUMNS)
    periods = dbt.ref("int_customer_period_features")
    if dbt.is_incremental:
        newest = newest_value(session, dbt.this, "period_end")
        if newest is not None:
            periods = rows_from(periods, "period_end", newest)
    carried = list(PERIOD_CARRIED_DTYPES)
    columns = ["period_end", *INPUT_COLUMNS, *(c for c in carried if c not in INPUT_COLUMNS)]
    batches = relation_batches(on_own_cursor(session, periods), columns, arrow_dtypes=True)
    assignments = stream_within_limit(
        "int_customer_period_segments",
        dbt.config.get("meta"),
        period_assignments(history, batches, carried),
    )
    empty = typed_empty(list(PERIOD_ASSIGNMENT_DTYPES), PERIOD_ASSIGNMENT_DTYPES)
    return streamed_result(session, assignments, empty, ["segment_name"])

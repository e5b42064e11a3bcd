"""One row per customer with a purchase history: P(alive), expected purchases, expected order
value and 12-month CLV from BG/NBD + Gamma-Gamma. Empty (with a log line) when there are no order
lines or a fit fails, so customer_clv falls back to the heuristic. Maths in python_udfs.clv."""

from python_udfs.clv import HISTORY_COLUMNS, ClvSettings, predict_customers
from python_udfs.frames import relation_to_pandas
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("int_customer_clv_predictions", dbt.config.get("meta")):
        settings = ClvSettings.from_meta(dbt.config.get("meta"))
        history = relation_to_pandas(
            dbt.ref("int_customer_purchase_histories"), HISTORY_COLUMNS, unique_key="customer_id"
        )
        result = predict_customers(history, settings)
    return result

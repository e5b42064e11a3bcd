"""P(alive) on a grid of repeat purchases x recency for the longest-observed customer, with the
customers in each cell: who is probably still a customer. Maths in python_udfs.clv."""

from python_udfs.clv import HISTORY_COLUMNS, ClvSettings, p_alive_matrix
from python_udfs.frames import relation_to_pandas
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("clv_p_alive_matrix", dbt.config.get("meta")):
        settings = ClvSettings.from_meta(dbt.config.get("meta"))
        history = relation_to_pandas(
            dbt.ref("int_customer_purchase_histories"), HISTORY_COLUMNS, unique_key="customer_id"
        )
        result = p_alive_matrix(history, settings)
    return result

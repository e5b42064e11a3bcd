"""One row per model (bgnbd, naive_rate): holdout purchases and revenue predicted from the
calibration period against what happened, with RMSE and MAE. Maths in python_udfs.clv."""

from python_udfs.clv import HISTORY_COLUMNS, ClvSettings, backtest
from python_udfs.frames import relation_to_pandas
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("clv_backtest", dbt.config.get("meta")):
        settings = ClvSettings.from_meta(dbt.config.get("meta"))
        history = relation_to_pandas(
            dbt.ref("int_customer_purchase_histories"), HISTORY_COLUMNS, unique_key="customer_id"
        )
        result = backtest(history, settings)
    return result

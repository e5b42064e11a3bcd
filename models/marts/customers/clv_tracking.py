"""One row per week since the first purchase: the calibration cohort's repeat purchases in the
week and cumulative, actual against BG/NBD fitted on the calibration period. Maths in
python_udfs.clv."""

from python_udfs.clv import HISTORY_COLUMNS, WEEKLY_COLUMNS, ClvSettings, tracking_table
from python_udfs.frames import relation_to_pandas
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("clv_tracking", dbt.config.get("meta")):
        settings = ClvSettings.from_meta(dbt.config.get("meta"))
        history = relation_to_pandas(
            dbt.ref("int_customer_purchase_histories"), HISTORY_COLUMNS, unique_key="customer_id"
        )
        weekly = relation_to_pandas(dbt.ref("int_repeat_purchases_weekly"), WEEKLY_COLUMNS)
        result = tracking_table(history, weekly, settings)
    return result

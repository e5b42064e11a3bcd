"""One row per calibration repeat-purchase count (0..7, 7 = 7 or more): customers, and their mean
holdout purchases, actual and as BG/NBD fitted on the calibration period expected. Maths in
python_udfs.clv."""

from python_udfs.clv import HISTORY_COLUMNS, ClvSettings, calibration_by_frequency
from python_udfs.frames import relation_to_pandas
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("clv_calibration", dbt.config.get("meta")):
        settings = ClvSettings.from_meta(dbt.config.get("meta"))
        history = relation_to_pandas(
            dbt.ref("int_customer_purchase_histories"), HISTORY_COLUMNS, unique_key="customer_id"
        )
        result = calibration_by_frequency(history, settings)
    return result

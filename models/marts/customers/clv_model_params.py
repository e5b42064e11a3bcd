"""One row: the fitted BG/NBD and Gamma-Gamma parameters, log-likelihoods, customers used and the
frequency-monetary correlation. Maths in python_udfs.clv."""

from python_udfs.clv import HISTORY_COLUMNS, ClvSettings, params_table
from python_udfs.frames import relation_to_pandas
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("clv_model_params", dbt.config.get("meta")):
        settings = ClvSettings.from_meta(dbt.config.get("meta"))
        history = relation_to_pandas(
            dbt.ref("int_customer_purchase_histories"), HISTORY_COLUMNS, unique_key="customer_id"
        )
        as_of = relation_to_pandas(dbt.ref("int_reference_date"), ["as_of_date"])
        fit_date = as_of["as_of_date"].iloc[0] if len(as_of) else None
        result = params_table(history, settings, fit_date)
    return result

"""One row per regression term: what drives (log) customer spend. The maths is in
python_udfs.regression; this model only fetches, calls and returns."""

from python_udfs.frames import relation_to_pandas
from python_udfs.progress import log_progress
from python_udfs.regression import FEATURE_COLUMNS, fit_spend_drivers
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("spend_drivers", dbt.config.get("meta")):
        features = relation_to_pandas(
            dbt.ref("int_customer_features"), FEATURE_COLUMNS, unique_key="customer_id"
        )
        result = fit_spend_drivers(features)
        log_progress(f"spend_drivers: {len(result)} terms fitted on {len(features)} customers")
    return result

"""One row per candidate k: the classic indices, split-half stability, the chosen k and the rule
that chose it. Maths in python_udfs.segmentation."""

from python_udfs.frames import relation_to_pandas
from python_udfs.segmentation import INPUT_COLUMNS, SegmentationSettings, k_selection_table
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("segment_k_selection", dbt.config.get("meta")):
        settings = SegmentationSettings.from_meta(dbt.config.get("meta"))
        features = relation_to_pandas(
            dbt.ref("int_customer_features"), INPUT_COLUMNS, unique_key="customer_id"
        )
        result = k_selection_table(features, settings)
    return result

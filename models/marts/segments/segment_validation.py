"""One row: agreement of the delivered K-means segments with Ward clustering on a sample, both
silhouettes, stability across reseeded refits and independent halves, and whether the structure
is weak. Maths in python_udfs.segmentation."""

from python_udfs.frames import relation_to_pandas
from python_udfs.segmentation import INPUT_COLUMNS, SegmentationSettings, validation_table
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("segment_validation", dbt.config.get("meta")):
        settings = SegmentationSettings.from_meta(dbt.config.get("meta"))
        features = relation_to_pandas(
            dbt.ref("int_customer_features"), INPUT_COLUMNS, unique_key="customer_id"
        )
        assignments = relation_to_pandas(
            dbt.ref("customer_segments"), ["customer_id", "segment_id"]
        )
        k_selection = relation_to_pandas(
            dbt.ref("segment_k_selection"), ["k", "stability_ari", "is_chosen"]
        )
        result = validation_table(features, assignments, k_selection, settings)
    return result

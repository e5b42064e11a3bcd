"""One row per customer: K-means segment (1 = most valuable), rule-based name, distance to the
centroid and principal components for plots. Maths in python_udfs.segmentation."""

from python_udfs.frames import relation_to_pandas
from python_udfs.segmentation import (
    INPUT_COLUMNS,
    SegmentationSettings,
    delivered_k,
    segment_customers,
)
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("customer_segments", dbt.config.get("meta")):
        settings = SegmentationSettings.from_meta(dbt.config.get("meta"))
        k_selection = relation_to_pandas(dbt.ref("segment_k_selection"), ["k", "is_chosen"])
        features = relation_to_pandas(dbt.ref("int_customer_features"), INPUT_COLUMNS)
        k = delivered_k(k_selection, settings)
        result = segment_customers(features, k, settings).assignments
    return result

"""One row per candidate k: inertia, silhouette, Calinski-Harabasz, Davies-Bouldin, votes and the
chosen k. Maths in python_udfs.segmentation."""

from python_udfs.frames import relation_to_pandas
from python_udfs.segmentation import INPUT_COLUMNS, SegmentationSettings, select_k
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("segment_k_selection", dbt.config.get("meta")):
        settings = SegmentationSettings.from_meta(dbt.config.get("meta"))
        features = relation_to_pandas(dbt.ref("int_customer_features"), INPUT_COLUMNS)
        result = select_k(features, settings)
    return result

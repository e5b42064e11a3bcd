"""One row per segment x model version: the stored K-means state customers are assigned to. A
build appends a version only when the drift check says refit (first build, var segment_refit,
features gone, var segment_k changed, or drift past segment_max_psi /
segment_max_distance_ratio); a refitted segment that continues a previous one keeps its id.
Maths in python_udfs.segment_model."""

from python_udfs.frames import relation_to_pandas
from python_udfs.segment_model import MODEL_COLUMNS, ModelSettings, next_model_version
from python_udfs.segmentation import INPUT_COLUMNS, SegmentationSettings, delivered_k
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    meta = dbt.config.get("meta")
    with limit_native_threads("segment_model", meta):
        segmentation = SegmentationSettings.from_meta(meta)
        features = relation_to_pandas(
            dbt.ref("int_customer_features"), INPUT_COLUMNS, unique_key="customer_id"
        )
        k_selection = relation_to_pandas(dbt.ref("segment_k_selection"), ["k", "is_chosen"])
        history = None
        if dbt.is_incremental:
            history = relation_to_pandas(session.sql(f"select * from {dbt.this}"), MODEL_COLUMNS)
        result = next_model_version(
            history,
            features=features,
            k=delivered_k(k_selection, segmentation),
            segmentation=segmentation,
            settings=ModelSettings.from_meta(meta),
        )
    return result

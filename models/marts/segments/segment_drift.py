"""One row per build: the segmentation model version in use, whether this build refitted it,
why, and the drift measures (population stability index of the segment shares, mean distance
to the centroids against the fit's). Maths in python_udfs.segment_model."""

from python_udfs.frames import relation_to_pandas
from python_udfs.segment_model import MODEL_COLUMNS, ModelSettings, drift_row
from python_udfs.segmentation import INPUT_COLUMNS, SegmentationSettings
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    meta = dbt.config.get("meta")
    with limit_native_threads("segment_drift", meta):
        history = relation_to_pandas(dbt.ref("segment_model"), MODEL_COLUMNS)
        features = relation_to_pandas(
            dbt.ref("int_customer_features"), INPUT_COLUMNS, unique_key="customer_id"
        )
        last_checked_at = None
        if dbt.is_incremental:
            previous = session.sql(f"select max(checked_at) as last_checked_at from {dbt.this}")
            last_checked_at = relation_to_pandas(previous, ["last_checked_at"]).iloc[0, 0]
        result = drift_row(
            history,
            last_checked_at=last_checked_at,
            features=features,
            segmentation=SegmentationSettings.from_meta(meta),
            settings=ModelSettings.from_meta(meta),
        )
    return result

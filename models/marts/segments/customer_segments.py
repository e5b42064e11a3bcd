"""One row per customer: the segment of the newest stored segmentation model (segment_model) it
is nearest to, that segment's name, the distance to the centroid and principal components for
plots. Maths in python_udfs.segment_model."""

from python_udfs.frames import relation_to_pandas
from python_udfs.segment_model import MODEL_COLUMNS, assign_customers
from python_udfs.segmentation import INPUT_COLUMNS, SegmentationSettings
from python_udfs.threads import limit_native_threads


def model(dbt, session):
    dbt.config(materialized="table")
    with limit_native_threads("customer_segments", dbt.config.get("meta")):
        settings = SegmentationSettings.from_meta(dbt.config.get("meta"))
        history = relation_to_pandas(dbt.ref("segment_model"), MODEL_COLUMNS)
        features = relation_to_pandas(
            dbt.ref("int_customer_features"), INPUT_COLUMNS, unique_key="customer_id"
        )
        result = assign_customers(history, features, settings.seed)
    return result

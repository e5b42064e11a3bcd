"""What the response and uplift models read from the warehouse: the one module of python_udfs,
with ``frames``, that touches relations. Each reader takes the relations a dbt Python model got
from ``dbt.ref`` (dbt finds a Python model's dependencies by reading its own file, so the refs
stay there) and returns pandas frames or the dataclasses the maths in ``response`` and ``uplift``
takes. A model passes its ``session`` as ``connection``: samples are then fetched by a semi join
on the sampled ids (``frames.rows_for_ids``). Tested in tests/python/test_response.py and
test_uplift.py.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from python_udfs.features import attribute_columns, feature_set
from python_udfs.frames import (
    MAX_ID_LIST,
    relation_batches,
    relation_columns,
    relation_to_pandas,
    rows_for_ids,
)
from python_udfs.response import (
    INPUT_COLUMNS,
    ResponseSettings,
    ScoringInputs,
    TrainingSample,
    campaign_economics,
    chosen_model_name,
    stratified_cap,
)
from python_udfs.uplift import (
    CAMPAIGN_COLUMNS,
    CONTROL,
    EXPERIMENT_COLUMNS,
    PREDICTION_COLUMNS,
    ExperimentArm,
    UpliftSettings,
    strata,
)

# The training contacts: the train snapshot without flagged outliers and with a known response.
TRAINING_FILTER = "snapshot = 'train' and not coalesce(is_outlier, false) and responded is not null"


def read_training_sample(
    relation, settings, max_id_list: int = MAX_ID_LIST, connection=None
) -> TrainingSample:
    """The training contacts (``TRAINING_FILTER``) of a feature relation, capped at
    ``max_train_rows`` by a stratified sample, without reading the whole table: the sample is
    drawn from the contacts' ids (sorted) and labels, then only the sampled rows are fetched. At
    10M customers the whole feature table in pandas was ~5 GB per Python model, and two response
    models at once ran the build out of memory.

    Why a cap: measured on 889,372 contacts of the 1M-customer sample (100,000 held out), PR-AUC of
    the gradient boosting was 0.219 / 0.256 / 0.262 with 5k / 20k / 80k training rows and logistic
    regression's 0.256 / 0.257 / 0.258, while the 4-model comparison costs grow linearly (random
    forest alone 15 s at 20k). Past ~20k contacts more rows buy little; the cap keeps the Python
    models' cost flat however many customers there are. Scoring still covers everyone.
    """
    training = relation.filter(TRAINING_FILTER)
    columns = INPUT_COLUMNS + attribute_columns(relation_columns(relation))
    keys = relation_to_pandas(training, ["customer_id", "responded"])
    labels = keys["responded"].astype(bool).to_numpy()
    sampled, sample_labels = stratified_cap(keys, labels, settings.max_train_rows, settings.seed)
    rows = rows_for_ids(
        training, columns, sampled["customer_id"], len(keys), max_id_list, connection=connection
    )
    features = feature_set(rows, attribute_columns(columns))
    return TrainingSample(rows, sample_labels, len(keys), features)


ECONOMICS_COLUMNS = ["campaign_id", "cost_per_contact", "revenue_per_response"]


def read_scoring_inputs(
    meta: dict | None, features, metrics, economics, connection=None
) -> ScoringInputs:
    """The training sample, chosen model and target campaign economics from the three relations.

    The dbt model passes ``dbt.ref(...)`` results in: dbt finds a Python model's dependencies by
    reading its own file, so the refs cannot move into this helper.
    """
    settings = ResponseSettings.from_meta(meta)
    sample = read_training_sample(features, settings, connection=connection)
    metrics = relation_to_pandas(metrics, ["model", "is_chosen"])
    economics = relation_to_pandas(economics, ECONOMICS_COLUMNS)
    # Without training contacts nothing is fitted, so the economics are never used.
    revenue, cost = campaign_economics(economics, sample.rows)
    return ScoringInputs(settings, sample, chosen_model_name(metrics), revenue, cost)


def read_population(features, batch_rows: int = 500_000) -> Iterable[pd.DataFrame]:
    """The score snapshot of the feature relation, in batches (``response.score_customers`` and
    ``uplift.customer_uplift`` each pick their columns)."""
    columns = INPUT_COLUMNS + attribute_columns(relation_columns(features))
    return relation_batches(features.filter("snapshot = 'score'"), columns, batch_rows)


def read_experiment_arms(
    relation, settings: UpliftSettings, connection=None
) -> list[ExperimentArm]:
    """The target experiment's arms from ``int_response_features`` (snapshot 'experiment';
    flagged outliers left out). One entry per non-control variant. Each arm and the control
    customers are capped at ``max_train_rows`` by a sample stratified on treatment x response,
    drawn from the ids and fetched alone (``rows_for_ids``), so memory does not grow with the
    experiment."""
    experiment = relation.filter("snapshot = 'experiment' and not coalesce(is_outlier, false)")
    attributes = attribute_columns(relation_columns(relation))
    keys = relation_to_pandas(experiment, ["customer_id", "variant", "responded"])
    samples = {}
    for variant in sorted(set(keys["variant"].dropna().unique()) - {CONTROL}):
        arm_keys = keys[keys["variant"].isin([variant, CONTROL])].reset_index(drop=True)
        groups = strata(arm_keys["variant"] == variant, arm_keys["responded"].astype(bool))
        kept, _ = stratified_cap(arm_keys, groups, settings.max_train_rows, settings.seed)
        samples[variant] = (kept["customer_id"].reset_index(drop=True), len(arm_keys))
    if not samples:
        return []
    wanted = pd.Series(pd.unique(pd.concat([ids for ids, _ in samples.values()])))
    rows = rows_for_ids(
        experiment, EXPERIMENT_COLUMNS + attributes, wanted, len(keys), connection=connection
    )
    position = pd.Index(rows["customer_id"])
    features = feature_set(rows, attributes)
    arms = []
    for variant, (ids, contacts) in samples.items():
        kept = rows.iloc[position.get_indexer(ids)].reset_index(drop=True)
        arms.append(
            ExperimentArm(
                campaign_id=str(kept["target_campaign_id"].iloc[0]),
                variant=variant,
                rows=kept,
                treated=(kept["variant"] == variant).to_numpy(),
                labels=kept["responded"].astype(bool).to_numpy(),
                revenue=kept["response_revenue"].astype(float).fillna(0.0).to_numpy(),
                contacts=contacts,
                features=features,
            )
        )
    return arms


def read_predictions(relation) -> pd.DataFrame:
    frame = relation_to_pandas(relation, PREDICTION_COLUMNS)
    for column in ["campaign_id", "variant", "learner", "customer_id"]:
        frame[column] = frame[column].astype("string")
    return frame


def read_campaigns(relation) -> pd.DataFrame:
    frame = relation_to_pandas(relation, CAMPAIGN_COLUMNS)
    frame["campaign_id"] = frame["campaign_id"].astype(str)
    return frame


def read_metrics(relation) -> pd.DataFrame:
    frame = relation_to_pandas(relation, ["campaign_id", "variant", "learner", "is_chosen"])
    for column in ["campaign_id", "variant", "learner"]:
        frame[column] = frame[column].astype(str)
    return frame

"""Campaign response scoring: compare classifiers on out-of-fold predictions, score every
customer with the chosen (calibrated) model, and turn scores into a targeting decision.

Pure functions over DataFrames; the dbt Python models in models/marts/campaigns only fetch,
call and return. Tested in tests/python/test_response.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    check_scoring,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.svm import SVC

from python_udfs.features import (
    BASE_CATEGORICAL,
    BASE_FEATURES,
    BASE_NUMERIC,
    FeatureSet,
)
from python_udfs.frames import (
    cents,
    typed_empty,
)
from python_udfs.progress import Log, log_progress
from python_udfs.settings import from_var, settings_from_meta
from python_udfs.threads import native_threads

NUMERIC_FEATURES = list(BASE_NUMERIC)
CATEGORICAL_FEATURES = list(BASE_CATEGORICAL)
INPUT_COLUMNS = [
    "snapshot",
    "customer_id",
    "target_campaign_id",
    "responded",
    "is_outlier",
    *NUMERIC_FEATURES,
    *CATEGORICAL_FEATURES,
]
CANDIDATES = ["logistic_regression", "random_forest", "gradient_boosting", "svm"]
METRIC_COLUMNS = [
    "model",
    "n_train",
    "positive_rate",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "pr_auc",
    "threshold",
    "is_chosen",
    "note",
    "features",
]
# Chosen by PR-AUC: at a 10-15% response rate it rewards ranking the few responders first,
# which is what targeting needs; ROC-AUC is reported next to it.
SELECTION_METRIC = "pr_auc"


@dataclass(frozen=True)
class ResponseSettings:
    """The response_* vars (dbt_project.yml) the response models read."""

    cv_folds: int = from_var("response_cv_folds")
    max_train_rows: int = from_var("response_max_train_rows")
    svm_max_rows: int = from_var("response_svm_max_rows")
    seed: int = from_var("response_seed")
    # Parallel jobs of the random forest: the model's share of the cores (python_udfs.threads).
    n_jobs: int = 1

    @classmethod
    def from_meta(cls, meta: dict | None) -> ResponseSettings:
        settings = settings_from_meta(cls, meta)
        return replace(settings, n_jobs=native_threads((meta or {}).get("dbt_threads")))


def preprocessor(scale: bool, features: FeatureSet = BASE_FEATURES) -> Pipeline:
    """Convert the customer attributes (``FeatureSet.prepare``), median-impute numbers and flags
    (scaled for linear and kernel models), one-hot the categories."""
    numeric = [SimpleImputer(strategy="median", keep_empty_features=True)]
    if scale:
        numeric.append(StandardScaler())
    columns = ColumnTransformer(
        [
            ("numeric", make_pipeline(*numeric), [*features.numeric, *features.flags]),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="Unknown"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                list(features.categorical),
            ),
        ]
    )
    return make_pipeline(FunctionTransformer(features.prepare), columns)


def make_model(
    name: str, seed: int, n_jobs: int = 1, features: FeatureSet = BASE_FEATURES
) -> Pipeline:
    """The candidate classifiers; the linear and kernel ones weight classes to counter the
    imbalance.

    The forest and the boosting are unweighted: ranking (ROC-AUC, PR-AUC, the F1 threshold on
    out-of-fold scores) does not need class weights, and in the boosting they make every
    histogram carry hessians, about four times the cost. Measured out-of-fold (5 folds, mean of
    three fold seeds, one thread) on 8,870 contacts (10k customers) and 20,000 (200k):

    - the forest grows 100 trees, each on a bootstrap of 20% of the rows, with leaves of at least
      20 contacts. Against class-weighted trees on 30% bootstraps with leaves of 5: ROC-AUC
      0.793 -> 0.796 and 0.785 -> 0.791, PR-AUC 0.256 -> 0.263 and 0.245 -> 0.249, in 1.5 s
      instead of 2.5 s and 3.3 s instead of 5.9 s.
    - the boosting grows trees of depth 3 and stops early on a 10% validation split. Against
      class-weighted trees of unlimited depth: ROC-AUC 0.783 -> 0.793 and 0.786 -> 0.790, PR-AUC
      0.255 -> 0.258 and 0.248 -> 0.250, in 0.7 s instead of 3.5 s and 1.5 s instead of 6.5 s.
      Unweighted trees of unlimited depth were as fast but lost PR-AUC at 20,000 contacts
      (0.245).
    """
    if name == "logistic_regression":
        classifier = LogisticRegression(max_iter=2000, class_weight="balanced", C=0.5)
    elif name == "random_forest":
        classifier = RandomForestClassifier(
            n_estimators=100, max_samples=0.2, min_samples_leaf=20, random_state=seed,
            n_jobs=n_jobs,
        )  # fmt: skip
    elif name == "gradient_boosting":
        classifier = HistGradientBoostingClassifier(
            learning_rate=0.05, max_iter=300, max_depth=3, early_stopping=True,
            random_state=seed,
        )  # fmt: skip
    elif name == "svm":
        classifier = SVC(kernel="rbf", C=1.0, class_weight="balanced", random_state=seed)
    else:
        raise ValueError(f"unknown model {name}")
    scale = name in {"logistic_regression", "svm"}
    return Pipeline([("features", preprocessor(scale, features)),
                     ("classifier", classifier)])  # fmt: skip


def scores_of(model: Pipeline, frame: pd.DataFrame) -> np.ndarray:
    """Higher means more likely to respond (probability, or SVM decision value)."""
    if hasattr(model, "predict_proba"):
        try:
            return model.predict_proba(frame)[:, 1]
        except AttributeError:
            pass
    return model.decision_function(frame)


def stratified_cap(frame: pd.DataFrame, labels: np.ndarray, max_rows: int, seed: int):
    """A stratified sample of at most ``max_rows`` rows (all rows when there are fewer)."""
    if len(frame) <= max_rows:
        return frame, labels
    sample, _, sample_labels, _ = train_test_split(
        frame, labels, train_size=max_rows, stratify=labels, random_state=seed
    )
    return sample, sample_labels


def out_of_fold_scores(
    name: str, frame: pd.DataFrame, labels: np.ndarray, settings,
    features: FeatureSet = BASE_FEATURES,
) -> np.ndarray:  # fmt: skip
    """Scores for every row from a model that never saw that row (stratified k-fold)."""
    folds = StratifiedKFold(n_splits=settings.cv_folds, shuffle=True, random_state=settings.seed)
    scores = np.zeros(len(frame))
    for train_index, test_index in folds.split(frame, labels):
        model = make_model(name, settings.seed, settings.n_jobs, features).fit(
            frame.iloc[train_index], labels[train_index]
        )
        scores[test_index] = scores_of(model, frame.iloc[test_index])
    return scores


def best_f1_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """The score threshold that maximizes F1 on out-of-fold scores (imbalance-aware cut-off)."""
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)[:-1]
    return float(thresholds[int(np.argmax(f1))])


def classification_metrics(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    predicted = scores >= threshold
    return {
        "accuracy": accuracy_score(labels, predicted),
        "precision": precision_score(labels, predicted, zero_division=0),
        "recall": recall_score(labels, predicted),
        "f1": f1_score(labels, predicted),
        "roc_auc": roc_auc_score(labels, scores),
        "pr_auc": average_precision_score(labels, scores),
        "threshold": threshold,
    }


@dataclass(frozen=True)
class TrainingSample:
    """What every response model learns from: at most ``max_train_rows`` training contacts in a
    fixed order, their labels, how many contacts there were before the cap, and the columns the
    models use (the base features and the usable customer attributes)."""

    rows: pd.DataFrame
    labels: np.ndarray
    contacts: int
    features: FeatureSet = BASE_FEATURES


def why_cannot_learn(labels: np.ndarray, folds: int) -> str | None:
    """Why a model cannot be learned from these labels, or None when it can."""
    if len(labels) == 0:
        return "no contacts of the target campaign"
    if labels.all() or not labels.any():
        return "the target campaign's contacts all share one outcome"
    if min(labels.sum(), (~labels).sum()) < folds:
        return f"fewer than {folds} customers in the rarer outcome"
    return None


def compare_models(
    sample: TrainingSample, settings: ResponseSettings, log: Log = log_progress
) -> pd.DataFrame:
    """One row per candidate with out-of-fold metrics; the best PR-AUC is chosen."""
    train, labels, contacts = sample.rows, sample.labels, sample.contacts
    reason = why_cannot_learn(labels, settings.cv_folds)
    if reason:
        log(f"response_model_metrics: {reason}; no model fitted")
        return empty_metrics()
    rows = []
    for name in CANDIDATES:
        frame, target, note = train, labels, "out-of-fold, all contacts"
        if len(train) < contacts:
            note = (
                f"out-of-fold on a stratified sample of {len(train)} of {contacts} contacts "
                "(var response_max_train_rows)"
            )
        if name == "svm":
            frame, target = stratified_cap(train, labels, settings.svm_max_rows, settings.seed)
            if len(frame) < len(train):
                note = (
                    f"out-of-fold on a stratified sample of {len(frame)} of {contacts} contacts "
                    "(RBF SVM scales quadratically)"
                )
        started = time.perf_counter()
        scores = out_of_fold_scores(name, frame, target, settings, sample.features)
        threshold = best_f1_threshold(target, scores)
        metrics = classification_metrics(target, scores, threshold)
        rows.append(
            {"model": name, "n_train": len(frame), "positive_rate": float(target.mean()), **metrics}
            | {"note": note, "features": sample.features.describe()}
        )
        log(f"response_model_metrics: {name} roc_auc={rows[-1]['roc_auc']:.3f} "
            f"pr_auc={rows[-1]['pr_auc']:.3f} on {len(frame)} contacts in "
            f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    table = pd.DataFrame(rows)
    table["is_chosen"] = table.index == table[SELECTION_METRIC].idxmax()
    log(f"response_model_metrics: chose {table.loc[table['is_chosen'], 'model'].iloc[0]} "
        f"by {SELECTION_METRIC}")  # fmt: skip
    return table[METRIC_COLUMNS]


def empty_metrics() -> pd.DataFrame:
    dtypes = {"model": "string", "note": "string", "n_train": "int64", "is_chosen": "bool",
              "features": "string"}  # fmt: skip
    return typed_empty(METRIC_COLUMNS, dtypes)


def fit_chosen_model(
    name: str, train: pd.DataFrame, labels: np.ndarray, settings,
    features: FeatureSet = BASE_FEATURES,
):  # fmt: skip
    """The chosen model refitted on the training contacts, with sigmoid calibration so that its
    output reads as a probability (needed for expected profit).

    ``ensemble=False``: the calibration map is learned on 3-fold out-of-fold scores and applied to
    one model fitted on all rows, so scoring runs one model instead of three (a random forest
    scored 1M customers in 27 s as a 3-model ensemble).
    """
    if name == "svm":
        train, labels = stratified_cap(train, labels, settings.svm_max_rows, settings.seed)
    calibrated = CalibratedClassifierCV(
        make_model(name, settings.seed, settings.n_jobs, features),
        method="sigmoid",
        cv=3,
        ensemble=False,
    )
    return calibrated.fit(train, labels)


def expected_profit(probability, revenue_per_response: float, cost_per_contact: float):
    """Expected profit of contacting a customer: p x revenue per response - cost per contact."""
    return np.asarray(probability) * revenue_per_response - cost_per_contact


def score_deciles(scores: np.ndarray) -> np.ndarray:
    """Deciles 1..10 by score, 1 = highest; ties broken by position so deciles are equal-sized."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    deciles = np.empty(len(scores), dtype=np.int64)
    deciles[order] = np.arange(len(scores)) * 10 // max(len(scores), 1) + 1
    return deciles


@dataclass
class ScoringInputs:
    """What response_scores and response_lift both read from the warehouse."""

    settings: ResponseSettings
    sample: TrainingSample
    chosen_model: str | None
    revenue_per_response: float
    cost_per_contact: float


SCORE_COLUMNS = ["customer_id", "response_probability", "score_decile", "expected_profit",
                 "should_target"]  # fmt: skip


def score_customers(inputs: ScoringInputs, population: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Calibrated response probability, decile, expected profit and decision for every customer.

    ``inputs`` holds the training sample, the chosen model and the campaign economics;
    ``population`` is the score snapshot in batches of feature rows, in any order (see
    ``read_population``): only ids and probabilities are kept, so memory does not grow with the
    number of feature columns. Deciles break ties by customer id.
    """
    empty = typed_empty(
        SCORE_COLUMNS, {"customer_id": "string", "score_decile": "int64", "should_target": "bool"}
    )
    sample, settings = inputs.sample, inputs.settings
    if inputs.chosen_model is None or why_cannot_learn(sample.labels, settings.cv_folds):
        return empty
    model = fit_chosen_model(
        inputs.chosen_model, sample.rows, sample.labels, settings, sample.features
    )
    scorer = probability_scorer(model)
    scored = [scorer(batch) for batch in population if len(batch)]
    if not scored:
        return empty
    scores = pd.concat(scored, ignore_index=True).sort_values("customer_id", kind="stable")
    probability = scores["response_probability"].to_numpy()
    profit = expected_profit(probability, inputs.revenue_per_response, inputs.cost_per_contact)
    return pd.DataFrame(
        {
            "customer_id": scores["customer_id"].to_numpy(),
            "response_probability": probability,
            "score_decile": score_deciles(probability),
            "expected_profit": cents(profit),
            "should_target": profit > 0,
        }
    )


def probability_scorer(model) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Customer id and response probability for a batch of feature rows: row-wise, so it can run
    batch by batch on an engine (mapInPandas on Spark; tests/python/engines.py)."""

    def score(batch: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "customer_id": batch["customer_id"].astype("string").to_numpy(),
                "response_probability": model.predict_proba(batch)[:, 1],
            }
        )

    return score


LIFT_COLUMNS = ["score_decile", "customers", "responders", "response_rate", "cumulative_customers",
                "cumulative_responders", "cumulative_gain", "lift", "cumulative_lift",
                "cumulative_profit"]  # fmt: skip


def lift_table(
    labels: np.ndarray, scores: np.ndarray, revenue_per_response: float, cost_per_contact: float
) -> pd.DataFrame:
    """Per score decile (1 = best): responders, response rate, cumulative gain, lift over random
    targeting and the cumulative profit of contacting everyone down to that decile."""
    frame = pd.DataFrame({"decile": score_deciles(scores), "responded": labels.astype(int)})
    table = frame.groupby("decile").agg(customers=("responded", "size"),
                                        responders=("responded", "sum")).reset_index()  # fmt: skip
    overall_rate = labels.mean()
    table["response_rate"] = table["responders"] / table["customers"]
    table["cumulative_customers"] = table["customers"].cumsum()
    table["cumulative_responders"] = table["responders"].cumsum()
    table["cumulative_gain"] = table["cumulative_responders"] / max(labels.sum(), 1)
    table["lift"] = table["response_rate"] / overall_rate
    table["cumulative_lift"] = (
        table["cumulative_responders"] / table["cumulative_customers"] / overall_rate
    )
    table["cumulative_profit"] = cents(
        table["cumulative_responders"] * revenue_per_response
        - table["cumulative_customers"] * cost_per_contact
    )
    return table.rename(columns={"decile": "score_decile"})[LIFT_COLUMNS]


IMPORTANCE_COLUMNS = ["feature", "model", "importance", "importance_std", "importance_rank"]


def permutation_importance_of(
    model: Pipeline, rows: pd.DataFrame, labels: np.ndarray, *, n_repeats: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The mean and standard deviation per column of ``rows`` of what
    ``sklearn.inspection.permutation_importance(model, rows, labels,
    scoring="average_precision", n_repeats=n_repeats, random_state=seed)`` returns: the same
    shuffles, the same scores, with the rows transformed once instead of once per shuffle.

    Every preprocessing step of ``preprocessor`` maps each input column to output columns of its
    own, row by row, so shuffling a column's rows shuffles the same rows of those output columns.
    They are found by transforming the rows with that column shifted by one row: an output column
    that does not change then is constant, and no shuffle changes it either."""
    features, classifier = model[:-1], model[-1]
    scorer = check_scoring(model, scoring="average_precision")
    matrix = dense(features.transform(rows))
    baseline = scorer(classifier, matrix, labels)
    # permutation_importance draws one seed from random_state and restarts it for each column.
    column_seed = np.random.RandomState(seed).randint(np.iinfo(np.int32).max + 1)
    shift = np.roll(np.arange(len(rows)), 1)
    drops = np.empty((rows.shape[1], n_repeats))
    for position, column in enumerate(rows.columns):
        shifted = rows.copy()
        shifted[column] = rows[column].iloc[shift].set_axis(rows.index)
        outputs = np.flatnonzero(differs(dense(features.transform(shifted)), matrix).any(axis=0))
        random_state = np.random.RandomState(column_seed)
        order = np.arange(len(rows))
        permuted = matrix.copy()
        for repeat in range(n_repeats):
            # As permutation_importance does: each shuffle reorders the shuffled column again.
            random_state.shuffle(order)
            permuted[:, outputs] = permuted[np.ix_(order, outputs)]
            drops[position, repeat] = baseline - scorer(classifier, permuted, labels)
    return drops.mean(axis=1), drops.std(axis=1)


def dense(matrix) -> np.ndarray:
    return np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix, dtype=float)


def differs(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Elementwise inequality in which two missing values are equal."""
    return (left != right) & ~(np.isnan(left) & np.isnan(right))


def feature_importance(chosen_model: str | None, sample: TrainingSample, settings) -> pd.DataFrame:
    """Permutation importance (drop in PR-AUC when a feature is shuffled) of the chosen model on a
    held-out quarter of the contacts: comparable across model types, unlike built-in importances."""
    train, labels = sample.rows, sample.labels
    if chosen_model is None or why_cannot_learn(labels, settings.cv_folds):
        dtypes = {"feature": "string", "model": "string", "importance_rank": "int64"}
        return typed_empty(IMPORTANCE_COLUMNS, dtypes)
    fit_rows, test_rows, fit_labels, test_labels = train_test_split(
        train, labels, test_size=0.25, stratify=labels, random_state=settings.seed
    )
    if chosen_model == "svm":
        fit_rows, fit_labels = stratified_cap(
            fit_rows, fit_labels, settings.svm_max_rows, settings.seed
        )
    model = make_model(chosen_model, settings.seed, settings.n_jobs, sample.features)
    model = model.fit(fit_rows, fit_labels)
    columns = sample.features.columns
    means, stds = permutation_importance_of(
        model, test_rows[columns], np.asarray(test_labels), n_repeats=5, seed=settings.seed
    )
    table = pd.DataFrame({"feature": columns, "importance": means, "importance_std": stds})
    table = table.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
    table["importance_rank"] = np.arange(1, len(table) + 1)
    table["model"] = chosen_model
    return table[IMPORTANCE_COLUMNS]


def campaign_economics(campaigns: pd.DataFrame, features: pd.DataFrame) -> tuple[float, float]:
    """(revenue per response, cost per contact) of the target campaign named by the feature
    rows' ``target_campaign_id``, from ``int_campaigns_classified`` (which resolves a campaign
    without a stated revenue per response to what its responders spent on average)."""
    target_ids = features["target_campaign_id"].dropna().unique()
    row = campaigns[campaigns["campaign_id"].isin(target_ids)]
    if row.empty:
        return float("nan"), float("nan")
    revenue = row["revenue_per_response"].iloc[0]
    cost = row["cost_per_contact"].iloc[0]
    cost = 0.0 if pd.isna(cost) else float(cost)
    return float(revenue), cost


def chosen_model_name(metrics: pd.DataFrame) -> str | None:
    chosen = metrics.loc[metrics["is_chosen"].astype(bool), "model"]
    return str(chosen.iloc[0]) if len(chosen) else None


def out_of_fold_lift(
    sample: TrainingSample,
    chosen_model: str | None,
    revenue_per_response: float,
    cost_per_contact: float,
    settings: ResponseSettings,
) -> pd.DataFrame:
    """The lift table of the chosen model's out-of-fold scores on the target campaign."""
    train, labels = sample.rows, sample.labels
    if chosen_model is None or why_cannot_learn(labels, settings.cv_folds):
        dtypes = {"score_decile": "int64", "customers": "int64", "responders": "int64",
                  "cumulative_customers": "int64", "cumulative_responders": "int64"}  # fmt: skip
        return typed_empty(LIFT_COLUMNS, dtypes)
    if chosen_model == "svm":
        train, labels = stratified_cap(train, labels, settings.svm_max_rows, settings.seed)
    scores = out_of_fold_scores(chosen_model, train, labels, settings, sample.features)
    return lift_table(labels, scores, revenue_per_response, cost_per_contact)

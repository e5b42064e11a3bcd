"""Response scoring maths: profit arithmetic, deciles, lift, thresholds, and planted signal."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from project_settings import project_settings
from sklearn.inspection import permutation_importance

from python_udfs.readers import read_population, read_training_sample
from python_udfs.response import (
    CANDIDATES,
    CATEGORICAL_FEATURES,
    INPUT_COLUMNS,
    NUMERIC_FEATURES,
    ResponseSettings,
    ScoringInputs,
    best_f1_threshold,
    campaign_economics,
    compare_models,
    expected_profit,
    feature_importance,
    lift_table,
    make_model,
    out_of_fold_lift,
    permutation_importance_of,
    score_customers,
    score_deciles,
    stratified_cap,
)

FAST = project_settings(ResponseSettings, cv_folds=3, svm_max_rows=300, seed=1)


def planted_contacts(n: int = 1200, seed: int = 0) -> pd.DataFrame:
    """Contacts whose response depends on prior acceptances and recency (logistic truth)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({column: rng.normal(0, 1, n) for column in NUMERIC_FEATURES})
    frame["prior_campaigns_accepted"] = rng.integers(0, 3, n)
    frame["recency_days"] = rng.integers(0, 365, n)
    logit = -2.5 + 1.5 * frame["prior_campaigns_accepted"] - 0.006 * frame["recency_days"] + 1.5
    responded = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame["education_level"] = rng.choice(["Graduate", "Postgraduate"], n)
    frame["marital_group"] = rng.choice(["Single", "Partnered"], n)
    frame["customer_id"] = np.arange(n)
    frame["target_campaign_id"] = 9
    frame["is_outlier"] = False
    train = frame.assign(snapshot="train", responded=responded)
    score = frame.assign(snapshot="score", responded=None)
    return pd.concat([train, score], ignore_index=True)[INPUT_COLUMNS]


def sample_of(
    features: pd.DataFrame,
    settings: ResponseSettings = FAST,
    max_id_list: int = 50_000,
    joined: bool = True,
):
    """The training sample the response models read from a warehouse table of these features,
    fetched as the models fetch it (a semi join on the session) unless ``joined`` is False."""
    connection = duckdb.connect()
    connection.register("features", features)
    return read_training_sample(
        connection.table("features"),
        settings,
        max_id_list,
        connection=connection if joined else None,
    )


def population_of(features: pd.DataFrame) -> list[pd.DataFrame]:
    return [features[features["snapshot"] == "score"]]


def test_expected_profit_is_probability_times_revenue_minus_cost():
    np.testing.assert_allclose(expected_profit([0.0, 0.25, 1.0], 11.0, 3.0), [-3.0, -0.25, 8.0])
    # Break-even at cost / revenue = 3/11.
    assert expected_profit(3 / 11, 11.0, 3.0) == pytest.approx(0.0)


def test_deciles_are_equal_sized_and_one_is_best():
    scores = np.linspace(0, 1, 20)
    deciles = score_deciles(scores)
    assert deciles[-1] == 1 and deciles[0] == 10
    assert np.bincount(deciles)[1:].tolist() == [2] * 10


def test_lift_table_on_a_hand_computed_case():
    # 10 contacts, 3 responders in the top two scores and one at the bottom; revenue 11, cost 3.
    labels = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 1], dtype=bool)
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    table = lift_table(labels, scores, 11.0, 3.0).set_index("score_decile")
    assert table.loc[1, "lift"] == pytest.approx(1 / 0.3)
    assert table.loc[2, "cumulative_gain"] == pytest.approx(2 / 3)
    assert table.loc[2, "cumulative_profit"] == pytest.approx(2 * 11 - 2 * 3)
    assert table.loc[10, "cumulative_gain"] == pytest.approx(1.0)
    assert table.loc[10, "cumulative_lift"] == pytest.approx(1.0)
    assert table.loc[10, "cumulative_profit"] == pytest.approx(3 * 11 - 10 * 3)


def test_best_f1_threshold_separates_perfectly_separable_scores():
    labels = np.array([0, 0, 0, 1, 1])
    assert best_f1_threshold(labels, np.array([0.1, 0.2, 0.3, 0.8, 0.9])) == pytest.approx(0.8)


def test_planted_signal_is_found_out_of_fold_and_best_pr_auc_is_chosen():
    metrics = compare_models(sample_of(planted_contacts()), FAST, log=lambda _: None)
    assert set(metrics["model"]) == {
        "logistic_regression",
        "random_forest",
        "gradient_boosting",
        "svm",
    }
    chosen = metrics[metrics["is_chosen"]]
    assert len(chosen) == 1
    assert chosen["pr_auc"].iloc[0] == metrics["pr_auc"].max()
    assert chosen["roc_auc"].iloc[0] > 0.75
    assert metrics.set_index("model").loc["svm", "n_train"] == 300
    assert "stratified sample of 300" in metrics.set_index("model").loc["svm", "note"]


def test_scores_cover_the_population_and_the_decision_follows_profit():
    features = planted_contacts()
    inputs = ScoringInputs(FAST, sample_of(features), "logistic_regression", 11.0, 3.0)
    scores = score_customers(inputs, population_of(features))
    assert len(scores) == 1200
    assert scores["response_probability"].between(0, 1).all()
    assert (scores["should_target"] == (scores["response_probability"] > 3 / 11)).all()
    top = scores.sort_values("response_probability", ascending=False).head(120)
    assert set(top["score_decile"]) == {1}


def test_out_of_fold_lift_beats_random_in_the_top_decile():
    table = out_of_fold_lift(sample_of(planted_contacts()), "gradient_boosting", 11.0, 3.0, FAST)
    assert table.loc[table["score_decile"] == 1, "lift"].iloc[0] > 1.5


def test_planted_driver_tops_the_importances():
    table = feature_importance("logistic_regression", sample_of(planted_contacts()), FAST)
    assert table["feature"].iloc[0] == "prior_campaigns_accepted"
    assert set(table["feature"]) == set(NUMERIC_FEATURES + CATEGORICAL_FEATURES)


@pytest.mark.parametrize("name", CANDIDATES)
def test_importance_transforms_once_and_matches_sklearns_permutation_importance(name):
    # With a category, a flag attribute and missing values, so every kind of column is shuffled.
    features = planted_contacts(n=400)
    features["attribute__member"] = np.tile(["yes", "no", None, "yes"], len(features) // 4)
    features.loc[features.index % 7 == 0, "income_clean"] = np.nan
    sample = sample_of(features)
    rows = sample.rows[sample.features.columns]
    model = make_model(name, 3, features=sample.features).fit(rows, sample.labels)
    means, stds = permutation_importance_of(model, rows, sample.labels, n_repeats=4, seed=11)
    reference = permutation_importance(
        model, rows, sample.labels, scoring="average_precision", n_repeats=4, random_state=11
    )
    np.testing.assert_allclose(means, reference.importances_mean, rtol=0, atol=1e-12)
    np.testing.assert_allclose(stds, reference.importances_std, rtol=0, atol=1e-12)
    assert np.abs(means).max() > 0.01


def test_a_customer_attribute_that_drives_response_is_learned_and_listed():
    # An extra CRM column: members respond far more often; the base features carry no signal.
    features = planted_contacts()
    rng = np.random.default_rng(4)
    member = rng.random(len(features) // 2) < 0.3
    responded = rng.random(len(member)) < np.where(member, 0.6, 0.05)
    half = len(features) // 2
    features.loc[: half - 1, "responded"] = responded
    features["attribute__member"] = np.tile(np.where(member, "yes", "no"), 2)
    features["attribute__email"] = [f"c{index}@example.com" for index in range(len(features))]
    sample = sample_of(features)
    assert sample.features.flags == ("attribute__member",)
    metrics = compare_models(sample, FAST, log=lambda message: None)
    assert (metrics["features"].str.split(", ").map(lambda names: "member" in names)).all()
    assert not metrics["features"].str.contains("email").any()
    table = feature_importance("logistic_regression", sample, FAST)
    assert table["feature"].iloc[0] == "attribute__member"
    scores = score_customers(
        ScoringInputs(FAST, sample, "logistic_regression", 11.0, 3.0), population_of(features)
    )
    is_member = dict(zip(features["customer_id"].astype(str)[:half], member, strict=True))
    by_member = scores.groupby(scores["customer_id"].map(is_member))["response_probability"].mean()
    # Planted: 0.6 for members, 0.05 for the others (calibrated probabilities).
    assert by_member[True] > 0.4
    assert by_member[False] < 0.15


def test_single_outcome_gives_empty_tables_with_a_reason():
    features = planted_contacts()
    features["responded"] = features["responded"].map(
        lambda value: value if value is None else False
    )
    messages: list[str] = []
    sample = sample_of(features)
    assert compare_models(sample, FAST, log=messages.append).empty
    assert "all share one outcome" in messages[0]
    unfitted = ScoringInputs(FAST, sample, None, 11.0, 3.0)
    assert score_customers(unfitted, population_of(features)).empty
    assert out_of_fold_lift(sample, None, 11.0, 3.0, FAST).empty
    assert feature_importance(None, sample, FAST).empty


def test_training_cap_keeps_the_response_rate_and_still_scores_everyone():
    features = planted_contacts(n=2000)
    capped = project_settings(
        ResponseSettings, cv_folds=3, max_train_rows=600, svm_max_rows=300, seed=1
    )
    sample = sample_of(features, capped)
    metrics = compare_models(sample, capped, log=lambda _: None).set_index("model")
    full_rate = features.loc[features["snapshot"] == "train", "responded"].astype(bool).mean()
    assert metrics.loc["random_forest", "n_train"] == 600
    assert metrics.loc["svm", "n_train"] == 300
    assert "sample of 600 of 2000 contacts" in metrics.loc["logistic_regression", "note"]
    # Stratified: the sample's response rate is the population's to within one contact.
    assert abs(metrics.loc["logistic_regression", "positive_rate"] - full_rate) <= 1 / 600
    assert metrics["roc_auc"].max() > 0.75
    inputs = ScoringInputs(capped, sample, "gradient_boosting", 11.0, 3.0)
    scores = score_customers(inputs, population_of(features))
    assert len(scores) == 2000


@pytest.mark.parametrize(
    ("max_train_rows", "max_id_list", "joined"),
    [(600, 50_000, True), (600, 50_000, False), (5000, 50_000, True), (600, 100, False)],
    ids=["semi join on the session", "ids sent as a list", "no cap", "ids picked from batches"],
)
def test_warehouse_sample_is_the_in_memory_sample(max_train_rows, max_id_list, joined):
    # The Python models fetch only the sampled contacts; the models they fit must be those of the
    # whole table read into pandas (sorted, filtered, then the stratified cap): same rows, same
    # order, same labels. Outliers and unknown responses are left out in both.
    features = planted_contacts(n=2000)
    features.loc[features.index % 97 == 0, "is_outlier"] = True
    features.loc[(features["snapshot"] == "train") & (features.index % 89 == 0), "responded"] = None
    shuffled = features.sample(frac=1.0, random_state=3)  # warehouse order is arbitrary
    settings = project_settings(ResponseSettings, max_train_rows=max_train_rows, seed=7)
    from_warehouse = sample_of(shuffled, settings, max_id_list, joined)
    ordered = features.sort_values(INPUT_COLUMNS)
    train = ordered[(ordered["snapshot"] == "train") & ~ordered["is_outlier"]]
    train = train[train["responded"].notna()].reset_index(drop=True)
    in_memory, in_memory_labels = stratified_cap(
        train, train["responded"].astype(bool).to_numpy(), max_train_rows, settings.seed
    )
    assert from_warehouse.contacts == len(train) < 2000
    assert len(from_warehouse.rows) == min(max_train_rows, len(train))
    np.testing.assert_array_equal(from_warehouse.labels, in_memory_labels)
    pd.testing.assert_frame_equal(
        from_warehouse.rows[INPUT_COLUMNS],
        in_memory[INPUT_COLUMNS].reset_index(drop=True),
        check_dtype=False,
    )


def test_scores_do_not_depend_on_how_the_population_is_batched():
    features = planted_contacts(n=1500)
    sample = sample_of(features)
    inputs = ScoringInputs(FAST, sample, "gradient_boosting", 11.0, 3.0)
    whole = score_customers(inputs, population_of(features))
    connection = duckdb.connect()
    connection.register("features", features.sample(frac=1.0, random_state=5))
    batches = list(read_population(connection.table("features"), batch_rows=400))
    assert [len(batch) for batch in batches] == [400, 400, 400, 300]
    batched = score_customers(inputs, batches[::-1])
    pd.testing.assert_frame_equal(
        batched.reset_index(drop=True), whole.reset_index(drop=True), check_dtype=False
    )


def test_fewer_contacts_than_folds_give_empty_tables_with_a_reason():
    features = planted_contacts(n=40).head(4).copy()
    features["responded"] = [True, False, True, False]
    messages: list[str] = []
    sample = sample_of(features)
    assert compare_models(sample, FAST, log=messages.append).empty
    assert f"fewer than {FAST.cv_folds} customers in the rarer outcome" in messages[0]
    unfitted = ScoringInputs(FAST, sample, None, 11.0, 3.0)
    assert score_customers(unfitted, population_of(features)).empty


def test_campaign_economics_reads_the_target_campaigns_value_and_cost():
    campaigns = pd.DataFrame(
        {"campaign_id": ["5", "6", "7"], "cost_per_contact": [3.0, None, 0.5],
         "revenue_per_response": [11.0, 40.0, None]}
    )  # fmt: skip
    assert campaign_economics(campaigns, pd.DataFrame({"target_campaign_id": ["5", "5"]})) == (
        11.0,
        3.0,
    )
    # A campaign without a cost per contact costs 0; one without a value has none to read.
    assert campaign_economics(campaigns, pd.DataFrame({"target_campaign_id": ["6"]})) == (40.0, 0.0)
    revenue, cost = campaign_economics(campaigns, pd.DataFrame({"target_campaign_id": ["7"]}))
    assert np.isnan(revenue) and cost == 0.5
    revenue, cost = campaign_economics(campaigns, pd.DataFrame({"target_campaign_id": ["9"]}))
    assert np.isnan(revenue) and np.isnan(cost)

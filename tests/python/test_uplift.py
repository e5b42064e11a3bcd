"""Uplift maths: Qini / AUUC / uplift@k on hand-computed cases, the out-of-fold discipline, the
learners on planted heterogeneous effects, the economics, the budgeted plan and the strategies."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from project_settings import project_settings

from python_udfs import uplift
from python_udfs.readers import read_experiment_arms
from python_udfs.response import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from python_udfs.uplift import (
    LEARNERS,
    ArmEconomics,
    ExperimentArm,
    UpliftSettings,
    arm_economics,
    auuc,
    compare_strategies,
    decile_table,
    learner_metrics,
    out_of_fold_uplift,
    plan_within_budget,
    predict_out_of_fold,
    qini_coefficient,
    rfm_score,
    strategy_effect,
    uplift_at,
    why_cannot_learn,
)

FAST = project_settings(UpliftSettings, cv_folds=3, seed=3)

# Eight customers in score order (all scores distinct): treated?, responded?
HAND_SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
HAND_TREATED = np.array([1, 0, 1, 0, 1, 0, 1, 0], bool)
HAND_LABELS = np.array([1, 0, 1, 1, 0, 0, 0, 1], bool)


def test_qini_coefficient_of_a_hand_computed_case():
    # Qini points y_t - y_c * n_t / n_c after each customer (0 while no control is seen):
    # 0, 1, 1, 2, 1, 0.5, 1, 2/3, 0 at shares 0, 1/8, ..., 1; trapezoid area = 7.1667 / 8.
    # The end point is 0, so random targeting has area 0. The perfect ranking (treated
    # responders, then the rest, then control responders) has points 0, 2, 2, 0 at shares
    # 0, 2/8, 6/8, 1: area 0.25 + 1.0 + 0.25 = 1.5.
    model_area = (0.5 + 1 + 1.5 + 1.5 + 0.75 + 0.75 + (1 + 2 / 3) / 2 + (2 / 3) / 2) / 8
    assert qini_coefficient(HAND_SCORES, HAND_TREATED, HAND_LABELS) == pytest.approx(
        model_area / 1.5
    )
    assert model_area / 1.5 == pytest.approx(0.597222, abs=1e-6)


def test_auuc_of_a_hand_computed_case():
    # Uplift points (rate_t - rate_c) * n: 0, 1, 2, 3, 2, 5/6, 2, 7/6, 0; trapezoid sums
    # 0.5 + 1.5 + 2.5 + 2.5 + 17/12 + 17/12 + 19/12 + 7/12 = 12, area 12 / 8.
    # Perfect: 0, 2, 3, 0 at shares 0, 2/8, 6/8, 1: area 0.25 + 1.25 + 0.375 = 1.875.
    assert auuc(HAND_SCORES, HAND_TREATED, HAND_LABELS) == pytest.approx((12 / 8) / 1.875)


def test_uplift_at_k_reads_the_top_share():
    # Top 2 (30% of 8, rounded): a treated responder and a control non-responder.
    assert uplift_at(HAND_SCORES, HAND_TREATED, HAND_LABELS, 0.3) == pytest.approx(1.0)
    # Top 4: treated 2 of 2 responded, control 1 of 2.
    assert uplift_at(HAND_SCORES, HAND_TREATED, HAND_LABELS, 0.5) == pytest.approx(0.5)


def test_a_perfect_ranking_scores_one_and_its_reverse_below_zero():
    # The end point is 1 incremental response here, so the random line is not flat.
    treated = np.array([1, 0, 1, 0], bool)
    labels = np.array([1, 0, 0, 0], bool)
    perfect = np.array([0.9, 0.5, 0.4, 0.1])
    assert qini_coefficient(perfect, treated, labels) == pytest.approx(1.0)
    assert qini_coefficient(-perfect, treated, labels) < 0


def test_tied_scores_are_taken_together_whatever_the_row_order():
    scores = np.array([1.0, 1.0, 0.0, 0.0])
    treated = np.array([1, 0, 1, 0], bool)
    labels = np.array([1, 0, 0, 1], bool)
    order = [1, 0, 3, 2]
    assert qini_coefficient(scores, treated, labels) == pytest.approx(
        qini_coefficient(scores[order], treated[order], labels[order])
    )


def planted_experiment(n: int = 3000, seed: int = 0) -> tuple[ExperimentArm, np.ndarray]:
    """Randomised 50/50; the discount lifts response by 0.20 where income_clean > 0 and lowers it
    by 0.08 elsewhere (base rate 0.15). Returns the arm and each row's true effect."""
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame({column: rng.normal(0, 1, n) for column in NUMERIC_FEATURES})
    for column in CATEGORICAL_FEATURES:
        rows[column] = rng.choice(["a", "b"], n)
    rows["customer_id"] = [f"c{index}" for index in range(n)]
    treated = rng.random(n) < 0.5
    effect = np.where(rows["income_clean"] > 0, 0.20, -0.08)
    labels = rng.random(n) < 0.15 + effect * treated
    revenue = np.where(labels, 50.0, 0.0)
    arm = ExperimentArm("9", "offer", rows, treated, labels, revenue, n)
    return arm, effect


@pytest.fixture(scope="module")
def planted_predictions() -> tuple[pd.DataFrame, np.ndarray]:
    arm, effect = planted_experiment()
    return predict_out_of_fold([arm], FAST, log=lambda message: None), effect


def test_the_shared_fit_gives_each_learner_what_its_own_fit_gives():
    arm, _ = planted_experiment(n=800)
    both = uplift.fit_learners("boosting", arm.rows, arm.treated, arm.labels, 3)
    for learner, model in both.items():
        alone = uplift.fit_learner(learner, arm.rows, arm.treated, arm.labels, 3)
        np.testing.assert_allclose(model.predict(arm.rows)[1], alone.predict(arm.rows)[1])


def test_every_learner_recovers_the_planted_effects_out_of_fold(planted_predictions):
    predictions, effect = planted_predictions
    metrics = learner_metrics(predictions)
    assert sorted(metrics["learner"]) == sorted(LEARNERS)
    assert metrics["is_chosen"].sum() == 1
    # A real ranking: close to what ranking by the true effect achieves on the same outcomes
    # (random is 0), and the top 30% gains more than the average effect (0.06).
    first = predictions[predictions["learner"] == LEARNERS[0]]
    oracle = qini_coefficient(effect, first["is_treated"], first["responded"])
    noise = np.random.default_rng(9).random(len(first))
    assert abs(qini_coefficient(noise, first["is_treated"], first["responded"])) < 0.05 < oracle
    assert (metrics["qini_coefficient"] > 0.6 * oracle).all()
    assert (metrics["uplift_at_30pct"] > 0.12).all()
    for _, group in predictions.groupby("learner"):
        positive = effect > 0
        assert group["uplift_oof"][positive].mean() > 0.1
        assert group["uplift_oof"][~positive].mean() < 0


def test_no_customer_is_predicted_by_a_model_that_saw_them(monkeypatch):
    arm, _ = planted_experiment(n=600)
    seen: list[tuple[set, set]] = []
    real_fit = uplift.fit_learners

    def recording_fit(base, rows, treated, labels, seed, **options):
        models = real_fit(base, rows, treated, labels, seed, **options)
        trained_on, predicted = set(rows["customer_id"]), set()
        seen.append((trained_on, predicted))
        for model in models.values():
            real_predict = model.predict

            def predict(batch, real_predict=real_predict):
                predicted.update(batch["customer_id"])
                return real_predict(batch)

            model.predict = predict
        return models

    monkeypatch.setattr(uplift, "fit_learners", recording_fit)
    result = out_of_fold_uplift(arm.rows, arm.treated, arm.labels, FAST)
    assert sorted(result) == sorted(LEARNERS)
    # One fit per fold and base model (logistic, boosting), each predicting only its test fold.
    assert len(seen) == FAST.cv_folds * 2
    assert set().union(*(predicted for _, predicted in seen)) == set(arm.rows["customer_id"])
    for trained_on, predicted in seen:
        assert not trained_on & predicted


def test_too_few_responders_in_an_arm_fit_nothing():
    treated = np.array([True] * 10 + [False] * 10)
    labels = np.array([True, False] * 5 + [False] * 10)
    reason = why_cannot_learn(treated, labels, folds=3)
    assert reason is not None and "control: 10 non-responders, 0 responders" in reason
    arm = ExperimentArm("9", "offer", pd.DataFrame({"customer_id": range(20)}), treated, labels,
                        np.zeros(20), 20)  # fmt: skip
    assert predict_out_of_fold([arm], FAST, log=lambda message: None).empty


def test_incremental_revenue_values_each_arm_by_what_its_converts_spend():
    economics = ArmEconomics(cost_per_contact=0.5, value_treated=80.0, value_untreated=100.0)
    # 0.15 x 80 - 0.10 x 100 = 2.0: more conversions, each worth less under the discount.
    assert economics.incremental_revenue([0.10], [0.05])[0] == pytest.approx(2.0)
    # A customer who buys anyway (no uplift) costs what the discount gives away: 0.2 x -20.
    assert economics.incremental_revenue([0.20], [0.0])[0] == pytest.approx(-4.0)


def test_arm_economics_prefers_the_stated_value_else_each_arms_observed_one():
    treated = np.array([True, True, False, False])
    labels = np.array([True, False, True, True])
    revenue = np.array([40.0, 0.0, 60.0, 80.0])
    arm = ExperimentArm("9", "offer", pd.DataFrame(), treated, labels, revenue, 4)
    observed = arm_economics(
        pd.Series({"cost_per_contact": 2.0, "stated_revenue_per_response": None}), arm
    )
    assert (observed.value_treated, observed.value_untreated) == (40.0, 70.0)
    stated = arm_economics(
        pd.Series({"cost_per_contact": 3.0, "stated_revenue_per_response": 11.0}), arm
    )
    assert (stated.cost_per_contact, stated.value_treated, stated.value_untreated) == (3, 11, 11)


def test_the_plan_takes_the_most_profitable_customers_the_budget_pays_for():
    profit = np.array([5.0, -1.0, 3.0, 2.0])
    assert plan_within_budget(profit, 2.0, None).tolist() == [True, False, True, True]
    # 4.0 pays for two contacts at 2.0: the two best.
    assert plan_within_budget(profit, 2.0, 4.0).tolist() == [True, False, True, False]
    assert not plan_within_budget(profit, 2.0, 1.0).any()
    # A budget never buys a customer who is expected to lose money.
    assert plan_within_budget(profit, 2.0, 100.0).tolist() == [True, False, True, True]


def test_a_strategy_is_scored_by_the_experiment_among_the_customers_it_picks():
    selected = np.array([True, True, True, True, False])
    treated = np.array([True, True, False, False, True])
    labels = np.array([1.0, 0.0, 0.0, 0.0, 1.0])
    revenue = np.array([10.0, 0.0, 0.0, 0.0, 99.0])
    effect = strategy_effect(selected, treated, labels, revenue, cost_per_contact=1.0)
    # Among the four picked: treated revenue per customer 5, control 0; response rates 0.5 and 0.
    assert effect["customers_targeted"] == 4
    assert effect["incremental_responses"] == pytest.approx(2.0)
    assert effect["incremental_revenue"] == pytest.approx(20.0)
    assert effect["incremental_profit"] == pytest.approx(16.0)
    # Standard error of the difference in means: sqrt(var([10, 0]) / 2 + 0) = sqrt(50 / 2) = 5.
    # 16 + 1.959964 x 5 x 4 = 55.19928, stored in cents.
    assert effect["incremental_profit_ci_high"] == 55.2


def test_uplift_targeting_beats_propensity_when_the_likely_buyers_buy_anyway():
    # Half the customers buy anyway (0.6 in both arms); the other half respond only if treated.
    n = 2000
    rng = np.random.default_rng(1)
    buys_anyway = np.arange(n) < n // 2
    treated = rng.random(n) < 0.5
    labels = np.where(buys_anyway, rng.random(n) < 0.6, treated & (rng.random(n) < 0.3))
    group = pd.DataFrame(
        {
            "is_treated": treated,
            "responded": labels,
            "response_revenue": np.where(labels, 20.0, 0.0),
            "untreated_probability_oof": np.where(buys_anyway, 0.6, 0.0),
            "uplift_oof": np.where(buys_anyway, 0.0, 0.3),
        }
    )
    economics = ArmEconomics(1.0, 20.0, 20.0)
    table = compare_strategies(group, economics, propensity=buys_anyway * 1.0,
                               rfm=np.zeros(n)).set_index("strategy")  # fmt: skip
    assert table.loc["uplift", "customers_targeted"] == n // 2
    assert (
        table.loc["uplift", "incremental_profit"]
        > 0
        > table.loc["response_propensity", "incremental_profit"]
    )
    assert table.loc["uplift", "is_best"]
    assert table.loc["nobody", "incremental_profit"] == 0


def test_deciles_read_the_observed_uplift_and_accumulate_profit():
    arm, effect = planted_experiment(n=2000, seed=5)
    frame = pd.DataFrame(
        {
            "is_treated": arm.treated,
            "responded": arm.labels,
            "response_revenue": arm.revenue,
            # The true effect as the score: the top half are the customers the offer helps.
            "uplift_oof": effect + np.linspace(0, 1e-3, len(effect)),
        }
    )
    table = decile_table(frame, cost_per_contact=1.0)
    assert table["uplift_decile"].tolist() == list(range(1, 11))
    assert table["customers"].sum() == 2000
    assert table.loc[:4, "uplift"].mean() > 0.1 > -0.02 > table.loc[5:, "uplift"].mean()
    last = table.iloc[-1]
    everyone = strategy_effect(np.ones(2000, bool), arm.treated, arm.labels.astype(float),
                               arm.revenue, 1.0)  # fmt: skip
    assert last["cumulative_incremental_profit"] == pytest.approx(everyone["incremental_profit"])
    # About half the customers gain from the offer: profit peaks when about half are treated.
    assert table["cumulative_incremental_profit"].idxmax() in (4, 5)


def test_rfm_score_ranks_recent_frequent_big_spenders_first():
    rows = pd.DataFrame(
        {
            "recency_days": [5, 400, 30, None, 90],
            "frequency": [20, 1, 8, 0, 3],
            "monetary": [900.0, 10.0, 300.0, 0.0, 50.0],
        }
    )
    scores = rfm_score(rows)
    assert scores[0] == 15
    assert scores[3] == 3
    assert list(np.argsort(-scores, kind="stable")) == [0, 2, 4, 1, 3]


def experiment_table(
    arm: ExperimentArm, connection: duckdb.DuckDBPyConnection | None = None
) -> duckdb.DuckDBPyRelation:
    """The arm as the experiment snapshot of a warehouse feature table (in ``connection``, else a
    new in-memory one)."""
    frame = arm.rows.assign(
        snapshot="experiment",
        target_campaign_id=arm.campaign_id,
        variant=np.where(arm.treated, arm.variant, "control"),
        responded=arm.labels,
        response_revenue=arm.revenue,
        is_outlier=False,
    )
    connection = connection or duckdb.connect()
    connection.register("frame", frame)
    connection.execute("create table features as select * from frame")
    return connection.table("features")


def test_a_capped_experiment_keeps_its_arms_and_response_rates_and_fetches_only_its_rows():
    arm, _ = planted_experiment(n=3000)
    connection = duckdb.connect()
    relation = experiment_table(arm, connection)
    settings = project_settings(UpliftSettings, max_train_rows=1000, seed=1)
    capped = read_experiment_arms(relation, settings)
    assert len(capped) == 1
    # Fetched by a semi join on the session, as the models do: the same rows in the same order.
    joined = read_experiment_arms(relation, settings, connection=connection)
    pd.testing.assert_frame_equal(joined[0].rows, capped[0].rows)
    sample = capped[0]
    assert (len(sample.rows), sample.contacts) == (1000, 3000)
    # Stratified on treatment x response: each of the four groups keeps its share.
    for treated in (True, False):
        for responded in (True, False):
            share = np.mean((arm.treated == treated) & (arm.labels == responded))
            got = np.mean((sample.treated == treated) & (sample.labels == responded))
            assert got == pytest.approx(share, abs=0.002)
    # Every fetched row is the customer's own row.
    source = arm.rows.set_index("customer_id")
    np.testing.assert_allclose(
        sample.rows["income_clean"], source.loc[sample.rows["customer_id"], "income_clean"]
    )
    whole = read_experiment_arms(relation, project_settings(UpliftSettings, seed=1))[0]
    assert len(whole.rows) == whole.contacts == 3000

"""Uplift modelling for experiments with a control arm: which customers a campaign changes.

A response model ranks customers by how likely they are to buy; many of them buy anyway. An
uplift model estimates, per customer, how much the campaign changes that probability:
``uplift = P(respond | treated) - P(respond | not treated)``. It can only be learned where a
control group was randomised, so everything here reads the experiment snapshot of
``int_response_features`` (features from before the experiment, the arm, response and revenue).

Learners (meta-learners over scikit-learn base models, compared out of fold):
- T-learner: one outcome model per arm; uplift = treated model - untreated model.
- X-learner (Kuenzel et al. 2019): the T-learner's outcome models impute each customer's effect
  (a treated customer's outcome minus the untreated model's prediction, and the reverse for
  control customers); a regression per arm learns those effects, and the two are averaged with
  the treated share as weight.
each over logistic regression (ridge for the X-learner's second stage) and gradient boosting.

Evaluation (``qini_coefficient``, ``auuc``, ``uplift_at``) sorts customers by predicted uplift;
the definitions are in docs/methods.md. Tested in tests/python/test_uplift.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from python_udfs.features import (
    BASE_FEATURES,
    FeatureSet,
)
from python_udfs.frames import (
    cents,
    typed_empty,
)
from python_udfs.progress import Log, log_progress
from python_udfs.response import (
    fit_chosen_model,
    preprocessor,
    score_deciles,
)
from python_udfs.response import why_cannot_learn as response_cannot_learn
from python_udfs.settings import from_var, settings_from_meta
from python_udfs.threads import native_threads

EXPERIMENT_COLUMNS = [
    "customer_id",
    "target_campaign_id",
    "variant",
    "responded",
    "response_revenue",
    "is_outlier",
    *BASE_FEATURES.columns,
]
LEARNERS = ["t_learner_logistic", "t_learner_boosting", "x_learner_logistic", "x_learner_boosting"]
CONTROL = "control"


@dataclass(frozen=True)
class UpliftSettings:
    """The uplift_* vars, targeting_budget and the response models' seed (dbt_project.yml)."""

    cv_folds: int = from_var("uplift_cv_folds")
    max_train_rows: int = from_var("uplift_max_train_rows")
    seed: int = from_var("response_seed")
    targeting_budget: float | None = from_var("targeting_budget")
    n_jobs: int = 1

    @classmethod
    def from_meta(cls, meta: dict | None) -> UpliftSettings:
        settings = settings_from_meta(cls, meta)
        return replace(settings, n_jobs=native_threads((meta or {}).get("dbt_threads")))


# --- base models and learners -------------------------------------------------------------


BOOSTING = {"learning_rate": 0.05, "max_iter": 100, "min_samples_leaf": 40}


def base_model(base: str, seed: int, features: FeatureSet, *, effect: bool = False) -> Pipeline:
    """One base model of the learners: an outcome model, P(respond | features) within one arm
    (unweighted, so that its output is a probability), or with ``effect`` the X-learner's second
    stage, a regression of imputed individual effects. Logistic regression pairs with ridge."""
    if base == "logistic":
        model = Ridge(alpha=1.0) if effect else LogisticRegression(max_iter=2000, C=0.5)
    elif base == "boosting":
        boosting = HistGradientBoostingRegressor if effect else HistGradientBoostingClassifier
        model = boosting(**BOOSTING, random_state=seed)
    else:
        raise ValueError(f"unknown base model {base}")
    return Pipeline([("features", preprocessor(base == "logistic", features)),
                     ("model", model)])  # fmt: skip


def probability(model: Pipeline, rows: pd.DataFrame) -> np.ndarray:
    return model.predict_proba(rows)[:, 1]


@dataclass
class UpliftModel:
    """A fitted learner: ``predict`` returns (P(respond | untreated), uplift) per row, with the
    uplift clipped so that the treated probability stays in [0, 1]."""

    learner: str
    untreated: Pipeline
    treated: Pipeline
    effect_untreated: Pipeline | None = None
    effect_treated: Pipeline | None = None
    treated_share: float = 0.5

    def predict(self, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        untreated = probability(self.untreated, rows)
        if self.effect_untreated is None or self.effect_treated is None:
            uplift = probability(self.treated, rows) - untreated
        else:
            # Kuenzel et al.: tau = g * tau_control + (1 - g) * tau_treated, g = P(treated).
            uplift = self.treated_share * self.effect_untreated.predict(rows) + (
                1 - self.treated_share
            ) * self.effect_treated.predict(rows)
        return untreated, np.clip(uplift, -untreated, 1 - untreated)


def fit_learners(
    base: str, rows: pd.DataFrame, treated: np.ndarray, labels: np.ndarray, seed: int,
    *, features: FeatureSet = BASE_FEATURES, kinds: Sequence[str] = ("t", "x"),
) -> dict[str, UpliftModel]:  # fmt: skip
    """The T- and/or X-learner over one base model, fitted on experiment rows (``treated`` and
    ``labels`` are boolean). Both share the per-arm outcome models: the X-learner's first stage is
    the T-learner, so fitting them together costs one set of outcome models."""
    treated, labels = np.asarray(treated, bool), np.asarray(labels, bool)
    untreated_model = base_model(base, seed, features).fit(rows[~treated], labels[~treated])
    treated_model = base_model(base, seed, features).fit(rows[treated], labels[treated])
    share = float(treated.mean())
    models = {}
    if "t" in kinds:
        models[f"t_learner_{base}"] = UpliftModel(
            f"t_learner_{base}", untreated_model, treated_model, treated_share=share
        )
    if "x" in kinds:
        treated_rows, control_rows = rows[treated], rows[~treated]
        # Imputed effects: what treatment did to each treated customer, and would have done to
        # each control customer, by the other arm's outcome model.
        imputed_treated = labels[treated] - probability(untreated_model, treated_rows)
        imputed_control = probability(treated_model, control_rows) - labels[~treated]
        models[f"x_learner_{base}"] = UpliftModel(
            f"x_learner_{base}", untreated_model, treated_model,
            effect_untreated=base_model(base, seed, features, effect=True).fit(
                control_rows, imputed_control
            ),
            effect_treated=base_model(base, seed, features, effect=True).fit(
                treated_rows, imputed_treated
            ),
            treated_share=share,
        )  # fmt: skip
    return models


def fit_learner(
    learner: str, rows: pd.DataFrame, treated: np.ndarray, labels: np.ndarray, seed: int,
    *, features: FeatureSet = BASE_FEATURES,
) -> UpliftModel:  # fmt: skip
    """Fit one of ``LEARNERS`` on experiment rows."""
    if learner not in LEARNERS:
        raise ValueError(f"unknown learner {learner}")
    kind, base = learner.split("_learner_")
    return fit_learners(base, rows, treated, labels, seed, features=features, kinds=(kind,))[
        learner
    ]


def strata(treated: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Treatment x response: folds keep the share of each (0-3) the same."""
    return np.asarray(treated, int) * 2 + np.asarray(labels, int)


def why_cannot_learn(treated: np.ndarray, labels: np.ndarray, folds: int) -> str | None:
    """Why no uplift model can be learned from these rows, or None when one can: every fold
    needs treated and control customers who did and did not respond."""
    counts = np.bincount(strata(treated, labels), minlength=4)
    if len(labels) == 0:
        return "no contacts"
    if counts.min() < folds:
        return (
            f"fewer than {folds} customers in a treatment x response group "
            f"(control: {counts[0]} non-responders, {counts[1]} responders; "
            f"treated: {counts[2]}, {counts[3]})"
        )
    return None


def out_of_fold_uplift(
    rows: pd.DataFrame, treated: np.ndarray, labels: np.ndarray, settings,
    *, features: FeatureSet = BASE_FEATURES,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:  # fmt: skip
    """Per learner, (P(untreated), uplift) for every row from a model that never saw that row;
    folds stratified on treatment x response, the same folds for every learner."""
    folds = StratifiedKFold(n_splits=settings.cv_folds, shuffle=True, random_state=settings.seed)
    result = {learner: (np.zeros(len(rows)), np.zeros(len(rows))) for learner in LEARNERS}
    bases = sorted({learner.split("_learner_")[1] for learner in LEARNERS})
    for train_index, test_index in folds.split(rows, strata(treated, labels)):
        test_rows = rows.iloc[test_index]
        for base in bases:
            models = fit_learners(
                base, rows.iloc[train_index], treated[train_index], labels[train_index],
                settings.seed, features=features,
            )  # fmt: skip
            for learner, model in models.items():
                untreated, uplift = result[learner]
                untreated[test_index], uplift[test_index] = model.predict(test_rows)
    return result


# --- evaluation -------------------------------------------------------------------------------


def cumulative_by_score(
    scores: np.ndarray, treated: np.ndarray, outcome: np.ndarray
) -> pd.DataFrame:
    """Customers sorted by score (highest first), accumulated at each distinct score so that
    ties are taken together: n (customers so far), n_t / n_c (treated / control), y_t / y_c
    (their outcome sums). The first row is the empty top (all zeros)."""
    frame = pd.DataFrame(
        {
            "score": np.asarray(scores, float),
            "n_t": np.asarray(treated, int),
            "n_c": 1 - np.asarray(treated, int),
            "y_t": np.asarray(outcome, float) * np.asarray(treated, int),
            "y_c": np.asarray(outcome, float) * (1 - np.asarray(treated, int)),
        }
    )
    grouped = frame.groupby("score", sort=True)[["n_t", "n_c", "y_t", "y_c"]].sum()[::-1].cumsum()
    grouped["n"] = grouped["n_t"] + grouped["n_c"]
    start = pd.DataFrame({"n_t": [0], "n_c": [0], "y_t": [0.0], "y_c": [0.0], "n": [0]})
    return pd.concat([start, grouped.reset_index(drop=True)], ignore_index=True)


def qini_points(curve: pd.DataFrame) -> np.ndarray:
    """Incremental responses among the top n: y_t - y_c x n_t / n_c (0 while n_c is 0)."""
    n_t, n_c = curve["n_t"].to_numpy(float), curve["n_c"].to_numpy(float)
    ratio = np.divide(n_t, n_c, out=np.zeros(len(curve)), where=n_c > 0)
    return curve["y_t"].to_numpy(float) - curve["y_c"].to_numpy(float) * ratio


def uplift_points(curve: pd.DataFrame) -> np.ndarray:
    """(treated rate - control rate among the top n) x n (0 while an arm is empty there)."""
    n_t, n_c = curve["n_t"].to_numpy(float), curve["n_c"].to_numpy(float)
    rate_t = np.divide(curve["y_t"].to_numpy(float), n_t, out=np.zeros(len(curve)), where=n_t > 0)
    rate_c = np.divide(curve["y_c"].to_numpy(float), n_c, out=np.zeros(len(curve)), where=n_c > 0)
    return (rate_t - rate_c) * curve["n"].to_numpy(float)


def _normalized_area(points_of, scores, treated, labels) -> float:
    """(area under the model's curve - area under random targeting) / (the same for a perfect
    ranking): 1 for a perfect ranking, 0 for random, negative for worse than random. The x axis
    is the share of customers targeted; random targeting is the straight line to the end point.
    The perfect ranking puts treated responders first and control responders last."""
    labels = np.asarray(labels, float)
    treated = np.asarray(treated, int)

    def area(score_values) -> tuple[float, float]:
        curve = cumulative_by_score(score_values, treated, labels)
        points = points_of(curve)
        share = curve["n"].to_numpy() / curve["n"].iloc[-1]
        return float(np.trapezoid(points, share)), float(points[-1])

    model_area, end = area(scores)
    perfect_area, _ = area(labels * treated - labels * (1 - treated))
    random_area = end / 2
    if perfect_area - random_area <= 0:
        return float("nan")
    return (model_area - random_area) / (perfect_area - random_area)


def qini_coefficient(scores, treated, labels) -> float:
    """Normalised area between the Qini curve and random targeting (see ``_normalized_area``)."""
    return _normalized_area(qini_points, scores, treated, labels)


def auuc(scores, treated, labels) -> float:
    """Normalised area under the uplift curve (see ``_normalized_area``)."""
    return _normalized_area(uplift_points, scores, treated, labels)


def uplift_at(scores, treated, labels, share: float = 0.3) -> float:
    """Treated minus control response rate among the top ``share`` of customers by score
    (ties broken by position); nan when an arm is absent there."""
    scores = np.asarray(scores, float)
    top = np.argsort(-scores, kind="stable")[: max(1, round(share * len(scores)))]
    treated, labels = np.asarray(treated, bool)[top], np.asarray(labels, float)[top]
    if treated.all() or not treated.any():
        return float("nan")
    return float(labels[treated].mean() - labels[~treated].mean())


# --- reading an experiment -------------------------------------------------------------------


@dataclass(frozen=True)
class ExperimentArm:
    """One treatment arm of the target experiment with the control customers, capped at
    ``max_train_rows`` by a sample stratified on treatment x response."""

    campaign_id: str
    variant: str
    rows: pd.DataFrame
    treated: np.ndarray
    labels: np.ndarray
    revenue: np.ndarray
    contacts: int
    features: FeatureSet = BASE_FEATURES


# --- predictions, metrics and choice ----------------------------------------------------------

PREDICTION_COLUMNS = ["campaign_id", "variant", "learner", "customer_id", "is_treated",
                      "responded", "response_revenue", "untreated_probability_oof",
                      "uplift_oof", "features"]  # fmt: skip


def empty_predictions() -> pd.DataFrame:
    dtypes = {"campaign_id": "string", "variant": "string", "learner": "string",
              "customer_id": "string", "is_treated": "bool", "responded": "bool",
              "features": "string"}  # fmt: skip
    return typed_empty(PREDICTION_COLUMNS, dtypes)


def predict_out_of_fold(
    arms: Iterable[ExperimentArm], settings: UpliftSettings, log: Log = log_progress
) -> pd.DataFrame:
    """Every learner's out-of-fold uplift for every customer of every arm."""
    frames = []
    arms = list(arms)
    if not arms:
        log("uplift: no experiment with a control arm and a treatment arm; uplift marts are empty")
    for arm in arms:
        reason = why_cannot_learn(arm.treated, arm.labels, settings.cv_folds)
        if reason:
            log(f"uplift: campaign {arm.campaign_id} arm {arm.variant}: {reason}; no model fitted")
            continue
        started = time.perf_counter()
        predictions = out_of_fold_uplift(
            arm.rows, arm.treated, arm.labels, settings, features=arm.features
        )
        for learner, (untreated, uplift) in predictions.items():
            frames.append(
                pd.DataFrame(
                    {
                        "campaign_id": arm.campaign_id,
                        "variant": arm.variant,
                        "learner": learner,
                        "customer_id": arm.rows["customer_id"].astype("string").to_numpy(),
                        "is_treated": arm.treated,
                        "responded": arm.labels,
                        "response_revenue": arm.revenue,
                        "untreated_probability_oof": untreated,
                        "uplift_oof": uplift,
                        "features": arm.features.describe(),
                    }
                )
            )
        log(f"uplift: campaign {arm.campaign_id} arm {arm.variant}: {len(LEARNERS)} learners "
            f"out of fold ({settings.cv_folds} folds) on {len(arm.rows)} customers in "
            f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    if not frames:
        return empty_predictions()
    return pd.concat(frames, ignore_index=True)[PREDICTION_COLUMNS]


METRIC_COLUMNS = ["campaign_id", "variant", "learner", "qini_coefficient", "auuc",
                  "uplift_at_30pct", "n_treatment", "n_control", "is_chosen",
                  "features"]  # fmt: skip


def learner_metrics(predictions: pd.DataFrame) -> pd.DataFrame:
    """Out-of-fold Qini coefficient, AUUC and uplift in the top 30% per arm and learner; the
    best Qini coefficient of each arm is chosen."""
    rows = []
    for (campaign_id, variant, learner), group in predictions.groupby(
        ["campaign_id", "variant", "learner"], sort=True
    ):
        scores, treated = group["uplift_oof"].to_numpy(), group["is_treated"].to_numpy(bool)
        labels = group["responded"].to_numpy(bool)
        rows.append(
            {
                "campaign_id": campaign_id,
                "variant": variant,
                "learner": learner,
                "qini_coefficient": qini_coefficient(scores, treated, labels),
                "auuc": auuc(scores, treated, labels),
                "uplift_at_30pct": uplift_at(scores, treated, labels, 0.3),
                "n_treatment": int(treated.sum()),
                "n_control": int((~treated).sum()),
                "features": str(group["features"].iloc[0]),
            }
        )
    if not rows:
        dtypes = {"campaign_id": "string", "variant": "string", "learner": "string",
                  "n_treatment": "int64", "n_control": "int64", "is_chosen": "bool",
                  "features": "string"}  # fmt: skip
        return typed_empty(METRIC_COLUMNS, dtypes)
    table = pd.DataFrame(rows)
    best = table.groupby(["campaign_id", "variant"])["qini_coefficient"].transform("max")
    first_best = (table["qini_coefficient"] == best) & ~table.duplicated(
        ["campaign_id", "variant", "qini_coefficient"]
    )
    table["is_chosen"] = first_best
    return table[METRIC_COLUMNS]


def predictions_of(
    predictions: pd.DataFrame, campaign_id: str, variant: str, learner: str
) -> pd.DataFrame:
    """One arm's out-of-fold predictions by one learner."""
    return predictions[
        (predictions["campaign_id"] == campaign_id)
        & (predictions["variant"] == variant)
        & (predictions["learner"] == learner)
    ]


def chosen_learners(metrics: pd.DataFrame) -> dict[tuple[str, str], str]:
    chosen = metrics[metrics["is_chosen"].astype(bool)]
    return {
        (str(row.campaign_id), str(row.variant)): str(row.learner)
        for row in chosen.itertuples(index=False)
    }


# --- economics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArmEconomics:
    """What a contact costs and what a response is worth in each arm. A campaign that states its
    revenue per response uses it for both arms; otherwise each arm's observed revenue per
    conversion (a discount lowers what a converting customer spends)."""

    cost_per_contact: float
    value_treated: float
    value_untreated: float

    def incremental_revenue(self, untreated_probability, uplift) -> np.ndarray:
        untreated_probability = np.asarray(untreated_probability, float)
        treated_probability = untreated_probability + np.asarray(uplift, float)
        treated_value = treated_probability * self.value_treated
        return treated_value - untreated_probability * self.value_untreated


def arm_economics(campaign: pd.Series | None, arm: ExperimentArm) -> ArmEconomics:
    def observed(mask: np.ndarray) -> float:
        conversions = arm.labels[mask].sum()
        return float(arm.revenue[mask].sum() / conversions) if conversions else 0.0

    cost = float(campaign["cost_per_contact"]) if campaign is not None else 0.0
    stated = campaign["stated_revenue_per_response"] if campaign is not None else None
    if stated is not None and pd.notna(stated):
        return ArmEconomics(np.nan_to_num(cost), float(stated), float(stated))
    return ArmEconomics(np.nan_to_num(cost), observed(arm.treated), observed(~arm.treated))


CAMPAIGN_COLUMNS = ["campaign_id", "cost_per_contact", "stated_revenue_per_response"]


def campaign_row(campaigns: pd.DataFrame, campaign_id: str) -> pd.Series | None:
    match = campaigns[campaigns["campaign_id"].astype(str) == campaign_id]
    return match.iloc[0] if len(match) else None


# --- customer_uplift ---------------------------------------------------------------------------

CUSTOMER_COLUMNS = ["customer_id", "campaign_id", "variant", "learner",
                    "response_probability_untreated", "response_probability_treated", "uplift",
                    "uplift_oof", "expected_incremental_revenue", "expected_incremental_profit",
                    "uplift_decile", "should_treat", "is_in_plan"]  # fmt: skip


def empty_customer_uplift() -> pd.DataFrame:
    dtypes = {"customer_id": "string", "campaign_id": "string", "variant": "string",
              "learner": "string", "uplift_decile": "int64", "should_treat": "bool",
              "is_in_plan": "bool"}  # fmt: skip
    return typed_empty(CUSTOMER_COLUMNS, dtypes)


def plan_within_budget(profit: np.ndarray, cost_per_contact: float, budget: float | None):
    """Customers with positive expected incremental profit, best first, as many as the budget
    pays for (all of them without a budget)."""
    profit = np.asarray(profit, float)
    positive = profit > 0
    if budget is None:
        return positive
    if cost_per_contact <= 0:
        return positive
    affordable = int(budget // cost_per_contact)
    order = np.argsort(-profit, kind="stable")
    chosen = np.zeros(len(profit), bool)
    chosen[order[:affordable]] = True
    return chosen & positive


def score_arm(
    arm: ExperimentArm,
    learner: str,
    economics: ArmEconomics,
    population: Iterable[pd.DataFrame],
    settings: UpliftSettings,
) -> pd.DataFrame:
    """The chosen learner refitted on the arm's customers, scored on every customer."""
    model = fit_learner(
        learner, arm.rows, arm.treated, arm.labels, settings.seed, features=arm.features
    )
    scored = []
    for batch in population:
        if len(batch):
            untreated, uplift = model.predict(batch)
            scored.append(pd.DataFrame({"customer_id": batch["customer_id"].astype("string"),
                                        "untreated": untreated, "uplift": uplift}))  # fmt: skip
    if not scored:
        return empty_customer_uplift()
    frame = pd.concat(scored, ignore_index=True).sort_values("customer_id", kind="stable")
    revenue = economics.incremental_revenue(frame["untreated"], frame["uplift"])
    profit = revenue - economics.cost_per_contact
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"].to_numpy(),
            "campaign_id": arm.campaign_id,
            "variant": arm.variant,
            "learner": learner,
            "response_probability_untreated": frame["untreated"].to_numpy(),
            "response_probability_treated": (frame["untreated"] + frame["uplift"]).to_numpy(),
            "uplift": frame["uplift"].to_numpy(),
            "expected_incremental_revenue": cents(revenue),
            "expected_incremental_profit": cents(profit),
            "uplift_decile": score_deciles(frame["uplift"].to_numpy()),
            "should_treat": profit > 0,
            "is_in_plan": plan_within_budget(
                profit, economics.cost_per_contact, settings.targeting_budget
            ),
        }
    )


def customer_uplift(
    arms: list[ExperimentArm],
    chosen: dict[tuple[str, str], str],
    predictions: pd.DataFrame,
    campaigns: pd.DataFrame,
    *,
    population_of: Callable[[], Iterable[pd.DataFrame]],
    settings: UpliftSettings,
    log: Log = log_progress,
) -> pd.DataFrame:
    """One row per customer x experiment arm with a chosen learner; ``population_of()`` yields
    the score snapshot in batches (called once per arm)."""
    frames = []
    for arm in arms:
        learner = chosen.get((arm.campaign_id, arm.variant))
        if learner is None:
            continue
        started = time.perf_counter()
        economics = arm_economics(campaign_row(campaigns, arm.campaign_id), arm)
        scored = score_arm(arm, learner, economics, population_of(), settings)
        oof = predictions_of(predictions, arm.campaign_id, arm.variant, learner)
        oof = oof[["customer_id", "uplift_oof"]]
        scored = scored.drop(columns="uplift_oof", errors="ignore").merge(
            oof, on="customer_id", how="left"
        )
        frames.append(scored[CUSTOMER_COLUMNS])
        log(f"customer_uplift: campaign {arm.campaign_id} arm {arm.variant}: {learner} scored "
            f"{len(scored)} customers, {int(scored['should_treat'].sum())} worth treating, "
            f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    if not frames:
        return empty_customer_uplift()
    return pd.concat(frames, ignore_index=True)


# --- uplift_deciles ---------------------------------------------------------------------------

DECILE_COLUMNS = ["campaign_id", "variant", "learner", "uplift_decile", "customers",
                  "n_treatment", "n_control", "response_rate_treatment", "response_rate_control",
                  "uplift", "uplift_ci_low", "uplift_ci_high", "cumulative_customers",
                  "cumulative_incremental_responses", "cumulative_incremental_profit"]  # fmt: skip
Z_95 = 1.959963984540054


def arm_difference(treated: np.ndarray, outcome: np.ndarray) -> tuple[float, float]:
    """(treated mean - control mean, its unpooled standard error); nan when an arm is empty."""
    treated, outcome = np.asarray(treated, bool), np.asarray(outcome, float)
    if treated.all() or not treated.any():
        return float("nan"), float("nan")
    t, c = outcome[treated], outcome[~treated]
    variance = (t.var(ddof=1) / len(t) if len(t) > 1 else np.nan) + (
        c.var(ddof=1) / len(c) if len(c) > 1 else np.nan
    )
    return float(t.mean() - c.mean()), float(np.sqrt(variance))


def decile_table(group: pd.DataFrame, cost_per_contact: float) -> pd.DataFrame:
    """Per out-of-fold uplift decile (1 = highest predicted uplift): observed response rates by
    arm, their difference with a 95% interval, and, treating every customer down to that decile,
    the incremental responses and profit the experiment shows (the Qini curve as a table)."""
    deciles = score_deciles(group["uplift_oof"].to_numpy())
    treated = group["is_treated"].to_numpy(bool)
    labels = group["responded"].to_numpy(float)
    revenue = group["response_revenue"].to_numpy(float)
    rows = []
    for decile in range(1, 11):
        inside, down_to = deciles == decile, deciles <= decile
        if not inside.any():
            continue
        uplift, se = arm_difference(treated[inside], labels[inside])
        responses, _ = arm_difference(treated[down_to], labels[down_to])
        revenue_diff, _ = arm_difference(treated[down_to], revenue[down_to])
        customers_so_far = int(down_to.sum())
        rows.append(
            {
                "uplift_decile": decile,
                "customers": int(inside.sum()),
                "n_treatment": int(treated[inside].sum()),
                "n_control": int((~treated[inside]).sum()),
                "response_rate_treatment": _mean(labels[inside & treated]),
                "response_rate_control": _mean(labels[inside & ~treated]),
                "uplift": uplift,
                "uplift_ci_low": uplift - Z_95 * se,
                "uplift_ci_high": uplift + Z_95 * se,
                "cumulative_customers": customers_so_far,
                "cumulative_incremental_responses": responses * customers_so_far,
                "cumulative_incremental_profit": cents(
                    (revenue_diff - cost_per_contact) * customers_so_far
                ),
            }
        )
    return pd.DataFrame(rows)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")


def uplift_deciles(
    predictions: pd.DataFrame, chosen: dict[tuple[str, str], str], costs: dict[str, float]
) -> pd.DataFrame:
    frames = []
    for (campaign_id, variant), learner in sorted(chosen.items()):
        group = predictions_of(predictions, campaign_id, variant, learner)
        table = decile_table(group, costs.get(campaign_id, 0.0))
        frames.append(table.assign(campaign_id=campaign_id, variant=variant, learner=learner))
    if not frames:
        dtypes = {"campaign_id": "string", "variant": "string", "learner": "string",
                  "uplift_decile": "int64", "customers": "int64", "n_treatment": "int64",
                  "n_control": "int64", "cumulative_customers": "int64"}  # fmt: skip
        return typed_empty(DECILE_COLUMNS, dtypes)
    return pd.concat(frames, ignore_index=True)[DECILE_COLUMNS]


# --- targeting_strategies -----------------------------------------------------------------------

STRATEGY_COLUMNS = ["campaign_id", "variant", "strategy", "customers_targeted", "share_targeted",
                    "incremental_responses", "incremental_revenue", "incremental_profit",
                    "incremental_profit_ci_low", "incremental_profit_ci_high",
                    "is_best"]  # fmt: skip
STRATEGIES = ["everyone", "nobody", "response_propensity", "uplift", "rfm"]
DEFAULT_TARGET_SHARE = 0.3


def rfm_score(rows: pd.DataFrame) -> np.ndarray:
    """R + F + M quintile scores (1-5 each) from the features before the experiment: recent,
    frequent, high-spending customers first, as an RFM segmentation would rank them."""

    def quintile(values: pd.Series, ascending: bool) -> np.ndarray:
        ranks = values.rank(method="first", ascending=ascending, na_option="bottom")
        return np.ceil(ranks / len(values) * 5).to_numpy()

    recency = rows["recency_days"].astype(float)
    recency = recency.fillna(recency.max() + 1 if recency.notna().any() else 0)
    return (
        quintile(-recency, True)
        + quintile(rows["frequency"].astype(float).fillna(0), True)
        + quintile(rows["monetary"].astype(float).fillna(0), True)
    )


def strategy_effect(
    selected: np.ndarray, treated: np.ndarray, labels: np.ndarray, revenue: np.ndarray,
    cost_per_contact: float,
) -> dict:  # fmt: skip
    """What treating the ``selected`` customers did, by the experiment: the treated - control
    difference among them, x their number, minus their contact cost, with a 95% interval."""
    count = int(selected.sum())
    if count == 0:
        return {"customers_targeted": 0, "incremental_responses": 0.0,
                "incremental_revenue": 0.0, "incremental_profit": 0.0,
                "incremental_profit_ci_low": 0.0, "incremental_profit_ci_high": 0.0}  # fmt: skip
    responses, _ = arm_difference(treated[selected], labels[selected])
    revenue_diff, se = arm_difference(treated[selected], revenue[selected])
    profit = (revenue_diff - cost_per_contact) * count
    return {
        "customers_targeted": count,
        "incremental_responses": responses * count,
        "incremental_revenue": cents(revenue_diff * count),
        "incremental_profit": cents(profit),
        "incremental_profit_ci_low": cents(profit - Z_95 * se * count),
        "incremental_profit_ci_high": cents(profit + Z_95 * se * count),
    }


def top(scores: np.ndarray, count: int) -> np.ndarray:
    selected = np.zeros(len(scores), bool)
    selected[np.argsort(-np.asarray(scores, float), kind="stable")[:count]] = True
    return selected


def compare_strategies(
    group: pd.DataFrame, economics: ArmEconomics, propensity: np.ndarray, rfm: np.ndarray
) -> pd.DataFrame:
    """Incremental profit, on the experiment's own customers, of treating everyone, nobody, or
    the same number of customers chosen by response propensity, by out-of-fold uplift or by RFM
    score. That number is how many the uplift model would treat (positive out-of-fold expected
    incremental profit), or 30% of the customers when it would treat none or all."""
    treated = group["is_treated"].to_numpy(bool)
    labels = group["responded"].to_numpy(float)
    revenue = group["response_revenue"].to_numpy(float)
    expected = (
        economics.incremental_revenue(group["untreated_probability_oof"], group["uplift_oof"])
        - economics.cost_per_contact
    )
    count = int((expected > 0).sum())
    if count in (0, len(group)):
        count = round(DEFAULT_TARGET_SHARE * len(group))
    selections = {
        "everyone": np.ones(len(group), bool),
        "nobody": np.zeros(len(group), bool),
        "response_propensity": top(propensity, count),
        "uplift": top(expected, count),
        "rfm": top(rfm, count),
    }
    cost = economics.cost_per_contact
    rows = [
        {"strategy": name, **strategy_effect(selected, treated, labels, revenue, cost)}
        for name, selected in selections.items()
    ]
    table = pd.DataFrame(rows)
    table["share_targeted"] = table["customers_targeted"] / len(group)
    table["is_best"] = table.index == table["incremental_profit"].idxmax()
    return table


def targeting_strategies(
    arms: list[ExperimentArm],
    chosen: dict[tuple[str, str], str],
    predictions: pd.DataFrame,
    campaigns: pd.DataFrame,
    propensity_of: Callable[[pd.DataFrame], np.ndarray],
) -> pd.DataFrame:
    """``compare_strategies`` for every arm with a chosen learner; ``propensity_of`` gives the
    response model's probability for feature rows (the experiment's, from before it ran)."""
    frames = []
    for arm in arms:
        learner = chosen.get((arm.campaign_id, arm.variant))
        if learner is None:
            continue
        group = predictions_of(predictions, arm.campaign_id, arm.variant, learner)
        rows = arm.rows.assign(customer_id=arm.rows["customer_id"].astype("string"))
        rows = rows.set_index("customer_id").loc[group["customer_id"]].reset_index()
        economics = arm_economics(campaign_row(campaigns, arm.campaign_id), arm)
        table = compare_strategies(group.reset_index(drop=True), economics,
                                   propensity_of(rows), rfm_score(rows))  # fmt: skip
        frames.append(table.assign(campaign_id=arm.campaign_id, variant=arm.variant))
    if not frames:
        dtypes = {"campaign_id": "string", "variant": "string", "strategy": "string",
                  "customers_targeted": "int64", "is_best": "bool"}  # fmt: skip
        return typed_empty(STRATEGY_COLUMNS, dtypes)
    return pd.concat(frames, ignore_index=True)[STRATEGY_COLUMNS]


def response_propensity(inputs) -> Callable[[pd.DataFrame], np.ndarray]:
    """The response model of response_scores (``response.ScoringInputs``, or None when there is
    nothing to rank), as a function of feature rows; zeros when no response model could be
    fitted. The model is fitted on the first call."""
    fitted: list = []

    def propensity(rows: pd.DataFrame) -> np.ndarray:
        if inputs is None or inputs.chosen_model is None:
            return np.zeros(len(rows))
        sample, settings = inputs.sample, inputs.settings
        if response_cannot_learn(sample.labels, settings.cv_folds):
            return np.zeros(len(rows))
        if not fitted:
            fitted.append(
                fit_chosen_model(
                    inputs.chosen_model, sample.rows, sample.labels, settings, sample.features
                )
            )
        return fitted[0].predict_proba(rows)[:, 1]

    return propensity

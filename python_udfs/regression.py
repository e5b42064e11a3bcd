"""Spend drivers: an OLS regression of log spend on demographics and channel mix (statsmodels)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# The OLS class alone, not statsmodels.api (all of statsmodels): the plugin imports this module on
# dbt's main thread before the first node of every build.
from statsmodels.regression.linear_model import OLS

from python_udfs.frames import typed_empty

FEATURE_COLUMNS = [
    "customer_id",
    "net_revenue",
    "income",
    "age",
    "kids_home",
    "teens_home",
    "education_level",
    "marital_group",
    "share_web",
    "share_catalog",
    "is_income_imputed",
    "is_birth_year_implausible",
    "has_purchased",
]

RESULT_COLUMNS = [
    "term",
    "coefficient",
    "std_error",
    "t_value",
    "p_value",
    "ci_low",
    "ci_high",
    "n_observations",
    "r_squared",
    "adj_r_squared",
]

# log1p(spend) ~ income in thousands, age, household and categorical levels, channel mix (store is
# the base share). Baselines are the largest groups so that coefficients read as contrasts to the
# typical customer. As a formula:
#   log_spend ~ income_thousands + age + kids_home + teens_home
#       + C(education_level, Treatment('Graduate')) + C(marital_group, Treatment('Partnered'))
#       + share_web + share_catalog
# Numeric regressors used as they are; income enters in thousands.
PLAIN_NUMERIC_TERMS = ["age", "kids_home", "teens_home", "share_web", "share_catalog"]
NUMERIC_TERMS = ["income_thousands", *PLAIN_NUMERIC_TERMS]
CATEGORICAL_BASELINES = {"education_level": "Graduate", "marital_group": "Partnered"}

MIN_OBSERVATIONS = 30


def empty_result() -> pd.DataFrame:
    """The result table with no rows but its column types, so the warehouse table is typed."""
    return typed_empty(RESULT_COLUMNS, {"term": "string", "n_observations": "int64"})


def prepare_spend_frame(features: pd.DataFrame) -> pd.DataFrame:
    """Purchasers with positive spend, real (not imputed) income and a plausible age.

    Flagged outliers would distort the fit, so they are left out here (they stay in the marts).
    """
    frame = features[
        features["has_purchased"].astype(bool)
        & (features["net_revenue"] > 0)
        & ~features["is_income_imputed"].astype(bool)
        & ~features["is_birth_year_implausible"].astype(bool)
    ].copy()
    # Rows missing any regressor are left out, as a formula fit would.
    frame = frame.dropna(subset=["income", *PLAIN_NUMERIC_TERMS, *CATEGORICAL_BASELINES])
    frame["log_spend"] = np.log1p(frame["net_revenue"].astype(float))
    frame["income_thousands"] = frame["income"].astype(float) / 1000.0
    for column in PLAIN_NUMERIC_TERMS:
        frame[column] = frame[column].astype(float)
    return frame


def design_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """The regression's design matrix, column for column what the statsmodels formula above
    builds with patsy (intercept, treatment dummies in sorted level order, then the numbers),
    built with pandas: patsy took 7.9 of the 10 s the fit took on 850k customers, and grows with
    every row. Columns are named as an analyst reads them: ``intercept``, ``age``,
    ``marital_group: Single vs Partnered``.

    A baseline missing from the data falls back to the most common level; a category with a
    single level is left out (its dummies would be collinear with the intercept).
    """
    columns = {"intercept": np.ones(len(frame))}
    for column, preferred in CATEGORICAL_BASELINES.items():
        levels = sorted(frame[column].unique())
        if len(levels) < 2:
            continue
        baseline = preferred if preferred in levels else frame[column].mode()[0]
        for level in levels:
            if level != baseline:
                name = f"{column}: {level} vs {baseline}"
                columns[name] = (frame[column] == level).to_numpy(dtype=float)
    for column in NUMERIC_TERMS:
        columns[column] = frame[column].to_numpy(dtype=float)
    return pd.DataFrame(columns, index=frame.index)


def fit_spend_drivers(features: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """One row per regression term with coefficient, standard error, t, p-value and CI.

    Returns an empty frame with the result columns when there are fewer than
    ``MIN_OBSERVATIONS`` usable customers or a single category level makes the design singular.
    """
    frame = prepare_spend_frame(features)
    if len(frame) < MIN_OBSERVATIONS:
        return empty_result()
    fitted = OLS(frame["log_spend"], design_matrix(frame)).fit()
    intervals = fitted.conf_int(alpha=alpha)
    return pd.DataFrame(
        {
            "term": list(fitted.params.index),
            "coefficient": fitted.params.to_numpy(),
            "std_error": fitted.bse.to_numpy(),
            "t_value": fitted.tvalues.to_numpy(),
            "p_value": fitted.pvalues.to_numpy(),
            "ci_low": intervals[0].to_numpy(),
            "ci_high": intervals[1].to_numpy(),
            "n_observations": int(fitted.nobs),
            "r_squared": float(fitted.rsquared),
            "adj_r_squared": float(fitted.rsquared_adj),
        }
    )[RESULT_COLUMNS]

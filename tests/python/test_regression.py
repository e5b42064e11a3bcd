"""The spend-drivers regression recovers planted coefficients and handles degenerate inputs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from python_udfs.regression import (
    CATEGORICAL_BASELINES,
    FEATURE_COLUMNS,
    RESULT_COLUMNS,
    design_matrix,
    fit_spend_drivers,
    prepare_spend_frame,
)


def synthetic_customers(n: int, seed: int = 0) -> pd.DataFrame:
    """Customers whose log spend is a known linear function of the features plus noise."""
    rng = np.random.default_rng(seed)
    income = rng.normal(55_000, 15_000, n)
    age = rng.integers(20, 80, n).astype(float)
    kids = rng.integers(0, 3, n)
    teens = rng.integers(0, 3, n)
    education = rng.choice(["Graduate", "Postgraduate", "Basic"], n, p=[0.5, 0.4, 0.1])
    marital = rng.choice(["Partnered", "Single"], n)
    share_web = rng.uniform(0, 0.5, n)
    share_catalog = rng.uniform(0, 0.5, n)
    log_spend = (
        2.0
        + 0.03 * income / 1000
        + 0.01 * age
        - 0.4 * kids
        + 0.2 * teens
        + 0.3 * (education == "Postgraduate")
        - 0.25 * (marital == "Single")
        + 0.5 * share_catalog
        + rng.normal(0, 0.3, n)
    )
    return pd.DataFrame(
        {
            "customer_id": np.arange(n),
            "net_revenue": np.expm1(log_spend),
            "income": income,
            "age": age,
            "kids_home": kids,
            "teens_home": teens,
            "education_level": education,
            "marital_group": marital,
            "share_web": share_web,
            "share_catalog": share_catalog,
            "is_income_imputed": False,
            "is_birth_year_implausible": False,
            "has_purchased": True,
        }
    )[FEATURE_COLUMNS]


def test_recovers_planted_coefficients_within_their_intervals():
    result = fit_spend_drivers(synthetic_customers(5000)).set_index("term")
    planted = {
        "income_thousands": 0.03,
        "age": 0.01,
        "kids_home": -0.4,
        "teens_home": 0.2,
        "education_level: Postgraduate vs Graduate": 0.3,
        "marital_group: Single vs Partnered": -0.25,
        "share_catalog": 0.5,
        "share_web": 0.0,
    }
    for term, value in planted.items():
        row = result.loc[term]
        assert row["ci_low"] <= value <= row["ci_high"], term
    assert result.loc["kids_home", "p_value"] < 1e-6
    assert result["n_observations"].iloc[0] == 5000
    assert 0.5 < result["r_squared"].iloc[0] <= 1


def test_flagged_and_non_buying_customers_are_left_out_of_the_fit():
    customers = synthetic_customers(200)
    customers.loc[:9, "is_income_imputed"] = True
    customers.loc[10:14, "is_birth_year_implausible"] = True
    customers.loc[15:19, "has_purchased"] = False
    customers.loc[20:24, "net_revenue"] = -5.0
    assert len(prepare_spend_frame(customers)) == 200 - 25


def test_too_few_customers_give_an_empty_typed_result():
    result = fit_spend_drivers(synthetic_customers(10))
    assert list(result.columns) == RESULT_COLUMNS
    assert result.empty
    assert result["coefficient"].dtype == np.float64


def test_a_single_marital_group_drops_that_term_instead_of_failing():
    customers = synthetic_customers(500)
    customers["marital_group"] = "Single"
    result = fit_spend_drivers(customers)
    assert not any(term.startswith("marital_group") for term in result["term"])
    assert "kids_home" in set(result["term"])


def readable_term(term: str) -> str:
    """A patsy term name (the formula reference's) as the design matrix names it:
    ``C(marital_group, Treatment('Partnered'))[T.Single]`` -> ``marital_group: Single vs
    Partnered``."""
    match = re.fullmatch(r"C\((\w+), Treatment\('([^']*)'\)\)\[T\.(.*)\]", term)
    if match is None:
        return "intercept" if term == "Intercept" else term
    column, base, level = match.groups()
    return f"{column}: {level} vs {base}"


@pytest.mark.parametrize("missing_baseline", ["Graduate"])
def test_missing_baseline_level_falls_back_to_the_most_common(missing_baseline):
    customers = synthetic_customers(500)
    customers = customers[customers["education_level"] != missing_baseline]
    terms = set(fit_spend_drivers(customers)["term"])
    assert "education_level: Basic vs Postgraduate" in terms


def formula_fit(frame: pd.DataFrame):
    """The same regression through statsmodels' formula interface (patsy), as the reference."""
    smf = pytest.importorskip("statsmodels.formula.api")
    terms = ["income_thousands", "age", "kids_home", "teens_home"]
    for column, baseline in CATEGORICAL_BASELINES.items():
        levels = set(frame[column].dropna())
        if len(levels) > 1:
            base = baseline if baseline in levels else frame[column].mode()[0]
            terms.append(f"C({column}, Treatment('{base}'))")
    formula = "log_spend ~ " + " + ".join([*terms, "share_web", "share_catalog"])
    return smf.ols(formula, data=frame).fit()


@pytest.mark.parametrize("case", ["all levels", "missing baseline", "single level"])
def test_design_matrix_fits_what_the_formula_fits(case):
    # The design is built by hand for speed; it must be the formula's: same terms in the same
    # order, same coefficients and standard errors.
    customers = synthetic_customers(800, seed=4)
    if case == "missing baseline":
        customers = customers[customers["education_level"] != "Graduate"]
    if case == "single level":
        customers["marital_group"] = "Single"
    frame = prepare_spend_frame(customers)
    reference = formula_fit(frame)
    fitted = sm.OLS(frame["log_spend"], design_matrix(frame)).fit()
    assert list(fitted.params.index) == [readable_term(term) for term in reference.params.index]
    np.testing.assert_allclose(fitted.params, reference.params.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(fitted.bse, reference.bse.to_numpy(), rtol=1e-9)
    result = fit_spend_drivers(customers)
    assert list(result["term"]) == [readable_term(term) for term in reference.params.index]


def test_rows_missing_a_regressor_are_left_out():
    customers = synthetic_customers(300)
    customers.loc[:9, "kids_home"] = None
    customers.loc[10:14, "education_level"] = None
    assert len(prepare_spend_frame(customers)) == 300 - 15
    assert fit_spend_drivers(customers)["n_observations"].iloc[0] == 285

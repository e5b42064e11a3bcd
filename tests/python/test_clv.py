"""BG/NBD and Gamma-Gamma: recovery of planted parameters, monotone P(alive), safe failures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from project_settings import project_settings

from clv_simulation import simulate_bgnbd, simulate_gamma_gamma
from python_udfs import clv
from python_udfs.clv import (
    BgNbdParams,
    ClvSettings,
    DistinctHistories,
    DistinctRepeatValues,
    GammaGammaParams,
    backtest,
    bgnbd_log_likelihood,
    calibration_by_frequency,
    clear_fit_cache,
    discounted_clv,
    expected_average_value,
    expected_purchases,
    expected_repeat_purchases_since_first,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
    gamma_gamma_sample,
    p_alive_matrix,
    predict_customers,
    probability_alive,
    tracking_table,
)

# The published CDNOW estimates (Fader, Hardie & Lee): 2,357 customers, 39-week calibration.
CDNOW_BGNBD = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
CDNOW_GAMMA_GAMMA = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    # 20,000 customers (8x CDNOW) keep the sampling error of each parameter near 5%, so a 15%
    # tolerance fails on a wrong likelihood or optimizer, not on noise.
    return simulate_bgnbd(CDNOW_BGNBD, 20_000, 39.0, seed=11)


def test_bgnbd_recovers_the_cdnow_parameters_from_simulated_customers(simulated):
    fit = fit_bgnbd(simulated["frequency"], simulated["recency"], simulated["age"])
    assert fit.converged
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fit.params, name) == pytest.approx(getattr(CDNOW_BGNBD, name), rel=0.15)
    # The optimum beats the truth on the data it was fitted to.
    x, t_x, age = simulated["frequency"], simulated["recency"], simulated["age"]
    truth_ll = bgnbd_log_likelihood(CDNOW_BGNBD, x, t_x, age).sum()
    assert fit.log_likelihood >= truth_ll


def test_the_distinct_value_likelihood_equals_the_closed_form(simulated):
    # Customers with whole-day histories, as the warehouse gives them, and a zero-purchase one.
    x, t_x, age = simulated["frequency"], (simulated["recency"] * 7).round() / 7, simulated["age"]
    for params in (CDNOW_BGNBD, BgNbdParams(r=2.0, alpha=0.5, a=3.0, b=0.7)):
        fast = DistinctHistories(x, t_x, age).log_likelihood(params)
        np.testing.assert_allclose(fast, bgnbd_log_likelihood(params, x, t_x, age), rtol=1e-12)
    assert (x == 0).any() and len(np.unique(t_x)) < len(t_x)


def test_distinct_repeat_values_give_the_gamma_gamma_likelihood(simulated):
    x, monetary, _ = gamma_gamma_sample(
        simulated["frequency"],
        simulate_gamma_gamma(CDNOW_GAMMA_GAMMA, simulated["frequency"], seed=5),
    )
    for params in (CDNOW_GAMMA_GAMMA, GammaGammaParams(p=1.3, q=2.5, gamma=40.0)):
        fast = DistinctRepeatValues(x, monetary).log_likelihood(params)
        np.testing.assert_allclose(
            fast, gamma_gamma_log_likelihood(params, x, monetary), rtol=1e-12
        )
    assert len(np.unique(x)) < len(x) and (x > 1).any()


def test_gamma_gamma_recovers_the_cdnow_parameters(simulated):
    monetary = simulate_gamma_gamma(CDNOW_GAMMA_GAMMA, simulated["frequency"], seed=12)
    fit = fit_gamma_gamma(simulated["frequency"], monetary)
    assert fit.converged
    # Population mean spend p * gamma / (q - 1) is identified more tightly than each parameter.
    mean = fit.params.p * fit.params.gamma / (fit.params.q - 1)
    truth_mean = CDNOW_GAMMA_GAMMA.p * CDNOW_GAMMA_GAMMA.gamma / (CDNOW_GAMMA_GAMMA.q - 1)
    assert mean == pytest.approx(truth_mean, rel=0.05)
    for name in ("p", "q", "gamma"):
        assert getattr(fit.params, name) == pytest.approx(getattr(CDNOW_GAMMA_GAMMA, name), rel=0.2)


def test_p_alive_is_a_probability_and_falls_as_the_last_purchase_recedes():
    # Fixed frequency 3 and age 39 weeks: the earlier the last purchase (smaller recency), the
    # longer the silence since, the lower P(alive).
    recency = np.linspace(1, 39, 20)
    alive = probability_alive(CDNOW_BGNBD, np.full(20, 3), recency, np.full(20, 39.0))
    assert ((alive >= 0) & (alive <= 1)).all()
    assert (np.diff(alive) > 0).all()
    # Without repeat purchases BG/NBD cannot have seen a dropout.
    assert probability_alive(CDNOW_BGNBD, [0], [0], [39.0])[0] == 1.0


def test_expected_purchases_grow_with_horizon_and_frequency():
    horizons = [expected_purchases(CDNOW_BGNBD, t, [2], [30.0], [39.0])[0] for t in (4, 13, 52)]
    assert horizons[0] < horizons[1] < horizons[2]
    light, heavy = expected_purchases(CDNOW_BGNBD, 13, [1, 8], [35.0, 35.0], [39.0, 39.0])
    assert light < heavy


def test_non_positive_mean_values_are_excluded_and_counted():
    x, m, excluded = gamma_gamma_sample([0, 2, 3, 4], [np.nan, 10.0, -5.0, 0.0])
    assert x.tolist() == [2.0] and m.tolist() == [10.0] and excluded == 2


def test_failed_fits_fall_back_with_a_log_line():
    messages: list[str] = []
    history = pd.DataFrame(
        {"customer_id": [1, 2], "frequency": [0, 0], "recency": [0, 0], "age": [10.0, 12.0]}
    ).assign(monetary_value=np.nan)
    assert predict_customers(history, project_settings(ClvSettings), log=messages.append).empty
    assert "falling back to heuristic CLV" in messages[0]
    assert predict_customers(
        history.iloc[0:0], project_settings(ClvSettings), log=messages.append
    ).empty


def calibrated_history(n: int = 4000) -> pd.DataFrame:
    """Customers simulated from CDNOW's parameters, seen for 26 weeks (calibration) and 52."""
    rng = np.random.default_rng(3)
    full = simulate_bgnbd(CDNOW_BGNBD, n, 52.0, seed=5)
    history = full.assign(customer_id=np.arange(n), monetary_value=rng.gamma(6, 5, n))
    calibration = simulate_bgnbd(CDNOW_BGNBD, n, 26.0, seed=5)
    history["calibration_frequency"] = calibration["frequency"]
    history["calibration_recency"] = calibration["recency"]
    history["calibration_age"] = calibration["age"]
    history["calibration_monetary_value"] = history["monetary_value"]
    history["holdout_purchases"] = full["frequency"] - calibration["frequency"]
    history["holdout_revenue"] = history["holdout_purchases"] * history["monetary_value"]
    history["holdout_weeks"] = 26.0
    return history


def test_backtest_beats_the_naive_rate_on_buy_till_you_die_data():
    # The same customers seen for 26 weeks (calibration) and 52 (full, same seed): the model knows
    # customers die, the naive rate does not.
    history = calibrated_history()
    table = backtest(history, project_settings(ClvSettings), log=lambda _: None).set_index("model")
    assert table.loc["bgnbd", "purchases_rmse"] < table.loc["naive_rate", "purchases_rmse"]


def test_against_lifetimes_on_its_cdnow_sample():
    # lifetimes (requirements.txt, tests only) is the reference implementation of BG/NBD.
    import lifetimes  # noqa: PLC0415 - a test-only dependency, imported where it is used
    from lifetimes import datasets  # noqa: PLC0415

    data = datasets.load_cdnow_summary(index_col=[0])
    fit = fit_bgnbd(data["frequency"], data["recency"], data["T"])
    reference = lifetimes.BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fit.params, name) == pytest.approx(reference.params_[name], rel=0.02)


def test_expected_average_value_shrinks_each_mean_toward_the_population_mean():
    params = GammaGammaParams(p=6.0, q=4.0, gamma=16.0)
    # Population mean p * gamma / (q - 1) = 32. No repeat purchase (or no positive spend): 32.
    # Two repeat purchases averaging 50: (16 + 2 x 50) x 6 / (6 x 2 + 4 - 1) = 696 / 15 = 46.4.
    values = expected_average_value(params, [0, 2, 3], [80.0, 50.0, 0.0])
    np.testing.assert_allclose(values, [32.0, 46.4, 32.0])


def test_discounted_clv_sums_monthly_purchases_at_the_margin_and_discount():
    bgnbd = BgNbdParams(r=0.5, alpha=5.0, a=0.8, b=2.5)
    gamma_gamma = GammaGammaParams(p=6.0, q=4.0, gamma=16.0)
    summary = pd.DataFrame(
        {"frequency": [0, 4], "recency": [0.0, 30.0], "age": [40.0, 40.0],
         "monetary_value": [0.0, 50.0]}
    )  # fmt: skip
    value = expected_average_value(gamma_gamma, summary["frequency"], summary["monetary_value"])
    month, year = 52.1775 / 12, 52.1775

    def purchases(weeks):
        return expected_purchases(
            bgnbd, weeks, summary["frequency"], summary["recency"], summary["age"]
        )

    # Undiscounted, twelve months add up to a year's expected purchases.
    undiscounted = discounted_clv(bgnbd, gamma_gamma, summary, months=12,
                                  monthly_discount_rate=0.0, margin=0.3)  # fmt: skip
    np.testing.assert_allclose(undiscounted, 0.3 * value * purchases(year))
    # One month at 1%: that month's purchases divided by 1.01.
    one_month = discounted_clv(bgnbd, gamma_gamma, summary, months=1,
                               monthly_discount_rate=0.01, margin=1.0)  # fmt: skip
    np.testing.assert_allclose(one_month, value * purchases(month) / 1.01)
    discounted = discounted_clv(bgnbd, gamma_gamma, summary, months=12,
                                monthly_discount_rate=0.01, margin=0.3)  # fmt: skip
    assert (discounted < undiscounted).all()
    assert (discounted > undiscounted / 1.01**12).all()


def test_the_penalty_does_the_same_whatever_the_time_and_money_units(simulated):
    # The same customers in days instead of weeks, and in cents instead of euros: a penalized fit
    # must give the same shape parameters and scale parameters that move with the unit.
    x, t_x, age = simulated["frequency"], simulated["recency"], simulated["age"]
    weeks = fit_bgnbd(x, t_x, age, penalizer=0.05).params
    days = fit_bgnbd(x, t_x * 7, age * 7, penalizer=0.05).params
    for name in ("r", "a", "b"):
        assert getattr(days, name) == pytest.approx(getattr(weeks, name), rel=1e-3)
    assert days.alpha == pytest.approx(7 * weeks.alpha, rel=1e-3)
    monetary = simulate_gamma_gamma(CDNOW_GAMMA_GAMMA, x, seed=12)
    euros = fit_gamma_gamma(x, monetary, penalizer=0.05).params
    cents = fit_gamma_gamma(x, monetary * 100, penalizer=0.05).params
    assert (cents.p, cents.q) == pytest.approx((euros.p, euros.q), rel=1e-3)
    assert cents.gamma == pytest.approx(100 * euros.gamma, rel=1e-3)
    # And it does something: shape parameters are pulled toward 1.
    unpenalized = fit_bgnbd(x, t_x, age).params
    assert abs(np.log(weeks.r)) < abs(np.log(unpenalized.r))


def test_parameter_intervals_cover_the_truth_at_about_their_nominal_rate():
    # 30 samples of 1,000 customers from known parameters: for each, the 95% intervals of every
    # customer's 365-day expected purchases and 12-month CLV are compared with the values the
    # true parameters give for the same history. Pooled coverage must be near 95%.
    settings = project_settings(ClvSettings)
    covered_purchases, covered_clv, widths = [], [], []
    for replicate in range(30):
        history = simulate_bgnbd(CDNOW_BGNBD, 1000, 39.0, seed=100 + replicate)
        monetary = simulate_gamma_gamma(CDNOW_GAMMA_GAMMA, history["frequency"], seed=replicate)
        history = history.assign(customer_id=np.arange(1000), monetary_value=monetary)
        predicted = predict_customers(history, settings, log=lambda _: None)
        true_purchases = expected_purchases(
            CDNOW_BGNBD, 365 / 7, history["frequency"], history["recency"], history["age"]
        )
        true_clv = discounted_clv(
            CDNOW_BGNBD, CDNOW_GAMMA_GAMMA, history, months=12,
            monthly_discount_rate=settings.monthly_discount_rate, margin=settings.margin,
        )  # fmt: skip
        covered_purchases.append(
            (predicted["expected_purchases_365d_low"] <= true_purchases)
            & (true_purchases <= predicted["expected_purchases_365d_high"])
        )
        covered_clv.append(
            (predicted["predicted_clv_12m_low"] <= true_clv)
            & (true_clv <= predicted["predicted_clv_12m_high"])
        )
        widths.append(predicted["predicted_clv_12m_high"] - predicted["predicted_clv_12m_low"])
    assert 0.85 <= np.mean(np.concatenate(covered_purchases)) <= 0.995
    assert 0.85 <= np.mean(np.concatenate(covered_clv)) <= 0.995
    assert (np.concatenate(widths) > 0).all()


def test_intervals_are_wider_where_the_data_say_less():
    # Fewer customers, less certain parameters: the same history gets a wider interval.
    def relative_width(n: int) -> float:
        history = simulate_bgnbd(CDNOW_BGNBD, n, 39.0, seed=4)
        monetary = simulate_gamma_gamma(CDNOW_GAMMA_GAMMA, history["frequency"], seed=4)
        history = history.assign(customer_id=np.arange(n), monetary_value=monetary)
        predicted = predict_customers(history, project_settings(ClvSettings), log=lambda _: None)
        width = predicted["predicted_clv_12m_high"] - predicted["predicted_clv_12m_low"]
        return float(np.median(width / predicted["predicted_clv_12m"]))

    assert relative_width(500) > 1.5 * relative_width(8000)


def test_calibration_table_matches_holdout_purchases_by_frequency_on_data_from_the_model():
    # On customers drawn from BG/NBD itself, expected and actual holdout purchases agree in every
    # calibration-frequency group (the model is right by construction; a wrong horizon, unit or
    # grouping would not be).
    history = calibrated_history(20_000)
    table = calibration_by_frequency(history, project_settings(ClvSettings), log=lambda _: None)
    assert table["calibration_frequency"].tolist() == list(range(8))
    assert table["customers"].sum() == 20_000
    frequency = np.minimum(history["calibration_frequency"], 7)
    groups = history.groupby(frequency)["holdout_purchases"]
    np.testing.assert_allclose(table["actual_holdout_purchases"], groups.mean().to_numpy())
    # Within three standard errors of each group's mean (a few hundred customers in the top
    # groups), plus a little for the fitted parameters' own error.
    standard_errors = (groups.std() / np.sqrt(groups.size())).to_numpy()
    gaps = (table["expected_holdout_purchases"] - table["actual_holdout_purchases"]).abs()
    assert (gaps.to_numpy() < 0.05 + 3 * standard_errors).all(), gaps
    # Heavier calibration buyers buy more in the holdout, and the model says so too.
    assert table["expected_holdout_purchases"].is_monotonic_increasing


def test_p_alive_matrix_gives_one_time_buyers_one_and_rises_with_recency():
    history = calibrated_history(3000)
    matrix = p_alive_matrix(
        history, project_settings(ClvSettings), max_frequency=5, recency_steps=4
    )
    one_time = matrix[matrix["frequency"] == 0]
    assert len(one_time) == 1 and one_time["p_alive"].iloc[0] == 1.0
    assert len(matrix) == 1 + 5 * 5
    assert matrix["customers"].sum() == 3000
    assert one_time["customers"].iloc[0] == (history["frequency"] == 0).sum()
    for _, row in matrix[matrix["frequency"] > 0].groupby("frequency"):
        assert row["p_alive"].is_monotonic_increasing  # a more recent last purchase, more alive
    # Fixed recency long ago: more purchases make a silent customer look more surely gone.
    at_zero = matrix[(matrix["recency_weeks"] == 0) & (matrix["frequency"] > 0)]
    assert at_zero["p_alive"].is_monotonic_decreasing


def test_expected_repeat_purchases_of_a_new_customer_is_the_conditional_formula_at_zero():
    # A customer who has just bought for the first time (x = 0, t_x = 0, T = 0): the unconditional
    # E[X(t)] and the conditional expectation are the same number.
    t = np.array([0.5, 4.0, 26.0, 104.0])
    np.testing.assert_allclose(
        expected_repeat_purchases_since_first(CDNOW_BGNBD, t),
        expected_purchases(CDNOW_BGNBD, t, 0.0, 0.0, 0.0),
        rtol=1e-10,
    )
    assert expected_repeat_purchases_since_first(CDNOW_BGNBD, 0.0) == 0.0


def test_tracking_sums_every_first_purchase_cohort_from_the_middle_of_its_week():
    history = calibrated_history(2000)
    fit = fit_bgnbd(
        history["calibration_frequency"], history["calibration_recency"], history["calibration_age"]
    ).params
    start = pd.Timestamp("2024-01-01")
    # 10 first purchases in week 0, 4 in week 2, none in week 1 (missing row); 4 complete weeks.
    weekly = pd.DataFrame(
        {
            "week_index": [0, 2, 3],
            "period_start": [start.date(), (start + pd.Timedelta(weeks=2)).date(),
                             (start + pd.Timedelta(weeks=3)).date()],
            "calibration_end_date": (start + pd.Timedelta(weeks=2)).date(),
            "as_of_date": (start + pd.Timedelta(weeks=4, days=3)).date(),
            "first_purchases": [10, 4, 0],
            "repeat_purchases": [1, 3, 5],
        }
    )  # fmt: skip
    table = tracking_table(history, weekly, project_settings(ClvSettings), log=lambda _: None)
    assert table["week_index"].tolist() == [0, 1, 2, 3]
    assert table["is_holdout"].tolist() == [False, False, True, True]
    assert table["actual_repeat_purchases"].tolist() == [1, 0, 3, 5]
    assert table["actual_cumulative_repeat_purchases"].tolist() == [1, 1, 4, 9]
    by_end_of_week_3 = 10 * expected_repeat_purchases_since_first(fit, 3.5) + (
        4 * expected_repeat_purchases_since_first(fit, 1.5)
    )
    assert table["expected_cumulative_repeat_purchases"].iloc[3] == pytest.approx(by_end_of_week_3)
    np.testing.assert_allclose(
        table["expected_repeat_purchases"].cumsum(), table["expected_cumulative_repeat_purchases"]
    )


def test_a_fit_of_the_same_data_is_computed_once_and_equals_a_fresh_one(simulated, monkeypatch):
    # The CLV models of one build fit the same histories several times in one process.
    clear_fit_cache()
    calls = []
    minimize = clv._minimize
    monkeypatch.setattr(clv, "_minimize", lambda *args: calls.append(1) or minimize(*args))
    x, t_x, age = (simulated[c].to_numpy() for c in ("frequency", "recency", "age"))
    first = fit_bgnbd(x, t_x, age, penalizer=0.01)
    assert first.covariance is None
    # Equal data in other arrays, asked for with the covariance: no second optimization, and
    # the covariance is the one a fresh fit computes.
    again = fit_bgnbd(x.copy(), t_x.copy(), age.copy(), penalizer=0.01, with_covariance=True)
    assert len(calls) == 1
    assert again.params == first.params
    clear_fit_cache()
    fresh = fit_bgnbd(x, t_x, age, penalizer=0.01, with_covariance=True)
    assert len(calls) == 2
    assert fresh.params == first.params
    np.testing.assert_array_equal(again.covariance, fresh.covariance)
    # Asked for without it, the covariance stays out; other data or another penalty fit anew.
    assert fit_bgnbd(x, t_x, age, penalizer=0.01).covariance is None
    assert len(calls) == 2
    fit_bgnbd(x, t_x, age, penalizer=0.02)
    changed = t_x.copy()
    changed[0] += 0.5
    fit_bgnbd(x, changed, age, penalizer=0.01)
    assert len(calls) == 4
    monetary = simulate_gamma_gamma(CDNOW_GAMMA_GAMMA, x, seed=5)
    fit_gamma_gamma(x, monetary)
    fit_gamma_gamma(x, monetary.copy(), with_covariance=True)
    assert len(calls) == 5

"""The UDF distribution functions agree with scipy and with textbook values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from python_udfs import stats


def test_normal_cdf_textbook_values():
    values = stats.normal_cdf([-1.959963984540054, 0.0, 1.6448536269514722])
    np.testing.assert_allclose(values, [0.025, 0.5, 0.95], rtol=1e-12)


def test_normal_quantile_inverts_cdf_and_rejects_bounds():
    p = np.array([0.001, 0.025, 0.5, 0.975, 0.999])
    np.testing.assert_allclose(stats.normal_cdf(stats.normal_quantile(p)), p, rtol=1e-12)
    assert np.isnan(stats.normal_quantile([0.0, 1.0, -0.5, 1.5])).all()


def test_student_t_cdf_matches_scipy_with_fractional_df():
    t = np.array([-3.0, -1.0, 0.0, 2.0, 10.0])
    df = np.array([2.5, 10.0, 7.3, 123.45, 1.0])
    np.testing.assert_allclose(stats.student_t_cdf(t, df), scipy_stats.t.cdf(t, df), rtol=1e-12)


def test_student_t_known_critical_value():
    # Two-sided 5% critical value with 10 degrees of freedom is 2.228 (tables).
    assert stats.student_t_quantile([0.975], [10.0])[0] == pytest.approx(2.228138851986, abs=1e-9)
    assert np.isnan(stats.student_t_cdf([1.0], [0.0])[0])


def test_student_t_quantile_is_missing_at_the_bounds_and_without_degrees_of_freedom():
    # scipy answers -inf and +inf at p = 0 and 1; SQL gets NULL, as for df <= 0.
    p = np.array([0.0, 1.0, -0.1, 1.1, 0.5, 0.5])
    df = np.array([5.0, 5.0, 5.0, 5.0, 0.0, -2.0])
    assert np.isnan(stats.student_t_quantile(p, df)).all()
    assert stats.student_t_quantile([0.5], [3.0])[0] == 0.0


def test_chi_square_sf_known_values():
    # 3.841 is the 5% critical value for 1 df; for 2 df the survival function is exp(-x/2).
    assert stats.chi_square_sf([3.841458820694124], [1.0])[0] == pytest.approx(0.05, rel=1e-10)
    assert stats.chi_square_sf([4.0], [2.0])[0] == pytest.approx(math.exp(-2.0), rel=1e-12)
    assert np.isnan(stats.chi_square_sf([1.0], [-1.0])[0])


def test_nan_propagates_as_missing():
    assert np.isnan(stats.normal_cdf([np.nan])[0])

"""Distribution functions that DuckDB SQL lacks, backed by scipy.

Each function takes and returns numpy arrays so that the plugin can register it as a vectorized
(Arrow) UDF: one call per DuckDB vector, never one per row. NaN stands for SQL NULL on the way in
and is turned back into NULL by the plugin on the way out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

FloatArray = NDArray[np.float64]


def _as_float(values: ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def normal_cdf(x: ArrayLike) -> FloatArray:
    """Standard normal cumulative distribution function P(Z <= x)."""
    return stats.norm.cdf(_as_float(x))


def normal_quantile(p: ArrayLike) -> FloatArray:
    """Standard normal quantile (inverse CDF); NaN outside the open interval (0, 1)."""
    p = _as_float(p)
    out = stats.norm.ppf(p)
    out[(p <= 0) | (p >= 1)] = np.nan
    return out


def student_t_cdf(t: ArrayLike, df: ArrayLike) -> FloatArray:
    """Student t cumulative distribution function with (possibly fractional) degrees of freedom.

    Welch's test gives fractional degrees of freedom, which scipy handles exactly; df <= 0 is NaN.
    """
    df = _as_float(df)
    out = stats.t.cdf(_as_float(t), np.where(df > 0, df, np.nan))
    return out


def student_t_quantile(p: ArrayLike, df: ArrayLike) -> FloatArray:
    """Student t quantile; NaN outside (0, 1) or for df <= 0."""
    p = _as_float(p)
    df = _as_float(df)
    out = stats.t.ppf(p, np.where(df > 0, df, np.nan))
    out[(p <= 0) | (p >= 1)] = np.nan
    return out


def chi_square_sf(x: ArrayLike, df: ArrayLike) -> FloatArray:
    """Chi-square survival function P(X >= x), the p-value of a chi-square statistic."""
    df = _as_float(df)
    return stats.chi2.sf(_as_float(x), np.where(df > 0, df, np.nan))

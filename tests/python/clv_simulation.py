"""Customers simulated from the BG/NBD and Gamma-Gamma stories, for tests with known parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd

from python_udfs.clv import BgNbdParams, GammaGammaParams


def simulate_bgnbd(params: BgNbdParams, n: int, age: float, seed: int) -> pd.DataFrame:
    """Customers drawn from the BG/NBD story (for tests): purchase rates ~ Gamma(r, alpha),
    dropout probabilities ~ Beta(a, b), dropout possible after each repeat purchase. Each
    customer has its own random stream, so a shorter horizon with the same seed observes a prefix
    of the same histories (what a calibration/holdout split sees)."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(params.r, 1 / params.alpha, n)
    dropout = rng.beta(params.a, params.b, n)
    frequency = np.zeros(n)
    recency = np.zeros(n)
    for index in range(n):
        stream = np.random.default_rng([seed, index])
        time = 0.0
        while rates[index] > 0:
            time += stream.exponential(1 / rates[index])
            if time > age:
                break
            frequency[index] += 1
            recency[index] = time
            if stream.random() < dropout[index]:
                break
    return pd.DataFrame({"frequency": frequency, "recency": recency, "age": np.full(n, age)})


def simulate_gamma_gamma(params: GammaGammaParams, frequency, seed: int) -> np.ndarray:
    """Mean transaction value per customer drawn from the Gamma-Gamma story (for tests)."""
    rng = np.random.default_rng(seed)
    x = np.asarray(frequency, dtype=int)
    nu = rng.gamma(params.q, 1 / params.gamma, len(x))
    return np.array([rng.gamma(params.p, 1 / nu[i], x[i]).mean() if x[i] else np.nan
                     for i in range(len(x))])  # fmt: skip

"""Which columns the response and uplift models learn from: the fixed customer features of
``int_response_features`` plus the customer attributes a user's customers input brings (any
column the contract does not name arrives as text in ``attribute__<name>``).

An attribute is used when it is numeric (every value parses as a number), a flag (every value is
one of true/false, yes/no, y/n, t/f, 1/0) or a category (text with at most ``MAX_CATEGORIES``
distinct values); identifiers, free text and constant columns are left out. The decision is made
on the rows a model learns from, and the same conversion is applied to the rows it scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_udfs.frames import as_float

ATTRIBUTE_PREFIX = "attribute__"
MAX_CATEGORIES = 20
TRUE_VALUES = frozenset({"true", "t", "yes", "y", "1"})
FALSE_VALUES = frozenset({"false", "f", "no", "n", "0"})

BASE_NUMERIC = (
    "income_clean",
    "age",
    "kids_home",
    "teens_home",
    "household_size",
    "web_visits_per_month",
    "tenure_days",
    "recency_days",
    "frequency",
    "monetary",
    "deal_share",
    "share_wines",
    "share_meat",
    "share_fruits",
    "share_fish",
    "share_sweets",
    "share_gold",
    "share_web",
    "share_catalog",
    "share_store",
    "prior_campaigns_contacted",
    "prior_campaigns_accepted",
)
BASE_CATEGORICAL = ("education_level", "marital_group")


@dataclass(frozen=True)
class FeatureSet:
    """The model's columns by kind: numbers, flags (0/1 numbers) and categories."""

    numeric: tuple[str, ...] = BASE_NUMERIC
    categorical: tuple[str, ...] = BASE_CATEGORICAL
    flags: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [*self.numeric, *self.flags, *self.categorical]

    @property
    def attributes(self) -> list[str]:
        return [column for column in self.columns if column.startswith(ATTRIBUTE_PREFIX)]

    def describe(self) -> str:
        """The columns, comma-separated, attributes without their prefix."""
        return ", ".join(column.removeprefix(ATTRIBUTE_PREFIX) for column in self.columns)

    def prepare(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model columns of ``frame`` as the model takes them: numbers and flags as one
        block of floats, categories as Python text. Attribute text is converted (numbers, 0/1
        flags); missing or unreadable values become missing, for the imputers.

        One float block makes each step's conversion to a matrix a copy: a frame of int32,
        int64 and float columns is interleaved value by value at every step of every pipeline,
        which cost seconds per million customers scored. The block is column-major, the layout
        pandas' own conversion gives, so the fitted models' sums run in the same order."""
        numbers = [*self.numeric, *self.flags]
        block = np.empty((len(frame), len(numbers)), order="F")
        for position, column in enumerate(numbers):
            block[:, position] = self._number(column, frame[column])
        prepared = pd.DataFrame(block, index=frame.index, columns=numbers, copy=False)
        for column in self.categorical:
            # A Series of dtype object: pandas would store a bare array of strings as its
            # Arrow-backed text again.
            prepared[column] = (
                frame[column].astype("string").astype(object)
                if column.startswith(ATTRIBUTE_PREFIX)
                else pd.Series(frame[column].to_numpy(object), index=frame.index, dtype=object)
            )
        return prepared

    def _number(self, column: str, values: pd.Series) -> np.ndarray:
        return flag_values(values) if column in self.flags else as_float(values)


BASE_FEATURES = FeatureSet()


def attribute_columns(columns: Iterable[str]) -> list[str]:
    """The attribute columns among a relation's columns, in order."""
    return [column for column in columns if column.lower().startswith(ATTRIBUTE_PREFIX)]


def flag_values(values: pd.Series) -> np.ndarray:
    lowered = values.astype("string").str.strip().str.lower()
    result = np.full(len(values), np.nan)
    result[lowered.isin(TRUE_VALUES).fillna(False).to_numpy(bool)] = 1.0
    result[lowered.isin(FALSE_VALUES).fillna(False).to_numpy(bool)] = 0.0
    return result


def attribute_kind(values: pd.Series) -> str | None:
    """'numeric', 'flag', 'categorical', or None when the column cannot be a feature."""
    present = values.dropna().astype(str).str.strip()
    present = present[present != ""]
    if present.nunique() < 2:
        return None
    lowered = set(present.str.lower().unique())
    if lowered <= TRUE_VALUES | FALSE_VALUES and len(lowered) <= 2:
        return "flag"
    if pd.to_numeric(present, errors="coerce").notna().all():
        return "numeric"
    if present.nunique() <= MAX_CATEGORIES:
        return "categorical"
    return None


def feature_set(rows: pd.DataFrame, attributes: Sequence[str]) -> FeatureSet:
    """The base features plus the usable attributes of ``rows`` (see the module docstring)."""
    kinds = {column: attribute_kind(rows[column]) for column in attributes}

    def of_kind(wanted: str) -> tuple[str, ...]:
        return tuple(column for column, kind in kinds.items() if kind == wanted)

    return FeatureSet(
        numeric=BASE_NUMERIC + of_kind("numeric"),
        categorical=BASE_CATEGORICAL + of_kind("categorical"),
        flags=of_kind("flag"),
    )

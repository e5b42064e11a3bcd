"""Which customer attributes become features, and how their text values are converted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from python_udfs.features import (
    BASE_NUMERIC,
    MAX_CATEGORIES,
    attribute_columns,
    attribute_kind,
    feature_set,
)


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1.5", "2", "-3e2", None], "numeric"),
        (["yes", "No", "YES", None], "flag"),
        (["1", "0", "1"], "flag"),
        (["gold", "silver", "bronze", "gold"], "categorical"),
        ([f"c{index}@example.com" for index in range(MAX_CATEGORIES + 1)], None),
        (["same", "same", None, ""], None),
        ([None, None], None),
    ],
    ids=["numbers", "yes-no", "zero-one", "few-categories", "identifiers", "constant", "empty"],
)
def test_an_attribute_is_a_number_a_flag_a_category_or_left_out(values, kind):
    assert attribute_kind(pd.Series(values, dtype=object)) == kind


def test_the_feature_set_adds_usable_attributes_to_the_base_features():
    rows = pd.DataFrame(
        {
            "attribute__score": ["1", "2.5", "x"],
            "attribute__vip": ["true", "false", "true"],
            "attribute__tier": ["a", "b", "a"],
            "attribute__id": ["same", "same", "same"],
        }
    )
    features = feature_set(rows, attribute_columns(rows.columns))
    assert features.numeric == (*BASE_NUMERIC,)
    # "x" is not a number, so the score is a category; the constant id is left out.
    assert features.categorical[-2:] == ("attribute__score", "attribute__tier")
    assert features.flags == ("attribute__vip",)
    assert features.attributes == ["attribute__vip", "attribute__score", "attribute__tier"]
    assert features.describe().endswith("vip, education_level, marital_group, score, tier")


def test_prepare_converts_attribute_text_for_the_model():
    rows = pd.DataFrame({"attribute__score": ["1", "2.5", "4"], "attribute__vip": ["Y", "n", "y"]})
    features = feature_set(rows, ["attribute__score", "attribute__vip"])
    scored = pd.DataFrame(
        {
            **{column: np.array([3, 1, 2], dtype=np.int32) for column in BASE_NUMERIC},
            "income_clean": [50_000.5, None, 7.0],
            "education_level": pd.array(["Master", None, "Basic"], dtype="str"),
            "marital_group": pd.array(["Single", "Couple", None], dtype="str"),
            "attribute__score": ["7", "bad", None],
            "attribute__vip": ["yes", "N", ""],
            "customer_id": ["a", "b", "c"],
        },
        index=[10, 11, 12],
    )
    prepared = features.prepare(scored)
    np.testing.assert_array_equal(prepared["attribute__score"], [7.0, np.nan, np.nan])
    np.testing.assert_array_equal(prepared["attribute__vip"], [1.0, 0.0, np.nan])
    np.testing.assert_array_equal(prepared["income_clean"], [50_000.5, np.nan, 7.0])
    np.testing.assert_array_equal(prepared["kids_home"], [3.0, 1.0, 2.0])
    # Only the model's columns, numbers as floats and categories as Python text with NaN for
    # missing, on the frame's own index.
    assert list(prepared.columns) == features.columns
    assert list(prepared.index) == [10, 11, 12]
    numbers = [*features.numeric, *features.flags]
    assert (prepared[numbers].dtypes == np.float64).all()
    assert prepared["education_level"].dtype == object
    assert prepared["education_level"].iloc[0] == "Master"
    assert prepared["education_level"].isna().tolist() == [False, True, False]

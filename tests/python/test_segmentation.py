"""Segmentation maths: feature preparation, the k rule, stable ids, names, planted clusters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from python_udfs.segmentation import (
    INPUT_COLUMNS,
    SegmentationSettings,
    SegmentTraits,
    choose_k,
    name_segment,
    name_segments,
    order_segments_by_value,
    prepare_features,
    segment_customers,
    select_k,
    validate,
)

FAST = SegmentationSettings(k_min=2, k_max=6, stability_refits=2, metric_sample_size=2000)


def planted_customers(n_per_group: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Three well-separated groups: rich wine lovers, families on deals, store regulars."""
    rng = np.random.default_rng(seed)
    groups = []
    specs = [
        # income, spend, orders, kids, teens, wines, meat, sweets, web, catalog, deal
        (90_000, 3000, 8, 0.0, 0.1, 0.7, 0.2, 0.02, 0.1, 0.6, 0.02),
        (30_000, 200, 5, 1.6, 0.0, 0.1, 0.1, 0.4, 0.7, 0.05, 0.5),
        (60_000, 900, 20, 0.1, 1.5, 0.3, 0.5, 0.05, 0.1, 0.1, 0.1),
    ]
    for label, spec in enumerate(specs):
        income, spend, orders, kids, teens, wines, meat, sweets, web, catalog, deal = spec
        n = n_per_group
        groups.append(
            pd.DataFrame(
                {
                    "group": label,
                    "income_clean": income * np.exp(rng.normal(0, 0.1, n)),
                    "net_revenue": spend * np.exp(rng.normal(0, 0.2, n)),
                    "orders_count": np.maximum(1, rng.poisson(orders, n)),
                    "recency_days": rng.integers(1, 200, n),
                    "tenure_days": rng.integers(100, 1000, n),
                    "age": rng.normal(50, 10, n),
                    "kids_home": rng.binomial(2, kids / 2, n),
                    "teens_home": rng.binomial(2, teens / 2, n),
                    "share_wines": np.clip(wines + rng.normal(0, 0.05, n), 0, 1),
                    "share_meat": np.clip(meat + rng.normal(0, 0.05, n), 0, 1),
                    "share_fruits": 0.05,
                    "share_fish": 0.05,
                    "share_sweets": np.clip(sweets + rng.normal(0, 0.03, n), 0, 1),
                    "share_gold": 0.05,
                    "share_web": np.clip(web + rng.normal(0, 0.05, n), 0, 1),
                    "share_catalog": np.clip(catalog + rng.normal(0, 0.05, n), 0, 1),
                    "share_store": np.clip(1 - web - catalog + rng.normal(0, 0.05, n), 0, 1),
                    "deal_share": np.clip(deal + rng.normal(0, 0.05, n), 0, 1),
                    "web_visits_per_month": np.nan,
                    "is_income_outlier": False,
                    "is_birth_year_implausible": False,
                    "has_purchased": True,
                }
            )
        )
    frame = pd.concat(groups, ignore_index=True)
    frame["customer_id"] = np.arange(1, len(frame) + 1)
    return frame[INPUT_COLUMNS], frame["group"].to_numpy()


def k_table(silhouette, calinski, davies, ks=(2, 3, 4, 5)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "k": list(ks),
            "inertia": [100.0 / k for k in ks],
            "silhouette": silhouette,
            "calinski_harabasz": calinski,
            "davies_bouldin": davies,
        }
    )


def test_choose_k_majority_vote_among_actionable_k():
    # Silhouette prefers 2 overall, but 2 is below the actionable minimum of 3; among 3..5
    # silhouette and Davies-Bouldin prefer 4, Calinski-Harabasz 3: 4 wins two votes to one.
    table = choose_k(k_table([0.5, 0.30, 0.35, 0.2], [10, 30, 25, 20], [1.0, 1.5, 1.2, 1.9]), 3)
    assert table.loc[table["is_chosen"], "k"].tolist() == [4]
    assert table.set_index("k")["votes"].to_dict() == {2: 0, 3: 1, 4: 2, 5: 0}


def test_choose_k_three_way_split_goes_to_best_mean_rank_then_smaller_k():
    # Silhouette -> 3, Calinski-Harabasz -> 5, Davies-Bouldin -> 4. Mean ranks: 3 -> (1+3+2)/3,
    # 4 -> (2+2+1)/3 = 1.67, 5 -> (3+1+3)/3: 4 wins.
    table = choose_k(k_table([0.1, 0.40, 0.35, 0.30], [1, 10, 20, 30], [9, 1.5, 1.2, 1.9]), 3)
    assert table.loc[table["is_chosen"], "k"].tolist() == [4]


def test_choose_k_fixed_k_overrides_the_vote_and_empty_stays_empty():
    table = choose_k(k_table([0.5, 0.3, 0.35, 0.2], [10, 30, 25, 20], [1.0, 1.5, 1.2, 1.9]), 3, 5)
    assert table.loc[table["is_chosen"], "k"].tolist() == [5]
    assert choose_k(k_table([], [], [], ks=()), 3).empty


def test_segments_are_numbered_by_value_whatever_the_raw_labels():
    monetary = np.array([10, 11, 500, 520, 90, 95])
    for labels in (np.array([0, 0, 1, 1, 2, 2]), np.array([2, 2, 0, 0, 1, 1])):
        assert order_segments_by_value(labels, monetary).tolist() == [3, 3, 1, 1, 2, 2]


def overall(**changes) -> SegmentTraits:
    base = dict(
        segment_id=0,
        avg_monetary=1000.0,
        avg_income=50_000.0,
        avg_age=50.0,
        avg_kids=0.4,
        avg_teens=0.4,
        avg_recency_days=100.0,
        deal_share=0.2,
        channel_shares={"web": 0.34, "catalog": 0.33, "store": 0.33},
    )
    base.update(changes)
    return SegmentTraits(**base)


def test_naming_rule_takes_at_most_three_traits_in_order():
    rich = overall(
        segment_id=1,
        avg_monetary=2000,
        avg_income=80_000,
        avg_age=60,
        channel_shares={"web": 0.1, "catalog": 0.6, "store": 0.3},
    )
    assert name_segment(rich, overall()) == "Big spenders · High income · Seniors"
    family = overall(
        segment_id=2,
        avg_monetary=300,
        avg_income=30_000,
        avg_kids=1.2,
        deal_share=0.5,
        channel_shares={"web": 0.7, "catalog": 0.0, "store": 0.3},
    )
    assert name_segment(family, overall()) == "Low spenders · Lower income · Families"
    catalog_only = overall(segment_id=3, channel_shares={"web": 0.2, "catalog": 0.5, "store": 0.3})
    assert name_segment(catalog_only, overall()) == "catalog"
    assert name_segment(overall(segment_id=4), overall()) == "Mainstream"


def test_repeated_names_get_the_segment_id():
    features, _ = planted_customers(50)
    # Alternating customers make two segments with the same profile, hence the same name.
    names = name_segments(features, np.where(np.arange(len(features)) % 2 == 0, 1, 2))
    assert names[1].endswith("(1)") and names[2].endswith("(2)")


def test_outliers_and_non_buyers_do_not_shape_the_scale_but_are_scaled():
    features, _ = planted_customers(100)
    features.loc[0, ["income_clean", "is_income_outlier"]] = [10_000_000.0, True]
    features.loc[1, ["has_purchased", "net_revenue", "share_wines"]] = [False, 0.0, np.nan]
    prepared = prepare_features(features)
    assert prepared.fit_mask.sum() == len(features) - 2
    income = prepared.feature_names.index("income_clean")
    fitted_income = prepared.matrix[prepared.fit_mask, income]
    assert fitted_income.mean() == pytest.approx(0, abs=1e-9)
    assert fitted_income.std() == pytest.approx(1, abs=1e-9)
    assert prepared.matrix[0, income] > 5  # the outlier is far out, not clipped away
    assert np.isfinite(prepared.matrix).all()


def test_planted_groups_are_recovered_and_the_fit_is_deterministic():
    features, groups = planted_customers(300)
    table = select_k(features, FAST, log=lambda _: None)
    assert table.loc[table["is_chosen"], "k"].tolist() == [3]
    first = segment_customers(features, 3, FAST, log=lambda _: None).assignments
    second = segment_customers(features, 3, FAST, log=lambda _: None).assignments
    pd.testing.assert_frame_equal(first, second)
    assert adjusted_rand_score(groups, first["segment_id"]) > 0.95
    # The rich wine lovers are the most valuable segment, so they are segment 1.
    assert set(first.loc[groups == 0, "segment_id"]) == {1}


def test_fitting_on_a_sample_still_recovers_and_assigns_everyone():
    features, groups = planted_customers(400)
    sampled = SegmentationSettings(
        k_min=2, k_max=5, stability_refits=2, metric_sample_size=500, fit_sample_size=150
    )
    messages: list[str] = []
    table = select_k(features, sampled, log=messages.append)
    assert table.loc[table["is_chosen"], "k"].tolist() == [3]
    assert "on 150 of 1200 customers" in messages[0]
    assignments = segment_customers(features, 3, sampled, log=lambda _: None).assignments
    assert len(assignments) == 1200
    assert adjusted_rand_score(groups, assignments["segment_id"]) > 0.95
    # Inertia is the objective over every customer, so it matches the full fit at the planted k.
    full = select_k(features, FAST, log=lambda _: None).set_index("k")
    assert table.set_index("k").loc[3, "inertia"] == pytest.approx(full.loc[3, "inertia"], rel=0.02)
    assert validate(features, assignments, sampled).iloc[0]["stability_min_ari"] > 0.9


def test_validation_agrees_on_clear_structure():
    features, _ = planted_customers(200)
    assignments = segment_customers(features, 3, FAST, log=lambda _: None).assignments
    row = validate(features, assignments, FAST).iloc[0]
    assert row["k"] == 3
    assert row["ari_kmeans_vs_ward"] > 0.9
    assert row["stability_min_ari"] > 0.9
    assert -1 <= row["silhouette_ward"] <= 1


def test_fewer_customers_than_k_and_no_customers_are_handled():
    features, _ = planted_customers(1)  # three customers
    result = segment_customers(features, 5, FAST, log=lambda _: None)
    assert result.k == 3
    assert sorted(result.assignments["segment_id"]) == [1, 2, 3]
    empty = features.iloc[0:0]
    assert segment_customers(empty, 3, FAST, log=lambda _: None).assignments.empty
    assert select_k(empty, FAST, log=lambda _: None).empty
    assert validate(empty, empty, FAST).empty


def test_settings_from_meta_ignore_nulls_and_unknown_keys():
    settings = SegmentationSettings.from_meta({"fixed_k": None, "k_max": 6, "other": 1})
    assert settings.fixed_k is None and settings.k_max == 6


@pytest.mark.parametrize("shape", ["identical customers", "one value in every feature"])
def test_degenerate_customers_never_crash_and_give_one_segment(shape):
    features, _ = planted_customers(20)
    if shape == "identical customers":
        features = pd.concat([features.iloc[[0]]] * len(features), ignore_index=True)
    else:
        numeric = [c for c in features.columns if c not in ("customer_id", "has_purchased")]
        features[numeric] = features[numeric].iloc[0].to_numpy()
    features["customer_id"] = np.arange(1, len(features) + 1)
    messages: list[str] = []
    selection = select_k(features, FAST, log=messages.append)
    # No k from 2 up finds two distinct clusters: the table is empty and the log says why.
    assert selection.empty
    assert any("only 1 clusters" in message for message in messages)
    result = segment_customers(features, 3, FAST, log=messages.append)
    assert set(result.assignments["segment_id"]) == {1}
    assert len(result.assignments) == len(features)
    assert validate(features, result.assignments, FAST).empty

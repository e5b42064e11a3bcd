"""Segmentation maths: feature preparation, the k rule, stable ids, names, planted clusters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from project_settings import project_settings
from sklearn.metrics import adjusted_rand_score, silhouette_score

from python_udfs import segmentation
from python_udfs.segment_model import segment_customers
from python_udfs.segmentation import (
    INPUT_COLUMNS,
    SegmentationSettings,
    SegmentTraits,
    apply_scaling,
    feature_frame,
    fit_scaling,
    k_selection_table,
    mark_chosen_k,
    mean_silhouettes,
    name_segment,
    name_segments,
    order_segments_by_value,
    prepare_features,
    segments_of,
    split_half_stability,
    stability_is_settled,
    validation_table,
)

FAST = project_settings(
    SegmentationSettings,
    k_min=2,
    k_max=6,
    stability_refits=2,
    metric_sample_size=2000,
    stability_pairs=4,
)
VOTE = project_settings(SegmentationSettings, k_rule="vote")


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


def k_table(silhouette, calinski, davies, ks=(2, 3, 4, 5), stability=None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "k": list(ks),
            "inertia": [100.0 / k for k in ks],
            "silhouette": silhouette,
            "calinski_harabasz": calinski,
            "davies_bouldin": davies,
            "stability_ari": stability if stability is not None else [np.nan] * len(ks),
            "stability_ari_se": [0.01] * len(ks),
        }
    )


def chosen(table: pd.DataFrame) -> list[int]:
    return table.loc[table["is_chosen"], "k"].tolist()


def test_vote_rule_majority_among_actionable_k():
    # Silhouette prefers 2 overall, but 2 is below the actionable minimum of 3; among 3..5
    # silhouette and Davies-Bouldin prefer 4, Calinski-Harabasz 3: 4 wins two votes to one.
    table = mark_chosen_k(
        k_table([0.5, 0.30, 0.35, 0.2], [10, 30, 25, 20], [1.0, 1.5, 1.2, 1.9]), VOTE
    )
    assert chosen(table) == [4]
    assert table.set_index("k")["votes"].to_dict() == {2: 0, 3: 1, 4: 2, 5: 0}
    assert table["choice_rule"].str.startswith("vote of silhouette").all()


def test_vote_rule_three_way_split_goes_to_best_mean_rank_then_smaller_k():
    # Silhouette -> 3, Calinski-Harabasz -> 5, Davies-Bouldin -> 4. Mean ranks: 3 -> (1+3+2)/3,
    # 4 -> (2+2+1)/3 = 1.67, 5 -> (3+1+3)/3: 4 wins.
    table = mark_chosen_k(
        k_table([0.1, 0.40, 0.35, 0.30], [1, 10, 20, 30], [9, 1.5, 1.2, 1.9]), VOTE
    )
    assert chosen(table) == [4]


def test_fixed_k_overrides_either_rule_and_empty_stays_empty():
    indices = ([0.5, 0.3, 0.35, 0.2], [10, 30, 25, 20], [1.0, 1.5, 1.2, 1.9])
    for rule in ("vote", "stability"):
        settings = project_settings(SegmentationSettings, fixed_k=5, k_rule=rule)
        table = mark_chosen_k(k_table(*indices, stability=[1, 1, 1, 0.5]), settings)
        assert chosen(table) == [5]
        assert table["choice_rule"].iloc[0] == "fixed by var segment_k = 5"
    assert mark_chosen_k(k_table([], [], [], ks=()), VOTE).empty


def test_stability_rule_takes_the_largest_k_reproduced_with_every_smaller_k():
    # k=6 is reproduced too, but k=5 is not: the run of reproduced k ends at 4.
    indices = ([0.3] * 5, [10] * 5, [1.0] * 5)
    table = mark_chosen_k(
        k_table(*indices, ks=(2, 3, 4, 5, 6), stability=[0.99, 0.97, 0.95, 0.80, 0.96]),
        project_settings(SegmentationSettings, min_stability=0.94),
    )
    assert chosen(table) == [4]
    assert table.set_index("k")["is_reproduced"].to_dict() == {
        2: True, 3: True, 4: True, 5: False, 6: True
    }  # fmt: skip
    assert table["choice_rule"].iloc[0].startswith("largest k that it and every smaller k")
    # A stricter threshold stops the run at 3.
    stricter = mark_chosen_k(
        k_table(*indices, ks=(2, 3, 4, 5, 6), stability=[0.99, 0.97, 0.95, 0.80, 0.96]),
        project_settings(SegmentationSettings, min_stability=0.96),
    )
    assert chosen(stricter) == [3]


def test_stability_rule_without_a_reproduced_actionable_k_takes_the_most_stable_and_says_weak():
    # Only k=2 is reproduced; among the actionable k (3..5) k=4 is the most stable.
    table = mark_chosen_k(
        k_table([0.3] * 4, [10] * 4, [1.0] * 4, stability=[0.97, 0.80, 0.85, np.nan]),
        project_settings(SegmentationSettings, min_stability=0.94),
    )
    assert chosen(table) == [4]
    assert "weak structure" in table["choice_rule"].iloc[0]
    assert not table["is_reproduced"].iloc[1:].any()


def test_split_half_stability_reproduces_planted_groups_and_stops_after_the_first_failure():
    features, _ = planted_customers(300)
    matrix = prepare_features(features).matrix
    settings = project_settings(SegmentationSettings, stability_pairs=4, stability_sample_size=400)
    table = split_half_stability(matrix, [2, 3, 4, 5, 6], settings, log=lambda _: None)
    ari = table.set_index("k")["stability_ari"]
    # Three planted groups: k=3 reproduces exactly; a fourth segment splits a group arbitrarily.
    assert ari[3] > 0.99
    assert ari[4] < settings.min_stability
    # The walk reached the actionable k=3 and failed at 4: larger k are not measured.
    assert ari[[5, 6]].isna().all()
    assert (table["stability_ari_se"].dropna() >= 0).all()
    # The vote rule keeps measuring every k, for the table.
    every = split_half_stability(matrix, [2, 3, 4, 5, 6], VOTE, log=lambda _: None)
    assert every["stability_ari"].notna().all()


def test_stability_settles_only_when_the_mean_is_clear_of_the_threshold_by_the_t_margin():
    # Scores 0.92..0.96: mean 0.94, sd 0.01581, se 0.007071; t(0.999, 4) = 7.173, so the mean
    # must be 0.0507 from the threshold.
    scores = [0.92, 0.93, 0.94, 0.95, 0.96]
    assert not stability_is_settled(scores, 0.9)  # 0.04 away
    assert stability_is_settled(scores, 0.88)  # 0.06 away
    assert stability_is_settled(scores, 0.9999)  # 0.0599 below
    assert not stability_is_settled(scores[:4], 0.5)  # fewer than five pairs never settle
    assert stability_is_settled([0.99] * 5, 0.9)
    assert not stability_is_settled([0.9] * 5, 0.9)


def test_a_clearly_reproduced_k_stops_after_five_pairs_and_keeps_its_verdict(monkeypatch):
    features, _ = planted_customers(300)
    matrix = prepare_features(features).matrix
    settings = project_settings(SegmentationSettings, stability_pairs=20, stability_sample_size=400)

    def measure() -> tuple[pd.Series, dict[int, int]]:
        messages: list[str] = []
        table = split_half_stability(matrix, [2, 3, 4], settings, log=messages.append)
        pairs = {int(m.split("k=")[1].split()[0]): int(m.split(" over ")[1].split()[0])
                 for m in messages}  # fmt: skip
        return table.set_index("k")["stability_ari"], pairs

    ari, pairs = measure()
    assert ari[3] > 0.99 and pairs[3] == 5
    assert ari[4] < settings.min_stability
    monkeypatch.setattr(segmentation, "MIN_STABILITY_PAIRS", 21)  # never settles: all 20 pairs
    every_ari, every_pairs = measure()
    assert set(every_pairs.values()) == {20}
    assert every_ari[3] > 0.99 and every_ari[4] < settings.min_stability
    assert max(pairs.values()) <= 20 and sum(pairs.values()) < sum(every_pairs.values())


def test_segments_are_numbered_by_value_whatever_the_raw_labels():
    monetary = np.array([10, 11, 500, 520, 90, 95])
    for labels in (np.array([0, 0, 1, 1, 2, 2]), np.array([2, 2, 0, 0, 1, 1])):
        assert order_segments_by_value(labels, monetary).tolist() == [3, 3, 1, 1, 2, 2]


def overall(**changes) -> SegmentTraits:
    base = dict(
        segment_id=0,
        avg_monetary=1000.0,
        avg_frequency=6.0,
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
    # Loyal regulars: the order count, not the spend, is what sets them apart.
    regulars = overall(segment_id=5, avg_frequency=9.0, avg_teens=1.0)
    assert name_segment(regulars, overall()) == "Frequent buyers · Teens at home"
    assert name_segment(overall(segment_id=6, avg_frequency=8.9), overall()) == "Mainstream"


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
    table = k_selection_table(features, FAST, log=lambda _: None)
    assert chosen(table) == [3]
    assert table["choice_rule"].iloc[0].startswith("largest k that it")
    first = segment_customers(features, 3, FAST, log=lambda _: None)
    second = segment_customers(features, 3, FAST, log=lambda _: None)
    pd.testing.assert_frame_equal(first, second)
    assert adjusted_rand_score(groups, first["segment_id"]) > 0.95
    # The rich wine lovers are the most valuable segment, so they are segment 1.
    assert set(first.loc[groups == 0, "segment_id"]) == {1}


def test_fitting_on_a_sample_still_recovers_and_assigns_everyone():
    features, groups = planted_customers(400)
    sampled = project_settings(
        SegmentationSettings,
        k_min=2,
        k_max=5,
        stability_refits=2,
        metric_sample_size=500,
        fit_sample_size=150,
        stability_pairs=4,
        stability_sample_size=200,
    )
    messages: list[str] = []
    table = k_selection_table(features, sampled, log=messages.append)
    assert chosen(table) == [3]
    assert "on 500 of 1200 customers" in messages[0]
    assert any("pairs of 200-customer halves" in message for message in messages)
    assignments = segment_customers(features, 3, sampled, log=lambda _: None)
    assert len(assignments) == 1200
    assert adjusted_rand_score(groups, assignments["segment_id"]) > 0.95
    row = validation_table(features, assignments, table, sampled).iloc[0]
    assert row["stability_min_ari"] > 0.9


def test_validation_agrees_on_clear_structure_and_flags_a_k_that_is_not_reproduced():
    features, _ = planted_customers(200)
    assignments = segment_customers(features, 3, FAST, log=lambda _: None)
    selection = k_selection_table(features, FAST, log=lambda _: None)
    row = validation_table(features, assignments, selection, FAST).iloc[0]
    assert row["k"] == 3
    assert row["ari_kmeans_vs_ward"] > 0.9
    assert row["stability_min_ari"] > 0.9
    assert -1 <= row["silhouette_ward"] <= 1
    assert row["split_half_ari"] == selection.loc[selection["is_chosen"], "stability_ari"].iloc[0]
    assert not row["is_structure_weak"]
    # The same segments, reported against a selection whose chosen k was not reproduced.
    shaky = selection.assign(stability_ari=0.5)
    assert validation_table(features, assignments, shaky, FAST).iloc[0]["is_structure_weak"]


def test_validation_runs_ward_beside_the_refits_and_reports_its_failure(monkeypatch):
    rng = np.random.default_rng(3)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    matrix = np.vstack([centre + rng.normal(size=(80, 2)) for centre in centres])
    truth = np.repeat([0, 1, 2], 80)
    messages: list[str] = []
    row = segmentation.validation_metrics(matrix, truth, 3, FAST, log=messages.append)
    # Ward's labels come back from its worker unchanged: the same agreement as computed inline.
    inline = adjusted_rand_score(truth, segmentation.ward_labels(matrix, 3))
    assert row["ari_kmeans_vs_ward"] == pytest.approx(inline)
    assert row["stability_min_ari"] > 0.95
    assert f"{FAST.stability_refits} K-means refits on 240 customers" in messages[0]
    assert "Ward on 240 beside them" in messages[0]

    def broken_worker(function, *args, **kwargs):
        raise RuntimeError("ward_labels failed in its child process")

    monkeypatch.setattr(segmentation, "call_in_child", broken_worker)
    with pytest.raises(RuntimeError, match="ward_labels failed"):
        segmentation.validation_metrics(matrix, truth, 3, FAST, log=messages.append)


def test_fewer_customers_than_k_and_no_customers_are_handled():
    features, _ = planted_customers(1)  # three customers
    result = segment_customers(features, 5, FAST, log=lambda _: None)
    assert sorted(result["segment_id"]) == [1, 2, 3]
    empty = features.iloc[0:0]
    assert segment_customers(empty, 3, FAST, log=lambda _: None).empty
    assert k_selection_table(empty, FAST, log=lambda _: None).empty
    assert validation_table(empty, empty, empty, FAST).empty


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
    selection = k_selection_table(features, FAST, log=messages.append)
    # No k from 2 up finds two distinct clusters: the table is empty and the log says why.
    assert selection.empty
    assert any("only 1 clusters" in message for message in messages)
    result = segment_customers(features, 3, FAST, log=messages.append)
    assert set(result["segment_id"]) == {1}
    assert len(result) == len(features)
    assert validation_table(features, result, selection, FAST).empty


def test_mean_silhouette_of_two_pairs_on_a_line_by_hand():
    # Points 0, 1 | 5, 6. Point 0: a = 1, b = (5 + 6) / 2, s = 4.5 / 5.5; point 1: a = 1,
    # b = (4 + 5) / 2, s = 3.5 / 4.5; the other pair mirrors them.
    matrix = np.array([[0.0], [1.0], [5.0], [6.0]])
    expected = (4.5 / 5.5 + 3.5 / 4.5) / 2
    labels = np.array([0, 0, 1, 1])
    assert mean_silhouettes(matrix, [labels]) == [pytest.approx(expected, abs=1e-12)]


def test_mean_silhouettes_equal_sklearn_for_every_labeling_at_once():
    rng = np.random.default_rng(3)
    matrix = np.vstack([rng.normal(size=(500, 5)), rng.normal(size=(20, 5))[[0] * 20]])
    labelings = [rng.integers(0, k, len(matrix)) for k in (2, 3, 7)]
    labelings.append(np.where(np.arange(len(matrix)) == 4, 99, labelings[0]))  # a singleton
    labelings.append(np.array(["a", "b"])[labelings[0]])  # labels need not be integers
    expected = [silhouette_score(matrix, labels) for labels in labelings]
    assert mean_silhouettes(matrix, labelings, chunk_rows=64) == pytest.approx(expected, abs=1e-9)


def test_a_silhouette_needs_two_clusters_and_fewer_than_rows():
    matrix = np.arange(6.0).reshape(3, 2)
    with pytest.raises(ValueError, match="2 to 2 clusters, not 1"):
        mean_silhouettes(matrix, [np.zeros(3)])
    with pytest.raises(ValueError, match="not 3"):
        mean_silhouettes(matrix, [np.arange(3)])


def test_scaling_fills_the_fitted_median_and_standardizes_on_the_fitted_rows_by_hand():
    nan = np.nan
    frame = pd.DataFrame(
        {
            "a": [1.0, 2.0, nan, 4.0, 100.0],  # fitted rows' median 2, then mean 2.25
            "constant": [5.0, 5.0, 5.0, 5.0, 9.0],  # no spread among the fitted rows: dropped
            "missing": [nan, nan, nan, nan, 1.0],  # nothing among them: dropped
            "d": [nan, 3.0, 3.0, 7.0, nan],  # median of 3, 3, 7: 3
        }
    )
    fitted = np.array([True, True, True, True, False])
    scaling = fit_scaling(frame, fitted)
    assert scaling.names == ("a", "d")
    np.testing.assert_array_equal(scaling.fill, [2.0, 3.0])
    np.testing.assert_allclose(scaling.center, [2.25, 4.0], rtol=1e-15)
    # Population spread of 1, 2, 2, 4 and of 3, 3, 3, 7.
    np.testing.assert_allclose(scaling.scale, [np.sqrt(4.75 / 4), np.sqrt(3.0)], rtol=1e-15)
    # The row left out of the fit is scaled by the fitted rows, its missing value filled.
    np.testing.assert_allclose(
        apply_scaling(frame, scaling)[4],
        [(100 - 2.25) / np.sqrt(4.75 / 4), (3 - 4) / np.sqrt(3.0)],
        rtol=1e-14,
    )
    assert fit_scaling(frame, np.zeros(5, dtype=bool)).names == ()


def test_feature_frame_logs_magnitudes_blanks_non_buyers_behaviour_and_reads_text_by_hand():
    features, _ = planted_customers(1)
    features = features.head(3).copy()
    features["net_revenue"] = [-5.0, np.e - 1, 0.0]  # a net refund counts as nothing spent
    features["age"] = pd.Series(["40", "not a number", None], dtype=object)  # text from a file
    features["has_purchased"] = [True, True, False]
    features["is_birth_year_implausible"] = [False, True, False]
    frame, fit_mask = feature_frame(features)
    assert list(frame.columns) == [*segmentation.LOG_FEATURES, *segmentation.LINEAR_FEATURES]
    np.testing.assert_array_equal(frame["net_revenue"].to_numpy()[:2], [0.0, 1.0])
    np.testing.assert_array_equal(frame["age"].to_numpy()[:2], [40.0, np.nan])
    # The non-buyer keeps demographics and loses behaviour, which takes the fitted median later.
    assert frame.loc[2, segmentation.BEHAVIOUR_FEATURES].isna().all()
    assert frame.loc[2, "income_clean"] == np.log1p(features.loc[2, "income_clean"])
    np.testing.assert_array_equal(fit_mask, [True, False, False])
    scaling = fit_scaling(frame, np.array([True, True, True]))
    with pytest.raises(KeyError, match="net_revenue"):
        apply_scaling(frame.drop(columns="net_revenue"), scaling)


def test_segments_are_matched_by_customer_id_in_the_same_order_or_any_other():
    ids = pd.Series(["a", "b", "c"], dtype="str")
    aligned = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment_id": [3, 1, 2]})
    np.testing.assert_array_equal(segments_of(ids, aligned), [3, 1, 2])
    shuffled = aligned.iloc[[2, 0, 1]]
    np.testing.assert_array_equal(segments_of(ids, shuffled), [3, 1, 2])
    without_b = aligned.iloc[[0, 2]]
    np.testing.assert_array_equal(segments_of(ids, without_b), [3, np.nan, 2])

"""The stored segmentation model: it round-trips through its rows, the drift check keeps it on
the same or slightly newer data and refits on planted drift (with the reason in words), and a
refit keeps the ids of the segments that continue while a really new segment gets a new id."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from project_settings import project_settings
from sklearn.metrics import adjusted_rand_score
from test_segmentation import FAST, planted_customers

from python_udfs.segment_model import (
    MODEL_COLUMNS,
    DriftCheck,
    ModelSettings,
    assign_customers,
    at_most_distinct_rows,
    check_drift,
    distances_to,
    drift_row,
    fit_model,
    latest_model,
    match_segments,
    model_rows,
    next_model_version,
    period_assignments,
    population_stability,
    relabel,
)
from python_udfs.segmentation import SegmentationSettings, feature_frame

KEEP = project_settings(ModelSettings)
QUIET = {"log": lambda _: None}


def stored_rows(features: pd.DataFrame, settings: SegmentationSettings = FAST, k: int = 3):
    """segment_model's rows after a first build on ``features``."""
    return next_model_version(
        None,
        features=features,
        k=k,
        segmentation=settings,
        settings=KEEP,
        now=datetime(2024, 1, 1),
        **QUIET,
    )


def test_population_stability_index_by_hand():
    # (0.6 - 0.5) ln(0.6 / 0.5) + (0.4 - 0.5) ln(0.4 / 0.5) = 0.0182321 + 0.0223144
    assert population_stability([0.5, 0.5], [0.6, 0.4]) == pytest.approx(0.0405465, abs=1e-7)
    assert population_stability([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0.0
    # An emptied segment counts at the floor, not as infinity.
    assert np.isfinite(population_stability([0.5, 0.5], [1.0, 0.0]))


@pytest.mark.parametrize("pca_components", [None, 4])
def test_a_stored_model_assigns_customers_as_its_fit_did(pca_components):
    features, groups = planted_customers(200)
    settings = replace(FAST, pca_components=pca_components)
    rows = stored_rows(features, settings)
    assert list(rows.columns) == MODEL_COLUMNS
    assert rows["model_version"].unique().tolist() == [1]
    assert rows["fit_share"].sum() == pytest.approx(1.0)
    assignments = assign_customers(rows, features, settings.seed, **QUIET)
    assert adjusted_rand_score(groups, assignments["segment_id"]) > 0.95
    # The rich wine lovers are the most valuable segment at the first fit: segment 1.
    assert set(assignments.loc[groups == 0, "segment_id"]) == {1}
    stored = latest_model(rows)
    frame, fit_mask = feature_frame(features)
    labels, _ = stored.assign(stored.space(frame.loc[fit_mask]))
    shares = [(labels == segment).mean() for segment in stored.segment_ids]
    np.testing.assert_allclose(shares, rows.sort_values("segment_id")["fit_share"], atol=1e-12)


def test_each_period_is_assigned_by_its_own_features_whatever_the_batches():
    # Two period ends: at the first every customer looks as planted; at the second the rich wine
    # lovers (group 0) look like the customers of group 1, so they must move to group 1's segment.
    features, groups = planted_customers(200)
    rows = stored_rows(features)
    today = assign_customers(rows, features, FAST.seed, **QUIET).set_index("customer_id")
    moved = features.copy()
    donors = features.loc[groups == 1].drop(columns="customer_id").to_numpy()
    moved.loc[groups == 0, moved.columns != "customer_id"] = donors[: (groups == 0).sum()]
    periods = pd.concat(
        [features.assign(period_end=pd.Timestamp("2024-01-31")),
         moved.assign(period_end=pd.Timestamp("2024-02-29"))]
    ).sample(frac=1.0, random_state=3)  # fmt: skip
    periods["revenue_in_period"] = np.arange(len(periods))  # carried, to be kept row by row
    batches = [periods.iloc[start : start + 70] for start in range(0, len(periods), 70)]
    assigned = pd.concat(period_assignments(rows, batches, ["revenue_in_period"], **QUIET))
    pd.testing.assert_frame_equal(
        assigned[["customer_id", "period_end", "revenue_in_period"]].reset_index(drop=True),
        periods[["customer_id", "period_end", "revenue_in_period"]].reset_index(drop=True),
    )
    assigned = assigned.set_index(["period_end", "customer_id"])

    assert len(assigned) == 2 * len(features)
    january = assigned.loc[pd.Timestamp("2024-01-31")]
    pd.testing.assert_series_equal(
        january["segment_id"].sort_index(), today["segment_id"].sort_index(), check_dtype=False
    )
    february = assigned.loc[pd.Timestamp("2024-02-29")].reindex(features["customer_id"])
    group_1_segment = today.loc[features.loc[groups == 1, "customer_id"], "segment_id"].mode()[0]
    assert (february.loc[groups == 0, "segment_id"] == group_1_segment).all()
    names = dict(zip(rows["segment_id"], rows["segment_name"], strict=True))
    assert (assigned["segment_name"] == assigned["segment_id"].map(names)).all()
    # Without a stored model every customer-period is still there, without a segment.
    no_model = rows.iloc[0:0]
    unassigned = pd.concat(period_assignments(no_model, batches, ["revenue_in_period"], **QUIET))
    assert unassigned["revenue_in_period"].tolist() == periods["revenue_in_period"].tolist()
    assert unassigned["segment_id"].isna().all() and unassigned["segment_name"].isna().all()


def test_the_same_or_slightly_newer_data_keeps_the_stored_model():
    features, _ = planted_customers(200)
    stored = latest_model(stored_rows(features))
    same = check_drift(stored, features, FAST, KEEP)
    assert not same.refit and same.psi == pytest.approx(0, abs=1e-12)
    assert same.distance_ratio == pytest.approx(1, abs=1e-9)
    assert same.reason.startswith("kept version 1: PSI 0.000 < 0.2")
    # A few more customers of every group: the same segments, nothing to refit.
    newer, _ = planted_customers(220, seed=1)
    assert not check_drift(stored, newer, FAST, KEEP).refit


def test_planted_drift_and_structural_changes_trigger_a_refit_with_the_reason():
    features, groups = planted_customers(200)
    stored = latest_model(stored_rows(features))
    # Two thirds of the families leave and the store regulars double.
    keep = (groups != 1) | (np.arange(len(groups)) % 3 == 0)
    shifted = pd.concat([features[keep], features[groups == 2]], ignore_index=True)
    drifted = check_drift(stored, shifted, FAST, KEEP)
    assert drifted.refit and drifted.psi > 0.2
    assert drifted.reason.startswith("segment shares drifted: PSI")
    # Everybody moved: the same shares, but far from every centroid.
    moved = features.assign(income_clean=features["income_clean"] * 8)
    far = check_drift(stored, moved, FAST, KEEP)
    assert far.refit and "moved away from the centroids" in far.reason
    assert check_drift(None, features, FAST, KEEP).reason.startswith("no stored segment model")
    asked = check_drift(stored, features, FAST, project_settings(ModelSettings, refit=True))
    assert asked.refit and asked.reason == "refit requested (var segment_refit)"
    assert asked.psi == pytest.approx(0, abs=1e-12)  # measured all the same
    fixed = replace(FAST, fixed_k=4)
    assert "var segment_k is 4" in check_drift(stored, features, fixed, KEEP).reason
    renamed = stored.__class__(
        **{
            **stored.__dict__,
            "scaling": stored.scaling.__class__(
                **{**stored.scaling.__dict__, "names": (*stored.scaling.names[:-1], "gone")}
            ),
        }
    )
    gone = check_drift(renamed, features, FAST, KEEP)
    assert gone.refit and gone.reason == "the stored model's features are gone: gone"


def test_a_refit_on_another_seed_keeps_every_id_and_a_new_segment_gets_a_new_id():
    features, _ = planted_customers(200)
    history = stored_rows(features)
    reseeded = replace(FAST, seed=7)
    second = next_model_version(
        history, features=features, k=3, segmentation=reseeded,
        settings=project_settings(ModelSettings, refit=True), **QUIET,
    )  # fmt: skip
    assert second["model_version"].unique().tolist() == [2]
    assert second["matched_previous_id"].tolist() == [1, 2, 3]
    before = assign_customers(history, features, 42, **QUIET)
    after = assign_customers(pd.concat([history, second]), features, 42, **QUIET)
    assert (before["segment_id"] == after["segment_id"]).mean() > 0.99
    # A fourth group appears far from the others: the three continue, the new one is segment 4.
    newcomers, _ = planted_customers(200, seed=3)
    newcomers = newcomers[: len(newcomers) // 3].assign(
        income_clean=200_000.0,
        net_revenue=9000.0,
        deal_share=0.9,
        customer_id=lambda f: f["customer_id"] + 10_000,
    )
    grown = pd.concat([features, newcomers], ignore_index=True)
    third = next_model_version(
        pd.concat([history, second]), features=grown, k=4, segmentation=FAST,
        settings=project_settings(ModelSettings, refit=True), **QUIET,
    )  # fmt: skip
    assert sorted(third["segment_id"]) == [1, 2, 3, 4]
    assert sorted(third["matched_previous_id"].dropna().astype(int)) == [1, 2, 3]
    assignments = assign_customers(pd.concat([history, second, third]), grown, 42, **QUIET)
    assert (assignments["segment_id"].iloc[len(features) :] == 4).mean() > 0.9
    assert (assignments["segment_id"].iloc[: len(features)] == before["segment_id"]).mean() > 0.95


def test_matching_leaves_dissimilar_segments_unmatched_and_relabel_fills_new_ids():
    features, _ = planted_customers(200)
    first = fit_model(features, 3, FAST, version=1)
    assert match_segments(first, first, max_distance=0.5) == {1: 1, 2: 2, 3: 3}
    assert match_segments(first, first, max_distance=0.0) == {}
    swapped = relabel(first, {1: 3, 3: 1}, previous_ids=np.array([1, 2, 3, 5]))
    # Matched 1 -> 3 and 3 -> 1; segment 2 is new: the next id after every id used (5) is 6.
    assert swapped.segment_ids.tolist() == [1, 3, 6]
    np.testing.assert_array_equal(swapped.centroids[1], first.centroids[0])
    assert swapped.names[2] == first.names[1]


def test_the_drift_row_says_whether_this_build_refitted():
    features, _ = planted_customers(200)
    history = stored_rows(features)
    fitted_at = history["fitted_at"].iloc[0]
    first = drift_row(history, last_checked_at=None, features=features, segmentation=FAST,
                      settings=KEEP).iloc[0]  # fmt: skip
    assert first["is_refit"] and first["reason"].startswith("no stored segment model")
    later = drift_row(history, last_checked_at=fitted_at + pd.Timedelta(seconds=1),
                      features=features, segmentation=FAST, settings=KEEP).iloc[0]  # fmt: skip
    assert not later["is_refit"] and later["model_version"] == 1
    assert later["reason"].startswith("kept version 1") and later["psi"] == pytest.approx(0)
    due = drift_row(history, last_checked_at=fitted_at + pd.Timedelta(seconds=1),
                    features=features, segmentation=FAST,
                    settings=project_settings(ModelSettings, refit=True)).iloc[0]  # fmt: skip
    assert not due["is_refit"] and due["reason"].startswith("refit due at the next build")
    no_customers = features.iloc[0:0]
    assert drift_row(history.iloc[0:0], last_checked_at=None, features=no_customers,
                     segmentation=FAST, settings=KEEP).empty  # fmt: skip


def test_model_rows_keep_a_version_exactly():
    features, _ = planted_customers(100)
    model = fit_model(features, 3, FAST, version=1)
    rows = model_rows(model, set(), DriftCheck(True, "fresh"), datetime(2024, 1, 1))
    restored = latest_model(rows)
    np.testing.assert_array_equal(restored.centroids, model.centroids)
    np.testing.assert_array_equal(restored.scaling.scale, model.scaling.scale)
    assert restored.scaling.names == model.scaling.names and restored.names == model.names
    assert restored.fitted_customers == model.fitted_customers == 300


def test_k_is_capped_at_the_distinct_rows_whether_the_head_settles_it_or_not():
    points = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0], [2.0, 0.0]])
    assert at_most_distinct_rows(points, 2, head_rows=3) == 2  # the head has 2 distinct rows
    assert at_most_distinct_rows(points, 3, head_rows=2) == 3  # the head has 1; all rows have 3
    assert at_most_distinct_rows(points, 4, head_rows=2) == 3
    assert at_most_distinct_rows(points[:0], 3) == 0


def test_distances_to_the_assigned_centroid_by_hand_across_chunks():
    points = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0], [4.0, 5.0], [-2.0, 1.0]])
    centroids = np.array([[0.0, 0.0], [1.0, 1.0]])
    nearest = np.array([0, 0, 1, 1, 1])
    expected = [0.0, 5.0, 0.0, 5.0, np.sqrt(9.0)]
    np.testing.assert_array_equal(distances_to(points, centroids, nearest, chunk_rows=2), expected)
    np.testing.assert_array_equal(distances_to(points, centroids, nearest), expected)
    assert distances_to(points[:0], centroids, nearest[:0]).shape == (0,)

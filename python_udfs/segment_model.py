"""Segments that keep their meaning from build to build: the fitted K-means state stored in the
warehouse, the drift check that decides whether to refit, and the matching that lets a refitted
segment keep the id of the segment it continues.

A stored model is the scaling (columns, fill values, centre, scale), the optional PCA projection
and the centroids of one version. Customers are assigned to the stored centroids on every build;
a new version is fitted only when there is none, when asked (var segment_refit), when the stored
columns no longer exist, when a fixed k changed, or when the assignments drift past a threshold.
Pure functions, unit-tested in tests/python/test_segment_model.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import PCA

from python_udfs.frames import typed_empty
from python_udfs.progress import Log, log_progress
from python_udfs.segmentation import (
    FeatureScaling,
    SegmentationSettings,
    apply_scaling,
    feature_frame,
    fit_kmeans,
    fit_scaling,
    name_segments,
    order_segments_by_value,
    principal_components,
)
from python_udfs.settings import from_var, settings_from_meta

MODEL_COLUMNS = [
    "model_version",
    "segment_id",
    "segment_name",
    "k",
    "centroid",
    "fit_share",
    "fit_mean_distance",
    "matched_previous_id",
    "feature_names",
    "feature_fill",
    "feature_center",
    "feature_scale",
    "projection_mean",
    "projection_components",
    "fitted_customers",
    "fitted_at",
    "refit_reason",
    "psi_before_refit",
    "distance_ratio_before_refit",
]
MODEL_DTYPES = {
    "model_version": "int64",
    "segment_id": "int64",
    "segment_name": "string",
    "k": "int64",
    "centroid": "string",
    "fit_share": "float64",
    "fit_mean_distance": "float64",
    "matched_previous_id": "Int64",
    "feature_names": "string",
    "feature_fill": "string",
    "feature_center": "string",
    "feature_scale": "string",
    "projection_mean": "string",
    "projection_components": "string",
    "fitted_customers": "int64",
    "fitted_at": "datetime64[us]",
    "refit_reason": "string",
    "psi_before_refit": "float64",
    "distance_ratio_before_refit": "float64",
}
DRIFT_COLUMNS = [
    "checked_at",
    "model_version",
    "is_refit",
    "reason",
    "psi",
    "distance_ratio",
    "customers",
]
DRIFT_DTYPES = {
    "checked_at": "datetime64[us]",
    "model_version": "int64",
    "is_refit": "bool",
    "reason": "string",
    "psi": "float64",
    "distance_ratio": "float64",
    "customers": "int64",
}
# Shares below this count as this in the population stability index (an empty segment would
# make it infinite).
PSI_FLOOR = 1e-4


@dataclass(frozen=True)
class ModelSettings:
    """When to refit and how to match (vars segment_refit, segment_max_psi,
    segment_max_distance_ratio, segment_match_max_distance)."""

    refit: bool = from_var("segment_refit")
    max_psi: float = from_var("segment_max_psi")
    max_distance_ratio: float = from_var("segment_max_distance_ratio")
    match_max_distance: float = from_var("segment_match_max_distance")

    @classmethod
    def from_meta(cls, meta: dict | None) -> ModelSettings:
        return settings_from_meta(cls, meta)


@dataclass(frozen=True)
class StoredModel:
    """One version of the fitted segmentation."""

    version: int
    scaling: FeatureScaling
    projection_mean: np.ndarray | None
    projection_components: np.ndarray | None
    segment_ids: np.ndarray
    names: tuple[str, ...]
    centroids: np.ndarray
    fit_shares: np.ndarray
    fit_mean_distance: float
    fitted_customers: int

    def space(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows of a feature frame in the clustering space (scaled, then projected)."""
        matrix = apply_scaling(frame, self.scaling)
        if self.projection_components is None:
            return matrix
        return (matrix - self.projection_mean) @ self.projection_components.T

    def to_scaled(self, points: np.ndarray) -> np.ndarray:
        """Points of the clustering space back in the scaled feature space."""
        if self.projection_components is None:
            return points
        return points @ self.projection_components + self.projection_mean

    def nearest(self, points: np.ndarray) -> np.ndarray:
        """Row index into the centroids of the one nearest to each point."""
        if len(points) == 0:
            return np.empty(0, dtype=np.int64)
        # |p - c|^2 = |p|^2 - 2 p.c + |c|^2; |p|^2 is the same for every centroid of a row.
        ranking = (self.centroids**2).sum(axis=1)[None, :] - 2.0 * (points @ self.centroids.T)
        return ranking.argmin(axis=1)

    def assign(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Segment id of the nearest centroid and the distance to it, for every row."""
        nearest = self.nearest(points)
        return self.segment_ids[nearest], distances_to(points, self.centroids, nearest)


def distances_to(
    points: np.ndarray, centroids: np.ndarray, nearest: np.ndarray, chunk_rows: int = 1 << 18
) -> np.ndarray:
    """The Euclidean distance of each point to ``centroids[nearest]``, a chunk of rows at a
    time: at once, the centroid per row, the differences and their squares are three full-size
    temporaries (4.3 GB at 10M customers and 18 features) beside the warehouse's share of RAM."""
    distances = np.empty(len(points))
    for start in range(0, len(points), chunk_rows):
        rows = slice(start, start + chunk_rows)
        distances[rows] = np.sqrt(((points[rows] - centroids[nearest[rows]]) ** 2).sum(axis=1))
    return distances


def _optional_vector(text: object) -> np.ndarray | None:
    return None if text is None or pd.isna(text) else _vector(text)


def _vector(text: object) -> np.ndarray:
    return np.asarray(json.loads(str(text)), dtype=float)


def _text(values: np.ndarray | None) -> str | None:
    return None if values is None else json.dumps(np.asarray(values, dtype=float).tolist())


def latest_model(history: pd.DataFrame | None) -> StoredModel | None:
    """The newest version stored in segment_model, or None when nothing is stored."""
    if history is None or history.empty:
        return None
    version = int(history["model_version"].max())
    rows = history[history["model_version"] == version].sort_values("segment_id")
    first = rows.iloc[0]
    components = _optional_vector(first["projection_components"])
    centroids = np.vstack([_vector(text) for text in rows["centroid"]])
    if components is not None:
        components = components.reshape(centroids.shape[1], -1)
    return StoredModel(
        version=version,
        scaling=FeatureScaling(
            names=tuple(json.loads(first["feature_names"])),
            fill=_vector(first["feature_fill"]),
            center=_vector(first["feature_center"]),
            scale=_vector(first["feature_scale"]),
        ),
        projection_mean=_optional_vector(first["projection_mean"]),
        projection_components=components,
        segment_ids=rows["segment_id"].to_numpy(np.int64),
        names=tuple(rows["segment_name"]),
        centroids=centroids,
        fit_shares=rows["fit_share"].to_numpy(float),
        fit_mean_distance=float(first["fit_mean_distance"]),
        fitted_customers=int(first["fitted_customers"]),
    )


def population_stability(expected: np.ndarray, actual: np.ndarray) -> float:
    """PSI = sum over segments of (actual - expected) x ln(actual / expected), shares floored."""
    expected = np.maximum(np.asarray(expected, float), PSI_FLOOR)
    actual = np.maximum(np.asarray(actual, float), PSI_FLOOR)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


@dataclass(frozen=True)
class DriftCheck:
    """Whether the stored model still describes the customers, and why it is refitted or kept."""

    refit: bool
    reason: str
    psi: float = float("nan")
    distance_ratio: float = float("nan")
    customers: int = 0


def structural_reason(
    stored: StoredModel | None,
    columns: pd.Index,
    segmentation: SegmentationSettings,
    settings: ModelSettings,
) -> str | None:
    """Why the stored model cannot or may not be used as it is, before measuring any drift."""
    if stored is None:
        return "no stored segment model (first build or --full-refresh)"
    if settings.refit:
        return "refit requested (var segment_refit)"
    missing = [name for name in stored.scaling.names if name not in columns]
    if missing:
        return f"the stored model's features are gone: {', '.join(missing)}"
    if segmentation.fixed_k and segmentation.fixed_k != len(stored.segment_ids):
        return (
            f"var segment_k is {segmentation.fixed_k}, the stored model has "
            f"{len(stored.segment_ids)} segments"
        )
    return None


def check_drift(
    stored: StoredModel | None,
    features: pd.DataFrame,
    segmentation: SegmentationSettings,
    settings: ModelSettings,
) -> DriftCheck:
    """Compare today's fitting population, assigned to the stored centroids, with the stored fit:
    the population stability index of the segment shares, and the mean distance to the assigned
    centroid over the fit's. Refit when ``structural_reason`` gives one or when either measure
    reaches its var; the measures are reported whenever the stored model can be applied."""
    frame, fit_mask = feature_frame(features)
    reason = structural_reason(stored, frame.columns, segmentation, settings)
    applicable = stored is not None and all(name in frame.columns for name in stored.scaling.names)
    if stored is None or not applicable or not fit_mask.any():
        kept = f"no customers to check; kept version {stored.version}" if stored else "no model"
        return DriftCheck(reason is not None, reason or kept)
    labels, distances = stored.assign(stored.space(frame.loc[fit_mask]))
    shares = (labels[:, None] == stored.segment_ids[None, :]).mean(axis=0)
    psi = population_stability(stored.fit_shares, shares)
    ratio = float(distances.mean() / stored.fit_mean_distance) if stored.fit_mean_distance else 1.0
    drifted = [reason] if reason else []
    if psi >= settings.max_psi:
        drifted.append(f"segment shares drifted: PSI {psi:.3f} >= {settings.max_psi}")
    if ratio >= settings.max_distance_ratio:
        drifted.append(
            f"customers moved away from the centroids: mean distance {ratio:.2f}x the fit's "
            f">= {settings.max_distance_ratio}"
        )
    kept = (
        f"kept version {stored.version}: PSI {psi:.3f} < {settings.max_psi}, mean distance "
        f"{ratio:.2f}x the fit's < {settings.max_distance_ratio}"
    )
    return DriftCheck(
        refit=bool(drifted),
        reason="; ".join(drifted) if drifted else kept,
        psi=psi,
        distance_ratio=ratio,
        customers=int(fit_mask.sum()),
    )


def match_segments(previous: StoredModel, new: StoredModel, max_distance: float) -> dict[int, int]:
    """New segment id -> previous segment id for the segments that continue one.

    Both sets of centroids are compared in the new model's scaled feature space (the previous
    centroids are un-projected, un-scaled with the previous scaling and re-scaled with the new
    one). Pairs are chosen by the Hungarian algorithm on the root-mean-square difference per
    feature, and kept only below ``max_distance`` (in standard deviations): a segment that is
    really new gets a new id rather than an old one it does not resemble.
    """
    if previous.scaling.names != new.scaling.names:
        return {}
    raw = previous.to_scaled(previous.centroids) * previous.scaling.scale + previous.scaling.center
    old = (raw - new.scaling.center) / new.scaling.scale
    current = new.to_scaled(new.centroids)
    cost = np.sqrt(((current[:, None, :] - old[None, :, :]) ** 2).mean(axis=2))
    rows, columns = linear_sum_assignment(cost)
    return {
        int(new.segment_ids[row]): int(previous.segment_ids[column])
        for row, column in zip(rows, columns, strict=True)
        if cost[row, column] < max_distance
    }


def at_most_distinct_rows(points: np.ndarray, k: int, head_rows: int = 10_000) -> int:
    """``k``, or the number of distinct rows of ``points`` when there are fewer. The first
    ``head_rows`` rows settle it for all but degenerate data: sorting every row to count them
    cost 1.5 s of a 1M-customer fit."""
    distinct = 0
    for rows in (points[:head_rows], points):
        distinct = len(np.unique(rows, axis=0)) if len(rows) else 0
        if distinct >= k:
            return k
    return distinct


def fit_model(
    features: pd.DataFrame, k: int, segmentation: SegmentationSettings, version: int
) -> StoredModel:
    """Fit a new version: scaling, optional PCA, K-means with ``k`` on the fitting population;
    segment ids 1..k by average monetary value, rule-based names."""
    frame, fit_mask = feature_frame(features)
    scaling = fit_scaling(frame, fit_mask)
    matrix = apply_scaling(frame, scaling)
    projection_mean = projection_components = None
    if segmentation.pca_components and segmentation.pca_components < matrix.shape[1]:
        pca = PCA(n_components=segmentation.pca_components, random_state=segmentation.seed)
        pca.fit(matrix)
        projection_mean, projection_components = pca.mean_, pca.components_
        points = (matrix - projection_mean) @ projection_components.T
    else:
        points = matrix
    fit_points = points[fit_mask]
    k = max(1, at_most_distinct_rows(fit_points, k)) if points.shape[1] else 1
    if k == 1:
        labels = np.zeros(len(points), dtype=np.int64)
        centres = (fit_points if len(fit_points) else points).mean(axis=0, keepdims=True)
    else:
        kmeans = fit_kmeans(fit_points, k, segmentation)
        labels, centres = kmeans.predict(points), kmeans.cluster_centers_
    segment_ids = order_segments_by_value(labels, features["net_revenue"].fillna(0).to_numpy())
    # One row per label is enough: the relabelling maps each label to one id.
    _, first_rows = np.unique(labels, return_index=True)
    by_id = {int(segment_ids[row]): centres[labels[row]] for row in first_rows}
    ids = np.array(sorted(by_id), dtype=np.int64)
    names = name_segments(features, segment_ids)
    fitted_ids = segment_ids[fit_mask]
    distances = distances_to(fit_points, centres, labels[fit_mask])
    return StoredModel(
        version=version,
        scaling=scaling,
        projection_mean=projection_mean,
        projection_components=projection_components,
        segment_ids=ids,
        names=tuple(names[int(sid)] for sid in ids),
        centroids=np.vstack([by_id[int(sid)] for sid in ids]),
        fit_shares=np.array([(fitted_ids == sid).mean() for sid in ids]),
        fit_mean_distance=float(distances.mean()) if len(distances) else 0.0,
        fitted_customers=int(fit_mask.sum()),
    )


def relabel(model: StoredModel, matches: dict[int, int], previous_ids: np.ndarray) -> StoredModel:
    """Matched segments take their previous id; the others get ids above every id used before,
    in the new model's value order."""
    next_id = int(previous_ids.max()) + 1 if len(previous_ids) else 1
    mapping = {}
    for segment_id in model.segment_ids:
        if int(segment_id) in matches:
            mapping[int(segment_id)] = matches[int(segment_id)]
        else:
            mapping[int(segment_id)] = next_id
            next_id += 1
    order = np.argsort([mapping[int(sid)] for sid in model.segment_ids], kind="stable")
    return replace(
        model,
        segment_ids=np.array([mapping[int(model.segment_ids[i])] for i in order], dtype=np.int64),
        names=tuple(model.names[i] for i in order),
        centroids=model.centroids[order],
        fit_shares=model.fit_shares[order],
    )


def model_rows(
    model: StoredModel,
    kept_ids: set[int],
    check: DriftCheck,
    fitted_at: datetime,
) -> pd.DataFrame:
    """The rows segment_model appends for a new version: one per centroid."""
    rows = [
        {
            "model_version": model.version,
            "segment_id": int(segment_id),
            "segment_name": name,
            "k": len(model.segment_ids),
            "centroid": _text(centroid),
            "fit_share": float(share),
            "fit_mean_distance": model.fit_mean_distance,
            "matched_previous_id": int(segment_id) if int(segment_id) in kept_ids else None,
            "feature_names": json.dumps(list(model.scaling.names)),
            "feature_fill": _text(model.scaling.fill),
            "feature_center": _text(model.scaling.center),
            "feature_scale": _text(model.scaling.scale),
            "projection_mean": _text(model.projection_mean),
            "projection_components": _text(
                None if model.projection_components is None else model.projection_components.ravel()
            ),
            "fitted_customers": model.fitted_customers,
            "fitted_at": fitted_at,
            "refit_reason": check.reason,
            "psi_before_refit": check.psi,
            "distance_ratio_before_refit": check.distance_ratio,
        }
        for segment_id, name, centroid, share in zip(
            model.segment_ids, model.names, model.centroids, model.fit_shares, strict=True
        )
    ]
    return pd.DataFrame(rows, columns=MODEL_COLUMNS).astype(MODEL_DTYPES)


def next_model_version(
    history: pd.DataFrame | None,
    *,
    features: pd.DataFrame,
    k: int,
    segmentation: SegmentationSettings,
    settings: ModelSettings,
    log: Log = log_progress,
    now: datetime | None = None,
) -> pd.DataFrame:
    """What segment_model appends on this build: a new version's rows when the drift check says
    refit, else nothing."""
    stored = latest_model(history)
    check = check_drift(stored, features, segmentation, settings)
    if not check.refit or features.empty:
        log(f"segment_model: {check.reason}")
        return typed_empty(MODEL_COLUMNS, MODEL_DTYPES)
    version = stored.version + 1 if stored else 1
    model = fit_model(features, k, segmentation, version)
    kept_ids: set[int] = set()
    if stored is not None and history is not None:
        matches = match_segments(stored, model, settings.match_max_distance)
        model = relabel(model, matches, history["segment_id"].to_numpy(np.int64))
        kept_ids = set(matches.values())
    log(
        f"segment_model: version {version} with k={len(model.segment_ids)} "
        f"({check.reason}); {len(kept_ids)} segment(s) kept their id"
    )
    stamp = now or datetime.now(UTC).replace(tzinfo=None)
    return model_rows(model, kept_ids, check, stamp)


def drift_row(
    history: pd.DataFrame,
    *,
    last_checked_at: datetime | pd.Timestamp | None,
    features: pd.DataFrame,
    segmentation: SegmentationSettings,
    settings: ModelSettings,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The row segment_drift appends on every build with customers: the model version in use,
    whether this build refitted it, and why.

    A version fitted after the previous drift row (or with no drift row yet) was fitted by this
    build: its stored reason and measures are reported. Otherwise the check segment_model ran is
    repeated on the same inputs, and it says why the stored model was kept.
    """
    stored = latest_model(history)
    stamp = now or datetime.now(UTC).replace(tzinfo=None)
    if stored is None or features.empty:  # nothing segmented, nothing to report
        return typed_empty(DRIFT_COLUMNS, DRIFT_DTYPES)
    newest = history[history["model_version"] == stored.version].iloc[0]
    if last_checked_at is None or pd.isna(last_checked_at) or newest["fitted_at"] > last_checked_at:
        row = {
            "is_refit": True,
            "reason": newest["refit_reason"],
            "psi": newest["psi_before_refit"],
            "distance_ratio": newest["distance_ratio_before_refit"],
            "customers": int(newest["fitted_customers"]),
        }
    else:
        check = check_drift(stored, features, segmentation, settings)
        reason = check.reason
        if check.refit:  # segment_model was not rebuilt in this run (a partial selection)
            reason = f"refit due at the next build of segment_model: {reason}"
        row = {
            "is_refit": False,
            "reason": reason,
            "psi": check.psi,
            "distance_ratio": check.distance_ratio,
            "customers": check.customers,
        }
    return drift_frame({**row, "checked_at": stamp, "model_version": stored.version})


def drift_frame(row: dict) -> pd.DataFrame:
    return pd.DataFrame([row]).reindex(columns=DRIFT_COLUMNS).astype(DRIFT_DTYPES)


ASSIGNMENT_COLUMNS = [
    "customer_id",
    "segment_id",
    "segment_name",
    "distance_to_centroid",
    "pc1",
    "pc2",
    "pc3",
    "is_fit_excluded",
]


def assign_customers(
    history: pd.DataFrame, features: pd.DataFrame, seed: int, log: Log = log_progress
) -> pd.DataFrame:
    """Every customer assigned to the nearest centroid of the newest stored version, with that
    segment's stored name, the distance, three principal components for plots, and whether the
    customer was left out of fits (outliers, non-buyers)."""
    stored = latest_model(history)
    if stored is None or features.empty:
        dtypes = {"customer_id": "string", "segment_id": "int64", "segment_name": "string",
                  "is_fit_excluded": "bool"}  # fmt: skip
        return typed_empty(ASSIGNMENT_COLUMNS, dtypes)
    frame, fit_mask = feature_frame(features)
    labels, distances = stored.assign(stored.space(frame))
    names = dict(zip(stored.segment_ids.tolist(), stored.names, strict=True))
    components = principal_components(apply_scaling(frame, stored.scaling), seed)
    log(f"customer_segments: {len(frame)} customers assigned to version {stored.version}")
    return pd.DataFrame(
        {
            "customer_id": features["customer_id"].to_numpy(),
            "segment_id": labels,
            "segment_name": [names[int(label)] for label in labels],
            "distance_to_centroid": distances,
            "pc1": components[:, 0],
            "pc2": components[:, 1],
            "pc3": components[:, 2],
            "is_fit_excluded": ~fit_mask,
        }
    )[ASSIGNMENT_COLUMNS]


def segment_names(stored: StoredModel, segment_ids: np.ndarray) -> pd.Categorical:
    """The stored name of each of ``segment_ids`` (ids of ``stored``), as a categorical: one
    string per segment instead of one per row, which matters at tens of millions of rows."""
    order = np.argsort(stored.segment_ids)
    position = order[np.searchsorted(stored.segment_ids, segment_ids, sorter=order)]
    categories, name_codes = np.unique(np.asarray(stored.names, dtype=object), return_inverse=True)
    return pd.Categorical.from_codes(name_codes[position], categories=categories)


# What customer_segment_history scores each customer-period by, carried through with its
# segment so that the mart reads one row per customer-period instead of joining tens of
# millions of them back to their assignment.
PERIOD_CARRIED_DTYPES = {"is_first_period": "bool", "recency_days": "int64",
                         "orders_count": "int64", "net_revenue": "float64",
                         "revenue_in_period": "float64"}  # fmt: skip
PERIOD_ASSIGNMENT_DTYPES = {"customer_id": "string", "period_end": "datetime64[us]",
                            **PERIOD_CARRIED_DTYPES, "segment_id": "int64",
                            "segment_name": "string"}  # fmt: skip


def period_assignments(
    history: pd.DataFrame,
    batches: Iterable[pd.DataFrame],
    carried: Sequence[str] = (),
    log: Log = log_progress,
) -> Iterator[pd.DataFrame]:
    """Every customer x period end of ``batches`` (the segmentation features as of each period
    end, any row order) assigned to the nearest centroid of the newest stored version, with that
    segment's stored name: the segments of the past as the current model sees them. The
    ``carried`` columns of each row come along unchanged. One frame per batch, made when asked
    for, so a caller can write each before the next is read. When no model is stored every row
    is still there, without a segment."""
    stored = latest_model(history)
    assigned = 0
    for batch in batches:
        rows = {"customer_id": batch["customer_id"].array, "period_end": batch["period_end"].array}
        rows.update({column: batch[column].array for column in carried})
        if stored is None:
            rows["segment_id"] = pd.array([None] * len(batch), dtype="Int64")
            rows["segment_name"] = pd.array([None] * len(batch), dtype="string")
            yield pd.DataFrame(rows)
            continue
        frame, _ = feature_frame(batch)
        # Ids only: the distance costs more than the assignment and nothing here reads it.
        labels = stored.segment_ids[stored.nearest(stored.space(frame))]
        assigned += len(labels)
        rows["segment_id"] = labels
        rows["segment_name"] = segment_names(stored, labels)
        yield pd.DataFrame(rows)
    if stored is None:
        log("customer period segments: no stored model, so no customer-period has a segment")
        return
    log(f"customer period segments: {assigned} customer-periods assigned to version "
        f"{stored.version}")  # fmt: skip


def segment_customers(
    features: pd.DataFrame, k: int, segmentation: SegmentationSettings, log: Log = log_progress
) -> pd.DataFrame:
    """A fresh fit with ``k`` segments, stored and read back as segment_model does, and every
    customer assigned to it: what the first build delivers."""
    if features.empty:
        return assign_customers(typed_empty(MODEL_COLUMNS, MODEL_DTYPES), features, 0, log)
    model = fit_model(features, k, segmentation, version=1)
    history = model_rows(model, set(), DriftCheck(True, "fresh fit"), datetime(2000, 1, 1))
    return assign_customers(history, features, segmentation.seed, log)

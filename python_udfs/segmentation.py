"""Customer segmentation: feature scaling, K-means over a range of k, the k choice rule, stable
segment ids, rule-based names, and validation against Ward clustering and reseeded refits.

Everything here is pure (DataFrames and arrays in, DataFrames and arrays out) and unit-tested in
tests/python/test_segmentation.py; the dbt Python models only fetch, call and return.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import t as student_t
from sklearn.cluster import AgglomerativeClustering, KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
)

from python_udfs.child import call_in_child
from python_udfs.frames import as_float, typed_empty
from python_udfs.progress import Log, log_progress
from python_udfs.settings import from_var, settings_from_meta

CATEGORIES = ["wines", "meat", "fruits", "fish", "sweets", "gold"]
CHANNELS = ["web", "catalog", "store"]

# Skewed magnitudes enter as log1p, the rest as they are; all are then standardized.
LOG_FEATURES = ["income_clean", "net_revenue", "orders_count", "recency_days", "tenure_days"]
LINEAR_FEATURES = [
    "age",
    "kids_home",
    "teens_home",
    *[f"share_{category}" for category in CATEGORIES],
    *[f"share_{channel}" for channel in CHANNELS],
    "deal_share",
    "web_visits_per_month",
]
FLAG_COLUMNS = ["is_income_outlier", "is_birth_year_implausible"]
# Behaviour exists only for customers who bought; the others are assigned on demographics.
BEHAVIOUR_FEATURES = [
    "net_revenue",
    "orders_count",
    "recency_days",
    *[f"share_{category}" for category in CATEGORIES],
    *[f"share_{channel}" for channel in CHANNELS],
    "deal_share",
]
INPUT_COLUMNS = ["customer_id", *LOG_FEATURES, *LINEAR_FEATURES, *FLAG_COLUMNS, "has_purchased"]

K_SELECTION_COLUMNS = [
    "k",
    "inertia",
    "silhouette",
    "calinski_harabasz",
    "davies_bouldin",
    "votes",
    "stability_ari",
    "stability_ari_se",
    "is_reproduced",
    "is_chosen",
    "choice_rule",
]


@dataclass(frozen=True)
class SegmentationSettings:
    """The segment_* vars (dbt_project.yml) the segmentation models read."""

    k_min: int = from_var("segment_k_min")
    k_max: int = from_var("segment_k_max")
    min_actionable_k: int = from_var("segment_min_actionable_k")
    fixed_k: int | None = from_var("segment_k")
    seed: int = from_var("segment_seed")
    metric_sample_size: int = from_var("segment_metric_sample_size")
    fit_sample_size: int = from_var("segment_fit_sample_size")
    minibatch_threshold: int = from_var("segment_minibatch_threshold")
    pca_components: int | None = from_var("segment_pca_components")
    stability_refits: int = from_var("segment_stability_refits")
    k_rule: str = from_var("segment_k_rule")
    stability_pairs: int = from_var("segment_stability_pairs")
    stability_sample_size: int = from_var("segment_stability_sample_size")
    min_stability: float = from_var("segment_min_stability")

    @classmethod
    def from_meta(cls, meta: dict | None) -> SegmentationSettings:
        return settings_from_meta(cls, meta)


@dataclass(frozen=True)
class FeatureScaling:
    """The fitted transform from the customer feature table to the clustering space: the columns
    kept, the value each missing one takes, and the standardization."""

    names: tuple[str, ...]
    fill: np.ndarray
    center: np.ndarray
    scale: np.ndarray


@dataclass
class PreparedFeatures:
    """Scaled feature matrix for every customer, and which rows may be used to fit."""

    matrix: np.ndarray
    fit_mask: np.ndarray
    scaling: FeatureScaling = field(repr=False)

    @property
    def feature_names(self) -> list[str]:
        return list(self.scaling.names)


def feature_frame(features: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The candidate features (log1p for skewed magnitudes) and the rows that may shape a fit.

    Customers flagged as outliers (absurd income, implausible birth year) and customers without
    a purchase are excluded from the fit: outliers would stretch the scale, and non-buyers would
    form an artificial cluster of zero shares. Non-buyers' behaviour is left missing, so that it
    takes the fitted median and they are assigned on their demographics.
    """
    names = [*LOG_FEATURES, *LINEAR_FEATURES]
    # One float block, column-major so that each column is contiguous: a frame built by
    # inserting columns holds a block per column and is copied again to become a matrix, which
    # cost seconds per call on the customer-months of the segment history.
    values = np.empty((len(features), len(names)), order="F")
    for position, column in enumerate(names):
        values[:, position] = as_float(features[column])
    logged = values[:, : len(LOG_FEATURES)]
    np.log1p(np.maximum(logged, 0.0, out=logged), out=logged)
    flags = features[FLAG_COLUMNS].fillna(False).astype(bool)
    purchased = features["has_purchased"].fillna(False).astype(bool).to_numpy()
    fit_mask = ~flags.any(axis=1).to_numpy() & purchased
    behaviour = [names.index(column) for column in BEHAVIOUR_FEATURES]
    values[np.ix_(~purchased, behaviour)] = np.nan
    return pd.DataFrame(values, index=features.index, columns=names, copy=False), fit_mask


def fit_scaling(frame: pd.DataFrame, fit_mask: np.ndarray) -> FeatureScaling:
    """Medians and standardization of the fitted rows; columns without information (all missing
    or constant) are dropped.

    Column by column, so memory holds one column of the fitted rows at a time besides ``frame``
    (a filled copy of the whole frame is 1.8 GB at 10M customers).
    """
    names, fill, center, scale = [], [], [], []
    for column in frame.columns:
        fitted = frame[column].to_numpy(dtype=float)[fit_mask]
        present = ~np.isnan(fitted)
        median = float(np.median(fitted[present])) if present.any() else 0.0
        fitted[~present] = median
        # Fewer than two fitted rows have no spread to standardize by.
        if len(fitted) < 2 or not fitted.std(ddof=1) > 0:
            continue
        names.append(column)
        fill.append(median)
        center.append(fitted.mean())
        scale.append(fitted.std())
    return FeatureScaling(
        names=tuple(names),
        fill=np.asarray(fill, dtype=float),
        center=np.asarray(center, dtype=float),
        scale=np.asarray(scale, dtype=float),
    )


def apply_scaling(frame: pd.DataFrame, scaling: FeatureScaling) -> np.ndarray:
    """The standardized matrix of ``frame`` under a fitted scaling (its columns must exist)."""
    positions = frame.columns.get_indexer(scaling.names)
    if (positions < 0).any():
        missing = [name for name in scaling.names if name not in frame.columns]
        raise KeyError(f"the scaling's columns {missing} are not in the frame")
    # One copy, taken by the column selection (the frame's own matrix may be a read-only view).
    values = frame.to_numpy(dtype=float)[:, positions]
    # In place on the copy: at tens of millions of rows each temporary matrix costs seconds.
    np.copyto(values, np.broadcast_to(scaling.fill, values.shape), where=np.isnan(values))
    values -= scaling.center
    values /= scaling.scale
    return values


def prepare_features(features: pd.DataFrame) -> PreparedFeatures:
    """The customer feature table as a standardized matrix, with the scaling fitted on it (see
    ``feature_frame`` for who shapes the fit and ``fit_scaling`` for the transform)."""
    frame, fit_mask = feature_frame(features)
    scaling = fit_scaling(frame, fit_mask)
    return PreparedFeatures(
        matrix=apply_scaling(frame, scaling),
        fit_mask=fit_mask,
        scaling=scaling,
    )


def reduce_dimensions(matrix: np.ndarray, components: int | None, seed: int) -> np.ndarray:
    """Optional PCA before clustering (None keeps the standardized features)."""
    if not components or components >= matrix.shape[1]:
        return matrix
    return PCA(n_components=components, random_state=seed).fit_transform(matrix)


def make_kmeans(k: int, n_rows: int, settings: SegmentationSettings, seed: int | None = None):
    """K-means, or mini-batch K-means above the size threshold (same objective, bounded memory)."""
    random_state = settings.seed if seed is None else seed
    if n_rows > settings.minibatch_threshold:
        return MiniBatchKMeans(
            n_clusters=k, random_state=random_state, n_init=3, batch_size=4096, max_iter=200
        )
    return KMeans(n_clusters=k, random_state=random_state, n_init=10)


def metric_sample(n_rows: int, size: int, seed: int) -> np.ndarray:
    """Row indices of a reproducible random sample (all rows when there are fewer)."""
    if n_rows <= size:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size=size, replace=False))


def fit_kmeans(matrix: np.ndarray, k: int, settings: SegmentationSettings, seed: int | None = None):
    """K-means fitted on a reproducible sample of at most ``fit_sample_size`` rows.

    Centroids from 100,000 random rows sit within sampling noise of the full fit for k <= 10
    (each centroid is a mean of thousands of rows), while the cost stays flat: on 860,846
    customers a mini-batch fit per k took 1.3-2.9 s on all rows, a full K-means 0.9-1.5 s on the
    sample. Callers assign every row with ``predict``.
    """
    random_state = settings.seed if seed is None else seed
    rows = metric_sample(len(matrix), settings.fit_sample_size, random_state)
    return make_kmeans(k, len(rows), settings, seed=random_state).fit(matrix[rows])


def mean_silhouettes(
    matrix: np.ndarray, labelings: Sequence[np.ndarray], chunk_rows: int = 1024
) -> list[float]:
    """The mean silhouette coefficient (Euclidean) of each labeling of the same rows, as
    ``sklearn.metrics.silhouette_score`` computes it, with the pairwise distances computed once
    for all labelings: each chunk of distance rows is summed per cluster of every labeling in
    one matrix product with the stacked cluster indicators. Silhouette is quadratic in rows;
    scoring nine candidate k on 10,000 rows one labeling at a time spent 8.1 of 14.4 s of the k
    selection in the distances.

    A row alone in its cluster scores 0; each labeling needs 2 to n - 1 clusters (ValueError).
    """
    n_rows = len(matrix)
    codes, sizes = [], []
    for labels in labelings:
        _, code = np.unique(np.asarray(labels), return_inverse=True)
        size = np.bincount(code)
        if not 2 <= len(size) <= n_rows - 1:
            raise ValueError(f"a silhouette needs 2 to {n_rows - 1} clusters, not {len(size)}")
        codes.append(code)
        sizes.append(size)
    offsets = np.cumsum([0, *[len(size) for size in sizes]])
    indicators = np.zeros((n_rows, offsets[-1]))
    for code, offset in zip(codes, offsets[:-1], strict=True):
        indicators[np.arange(n_rows), offset + code] = 1.0
    squared_norms = np.einsum("ij,ij->i", matrix, matrix)
    distance_sums = np.empty((n_rows, offsets[-1]))
    for start in range(0, n_rows, chunk_rows):
        rows = np.arange(start, min(start + chunk_rows, n_rows))
        squared = squared_norms[rows, None] + squared_norms[None, :] - 2 * matrix[rows] @ matrix.T
        np.maximum(squared, 0.0, out=squared)
        squared[np.arange(len(rows)), rows] = 0.0
        distance_sums[rows] = np.sqrt(squared) @ indicators
    every_row = np.arange(n_rows)
    means = []
    for code, size, offset in zip(codes, sizes, offsets[:-1], strict=True):
        sums = distance_sums[:, offset : offset + len(size)]
        own_size = size[code]
        within = sums[every_row, code] / np.maximum(own_size - 1, 1)
        to_others = sums / size
        to_others[every_row, code] = np.inf
        nearest = to_others.min(axis=1)
        larger = np.maximum(within, nearest)
        scores = np.divide(
            nearest - within, larger, out=np.zeros(n_rows), where=(larger > 0) & (own_size > 1)
        )
        means.append(float(scores.mean()))
    return means


def evaluate_k_range(
    matrix: np.ndarray, settings: SegmentationSettings, log: Log = log_progress
) -> pd.DataFrame:
    """Fit K-means for every k in the range and score it with the three classic indices.

    Every k is fitted and scored on one reproducible sample of at most ``metric_sample_size``
    rows (silhouette is quadratic in rows; the centroids of 5,000 rows are within sampling noise
    of the full fit), so the cost does not grow with the customer base. A k whose fit finds fewer
    than k distinct clusters (fewer distinct feature rows than k) is not a real candidate and is
    left out, so data without that much variety can never crash the criteria.
    """
    sample = matrix[metric_sample(len(matrix), settings.metric_sample_size, settings.seed)]
    k_values = [k for k in range(settings.k_min, settings.k_max + 1) if k < len(sample)]
    if k_values:
        log(
            f"segment_k_selection: fitting k={k_values[0]}..{k_values[-1]} on "
            f"{len(sample)} of {len(matrix)} customers"
        )
    rows, labelings = [], []
    for k in k_values:
        started = time.perf_counter()
        model = make_kmeans(k, len(sample), settings).fit(sample)
        assigned = model.labels_
        found = len(np.unique(assigned))
        if found < k:
            log(f"segment_k_selection: k={k} skipped: the customers form only {found} clusters")
            continue
        labelings.append(assigned)
        rows.append(
            {
                "k": k,
                "inertia": float(model.inertia_),
                "calinski_harabasz": float(calinski_harabasz_score(sample, assigned)),
                "davies_bouldin": float(davies_bouldin_score(sample, assigned)),
            }
        )
        log(f"segment_k_selection: k={k} fitted in {time.perf_counter() - started:.1f} s")
    table = pd.DataFrame(rows, columns=["k", "inertia", "calinski_harabasz", "davies_bouldin"])
    started = time.perf_counter()
    table.insert(2, "silhouette", mean_silhouettes(sample, labelings) if labelings else [])
    if labelings:
        log(
            f"segment_k_selection: silhouettes of {len(labelings)} k on {len(sample)} customers "
            f"in {time.perf_counter() - started:.1f} s"
        )
    return table


# Split-half pairs measured before a k may stop early, and the one-sided t quantile its mean must
# clear the threshold by (in standard errors) to stop.
MIN_STABILITY_PAIRS = 5
STABILITY_STOP_QUANTILE = 0.999


def mean_and_standard_error(scores: Sequence[float]) -> tuple[float, float]:
    """The mean of ``scores`` and its standard error (NaN for fewer than two scores)."""
    mean = float(np.mean(scores))
    if len(scores) < 2:
        return mean, np.nan
    return mean, float(np.std(scores, ddof=1)) / len(scores) ** 0.5


def stability_is_settled(scores: Sequence[float], threshold: float) -> bool:
    """Whether more split-half pairs could not change which side of ``threshold`` the mean ARI
    falls on: after ``MIN_STABILITY_PAIRS`` pairs, the mean is more than t(0.999, n - 1) standard
    errors from the threshold. Pairs agreeing to within a few thousandths (a clearly reproduced or
    clearly broken k) stop at five; a k near the threshold uses every pair."""
    if len(scores) < MIN_STABILITY_PAIRS:
        return False
    mean, se = mean_and_standard_error(scores)
    distance = abs(mean - threshold)
    if se == 0:
        return distance > 0
    return distance > float(student_t.ppf(STABILITY_STOP_QUANTILE, len(scores) - 1)) * se


def split_half_stability(
    matrix: np.ndarray, k_values: list[int], settings: SegmentationSettings, log: Log = log_progress
) -> pd.DataFrame:
    """How well K-means with each k reproduces itself on independent data (Lange et al. 2004).

    ``stability_pairs`` times, the rows are shuffled and cut into two disjoint halves of at most
    ``stability_sample_size`` rows; K-means is fitted on each half, the first half's model labels
    the second half, and the adjusted Rand index between those labels and the second half's own
    fit measures agreement (1 = the same segments, 0 = chance). The same halves serve every k.
    A k stops before ``stability_pairs`` once its side of ``min_stability`` is settled
    (``stability_is_settled``): at 10k customers k = 2 and 3 agree to within 0.01 in five pairs.

    k are measured in increasing order. Under the stability rule, once an actionable k has been
    reached with every k so far reproduced, the first k that is not reproduced ends the walk and
    the larger k are not measured (NaN): they cannot change the choice, and each costs
    2 x ``stability_pairs`` fits. Returns k, stability_ari (the mean) and stability_ari_se.
    """
    half = min(settings.stability_sample_size, len(matrix) // 2)
    rng = np.random.default_rng(settings.seed)
    halves = [rng.permutation(len(matrix))[: 2 * half] for _ in range(settings.stability_pairs)]
    can_stop = settings.k_rule == "stability" and settings.fixed_k is None
    rows = []
    walk_intact, walk_reached_actionable = True, False
    for k in sorted(k_values):
        if half <= k or (can_stop and walk_reached_actionable and not walk_intact):
            rows.append({"k": k, "stability_ari": np.nan, "stability_ari_se": np.nan})
            continue
        started = time.perf_counter()
        scores: list[float] = []
        for pair, order in enumerate(halves):
            first, second = matrix[order[:half]], matrix[order[half:]]
            seed = settings.seed + 2 * pair
            labeller = make_kmeans(k, half, settings, seed=seed).fit(first)
            own = make_kmeans(k, half, settings, seed=seed + 1).fit(second)
            scores.append(adjusted_rand_score(own.labels_, labeller.predict(second)))
            if stability_is_settled(scores, settings.min_stability):
                break
        mean, se = mean_and_standard_error(scores)
        rows.append({"k": k, "stability_ari": mean, "stability_ari_se": se})
        if walk_intact and mean < settings.min_stability:
            walk_intact = False
        elif walk_intact and k >= settings.min_actionable_k:
            walk_reached_actionable = True
        elapsed = time.perf_counter() - started
        log(
            f"segment_k_selection: k={k} reproduced at ARI {mean:.3f} over "
            f"{len(scores)} pairs of {half}-customer halves in {elapsed:.1f} s"
        )
    return pd.DataFrame(rows, columns=["k", "stability_ari", "stability_ari_se"])


def vote_of_indices(candidates: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Votes per row (silhouette and Calinski-Harabasz highest, Davies-Bouldin lowest each vote
    for their best candidate) and each candidate's rank under each criterion."""
    ranks = pd.DataFrame(
        {
            "silhouette": candidates["silhouette"].rank(ascending=False, na_option="bottom"),
            "calinski_harabasz": candidates["calinski_harabasz"].rank(ascending=False),
            "davies_bouldin": candidates["davies_bouldin"].rank(ascending=True),
        }
    )
    votes = pd.Series(0, index=candidates.index)
    for criterion in ranks.columns:
        votes[ranks[criterion].idxmin()] += 1
    return votes, ranks


def vote_winner(candidates: pd.DataFrame, votes: pd.Series, ranks: pd.DataFrame) -> int:
    """The index of the k with most votes; ties go to the best mean rank, then the smaller k."""
    tied = votes.index[votes == votes.max()]
    mean_rank = ranks.loc[tied].mean(axis=1)
    best = mean_rank[mean_rank == mean_rank.min()].index
    return int(candidates.loc[best, "k"].idxmin())


def mark_chosen_k(table: pd.DataFrame, settings: SegmentationSettings) -> pd.DataFrame:
    """Mark the chosen k and say, in ``choice_rule``, which rule chose it.

    Only k >= ``min_actionable_k`` are candidates when any exist. A k is reproduced when its
    split-half stability reaches ``min_stability``. Rule ``stability`` (the default): the largest
    candidate k such that it and every smaller k in the table are reproduced -- the most detail
    the data gives back on independent halves; when no candidate qualifies, the most stable
    candidate, and the structure is weak. Rule ``vote``: silhouette, Calinski-Harabasz and
    Davies-Bouldin each vote for their best candidate; most votes wins (ties: best mean rank,
    then the smaller k). ``fixed_k`` (var segment_k) overrides both. The votes are filled in
    whichever rule chooses.
    """
    table = table.copy()
    table["votes"] = 0
    table["is_chosen"] = False
    table["is_reproduced"] = table["stability_ari"] >= settings.min_stability
    table["choice_rule"] = ""
    if table.empty:
        return table[K_SELECTION_COLUMNS]
    candidates = table[table["k"] >= settings.min_actionable_k]
    if candidates.empty:
        candidates = table
    votes, ranks = vote_of_indices(candidates)
    table.loc[votes.index, "votes"] = votes
    reproduced_run = table["is_reproduced"].astype(bool).cummin()
    walk = candidates[reproduced_run.loc[candidates.index]]
    if settings.fixed_k is not None and settings.fixed_k in set(table["k"]):
        chosen_index = table.index[table["k"] == settings.fixed_k][0]
        rule = f"fixed by var segment_k = {settings.fixed_k}"
    elif settings.k_rule == "vote":
        chosen_index = vote_winner(candidates, votes, ranks)
        rule = "vote of silhouette, Calinski-Harabasz and Davies-Bouldin (var segment_k_rule)"
    elif not walk.empty:
        chosen_index = walk["k"].idxmax()
        rule = (
            f"largest k that it and every smaller k reproduce on independent halves "
            f"(stability_ari >= {settings.min_stability})"
        )
    else:
        chosen_index = candidates["stability_ari"].fillna(-1.0).idxmax()
        rule = (
            f"no k >= {settings.min_actionable_k} is reproduced (stability_ari >= "
            f"{settings.min_stability}): the most stable one; weak structure"
        )
    table.loc[chosen_index, "is_chosen"] = True
    table["choice_rule"] = rule
    return table[K_SELECTION_COLUMNS]


def order_segments_by_value(labels: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    """Relabel clusters 1..k by average monetary value, descending (ties by size, then label).

    K-means labels are arbitrary; ordering by a business measure makes segment 1 mean "the most
    valuable segment" run after run.
    """
    frame = pd.DataFrame({"label": labels, "monetary": monetary})
    summary = frame.groupby("label").agg(monetary=("monetary", "mean"), size=("monetary", "size"))
    ordered = summary.sort_values(["monetary", "size"], ascending=[False, False], kind="stable")
    mapping = {label: position + 1 for position, label in enumerate(ordered.index)}
    return np.array([mapping[label] for label in labels], dtype=np.int64)


@dataclass(frozen=True)
class SegmentTraits:
    """The profile of one segment that its name is derived from."""

    segment_id: int
    avg_monetary: float
    avg_frequency: float
    avg_income: float
    avg_age: float
    avg_kids: float
    avg_teens: float
    avg_recency_days: float
    deal_share: float
    channel_shares: dict[str, float]


def name_segment(traits: SegmentTraits, overall: SegmentTraits) -> str:
    """A short name from the profile against the customer base, by fixed rules (at most three
    traits, joined with " · "):

    - value: "Big spenders" at 1.5x the average monetary or more, "Low spenders" at half or less;
    - loyalty: "Frequent buyers" at 1.5x the average number of orders or more;
    - income: "High income" / "Lower income" at 20% above / below the average;
    - household: "Families" with 0.8+ kids at home on average, else "Teens at home" with 0.8+ teens;
    - life stage: "Young" 7+ years below the average age, "Seniors" 7+ above;
    - behaviour: "deal seekers" at 1.5x the average deal share, "lapsed" at 1.5x average recency;
    - channel: the top channel when it holds 45% or more of purchases.
    Traits are taken in that order. A segment with none is "Mainstream".
    """

    def ratio(value: float, reference: float) -> float:
        return value / reference if reference and not np.isnan(reference) else np.nan

    def either(value: float, high: float, low: float, names: tuple[str, str]) -> str | None:
        """The first name at or above `high`, the second at or below `low`, else none."""
        if value >= high:
            return names[0]
        return names[1] if value <= low else None

    age_gap = traits.avg_age - overall.avg_age
    candidates = [
        either(ratio(traits.avg_monetary, overall.avg_monetary), 1.5, 0.5,
               ("Big spenders", "Low spenders")),
        "Frequent buyers" if ratio(traits.avg_frequency, overall.avg_frequency) >= 1.5 else None,
        either(ratio(traits.avg_income, overall.avg_income), 1.2, 0.8,
               ("High income", "Lower income")),
        "Families" if traits.avg_kids >= 0.8
        else "Teens at home" if traits.avg_teens >= 0.8 else None,
        either(-age_gap, 7, -7, ("Young", "Seniors")),
        "deal seekers" if ratio(traits.deal_share, overall.deal_share) >= 1.5 else None,
        "lapsed" if ratio(traits.avg_recency_days, overall.avg_recency_days) >= 1.5 else None,
    ]  # fmt: skip
    if traits.channel_shares:
        channel, share = max(traits.channel_shares.items(), key=lambda item: item[1])
        candidates.append(channel if share >= 0.45 else None)
    traits_found = [trait for trait in candidates if trait]
    return " · ".join(traits_found[:3]) or "Mainstream"


def segment_traits(features: pd.DataFrame, segment_ids: np.ndarray) -> list[SegmentTraits]:
    """Profiles per segment (sorted by id) plus, last, the overall profile."""
    frame = features.assign(segment_id=segment_ids)

    def traits_of(group: pd.DataFrame, segment_id: int) -> SegmentTraits:
        purchases = {c: group[f"share_{c}"].fillna(0).mean() for c in CHANNELS}
        return SegmentTraits(
            segment_id=segment_id,
            avg_monetary=float(group["net_revenue"].mean()),
            avg_frequency=float(group["orders_count"].mean()),
            avg_income=float(group["income_clean"].mean()),
            avg_age=float(group["age"].mean()),
            avg_kids=float(group["kids_home"].mean()),
            avg_teens=float(group["teens_home"].mean()),
            avg_recency_days=float(group["recency_days"].mean()),
            deal_share=float(group["deal_share"].mean()),
            channel_shares=purchases,
        )

    profiles = [traits_of(group, int(sid)) for sid, group in frame.groupby("segment_id")]
    return [*profiles, traits_of(frame, 0)]


def name_segments(features: pd.DataFrame, segment_ids: np.ndarray) -> dict[int, str]:
    """Rule-based names for every segment; repeated names get the segment id appended."""
    *profiles, overall = segment_traits(features, segment_ids)
    names = {profile.segment_id: name_segment(profile, overall) for profile in profiles}
    counts = pd.Series(list(names.values())).value_counts()
    return {
        segment_id: f"{name} ({segment_id})" if counts[name] > 1 else name
        for segment_id, name in names.items()
    }


def principal_components(matrix: np.ndarray, seed: int, n: int = 3) -> np.ndarray:
    """The first n principal components (zero-padded when there are fewer features or rows)."""
    available = min(n, matrix.shape[1], max(len(matrix) - 1, 0))
    out = np.zeros((len(matrix), n))
    if available > 0:
        out[:, :available] = PCA(n_components=available, random_state=seed).fit_transform(matrix)
    return out


def ward_labels(matrix: np.ndarray, k: int) -> np.ndarray:
    """Ward's hierarchical clustering of the rows, cut at k clusters. Its linkage holds the
    interpreter lock throughout, so the model calls it through ``call_in_child``."""
    return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(matrix)


def validation_metrics(
    matrix: np.ndarray,
    labels: np.ndarray,
    k: int,
    settings: SegmentationSettings,
    log: Log = log_progress,
) -> dict[str, float]:
    """Agreement of K-means with Ward clustering on a sample, and stability across seeds.

    Ward's hierarchical clustering is quadratic in memory, so it runs on a reproducible sample of
    ``metric_sample_size`` rows. Stability refits K-means with ``stability_refits`` other seeds
    (each on its own fit sample when there are more than ``fit_sample_size`` rows) and reports the
    mean and minimum adjusted Rand index of every row's assignment against the delivered labels.

    Ward runs in a child worker (single-threaded: scipy's linkage has no parallel path) while this
    thread refits, so the two steps take the longer one's time instead of the sum; the refits do
    not depend on Ward's labels.
    """
    sample = metric_sample(len(matrix), settings.metric_sample_size, settings.seed)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ward") as ward_thread:
        ward_future = ward_thread.submit(call_in_child, ward_labels, matrix[sample], k)
        refit_scores = [
            adjusted_rand_score(
                labels,
                fit_kmeans(matrix, k, settings, seed=settings.seed + refit).predict(matrix),
            )
            for refit in range(1, settings.stability_refits + 1)
        ]
        refitted = time.perf_counter()
        ward = ward_future.result()
    log(f"segment_validation: {settings.stability_refits} K-means refits on {len(matrix)} "
        f"customers in {refitted - started:.1f} s; Ward on {len(sample)} beside them, "
        f"{time.perf_counter() - started:.1f} s for both")  # fmt: skip
    silhouettes = mean_silhouettes(matrix[sample], [labels[sample], ward])
    return {
        "k": k,
        "customers_fitted": len(matrix),
        "sample_size": len(sample),
        "ari_kmeans_vs_ward": float(adjusted_rand_score(labels[sample], ward)),
        "silhouette_kmeans": silhouettes[0],
        "silhouette_ward": silhouettes[1],
        "stability_refits": settings.stability_refits,
        "stability_mean_ari": float(np.mean(refit_scores)) if refit_scores else np.nan,
        "stability_min_ari": float(np.min(refit_scores)) if refit_scores else np.nan,
    }


K_SELECTION_DTYPES = {
    "k": "int64",
    "votes": "int64",
    "is_reproduced": "bool",
    "is_chosen": "bool",
    "choice_rule": "string",
}
VALIDATION_COLUMNS = [
    "k",
    "customers_fitted",
    "sample_size",
    "ari_kmeans_vs_ward",
    "silhouette_kmeans",
    "silhouette_ward",
    "stability_refits",
    "stability_mean_ari",
    "stability_min_ari",
    "split_half_ari",
    "is_structure_weak",
]
VALIDATION_DTYPES = {"k": "int64", "customers_fitted": "int64", "is_structure_weak": "bool"}


def fit_matrix(features: pd.DataFrame, settings: SegmentationSettings) -> np.ndarray:
    """The rows K-means is fitted on: scaled (optionally PCA-reduced) non-outlier purchasers."""
    prepared = prepare_features(features)
    reduced = reduce_dimensions(prepared.matrix, settings.pca_components, settings.seed)
    return reduced[prepared.fit_mask]


def k_selection_table(
    features: pd.DataFrame, settings: SegmentationSettings, log: Log = log_progress
) -> pd.DataFrame:
    """One row per candidate k: the classic indices, split-half stability, the chosen k and the
    rule that chose it."""
    if features.empty:
        log("segment_k_selection: no customers; empty table")
        return typed_empty(K_SELECTION_COLUMNS, K_SELECTION_DTYPES)
    matrix = fit_matrix(features, settings)
    indices = evaluate_k_range(matrix, settings, log)
    if indices.empty:
        log(
            f"segment_k_selection: {len(matrix)} customers to fit, "
            f"too few for k >= {settings.k_min}"
        )
        return typed_empty(K_SELECTION_COLUMNS, K_SELECTION_DTYPES)
    stability = split_half_stability(matrix, indices["k"].tolist(), settings, log)
    table = mark_chosen_k(indices.merge(stability, on="k", how="left"), settings)
    chosen = table.loc[table["is_chosen"]].iloc[0]
    log(f"segment_k_selection: chose k={int(chosen['k'])} ({chosen['choice_rule']})")
    return table.astype(K_SELECTION_DTYPES)


def delivered_k(k_selection: pd.DataFrame, settings: SegmentationSettings) -> int:
    """The k marked in the selection table; the fixed or minimum actionable k when there is none."""
    chosen = k_selection.loc[k_selection["is_chosen"].astype(bool), "k"]
    if len(chosen):
        return int(chosen.iloc[0])
    return settings.fixed_k or settings.min_actionable_k


def segments_of(customer_ids: pd.Series, assignments: pd.DataFrame) -> np.ndarray:
    """The ``segment_id`` of each of ``customer_ids`` in ``assignments`` (customer_id,
    segment_id). Read in the same order (both sorted by id), the two id columns are compared
    value by value instead of looked up: a lookup hashes every id as a Python string, seconds
    and a gigabyte at 10M customers."""
    if customer_ids.reset_index(drop=True).equals(
        assignments["customer_id"].reset_index(drop=True)
    ):
        return assignments["segment_id"].to_numpy()
    return customer_ids.map(assignments.set_index("customer_id")["segment_id"]).to_numpy()


def validation_table(
    features: pd.DataFrame,
    assignments: pd.DataFrame,
    k_selection: pd.DataFrame,
    settings: SegmentationSettings,
) -> pd.DataFrame:
    """One row: Ward agreement, silhouettes, reseeded stability and split-half stability of the
    delivered segments, and whether the structure is weak (the delivered k is not reproduced on
    independent halves, or the selection had no candidate at all)."""
    if features.empty or assignments.empty:
        return typed_empty(VALIDATION_COLUMNS, VALIDATION_DTYPES)
    prepared = prepare_features(features)
    reduced = reduce_dimensions(prepared.matrix, settings.pca_components, settings.seed)
    labels = segments_of(features["customer_id"], assignments)
    matrix, labels = reduced[prepared.fit_mask], labels[prepared.fit_mask]
    # Only the fitted rows are used from here on: every customer's matrix is let go.
    del prepared, reduced
    k = len(np.unique(labels))
    if k < 2 or len(matrix) <= k:
        return typed_empty(VALIDATION_COLUMNS, VALIDATION_DTYPES)
    chosen = k_selection.loc[k_selection["is_chosen"].astype(bool)]
    split_half = float(chosen["stability_ari"].iloc[0]) if len(chosen) else np.nan
    row = {
        **validation_metrics(matrix, labels, k, settings),
        "split_half_ari": split_half,
        "is_structure_weak": not (split_half >= settings.min_stability),
    }
    return pd.DataFrame([row])[VALIDATION_COLUMNS].astype(VALIDATION_DTYPES)

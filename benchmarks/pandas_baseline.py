"""The notebook way, for comparison: RFM, seasonality, K-means and a response model in plain
pandas + scikit-learn, in memory, on the raw sample tables of a warehouse built by this project.

    python benchmarks/pandas_baseline.py path/to/warehouse.duckdb [--json out.json]

Reports wall time per step and the peak memory of the process. It follows what the reference
notebooks do (quintile RFM scores, month-of-year index, K-means for k = 2..10 with silhouette on
a sample, logistic regression / random forest / gradient boosting / SVM compared by
cross-validated ROC-AUC), without the project's cleaning, rejects, tests or point-in-time
features, so it does less work than `dbt build`: the ratio flatters pandas.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import silhouette_score
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

SEED = 42
SILHOUETTE_SAMPLE = 10_000
SVM_ROWS = 5_000


def load(database: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return {
            name: conn.execute(f"select * from sample.sample_{name}").df()
            for name in ("customers", "orders", "campaign_contacts")
        }


def rfm(orders: pd.DataFrame) -> pd.DataFrame:
    orders = orders.drop_duplicates("order_id")
    as_of = orders["order_date"].max() + pd.Timedelta(days=1)
    table = orders.groupby("customer_id").agg(
        last_order=("order_date", "max"),
        frequency=("order_id", "nunique"),
        monetary=("amount", "sum"),
    )
    table["recency"] = (as_of - table["last_order"]).dt.days
    for column, ascending in (("recency", False), ("frequency", True), ("monetary", True)):
        ranks = table[column].rank(method="average", pct=True, ascending=ascending)
        table[f"{column[0]}_score"] = np.ceil(ranks * 5).clip(1, 5).astype(int)
    return table


def seasonality(orders: pd.DataFrame) -> pd.Series:
    monthly = orders.groupby(orders["order_date"].dt.to_period("M"))["amount"].sum()
    by_month = monthly.groupby(monthly.index.month).mean()
    return by_month / by_month.mean()


def features(customers: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    merged = customers.set_index("customer_id").join(table, how="inner")
    frame = pd.DataFrame(
        {
            "income": np.log1p(merged["income"].fillna(merged["income"].median())),
            "monetary": np.log1p(merged["monetary"].clip(lower=0)),
            "frequency": np.log1p(merged["frequency"]),
            "recency": merged["recency"],
            "kids": merged["kids_home"].fillna(0),
            "teens": merged["teens_home"].fillna(0),
        }
    )
    return frame


def kmeans(frame: pd.DataFrame) -> int:
    scaled = StandardScaler().fit_transform(frame)
    rng = np.random.default_rng(SEED)
    sample = rng.choice(len(scaled), size=min(SILHOUETTE_SAMPLE, len(scaled)), replace=False)
    scores = {}
    for k in range(2, 11):
        model_class = MiniBatchKMeans if len(scaled) > 200_000 else KMeans
        labels = model_class(n_clusters=k, random_state=SEED, n_init=3).fit_predict(scaled)
        scores[k] = silhouette_score(scaled[sample], labels[sample])
    return max(scores, key=scores.get)


def response(frame: pd.DataFrame, contacts: pd.DataFrame) -> dict[str, float]:
    broadcast = contacts[contacts["variant"].fillna("broadcast") == "broadcast"]
    latest = broadcast["campaign_id"].max()
    target = broadcast[broadcast["campaign_id"] == latest].set_index("customer_id")["responded"]
    data = frame.join(target.rename("responded"), how="inner")
    x, y = (
        StandardScaler().fit_transform(data.drop(columns="responded")),
        data["responded"].astype(int),
    )
    models = {
        "logistic_regression": LogisticRegression(max_iter=1000, class_weight="balanced"),
        "random_forest": RandomForestClassifier(
            n_estimators=200, min_samples_leaf=5, class_weight="balanced", random_state=SEED
        ),
        "gradient_boosting": HistGradientBoostingClassifier(random_state=SEED),
    }
    scores = {
        name: cross_val_score(model, x, y, cv=5, scoring="roc_auc").mean()
        for name, model in models.items()
    }
    rows = np.random.default_rng(SEED).choice(len(x), size=min(SVM_ROWS, len(x)), replace=False)
    svm = SVC(class_weight="balanced", random_state=SEED)
    scores["svm"] = cross_val_score(svm, x[rows], y.iloc[rows], cv=5, scoring="roc_auc").mean()
    return scores


def run(database: Path) -> dict:
    timings: dict[str, float] = {}

    def timed(step: str, function, *args):
        started = time.perf_counter()
        result = function(*args)
        timings[step] = round(time.perf_counter() - started, 2)
        return result

    frames = timed("load", load, database)
    table = timed("rfm", rfm, frames["orders"])
    timed("seasonality", seasonality, frames["orders"])
    frame = timed("features", features, frames["customers"], table)
    chosen_k = timed("kmeans", kmeans, frame)
    scores = timed("response_models", response, frame, frames["campaign_contacts"])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": timings,
        "total_seconds": round(sum(timings.values()), 1),
        "peak_rss_mb": round(peak_mb),
        "chosen_k": chosen_k,
        "roc_auc": {name: round(score, 3) for name, score in scores.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.database)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

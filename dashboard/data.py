"""Where the dashboard reads the marts from, and the figures it draws from them.

Kept apart from the Streamlit page so the figures are plain functions of DataFrames, testable
without a browser. Every figure is a Plotly figure; the page only lays them out.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import plotly.express as px
import plotly.figure_factory as ff
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from scipy.cluster.hierarchy import linkage

# Scatter plots and the dendrogram draw a sample: a browser cannot show a million points, and
# Ward's linkage is quadratic in memory.
SCATTER_SAMPLE = 3000
DENDROGRAM_SAMPLE = 150
RECOMMENDATION_COLORS = {
    "target": "#2e7d32",
    "test a different offer": "#f9a825",
    "inconclusive: extend the test": "#9e9e9e",
    "do not target": "#c62828",
}


class MartSource:
    """Reads marts read-only from the DuckDB warehouse, or from the Parquet export.

    DuckDB allows one writer: while `dbt build` runs, point the dashboard at the Parquet export
    (``SEGMENT_MARTS_PARQUET_DIR``) or at a copy of the file.
    """

    def __init__(self, database: str | None = None, parquet_dir: str | None = None) -> None:
        self.parquet_dir = Path(parquet_dir) if parquet_dir else None
        self.conn = duckdb.connect()
        if self.parquet_dir is None:
            path = Path(database or "segment_marts.duckdb")
            if not path.exists():
                raise FileNotFoundError(
                    f"No warehouse at {path}: run `dbt build` first, or set SEGMENT_MARTS_DB "
                    "(or SEGMENT_MARTS_PARQUET_DIR for the Parquet export)."
                )
            escaped = str(path).replace("'", "''")
            self.conn.execute(f"attach '{escaped}' as warehouse (read_only)")

    def relation(self, mart: str) -> str:
        if self.parquet_dir is not None:
            path = str(self.parquet_dir / f"{mart}.parquet").replace("'", "''")
            return f"read_parquet('{path}')"
        return f"warehouse.marts.{mart}"

    def query(self, sql: str) -> pd.DataFrame:
        """Run SQL in which ``{mart_name}`` placeholders name marts."""
        return self.conn.execute(sql.format_map(_Relations(self))).df()

    def read(self, mart: str) -> pd.DataFrame:
        return self.query(f"select * from {{{mart}}}")


def source_settings() -> dict[str, str | None]:
    """Where the marts are read from: SEGMENT_MARTS_PARQUET_DIR if set, else SEGMENT_MARTS_DB."""
    return {
        "database": os.environ.get("SEGMENT_MARTS_DB", "segment_marts.duckdb"),
        "parquet_dir": os.environ.get("SEGMENT_MARTS_PARQUET_DIR") or None,
    }


class _Relations(dict):
    def __init__(self, source: MartSource) -> None:
        super().__init__()
        self.source = source

    def __missing__(self, key: str) -> str:
        return self.source.relation(key)


# --- the data each figure needs -------------------------------------------------------------


def load_frames(source: MartSource) -> dict[str, pd.DataFrame]:
    """Every frame the dashboard draws, read once."""
    return {
        "segment_profiles": source.query("select * from {segment_profiles} order by segment_id"),
        "segment_validation": source.read("segment_validation"),
        "segment_points": source.query(
            "select segment_id, segment_name, pc1, pc2, pc3 from {customer_segments}"
            f" using sample {SCATTER_SAMPLE} rows (reservoir, 42)"
        ),
        "k_selection": source.query("select * from {segment_k_selection} order by k"),
        "rfm_grid": source.query("select * from {rfm_grid} order by r_score, fm_score"),
        "clv_calibration": source.query(
            "select * from {clv_calibration} order by calibration_frequency"
        ),
        "clv_tracking": source.query("select * from {clv_tracking} order by week_index"),
        "clv_p_alive_matrix": source.query(
            "select * from {clv_p_alive_matrix} order by frequency, recency_weeks"
        ),
        "sales_monthly": source.query("select * from {sales_monthly} order by month_start"),
        "seasonality": source.query(
            "select * from {sales_seasonality} order by period_type, period"
        ),
        "campaign_segments": source.query(
            """
            select * from {campaign_performance}
            where segment_type = 'kmeans'
            order by campaign_id, segment_id
            """
        ),
        "ab_tests": source.query(
            """
            select tests.*, coalesce(names.campaign_name, tests.campaign_id) as campaign_name
            from {ab_test_results} as tests
            left join (
                select campaign_id, campaign_name from {campaign_performance}
                where segment_type = 'all'
            ) as names on tests.campaign_id = names.campaign_id
            order by tests.campaign_id, tests.variant
            """
        ),
        "response_lift": source.query("select * from {response_lift} order by score_decile"),
        "uplift_deciles": source.query(
            "select * from {uplift_deciles} order by campaign_id, variant, uplift_decile"
        ),
        "targeting_strategies": source.query(
            "select * from {targeting_strategies} order by campaign_id, variant, strategy"
        ),
        "headline": source.query("select * from {headline_kpis}"),
        "campaign_totals": source.query(
            """
            select * from {campaign_performance}
            where segment_type = 'all'
            order by campaign_id
            """
        ),
        "campaign_channel_response": source.query(
            "select * from {campaign_channel_response} order by channel, band_type, band_id"
        ),
        "demographic_insights": source.query(
            "select * from {demographic_insights} order by dimension, value"
        ),
        "measure_correlations": source.read("measure_correlations"),
        "cohort_retention": source.query(
            "select * from {cohort_retention} order by cohort_month, months_since_first_order"
        ),
        "spend_drivers": source.read("spend_drivers"),
        "response_model_metrics": source.query(
            "select * from {response_model_metrics} order by model"
        ),
        "response_feature_importance": source.query(
            """
            select importance.*
            from {response_feature_importance} as importance
            inner join {response_model_metrics} as metrics
                on importance.model = metrics.model and metrics.is_chosen
            order by importance.importance_rank
            """
        ),
        "clv_backtest": source.query("select * from {clv_backtest} order by model"),
        "segment_migration": source.query(
            """
            select * from {segment_migration}
            where segment_type = 'rfm'
                and period_end = (select max(period_end) from {segment_migration})
            order by from_segment_id, to_segment_id
            """
        ),
        "segment_size_history": source.query(
            "select * from {segment_size_history} where segment_type = 'rfm' "
            "order by period_end, segment_id"
        ),
    }


# --- figures ------------------------------------------------------------------------------------


def segment_sizes(frames: dict[str, pd.DataFrame]) -> go.Figure:
    profiles = frames["segment_profiles"]
    figure = px.bar(
        profiles,
        x="segment_name",
        y="customers",
        color="recommendation",
        color_discrete_map=RECOMMENDATION_COLORS,
        hover_data=["share_of_customers", "share_of_revenue", "avg_clv"],
        title="Segment sizes (colour: campaign recommendation)",
    )
    return figure.update_layout(xaxis_title=None)


def segment_profile_heatmap(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """Each profile measure as a z-score across segments, so one colour scale reads them all."""
    profiles = frames["segment_profiles"].set_index("segment_name")
    measures = [
        "avg_income",
        "avg_age",
        "avg_household_size",
        "avg_recency_days",
        "avg_frequency",
        "avg_monetary",
        "deal_share",
        "response_rate",
        "avg_clv",
    ]
    values = profiles[measures].astype(float)
    spread = values.std(ddof=0).replace(0, 1).fillna(1)
    zscores = (values - values.mean()) / spread
    return px.imshow(
        zscores.T,
        text_auto=".1f",
        color_continuous_scale="RdBu_r",
        zmin=-2,
        zmax=2,
        aspect="auto",
        title="Segment profiles (z-score of each measure across segments)",
        labels={"x": "segment", "y": "measure", "color": "z"},
    )


def rfm_grid(frames: dict[str, pd.DataFrame]) -> go.Figure:
    grid = frames["rfm_grid"]
    counts = grid.pivot_table(
        index="fm_score", columns="r_score", values="customers", aggfunc="sum"
    )
    counts = counts.reindex(index=range(1, 6), columns=range(1, 6)).fillna(0)
    # A cell can hold customers of one segment only (the rules partition the grid); "last"
    # after sorting keeps the largest should a user's edited rules ever overlap.
    names = (
        grid.sort_values("customers")
        .pivot_table(index="fm_score", columns="r_score", values="rfm_segment", aggfunc="last")
        .reindex(index=range(1, 6), columns=range(1, 6))
        .astype(object)
        .fillna("")
    )
    figure = go.Figure(
        go.Heatmap(
            z=counts.to_numpy(),
            x=[f"R{score}" for score in counts.columns],
            y=[f"FM{score}" for score in counts.index],
            text=names.to_numpy(),
            texttemplate="%{text}<br>%{z}",
            colorscale="Blues",
            colorbar={"title": "customers"},
        )
    )
    return figure.update_layout(
        title="RFM grid: customers by recency score and frequency-monetary score"
    )


def clv_by_segment(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """Box plot from segment_profiles' quantiles; whiskers at the 5th and 95th percentiles."""
    clv = frames["segment_profiles"]
    figure = go.Figure(
        go.Box(
            x=clv["segment_name"],
            q1=clv["predicted_clv_12m_p25"],
            median=clv["predicted_clv_12m_median"],
            q3=clv["predicted_clv_12m_p75"],
            lowerfence=clv["predicted_clv_12m_p05"],
            upperfence=clv["predicted_clv_12m_p95"],
            mean=clv["avg_predicted_clv_12m"],
            name="predicted CLV",
        )
    )
    return figure.update_layout(
        title="Predicted 12-month CLV by segment (box: quartiles, whiskers: 5th-95th percentile)"
    )


def clv_calibration(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """Mean holdout purchases by calibration repeat purchases: what happened against BG/NBD."""
    table = frames["clv_calibration"]
    labels = [f"{f}+" if f == table["calibration_frequency"].max() and f >= 7 else str(f)
              for f in table["calibration_frequency"]]  # fmt: skip
    figure = go.Figure(
        [
            go.Bar(x=labels, y=table["actual_holdout_purchases"], name="actual"),
            go.Bar(x=labels, y=table["expected_holdout_purchases"], name="BG/NBD expected"),
        ]
    )
    return figure.update_layout(
        title="CLV backtest: holdout purchases per customer by calibration repeat purchases",
        xaxis_title="repeat purchases in the calibration period",
        yaxis_title="mean purchases in the holdout",
        barmode="group",
    )


def clv_tracking(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """Cumulative repeat purchases, actual and expected, with the calibration end marked."""
    tracking = frames["clv_tracking"]
    figure = go.Figure(
        [
            go.Scatter(
                x=tracking["period_start"],
                y=tracking["actual_cumulative_repeat_purchases"],
                mode="lines",
                name="actual",
            ),
            go.Scatter(
                x=tracking["period_start"],
                y=tracking["expected_cumulative_repeat_purchases"],
                mode="lines",
                line_dash="dash",
                name="BG/NBD expected",
            ),
        ]
    )
    holdout = tracking.loc[tracking["is_holdout"], "period_start"]
    if len(holdout):
        figure.add_vline(x=holdout.iloc[0], line_dash="dot", line_color="#616161")
    return figure.update_layout(
        title="CLV backtest: cumulative repeat purchases (dotted: calibration end)",
        yaxis_title="repeat purchases since the first week",
    )


def p_alive_heatmap(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """P(alive) over repeat purchases x recency; hover shows the customers in each cell."""
    matrix = frames["clv_p_alive_matrix"]
    grid = matrix.pivot_table(
        index="frequency", columns="recency_weeks", values="p_alive", aggfunc="first"
    )
    counts = matrix.pivot_table(
        index="frequency", columns="recency_weeks", values="customers", aggfunc="first"
    )
    figure = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"{weeks:.0f}" for weeks in grid.columns],
            y=grid.index,
            customdata=counts.to_numpy(),
            colorscale="RdYlGn",
            zmin=0,
            zmax=1,
            hovertemplate="repeat purchases %{y}, last purchase at week %{x}: "
            "P(alive) %{z:.2f}, %{customdata} customers<extra></extra>",
        )
    )
    return figure.update_layout(
        title="Probability a customer is still active (BG/NBD)",
        xaxis_title="weeks from first to last purchase",
        yaxis_title="repeat purchases",
    )


def monthly_revenue(frames: dict[str, pd.DataFrame]) -> go.Figure:
    sales = frames["sales_monthly"].copy()
    seasonality = frames["seasonality"]
    peak_months = set(
        seasonality.loc[
            (seasonality["period_type"] == "month_of_year") & seasonality["is_peak"], "period"
        ]
    )
    sales["is_peak_month"] = pd.to_datetime(sales["month_start"]).dt.month.isin(peak_months)
    figure = go.Figure(
        go.Scatter(x=sales["month_start"], y=sales["revenue"], mode="lines", name="revenue")
    )
    peaks = sales[sales["is_peak_month"]]
    figure.add_trace(
        go.Scatter(
            x=peaks["month_start"],
            y=peaks["revenue"],
            mode="markers",
            marker={"size": 10, "color": "#c62828"},
            name="seasonal peak month",
        )
    )
    return figure.update_layout(title="Monthly revenue (net of returns), seasonal peaks marked")


def seasonal_index(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """Seasonal indices by weekday and by month, each panel in calendar order, peaks marked."""
    seasonality = frames["seasonality"].sort_values(["period_type", "period"])
    panels = [("day_of_week", "weekday"), ("month_of_year", "month")]
    figure = make_subplots(
        rows=1, cols=2, column_widths=[0.35, 0.65], subplot_titles=[t for _, t in panels]
    )
    for column, (period_type, _) in enumerate(panels, start=1):
        periods = seasonality[seasonality["period_type"] == period_type]
        figure.add_trace(
            go.Bar(
                x=periods["period_name"],
                y=periods["seasonal_index"],
                marker_color=periods["is_peak"].map({True: "#c62828", False: "#1565c0"}),
                name=period_type,
                showlegend=False,
            ),
            row=1,
            col=column,
        )
        figure.add_hline(y=1, line_dash="dot", row=1, col=column)
    return figure.update_layout(
        title="Seasonal index by weekday and month (1 = average; red: peak)"
    )


def arm_labels(frame: pd.DataFrame) -> pd.Series:
    """'campaign <id> · <variant>': how the charts name an experiment arm."""
    return "campaign " + frame["campaign_id"].astype(str) + " · " + frame["variant"].astype(str)


def campaign_roi(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """ROI the decision rests on: incremental (against control) for experiments, gross for
    broadcasts, which have no control group."""
    campaigns = frames["campaign_segments"].copy()
    campaigns["campaign"] = campaigns["campaign_name"].fillna(campaigns["campaign_id"].astype(str))
    campaigns["campaign"] += campaigns["attribution"].map(
        {"incremental": " (incremental)", "gross": " (gross)"}
    )
    campaigns["segment"] = campaigns["segment_name"]
    campaigns["decision_roi"] = campaigns["incremental_roi"].where(
        campaigns["attribution"] == "incremental", campaigns["roi"]
    )
    figure = px.bar(
        campaigns,
        x="campaign",
        y="decision_roi",
        color="recommendation",
        pattern_shape="segment",
        barmode="group",
        color_discrete_map=RECOMMENDATION_COLORS,
        hover_data=["segment_name", "contacts", "response_rate", "roi", "incremental_profit"],
        text=campaigns["decision_roi"].map("{:.2f}".format),
        title=(
            "Campaign ROI by K-means segment: incremental against control for experiments, "
            "gross for broadcasts (axis capped at 3)"
        ),
    )
    # One high-ROI campaign would flatten every other one to an invisible sliver.
    values = campaigns["decision_roi"].dropna()
    top = min(float(values.max()) if len(values) else 1.0, 3.0)
    bottom = max(float(values.min()) if len(values) else -1.0, -3.0)
    figure.update_yaxes(title="ROI", range=[min(bottom, -1.0) * 1.1, max(top, 0.5) * 1.1])
    return figure.add_hline(y=0, line_dash="dot").update_layout(xaxis_title=None)


def ab_test_readout(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """Each arm's conversion lift and revenue difference with its 95% CI and p-value."""
    tests = frames["ab_tests"].copy()
    tests["arm"] = tests["campaign_name"].astype(str) + " · " + tests["variant"].astype(str)
    figure = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.2,
        subplot_titles=(
            "Conversion lift (points), 95% CI",
            "Revenue per customer difference, 95% CI",
        ),
    )
    panels = [
        ("conversion_lift_abs", "conversion_ci_low", "conversion_ci_high", "conversion", 100),
        ("revenue_diff", "revenue_ci_low", "revenue_ci_high", "revenue", 1),
    ]
    for column, (estimate, low, high, metric, scale) in enumerate(panels, start=1):
        relative = tests[f"{metric}_lift_rel"] if metric == "revenue" else None
        text = [
            f"{value * scale:+.1f} [{low_value * scale:.1f}, {high_value * scale:.1f}]"
            + (f" ({rel:+.0%})" if relative is not None and pd.notna(rel) else "")
            + f", {p_value_text(p)}"
            for value, low_value, high_value, p, rel in zip(
                tests[estimate],
                tests[low],
                tests[high],
                tests[f"{metric}_p_value"],
                relative if relative is not None else [None] * len(tests),
                strict=True,
            )
        ]
        figure.add_trace(
            go.Scatter(
                x=tests[estimate] * scale,
                y=tests["arm"],
                mode="markers+text",
                text=text,
                textposition="top center",
                marker={"size": 12},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (tests[high] - tests[estimate]) * scale,
                    "arrayminus": (tests[estimate] - tests[low]) * scale,
                },
                name=metric,
                showlegend=False,
            ),
            row=1,
            col=column,
        )
        figure.add_vline(x=0, line_dash="dot", row=1, col=column)
        # Room for the labels: the interval plus a margin on both sides of 0.
        span = pd.concat([tests[low], tests[high]]) * scale
        if len(span):
            reach = max(abs(float(span.min())), abs(float(span.max())), 1e-9) * 1.6
            figure.update_xaxes(range=[-reach, reach], row=1, col=column)
    figure.update_yaxes(showticklabels=True, row=1, col=2)
    return figure.update_layout(
        title="A/B test readout (treatment - control)", height=220 + 80 * max(len(tests), 1)
    )


def p_value_text(p_value: float | None) -> str:
    """'p < 0.001' or 'p = 0.062'."""
    if p_value is None or pd.isna(p_value):
        return "p n/a"
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def response_lift(frames: dict[str, pd.DataFrame]) -> go.Figure:
    lift = frames["response_lift"]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(go.Bar(x=lift["score_decile"], y=lift["lift"], name="lift"))
    figure.add_trace(
        go.Scatter(
            x=lift["score_decile"], y=lift["cumulative_gain"], name="cumulative gain", mode="lines"
        ),
        secondary_y=True,
    )
    figure.update_xaxes(title="score decile (1 = highest scores)", dtick=1)
    figure.update_yaxes(title="lift", secondary_y=False)
    figure.update_yaxes(title="cumulative share of responders", secondary_y=True, range=[0, 1])
    return figure.update_layout(title="Response model: lift by decile (out-of-fold)")


def qini_curve(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """Incremental responses when treating the customers with the highest out-of-fold uplift
    first, against treating a random share of them (the straight line)."""
    deciles = frames["uplift_deciles"]
    figure = go.Figure()
    for (campaign_id, variant), arm in deciles.groupby(["campaign_id", "variant"], sort=True):
        share = [0.0, *(arm["cumulative_customers"] / arm["cumulative_customers"].max())]
        gained = [0.0, *arm["cumulative_incremental_responses"]]
        label = f"campaign {campaign_id} · {variant}"
        figure.add_trace(go.Scatter(x=share, y=gained, mode="lines+markers", name=label))
        figure.add_trace(
            go.Scatter(
                x=[0, 1], y=[0, gained[-1]], mode="lines", line={"dash": "dot"},
                name=f"{label}: random",
            )
        )  # fmt: skip
    figure.update_xaxes(title="share of the experiment's customers treated (highest uplift first)")
    figure.update_yaxes(title="incremental responses")
    return figure.update_layout(title="Uplift model: Qini curve (out of fold)")


def uplift_by_decile(frames: dict[str, pd.DataFrame]) -> go.Figure:
    deciles = frames["uplift_deciles"].copy()
    deciles["arm"] = arm_labels(deciles)
    figure = px.bar(
        deciles,
        x="uplift_decile",
        y=deciles["uplift"] * 100,
        color="arm",
        barmode="group",
        error_y=(deciles["uplift_ci_high"] - deciles["uplift"]) * 100,
        error_y_minus=(deciles["uplift"] - deciles["uplift_ci_low"]) * 100,
        title="Observed uplift by out-of-fold uplift decile (points, 95% CI)",
    )
    figure.update_xaxes(title="uplift decile (1 = highest predicted uplift)", dtick=1)
    return figure.update_yaxes(title="treated - control response rate (points)")


def targeting_strategy_profit(frames: dict[str, pd.DataFrame]) -> go.Figure:
    strategies = frames["targeting_strategies"].copy()
    strategies["arm"] = arm_labels(strategies)
    figure = px.bar(
        strategies,
        x="strategy",
        y="incremental_profit",
        color="arm",
        barmode="group",
        error_y=strategies["incremental_profit_ci_high"] - strategies["incremental_profit"],
        error_y_minus=strategies["incremental_profit"] - strategies["incremental_profit_ci_low"],
        hover_data=["customers_targeted", "share_targeted", "incremental_responses"],
        title="Incremental profit of each way to pick who gets the offer (experiment, 95% CI)",
    )
    return figure.add_hline(y=0, line_dash="dot").update_layout(xaxis_title=None)


def segment_scatter_2d(frames: dict[str, pd.DataFrame]) -> go.Figure:
    return px.scatter(
        frames["segment_points"],
        x="pc1",
        y="pc2",
        color="segment_name",
        opacity=0.6,
        title=f"K-means segments on two principal components (sample of {SCATTER_SAMPLE})",
    )


def segment_scatter_3d(frames: dict[str, pd.DataFrame]) -> go.Figure:
    figure = px.scatter_3d(
        frames["segment_points"],
        x="pc1",
        y="pc2",
        z="pc3",
        color="segment_name",
        opacity=0.6,
        title="K-means segments on three principal components",
    )
    return figure.update_traces(marker={"size": 2})


def k_selection(frames: dict[str, pd.DataFrame]) -> go.Figure:
    candidates = frames["k_selection"]
    criteria = [
        ("stability_ari", "Reproduced on independent halves (ARI)"),
        ("silhouette", "Silhouette (higher is better)"),
        ("calinski_harabasz", "Calinski-Harabasz (higher is better)"),
        ("davies_bouldin", "Davies-Bouldin (lower is better)"),
    ]
    figure = make_subplots(rows=1, cols=4, subplot_titles=[title for _, title in criteria])
    chosen = candidates.loc[candidates["is_chosen"], "k"]
    for column, (criterion, _) in enumerate(criteria, start=1):
        figure.add_trace(
            go.Scatter(
                x=candidates["k"], y=candidates[criterion], mode="lines+markers", name=criterion
            ),
            row=1,
            col=column,
        )
        for k in chosen:
            figure.add_vline(x=k, line_dash="dot", line_color="#c62828", row=1, col=column)
    rule = candidates["choice_rule"].iloc[0] if len(candidates) else "no candidates"
    return figure.update_layout(
        title=f"Choosing k (dotted: the chosen k): {rule}", showlegend=False
    )


def ward_dendrogram(frames: dict[str, pd.DataFrame]) -> go.Figure:
    points = frames["segment_points"].head(DENDROGRAM_SAMPLE)
    features = points[["pc1", "pc2", "pc3"]].to_numpy(dtype=float)
    chosen = frames["k_selection"].loc[frames["k_selection"]["is_chosen"], "k"]
    k = int(chosen.iloc[0]) if len(chosen) else 2
    # Cut the tree where it has k clusters, so the colours match the chosen number of segments.
    merge_heights = linkage(features, method="ward")[:, 2]
    threshold = float(np.sort(merge_heights)[-(k - 1)]) if len(merge_heights) >= k else None
    figure = ff.create_dendrogram(
        features,
        linkagefun=lambda values: linkage(values, method="ward"),
        labels=points["segment_id"].astype(str).tolist(),
        color_threshold=threshold,
    )
    return figure.update_layout(
        title=f"Ward dendrogram of {len(points)} sampled customers (leaves: K-means segment id)",
        height=450,
    )


def point_count(figure: go.Figure) -> int:
    """How many values the figure's traces carry (a Sankey's: its links): 0 means an empty chart."""
    total = 0
    for trace in figure.data:
        lengths = [
            len(values)
            for attribute in ("x", "y", "z", "q1")
            if (values := getattr(trace, attribute, None)) is not None
        ]
        if trace.type == "sankey" and trace.link.value is not None:
            lengths.append(len(trace.link.value))
        total += max(lengths, default=0)
    return total

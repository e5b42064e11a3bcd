"""What the manager's overview says in words and cards, and the charts of the questions the
original analyses asked (channel and age, family spend, correlations, retention, drivers, models).

Plain functions of the frames `dashboard.data.load_frames` reads, testable without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.data import p_value_text
from dashboard.formats import format_value, label

# --- the overview in words -----------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The overview's top row: what a manager asks first, already formatted."""

    title: str
    value: str
    help: str


def headline_figures(frames: dict[str, pd.DataFrame]) -> list[Headline]:
    """Revenue, active customers, share at risk, predicted 12-month CLV and campaign profit."""
    figures = frames["headline"].iloc[0] if len(frames["headline"]) else pd.Series(dtype=object)

    def value(column: str) -> object:
        return figures.get(column)

    gross = int(value("gross_campaigns") or 0)
    profit_help = (
        "Campaign totals: incremental profit (against the control group) for experiments"
        + (f"; gross profit for the {gross} broadcast campaign(s) without one" if gross else "")
    )
    return [
        Headline("Revenue", format_value(value("revenue"), "currency"), "Net of returns."),
        Headline(
            "Active customers",
            format_value(value("active_customers"), "count"),
            "Customers with a purchase in the last 365 days.",
        ),
        Headline(
            "Share at risk",
            format_value(value("share_at_risk"), "pct"),
            "Purchasers whose BG/NBD probability of still being a customer (P(alive)) is below "
            "50%; n/a when the input has no order history to fit BG/NBD on.",
        ),
        Headline(
            "Predicted 12-month CLV",
            format_value(value("predicted_clv_12m"), "currency"),
            "What the current customers are expected to spend in the next 12 months "
            "(BG/NBD + Gamma-Gamma; the heuristic CLV where those cannot be fitted).",
        ),
        Headline(
            "Campaign profit", format_value(value("campaign_profit"), "currency"), profit_help
        ),
    ]


@dataclass(frozen=True)
class SegmentCard:
    """One K-means segment as the overview shows it."""

    name: str
    size: str
    value: str
    buys: str
    action: str
    offers: tuple[str, ...]


def segment_cards(frames: dict[str, pd.DataFrame]) -> list[SegmentCard]:
    """Name, size, value, what it buys and where, and the recommended action of each segment.

    Offers are the experiments' recommendations for the segment (incremental profit).
    """
    profiles = frames["segment_profiles"]
    experiments = frames["campaign_segments"]
    experiments = experiments[experiments["attribution"] == "incremental"]
    cards = []
    for profile in profiles.itertuples(index=False):
        category_share = getattr(profile, f"spend_share_{profile.top_category}", None)
        channel_share = getattr(profile, f"purchase_share_{profile.top_channel}", None)
        offers = experiments[experiments["segment_id"] == profile.segment_id]
        cards.append(
            SegmentCard(
                name=profile.segment_name,
                size=f"{format_value(profile.customers, 'count')} customers "
                f"({format_value(profile.share_of_customers, 'pct')})",
                value=f"{format_value(profile.share_of_revenue, 'pct')} of revenue · avg spend "
                f"{format_value(profile.avg_monetary, 'currency')} · predicted 12-month CLV "
                f"{format_value(profile.avg_predicted_clv_12m, 'currency')}",
                buys=f"{profile.top_category} ({format_value(category_share, 'pct')} of spend), "
                f"mostly {profile.top_channel} ({format_value(channel_share, 'pct')} of "
                "purchases)",
                action=f"Broadcast campaigns: {profile.recommendation}",
                offers=tuple(
                    f"{offer.campaign_name}: {offer.recommendation}"
                    for offer in offers.itertuples(index=False)
                ),
            )
        )
    return cards


def campaign_decisions(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per campaign: what it made and what to do, losers first.

    Profit is incremental where a control group exists, else gross (the column says which).
    """
    campaigns = frames["campaign_totals"]
    columns = ["Campaign", "Contacts", "Response rate", "Profit", "Profit is", "ROI", "Decision"]
    if campaigns.empty:
        return pd.DataFrame(columns=columns)
    is_incremental = campaigns["attribution"] == "incremental"
    profit = campaigns["incremental_profit"].where(is_incremental, campaigns["profit"])
    roi = campaigns["incremental_roi"].where(is_incremental, campaigns["roi"])
    table = pd.DataFrame(
        {
            "Campaign": campaigns["campaign_name"].fillna(campaigns["campaign_id"]),
            "Contacts": [format_value(v, "count") for v in campaigns["contacts"]],
            "Response rate": [format_value(v, "pct") for v in campaigns["response_rate"]],
            "profit_value": profit,
            "Profit": [format_value(v, "currency") for v in profit],
            "Profit is": campaigns["attribution"].map(
                {"incremental": "incremental (vs control)", "gross": "gross (no control group)"}
            ),
            "ROI": [format_value(v, "pct") for v in roi],
            "Decision": campaigns["recommendation"],
        }
    )
    return table.sort_values("profit_value", kind="stable")[columns].reset_index(drop=True)


def experiment_verdicts(frames: dict[str, pd.DataFrame]) -> list[str]:
    """One sentence per experiment arm: did it lift conversion, and did it make money."""
    verdicts = []
    for test in frames["ab_tests"].itertuples(index=False):
        rates = f"{test.conversion_rate_control:.1%} → {test.conversion_rate_treatment:.1%}"
        conversion = (
            f"conversion {rates} ({test.conversion_lift_abs * 100:+.1f} points, "
            f"{p_value_text(test.conversion_p_value)})"
        )
        revenue = (
            f"revenue per customer {format_value(test.revenue_diff, 'currency')}"
            f" ({format_value(test.revenue_lift_rel, 'pct')}, {p_value_text(test.revenue_p_value)})"
        )
        if test.is_revenue_significant and test.revenue_diff < 0:
            verdict = "it loses revenue: do not roll it out as is"
        elif test.is_revenue_significant:
            verdict = "it adds revenue"
        elif test.is_conversion_significant:
            verdict = "more customers convert, but the revenue effect is not proven"
        else:
            verdict = "no proven effect"
        verdicts.append(
            f"**{test.campaign_name} · {test.variant}**: {conversion}; {revenue}: {verdict}."
        )
    return verdicts


# --- charts of the questions the original analyses asked -----------------------------------------


def channel_age_response(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """Response rate by campaign channel and age band: who answers which channel."""
    bands = frames["campaign_channel_response"]
    bands = bands[(bands["band_type"] == "age") & (bands["band_id"] > 0)]
    figure = px.bar(
        bands,
        x="band",
        y="response_rate",
        color="channel",
        barmode="group",
        hover_data={"contacts": ":,", "responses": ":,", "response_index": ":.2f"},
        title="Who answers which channel: response rate by age band",
        labels={"band": "age band", "response_rate": "response rate"},
    )
    return figure.update_yaxes(tickformat=".0%")


def family_spend(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """Average spend and its category mix by household size."""
    insights = frames["demographic_insights"]
    households = insights[insights["dimension"] == "household_size"].copy()
    households["household"] = households["value"] + " people"
    shares = [column for column in households.columns if column.startswith("spend_share_")]
    long = households.melt(
        id_vars=["household", "avg_spend"],
        value_vars=shares,
        var_name="category",
        value_name="share",
    )
    long["category"] = long["category"].str.removeprefix("spend_share_")
    long["spend"] = long["share"] * long["avg_spend"]
    figure = px.bar(
        long,
        x="household",
        y="spend",
        color="category",
        title="Spending by family structure: average spend per customer by household size",
        labels={"spend": "average spend", "household": "household size"},
    )
    return figure.update_layout(xaxis={"categoryorder": "category ascending"})


def correlation_heatmap(frames: dict[str, pd.DataFrame]) -> go.Figure:
    correlations = frames["measure_correlations"]
    matrix = correlations.pivot(index="measure_a", columns="measure_b", values="correlation")  # noqa: PD010
    order = list(dict.fromkeys(correlations["measure_a"]))
    matrix = matrix.reindex(index=order, columns=order)
    return px.imshow(
        matrix,
        color_continuous_scale="RdBu_r",
        zmin=-1,
        zmax=1,
        aspect="auto",
        title="Correlations of the customer measures (purchasers)",
        labels={"x": "", "y": "", "color": "correlation"},
    ).update_layout(height=650)


def cohort_retention_heatmap(frames: dict[str, pd.DataFrame]) -> go.Figure:
    cohorts = frames["cohort_retention"]
    matrix = cohorts.pivot(  # noqa: PD010
        index="cohort_month", columns="months_since_first_order", values="retention_rate"
    )
    figure = px.imshow(
        matrix,
        color_continuous_scale="Blues",
        zmin=0,
        zmax=1,
        aspect="auto",
        title="Cohort retention: share of each first-purchase month buying again, by month since",
        labels={
            "x": "months since first purchase",
            "y": "first purchase month",
            "color": "retained",
        },
    )
    return figure.update_layout(height=550)


def spend_driver_chart(frames: dict[str, pd.DataFrame]) -> go.Figure:
    drivers = frames["spend_drivers"]
    drivers = drivers[drivers["term"] != "intercept"].sort_values("coefficient")
    figure = go.Figure(
        go.Scatter(
            x=drivers["coefficient"],
            y=drivers["term"],
            mode="markers",
            marker={"size": 10},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": drivers["ci_high"] - drivers["coefficient"],
                "arrayminus": drivers["coefficient"] - drivers["ci_low"],
            },
        )
    )
    figure.add_vline(x=0, line_dash="dot")
    return figure.update_layout(
        title="Spend drivers: regression coefficients on log spend with 95% CI",
        height=450,
        margin={"l": 320},
    )


def model_comparison(frames: dict[str, pd.DataFrame]) -> go.Figure:
    metrics = frames["response_model_metrics"].copy()
    metrics["model"] = metrics["model"] + metrics["is_chosen"].map({True: " (chosen)", False: ""})
    long = metrics.melt(
        id_vars=["model"], value_vars=["roc_auc", "pr_auc", "f1"], var_name="metric"
    )
    return px.bar(
        long,
        x="metric",
        y="value",
        color="model",
        barmode="group",
        title="Response models compared (out-of-fold)",
    )


def feature_importance(frames: dict[str, pd.DataFrame]) -> go.Figure:
    importance = frames["response_feature_importance"]
    top = importance[importance["importance_rank"] <= 12].sort_values("importance")
    return px.bar(
        top,
        x="importance",
        y="feature",
        orientation="h",
        error_x="importance_std",
        title="What the chosen response model learns from (permutation importance, top 12)",
    ).update_layout(height=450)


def clv_backtest_chart(frames: dict[str, pd.DataFrame]) -> go.Figure:
    backtest = frames["clv_backtest"]
    figure = go.Figure(
        [
            go.Bar(x=backtest["model"], y=backtest["actual_holdout_revenue"], name="actual"),
            go.Bar(x=backtest["model"], y=backtest["predicted_holdout_revenue"], name="predicted"),
        ]
    )
    return figure.update_layout(
        title="CLV backtest: holdout revenue, actual against each model's prediction",
        yaxis_title=label("revenue"),
    )


def migration_sankey(frames: dict[str, pd.DataFrame]) -> go.Figure:
    """The last period's moves between RFM segments: previous month end on the left, this one on
    the right."""
    flows = frames["segment_migration"]
    period = pd.Timestamp(flows["period_end"].iloc[0]) if len(flows) else None
    sources = list(dict.fromkeys(flows["from_segment"]))
    targets = list(dict.fromkeys(flows["to_segment"]))
    labels = [f"{name} (before)" for name in sources] + targets
    figure = go.Figure(
        go.Sankey(
            node={"label": labels, "pad": 12},
            link={
                "source": [sources.index(name) for name in flows["from_segment"]],
                "target": [len(sources) + targets.index(name) for name in flows["to_segment"]],
                "value": flows["customers"],
                "customdata": flows["share_of_from_segment"],
                "hovertemplate": "%{value:,} customers (%{customdata:.0%} of the segment)"
                "<extra></extra>",
            },
        )
    )
    month = period.strftime("%B %Y") if period is not None else ""
    return figure.update_layout(
        title=f"How customers moved between RFM segments in {month}", height=600
    )


def segment_size_trend(frames: dict[str, pd.DataFrame]) -> go.Figure:
    sizes = frames["segment_size_history"]
    figure = px.area(
        sizes,
        x="period_end",
        y="customers",
        color="segment_name",
        title="RFM segment sizes at each month end",
        labels={"period_end": "", "customers": "customers", "segment_name": "RFM segment"},
    )
    return figure.update_layout(height=500)

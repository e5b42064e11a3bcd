"""The dashboard's two pages and the charts on each, in reading order.

The overview is for the marketing manager (business figures, segment cards, campaign decisions);
the analyst page holds the diagnostics behind them. Each chart names the frames it draws from, so
the page shows "no data for this input" instead of calling a figure on an empty frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard import data, insights

OVERVIEW = "Overview"
ANALYST = "Analyst"


@dataclass(frozen=True)
class Chart:
    page: str
    section: str
    title: str
    build: Callable[[dict[str, pd.DataFrame]], go.Figure]
    needs: tuple[str, ...]

    def has_data(self, frames: dict[str, pd.DataFrame]) -> bool:
        return all(len(frames[name]) > 0 for name in self.needs)


CHARTS: tuple[Chart, ...] = (
    Chart(OVERVIEW, "Segments", "Segment sizes", data.segment_sizes, ("segment_profiles",)),
    Chart(OVERVIEW, "Segments", "Predicted CLV by segment", data.clv_by_segment,
          ("segment_profiles",)),
    Chart(OVERVIEW, "Segments", "Spending by family structure", insights.family_spend,
          ("demographic_insights",)),
    Chart(OVERVIEW, "Campaigns and experiments", "A/B test readout", data.ab_test_readout,
          ("ab_tests",)),
    Chart(OVERVIEW, "Campaigns and experiments", "Campaign ROI by segment", data.campaign_roi,
          ("campaign_segments",)),
    Chart(OVERVIEW, "Campaigns and experiments", "Response by channel and age",
          insights.channel_age_response, ("campaign_channel_response",)),
    Chart(OVERVIEW, "Customers over time", "Segment migration", insights.migration_sankey,
          ("segment_migration",)),
    Chart(OVERVIEW, "Customers over time", "Segment sizes over time", insights.segment_size_trend,
          ("segment_size_history",)),
    Chart(OVERVIEW, "Sales", "Monthly revenue", data.monthly_revenue,
          ("sales_monthly", "seasonality")),
    Chart(OVERVIEW, "Sales", "Seasonal index", data.seasonal_index, ("seasonality",)),
    Chart(ANALYST, "Segmentation diagnostics", "Choice of k", data.k_selection, ("k_selection",)),
    Chart(ANALYST, "Segmentation diagnostics", "Ward dendrogram", data.ward_dendrogram,
          ("segment_points", "k_selection")),
    Chart(ANALYST, "Segmentation diagnostics", "Segment profiles", data.segment_profile_heatmap,
          ("segment_profiles",)),
    Chart(ANALYST, "Segmentation diagnostics", "Segments in 2-D", data.segment_scatter_2d,
          ("segment_points",)),
    Chart(ANALYST, "Segmentation diagnostics", "Segments in 3-D", data.segment_scatter_3d,
          ("segment_points",)),
    Chart(ANALYST, "Customer value", "RFM grid", data.rfm_grid, ("rfm_grid",)),
    Chart(ANALYST, "Customer value", "P(alive) matrix", data.p_alive_heatmap,
          ("clv_p_alive_matrix",)),
    Chart(ANALYST, "Customer value", "CLV calibration", data.clv_calibration,
          ("clv_calibration",)),
    Chart(ANALYST, "Customer value", "CLV tracking", data.clv_tracking, ("clv_tracking",)),
    Chart(ANALYST, "Customer value", "CLV backtest", insights.clv_backtest_chart,
          ("clv_backtest",)),
    Chart(ANALYST, "Customer value", "Cohort retention", insights.cohort_retention_heatmap,
          ("cohort_retention",)),
    Chart(ANALYST, "Response and uplift models", "Model comparison", insights.model_comparison,
          ("response_model_metrics",)),
    Chart(ANALYST, "Response and uplift models", "Feature importance", insights.feature_importance,
          ("response_feature_importance",)),
    Chart(ANALYST, "Response and uplift models", "Response lift", data.response_lift,
          ("response_lift",)),
    Chart(ANALYST, "Response and uplift models", "Qini curve", data.qini_curve,
          ("uplift_deciles",)),
    Chart(ANALYST, "Response and uplift models", "Uplift by decile", data.uplift_by_decile,
          ("uplift_deciles",)),
    Chart(ANALYST, "Response and uplift models", "Targeting strategies",
          data.targeting_strategy_profit, ("targeting_strategies",)),
    Chart(ANALYST, "Drivers", "Spend drivers", insights.spend_driver_chart, ("spend_drivers",)),
    Chart(ANALYST, "Drivers", "Correlations", insights.correlation_heatmap,
          ("measure_correlations",)),
)  # fmt: skip


def charts_on(page: str) -> tuple[Chart, ...]:
    return tuple(chart for chart in CHARTS if chart.page == page)

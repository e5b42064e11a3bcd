"""The marketing dashboard over the marts: `streamlit run dashboard/app.py` from the project root.

Two pages: the overview for the marketing manager and the analyst's diagnostics. Reads the DuckDB
warehouse read-only (SEGMENT_MARTS_DB, default segment_marts.duckdb) or the Parquet export
(SEGMENT_MARTS_PARQUET_DIR). Figures and words are built in the dashboard package.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run` puts only this folder on sys.path; the figures live in the dashboard package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.data import MartSource, load_frames, source_settings
from dashboard.formats import display_table
from dashboard.insights import (
    campaign_decisions,
    experiment_verdicts,
    headline_figures,
    segment_cards,
)
from dashboard.pages import ANALYST, OVERVIEW, charts_on

EMPTY = "No data for this input"


@st.cache_data(show_spinner="Reading the marts...")
def frames_from(database: str | None, parquet_dir: str | None) -> dict:
    return load_frames(MartSource(database=database, parquet_dir=parquet_dir))


def frames() -> dict:
    # Cached on the settings: the marts are read once per warehouse, not on every rerun.
    return frames_from(**source_settings())


def draw_charts(page: str, frames: dict, before_section: dict | None = None) -> None:
    section = None
    for chart in charts_on(page):
        if chart.section != section:
            section = chart.section
            st.header(section)
            if before_section and section in before_section:
                before_section[section](frames)
        if not chart.has_data(frames):
            st.info(f"{EMPTY}: {chart.title}")
            continue
        st.plotly_chart(chart.build(frames), width="stretch")


def headline(frames: dict) -> None:
    for column, figure in zip(st.columns(5), headline_figures(frames), strict=True):
        column.metric(figure.title, figure.value, help=figure.help)


def segment_section(frames: dict) -> None:
    cards = segment_cards(frames)
    if not cards:
        st.info(f"{EMPTY}: segments")
        return
    for start in range(0, len(cards), 3):
        for column, card in zip(st.columns(3), cards[start : start + 3], strict=False):
            with column.container(border=True):
                st.markdown(f"#### {card.name}")
                st.markdown(f"**{card.size}**  \n{card.value}")
                st.markdown(f"Buys {card.buys}")
                st.markdown(f"**{card.action}**")
                for offer in card.offers:
                    st.markdown(f"- {offer}")


def campaign_section(frames: dict) -> None:
    decisions = campaign_decisions(frames)
    if decisions.empty:
        st.info(f"{EMPTY}: campaigns")
    else:
        st.dataframe(decisions, hide_index=True, width="stretch")
    for verdict in experiment_verdicts(frames):
        st.markdown(verdict)


def overview() -> None:
    data = frames()
    st.title("Customers and campaigns at a glance")
    headline(data)
    draw_charts(
        OVERVIEW,
        data,
        {"Segments": segment_section, "Campaigns and experiments": campaign_section},
    )


def analyst() -> None:
    data = frames()
    st.title("Analyst diagnostics")
    profiles = data["segment_profiles"]
    if len(profiles):
        columns = [
            "segment_name", "customers", "share_of_customers", "share_of_revenue", "avg_income",
            "avg_age", "avg_tenure_days", "avg_frequency", "avg_monetary",
            "campaign_responder_share", "avg_spend_campaign_responders",
            "avg_spend_non_responders", "avg_clv", "avg_predicted_clv_12m",
        ]  # fmt: skip
        st.dataframe(display_table(profiles, "segment_profiles", columns), hide_index=True)
    draw_charts(ANALYST, data)


def main() -> None:
    st.set_page_config(page_title="Segment marts", layout="wide")
    settings = source_settings()
    st.caption(f"Reading {settings['parquet_dir'] or settings['database']}")
    page = st.navigation(
        [
            st.Page(overview, title=OVERVIEW, url_path="overview", default=True),
            st.Page(analyst, title=ANALYST, url_path="analyst"),
        ],
        position="top",
    )
    page.run()


main()

"""The marketing dashboard over the marts: `streamlit run dashboard/app.py` from the project root.

Reads the DuckDB warehouse read-only (SEGMENT_MARTS_DB, default segment_marts.duckdb) or the
Parquet export (SEGMENT_MARTS_PARQUET_DIR). The figures are built in dashboard/data.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run` puts only this folder on sys.path; the figures live in the dashboard package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.data import CHARTS, MartSource, load_frames, point_count, source_settings


@st.cache_data(show_spinner="Reading the marts...")
def frames_from(database: str | None, parquet_dir: str | None) -> dict:
    return load_frames(MartSource(database=database, parquet_dir=parquet_dir))


def headline(frames: dict) -> None:
    profiles = frames["segment_profiles"]
    sales = frames["sales_monthly"]
    validation = frames["segment_validation"]
    columns = st.columns(4)
    columns[0].metric("Customers", f"{int(profiles['customers'].sum()):,}")
    columns[1].metric("Revenue", f"{sales['revenue'].sum():,.0f}")
    columns[2].metric("Segments", f"{len(profiles)}")
    if len(validation):
        weak = bool(validation["is_structure_weak"].iloc[0])
        columns[3].metric(
            "Segments reproduced on new data",
            "weak structure" if weak else "yes",
            help="Split-half stability of the chosen k: "
            f"{validation['split_half_ari'].iloc[0]:.2f}; weak when the segments do not come "
            "back on independent halves of the customers (var segment_min_stability)",
        )


def main() -> None:
    st.set_page_config(page_title="Segment marts", layout="wide")
    settings = source_settings()
    st.title("Customer segments and campaigns")
    st.caption(f"Reading {settings['parquet_dir'] or settings['database']}")
    # Cached on the settings: the marts are read once per warehouse, not on every rerun.
    frames = frames_from(**settings)
    headline(frames)
    section = None
    for chart in CHARTS:
        if chart.section != section:
            section = chart.section
            st.header(section)
            if section == "Segments":
                st.dataframe(frames["segment_profiles"], hide_index=True)
        figure = chart.build(frames)
        if point_count(figure) == 0:
            st.info(f"No data for: {figure.layout.title.text}")
            continue
        st.plotly_chart(figure, width="stretch")


main()

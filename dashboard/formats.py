"""How a mart's numbers are shown: the display format each column declares in its dbt YAML.

Mart columns carry ``meta: {format: ...}`` in ``models/marts/**/_*models.yml``; BI tools read the
same hints from dbt docs or the manifest. The marts keep full precision; only the display rounds.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

MARTS_DIR = Path(__file__).resolve().parents[1] / "models" / "marts"

# The display formats a mart column may declare; everything rounds for reading.
FORMATS = ("pct", "currency", "count", "ratio", "days")

# Words a manager reads instead of the column's snake_case.
LABEL_OVERRIDES = {
    "segment_name": "Segment",
    "avg_clv": "Avg CLV (heuristic)",
    "avg_predicted_clv_12m": "Avg predicted 12-month CLV",
    "roi": "ROI",
    "incremental_roi": "Incremental ROI",
    "rfm_segment": "RFM segment",
    "n_treatment": "Treated customers",
    "n_control": "Control customers",
    "avg_income": "Avg income",
    "avg_monetary": "Avg spend",
    "avg_frequency": "Avg orders",
    "share_of_customers": "Share of customers",
    "share_of_revenue": "Share of revenue",
    "avg_tenure_days": "Avg tenure (days)",
    "avg_recency_days": "Days since last purchase",
}


@cache
def column_formats() -> dict[str, dict[str, str]]:
    """{mart: {column: format}} from the marts' YAML."""
    formats: dict[str, dict[str, str]] = {}
    for path in sorted(MARTS_DIR.glob("*/_*models.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            for column in model.get("columns") or []:
                display = (column.get("meta") or {}).get("format")
                if display:
                    formats.setdefault(model["name"], {})[column["name"]] = display
    return formats


MISSING = "n/a"

_FORMATTERS = {
    "pct": lambda number: f"{number:.1%}",
    # Cents only where they matter: 12.35, but 37,124.
    "currency": lambda number: f"{number:,.2f}" if abs(number) < 100 else f"{number:,.0f}",
    "count": lambda number: f"{number:,.0f}",
    "days": lambda number: f"{number:,.0f} days",
    "ratio": lambda number: f"{number:.2f}",
}


def format_value(value: object, display: str | None) -> str:
    """One value as a reader sees it: 12.3%, 1,234, 12.35, 0.85, 120 days; n/a when missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, bool) or display not in _FORMATTERS:
        return str(value)
    return _FORMATTERS[display](float(value))


def label(column: str) -> str:
    """A column's heading: the override, else its words in sentence case."""
    if column in LABEL_OVERRIDES:
        return LABEL_OVERRIDES[column]
    words = column.replace("_", " ").replace(" avg ", " average ").strip()
    return words[:1].upper() + words[1:]


def display_table(frame: pd.DataFrame, mart: str, columns: list[str]) -> pd.DataFrame:
    """The chosen columns of a mart's frame, formatted as the YAML says and with friendly heads."""
    formats = column_formats().get(mart, {})
    shown = frame[columns].copy()
    for column in columns:
        if column in formats:
            shown[column] = [format_value(value, formats[column]) for value in shown[column]]
    return shown.rename(columns={column: label(column) for column in columns})

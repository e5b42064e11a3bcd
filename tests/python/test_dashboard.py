"""The dashboard: its figures and words from small known frames, its formats from the marts'
YAML, its Parquet source, and both real pages in headless Chromium on the sample, the Customer
Personality Analysis and an empty build (every chart has data or says there is none, no errors;
screenshots and first-load times kept as artifacts)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pytest
from playwright.sync_api import sync_playwright

from conftest import PROJECT_DIR, DbtBuild
from dashboard.data import (
    MartSource,
    ab_test_readout,
    clv_calibration,
    clv_tracking,
    k_selection,
    load_frames,
    p_alive_heatmap,
    point_count,
    rfm_grid,
    seasonal_index,
    ward_dendrogram,
)
from dashboard.formats import FORMATS, column_formats, display_table, format_value
from dashboard.insights import campaign_decisions, experiment_verdicts, headline_figures
from dashboard.pages import ANALYST, CHARTS, OVERVIEW, charts_on

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("SEGMENT_MARTS_ARTIFACTS", PROJECT_DIR / "artifacts")) / "dashboard"
# Flags for a closed network: without them Chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The 3-D scatter is WebGL: software rendering, as on any machine without a GPU.
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]


def test_rfm_grid_places_each_cell_and_its_segment():
    grid = pd.DataFrame(
        {
            "r_score": [5, 1, 1],
            "fm_score": [5, 1, 2],
            "rfm_segment": ["Champions", "Lost", "Lost"],
            "customers": [7, 3, 2],
        }
    )
    heatmap = rfm_grid({"rfm_grid": grid}).data[0]
    assert heatmap.z.shape == (5, 5)
    assert heatmap.z[4][4] == 7 and heatmap.z[0][0] == 3 and heatmap.z[1][0] == 2
    assert heatmap.z.sum() == 12
    assert heatmap.text[4][4] == "Champions" and heatmap.text[2][2] == ""


def test_ward_dendrogram_has_a_leaf_per_sampled_customer_and_colours_k_clusters():
    centres = [(-6, 0, 0), (0, 6, 0), (6, 0, 0)]
    rows = [
        {"segment_id": i + 1, "pc1": x + j * 0.01, "pc2": y - j * 0.01, "pc3": z}
        for i, (x, y, z) in enumerate(centres)
        for j in range(10)
    ]
    frames = {
        "segment_points": pd.DataFrame(rows),
        "k_selection": pd.DataFrame({"k": [2, 3, 4], "is_chosen": [False, True, False]}),
    }
    figure = ward_dendrogram(frames)
    assert len(figure.layout.xaxis.ticktext) == 30
    # Three well-separated blobs cut at k = 3: three leaf colours plus the colour above the cut.
    assert len({trace.marker.color for trace in figure.data}) == 4


def test_k_selection_chart_shows_stability_first_and_names_the_rule():
    candidates = pd.DataFrame(
        {
            "k": [2, 3, 4],
            "stability_ari": [0.99, 0.95, 0.7],
            "silhouette": [0.3, 0.2, 0.1],
            "calinski_harabasz": [10.0, 9.0, 8.0],
            "davies_bouldin": [1.0, 1.1, 1.2],
            "is_chosen": [False, True, False],
            "choice_rule": ["largest k that it and every smaller k reproduce"] * 3,
        }
    )
    figure = k_selection({"k_selection": candidates})
    assert list(figure.data[0].y) == [0.99, 0.95, 0.7]
    assert figure.layout.annotations[0].text.startswith("Reproduced on independent halves")
    assert "largest k that it and every smaller k reproduce" in figure.layout.title.text


def test_clv_charts_put_actual_next_to_expected_and_p_alive_on_its_grid():
    table = pd.DataFrame(
        {
            "calibration_frequency": [0, 1, 7],
            "customers": [10, 5, 3],
            "actual_holdout_purchases": [1.0, 2.0, 8.0],
            "expected_holdout_purchases": [1.5, 2.5, 9.0],
        }
    )
    bars = clv_calibration({"clv_calibration": table})
    assert [trace.name for trace in bars.data] == ["actual", "BG/NBD expected"]
    assert list(bars.data[0].x) == ["0", "1", "7+"]
    assert list(bars.data[1].y) == [1.5, 2.5, 9.0]
    matrix = pd.DataFrame(
        {
            "frequency": [0, 1, 1],
            "recency_weeks": [0.0, 0.0, 10.0],
            "p_alive": [1.0, 0.2, 0.9],
            "customers": [4, 2, 1],
        }
    )
    tracking = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"]),
            "is_holdout": [False, True, True],
            "actual_cumulative_repeat_purchases": [1.0, 3.0, 6.0],
            "expected_cumulative_repeat_purchases": [1.2, 3.1, 5.5],
        }
    )
    lines = clv_tracking({"clv_tracking": tracking})
    assert list(lines.data[1].y) == [1.2, 3.1, 5.5]
    assert lines.layout.shapes[0].x0 == pd.Timestamp("2024-01-08")
    heatmap = p_alive_heatmap({"clv_p_alive_matrix": matrix}).data[0]
    assert heatmap.z[0][0] == 1.0 and heatmap.z[1][1] == 0.9
    assert heatmap.customdata[1][0] == 2


def test_point_count_is_zero_only_for_empty_figures():
    empty = rfm_grid(
        {"rfm_grid": pd.DataFrame(columns=["r_score", "fm_score", "rfm_segment", "customers"])}
    )
    assert point_count(empty) == 5  # the grid always has its 5 x 5 cells
    assert point_count(go.Figure(go.Scatter(x=[], y=[]))) == 0
    assert point_count(go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))) == 2
    sankey = go.Sankey(
        node={"label": ["a", "b"]}, link={"source": [0], "target": [1], "value": [5]}
    )
    assert point_count(go.Figure(sankey)) == 1


def test_values_read_as_their_yaml_format_says():
    assert format_value(0.1234, "pct") == "12.3%"
    assert format_value(37123.55000000002, "currency") == "37,124"
    assert format_value(12.345, "currency") == "12.35"
    assert format_value(8676, "count") == "8,676"
    assert format_value(120.4, "days") == "120 days"
    assert format_value(float("nan"), "pct") == "n/a" and format_value(None, "count") == "n/a"
    formats = column_formats()
    assert formats["segment_profiles"]["share_of_customers"] == "pct"
    assert formats["campaign_performance"]["incremental_profit"] == "currency"
    assert formats["campaign_channel_response"]["contacts"] == "count"
    assert {value for mart in formats.values() for value in mart.values()} <= set(FORMATS)
    profiles = pd.DataFrame(
        {"segment_name": ["A"], "avg_income": [83644.1562], "share_of_customers": [0.1908]}
    )
    shown = display_table(profiles, "segment_profiles", list(profiles.columns))
    assert list(shown.columns) == ["Segment", "Avg income", "Share of customers"]
    assert shown.iloc[0].tolist() == ["A", "83,644", "19.1%"]


def campaign_totals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "campaign_id": ["1", "2", "3"],
            "campaign_name": ["Spring mail", "Discount test", None],
            "contacts": [1000, 400, 10],
            "response_rate": [0.1, 0.2, 0.0],
            "profit": [-500.0, 900.0, -30.0],
            "roi": [-0.5, 1.2, -1.0],
            "attribution": ["gross", "incremental", "gross"],
            "incremental_profit": [None, -120.0, None],
            "incremental_roi": [None, -0.3, None],
            "recommendation": ["do not target", "do not target", "do not target"],
        }
    )


def test_campaign_decisions_put_losers_first_and_use_incremental_profit_where_it_exists():
    table = campaign_decisions({"campaign_totals": campaign_totals()})
    # The experiment's gross profit (900) is not what it made: its incremental profit is -120.
    assert table["Campaign"].tolist() == ["Spring mail", "Discount test", "3"]
    assert table["Profit"].tolist() == ["-500", "-120", "-30.00"]
    assert table["Profit is"].tolist()[:2] == [
        "gross (no control group)",
        "incremental (vs control)",
    ]
    assert table["ROI"].tolist()[1] == "-30.0%"


def ab_tests(**changes) -> pd.DataFrame:
    base = {
        "campaign_id": ["6"],
        "campaign_name": ["Discount 20% test"],
        "variant": ["discount_20"],
        "conversion_rate_treatment": [0.157],
        "conversion_rate_control": [0.126],
        "conversion_lift_abs": [0.031],
        "conversion_ci_low": [0.016],
        "conversion_ci_high": [0.046],
        "conversion_p_value": [0.00003],
        "revenue_diff": [-2.8],
        "revenue_lift_rel": [-0.278],
        "revenue_ci_low": [-4.0],
        "revenue_ci_high": [-1.6],
        "revenue_p_value": [0.062],
        "is_conversion_significant": [True],
        "is_revenue_significant": [False],
    }
    base.update({key: [value] for key, value in changes.items()})
    return pd.DataFrame(base)


def test_experiment_verdicts_follow_both_significance_flags():
    (unproven,) = experiment_verdicts({"ab_tests": ab_tests()})
    assert "+3.1 points, p < 0.001" in unproven and "-27.8%, p = 0.062" in unproven
    assert unproven.endswith("more customers convert, but the revenue effect is not proven.")
    (losing,) = experiment_verdicts(
        {"ab_tests": ab_tests(revenue_p_value=0.001, is_revenue_significant=True)}
    )
    assert losing.endswith("it loses revenue: do not roll it out as is.")
    (nothing,) = experiment_verdicts({"ab_tests": ab_tests(is_conversion_significant=False)})
    assert nothing.endswith("no proven effect.")


def test_ab_readout_labels_each_estimate_with_its_interval_and_p_value():
    figure = ab_test_readout({"ab_tests": ab_tests()})
    conversion, revenue = figure.data
    assert conversion.text[0] == "+3.1 [1.6, 4.6], p < 0.001"
    assert revenue.text[0] == "-2.8 [-4.0, -1.6] (-28%), p = 0.062"
    # The axes leave room for the labels on both sides of 0.
    assert figure.layout.xaxis2.range[0] < -4.0 and figure.layout.xaxis2.range[1] > 0


def test_weekdays_and_months_keep_calendar_order_whatever_is_peak():
    seasonality = pd.DataFrame(
        {
            "period_type": ["day_of_week"] * 3,
            "period": [1, 6, 7],
            "period_name": ["Monday", "Saturday", "Sunday"],
            "seasonal_index": [0.9, 1.2, 1.1],
            "is_peak": [False, True, False],
        }
    )
    shuffled = seasonality.iloc[[2, 0, 1]]
    weekdays = seasonal_index({"seasonality": shuffled}).data[0]
    assert list(weekdays.x) == ["Monday", "Saturday", "Sunday"]
    assert list(weekdays.marker.color) == ["#1565c0", "#c62828", "#1565c0"]


def test_headline_on_an_empty_warehouse_reads_as_missing_not_an_error():
    empty = pd.DataFrame(columns=["revenue", "active_customers", "share_at_risk"])
    values = {figure.title: figure.value for figure in headline_figures({"headline": empty})}
    assert values["Revenue"] == "n/a" and values["Share at risk"] == "n/a"


def test_every_chart_is_on_a_page_and_declares_frames_it_can_check():
    assert {chart.page for chart in CHARTS} == {OVERVIEW, ANALYST}
    assert len(charts_on(OVERVIEW)) + len(charts_on(ANALYST)) == len(CHARTS)
    titles = [chart.title for chart in CHARTS]
    assert len(set(titles)) == len(titles)
    assert all(chart.needs for chart in CHARTS)


@pytest.mark.e2e
def test_parquet_export_gives_the_dashboard_the_same_frames(sample_build):
    from_database = load_frames(MartSource(database=str(sample_build.database)))
    from_parquet = load_frames(
        MartSource(parquet_dir=str(sample_build.database.parent / "exports"))
    )
    for name, frame in from_database.items():
        if name == "segment_points":  # a reservoir sample: the same size, not the same rows
            assert len(frame) == len(from_parquet[name]) > 0
            continue
        pd.testing.assert_frame_equal(frame, from_parquet[name], check_dtype=False, obj=name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def empty_build(sample_build, tmp_path_factory) -> DbtBuild:
    """The sample warehouse with every mart emptied: what a user sees when an input has no rows."""
    database = tmp_path_factory.mktemp("empty_build") / "warehouse.duckdb"
    shutil.copy(sample_build.database, database)
    with duckdb.connect(str(database)) as conn:
        tables = conn.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and table_type = 'BASE TABLE'"
        ).fetchall()
        for (table,) in tables:
            conn.execute(f"delete from marts.{table}")
    return DbtBuild(database=database, output="")


@contextmanager
def dashboard_server(database: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "SEGMENT_MARTS_DB": str(database)}
    streamlit = shutil.which("streamlit") or "streamlit"
    options = ["--server.headless", "true", "--server.port", str(port)]
    server = subprocess.Popen(
        [streamlit, "run", "dashboard/app.py", *options],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("streamlit did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
        assert "Traceback" not in output, output[-3000:]


# Values each chart was drawn with, read from Plotly's own state on the element. _fullData holds
# the traces as drawn, with binary-encoded arrays decoded.
CHART_VALUES = """els => els.map(e => (e._fullData || []).reduce((total, trace) => total + Math.max(
    0, ...['x', 'y', 'z', 'q1'].map(key => (trace[key] || []).length || 0),
    ((trace.link || {}).value || []).length), 0))"""
# Each page's title; a reader reaches the analyst page from the overview's navigation.
PAGE_TITLES = {OVERVIEW: "Customers and campaigns at a glance", ANALYST: "Analyst diagnostics"}


@pytest.mark.e2e
@pytest.mark.parametrize("build_name", ["sample_build", "marketing_build", "empty_build"])
def test_both_pages_render_every_chart_or_say_there_is_no_data(build_name, request):
    if not Path(CHROMIUM).exists():
        if os.environ.get("SEGMENT_MARTS_REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
        pytest.skip("no Chromium (apt-get install chromium); CI requires it")
    build = request.getfixturevalue(build_name)
    frames = load_frames(MartSource(database=str(build.database)))
    artifacts = ARTIFACTS / build_name.removesuffix("_build")
    artifacts.mkdir(parents=True, exist_ok=True)
    load_seconds = {}
    with dashboard_server(build.database) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for page_name, title in PAGE_TITLES.items():
            charts = charts_on(page_name)
            drawn_titles = [chart.title for chart in charts if chart.has_data(frames)]
            problems: list[str] = []
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on(
                "console",
                lambda m, seen=problems: seen.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda error, seen=problems: seen.append(str(error)))
            started = time.monotonic()
            page.goto(url)
            if page_name != OVERVIEW:
                page.get_by_role("link", name=page_name).click()
            page.get_by_role("heading", name=title).wait_for(timeout=120_000)
            # Done when every chart is drawn or says it has no data; the page's other notices
            # (no segment cards, no campaigns) must not count, or the wait ends too early.
            empty_notices = json.dumps([f"No data for this input: {c.title}" for c in charts])
            page.wait_for_function(
                f"""() => document.querySelectorAll('.js-plotly-plot').length
                    + [...document.querySelectorAll("[data-testid='stAlert']")]
                        .filter(e => {empty_notices}.includes(e.innerText.trim())).length
                    >= {len(charts)}""",
                timeout=120_000,
            )
            load_seconds[page_name] = round(time.monotonic() - started, 2)
            plots = page.locator(".js-plotly-plot")
            values = plots.evaluate_all(CHART_VALUES)
            svgs = plots.evaluate_all("els => els.map(e => e.querySelectorAll('.main-svg').length)")
            alerts = page.locator("[data-testid='stAlert']").all_inner_texts()
            height = page.evaluate(
                "() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"
            )
            page.set_viewport_size({"width": 1400, "height": min(height, 16_000)})
            page.wait_for_timeout(1500)
            page.screenshot(path=str(artifacts / f"{page_name.lower()}.png"))
            exceptions = page.locator("[data-testid='stException']").count()
            page.close()
            assert len(values) == len(drawn_titles), (page_name, drawn_titles)
            assert all(count > 0 for count in values), dict(zip(drawn_titles, values, strict=True))
            assert all(count > 0 for count in svgs)
            assert all(alert.startswith("No data for this input") for alert in alerts), alerts
            empty_charts = [a for a in alerts if a.removeprefix("No data for this input: ") in
                            {chart.title for chart in charts}]  # fmt: skip
            assert len(empty_charts) == len(charts) - len(drawn_titles)
            assert exceptions == 0 and problems == [], problems
        browser.close()
    (artifacts / "first_load_seconds.json").write_text(json.dumps(load_seconds, indent=2))
    if build_name == "sample_build":
        # The sample plants every structure the charts show: none may be empty.
        assert all(chart.has_data(frames) for chart in CHARTS)

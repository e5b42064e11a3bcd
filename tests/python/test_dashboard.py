"""The dashboard: its figures from small known frames, its Parquet source, and the real page in
headless Chromium (every chart renders with data, no errors; screenshots kept as artifacts)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from playwright.sync_api import sync_playwright

from conftest import PROJECT_DIR
from dashboard.data import (
    CHARTS,
    MartSource,
    clv_calibration,
    clv_tracking,
    k_selection,
    load_frames,
    p_alive_heatmap,
    point_count,
    rfm_grid,
    ward_dendrogram,
)

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


@pytest.fixture
def dashboard_url(sample_build):
    port = free_port()
    env = {**os.environ, "SEGMENT_MARTS_DB": str(sample_build.database)}
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


@pytest.mark.e2e
def test_every_chart_renders_with_data_in_a_real_browser(dashboard_url):
    if not Path(CHROMIUM).exists():
        if os.environ.get("SEGMENT_MARTS_REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
        pytest.skip("no Chromium (apt-get install chromium); CI requires it")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(dashboard_url)
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot').length >= {len(CHARTS)}", timeout=120_000
        )
        charts = page.locator(".js-plotly-plot")
        # Values each chart was drawn with, read from Plotly's own state on the element.
        # _fullData holds the traces as drawn, with binary-encoded arrays decoded.
        values = charts.evaluate_all(
            """els => els.map(e => (e._fullData || []).reduce((total, trace) => total + Math.max(
                0, ...['x', 'y', 'z', 'q1'].map(key => (trace[key] || []).length || 0)), 0))"""
        )
        drawn = charts.evaluate_all("els => els.map(e => e.querySelectorAll('.main-svg').length)")
        titles = charts.evaluate_all("els => els.map(e => e.layout.title.text)")
        for index in range(charts.count()):
            charts.nth(index).screenshot(path=str(ARTIFACTS / f"chart_{index + 1:02d}.png"))
        height = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"
        )
        page.set_viewport_size({"width": 1400, "height": min(height, 16_000)})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"))
        exceptions = page.locator("[data-testid='stException']").count()
        alerts = page.locator("[data-testid='stAlert']").all_inner_texts()
        browser.close()
    assert len(values) == len(CHARTS)
    assert all(count > 0 for count in values), dict(zip(titles, values, strict=True))
    assert all(count > 0 for count in drawn), dict(zip(titles, drawn, strict=True))
    assert exceptions == 0 and alerts == []
    assert problems == []

"""The dbt Semantic Layer definitions validate with MetricFlow and give the marts' numbers."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT_DIR

pytestmark = pytest.mark.e2e

HEADLINE_METRICS = [
    "revenue",
    "orders",
    "average_order_value",
    "customers",
    "response_rate",
    "campaign_roi",
    "campaign_incremental_profit",
    "average_predicted_clv_12m",
]


@pytest.fixture(scope="module")
def mf_project(sample_build, tmp_path_factory) -> Path:
    """A project root of links to the real one, with the semantic manifest of the test build.

    mf reads `<project root>/target/semantic_manifest.json`, whose relation names carry the
    warehouse's catalog name: the build's own manifest (written by its parse, against the test
    warehouse) is copied to a private root, so the user's target/ stays untouched.
    """
    root = tmp_path_factory.mktemp("mf_project")
    for name in PROJECT_ENTRIES:
        (root / name).symlink_to(PROJECT_DIR / name)
    (root / "target").mkdir()
    shutil.copy(sample_build.target / "semantic_manifest.json", root / "target")
    return root


PROJECT_ENTRIES = ["dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests"]
PROJECT_ENTRIES += ["analyses", "python_udfs"]


def mf_environment(sample_build, root: Path) -> dict:
    return {
        **os.environ,
        "SEGMENT_MARTS_DB": str(sample_build.database),
        "DBT_PROJECT_DIR": str(root),
        "DBT_PROFILES_DIR": str(root),
    }


def run_mf(args: list[str], sample_build, root: Path) -> subprocess.CompletedProcess:
    mf = shutil.which("mf")
    assert mf, "MetricFlow's mf is not installed: pip install -r requirements.txt"
    env = mf_environment(sample_build, root)
    result = subprocess.run(
        [mf, *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, (
        f"mf {' '.join(args)}:\n{result.stdout[-4000:]}{result.stderr[-3000:]}"
    )
    return result


def mf_query(args: list[str], sample_build, root: Path, tmp_path) -> list[dict]:
    output = tmp_path / "query.csv"
    run_mf(["query", *args, "--csv", str(output)], sample_build, root)
    with output.open() as handle:
        return list(csv.DictReader(handle))


def test_semantic_models_and_metrics_validate_against_the_warehouse(sample_build, mf_project):
    result = run_mf(["validate-configs"], sample_build, mf_project)
    assert "ERROR" not in result.stdout.replace("ERRORS: 0", "")
    assert "Successfully validated metrics against data warehouse" in result.stdout


def test_headline_metrics_equal_the_marts(sample_build, mf_project, tmp_path):
    metrics = ",".join(HEADLINE_METRICS)
    [row] = mf_query(["--metrics", metrics], sample_build, mf_project, tmp_path)
    expected = sample_build.query(
        """
        select
            (select sum(amount) from marts.orders),
            (select count(distinct order_id) filter (where not is_return) from marts.orders),
            (select sum(amount) / count(distinct order_id) filter (where not is_return)
             from marts.orders),
            (select count(*) from marts.customers),
            (select sum(responses) / sum(contacts) from marts.campaign_performance
             where segment_type = 'all'),
            (select (sum(revenue) - sum(cost)) / sum(cost) from marts.campaign_performance
             where segment_type = 'all'),
            (select sum(incremental_profit) from marts.campaign_performance
             where segment_type = 'all'),
            (select avg(predicted_clv_12m) from marts.customer_clv)
        """
    )[0]
    for metric, value in zip(HEADLINE_METRICS, expected, strict=True):
        assert float(row[metric]) == pytest.approx(value, rel=1e-9), metric


def test_monthly_revenue_metric_equals_sales_monthly(sample_build, mf_project, tmp_path):
    by = ["--group-by", "metric_time__month"]
    rows = mf_query(["--metrics", "revenue", *by], sample_build, mf_project, tmp_path)
    by_month = {row["metric_time__month"][:10]: float(row["revenue"]) for row in rows}
    expected = dict(
        sample_build.query(
            "select strftime(month_start, '%Y-%m-%d'), revenue from marts.sales_monthly"
        )
    )
    assert by_month.keys() == expected.keys()
    assert len(expected) >= 30
    for month, revenue in expected.items():
        assert by_month[month] == pytest.approx(revenue, rel=1e-9), month

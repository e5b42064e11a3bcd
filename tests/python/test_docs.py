"""Every mart is documented, typed, tested and contracted, checked on what dbt docs shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, run_dbt, vars_arg
from python_udfs.clv import ClvSettings
from python_udfs.response import ResponseSettings
from python_udfs.segment_model import ModelSettings
from python_udfs.segmentation import SegmentationSettings
from python_udfs.settings import setting_vars
from python_udfs.uplift import UpliftSettings

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def docs(sample_build) -> dict:
    """`dbt docs generate --static` on the sample build: manifest, catalog, one-file site."""
    settings = vars_arg(sample_build.settings)
    run_dbt(["docs", "generate", "--static", *settings], sample_build.database)
    target = sample_build.target
    return {
        "manifest": json.loads((target / "manifest.json").read_text()),
        "catalog": json.loads((target / "catalog.json").read_text()),
        "static_html": target / "static_index.html",
    }


def mart_nodes(manifest: dict) -> dict:
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }


def generic_test_name(test: dict) -> str | None:
    """The generic test a test node runs (primary_key, not_null, ...); None for a singular test."""
    return (test.get("test_metadata") or {}).get("name")


def data_tests_on(manifest: dict, unique_id: str) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("attached_node") == unique_id
    ]


def test_every_mart_column_and_every_model_has_a_description(docs):
    manifest, catalog = docs["manifest"], docs["catalog"]
    undocumented_models = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and not node["description"].strip()
    ]
    assert undocumented_models == []
    marts = mart_nodes(manifest)
    assert len(marts) >= 20
    undocumented_columns = [
        f"{node['name']}.{column}"
        for unique_id, node in marts.items()
        for column in catalog["nodes"][unique_id]["columns"]
        if not node["columns"].get(column.lower(), {}).get("description", "").strip()
    ]
    assert undocumented_columns == []


def test_every_mart_column_has_the_declared_type_and_sql_marts_enforce_it(docs):
    """BI tools rely on the types: SQL marts enforce them by contract; for Python marts (where
    dbt has no contracts) this test is the contract, comparing the yml with the built tables."""
    manifest, catalog = docs["manifest"], docs["catalog"]
    mismatches = []
    for unique_id, node in mart_nodes(manifest).items():
        built = {
            name.lower(): col["type"].lower()
            for name, col in catalog["nodes"][unique_id]["columns"].items()
        }
        declared = {
            name: (col.get("data_type") or "").lower() for name, col in node["columns"].items()
        }
        if built != declared:
            mismatches.append((node["name"], sorted(set(built.items()) ^ set(declared.items()))))
        if node["language"] == "sql":
            assert node["contract"]["enforced"], f"{node['name']}: contract not enforced"
    assert mismatches == []


def test_every_mart_has_a_grain_test_and_customer_marts_join_customers(docs):
    manifest, catalog = docs["manifest"], docs["catalog"]
    problems = []
    for unique_id, node in mart_nodes(manifest).items():
        kinds = {generic_test_name(test): test for test in data_tests_on(manifest, unique_id)}
        if "primary_key" not in kinds:
            problems.append(f"{node['name']}: no grain test")
        columns = catalog["nodes"][unique_id]["columns"]
        if (
            node["name"] != "customers"
            and "customer_id" in columns
            and "relationships" not in kinds
        ):
            problems.append(f"{node['name']}: customer_id without relationships to customers")
    assert problems == []


ROW_RULE_TESTS = {"not_null", "accepted_range", "accepted_values"}


def test_sql_marts_hold_their_column_rules_as_warehouse_constraints(docs, sample_build):
    """A SQL mart's not-null, range and accepted-value rules are column constraints of its
    contract, so DuckDB refuses a violating row while building the table (one place per rule,
    no separate test query). Its key keeps its primary_key test (the grain test)."""
    manifest = docs["manifest"]
    declared, stray_tests = {}, []
    for unique_id, node in mart_nodes(manifest).items():
        if node["language"] != "sql":
            continue
        declared[node["name"]] = sorted(
            constraint["type"]
            for column in node["columns"].values()
            for constraint in column.get("constraints", [])
        )
        keys = {
            test["column_name"]
            for test in data_tests_on(manifest, unique_id)
            if generic_test_name(test) == "primary_key"
        }
        stray_tests += [
            f"{node['name']}.{test['column_name']}: {generic_test_name(test)}"
            for test in data_tests_on(manifest, unique_id)
            if generic_test_name(test) in ROW_RULE_TESTS and test["column_name"] not in keys
        ]
    enforced = {}
    for table, kind in sample_build.query(
        "select table_name, lower(replace(constraint_type, ' ', '_')) from duckdb_constraints() "
        "where schema_name = 'marts' and constraint_type in ('CHECK', 'NOT NULL')"
    ):
        enforced.setdefault(table, []).append(kind)
    assert stray_tests == []
    assert sum(map(len, declared.values())) >= 200
    assert {name: sorted(kinds) for name, kinds in enforced.items()} == {
        name: kinds for name, kinds in declared.items() if kinds
    }


def test_python_models_hold_their_column_rules_as_constraints_checked_in_one_query(docs):
    """A Python model's contract cannot be enforced, so its not-null, range and accepted-value
    rules are declared as the SQL marts' are (column constraints) and checked together by its
    one column_constraints test, one scan instead of a test query per rule."""
    manifest = docs["manifest"]
    python_models = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["language"] == "python"
    }
    problems = []
    for unique_id, node in python_models.items():
        tests = [generic_test_name(test) for test in data_tests_on(manifest, unique_id)]
        declared = [c for column in node["columns"].values() for c in column.get("constraints", [])]
        if declared and tests.count("column_constraints") != 1:
            problems.append(f"{node['name']}: constraints without one column_constraints test")
        problems += [f"{node['name']}: {name} test" for name in tests if name in ROW_RULE_TESTS]
    assert problems == []
    assert (
        sum(
            len(column.get("constraints", []))
            for node in python_models.values()
            for column in node["columns"].values()
        )
        >= 100
    )


def test_column_constraints_reports_each_broken_rule_with_its_count(docs, sample_build):
    # The compiled test of customer_uplift run on a copy of its rows with planted breaks: a
    # value out of range, a null where a range check alone would pass it, an unaccepted decile.
    manifest = docs["manifest"]
    model = manifest["nodes"]["model.segment_marts.customer_uplift"]
    (test,) = [
        t
        for t in data_tests_on(manifest, model["unique_id"])
        if generic_test_name(t) == "column_constraints"
    ]
    sql = test["compiled_code"].replace(model["relation_name"], "planted")
    assert "planted" in sql
    with duckdb.connect() as conn:
        conn.execute(f"attach '{sample_build.database}' as built (read_only)")
        conn.execute("create table planted as select * from built.marts.customer_uplift limit 40")
        assert conn.execute(sql).fetchall() == []
        conn.execute("update planted set uplift = 2 where uplift_decile <= 3")
        planted_uplift = conn.execute("select count(*) from planted where uplift = 2").fetchall()
        conn.execute(
            "update planted set response_probability_untreated = null, uplift_decile = 11 "
            "where customer_id = (select min(customer_id) from planted)"
        )
        conn.execute("update planted set should_treat = null")
        broken = sorted(conn.execute(sql).fetchall())
    assert planted_uplift[0][0] > 0
    assert broken == sorted(
        [
            ("response_probability_untreated", "not_null", 1),
            ("should_treat", "not_null", 40),
            ("uplift", "check: uplift >= -1 and uplift <= 1", planted_uplift[0][0]),
            ("uplift_decile", "check: uplift_decile in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)", 1),
        ]
    )


def test_singular_tests_mirror_models_and_say_what_they_assert():
    problems = []
    for path in sorted((PROJECT_DIR / "tests").rglob("*.sql")):
        relative = path.relative_to(PROJECT_DIR / "tests")
        if relative.parts[0] == "generic":
            continue
        if not (PROJECT_DIR / "models" / relative.parent).is_dir():
            problems.append(f"{relative}: no models/{relative.parent} to mirror")
        if not path.read_text().startswith("-- Assert that"):
            problems.append(f"{relative}: does not start with '-- Assert that'")
    assert problems == []


def test_static_docs_are_one_self_contained_file(docs):
    html: Path = docs["static_html"]
    text = html.read_text()
    # The manifest and catalog are inlined, so the file opens from disk with no server.
    assert "customer_rfm" in text and "segment_profiles" in text
    assert len(text) > 1_000_000


def test_only_staging_and_the_concept_layer_read_staging_models(docs):
    # One home per business concept: what a purchase, an experiment or revenue per response
    # means is decided in models/intermediate/concepts/, and everything else reads it there.
    readers = {
        node["original_file_path"]
        for node in docs["manifest"]["nodes"].values()
        if node["resource_type"] == "model"
        and any(parent.split(".")[-1].startswith("stg_") for parent in node["depends_on"]["nodes"])
    }
    outside = sorted(
        path
        for path in readers
        if not path.startswith(("models/staging/", "models/intermediate/concepts/"))
    )
    assert outside == []
    assert "models/intermediate/concepts/int_order_lines_classified.sql" in readers


def test_order_lines_classified_reads_only_the_staged_lines(docs):
    # Its order_id is not tested again: it is stg_shop__orders's key, tested there, because the
    # view reads that one model and nothing it could join to fan a line out.
    nodes = docs["manifest"]["nodes"]
    view = nodes["model.segment_marts.int_order_lines_classified"]
    assert view["depends_on"]["nodes"] == ["model.segment_marts.stg_shop__orders"]
    assert view["config"]["materialized"] == "view"
    compiled = " ".join(view["compiled_code"].lower().split())
    assert " join " not in compiled and " where " not in compiled and "group by" not in compiled
    staged_key_tests = [
        test["column_name"]
        for test in data_tests_on(docs["manifest"], "model.segment_marts.stg_shop__orders")
        if generic_test_name(test) == "primary_key"
    ]
    assert staged_key_tests == ["order_id"]


# Which settings a Python model reads, by the python_udfs names its source calls.
SETTINGS_READERS = {
    "ClvSettings": ClvSettings,
    "ModelSettings": ModelSettings,
    "ResponseSettings": ResponseSettings,
    "read_scoring_inputs": ResponseSettings,
    "SegmentationSettings": SegmentationSettings,
    "UpliftSettings": UpliftSettings,
}


def test_every_python_model_gets_the_vars_its_settings_read_and_nothing_else(docs):
    # dbt_project.yml is the one place the vars reach Python models (+meta, keyed by var name),
    # and a Python model's dbt docs shows only the vars it reads.
    checked = 0
    for node in docs["manifest"]["nodes"].values():
        if node["resource_type"] != "model" or node["language"] != "python":
            continue
        source = (PROJECT_DIR / node["original_file_path"]).read_text()
        needed = {
            var
            for name, settings_class in SETTINGS_READERS.items()
            if name in source
            for var in setting_vars(settings_class).values()
        }
        given = set(node["config"]["meta"]) - {"dbt_threads", "owner"}
        assert given >= needed, (node["name"], sorted(needed - given))
        if needed:
            checked += 1
            assert given == needed, (node["name"], sorted(given - needed))
    assert checked >= 15


def test_every_input_mode_is_a_documented_source_and_the_sample_reads_its_models(docs):
    manifest = docs["manifest"]
    sources = {
        f"{node['source_name']}.{node['name']}": node["description"]
        for node in manifest["sources"].values()
    }
    contract = ["customers", "orders", "campaigns", "campaign_contacts"]
    expected = {f"{source}.{name}" for source in ("shop", "shop_files") for name in contract}
    assert set(sources) == expected | {"personality_analysis.marketing_campaign"}
    assert all(sources.values())
    orders = manifest["nodes"]["model.segment_marts.base_shop__orders"]["depends_on"]["nodes"]
    assert "model.segment_marts.sample_orders" in orders
    assert not [node for node in orders if node.startswith("source.")]


def test_the_dashboard_exposure_lists_every_mart_the_dashboard_reads(docs):
    manifest = docs["manifest"]
    marts = {node["name"] for node in mart_nodes(manifest).values()}
    code = (PROJECT_DIR / "dashboard" / "data.py").read_text()
    named = set(re.findall(r"\{([a-z0-9_]+)\}", code)) | set(
        re.findall(r"\.read\(\"([a-z0-9_]+)\"\)", code)
    )
    read = named & marts
    exposure = manifest["exposures"]["exposure.segment_marts.marketing_dashboard"]
    listed = {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]}
    assert {"headline_kpis", "rfm_grid", "segment_validation"} <= read
    assert read == listed


def primary_key_test_sql(manifest: dict, model: str, key: list[str], rows: list[tuple]) -> str:
    """The compiled primary_key test of ``model`` on ``key``, reading ``rows`` instead."""
    (test,) = (
        node
        for node in manifest["nodes"].values()
        if generic_test_name(node) == "primary_key"
        and node["attached_node"] == f"model.segment_marts.{model}"
    )
    kwargs = test["test_metadata"]["kwargs"]
    assert (kwargs.get("columns") or [kwargs.get("column_name")]) == key
    relation = manifest["nodes"][test["attached_node"]]["relation_name"]
    values = ", ".join(
        "(" + ", ".join("null" if v is None else str(v) for v in row) + ")" for row in rows
    )
    planted = f"(select * from (values {values}) as planted({', '.join(key)}))"
    assert relation in test["compiled_code"]
    return test["compiled_code"].replace(relation, planted)


@pytest.mark.parametrize(
    ("model", "key"),
    [("customers", ["customer_id"]), ("segment_model", ["model_version", "segment_id"])],
)
def test_the_primary_key_test_flags_repeated_and_null_keys_only(docs, model, key):
    def failures(rows: list[tuple]) -> list[tuple]:
        sql = primary_key_test_sql(docs["manifest"], model, key, rows)
        with duckdb.connect() as conn:
            return sorted(conn.execute(sql).fetchall(), key=str)

    distinct = [(*[7] * (len(key) - 1), value) for value in (1, 2, 3)]
    assert failures(distinct) == []
    repeated, null_key = distinct[1], (None, *distinct[0][1:])
    flagged = failures([*distinct, repeated, null_key])
    assert flagged == sorted([(*repeated, 2), (*null_key, 1)], key=str)


def test_the_history_test_flags_gaps_early_ends_and_wrong_first_periods(docs):
    """assert_segment_history_has_every_period_from_the_first_purchase on planted month ends:
    only the customers whose periods skip a month, stop before the newest month or flag a
    period other than their first (or two) are returned."""
    (test,) = (
        node
        for node in docs["manifest"]["nodes"].values()
        if node["name"] == "assert_segment_history_has_every_period_from_the_first_purchase"
    )
    relation = docs["manifest"]["nodes"]["model.segment_marts.customer_segment_history"][
        "relation_name"
    ]
    planted = {
        "whole": [("2024-10-31", True), ("2024-11-30", False), ("2024-12-31", False)],
        "newest only": [("2024-12-31", True)],
        "gap": [("2024-10-31", True), ("2024-12-31", False)],
        "stops early": [("2024-10-31", True), ("2024-11-30", False)],
        "first flag late": [("2024-11-30", False), ("2024-12-31", True)],
        "two first flags": [("2024-11-30", True), ("2024-12-31", True)],
    }
    values = ", ".join(
        f"('{customer}', date '{period_end}', {str(is_first).lower()})"
        for customer, periods in planted.items()
        for period_end, is_first in periods
    )
    rows = f"(select * from (values {values}) as planted(customer_id, period_end, is_first_period))"
    assert relation in test["compiled_code"]
    with duckdb.connect() as conn:
        flagged = conn.execute(
            f"select customer_id from ({test['compiled_code'].replace(relation, rows)})"
        ).fetchall()
    assert sorted(customer for (customer,) in flagged) == sorted(
        ["gap", "stops early", "first flag late", "two first flags"]
    )

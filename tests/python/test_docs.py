"""Every model and every mart column is documented, checked on what dbt docs actually shows."""

from __future__ import annotations

import json

import pytest

from conftest import run_dbt

pytestmark = pytest.mark.e2e


def test_every_mart_column_and_every_model_has_a_description(sample_build):
    run_dbt(["docs", "generate"], sample_build.database)
    target = sample_build.database.parent / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    undocumented_models = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and not node["description"].strip()
    ]
    assert undocumented_models == []
    marts = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    assert len(marts) >= 20
    undocumented_columns = [
        f"{node['name']}.{column}"
        for unique_id, node in marts.items()
        for column in catalog["nodes"][unique_id]["columns"]
        if not node["columns"].get(column.lower(), {}).get("description", "").strip()
    ]
    assert undocumented_columns == []

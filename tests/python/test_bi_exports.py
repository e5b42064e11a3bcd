"""BI tools can read the marts: the Parquet export matches the warehouse, and an older DuckDB
(of the kind BI tools ship) opens the warehouse file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import PROJECT_DIR

pytestmark = pytest.mark.e2e

OLDER_DUCKDB_REQUIREMENTS = PROJECT_DIR / "requirements-compat.txt"


def mart_names(sample_build) -> list[str]:
    rows = sample_build.query(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    )
    return [name for (name,) in rows]


def test_every_mart_is_exported_to_parquet_with_identical_rows_and_types(sample_build):
    exports = sample_build.database.parent / "exports"
    marts = mart_names(sample_build)
    assert len(marts) >= 20
    assert sorted(path.stem for path in exports.glob("*.parquet")) == marts
    for mart in marts:
        parquet = f"read_parquet('{exports / (mart + '.parquet')}')"
        # EXCEPT ALL both ways: same multiset of rows, not just the same count.
        table = f"marts.{mart}"
        differing = sample_build.scalar(
            f"select (select count(*) from (from {table} except all from {parquet}))"
            f" + (select count(*) from (from {parquet} except all from {table}))"
        )
        assert differing == 0, mart
        # Names and types; Parquet carries no NOT NULL, so the contract's
        # not-null constraints stay in the warehouse.
        columns = "select column_name, column_type from (describe {})"
        assert sample_build.query(columns.format(f"marts.{mart}")) == sample_build.query(
            columns.format(f"select * from {parquet}")
        ), mart


@pytest.fixture(scope="module")
def older_duckdb(tmp_path_factory) -> str:
    """A throwaway venv with the older DuckDB of requirements-compat.txt; returns its python."""
    venv = tmp_path_factory.mktemp("older_duckdb") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-r", str(OLDER_DUCKDB_REQUIREMENTS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, (
        f"pip install -r requirements-compat.txt failed:\n{install.stderr}"
    )
    return python


READ_EVERY_MART = """
import json, sys
import duckdb
conn = duckdb.connect(sys.argv[1], read_only=True)
marts = [name for (name,) in conn.execute(
    "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
counts = {
    name: conn.execute(f"select count(*) from marts.{name}").fetchall()[0][0] for name in marts
}
print(json.dumps({"version": duckdb.__version__, "counts": counts}))
"""


def test_an_older_duckdb_opens_the_warehouse_and_reads_every_mart(sample_build, older_duckdb):
    result = subprocess.run(
        [older_duckdb, "-c", READ_EVERY_MART, str(sample_build.database)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout)
    assert seen["version"].startswith("1.4.")
    expected = {
        name: sample_build.scalar(f"select count(*) from marts.{name}")
        for name in mart_names(sample_build)
    }
    assert seen["counts"] == expected
    assert sum(expected.values()) > 10_000

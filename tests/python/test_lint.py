"""The code passes the project's linters (ruff and mypy for Python, sqlfluff with the dbt
templater)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import PROJECT_DIR

pytestmark = pytest.mark.lint


def run(command: list[str], **env: str) -> subprocess.CompletedProcess:
    executable = shutil.which(command[0])
    assert executable, f"{command[0]} is not installed: pip install -r requirements.txt"
    return subprocess.run(
        [executable, *command[1:]],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )


def test_ruff_check_passes():
    result = run(["ruff", "check", "."])
    assert result.returncode == 0, result.stdout


def test_ruff_format_is_applied():
    result = run(["ruff", "format", "--check", "."])
    assert result.returncode == 0, result.stdout


def test_mypy_finds_no_type_errors_in_python_udfs():
    # Files and options come from pyproject.toml; the cache goes to a scratch directory.
    result = run(["mypy", "--cache-dir", "/dev/null"])
    assert result.returncode == 0, result.stdout


def test_sqlfluff_lint_passes(tmp_path):
    # One process: the other pytest worker has the second core, and a second linting process
    # costs 25 s of CPU more for the same files. sqlfluffrs (requirements.txt) parses in Rust.
    result = run(
        ["sqlfluff", "lint", "models", "macros", "tests", "analyses", "--processes", "1"],
        SEGMENT_MARTS_DB=str(tmp_path / "lint.duckdb"),
    )
    assert result.returncode == 0, result.stdout[-5000:]


def test_dbt_score_keeps_the_metadata_score(sample_build):
    """dbt-score grades models, seeds and macros; pyproject.toml sets the floor to keep. It reads
    the sample build's manifest: the metadata does not depend on the vars a build uses, and a
    parse of its own would cost the suite about 10 s."""
    manifest = sample_build.target / "manifest.json"
    result = run(["dbt-score", "lint", "--manifest", str(manifest)])
    assert result.returncode == 0, result.stdout[-5000:]
    assert "Project score" in result.stdout


def test_no_sql_file_is_over_200_lines():
    # A model that long does several things; split it into models that each do one.
    long_files = {
        str(path.relative_to(PROJECT_DIR)): lines
        for folder in ("models", "macros", "tests", "analyses")
        for path in (PROJECT_DIR / folder).rglob("*.sql")
        if (lines := len(path.read_text().splitlines())) > 200
    }
    assert long_files == {}

"""Shared fixtures: a dbt build of the generated sample into a temporary DuckDB file."""

from __future__ import annotations

import atexit
import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sklearn.cluster  # noqa: F401  (loads scikit-learn's OpenMP runtime before the cap below)
from threadpoolctl import threadpool_limits

from python_udfs.child import thread_environment
from python_udfs.threads import native_threads

PROJECT_DIR = Path(__file__).resolve().parents[2]

# The rule the Python models follow (cores / dbt threads), applied to the suite's xdist workers:
# two workers on two cores each running OpenMP's two spinning threads beside the other worker's
# dbt build made a 0.7 s K-means test take 62 s. The variables also reach the commands the tests
# start (dbt, the mutant harness).
WORKER_THREADS = native_threads(os.environ.get("PYTEST_XDIST_WORKER_COUNT"))
os.environ.update(thread_environment(WORKER_THREADS))
threadpool_limits(limits=WORKER_THREADS)


def import_script(relative_path: str, name: str):
    """A project script that is not a package module (benchmarks/, tests/mutants/), imported
    from its file and registered under ``name`` (dataclasses look their module up)."""
    spec = importlib.util.spec_from_file_location(name, PROJECT_DIR / relative_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# Small enough for CI, large enough that every persona, campaign and test arm has hundreds of rows.
E2E_CUSTOMERS = 4000
E2E_SEED = 7
# The product owner's copy of the Customer Personality Analysis file, beside the project.
SHARED_MARKETING_FILE = PROJECT_DIR.parent / "shared" / "datasets" / "marketing_campaign.csv"


@dataclass(frozen=True)
class DbtBuild:
    """A finished dbt build: where its warehouse is and what dbt printed."""

    database: Path
    output: str
    # The --vars it was built with: a later dbt command on the same target with the same vars
    # reuses the parsed project (dbt re-parses everything when vars change).
    settings: dict = field(default_factory=dict)

    def query(self, sql: str) -> list[tuple]:
        """Run one read-only query against the built warehouse."""
        with duckdb.connect(str(self.database), read_only=True) as conn:
            return conn.execute(sql).fetchall()

    def scalar(self, sql: str):
        return self.query(sql)[0][0]

    @property
    def target(self) -> Path:
        """The build's dbt artifacts (manifest.json, semantic_manifest.json, run_results.json)."""
        return target_path(self.database)

    def frame(self, sql: str) -> pd.DataFrame:
        """One read-only query as a pandas DataFrame."""
        with duckdb.connect(str(self.database), read_only=True) as conn:
            return conn.execute(sql).df()


def target_path(database: Path) -> Path:
    """Where run_dbt has dbt write its artifacts (manifest, run results) for ``database``."""
    return database.parent / "target"


@functools.cache
def dbt_launcher():
    """Where run_dbt's commands run: forks of helpers that imported dbt once per worker
    (tests/tools/preloaded.py), about 3 s less per command than a new ``dbt`` process."""
    launcher = import_script("tests/tools/preloaded.py", "preloaded").Launcher()
    atexit.register(launcher.close)
    return launcher


def run_dbt(
    args: list[str], database: Path, check: bool = True, extra_env: dict | None = None,
    new_process: bool = False,
) -> subprocess.CompletedProcess:  # fmt: skip
    """Run a dbt command from the project root (as the README says) against ``database``
    (``extra_env`` can point it at another target): the entry point of the ``dbt`` executable,
    in a fork of a helper that imported dbt once (``dbt_launcher``). Forks of one helper share
    its hash seed, so the order of Python sets of text is the same in each: a test that two
    runs give identical results runs one of them as a new ``dbt`` process (``new_process``)."""
    env = {**os.environ, "SEGMENT_MARTS_DB": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "0"}
    env["SEGMENT_MARTS_TEMP_DIR"] = str(database.parent / "spill")
    env.update(extra_env or {})
    dbt = shutil.which("dbt")
    assert dbt, "the dbt executable is not on PATH: pip install -r requirements.txt"
    command = [dbt, *args, "--target-path", str(target_path(database))]
    if new_process:
        result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                                check=False)  # fmt: skip
    else:
        result = dbt_launcher().run(command, PROJECT_DIR, env)
    if check and result.returncode != 0:
        raise AssertionError(
            f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
        )
    return result


# The session's shared warehouses. Under pytest-xdist every test that reads one runs on the same
# worker, so each is built once per session. A test may name its build in a parameter and fetch
# it with request.getfixturevalue; the dashboard's module also has a build made from the sample's.
SHARED_BUILDS = {"sample_build", "marketing_build"}
SHARED_BUILD_MODULES = {"test_dashboard"}


def reads_shared_build(item: pytest.Item) -> bool:
    """Whether the test reads a shared build: as a fixture, or named by a parameter."""
    callspec = getattr(item, "callspec", None)
    parameters = callspec.params.values() if callspec else ()
    names = set(item.fixturenames) | {value for value in parameters if isinstance(value, str)}
    return bool(SHARED_BUILDS & names) or item.module.__name__ in SHARED_BUILD_MODULES


def xdist_group(item: pytest.Item) -> str | None:
    """The worker group a test must share: the shared builds, else its module when it reads a
    module-scoped fixture of this suite (built once per module), else none (any worker)."""
    if reads_shared_build(item):
        return "shared_builds"
    fixtures = item._fixtureinfo.name2fixturedefs.values()
    if any(d.scope == "module" and d.baseid for defs in fixtures for d in defs):
        return item.module.__name__
    return None


# The longest units of work first (longest processing time first): pytest-xdist hands each
# worker the next group or ungrouped test in collection order (--no-loadscope-reorder in
# pyproject.toml), so the shared builds' tests (about 270 s in all), the engines (about 170 s),
# the mutant harness (about 110 s), lint (about 100 s), k selection and the incremental runs
# (about 55 s each) start before the short tests, which then fill the gaps. Collected
# mid-suite, the mutant harness ran alone for its last 3 minutes after the other worker had
# finished.
LONGEST_FIRST = ("shared_builds", "test_engines", "test_mutants", "test_lint",
                 "test_e2e_k_selection", "test_incremental")  # fmt: skip


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups into the node ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    units = {}
    for item in items:
        group = xdist_group(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
        units[item.nodeid] = group or item.module.__name__
    rank = {unit: position for position, unit in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(units[item.nodeid], len(rank)))


def require_shared_file(path: Path) -> None:
    """Skip a test whose file from the product owner's ../shared folder is absent, or fail it
    when SEGMENT_MARTS_REQUIRE_SHARED=1 (a run that must prove the real-data tests ran)."""
    if path.exists():
        return
    message = f"{path} is not present (the product owner's ../shared folder)"
    if os.environ.get("SEGMENT_MARTS_REQUIRE_SHARED") == "1":
        pytest.fail(f"{message}; SEGMENT_MARTS_REQUIRE_SHARED=1 requires it")
    pytest.skip(message)


def read_inputs(database: Path, model: str) -> set[str]:
    """The sources and sample models ``model`` reads, by name, as the manifest of the last dbt
    command on ``database`` records them (its lineage in dbt docs)."""
    manifest = json.loads((target_path(database) / "manifest.json").read_text())
    upstream = manifest["nodes"][f"model.segment_marts.{model}"]["depends_on"]["nodes"]
    return {
        ".".join(node.split(".")[2:])
        for node in upstream
        if node.startswith("source.") or node.startswith("model.segment_marts.sample_")
    }


def vars_arg(values: dict) -> list[str]:
    return ["--vars", json.dumps(values)]


def finished_line(output: str) -> str:
    """dbt's summary line of a run: what kinds of node it ran, and how many of each."""
    return next(line for line in output.splitlines() if "Finished running" in line)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtBuild]:
    """``dbt build`` on a small generated sample; every e2e test reads this one warehouse."""
    workdir = tmp_path_factory.mktemp("sample_build")
    # Not named after a schema (sample, marts, ...): DuckDB would find the catalog name ambiguous.
    database = workdir / "warehouse.duckdb"
    # The build also exports every mart to Parquet (opt-in), so the export is tested on real marts.
    settings = {
        "sample_customers": E2E_CUSTOMERS,
        "sample_seed": E2E_SEED,
        "export_parquet": True,
        "export_path": str(workdir / "exports"),
    }
    # Unit tests are left out of a build without selection (selectors.yml); this one runs them.
    result = run_dbt(["build", "--selector", "everything", *vars_arg(settings)], database)
    yield DbtBuild(database=database, output=result.stdout, settings=settings)


@pytest.fixture(scope="session")
def marketing_build(tmp_path_factory: pytest.TempPathFactory) -> DbtBuild:
    """``dbt build`` on the Customer Personality Analysis file (skips, or fails under
    SEGMENT_MARTS_REQUIRE_SHARED, when the file is absent)."""
    require_shared_file(SHARED_MARKETING_FILE)
    database = tmp_path_factory.mktemp("marketing") / "warehouse.duckdb"
    settings = {"input": "marketing_campaign", "input_path": str(SHARED_MARKETING_FILE)}
    result = run_dbt(["build", *vars_arg(settings)], database)
    return DbtBuild(database=database, output=result.stdout)

"""Plant known mistakes in the code one at a time and check that the tests catch each.

A test suite that passes is only worth something if it fails on a wrong number. Each mutant
below is a small, realistic mistake (an off-by-one at a cutoff, a swapped sign, a dropped
term, a broken rule); the harness copies the tracked files to a scratch folder beside the
project, applies one mutant, runs the tests named for it, and reports it killed (the tests
failed) or survived (they passed: a gap in the tests). The original tree is never touched.

    python tests/mutants/run.py              # the fast mutants (unit tests, about 1 minute)
    python tests/mutants/run.py --all        # also those that need a warehouse (4-6 s each)
    python tests/mutants/run.py --only clv   # mutants whose id contains "clv" (or: clv,rfm)

Every command first runs on an unmutated copy and must pass there, so a mutant counts as killed
only when the tests fail because of it; a command that crashes instead of failing (exit status
other than 0 or 1) counts as not killed. The last line is `N killed, M survived`; exit status 1
when any mutant is not killed. `pytest` runs `--all --no-baseline` (tests/python/test_mutants.py):
the suite itself runs the same tests on the unmutated code. Each command runs in a fork of a
helper with pytest, dbt and the scientific libraries already imported (tests/tools/preloaded.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Mutant:
    id: str
    path: str
    find: str
    replace: str
    command: tuple[str, ...]
    why: str
    needs_build: bool = False


def pytest(*targets: str) -> tuple[str, ...]:
    # One process (-n 0): each command is short, and two workers would only add start-up time.
    # A mutant names the test that catches it (-k) when its file has slow tests besides.
    return (sys.executable, "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:cacheprovider",
            *targets)  # fmt: skip


DBT = shutil.which("dbt") or "dbt"
# Every dbt command of the harness: a small generated sample, one target folder. The same vars,
# profile and warehouse path each time, so dbt re-parses only the mutated file.
DBT_OPTIONS = ("--vars", '{"sample_customers": 2000, "sample_seed": 7}',
               "--target-path", "mutant_target")  # fmt: skip


def dbt_build(*models: str) -> tuple[str, ...]:
    """A dbt build of ``models`` (with their data tests and dbt unit tests) on a copy of the
    warehouse built from the unmutated code (``WAREHOUSE``): the models read their unmutated
    parents. List every model the mutated file feeds whose tests should catch the mutant."""
    # buildable: tests whose parents are selected or built in the warehouse before them.
    return (DBT, "build", "--select", *models, "--indirect-selection", "buildable",
            *DBT_OPTIONS)  # fmt: skip


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "clv-bgnbd-expected-purchases",
        "python_udfs/clv.py",
        "(a + b + x - 1) / (a - 1) * (1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * hyper)",
        "(a + b + x) / (a - 1) * (1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * hyper)",
        pytest("tests/python/test_clv.py", "-k", "calibration_table_matches_holdout"),
        "a dropped -1 in BG/NBD's conditional expectation",
    ),
    Mutant(
        "clv-penalty-not-unit-free",
        "python_udfs/clv.py",
        "return penalizer * float(np.sum((log_params - log_scales) ** 2))",
        "return penalizer * float(np.sum(log_params**2))",
        pytest("tests/python/test_clv.py", "-k", "penalty_does_the_same_whatever"),
        "the penalty measured against 1 for scale parameters too (depends on the time unit)",
    ),
    Mutant(
        "clv-interval-z",
        "python_udfs/clv.py",
        "INTERVAL_Z = 1.959963984540054",
        "INTERVAL_Z = 0.6744897501960817",
        pytest("tests/python/test_clv.py", "-k", "parameter_intervals_cover_the_truth"),
        "50% intervals labelled 95%",
    ),
    Mutant(
        "clv-tracking-cohort-midweek",
        "python_udfs/clv.py",
        "elapsed = index[:, None] + 1 - index[None, :] - 0.5",
        "elapsed = index[:, None] + 1 - index[None, :]",
        pytest("tests/python/test_clv.py", "-k", "tracking_sums_every_first_purchase_cohort"),
        "customers counted from the start of their first-purchase week",
    ),
    Mutant(
        "clv-horizon-in-days",
        "python_udfs/clv.py",
        "DAYS_PER_WEEK = 7.0",
        "DAYS_PER_WEEK = 1.0",
        pytest("tests/python/test_clv.py", "-k", "parameter_intervals_cover_the_truth"),
        "the 90- and 365-day horizons passed to BG/NBD as weeks (time unit weeks -> days)",
    ),
    Mutant(
        "frames-warehouse-row-order",
        "python_udfs/frames.py",
        "return relation.project(quoted).order(ordered).to_arrow_table().to_pandas()",
        "return relation.project(quoted).to_arrow_table().to_pandas()",
        pytest("tests/python/test_frames.py"),
        "a Python model reading rows in warehouse order (fits then depend on the run)",
    ),
    Mutant(
        "frames-unique-key-ignored",
        "python_udfs/frames.py",
        "order = [unique_key] if unique_key else columns",
        "order = columns",
        pytest("tests/python/test_frames.py"),
        "customer-grain reads sorted by every column, not by their unique key alone",
    ),
    Mutant(
        "kmeans-unscaled-features",
        "python_udfs/segmentation.py",
        "    values -= scaling.center\n    values /= scaling.scale\n",
        "",
        pytest(
            "tests/python/test_segmentation.py", "-k", "split_half_stability_reproduces_planted"
        ),
        "K-means fitted on unscaled features (income outweighs every share)",
    ),
    Mutant(
        "segments-walk-ignores-smaller-k",
        "python_udfs/segmentation.py",
        'reproduced_run = table["is_reproduced"].astype(bool).cummin()',
        'reproduced_run = table["is_reproduced"].astype(bool)',
        pytest("tests/python/test_segmentation.py"),
        "k chosen among reproduced k even when a smaller k is not reproduced",
    ),
    Mutant(
        "segments-weak-flag-inverted",
        "python_udfs/segmentation.py",
        '"is_structure_weak": not (split_half >= settings.min_stability),',
        '"is_structure_weak": split_half >= settings.min_stability,',
        pytest("tests/python/test_segmentation.py", "-k", "validation_agrees_on_clear_structure"),
        "weak structure reported for reproduced segments",
    ),
    Mutant(
        "segments-vote-direction",
        "python_udfs/segmentation.py",
        '"davies_bouldin": candidates["davies_bouldin"].rank(ascending=True),',
        '"davies_bouldin": candidates["davies_bouldin"].rank(ascending=False),',
        pytest("tests/python/test_segmentation.py"),
        "Davies-Bouldin read as higher-is-better",
    ),
    Mutant(
        "segment-drift-psi-inverted",
        "python_udfs/segment_model.py",
        "return float(np.sum((actual - expected) * np.log(actual / expected)))",
        "return float(np.sum((actual - expected) * np.log(expected / actual)))",
        pytest("tests/python/test_segment_model.py"),
        "population stability index with the log ratio upside down (never signals drift)",
    ),
    Mutant(
        "segment-match-any-distance",
        "python_udfs/segment_model.py",
        "if cost[row, column] < max_distance",
        "if cost[row, column] < np.inf",
        pytest("tests/python/test_segment_model.py", "-k", "matching_leaves_dissimilar_segments"),
        "a new segment takes the id of whatever old segment is nearest, however far",
    ),
    Mutant(
        "uplift-qini-control-scaling",
        "python_udfs/uplift.py",
        'return curve["y_t"].to_numpy(float) - curve["y_c"].to_numpy(float) * ratio',
        'return curve["y_t"].to_numpy(float) - curve["y_c"].to_numpy(float)',
        pytest("tests/python/test_uplift.py"),
        "Qini curve without scaling control responses to the treated count",
    ),
    Mutant(
        "response-importance-shuffles-from-the-start",
        "python_udfs/response.py",
        "permuted[:, outputs] = permuted[np.ix_(order, outputs)]",
        "permuted[:, outputs] = matrix[np.ix_(order, outputs)]",
        pytest("tests/python/test_response.py", "-k", "matches_sklearns_permutation_importance"),
        "permutation importance that reshuffles the original column instead of the shuffled one",
    ),
    Mutant(
        "stats-welch-degrees-of-freedom",
        "python_udfs/stats.py",
        "out = stats.t.cdf(_as_float(t), np.where(df > 0, df, np.nan))",
        "out = stats.t.cdf(_as_float(t), np.where(df > 0, np.floor(df), np.nan))",
        pytest("tests/python/test_stats.py"),
        "Welch's fractional degrees of freedom rounded down",
    ),
    Mutant(
        "plugin-memory-limit-unvalidated",
        "python_udfs/plugin.py",
        "        if not MEMORY_LIMIT_PATTERN.match(configured):",
        "        if not configured:",
        pytest("tests/python/test_udf_plugin.py", "-k", "memory_limit_is_the_configured_amount"),
        "a user's SEGMENT_MARTS_MEMORY_LIMIT pasted into SET unchecked",
    ),
    Mutant(
        "experiment-recommendation-boundary",
        "macros/formulas/experiment_recommendation.sql",
        "when ({{ profit_ci_low }}) > 0 then 'target'",
        "when ({{ profit_ci_high }}) > 0 then 'target'",
        dbt_build("campaign_performance"),
        "target an experiment whose profit interval merely reaches above 0",
        needs_build=True,
    ),
    Mutant(
        "break-even-inverted",
        "macros/formulas/break_even_response_rate.sql",
        "{{ safe_divide(cost_per_contact, revenue_per_response) }}",
        "{{ safe_divide(revenue_per_response, cost_per_contact) }}",
        dbt_build("int_campaigns_classified", "segment_profiles"),
        "break-even response rate as revenue over cost",
        needs_build=True,
    ),
    Mutant(
        "roi-on-gross-revenue",
        "models/marts/campaigns/campaign_performance.sql",
        "{{ return_on_cost('incremental_revenue', 'cost') }} as incremental_roi",
        "{{ return_on_cost('revenue', 'cost') }} as incremental_roi",
        dbt_build("campaign_performance"),
        "an experiment's ROI computed on gross instead of incremental revenue",
        needs_build=True,
    ),
    Mutant(
        "experiment-arms-swapped",
        "models/marts/campaigns/campaign_performance.sql",
        "as revenue_mean_treatment,\n        avg(coalesce(response_revenue, 0))"
        " filter (where is_control) as revenue_mean_control",
        "as revenue_mean_control,\n        avg(coalesce(response_revenue, 0))"
        " filter (where is_control) as revenue_mean_treatment",
        dbt_build("campaign_performance"),
        "treatment and control swapped in the revenue lift",
        needs_build=True,
    ),
    Mutant(
        "rfm-recency-score-reversed",
        "models/marts/customers/customer_rfm.sql",
        "quintile_score('recency_days', higher_is_better=false)",
        "quintile_score('recency_days', higher_is_better=true)",
        dbt_build("customer_rfm"),
        "the RFM recency score reversed (long-lapsed customers score 5)",
        needs_build=True,
    ),
    Mutant(
        "reject-reason-dropped",
        "models/staging/shop/base/base_shop__orders.sql",
        "            when amount is null then 'missing or unparseable amount'\n",
        "",
        pytest("tests/python/test_inputs.py", "-k", "delimited_files_with_bad_rows"),
        "an unparseable amount no longer rejected (the row is kept with no amount)",
        needs_build=True,
    ),
    Mutant(
        "response-features-leak-the-target",
        "models/intermediate/campaigns/int_response_features.sql",
        "campaigns.broadcast_sequence < later_campaigns",
        "campaigns.broadcast_sequence <= later_campaigns",
        dbt_build("int_response_features"),
        "the target campaign counted among the customer's prior campaigns (a leak)",
        needs_build=True,
    ),
)


def scratch_copy(destination: Path) -> None:
    """The tracked files of the project (what a clean clone has), without build artefacts."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in files:
        source = PROJECT_DIR / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def apply(mutant: Mutant, root: Path) -> None:
    path = root / mutant.path
    text = path.read_text()
    count = text.count(mutant.find)
    if count != 1:
        raise SystemExit(
            f"mutant {mutant.id}: the text to replace occurs {count} times in {mutant.path} "
            "(the code changed; update the mutant)"
        )
    path.write_text(text.replace(mutant.find, mutant.replace))


def scratch_env(root: Path, database: str) -> dict[str, str]:
    """The environment of a command in a scratch copy: its own warehouse and spill folder, and
    none of the calling pytest's variables (the harness may itself run inside pytest-xdist)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    env["SEGMENT_MARTS_DB"] = str(root / database)
    env["SEGMENT_MARTS_TEMP_DIR"] = str(root / "spill")
    return env


def load_preloaded():
    """tests/tools/preloaded.py, loaded from its file: putting the project on sys.path here
    would let a dbt command import the unmutated modules instead of the scratch copy's."""
    spec = importlib.util.spec_from_file_location(
        "preloaded", PROJECT_DIR / "tests" / "tools" / "preloaded.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Each command runs in a fork of a helper that has imported pytest, dbt and the scientific
# libraries once (tests/tools/preloaded.py).
LAUNCHER = load_preloaded().Launcher()


def run_command(
    command: tuple[str, ...], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess:
    return LAUNCHER.run(command, cwd, env)


# The dbt mutants' warehouse, and the copy of it built from the unmutated code.
WAREHOUSE = "mutant.duckdb"
UNMUTATED = "unmutated.duckdb"


def is_dbt(command: tuple[str, ...]) -> bool:
    return command[0] == DBT


def rebuilt_models(command: tuple[str, ...]) -> tuple[str, ...]:
    return command[command.index("--select") + 1 : command.index("--indirect-selection")]


def warehouse_command(mutants: list[Mutant]) -> tuple[str, ...]:
    """The seeds and models of every dbt mutant's models and all their parents."""
    models = dict.fromkeys(m for mutant in mutants for m in rebuilt_models(mutant.command))
    return (DBT, "build", "--select", *(f"+{model}" for model in models),
            "--resource-type", "seed", "--resource-type", "model", *DBT_OPTIONS)  # fmt: skip


@contextmanager
def dbt_workbench(mutants: list[Mutant]) -> Iterator[Path]:
    """One scratch copy for all dbt mutants, with the unmutated warehouse built once: each
    mutant rebuilds only its models on a fresh copy of it, and dbt keeps its parsed project."""
    dbt_mutants = [mutant for mutant in mutants if is_dbt(mutant.command)]
    with tempfile.TemporaryDirectory(prefix=".mutant-", dir=PROJECT_DIR.parent) as folder:
        root = Path(folder)
        if dbt_mutants:
            scratch_copy(root)
            result = run_command(warehouse_command(dbt_mutants), root, scratch_env(root, WAREHOUSE))
            if result.returncode != 0:
                raise SystemExit(f"the unmutated warehouse did not build:\n{result.stdout[-3000:]}")
            shutil.copy(root / WAREHOUSE, root / UNMUTATED)
        yield root


def run_in_workbench(command: tuple[str, ...], root: Path) -> subprocess.CompletedProcess:
    shutil.copy(root / UNMUTATED, root / WAREHOUSE)
    return run_command(command, root, scratch_env(root, WAREHOUSE))


def run(mutant: Mutant, workbench: Path) -> tuple[str, float, str]:
    """(outcome, seconds, last output lines); outcome 'killed' when the command reports failing
    tests (exit status 1 for pytest and dbt alike), 'survived' when it passes, 'error' when it
    could not run (a crash, a usage or collection error: that proves nothing either way). A
    pytest mutant gets its own scratch copy beside the project (tests that read ../shared find
    it); a dbt mutant is applied in the workbench and undone after its build."""
    started = time.perf_counter()
    if is_dbt(mutant.command):
        unmutated = (workbench / mutant.path).read_text()
        apply(mutant, workbench)
        try:
            result = run_in_workbench(mutant.command, workbench)
        finally:
            (workbench / mutant.path).write_text(unmutated)
    else:
        with tempfile.TemporaryDirectory(prefix=".mutant-", dir=PROJECT_DIR.parent) as folder:
            root = Path(folder)
            scratch_copy(root)
            apply(mutant, root)
            result = run_command(mutant.command, root, scratch_env(root, "mutant.duckdb"))
    tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-3:])
    outcome = {0: "survived", 1: "killed"}.get(result.returncode, "error")
    return outcome, time.perf_counter() - started, tail


def baseline_failures(mutants: list[Mutant], workbench: Path) -> list[str]:
    """The commands that fail on the unmutated copy: a mutant 'killed' by them proves nothing."""
    failing = []
    with tempfile.TemporaryDirectory(prefix=".mutant-", dir=PROJECT_DIR.parent) as folder:
        root = Path(folder)
        scratch_copy(root)
        env = scratch_env(root, "baseline.duckdb")
        for command in dict.fromkeys(mutant.command for mutant in mutants):
            if is_dbt(command):
                result = run_in_workbench(command, workbench)
            else:
                result = run_command(command, root, env)
            if result.returncode != 0:
                failing.append(" ".join(command))
    return failing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="include mutants that need a build")
    parser.add_argument("--only", default="", help="run mutants whose id contains one of these "
                        "comma-separated words")  # fmt: skip
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the run on the unmutated copy"
    )
    options = parser.parse_args()
    words = options.only.split(",")
    chosen = [
        m
        for m in MUTANTS
        if (options.all or not m.needs_build) and any(word in m.id for word in words)
    ]
    started = time.perf_counter()
    with dbt_workbench(chosen) as workbench:
        if any(is_dbt(mutant.command) for mutant in chosen):
            seconds = time.perf_counter() - started
            print(f"the unmutated warehouse for the dbt mutants built in {seconds:.1f} s")
        if options.no_baseline:
            print(f"{len(chosen)} mutants; the unmutated code is not run here (--no-baseline)")
        else:
            broken = baseline_failures(chosen, workbench)
            if broken:
                print("these commands fail without any mutant; fix them first:")
                print("  " + "\n  ".join(broken))
                return 2
            print(f"{len(chosen)} mutants; every command passes on the unmutated code")
        not_killed = []
        for mutant in chosen:
            outcome, seconds, tail = run(mutant, workbench)
            print(f"{outcome:8} {seconds:6.1f} s  {mutant.id}: {mutant.why}")
            if outcome != "killed":
                not_killed.append(mutant.id)
                print("    " + tail.replace("\n", "\n    "))
    print(f"{len(chosen) - len(not_killed)} killed, {len(not_killed)} survived")
    return 1 if not_killed else 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    finally:
        LAUNCHER.close()

"""Benchmark `dbt build` on the generated sample at several sizes.

For each size: a fresh DuckDB file, `dbt build --vars '{sample_customers: N}'`, then per model
the wall time from dbt's run_results.json and the rows it holds, plus the whole run's wall time
and the peak resident memory of the dbt process (sampled from /proc every 100 ms). Prints a
Markdown table and writes JSON.

    python benchmarks/benchmark.py 10000 100000 --pandas --json benchmarks/results.json

With --exclude SELECTOR the build leaves those nodes out: run it back to back with the full build
to measure what a part of the project costs.

With --pandas it also runs benchmarks/pandas_baseline.py (the notebook way) on the same raw data
and reports the ratio of the two wall times.

Each size also reports the nodes' thread time by kind (SQL models, Python models, data tests,
seeds): against the same build with --threads 1 it shows how much running nodes side by side
slows each kind. With --keep DIR each size's run_results.json, manifest.json and dbt output are
copied to DIR/<customers>/ for a timeline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]


def peak_rss_bytes(pid: int, stop: threading.Event, result: list[int]) -> None:
    """Sample the resident memory of ``pid`` and its children until ``stop`` is set."""
    peak = 0
    while not stop.is_set():
        total = 0
        for proc in [pid, *children_of(pid)]:
            try:
                with open(f"/proc/{proc}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
            except OSError:
                continue
        peak = max(peak, total)
        stop.wait(0.1)
    result.append(peak)


def children_of(pid: int) -> list[int]:
    """Every descendant of ``pid``: /proc lists a process's children per thread, and dbt starts
    the fitting workers from its model threads as well as its main thread."""
    descendants = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for thread in threads:
        try:
            with open(f"/proc/{pid}/task/{thread}/children") as handle:
                children = [int(child) for child in handle.read().split()]
        except OSError:
            continue
        for child in children:
            descendants += [child, *children_of(child)]
    return descendants


# The kinds of node whose thread time is reported, in report order.
THREAD_TIME_KINDS = ("sql_models", "python_models", "data_tests", "seeds", "other")


def node_kind(unique_id: str, language: str | None) -> str:
    """The report kind of a node: models by language, data tests, seeds, everything else."""
    resource_type = unique_id.split(".", maxsplit=1)[0]
    if resource_type == "model":
        return "python_models" if language == "python" else "sql_models"
    if resource_type == "test":
        return "data_tests"
    if resource_type == "seed":
        return "seeds"
    return "other"


def thread_seconds(results: list[dict], languages: dict[str, str]) -> dict[str, float]:
    """Execution time summed per node kind (``languages``: a model's unique id -> its language,
    from manifest.json), rounded to 0.1 s; every kind is present."""
    totals = dict.fromkeys(THREAD_TIME_KINDS, 0.0)
    for result in results:
        kind = node_kind(result["unique_id"], languages.get(result["unique_id"]))
        totals[kind] += result["execution_time"]
    return {kind: round(seconds, 1) for kind, seconds in totals.items()}


def model_languages(manifest_path: Path) -> dict[str, str]:
    nodes = json.loads(manifest_path.read_text())["nodes"]
    return {unique_id: node.get("language", "sql") for unique_id, node in nodes.items()}


def keep_artifacts(target: Path, output: str, keep: Path, customers: int) -> None:
    """Copy a size's run_results.json and manifest.json and dbt's output to keep/<customers>/."""
    folder = keep / str(customers)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("run_results.json", "manifest.json"):
        if (target / name).exists():
            shutil.copy2(target / name, folder / name)
    (folder / "dbt_output.log").write_text(output)


def pandas_baseline(database: Path, workdir: Path) -> dict:
    """Run benchmarks/pandas_baseline.py on the same raw data, in its own process."""
    output = workdir / "pandas.json"
    script = PROJECT_DIR / "benchmarks" / "pandas_baseline.py"
    subprocess.run(["python", str(script), str(database), "--json", str(output)], check=True,
                   capture_output=True)  # fmt: skip
    return json.loads(output.read_text())


def run_size(
    customers: int,
    workdir: Path,
    threads: int,
    with_pandas: bool,
    *,
    exclude: str | None = None,
    keep: Path | None = None,
) -> dict:
    database = workdir / f"bench_{customers}.duckdb"
    target = workdir / f"target_{customers}"
    env = {**os.environ, "SEGMENT_MARTS_DB": str(database), "SEGMENT_MARTS_THREADS": str(threads),
           "SEGMENT_MARTS_TEMP_DIR": str(workdir / "spill")}  # fmt: skip
    size_vars = json.dumps({"sample_customers": customers})
    command = [
        shutil.which("dbt") or "dbt",
        "build",
        "--vars",
        size_vars,
        "--target-path",
        str(target),
        *(["--exclude", exclude] if exclude else []),
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)  # fmt: skip
    stop, peak = threading.Event(), []
    sampler = threading.Thread(target=peak_rss_bytes, args=(process.pid, stop, peak))
    sampler.start()
    output, _ = process.communicate()
    stop.set()
    sampler.join()
    elapsed = time.perf_counter() - started
    run_results = target / "run_results.json"
    if process.returncode != 0 and not run_results.exists():
        raise SystemExit(f"dbt build failed at {customers} customers:\n{output[-4000:]}")
    results = json.loads(run_results.read_text())["results"]
    if keep is not None:
        keep_artifacts(target, output, keep, customers)
    threads_used = thread_seconds(results, model_languages(target / "manifest.json"))
    # A failing test still leaves every model's timing worth reporting (a 45-minute run is not
    # thrown away); main() exits non-zero after the report.
    failures = [r["unique_id"] for r in results if r["status"] in {"error", "fail"}]
    if failures:
        print(f"dbt build at {customers} customers had failures: {', '.join(failures)}")
    models = []
    with duckdb.connect(str(database), read_only=True) as conn:
        tables = {
            (schema, name)
            for schema, name in conn.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        for result in results:
            parts = result["unique_id"].split(".")
            if parts[0] not in {"model", "seed"}:
                continue
            relation = next(((s, n) for s, n in tables if n == parts[-1]), None)
            rows = (
                conn.execute(f'select count(*) from "{relation[0]}"."{relation[1]}"').fetchall()[0][
                    0
                ]
                if relation
                else None
            )
            models.append({"model": parts[-1], "seconds": round(result["execution_time"], 2),
                           "rows": rows})  # fmt: skip
    baseline = pandas_baseline(database, workdir) if with_pandas else None
    database.unlink(missing_ok=True)
    return {"customers": customers, "wall_seconds": round(elapsed, 1),
            "peak_rss_mb": round(peak[0] / 2**20), "thread_seconds": threads_used,
            "models": models,
            "pandas_baseline": baseline, "failures": failures}  # fmt: skip


def markdown(runs: list[dict], top: int) -> str:
    lines = [
        "| customers | wall time (s) | peak memory (MB) | slowest models (s) |",
        "|---|---|---|---|",
    ]
    for run in runs:
        slowest = sorted(run["models"], key=lambda m: -m["seconds"])[:top]
        detail = ", ".join(f"{m['model']} {m['seconds']}" for m in slowest)
        lines.append(
            f"| {run['customers']:,} | {run['wall_seconds']} | {run['peak_rss_mb']:,} | {detail} |"
        )
    kinds = " | ".join(kind.replace("_", " ") for kind in THREAD_TIME_KINDS)
    lines += [
        "",
        f"| customers | thread time (s): {kinds} |",
        "|---|" + "---|" * len(THREAD_TIME_KINDS),
    ]
    for run in runs:
        used = " | ".join(str(run["thread_seconds"][kind]) for kind in THREAD_TIME_KINDS)
        lines.append(f"| {run['customers']:,} | {used} |")
    baselines = [run for run in runs if run.get("pandas_baseline")]
    if baselines:
        lines += [
            "",
            "| customers | pandas + sklearn (s) | its peak memory (MB) | dbt build / pandas |",
            "|---|---|---|---|",
        ]
        for run in baselines:
            baseline = run["pandas_baseline"]
            ratio = run["wall_seconds"] / baseline["total_seconds"]
            lines.append(f"| {run['customers']:,} | {baseline['total_seconds']} | "
                         f"{baseline['peak_rss_mb']:,} | {ratio:.2f} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int, help="customers per run")
    parser.add_argument("--json", type=Path, help="write the full results here")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--top", type=int, default=5, help="slowest models listed per size")
    parser.add_argument("--pandas", action="store_true",
                        help="also run benchmarks/pandas_baseline.py on the same data")  # fmt: skip
    parser.add_argument(
        "--exclude",
        help="dbt nodes left out of the build, to measure what a part costs: int_history_periods+",
    )
    parser.add_argument(
        "--keep", type=Path, help="copy each size's run results, manifest and dbt output here"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        runs = [
            run_size(
                size, Path(workdir), args.threads, args.pandas, exclude=args.exclude, keep=args.keep
            )
            for size in args.sizes
        ]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"Machine: {machine}\n\n{markdown(runs, args.top)}")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "runs": runs}, indent=2))
    if any(run["failures"] for run in runs):
        raise SystemExit("some dbt nodes failed: see the failures above")


if __name__ == "__main__":
    main()

"""Trust at the door: hostile inputs end in a clear error naming the input, column or var, or in
quarantined rows with reasons, and never run injected SQL or lose rows silently.

One hostile folder holds every kind of bad row at once and is built once (the folder's name is
itself an SQL injection attempt, its files are latin-1 and named in odd letter cases); the error
cases each stop in the on-run-start check or in staging, so they cost a parse, not a build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_DIR, DbtBuild, finished_line, read_inputs, run_dbt, vars_arg

pytestmark = pytest.mark.e2e

INJECTION = "p'); create table main.pwned as select 42 as v; select file from glob('q"

OUT_OF_RANGE = "outside min_plausible_date..max_plausible_date"
NOT_FINITE = "amount not finite or beyond max_plausible_amount"
CUSTOMERS_HEADER = "customer_id;signup_date;birth_year;education;income;kids_home;teens_home"
GOOD_CUSTOMERS = [
    f"C-{n:06d};2023-0{1 + n % 9}-1{n % 10};{1960 + n};Licenciée;{40000 + 1000 * n};{n % 3};0"
    for n in range(1, 17)
]
# (line, reason it is rejected with, or None when it is kept)
CUSTOMER_CASES = [
    ("  1_0 ;2023-01-05;1980;PhD;52000;0;1", None),  # trimmed text id, not the integer 10
    ("SPRING24_EMAIL;31-02-2014;1985;PhD;61000;1;0", None),  # impossible signup date: flagged
    ("C-900001;2023-01-05;1980;PhD;52000;-1;0", "negative kids_home or teens_home"),
    ("C-900002;0001-01-01;1980;PhD;52000;0;0", f"signup_date {OUT_OF_RANGE}"),
    ("C-900003;infinity;1980;PhD;52000;0;0", f"signup_date {OUT_OF_RANGE}"),
    ("   ;2023-01-05;1980;PhD;52000;0;0", "missing customer_id"),
    ("C-900004;2023-01-05;1980", "ragged row: fewer fields than the 7 of the header"),
    ("C-900005;2023;1980;PhD;52000;0;0;extra", "ragged row: more fields than the 7 of the header"),
]  # fmt: skip

ORDERS_HEADER = "order_id;customer_id;order_date;amount;category;channel"
GOOD_ORDERS = [
    f"o-{n};C-{1 + n % 16:06d};2024-{1 + n % 12:02d}-{1 + n % 27:02d};{10 + n}.5;wines;web"
    for n in range(1, 41)
]
ORDER_CASES = [
    ("o-future;C-000001;2031-06-01;25;meat;store", None),  # future date: flagged, kept
    ("o-text;1_0;2024-02-02;30;meat;store", None),
    ("o-crlf;SPRING24_EMAIL;2024-03-03;12;meat;web\r", None),  # a Windows line ending
    ("o-nan;C-000002;2024-01-01;NaN;wines;web", NOT_FINITE),
    ("o-inf;C-000002;2024-01-01;inf;wines;web", NOT_FINITE),
    ("o-minf;C-000002;2024-01-01;-inf;wines;web", NOT_FINITE),
    ("o-huge;C-000002;2024-01-01;1e308;wines;web", NOT_FINITE),
    ("o-inf-date;C-000002;infinity;5;wines;web", f"order_date {OUT_OF_RANGE}"),
    ("o-neg-date;C-000002;-infinity;5;wines;web", f"order_date {OUT_OF_RANGE}"),
    ("o-old;C-000002;0001-01-01;5;wines;web", f"order_date {OUT_OF_RANGE}"),
    ("o-far;C-000002;9999-12-31;5;wines;web", f"order_date {OUT_OF_RANGE}"),
    ("o-orphan;C-900001;2024-01-01;5;wines;web", "orphan order: customer_id not in customers"),
    ("o-short;C-000003", "ragged row: fewer fields than the 6 of the header"),
]  # fmt: skip

CAMPAIGNS = ["campaign_id;campaign_name;channel;cost_per_contact;revenue_per_response",
             "email_test;Spring e-mail test;email;3;11",
             "SPRING24_EMAIL;Spring broadcast;email;3;11"]  # fmt: skip
CONTACTS_HEADER = "campaign_id;customer_id;variant;responded"
CONTACTS = [
    f"email_test;C-{n:06d};{'control' if n % 2 else 'discount'};{1 if n % 3 == 0 else 0}"
    for n in range(1, 17)
] + ["SPRING24_EMAIL;C-000001;;1", "SPRING24_EMAIL;1_0;;0"]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    return path


def lines_of(cases):
    return [line for line, _ in cases]


def expected_rejects(cases) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, reason in cases:
        if reason:
            counts[reason] = counts.get(reason, 0) + 1
    return counts


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[DbtBuild, str, Path]:
    workdir = tmp_path_factory.mktemp("hostile")
    folder = workdir / INJECTION
    folder.mkdir()
    write_lines(
        folder / "Customers.csv", [CUSTOMERS_HEADER, *GOOD_CUSTOMERS, *lines_of(CUSTOMER_CASES)]
    )
    write_lines(folder / "ORDERS.CSV", [ORDERS_HEADER, *GOOD_ORDERS, *lines_of(ORDER_CASES)])
    write_lines(folder / "campaigns.Csv", CAMPAIGNS)
    write_lines(folder / "campaign_contacts.csv", [CONTACTS_HEADER, *CONTACTS])
    database = workdir / "warehouse.duckdb"
    settings = {"input": "files", "input_path": str(folder), "input_encoding": "latin-1"}
    result = run_dbt(["build", *vars_arg(settings)], database)
    return DbtBuild(database=database, output=result.stdout), result.stdout, folder


def test_a_build_without_selection_runs_the_data_tests_but_no_unit_test(hostile):
    # selectors.yml's default: unit tests check fixtures, not the user's data.
    _, output, _ = hostile
    finished = finished_line(output)
    assert "data tests" in finished
    assert "unit test" not in finished


def test_the_injection_in_the_folder_name_never_runs(hostile):
    build, _, _ = hostile
    tables = build.query("select table_schema, table_name from information_schema.tables")
    assert ("main", "pwned") not in tables
    assert build.scalar("select count(*) from marts.customers") > 0
    # Lineage shows the files source the folder stands for.
    assert read_inputs(build.database, "base_shop__orders") == {"shop_files.orders"}


def test_every_hostile_row_is_kept_or_rejected_with_its_reason(hostile):
    build, _, _ = hostile
    cases = {
        "customers": (GOOD_CUSTOMERS, CUSTOMER_CASES, "stg_shop__customers"),
        "orders": (GOOD_ORDERS, ORDER_CASES, "stg_shop__orders"),
    }
    for input_name, (good, bad, staged) in cases.items():
        kept = build.scalar(f"select count(*) from staging.{staged}")
        rejected = dict(
            build.query(
                "select reject_reason, count(*) from marts.rejected_rows "
                f"where input_name = '{input_name}' group by reject_reason"
            )
        )
        assert rejected == expected_rejects(bad), input_name
        assert kept + sum(rejected.values()) == len(good) + len(bad), input_name
    contacts_in = len(CONTACTS)
    contacts_kept = build.scalar("select count(*) from staging.stg_shop__campaign_contacts")
    assert contacts_kept == contacts_in  # every contact names a kept customer and campaign


def test_ragged_rows_are_rejected_with_their_row_number(hostile):
    build, _, _ = hostile
    row = build.scalar(
        "select source_row_number from marts.rejected_rows "
        "where input_name = 'customers' and reject_reason like 'ragged row: more%'"
    )
    # Data row numbers count from 1 after the header.
    assert row == len(GOOD_CUSTOMERS) + len(CUSTOMER_CASES)


def test_text_ids_are_kept_trimmed_and_never_read_as_numbers(hostile):
    build, _, _ = hostile
    ids = {row[0] for row in build.query("select customer_id from marts.customers")}
    assert {"1_0", "SPRING24_EMAIL", "C-000001"} <= ids
    assert "10" not in ids
    arms = build.query(
        "select campaign_id, variant, n_treatment, n_control from marts.ab_test_results"
    )
    assert arms == [("email_test", "discount", 8, 8)]
    assert (
        build.scalar(
            "select count(*) from marts.campaign_performance where campaign_id = 'SPRING24_EMAIL'"
        )
        > 0
    )


def test_flagged_values_are_kept_and_never_fail_a_mart_test(hostile):
    build, output, _ = hostile
    assert "ERROR=0" in output and "WARN=0" in output
    assert build.scalar(
        "select is_order_date_in_future from marts.orders where order_id = 'o-future'"
    )
    assert build.scalar(
        "select is_signup_date_unparseable from staging.stg_shop__customers "
        "where customer_id = 'SPRING24_EMAIL'"
    )
    # The latin-1 file was read as latin-1 (var input_encoding).
    assert build.scalar(
        "select count(*) from staging.stg_shop__customers where education = 'Licenciée'"
    ) == len(GOOD_CUSTOMERS)


def test_each_input_with_rejects_prints_one_warning_with_counts(hostile):
    _, output, _ = hostile
    rows_in = len(GOOD_ORDERS) + len(ORDER_CASES)
    rejected = sum(expected_rejects(ORDER_CASES).values())
    assert output.count("[WARNING]: Input 'orders': ") == 1
    assert f"Input 'orders': {rejected} of {rows_in} rows rejected" in output
    assert output.count("[WARNING]: Input 'customers': ") == 1


# --- Errors: each names what is wrong and stops before any model runs. ---------------------


def failed_run(tmp_path: Path, settings: dict, database: Path | None = None, select="staging"):
    database = database or tmp_path / "warehouse.duckdb"
    result = run_dbt(["build", "--select", select, *vars_arg(settings)], database, check=False)
    assert result.returncode != 0, result.stdout[-3000:]
    return result.stdout


def test_bad_vars_are_all_named_in_one_message(tmp_path):
    output = failed_run(
        tmp_path,
        {
            "sample_customers": "abc",
            "sample_seed": -1,
            "as_of_date": "2024-02-30",
            "input_schema": "raw; drop table x",
            "ab_alpha": "nan",
            "max_plausible_amount": "1e999",
            "max_reject_share": 2,
            "input": "file",
        },
    )
    assert "Invalid settings" in output
    for expected in [
        "var sample_customers must be a number; got 'abc'",
        "var sample_seed must be from 0 to 2147483647; got '-1'",
        "var as_of_date is not a calendar date from 1800 to 2200; got '2024-02-30'",
        "var input_schema must be a plain name",
        "var ab_alpha must be a number; got 'nan'",
        "var max_plausible_amount must be a finite number; got '1e999'",
        "var max_reject_share must be from 0 to 1; got '2'",
        "var input must be one of sample, files, tables, marketing_campaign; got 'file'",
    ]:
        assert expected in output, expected
    assert "OK created" not in output


@pytest.fixture
def populated(sample_build, tmp_path) -> Path:
    """A copy of the session's sample warehouse, to show a failed run leaves its marts alone."""
    database = tmp_path / "populated.duckdb"
    shutil.copy(sample_build.database, database)
    return database


def mart_counts(database: Path) -> tuple:
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(
            "select (select count(*) from marts.customers), (select count(*) from marts.orders)"
        ).fetchall()[0]


def test_a_missing_folder_is_an_error_that_empties_nothing(tmp_path, populated):
    before = mart_counts(populated)
    missing = tmp_path / "O'Brien" / "exports"
    output = failed_run(
        tmp_path, {"input": "files", "input_path": str(missing)}, populated, select="+customers"
    )
    assert f"var input_path: the folder '{missing}' does not exist or is empty" in output
    assert mart_counts(populated) == before


def test_a_folder_without_inputs_lists_what_was_looked_for(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "customer_list.xlsx").write_text("not an input")
    output = failed_run(tmp_path, {"input": "files", "input_path": str(folder)})
    assert "no input found" in output
    assert "customers, orders, campaigns and campaign_contacts" in output
    assert "customer_list.xlsx" in output


def test_too_many_rejects_stop_the_build_with_counts_and_reasons(tmp_path, populated):
    before = mart_counts(populated)
    folder = tmp_path / "data"
    folder.mkdir()
    write_lines(
        folder / "orders.csv",
        ["customer_id,order_date,amount", "1,2024-01-01,10", "2,2024-13-45,10", "3,,abc",
         "4,2024-01-02,NaN"],
    )  # fmt: skip
    output = failed_run(
        tmp_path, {"input": "files", "input_path": str(folder)}, populated, select="+customers"
    )
    assert "Input 'orders': 3 of 4 rows rejected (75.0%)" in output
    assert "2 x missing or unparseable order_date" in output
    assert "1 x amount not finite or beyond max_plausible_amount" in output
    assert "more than max_reject_share (0.5)" in output
    assert mart_counts(populated) == before


def test_switching_inputs_on_a_warehouse_asks_for_a_full_refresh(tmp_path, populated):
    folder = tmp_path / "data"
    folder.mkdir()
    write_lines(folder / "orders.csv", ["customer_id,order_date,amount", "1,2024-01-01,10"])
    output = failed_run(
        tmp_path, {"input": "files", "input_path": str(folder)}, populated, select="+orders"
    )
    assert "orders holds rows loaded from another input" in output
    assert "dbt build --full-refresh" in output
    rebuilt = run_dbt(
        ["build", "--full-refresh", "--select", "+orders",
         *vars_arg({"input": "files", "input_path": str(folder)})],
        populated,
    )  # fmt: skip
    assert "ERROR=0" in rebuilt.stdout
    assert mart_counts(populated)[1] == 1


def test_a_locked_warehouse_is_one_clear_line(tmp_path):
    database = tmp_path / "locked.duckdb"
    with duckdb.connect(str(database)):
        result = run_dbt(["run", "--select", "int_reference_date"], database, check=False)
    assert result.returncode != 0
    assert f"the warehouse {database} is open in another process" in result.stdout
    assert "Traceback" not in result.stdout


def test_started_from_another_folder_the_warehouse_stays_in_the_project_root(tmp_path):
    # The README's instructions: DBT_PROJECT_DIR and DBT_PROFILES_DIR, from any folder.
    env = {key: value for key, value in os.environ.items() if not key.startswith("SEGMENT_MARTS_")}
    env |= {"DBT_PROJECT_DIR": str(PROJECT_DIR), "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    env["DBT_LOG_PATH"] = str(tmp_path / "logs")
    env["DBT_TARGET_PATH"] = str(tmp_path / "target")
    result = subprocess.run(
        ["dbt", "debug"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert f"path: {PROJECT_DIR}/segment_marts.duckdb" in result.stdout
    assert not list(tmp_path.glob("*.duckdb"))

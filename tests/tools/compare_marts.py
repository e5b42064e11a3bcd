"""Compare every mart of two DuckDB warehouses row for row: python tests/tools/compare_marts.py A B.

For refactors that must not change a mart: each table in schema ``marts`` of A is compared with
the same table in B with EXCEPT ALL both ways, doubles rounded to 9 significant digits (the
order of a floating-point sum may change in the last bits). Columns that record when the build
ran (``RUN_TIME_COLUMNS``) are left out. Prints one line per mart and exits non-zero when any mart
differs or is missing.
"""

from __future__ import annotations

import sys

import duckdb

FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}
# When segment_model was fitted and segment_drift checked: the build's clock, not its data.
RUN_TIME_COLUMNS = {"fitted_at", "checked_at"}


def columns_of(conn: duckdb.DuckDBPyConnection, catalog: str, table: str) -> dict[str, str]:
    rows = conn.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = 'marts' and table_name = ? "
        "order by ordinal_position",
        [catalog, table],
    ).fetchall()
    return dict(rows)


def rounded_columns(columns: dict[str, str], names: list[str]) -> str:
    parts = []
    for name in names:
        data_type = columns[name]
        quoted = '"' + name.replace('"', '""') + '"'
        if data_type.upper() in FLOAT_TYPES:
            parts.append(
                f"case when {quoted} = 0 or not isfinite({quoted}) then {quoted} else round("
                f"{quoted}, 8 - cast(floor(log10(abs({quoted}))) as integer)) end as {quoted}"
            )
        else:
            parts.append(quoted)
    return ", ".join(parts)


def compare(before: str, after: str) -> int:
    conn = duckdb.connect()
    conn.execute(f"attach '{before.replace(chr(39), chr(39) * 2)}' as a (read_only)")
    conn.execute(f"attach '{after.replace(chr(39), chr(39) * 2)}' as b (read_only)")
    tables = {
        catalog: {
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = ? and table_schema = 'marts'",
                [catalog],
            ).fetchall()
        }
        for catalog in ("a", "b")
    }
    failures = 0
    for table in sorted(tables["a"] | tables["b"]):
        if table not in tables["a"] or table not in tables["b"]:
            print(f"{table}: only in {'a' if table in tables['a'] else 'b'}")
            failures += 1
            continue
        columns_a, columns_b = columns_of(conn, "a", table), columns_of(conn, "b", table)
        shared = [name for name in columns_a if name in columns_b and name not in RUN_TIME_COLUMNS]
        for side, columns in (("a", columns_a), ("b", columns_b)):
            if extra := sorted(set(columns) - set(shared) - RUN_TIME_COLUMNS):
                print(f"{table}: columns only in {side}: {', '.join(extra)}")
        left = f'select {rounded_columns(columns_a, shared)} from a.marts."{table}"'
        right = f'select {rounded_columns(columns_b, shared)} from b.marts."{table}"'
        only_a = conn.execute(f"select count(*) from ({left} except all {right})").fetchall()[0][0]
        only_b = conn.execute(f"select count(*) from ({right} except all {left})").fetchall()[0][0]
        rows = conn.execute(f'select count(*) from a.marts."{table}"').fetchall()[0][0]
        status = "identical" if only_a == only_b == 0 else f"DIFFERS ({only_a} / {only_b} rows)"
        print(f"{table}: {rows} rows, {status}")
        failures += status != "identical"
    print(f"{failures} of {len(tables['a'] | tables['b'])} marts differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(compare(sys.argv[1], sys.argv[2]))

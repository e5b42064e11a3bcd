"""Throwaway PostgreSQL and local Spark warehouses for the cross-engine comparison tests.

The raw inputs (customers, orders, campaigns, campaign_contacts) come from one DuckDB sample
build and are loaded unchanged into schema ``raw`` of each engine; dbt then builds the SQL layer
with ``--vars '{input: tables}'`` everywhere, so the engines differ only in the SQL they run.
"""

from __future__ import annotations

import glob
import importlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from python_udfs.frames import relation_to_pandas

RAW_TABLES = ["customers", "orders", "campaigns", "campaign_contacts"]
# DuckDB type -> PostgreSQL type of the raw columns (the sample uses only these).
POSTGRES_TYPES = {
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
    "DATE": "date",
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
}


def export_raw_inputs(database: Path, folder: Path) -> dict[str, Path]:
    """The generated sample's raw tables as Parquet files (one per input)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    with duckdb.connect(str(database), read_only=True) as conn:
        for table in RAW_TABLES:
            path = folder / f"{table}.parquet"
            conn.execute(f"copy (select * from sample.sample_{table}) to '{path}' (format parquet)")
            paths[table] = path
    return paths


def load_raw_duckdb(database: Path, raw: dict[str, Path]) -> None:
    with duckdb.connect(str(database)) as conn:
        conn.execute("create schema if not exists raw")
        for table, path in raw.items():
            conn.execute(f"create or replace table raw.{table} as select * from '{path}'")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@dataclass
class PostgresCluster:
    """A PostgreSQL server in a temporary directory, listening on loopback only."""

    data_dir: Path
    port: int
    user: str = "postgres"
    database: str = "segment_marts"

    @classmethod
    def start(cls) -> PostgresCluster:
        initdb, pg_ctl = postgres_binary("initdb"), postgres_binary("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
        # Not under pytest's tmp folder: that is private to root, and initdb refuses to run as
        # root, so the server runs as the postgres user in a folder it owns.
        root = Path(tempfile.mkdtemp(prefix="segment_marts_pg_"))
        data_dir, socket_dir = root / "data", root / "socket"
        socket_dir.mkdir()
        cluster = cls(data_dir=data_dir, port=free_port())
        as_owner = []
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
            shutil.chown(socket_dir, "postgres")
            as_owner = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [*as_owner, initdb, "-D", str(data_dir), "-U", cluster.user, "-A", "trust",
             "--no-sync", "-E", "UTF8", "--locale", "C"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {socket_dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            [*as_owner, pg_ctl, "-D", str(data_dir), "-o", options, "-w", "-t", "60",
             "-l", str(root / "server.log"), "start"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        cluster._as_owner = as_owner
        cluster._pg_ctl = pg_ctl
        cluster.execute("create database segment_marts", database="postgres", autocommit=True)
        return cluster

    def connect(self, database: str | None = None):
        # Imported here: psycopg2 comes with the optional engine extras.
        psycopg2 = importlib.import_module("psycopg2")
        return psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname=database or self.database
        )

    def execute(self, sql: str, database: str | None = None, autocommit: bool = False) -> None:
        conn = self.connect(database)
        conn.autocommit = autocommit
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
            if not autocommit:
                conn.commit()
        finally:
            conn.close()

    def load_raw(self, raw: dict[str, Path]) -> None:
        """Create raw.<input> with the Parquet file's columns and COPY its rows in."""
        conn = self.connect()
        with conn, conn.cursor() as cursor:
            cursor.execute("create schema if not exists raw")
            for table, path in raw.items():
                with duckdb.connect() as duck:
                    columns = duck.execute(f"describe select * from '{path}'").fetchall()
                    csv_path = path.with_suffix(".csv")
                    duck.execute(f"copy (select * from '{path}') to '{csv_path}' (header)")
                definitions = ", ".join(
                    f'"{name}" {POSTGRES_TYPES.get(kind, "numeric")}' for name, kind, *_ in columns
                )
                cursor.execute(f"drop table if exists raw.{table}")
                cursor.execute(f"create table raw.{table} ({definitions})")
                with open(csv_path) as handle:
                    cursor.copy_expert(f"copy raw.{table} from stdin with csv header", handle)
        conn.close()

    def query(self, sql: str) -> tuple[list[str], list[tuple]]:
        conn = self.connect()
        with conn, conn.cursor() as cursor:
            cursor.execute(sql)
            names = [column.name for column in cursor.description]
            rows = cursor.fetchall()
        conn.close()
        return names, rows

    def stop(self) -> None:
        subprocess.run(
            [*self._as_owner, self._pg_ctl, "-D", str(self.data_dir), "-m", "immediate", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def environment(self) -> dict[str, str]:
        """What profiles.yml's postgres target reads."""
        return {
            "SEGMENT_MARTS_TARGET": "postgres",
            "SEGMENT_MARTS_PG_HOST": "127.0.0.1",
            "SEGMENT_MARTS_PG_PORT": str(self.port),
            "SEGMENT_MARTS_PG_USER": self.user,
            "SEGMENT_MARTS_PG_PASSWORD": "",
            "SEGMENT_MARTS_PG_DATABASE": self.database,
        }


def map_in_pandas(
    relation: Any, function: Callable[[pd.DataFrame], pd.DataFrame], columns: Sequence[str],
    schema: str,
) -> Any:  # fmt: skip
    """Apply a batch-wise pandas function (rows in, rows out, no cross-row state) to ``columns``
    of a relation.

    On a Spark DataFrame it runs as a pandas UDF (``mapInPandas``) on the executors and returns a
    Spark DataFrame of ``schema`` (a DDL string such as ``"customer_id long, p double"``), so a
    table too big for the driver is never collected. Elsewhere the relation is read into pandas
    (``relation_to_pandas``) and the function applied once.
    """
    columns = list(columns)
    if hasattr(relation, "mapInPandas"):
        return relation.select(*columns).mapInPandas(
            lambda batches: (function(batch) for batch in batches), schema=schema
        )
    return function(relation_to_pandas(relation, columns))

"""Reading a relation into pandas: only the asked-for columns, in a deterministic row order."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from python_udfs.frames import (
    cents,
    newest_value,
    on_own_cursor,
    relation_batches,
    relation_to_pandas,
    rows_for_ids,
    rows_from,
    streamed_result,
    typed_empty,
    with_text_columns,
)


def test_rows_come_sorted_by_the_requested_columns_whatever_the_stored_order():
    conn = duckdb.connect()
    conn.execute(
        "create table t as select * from "
        "(values (3, 'c', 0.3), (1, 'b', 0.2), (1, 'a', 0.1)) v(k, s, x)"
    )
    frame = relation_to_pandas(conn.table("t"), ["k", "s"])
    assert list(frame.columns) == ["k", "s"]
    assert frame.to_records(index=False).tolist() == [(1, "a"), (1, "b"), (3, "c")]


def test_rows_sorted_by_a_unique_key_are_in_the_all_columns_order():
    conn = duckdb.connect()
    conn.execute(
        "create table t as select 'c' || (range * 7919 % 1000) as customer_id, "
        "(range * 31) % 17 as x, range % 3 = 0 as flag from range(1000)"
    )
    columns = ["customer_id", "x", "flag"]
    by_key = relation_to_pandas(conn.table("t"), columns, unique_key="customer_id")
    pd.testing.assert_frame_equal(by_key, relation_to_pandas(conn.table("t"), columns))
    assert by_key["customer_id"].is_monotonic_increasing
    # Sorted by the key alone: another column first does not change the order.
    x_first = relation_to_pandas(conn.table("t"), ["x", "customer_id"], unique_key="customer_id")
    assert x_first["customer_id"].tolist() == by_key["customer_id"].tolist()


@pytest.mark.parametrize(
    ("max_id_list", "joined"),
    [(1000, False), (3, False), (3, True)],
    ids=["in-list", "batches", "semi-join"],
)
def test_rows_for_ids_fetches_just_those_rows_in_their_order(max_id_list, joined):
    conn = duckdb.connect()
    conn.execute(
        "create table t as select 'c' || range as customer_id, range * 1.5 as x from range(100)"
    )
    connection = conn if joined else None
    # The last two are absent: one quoted in SQL, one that would end the statement if pasted.
    ids = pd.Series(["c7", "c3", "c99", "c0", "c'1", "c1'); drop table t; --"])

    def fetch(wanted: pd.Series, columns: list[str]) -> pd.DataFrame:
        relation = conn.table("t")
        return rows_for_ids(relation, columns, wanted, 100, max_id_list, connection=connection)

    rows = fetch(ids[:4], ["customer_id", "x"])
    assert rows["customer_id"].tolist() == ["c7", "c3", "c99", "c0"]
    assert rows["x"].tolist() == [10.5, 4.5, 148.5, 0.0]
    assert len(fetch(ids[4:], ["customer_id"])) == 0
    assert len(fetch(ids[:0], ["customer_id"])) == 0
    assert fetch(pd.Series(["c5", "c1'); drop table t; --", "c2"]), ["customer_id"])[
        "customer_id"
    ].tolist() == ["c5", "c2"]
    assert conn.execute("select count(*) from t").fetchall() == [(100,)]


def test_money_is_stored_in_cents_without_float_artefacts():
    assert cents(37123.55000000002) == 37123.55
    assert repr(cents(37123.55000000002)) == "37123.55"
    assert cents([0.125, -2.80334, 1e-9]).tolist() == [0.12, -2.8, 0.0]


def test_rows_from_keeps_the_bound_and_treats_it_as_a_value_not_sql():
    with duckdb.connect() as conn:
        conn.execute(
            "create table t as select * from (values ('a', 1), ('it''s', 2), ('z', 3)) v(k, n)"
        )
        relation = conn.table("t")
        assert sorted(rows_from(relation, "n", 2).fetchall()) == [("it's", 2), ("z", 3)]
        # A bound with a quote in it is compared as text, never pasted into the query.
        assert sorted(rows_from(relation, "k", "it's").fetchall()) == [("it's", 2), ("z", 3)]
        assert newest_value(conn, "t", "n") == 3


def test_text_columns_are_stored_as_varchar_not_enum():
    frame = pd.DataFrame(
        {"id": [1, 2, 3], "name": pd.Categorical.from_codes([0, 1, 0], categories=["a", "b"])}
    )
    with duckdb.connect() as conn:
        with_text_columns(conn, frame, ["name"]).create("stored")
        types = dict(conn.execute("select column_name, data_type from information_schema.columns "
                                  "where table_name = 'stored'").fetchall())  # fmt: skip
        assert types == {"id": "BIGINT", "name": "VARCHAR"}
        # A value the first load never had inserts into the text column.
        conn.execute("insert into stored values (4, 'c')")
        assert conn.execute("select name from stored order by id").fetchall() == [
            ("a",),
            ("b",),
            ("a",),
            ("c",),
        ]


def test_a_streamed_result_is_written_batch_by_batch_while_its_input_streams():
    # The input streams from its own cursor while the session writes the result, the way dbt
    # materializes a Python model (register the result, then create table as select from it).
    with duckdb.connect() as conn:
        conn.execute("create table source as select i as id, i % 3 as code from range(2500) t(i)")
        source = on_own_cursor(conn, conn.table("source").filter("id >= 500"))
        produced = []

        def labelled(batches):
            for batch in batches:
                produced.append(len(batch))
                names = pd.Categorical.from_codes(batch["code"], categories=["a", "b", "c"])
                yield batch.assign(name=names)

        result = streamed_result(
            conn, labelled(relation_batches(source, ["id", "code"], batch_rows=700)),
            typed_empty(["id", "code", "name"], {"id": "int64", "code": "int64"}), ["name"],
        )  # fmt: skip
        assert produced == [700]  # only the first batch, for the schema, before the write
        conn.register("result", result)
        conn.execute("create table stored as select * from result")
        assert sum(produced) == 2000
        assert len(produced) >= 3
        types = dict(conn.execute("select column_name, data_type from information_schema.columns "
                                  "where table_name = 'stored'").fetchall())  # fmt: skip
        assert types == {"id": "BIGINT", "code": "BIGINT", "name": "VARCHAR"}
        assert conn.execute(
            "select count(*), sum(id), count(*) filter (where name = chr(97 + code::int))"
            " from stored"
        ).fetchall() == [(2000, sum(range(500, 2500)), 2000)]


def test_an_empty_streamed_result_keeps_the_typed_columns():
    with duckdb.connect() as conn:
        empty = typed_empty(["id", "name"], {"id": "int64", "name": "string"})
        streamed_result(conn, iter(()), empty, ["name"]).create("stored")
        types = dict(conn.execute("select column_name, data_type from information_schema.columns "
                                  "where table_name = 'stored'").fetchall())  # fmt: skip
        assert types == {"id": "BIGINT", "name": "VARCHAR"}

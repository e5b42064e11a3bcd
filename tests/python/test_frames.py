"""Reading a relation into pandas: only the asked-for columns, in a deterministic row order."""

from __future__ import annotations

import duckdb

from python_udfs.frames import relation_to_pandas


def test_rows_come_sorted_by_the_requested_columns_whatever_the_stored_order():
    conn = duckdb.connect()
    conn.execute(
        "create table t as select * from "
        "(values (3, 'c', 0.3), (1, 'b', 0.2), (1, 'a', 0.1)) v(k, s, x)"
    )
    frame = relation_to_pandas(conn.table("t"), ["k", "s"])
    assert list(frame.columns) == ["k", "s"]
    assert frame.to_records(index=False).tolist() == [(1, "a"), (1, "b"), (3, "c")]

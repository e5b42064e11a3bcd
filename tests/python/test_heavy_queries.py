"""The gate that runs memory-heavy models one at a time, driven by dbt's own node events."""

from __future__ import annotations

import threading
import time

import pytest
from dbt.events.types import NodeFinished, NodeStart
from dbt_common.events.base_types import msg_from_base_event
from dbt_common.events.types import Note
from dbt_common.exceptions import DbtRuntimeError

from python_udfs import plugin
from python_udfs.heavy_queries import (
    HeavyQueryGate,
    heavy_query_mode,
    install_gate,
    is_memory_heavy,
)
from python_udfs.plugin import Plugin

# Long enough that a thread that should wait is seen waiting, short enough for a unit test.
SETTLE = 0.3


def node_info(name: str, heavy: bool) -> dict:
    return {
        "node_path": f"{name}.sql",
        "node_name": name,
        "unique_id": f"model.segment_marts.{name}",
        "resource_type": "model",
        "materialized": "table",
        "node_status": "started",
        "node_started_at": "",
        "node_finished_at": "",
        "meta": {"owner": "analytics-engineering", **({"memory_heavy": True} if heavy else {})},
        "node_relation": {"database": "w", "schema": "main", "alias": name, "relation_name": name},
    }


def start(name: str, heavy: bool = True):
    return msg_from_base_event(NodeStart(node_info=node_info(name, heavy)))


def finish(name: str, heavy: bool = True):
    return msg_from_base_event(NodeFinished(node_info=node_info(name, heavy), run_result={}))


class Workers:
    """dbt worker threads: each fires a node's start at the gate, records when it got through,
    fires the node's finish when told to, and stays alive (a dbt worker outlives its nodes)."""

    def __init__(self, gate: HeavyQueryGate) -> None:
        self.gate = gate
        self.passed: list[str] = []
        self._lock = threading.Lock()
        self._finish: dict[str, threading.Event] = {}
        self._stop = threading.Event()

    def start(self, name: str, heavy: bool = True, live: bool = True) -> threading.Thread:
        self._finish[name] = finish_now = threading.Event()

        def run() -> None:
            self.gate(start(name, heavy))
            with self._lock:
                self.passed.append(name)
            if live:
                finish_now.wait()
                self.gate(finish(name, heavy))
                self._stop.wait()

        thread = threading.Thread(target=run, name=f"worker-{name}", daemon=True)
        thread.start()
        time.sleep(SETTLE)
        return thread

    def finish(self, name: str) -> None:
        self._finish[name].set()
        time.sleep(SETTLE)

    def stop(self) -> None:
        self._stop.set()
        for finish_now in self._finish.values():
            finish_now.set()


@pytest.fixture
def workers():
    started: list[Workers] = []

    def make(gate: HeavyQueryGate) -> Workers:
        started.append(Workers(gate))
        return started[-1]

    yield make
    for each in started:
        each.stop()


@pytest.mark.parametrize(
    ("configured", "expected"),
    [(None, "together"), ("", "together"), (" One_At_A_Time ", "one_at_a_time")],
)
def test_the_mode_defaults_to_together(configured, expected):
    assert heavy_query_mode(configured) == expected


@pytest.mark.parametrize("hostile", ["serial", "one at a time", "together; drop table x"])
def test_an_unknown_mode_is_an_error_that_names_the_variable(hostile):
    with pytest.raises(DbtRuntimeError, match=r"SEGMENT_MARTS_HEAVY_QUERIES.*together"):
        heavy_query_mode(hostile)


def test_only_a_true_memory_heavy_flag_marks_a_node():
    assert is_memory_heavy({"memory_heavy": True})
    assert not is_memory_heavy({"memory_heavy": False})
    assert not is_memory_heavy({"owner": "x"})
    assert not is_memory_heavy(None)
    # What the gate sees: the meta of a dbt event is a protobuf Struct, not a dict.
    assert is_memory_heavy(start("a").data.node_info.meta)
    assert not is_memory_heavy(start("a", heavy=False).data.node_info.meta)


def test_a_second_heavy_model_waits_until_the_first_finishes(workers):
    lines: list[str] = []
    gate = HeavyQueryGate(log=lines.append, poll_seconds=0.05)
    pool = workers(gate)
    pool.start("base_shop__orders")
    assert pool.passed == ["base_shop__orders"]
    assert gate.holder is not None and gate.holder.name == "base_shop__orders"

    pool.start("int_response_features")
    assert pool.passed == ["base_shop__orders"]  # held at its start
    assert lines == [
        "int_response_features: waits for base_shop__orders (one memory-heavy query at a time)"
    ]

    pool.finish("base_shop__orders")
    assert pool.passed == ["base_shop__orders", "int_response_features"]
    assert gate.holder is not None and gate.holder.name == "int_response_features"
    assert lines[1].startswith("int_response_features: starts after waiting ")
    assert lines[1].endswith(" s for base_shop__orders")
    pool.finish("int_response_features")
    assert gate.holder is None


def test_other_nodes_run_beside_a_heavy_model(workers):
    gate = HeavyQueryGate(log=lambda line: None, poll_seconds=0.05)
    pool = workers(gate)
    pool.start("base_shop__orders")
    pool.start("customers", heavy=False)
    assert pool.passed == ["base_shop__orders", "customers"]
    # A light node's end releases nothing: the heavy one still holds the gate.
    pool.finish("customers")
    assert gate.holder is not None and gate.holder.name == "base_shop__orders"


def test_a_finish_of_another_model_does_not_release_the_gate(workers):
    gate = HeavyQueryGate(log=lambda line: None, poll_seconds=0.05)
    pool = workers(gate)
    pool.start("base_shop__orders")
    gate(finish("segment_migration"))
    assert gate.holder is not None and gate.holder.name == "base_shop__orders"
    pool.start("segment_migration")
    assert pool.passed == ["base_shop__orders"]


def test_a_holder_whose_thread_died_does_not_hold_the_others(workers):
    gate = HeavyQueryGate(log=lambda line: None, poll_seconds=0.05)
    pool = workers(gate)
    # Its thread passes the gate and ends: a worker that died without a NodeFinished.
    pool.start("base_shop__orders", live=False)
    pool.start("int_customer_active_periods")
    assert pool.passed == ["base_shop__orders", "int_customer_active_periods"]


def test_a_thread_that_starts_its_next_node_gives_up_the_gate():
    gate = HeavyQueryGate(log=lambda line: None, poll_seconds=0.05)
    gate(start("base_shop__orders"))  # on this (live) thread, then no NodeFinished
    assert gate.holder is not None and gate.holder.name == "base_shop__orders"
    gate(start("customers", heavy=False))
    assert gate.holder is None


def test_other_events_are_ignored():
    gate = HeavyQueryGate(log=lambda line: None)
    gate(msg_from_base_event(Note(msg="progress")))
    assert gate.holder is None


def test_the_gate_is_installed_only_when_asked_for():
    callbacks: list = []
    assert install_gate(None, callbacks.append) is None
    assert install_gate("together", callbacks.append) is None
    assert callbacks == []
    gate = install_gate("one_at_a_time", callbacks.append)
    assert callbacks == [gate]


def test_the_plugin_installs_the_gate_from_the_environment(monkeypatch):
    installed = []
    monkeypatch.setenv("SEGMENT_MARTS_HEAVY_QUERIES", "one_at_a_time")
    monkeypatch.setattr(plugin, "add_callback_to_manager", installed.append)
    monkeypatch.setattr(plugin.dbt.selected_resources, "SELECTED_RESOURCES", ["test.x.y"])
    Plugin.initialize(object.__new__(Plugin), {})
    assert len(installed) == 1 and isinstance(installed[0], HeavyQueryGate)

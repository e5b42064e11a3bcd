"""One memory-heavy query at a time, for builds whose data outgrows DuckDB's memory limit.

DuckDB's ``memory_limit`` is one budget for the whole warehouse. The windows and aggregates over
every order line (the models marked ``meta: {memory_heavy: true}``) each want most of it once
the data outgrows it; two at once both spill and each runs much slower than alone. With
``SEGMENT_MARTS_HEAVY_QUERIES=one_at_a_time`` the plugin holds such a model at its start while
another runs; every other node (data tests, small models, the Python fits) still runs beside
it. The default, ``together``, leaves dbt's scheduling alone: below the limit the overlap is
free.

dbt has no setting for this, so the gate listens to dbt's own node events: ``NodeStart`` is
fired on the worker thread that is about to run the node, before its timing starts, so a wait
there delays the node without counting in its execution time, and ``NodeFinished`` follows
whatever the node's status.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

from dbt_common.exceptions import DbtRuntimeError

from python_udfs.progress import Log, log_progress

VARIABLE = "SEGMENT_MARTS_HEAVY_QUERIES"
TOGETHER = "together"
ONE_AT_A_TIME = "one_at_a_time"
MODES = (TOGETHER, ONE_AT_A_TIME)
META_KEY = "memory_heavy"


def heavy_query_mode(configured: str | None) -> str:
    """The mode ``SEGMENT_MARTS_HEAVY_QUERIES`` names (``together`` when unset or empty)."""
    mode = (configured or TOGETHER).strip().lower()
    if mode not in MODES:
        raise DbtRuntimeError(f"{VARIABLE} must be one of {', '.join(MODES)}; got {configured!r}")
    return mode


def is_memory_heavy(meta: Container[str] | None) -> bool:
    """Whether a node's meta (a dict, or the protobuf Struct of a dbt event) marks it heavy."""
    if meta is None or META_KEY not in meta:
        return False
    return bool(meta[META_KEY])  # type: ignore[index]


@dataclass(frozen=True)
class Holder:
    """The heavy node that is running and the dbt worker thread running it."""

    unique_id: str
    name: str
    thread: threading.Thread


class HeavyQueryGate:
    """A dbt event callback that lets one memory-heavy node run at a time.

    Invariant: ``holder`` is the heavy node that passed the gate and has not finished. A holder
    whose thread has died or started another node no longer counts, so a node that ended
    without ``NodeFinished`` (a crashed worker thread) cannot hold the others for good.
    """

    def __init__(self, log: Log = log_progress, poll_seconds: float = 1.0) -> None:
        self._condition = threading.Condition()
        self._holder: Holder | None = None
        self._log = log
        self._poll_seconds = poll_seconds

    @property
    def holder(self) -> Holder | None:
        with self._condition:
            return self._holder

    def __call__(self, message: Any) -> None:
        event = message.info.name
        if event not in ("NodeStart", "NodeFinished"):
            return
        node = message.data.node_info
        if event == "NodeStart":
            self._release_if_held_by(threading.current_thread())
            if is_memory_heavy(node.meta):
                self.enter(node.unique_id, node.node_name)
        elif is_memory_heavy(node.meta):
            self.leave(node.unique_id)

    def enter(self, unique_id: str, name: str) -> None:
        """Wait until no other heavy node runs, then hold the gate for ``unique_id``."""
        me = threading.current_thread()
        started = time.perf_counter()
        waited_for: str | None = None
        with self._condition:
            while self._is_held_by_another(me):
                if waited_for is None:
                    waited_for = self._holder.name if self._holder else "?"
                    self._log(f"{name}: waits for {waited_for} (one memory-heavy query at a time)")
                self._condition.wait(self._poll_seconds)
            self._holder = Holder(unique_id, name, me)
        if waited_for is not None:
            waited = time.perf_counter() - started
            self._log(f"{name}: starts after waiting {waited:.1f} s for {waited_for}")

    def leave(self, unique_id: str) -> None:
        """Release the gate if ``unique_id`` holds it."""
        with self._condition:
            if self._holder is not None and self._holder.unique_id == unique_id:
                self._holder = None
                self._condition.notify_all()

    def _is_held_by_another(self, thread: threading.Thread) -> bool:
        holder = self._holder
        return holder is not None and holder.thread is not thread and holder.thread.is_alive()

    def _release_if_held_by(self, thread: threading.Thread) -> None:
        with self._condition:
            if self._holder is not None and self._holder.thread is thread:
                self._holder = None
                self._condition.notify_all()


def install_gate(
    configured: str | None, add_callback: Callable[[Callable[[Any], None]], None]
) -> HeavyQueryGate | None:
    """Register a gate with dbt's event manager when the mode asks for one; returns it."""
    if heavy_query_mode(configured) != ONE_AT_A_TIME:
        return None
    gate = HeavyQueryGate()
    add_callback(gate)
    log_progress(f"memory-heavy models run one at a time ({VARIABLE}={ONE_AT_A_TIME})")
    return gate

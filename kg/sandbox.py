"""Run a user's Cypher on a build's database in a child process that cannot take the machine.

`kg query` and `kg viz --query` treat every query as hostile (it may come from a web page or a
notebook some day). Besides the parse and plan checks every store run makes (kg.stores.cypher_guard),
the query runs here:

- in a child process with an address-space limit (RLIMIT_AS) and the engine's buffer pool capped,
  so a cross product fails with "needs more memory" instead of swapping the machine;
- with a row cap, so a result cannot fill memory on its way back;
- with a timeout the parent enforces (the engine's own timeout first, then SIGKILL);
- so that Ctrl-C stops it at once: the child ignores SIGINT, the parent kills it and raises
  `QueryInterrupted` (the CLI exits 130).

A crash of the engine (a signal in the child) is reported as an error, never a traceback.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.errors import KGError, QueryError
from kg.stores import DEFAULT_TIMEOUT_S, QueryResult

__all__ = ["Limits", "QueryInterrupted", "run_isolated"]

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_GRACE_S = 5.0  # past the engine's own timeout, the parent kills the child
_OVERHEAD_MB = 1536  # Python, the engine's code and the rows on their way back


class QueryInterrupted(KGError):
    """The user stopped a query (Ctrl-C)."""

    exit_code = 130


@dataclass(frozen=True, slots=True)
class Limits:
    """What one query may use: seconds, MiB of engine memory, rows returned."""

    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = 1024
    max_rows: int = 100_000


def run_isolated(
    db_path: Path,
    query: str,
    params: Mapping[str, object] | None = None,
    *,
    write: bool = False,
    limits: Limits = Limits(),
) -> QueryResult:
    """Run `query` on the database file `db_path` in a bounded child process; return its rows."""
    if limits.memory_mb < 64 or limits.max_rows < 1 or limits.timeout_s <= 0:
        raise KGError("--memory must be at least 64 (MiB), --max-rows and --timeout positive")
    ctx: Any = multiprocessing.get_context(_start_method())  # stubs: BaseContext lacks Process
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_child,
        args=(send, str(db_path), query, dict(params or {}), write, limits, os.getpid()),
        name="kg-query",
        daemon=True,
    )
    try:
        child.start()  # inside the try: a Ctrl-C during the start must not leave it running
        send.close()
        deadline = time.monotonic() + limits.timeout_s + _GRACE_S
        while not receive.poll(0.05):
            if not child.is_alive():
                child.join()
                raise QueryError(_crash_message(child.exitcode, limits))
            if time.monotonic() > deadline:
                raise QueryError(
                    f"The query ran past the {limits.timeout_s:g} s timeout; "
                    "add a LIMIT or narrow its MATCH (or raise --timeout)."
                )
        try:
            kind, payload = receive.recv()
        except EOFError:
            child.join()
            raise QueryError(_crash_message(child.exitcode, limits)) from None
    except KeyboardInterrupt:
        raise QueryInterrupted("query interrupted (Ctrl-C); nothing was changed") from None
    finally:
        if child.pid is not None:
            if child.is_alive():
                child.kill()
            child.join()
        send.close()
        receive.close()
    if kind == "ok":
        assert isinstance(payload, QueryResult)
        return payload
    error_type = QueryError if kind == "query" else KGError
    raise error_type(str(payload))


def _start_method() -> str:
    """fork (fast) from a lone thread that has not loaded the engine, else spawn (a fresh
    interpreter: no engine state, locks or threads copied into the child)."""
    lone = threading.active_count() == 1 and "ladybug" not in sys.modules
    return "fork" if lone and "fork" in multiprocessing.get_all_start_methods() else "spawn"


def _crash_message(exitcode: int | None, limits: Limits) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        return (
            f"The database engine stopped on the query ({name}), maybe out of its "
            f"{limits.memory_mb} MiB; nothing was changed. Narrow the query or raise --memory."
        )
    return f"The query process ended without an answer (exit {exitcode}); nothing was changed."


def _child(
    send: Connection,
    db_path: str,
    query: str,
    params: dict[str, object],
    write: bool,
    limits: Limits,
    parent: int,
) -> None:
    """The child's side: limit itself, open the database, run, send ('ok'|'query'|'error', …)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with(parent)
    try:
        from kg.stores.ladybug_store import LadybugStore, max_db_size

        path = Path(db_path)
        _limit_address_space(max_db_size(path) + ((limits.memory_mb + _OVERHEAD_MB) << 20))
        store = LadybugStore(
            path,
            read_only=not write,
            timeout_s=limits.timeout_s,
            buffer_pool_mb=limits.memory_mb,
            max_rows=limits.max_rows,
        )
        try:
            message: tuple[str, object] = ("ok", store.run(query, params, write=write))
        finally:
            store.close()
    except QueryError as err:
        message = ("query", str(err))
    except KGError as err:
        message = ("error", str(err))
    except MemoryError:
        message = ("query", f"The query needs more than {limits.memory_mb} MiB; narrow it.")
    except Exception as err:  # the engine's own errors, reported in one line
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        message = ("error", f"The query failed: {first}")
    send.send(message)
    send.close()


def _die_with(parent: int) -> None:
    """End this process when `parent` ends, however it ends (Linux: the kernel's parent-death
    signal), so that no query runs on after `kg query` is gone; elsewhere the parent kills it."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the signal was asked for
        os._exit(1)


def _limit_address_space(size: int) -> None:
    try:
        import resource
    except ImportError:  # not on POSIX: the buffer pool and row cap still hold
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        size = min(size, hard)
    resource.setrlimit(resource.RLIMIT_AS, (size, hard))

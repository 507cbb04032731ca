"""A Neo4j server through the official `neo4j` driver (the only module that imports it).

Pushes run constraints first, then batched `UNWIND $rows … MERGE` statements (kg.stores.server)
in managed write transactions, which the driver retries on transient errors; every batch is
idempotent, so a retry cannot duplicate anything. Queries are read-only unless `write`: the
server is asked for the query type (EXPLAIN) first, and reads run in read transactions routed
to a reader. A password is never part of a message or a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, NoReturn, Self

from kg.errors import KGError, QueryError, StoreUnavailable
from kg.stores import DEFAULT_TIMEOUT_S, QueryResult
from kg.stores.server import ServerStore, declared_properties, kg_label
from kg.stores.url import redact, split_userinfo
from kg.vocab import KEY, NODE_TABLES, Row

if TYPE_CHECKING:
    import neo4j


log = logging.getLogger(__name__)

_READ_TYPES = ("r",)  # ResultSummary.query_type: r, w, rw or s (schema)


def constraint_statements() -> tuple[str, ...]:
    """Uniqueness constraints on the keys, created before any row is written.

    Example:
        >>> constraint_statements()[0]
        'CREATE CONSTRAINT kg_paper_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.id IS UNIQUE'
    """
    return tuple(
        f"CREATE CONSTRAINT kg_{t.name.lower()}_{KEY} IF NOT EXISTS "
        f"FOR (n:{t.name}) REQUIRE n.{KEY} IS UNIQUE"
        for t in NODE_TABLES
    )


class Neo4jStore(ServerStore):
    """One database on a Neo4j server (or cluster)."""

    engine = "neo4j"
    has_type_labels = True  # a concept is also :Dataset, :Model, … so Browser and Bloom style it

    def __init__(
        self,
        driver: neo4j.Driver,
        *,
        url: str,
        database: str | None,
        timeout_s: float,
        read_only: bool,
    ) -> None:
        self._driver = driver
        self.url = url  # already redacted
        self.database = database
        self.timeout_s = timeout_s
        self.read_only = read_only

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        read_only: bool = False,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> Neo4jStore:
        """Connect to the server at `url` and check that it answers and accepts the login."""
        import neo4j

        shown = redact(url)
        bare, url_user, url_password = split_userinfo(url)  # the driver refuses (and prints) them
        user = user or url_user or "neo4j"
        password = password if password is not None else url_password
        auth = (user, password) if password is not None else None
        driver: neo4j.Driver | None = None
        try:
            driver = neo4j.GraphDatabase.driver(
                bare, auth=auth, connection_timeout=min(timeout_s, 30.0)
            )
            driver.verify_connectivity()
        except BaseException as err:
            if driver is not None:
                driver.close()
            _raise_unreachable(err, shown, user)
        return cls(driver, url=shown, database=database, timeout_s=timeout_s, read_only=read_only)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the driver; safe to call twice."""
        self._driver.close()

    # -- writing ---------------------------------------------------------------------------

    def ensure_constraints(self) -> None:
        """Create the uniqueness constraints (each `IF NOT EXISTS`; one that a concurrent push
        creates at the same moment is fine too)."""
        for statement in constraint_statements():
            self._write(partial(_consume, statement), ok_code="AlreadyExists")

    def write_rows(self, statement: str, rows: list[Row]) -> None:
        """One batch in one managed write transaction (retried by the driver)."""
        self._write(lambda tx: tx.run(statement, rows=rows).consume())

    def delete_batch(self, statement: str) -> int:
        """Run one delete statement in a write transaction; the number of nodes deleted."""
        return int(self._write(lambda tx: tx.run(statement).single(strict=True)[0]))

    def _write(
        self, work: Callable[[neo4j.ManagedTransaction], Any], *, ok_code: str | None = None
    ) -> Any:
        from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

        try:
            with self._driver.session(database=self.database) as session:
                return session.execute_write(work)
        except (ServiceUnavailable, SessionExpired) as err:
            raise StoreUnavailable(
                f"Lost Neo4j at {self.url!r} ({type(err).__name__}); "
                "run the push again (it is idempotent)."
            ) from None
        except Neo4jError as err:
            if ok_code and ok_code in (err.code or ""):
                return None
            raise KGError(f"Neo4j at {self.url!r} refused a write: {_first_line(err)}.") from None

    # -- reading ---------------------------------------------------------------------------

    def run(
        self, query: str, params: Mapping[str, object] | None = None, *, write: bool = False
    ) -> QueryResult:
        """Run one Cypher query; refuse one that the server says writes, unless `write`."""
        import neo4j
        from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

        if write and self.read_only:
            raise QueryError(f"{self.url!r} is open read-only; pass --write to allow changes.")
        values = dict(params or {})
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS

        @neo4j.unit_of_work(timeout=self.timeout_s)
        def work(tx: neo4j.ManagedTransaction) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
            result = tx.run(query, values)
            return tuple(result.keys()), [tuple(record.values()) for record in result]

        try:
            with self._driver.session(database=self.database, default_access_mode=mode) as session:
                if not write:
                    self._refuse_writes(session, query, values)
                columns, rows = session.execute_write(work) if write else session.execute_read(work)
        except (ServiceUnavailable, SessionExpired) as err:
            raise StoreUnavailable(f"Lost Neo4j at {self.url!r} ({type(err).__name__}).") from None
        except Neo4jError as err:
            raise QueryError(_message(err, self.timeout_s)) from None
        return QueryResult(columns, tuple(tuple(_plain(v) for v in row) for row in rows))

    def _refuse_writes(self, session: neo4j.Session, query: str, values: dict[str, object]) -> None:
        """Ask the server (EXPLAIN) what kind of query this is; refuse anything but a read."""
        from neo4j.exceptions import ClientError

        def explain(tx: neo4j.ManagedTransaction) -> str:
            summary = tx.run("EXPLAIN " + query, values).consume()
            return str(summary.query_type or "")

        try:
            kind = session.execute_read(explain)
        except ClientError as err:
            if "AccessMode" not in (err.code or ""):
                raise
            kind = "w"
        if kind not in _READ_TYPES:
            what = {"w": "writes", "rw": "reads and writes", "s": "changes the schema"}.get(
                kind, "is not a read"
            )
            raise QueryError(f"The query {what} (Neo4j EXPLAIN); pass --write to allow it.")


def _plain(value: object) -> object:
    """A driver value as plain Python: nodes and relationships as dicts of kg's properties."""
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Path):
        return {
            "nodes": [_plain(n) for n in value.nodes],
            "rels": [_plain(r) for r in value.relationships],
        }
    if isinstance(value, Node):
        return declared_properties(kg_label(value.labels), dict(value.items()), _plain)
    if isinstance(value, Relationship):
        return declared_properties(value.type, dict(value.items()), _plain)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _raise_unreachable(err: BaseException, shown: str, user: str) -> NoReturn:
    """Report a failed connection without the password (the driver's messages may hold it)."""
    from neo4j.exceptions import AuthError, DriverError, Neo4jError

    if isinstance(err, AuthError):
        raise StoreUnavailable(
            f"Neo4j at {shown!r} refused the login of user {user!r}; "
            "check NEO4J_USER and NEO4J_PASSWORD."
        ) from None
    if isinstance(err, Neo4jError | DriverError | OSError | ValueError):
        raise StoreUnavailable(
            f"Cannot reach Neo4j at {shown!r} ({type(err).__name__}). "
            "Start it, or check the URL (bolt://host:7687, neo4j://host:7687)."
        ) from None
    raise err


def _consume(statement: str, tx: neo4j.ManagedTransaction) -> None:
    tx.run(statement).consume()


def _first_line(err: BaseException) -> str:
    text = getattr(err, "message", None) or str(err)
    return (str(text).strip().splitlines() or [type(err).__name__])[0].rstrip(".")


def _message(err: BaseException, timeout_s: float) -> str:
    code = str(getattr(err, "code", "") or "")
    if "TransactionTimedOut" in code or "Timeout" in code:
        return f"The query ran past the {timeout_s:g} s timeout; add a LIMIT or narrow its MATCH."
    if "ParameterMissing" in code:
        return f"{_first_line(err)}; pass --param name=value."
    if "AccessMode" in code:
        return "The query writes to the graph; pass --write to allow it."
    return f"Neo4j: {_first_line(err)}."

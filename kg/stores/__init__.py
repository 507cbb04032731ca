"""Graph stores behind one small interface: the GraphStore protocol, QueryResult and open_store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kg.errors import KGError

if TYPE_CHECKING:
    from collections.abc import Callable

    from kg.graph import GraphData
    from kg.stores.server import PushCounts

DB_FILENAME = "graph.lbug"
DEFAULT_TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Rows of a query as plain Python values (str, int, float, bool, None, list, dict)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]

    def as_dicts(self) -> list[dict[str, object]]:
        """One dict per row, keyed by column name.

        Example:
            >>> QueryResult(("name", "papers"), (("BERT", 2),)).as_dicts()
            [{'name': 'BERT', 'papers': 2}]
        """
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class GraphStore(Protocol):
    """What kg needs from a graph database."""

    engine: str  # "ladybug", "neo4j" or "falkordb": picks query overrides in cypher/<engine>/

    def write(self, data: GraphData) -> None:
        """Replace the store's (kg's) nodes with `data`; running it twice gives the same store."""

    def run(
        self, query: str, params: Mapping[str, object] | None = None, *, write: bool = False
    ) -> QueryResult:
        """Run one Cypher query; refuse one that writes unless `write` is true."""

    def close(self) -> None:
        """Release the database; safe to call twice."""


class ServerStore(GraphStore, Protocol):
    """A graph server (Neo4j, FalkorDB): a GraphStore that also merges pushes into what is there."""

    url: str  # as kg may show it: never with a password

    def push(
        self,
        data: GraphData,
        *,
        replace: bool = False,
        batch_size: int = ...,
        on_batch: Callable[[str, int], None] | None = None,
    ) -> PushCounts:
        """Merge `data` into the server's graph; with `replace`, delete kg's nodes first."""


def cypher_dir() -> Path:
    """The folder of schema and named queries: kg/cypher in an installed wheel, else the checkout's."""
    package = Path(__file__).resolve().parent.parent
    bundled = package / "cypher"
    return bundled if bundled.is_dir() else package.parent / "cypher"


def open_store(
    url: str | Path,
    *,
    read_only: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> GraphStore:
    """Open the store at `url`: a Neo4j/Bolt or FalkorDB URL, else a LadybugDB database file.

    A folder means the `graph.lbug` file inside it. With `read_only`, the database must exist.
    `user`, `password` and `database` are for servers (a URL's own user and password also work).
    """
    from kg.stores.url import server_kind

    if server_kind(str(url)) is not None:
        return open_server(
            str(url),
            read_only=read_only,
            timeout_s=timeout_s,
            user=user,
            password=password,
            database=database,
        )
    from kg.stores.ladybug_store import LadybugStore

    return LadybugStore.open(Path(url), read_only=read_only, timeout_s=timeout_s)


def open_server(
    url: str,
    *,
    read_only: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> ServerStore:
    """Connect to the Neo4j (bolt://, neo4j://, …) or FalkorDB (falkor://) server at `url`."""
    from kg.stores.url import redact, server_kind

    kind = server_kind(url)
    if kind == "neo4j":
        from kg.stores.neo4j_store import Neo4jStore

        return Neo4jStore.connect(
            url,
            user=user,
            password=password,
            database=database,
            read_only=read_only,
            timeout_s=timeout_s,
        )
    if kind == "falkordb":
        from kg.stores.falkor_store import FalkorStore

        return FalkorStore.connect(url, password=password, read_only=read_only, timeout_s=timeout_s)
    raise KGError(
        f"{redact(url)!r} is not a server URL; use bolt://, neo4j://, neo4j+s:// or falkor://host:port"
    )

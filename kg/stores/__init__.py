"""Graph stores behind one small interface: the GraphStore protocol, QueryResult and open_store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kg.errors import KGError

if TYPE_CHECKING:
    from kg.graph import GraphData

DB_FILENAME = "graph.lbug"
DEFAULT_TIMEOUT_S = 60.0
_SERVER_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


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

    engine: str  # "ladybug" or "neo4j": picks engine-specific query overrides in cypher/<engine>/

    def write(self, data: GraphData) -> None:
        """Replace the store's contents with `data`; running it twice gives the same store."""

    def run(
        self, query: str, params: Mapping[str, object] | None = None, *, write: bool = False
    ) -> QueryResult:
        """Run one Cypher query; refuse one that writes unless `write` is true."""

    def close(self) -> None:
        """Release the database; safe to call twice."""


def cypher_dir() -> Path:
    """The folder of schema and named queries: kg/cypher in an installed wheel, else the checkout's."""
    package = Path(__file__).resolve().parent.parent
    bundled = package / "cypher"
    return bundled if bundled.is_dir() else package.parent / "cypher"


def open_store(
    url: str | Path, *, read_only: bool = False, timeout_s: float = DEFAULT_TIMEOUT_S
) -> GraphStore:
    """Open the store at `url`: a Neo4j/Bolt URL, else a LadybugDB database file.

    A folder means the `graph.lbug` file inside it. With `read_only`, the database must exist.
    """
    text = str(url)
    if text.startswith(_SERVER_SCHEMES):
        return _open_neo4j(text, read_only=read_only, timeout_s=timeout_s)
    from kg.stores.ladybug_store import LadybugStore

    return LadybugStore.open(Path(text), read_only=read_only, timeout_s=timeout_s)


def _open_neo4j(url: str, *, read_only: bool, timeout_s: float) -> GraphStore:
    try:
        from kg.stores.neo4j_store import Neo4jStore
    except ModuleNotFoundError as err:
        if err.name != "kg.stores.neo4j_store":
            raise
        raise KGError(
            f"The Neo4j store is not available yet, so {url!r} cannot be opened; "
            "leave out the Neo4j URL to use the embedded graph."
        ) from None
    store: GraphStore = Neo4jStore.connect(url, read_only=read_only, timeout_s=timeout_s)
    return store

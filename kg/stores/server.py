"""What kg sends to a graph server (Neo4j, FalkorDB): batched `UNWIND $rows … MERGE` statements
built from kg.vocab, and the push loop that streams the graph's rows through them.

Every statement is idempotent (MERGE on the key, then SET), so a retried or repeated batch leaves
the same graph; nodes go before the relationships that MATCH them. Values always travel as
parameters: nothing from the data is pasted into query text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Protocol

from kg.errors import KGError
from kg.model import ConceptType
from kg.vocab import (
    CONCEPT,
    KEY,
    NODE_TABLES,
    PAPER,
    REL_TABLES,
    SOURCE,
    TARGET,
    Row,
    Table,
    table_rows,
)

if TYPE_CHECKING:
    from kg.graph import GraphData

log = logging.getLogger(__name__)

# Rows per transaction, by tests/bench/bench_push.py on FalkorDB: 500 rows reach about 16k
# relationships/s, 2000 about 17k, 5000 to 10000 about 25k-33k; beyond that a batch only holds
# more memory. Neo4j's own guidance (10k-50k rows per UNWIND batch) agrees.
BATCH_SIZE = 5000
TYPE_LABELS = tuple(str(t) for t in ConceptType)
_PROPERTIES = {t.name: t.names for t in (*NODE_TABLES, *REL_TABLES)}


def merge_statement(table: Table, *, type_label: str | None = None) -> str:
    """The `UNWIND $rows` statement that writes one batch of `table`'s rows.

    With `type_label` (Neo4j), a concept also gets its type as a second label, and loses any
    other type label an earlier push gave it.

    Example:
        >>> from kg.vocab import CO_OCCURS_TABLE
        >>> print(merge_statement(CO_OCCURS_TABLE))
        UNWIND $rows AS row
        MATCH (a:Concept {id: row.source_id})
        MATCH (b:Concept {id: row.target_id})
        MERGE (a)-[r:CO_OCCURS]->(b)
        SET r.weight = row.weight
    """
    if table.is_rel:
        sets = ", ".join(f"r.{name} = row.{name}" for name in table.names)
        return (
            "UNWIND $rows AS row\n"
            f"MATCH (a:{table.source} {{{KEY}: row.{SOURCE}}})\n"
            f"MATCH (b:{table.target} {{{KEY}: row.{TARGET}}})\n"
            f"MERGE (a)-[r:{table.name}]->(b)\n"
            f"SET {sets}"
        )
    sets = ", ".join(f"n.{name} = row.{name}" for name in table.names if name != KEY)
    text = f"UNWIND $rows AS row\nMERGE (n:{table.name} {{{KEY}: row.{KEY}}})\nSET {sets}"
    if type_label is not None:
        others = ":".join(label for label in TYPE_LABELS if label != type_label)
        text += f"\nREMOVE n:{others}\nSET n:{type_label}"
    return text


def delete_statement(label: str, *, limit: int = BATCH_SIZE) -> str:
    """Delete up to `limit` nodes of one of kg's labels with their relationships; returns how many.

    Example:
        >>> delete_statement("Paper", limit=10)
        'MATCH (n:Paper) WITH n LIMIT 10 DETACH DELETE n RETURN count(*) AS deleted'
    """
    if label not in (PAPER, CONCEPT):
        raise ValueError(f"kg deletes only its own labels, not {label!r}")
    return f"MATCH (n:{label}) WITH n LIMIT {int(limit)} DETACH DELETE n RETURN count(*) AS deleted"


class ServerWriter(Protocol):
    """What the push loop needs from a server connection."""

    has_type_labels: bool  # whether concepts carry their type as a second label

    def ensure_constraints(self) -> None:
        """Create the uniqueness constraints on the keys, if they are missing."""

    def write_rows(self, statement: str, rows: list[Row]) -> None:
        """Run one batch statement with `$rows` in a (retried) write transaction."""

    def delete_batch(self, statement: str) -> int:
        """Run one delete statement in a write transaction; the number of nodes deleted."""


@dataclass(frozen=True, slots=True)
class PushCounts:
    """What a push wrote: rows per table, and the seconds it took."""

    papers: int
    concepts: int
    mentions: int
    co_occurs: int
    deleted: int
    seconds: float

    @property
    def relationships(self) -> int:
        """Relationships written (MENTIONS and CO_OCCURS)."""
        return self.mentions + self.co_occurs


def push(
    writer: ServerWriter,
    data: GraphData,
    *,
    replace: bool = False,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[str, int], None] | None = None,
) -> PushCounts:
    """Write `data` to a server: constraints first, then each table in batches.

    Args:
        replace: delete kg's nodes (labels Paper and Concept, nothing else) first.
        on_batch: called with (table name, rows written) after each batch, for a progress bar.
    """
    start = time.perf_counter()
    writer.ensure_constraints()
    deleted = delete_kg_nodes(writer) if replace else 0
    counts: dict[str, int] = {}
    for table, rows in table_rows(data):
        counts[table.name] = 0
        for statement, batch in _batches(table, rows, batch_size, writer.has_type_labels):
            writer.write_rows(statement, batch)
            counts[table.name] += len(batch)
            if on_batch is not None:
                on_batch(table.name, len(batch))
    seconds = time.perf_counter() - start
    log.info("pushed %s in %.1f s", counts, seconds)
    papers, concepts, mentions, co_occurs = (
        counts[t] for t in ("Paper", "Concept", "MENTIONS", "CO_OCCURS")
    )
    return PushCounts(papers, concepts, mentions, co_occurs, deleted, seconds)


def delete_kg_nodes(writer: ServerWriter, *, batch_size: int = BATCH_SIZE) -> int:
    """Delete every Paper and Concept node (with their relationships) in bounded transactions."""
    deleted = 0
    for table in NODE_TABLES:
        statement = delete_statement(table.name, limit=batch_size)
        while (n := writer.delete_batch(statement)) > 0:
            deleted += n
    return deleted


def _batches(
    table: Table, rows: Iterable[Row], size: int, type_labels: bool
) -> Iterator[tuple[str, list[Row]]]:
    """(statement, rows) batches of at most `size` rows; concepts split by type on Neo4j."""
    if not (type_labels and table.name == CONCEPT):
        statement = merge_statement(table)
        for batch in _chunks(rows, size):
            yield statement, batch
        return
    for batch in _chunks(rows, size):
        for label in TYPE_LABELS:
            same = [row for row in batch if row["type"] == label]
            if same:
                yield merge_statement(table, type_label=label), same


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def all_statements(*, type_labels: bool) -> Sequence[str]:
    """Every write statement a push may send (for the dialect checks in the tests)."""
    from kg.vocab import TABLES

    statements = [merge_statement(t) for t in TABLES]
    if type_labels:
        statements += [merge_statement(NODE_TABLES[1], type_label=label) for label in TYPE_LABELS]
    return [*statements, *(delete_statement(t.name) for t in NODE_TABLES)]


def kg_label(labels: Iterable[str]) -> str | None:
    """The one of kg's labels (Paper, Concept) or relationship types among `labels`."""
    return next((label for label in sorted(labels) if label in _PROPERTIES), None)


def declared_properties(
    label: str | None, props: Mapping[str, object], plain: Callable[[object], object]
) -> dict[str, object]:
    """A server node's or relationship's properties as the embedded engine returns them: every
    declared property (null where the server stores none), then any others."""
    out = {name: plain(props.get(name)) for name in _PROPERTIES.get(label or "", ())}
    out.update({k: plain(v) for k, v in props.items() if k not in out})
    return out


class ServerStore:
    """The write side both server stores share: `write` and `push` over `push` above.

    A subclass sets `url` (already redacted) and `read_only`, and implements `ServerWriter`.
    """

    url: str
    read_only: bool

    def write(self, data: GraphData) -> None:
        """Replace kg's nodes on the server with `data` (other labels are left alone)."""
        self.push(data, replace=True)

    def push(
        self,
        data: GraphData,
        *,
        replace: bool = False,
        batch_size: int = BATCH_SIZE,
        on_batch: Callable[[str, int], None] | None = None,
    ) -> PushCounts:
        """Merge `data` into the server's graph (see `push`)."""
        if self.read_only:
            raise KGError(f"{self.url!r} is open read-only; open it without read_only to push.")
        writer: ServerWriter = self  # type: ignore[assignment]  # subclasses implement it
        return push(writer, data, replace=replace, batch_size=batch_size, on_batch=on_batch)

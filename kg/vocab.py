"""The graph's vocabulary in one place: labels, relationship types, properties, keys and row shapes.

Every store (NetworkX, LadybugDB, Neo4j, FalkorDB) and every export writes the rows made here, so
they all hold the same graph. Papers are keyed by their paper id and concepts by their stable
concept id (`lora`, `direct-preference-optimization`); a concept's `name` is only a property, so
two concepts that share a display name stay apart, and a renamed concept keeps its key.

Example:
    >>> concept_node("lora"), paper_node("2106.09685")
    ('concept:lora', 'paper:2106.09685')
    >>> [t.name for t in TABLES]
    ['Paper', 'Concept', 'MENTIONS', 'CO_OCCURS']
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.graph import GraphData

PAPER = "Paper"
CONCEPT = "Concept"
MENTIONS = "MENTIONS"
CO_OCCURS = "CO_OCCURS"
KEY = "id"  # the key property of both node labels
SOURCE = "source_id"  # a relationship row's endpoint keys
TARGET = "target_id"


@dataclass(frozen=True, slots=True)
class Table:
    """A node label or relationship type with its properties, each with its LadybugDB type.

    A relationship joins `source` nodes to `target` nodes (by their `id`); a node table has none.
    """

    name: str
    properties: tuple[tuple[str, str], ...]
    source: str | None = None
    target: str | None = None

    @property
    def is_rel(self) -> bool:
        """Whether the table holds relationships."""
        return self.source is not None

    @property
    def names(self) -> tuple[str, ...]:
        """Property names, in schema order."""
        return tuple(name for name, _ in self.properties)


PAPER_TABLE = Table(
    PAPER,
    (
        ("id", "STRING"),
        ("title", "STRING"),
        ("abstract", "STRING"),
        ("year", "INT64"),
        ("date", "STRING"),
        ("url", "STRING"),
        ("authors", "STRING[]"),
        ("categories", "STRING[]"),
        ("sources", "STRING[]"),
    ),
)
CONCEPT_TABLE = Table(
    CONCEPT,
    (
        ("id", "STRING"),
        ("name", "STRING"),
        ("type", "STRING"),
        ("aliases", "STRING[]"),
        ("paper_count", "INT64"),
        ("merged", "STRING[]"),
        ("generic", "BOOLEAN"),
    ),
)
MENTIONS_TABLE = Table(MENTIONS, (("role", "STRING"), ("count", "INT64")), PAPER, CONCEPT)
CO_OCCURS_TABLE = Table(CO_OCCURS, (("weight", "INT64"),), CONCEPT, CONCEPT)
TABLES = (PAPER_TABLE, CONCEPT_TABLE, MENTIONS_TABLE, CO_OCCURS_TABLE)
NODE_TABLES = (PAPER_TABLE, CONCEPT_TABLE)
REL_TABLES = (MENTIONS_TABLE, CO_OCCURS_TABLE)

Row = dict[str, object]


def paper_node(paper_id: str) -> str:
    """NetworkX (and view) node key of a paper."""
    return f"paper:{paper_id}"


def concept_node(concept_id: str) -> str:
    """NetworkX (and view) node key of a concept: its stable id, never its display name."""
    return f"concept:{concept_id}"


def paper_rows(data: GraphData) -> Iterator[Row]:
    """One row per paper, keyed by property name."""
    for paper in data.papers:
        yield paper.to_json()


def concept_rows(data: GraphData) -> Iterator[Row]:
    """One row per concept, keyed by property name."""
    for c in data.concepts:
        yield {
            "id": c.id,
            "name": c.name,
            "type": str(c.type),
            "aliases": list(c.aliases),
            "paper_count": c.paper_count,
            "merged": list(c.merged),
            "generic": c.generic,
        }


def mention_rows(data: GraphData) -> Iterator[Row]:
    """Paper -[:MENTIONS]-> Concept rows: endpoint keys, then properties."""
    for m in data.mentions:
        yield {SOURCE: m.paper_id, TARGET: m.concept_id, "role": str(m.role), "count": m.count}


def co_occurs_rows(data: GraphData) -> Iterator[Row]:
    """Concept -[:CO_OCCURS]- Concept rows, once per pair (smaller id first)."""
    for e in data.co_occurs:
        yield {SOURCE: e.source, TARGET: e.target, "weight": e.weight}


def table_rows(data: GraphData) -> Iterator[tuple[Table, Iterator[Row]]]:
    """Each table with a lazy stream of its rows, nodes before the relationships that need them."""
    yield PAPER_TABLE, paper_rows(data)
    yield CONCEPT_TABLE, concept_rows(data)
    yield MENTIONS_TABLE, mention_rows(data)
    yield CO_OCCURS_TABLE, co_occurs_rows(data)

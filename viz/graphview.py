"""The whole graph as the views read it: GraphData's own rows, linked by integer arrays.

The views used to draw from a NetworkX DiGraph of the whole corpus: a dict of attributes per node
and per edge and two adjacency dicts, ~200 MB on top of the rows at 10,000 papers (457k
co-occurrences). A GraphView keeps the rows GraphData already holds and adds only compact
indexes: the position of each paper and concept id, and for each paper its concepts and for each
concept its papers as `array` slices (4 bytes a link). Papers and concepts are numbered by their
position in `data.papers` and `data.concepts`; a node's key in a page is still
kg.vocab's `paper:ID` / `concept:ID`.

Links keep the rows' order: a paper's concepts and a concept's papers come in the order of
`data.mentions` (sorted by paper, then concept, as kg.graph makes them).

Example:
    >>> from kg.graph import graph_data
    >>> from kg.model import ConceptType, Entity, Extraction, Paper, Role
    >>> ent = Entity("lora", "LoRA", ConceptType.METHOD, Role.USED, ())
    >>> view = GraphView.of(graph_data([Paper("p1", "T", "A")], [Extraction("p1", "T", (ent,))]))
    >>> view.concepts_of(0), view.papers_of(0), view.concept_key(0), view.node("paper:p1")
    ([(0, 'used')], [(0, 'used')], 'concept:lora', ('paper', 0))
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from kg.vocab import concept_node, paper_node

if TYPE_CHECKING:
    from kg.graph import ConceptNode, GraphData
    from kg.model import Paper

Kind = Literal["paper", "concept"]
_PAPER_PREFIX, _CONCEPT_PREFIX = paper_node(""), concept_node("")


@dataclass(frozen=True, slots=True)
class Links:
    """For each node i of one side, the nodes of the other side it links to: `other[start[i] :
    start[i + 1]]`, with the role of each link (an index into `roles`)."""

    start: array[int]
    other: array[int]
    role: bytes
    roles: tuple[str, ...]

    def of(self, i: int) -> list[tuple[int, str]]:
        """(other node, role) of node i's links, in the rows' order."""
        lo, hi = self.start[i], self.start[i + 1]
        return [(self.other[k], self.roles[self.role[k]]) for k in range(lo, hi)]

    def count(self, i: int) -> int:
        """Node i's number of links."""
        return self.start[i + 1] - self.start[i]


@dataclass(frozen=True, slots=True)
class GraphView:
    """Papers and concepts of a GraphData with their links both ways, for drawing."""

    data: GraphData
    paper_at: dict[str, int]  # paper id -> position in data.papers
    concept_at: dict[str, int]  # concept id -> position in data.concepts
    by_paper: Links  # a paper's concepts
    by_concept: Links  # a concept's papers

    @classmethod
    def of(cls, data: GraphData) -> GraphView:
        """Index `data`. A mention row whose paper or concept is not among the rows is left out."""
        paper_at = {p.id: i for i, p in enumerate(data.papers)}
        concept_at = {c.id: i for i, c in enumerate(data.concepts)}
        roles: dict[str, int] = {}
        ends = array("i")  # paper, concept, role code of each kept mention, in turn
        for m in data.mentions:
            p, c = paper_at.get(m.paper_id), concept_at.get(m.concept_id)
            if p is not None and c is not None:
                ends.extend((p, c, roles.setdefault(str(m.role), len(roles))))
        names = tuple(roles)
        by_paper = _links(len(paper_at), ends, 0, names)
        by_concept = _links(len(concept_at), ends, 1, names)
        return cls(data, paper_at, concept_at, by_paper, by_concept)

    @property
    def papers(self) -> Sequence[Paper]:
        return self.data.papers

    @property
    def concepts(self) -> Sequence[ConceptNode]:
        return self.data.concepts

    @property
    def n_links(self) -> int:
        """Paper–concept links."""
        return len(self.by_paper.other)

    def paper_key(self, i: int) -> str:
        return paper_node(self.data.papers[i].id)

    def concept_key(self, i: int) -> str:
        return concept_node(self.data.concepts[i].id)

    def concepts_of(self, paper: int) -> list[tuple[int, str]]:
        """(concept, role) of each concept a paper mentions."""
        return self.by_paper.of(paper)

    def papers_of(self, concept: int) -> list[tuple[int, str]]:
        """(paper, role) of each paper that mentions a concept."""
        return self.by_concept.of(concept)

    def node(self, key: str) -> tuple[Kind, int] | None:
        """The paper or concept a node key (`paper:ID`, `concept:ID`) names, if any."""
        if key.startswith(_PAPER_PREFIX):
            at = self.paper_at.get(key[len(_PAPER_PREFIX) :])
            return None if at is None else ("paper", at)
        if key.startswith(_CONCEPT_PREFIX):
            at = self.concept_at.get(key[len(_CONCEPT_PREFIX) :])
            return None if at is None else ("concept", at)
        return None

    def co_occurs(self, min_weight: int = 0) -> Iterator[tuple[int, int, int]]:
        """(concept, concept, weight) of each co-occurrence row of at least `min_weight`."""
        at = self.concept_at
        for e in self.data.co_occurs:
            if e.weight >= min_weight:
                i, j = at.get(e.source), at.get(e.target)
                if i is not None and j is not None:
                    yield i, j, e.weight


def _links(n: int, ends: array[int], side: int, roles: tuple[str, ...]) -> Links:
    """Group the (paper, concept, role) triples in `ends` by their `side` end (0: paper,
    1: concept), keeping their order within each group (a counting sort)."""
    start = array("q", bytes(8 * (n + 1)))
    for k in range(side, len(ends), 3):
        start[ends[k] + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    fill = array("q", start[:-1]) if n else array("q")
    other = array("i", bytes(4 * (len(ends) // 3)))
    role = bytearray(len(ends) // 3)
    for k in range(0, len(ends), 3):
        node = ends[k + side]
        at = fill[node]
        other[at] = ends[k + 1 - side]
        role[at] = ends[k + 2]
        fill[node] = at + 1
    return Links(start, other, bytes(role), roles)

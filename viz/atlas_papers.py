"""The atlas's papers on demand: every paper that names a concept, for a packed block the page
unpacks after the first frame or when its "show papers" box is ticked (viz/static/atlas.js).

Example:
    >>> from kg.graph import graph_data
    >>> from kg.model import ConceptType, Entity, Extraction, Paper, Role
    >>> ent = Entity("lora", "LoRA", ConceptType.METHOD, Role.USED, ())
    >>> G = GraphView.of(graph_data([Paper("p1", "T", "A", 2024)], [Extraction("p1", "T", (ent,))]))
    >>> paper_data(G, ["concept:lora"])
    {'rows': [['p1', 'T', 2024, None]], 'start': [0, 1], 'concepts': [0]}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from viz.graphview import GraphView
from viz.subgraph import safe_url

__all__ = ["GraphView", "paper_data"]


def paper_data(G: GraphView, keys: Sequence[str]) -> dict[str, Any]:
    """Papers naming at least one of the atlas's concepts (node keys in the page's order):
    `rows` [id, title, year, url], and each paper's concepts as positions in `keys`:
    `concepts[start[j] : start[j + 1]]`, ascending."""
    at = {key: pos for pos, key in enumerate(keys)}
    rows: list[list[Any]] = []
    start, concepts = [0], []
    for i, paper in enumerate(G.papers):
        found = sorted(
            pos for c, _ in G.concepts_of(i) if (pos := at.get(G.concept_key(c))) is not None
        )
        if not found:
            continue
        rows.append([paper.id, paper.title or paper.id, paper.year, safe_url(paper.url)])
        concepts.extend(found)
        start.append(len(concepts))
    return {"rows": rows, "start": start, "concepts": concepts}

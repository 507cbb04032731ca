"""Counts per type and top concepts of a graph, as text for `kg stats`."""

from __future__ import annotations

from collections import Counter

from kg.graph import GraphData
from kg.model import ConceptType


def top_concepts(
    data: GraphData, ctype: ConceptType, *, top: int = 10, generic: bool = True
) -> list[tuple[str, int]]:
    """The `top` concepts of one type by paper count (ties by name); `generic=False` leaves out
    broad classes such as "large language model"."""
    rows = [
        (c.name, c.paper_count)
        for c in data.concepts
        if c.type is ctype and (generic or not c.generic)
    ]
    return sorted(rows, key=lambda r: (-r[1], r[0]))[:top]


def format_stats(data: GraphData, *, top: int = 10) -> str:
    """A plain-text summary: papers, concepts per type, links, and the top concepts of each type."""
    per_type = Counter(c.type for c in data.concepts)
    roles = Counter(str(m.role) for m in data.mentions)
    lines = [
        f"papers: {len(data.papers)}",
        f"concepts: {len(data.concepts)}",
        f"paper-concept links: {len(data.mentions)} "
        + "("
        + ", ".join(f"{roles[r]} {r}" for r in ("proposed", "used", "mentioned"))
        + ")",
        f"co-occurrence edges: {len(data.co_occurs)}",
        "",
    ]
    broad = {c.name for c in data.concepts if c.generic}
    for ctype in ConceptType:
        lines.append(f"{ctype.value} ({per_type[ctype]})")
        for name, n in top_concepts(data, ctype, top=top):
            lines.append(f"  {n:5d}  {name}{'  (broad class)' if name in broad else ''}")
    return "\n".join(lines)

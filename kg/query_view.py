"""Query results -> node and edge rows for `kg viz --query` (paths, nodes and relationships)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from kg.stores import QueryResult
from kg.vocab import CONCEPT, PAPER, concept_node, paper_node


def _node_row(value: dict[str, Any]) -> dict[str, Any] | None:
    """A Paper (has a title) or a Concept (has a name and a type), keyed as the graph keys them."""
    if "title" in value and "id" in value:
        return {**value, "id": paper_node(str(value["id"])), "kind": PAPER}
    if "name" in value and "type" in value:
        key = value.get("id") or value["name"]
        return {**value, "id": concept_node(str(key)), "kind": CONCEPT}
    return None


def rows_to_graph(result: QueryResult) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every node and path in the result; a path's relationships join its consecutive nodes."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    for row in result.rows:
        for value in row:
            if not isinstance(value, dict):
                continue
            if isinstance(value.get("nodes"), list):
                path = [n for n in (_node_row(v) for v in value["nodes"]) if n is not None]
                for node in path:
                    nodes.setdefault(node["id"], node)
                for (a, b), rel in zip(pairwise(path), value.get("rels") or [], strict=False):
                    edges.append({**rel, "source": a["id"], "target": b["id"]})
            elif (single := _node_row(value)) is not None:
                nodes.setdefault(single["id"], single)
    unique = {(e["source"], e["target"]): e for e in edges}
    return list(nodes.values()), list(unique.values())

"""Pick what each view shows, within caps that keep a page readable and fast to lay out."""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from kg.errors import KGError
from kg.model import concept_key
from viz.style import edge_width
from viz.subgraph import (
    Subgraph,
    VizEdge,
    VizNode,
    concept_node,
    graph_node,
    mention_edge,
    paper_node,
)

if TYPE_CHECKING:
    from viz.graphview import GraphView, Kind

CONCEPT_SHARE = 4  # the overview spends 1/CONCEPT_SHARE of its nodes on concepts
EDGES_PER_NODE = 3  # the concept map keeps each concept's strongest few links (see backbone)
N_COMMUNITY_NAMES = 3
OVERVIEW_FONT_SCALE = 1.5


class FocusNotFound(KGError):
    """No concept or paper matches the focus of a neighbourhood view."""

    def __init__(self, focus: str, close: list[str]) -> None:
        hint = f"Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        fix = "Use a concept name or alias, a paper id or a paper title."
        super().__init__(
            f"No concept or paper {focus!r} in the graph. {hint} {fix}".replace("  ", " ")
        )


def ranked_concepts(G: GraphView) -> list[int]:
    """Concepts, most papers first (ties by name, so views are deterministic)."""
    concepts = G.concepts
    return sorted(
        range(len(concepts)),
        key=lambda i: (-concepts[i].paper_count, concepts[i].name or G.concept_key(i)),
    )


def concept_keys(G: GraphView) -> list[str]:
    """Concept node keys, most papers first (ties by name)."""
    return [G.concept_key(i) for i in ranked_concepts(G)]


def specific_first(G: GraphView, concepts: list[int]) -> list[int]:
    """Concepts with broad classes ("large language model") moved last: they would link everything."""
    generic = [G.concepts[i].generic for i in concepts]
    return [i for i, g in zip(concepts, generic, strict=True) if not g] + [
        i for i, g in zip(concepts, generic, strict=True) if g
    ]


def select_overview(G: GraphView, *, max_nodes: int) -> Subgraph:
    """Top concepts by paper count and the papers that mention most of them, `max_nodes` in all.

    Broad classes ("large language model") come after every specific concept.
    """
    concepts = specific_first(G, ranked_concepts(G))
    n_papers = len(G.papers)
    top = concepts[: max(1, max_nodes // CONCEPT_SHARE)] if concepts else []
    budget = max(max_nodes - len(top), 0)
    hits: Counter[int] = Counter()
    for c in top:
        hits.update(p for p, _ in G.papers_of(c))
    papers = sorted(hits, key=lambda p: (-hits[p], G.paper_key(p)))[:budget]
    if not top:  # no extraction yet: still show the papers
        papers = sorted(range(n_papers), key=G.paper_key)[:max_nodes]
    shown = set(top)
    edges = tuple(
        mention_edge(G, p, c, role) for p in papers for c, role in G.concepts_of(p) if c in shown
    )
    # Papers outnumber concepts and spread the layout, so concept labels need a larger font.
    nodes = tuple(concept_node(G, c, font_scale=OVERVIEW_FONT_SCALE) for c in top)
    nodes += tuple(paper_node(G, p) for p in papers)
    return Subgraph(
        title="Papers and concepts",
        nodes=nodes,
        edges=edges,
        n_total=len(concepts) + n_papers,
        notes=(
            f"top {len(top)} of {len(concepts)} concepts by paper count, "
            f"with the {len(papers)} papers that mention most of them",
        ),
    )


def select_concept_map(G: GraphView, *, max_nodes: int, min_weight: int) -> Subgraph:
    """Concepts linked by CO_OCCURS weight >= `min_weight`, most papers first, coloured by community."""
    concepts = ranked_concepts(G)
    linked: set[int] = set()
    for i, j, _ in G.co_occurs(min_weight):
        linked.update((i, j))
    ranked = specific_first(G, [c for c in concepts if c in linked] or concepts)[:max_nodes]
    keep = set(ranked)
    inside = [
        (G.concept_key(i), G.concept_key(j), w)
        for i, j, w in G.co_occurs(min_weight)
        if i in keep and j in keep
    ]
    kept_edges = backbone(inside, EDGES_PER_NODE)
    community, labels = _communities(G, ranked, kept_edges)
    nodes = tuple(concept_node(G, c, community=community.get(G.concept_key(c))) for c in ranked)
    edges = tuple(
        VizEdge(u, v, width=edge_width(w), title=f"co-mentioned in {w} papers")
        for u, v, w in kept_edges
    )
    notes = [f"links: concepts named together in at least {min_weight} papers"]
    if len(kept_edges) < len(inside):
        notes.append(
            f"{len(kept_edges)} of {len(inside)} links: each concept's {EDGES_PER_NODE} strongest"
        )
    return Subgraph(
        title="Concept co-occurrence",
        nodes=nodes,
        edges=edges,
        n_total=len(concepts),
        unit="concepts",
        notes=tuple(notes),
        communities=tuple(labels),
    )


def backbone(edges: list[tuple[str, str, int]], k: int) -> list[tuple[str, str, int]]:
    """Keep a link when it is among the `k` strongest of either end, strongest links first.

    Unlike one global weight cut, every concept keeps its own best links, so hubs don't take
    all the edges and leave small concepts floating alone.

    Example:
        >>> backbone([("a", "b", 5), ("a", "c", 4), ("a", "d", 1), ("d", "e", 1)], 1)
        [('a', 'b', 5), ('a', 'c', 4), ('a', 'd', 1), ('d', 'e', 1)]
        >>> backbone([("a", "b", 5), ("a", "c", 4), ("b", "c", 1)], 1)
        [('a', 'b', 5), ('a', 'c', 4)]
    """
    ends: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for edge in edges:
        ends[edge[0]].append(edge)
        ends[edge[1]].append(edge)
    kept = {e for links in ends.values() for e in sorted(links, key=_strongest)[:k]}
    return sorted(kept, key=_strongest)


def _strongest(edge: tuple[str, str, int]) -> tuple[int, str, str]:
    return (-edge[2], edge[0], edge[1])


def _communities(
    G: GraphView, concepts: list[int], edges: list[tuple[str, str, int]]
) -> tuple[dict[str, int], list[str]]:
    """Louvain communities (seeded: same graph, same colours), ranked by size, named by top concepts."""
    import networkx as nx

    keys = [G.concept_key(c) for c in concepts]
    names = {k: G.concepts[c].name or k for k, c in zip(keys, concepts, strict=True)}
    H = nx.Graph()
    H.add_nodes_from(keys)
    H.add_weighted_edges_from(edges)
    groups = nx.community.louvain_communities(H, weight="weight", seed=0)
    rank = {k: i for i, k in enumerate(keys)}  # keys come most papers first
    groups = sorted(
        (sorted(g, key=rank.__getitem__) for g in groups), key=lambda g: (-len(g), rank[g[0]])
    )
    community = {k: i for i, g in enumerate(groups) for k in g}
    labels = [
        ", ".join(names[k] for k in g[:N_COMMUNITY_NAMES])
        + (f" (+{len(g) - N_COMMUNITY_NAMES})" if len(g) > N_COMMUNITY_NAMES else "")
        for g in groups
        if len(g) > 1
    ]
    return community, labels


Node = tuple["Kind", int]  # ("paper", i) or ("concept", i)


def find_node(G: GraphView, focus: str) -> Node:
    """The node named by `focus`: a node key, concept name, alias or id, paper id, title, or the
    start of one paper's title."""
    found = G.node(focus)
    if found is not None:
        return found
    wanted = concept_key(focus)
    for c in ranked_concepts(G):
        concept = G.concepts[c]
        if any(concept_key(n) == wanted for n in (concept.name, concept.id, *concept.aliases)):
            return "concept", c
    for p in sorted(range(len(G.papers)), key=G.paper_key):
        paper = G.papers[p]
        if any(concept_key(n) == wanted for n in (paper.id, paper.title)):
            return "paper", p
    start = " ".join(focus.casefold().split())
    by_title = [
        p
        for p, paper in enumerate(G.papers)
        if " ".join(str(paper.title).casefold().split()).startswith(start)
    ]
    if start and len(by_title) == 1:  # the start of a title names the one paper it begins
        return "paper", by_title[0]
    if start and by_title:
        raise FocusNotFound(focus, sorted(str(G.papers[p].title) for p in by_title)[:3])
    known = [p.title or G.paper_key(i) for i, p in enumerate(G.papers)]
    known += [c.name or G.concept_key(i) for i, c in enumerate(G.concepts)]
    raise FocusNotFound(focus, difflib.get_close_matches(focus, known, n=3, cutoff=0.6))


def select_focus(G: GraphView, *, focus: str, depth: int, max_nodes: int) -> Subgraph:
    """The papers and concepts within `depth` MENTIONS hops of the focus, nearest first."""
    start = find_node(G, focus)
    dist = {start: 0}
    frontier = [start]
    for hops in range(1, depth + 1):  # breadth first over MENTIONS links, either way
        reached = []
        for kind, i in frontier:
            ends = G.concepts_of(i) if kind == "paper" else G.papers_of(i)
            other: Kind = "concept" if kind == "paper" else "paper"
            for j, _ in ends:
                if (other, j) not in dist:
                    dist[other, j] = hops
                    reached.append((other, j))
        frontier = reached

    def rank(node: Node) -> tuple[int, int, str]:
        kind, i = node
        if kind == "paper":
            return dist[node], 0, G.paper_key(i)
        return dist[node], -G.concepts[i].paper_count, G.concept_key(i)

    nodes = sorted(dist, key=rank)[:max_nodes]
    keep = set(nodes)
    drawn: list[VizNode] = [
        graph_node(G, kind, i, is_focus=(kind, i) == start) for kind, i in nodes
    ]
    edges = tuple(
        mention_edge(G, p, c, role)
        for kind, p in nodes
        if kind == "paper"
        for c, role in G.concepts_of(p)
        if ("concept", c) in keep
    )
    label = drawn[0].tip.head
    return Subgraph(
        title=f"Around {label}",
        nodes=tuple(drawn),
        edges=edges,
        n_total=len(dist),
        notes=(f"papers and concepts within {depth} links of {label}",),
    )

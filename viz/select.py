"""Pick what each view shows, within caps that keep a page readable and fast to lay out."""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from kg.errors import KGError
from kg.model import concept_key
from viz.style import PAPER, edge_width
from viz.subgraph import (
    Subgraph,
    VizEdge,
    VizNode,
    concept_node,
    concepts_of,
    graph_node,
    mention_edge,
    paper_count,
    papers_of,
)

if TYPE_CHECKING:
    import networkx as nx

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


def concept_keys(G: nx.DiGraph) -> list[str]:
    """Concept node keys, most papers first (ties by name, so views are deterministic)."""
    keys = [k for k, kind in G.nodes(data="kind") if kind == "Concept"]
    return sorted(keys, key=lambda k: (-paper_count(G, k), str(G.nodes[k].get("name") or k)))


def specific_first(G: nx.DiGraph, keys: list[str]) -> list[str]:
    """Keys with broad classes ("large language model") moved last: they would link everything."""
    return [k for k in keys if not G.nodes[k].get("generic")] + [
        k for k in keys if G.nodes[k].get("generic")
    ]


def select_overview(G: nx.DiGraph, *, max_nodes: int) -> Subgraph:
    """Top concepts by paper count and the papers that mention most of them, `max_nodes` in all.

    Broad classes ("large language model") come after every specific concept.
    """
    concepts = specific_first(G, concept_keys(G))
    n_papers = sum(1 for _, kind in G.nodes(data="kind") if kind == PAPER)
    top = concepts[: max(1, max_nodes // CONCEPT_SHARE)] if concepts else []
    budget = max(max_nodes - len(top), 0)
    hits: Counter[str] = Counter()
    for key in top:
        hits.update(papers_of(G, key))
    papers = sorted(hits, key=lambda p: (-hits[p], p))[:budget]
    if not top:  # no extraction yet: still show the papers
        papers = sorted(k for k, kind in G.nodes(data="kind") if kind == PAPER)[:max_nodes]
    shown = set(top)
    edges = tuple(mention_edge(G, p, c) for p in papers for c in concepts_of(G, p) if c in shown)
    # Papers outnumber concepts and spread the layout, so concept labels need a larger font.
    nodes = tuple(concept_node(G, k, font_scale=OVERVIEW_FONT_SCALE) for k in top)
    nodes += tuple(graph_node(G, p) for p in papers)
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


def select_concept_map(G: nx.DiGraph, *, max_nodes: int, min_weight: int) -> Subgraph:
    """Concepts linked by CO_OCCURS weight >= `min_weight`, most papers first, coloured by community."""
    concepts = concept_keys(G)
    strong = [
        (u, v, int(w))
        for u, v, d in G.edges(data=True)
        if d.get("type") == "CO_OCCURS" and (w := d.get("weight") or 0) >= min_weight
    ]
    linked = {n for u, v, _ in strong for n in (u, v)}
    ranked = specific_first(G, [k for k in concepts if k in linked] or concepts)
    keep = set(ranked[:max_nodes])
    inside = [e for e in strong if e[0] in keep and e[1] in keep]
    kept_edges = backbone(inside, EDGES_PER_NODE)
    community, labels = _communities(G, ranked[:max_nodes], kept_edges)
    nodes = tuple(concept_node(G, k, community=community.get(k)) for k in ranked[:max_nodes])
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
    G: nx.DiGraph, keys: list[str], edges: list[tuple[str, str, int]]
) -> tuple[dict[str, int], list[str]]:
    """Louvain communities (seeded: same graph, same colours), ranked by size, named by top concepts."""
    import networkx as nx

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
        ", ".join(str(G.nodes[k].get("name") or k) for k in g[:N_COMMUNITY_NAMES])
        + (f" (+{len(g) - N_COMMUNITY_NAMES})" if len(g) > N_COMMUNITY_NAMES else "")
        for g in groups
        if len(g) > 1
    ]
    return community, labels


def find_node(G: nx.DiGraph, focus: str) -> str:
    """Key of the node named by `focus`: a node key, concept name, alias or id, paper id, title,
    or the start of one paper's title."""
    if focus in G:
        return focus
    wanted = concept_key(focus)
    for key in [*concept_keys(G), *sorted(k for k, kind in G.nodes(data="kind") if kind == PAPER)]:
        data = G.nodes[key]
        names = [data.get("name"), data.get("id"), data.get("title"), *(data.get("aliases") or ())]
        if any(isinstance(n, str) and concept_key(n) == wanted for n in names):
            return str(key)
    start = " ".join(focus.casefold().split())
    by_title = [
        k
        for k, d in G.nodes(data=True)
        if d.get("kind") == PAPER
        and " ".join(str(d.get("title")).casefold().split()).startswith(start)
    ]
    if start and len(by_title) == 1:  # the start of a title names the one paper it begins
        return str(by_title[0])
    if start and by_title:
        raise FocusNotFound(focus, sorted(str(G.nodes[k].get("title")) for k in by_title)[:3])
    known = [str(d.get("name") or d.get("title") or k) for k, d in G.nodes(data=True)]
    raise FocusNotFound(focus, difflib.get_close_matches(focus, known, n=3, cutoff=0.6))


def select_focus(G: nx.DiGraph, *, focus: str, depth: int, max_nodes: int) -> Subgraph:
    """The papers and concepts within `depth` MENTIONS hops of the focus, nearest first."""
    import networkx as nx

    start = find_node(G, focus)
    mentions = nx.subgraph_view(G, filter_edge=lambda u, v: G.edges[u, v].get("type") == "MENTIONS")
    dist = nx.single_source_shortest_path_length(mentions.to_undirected(as_view=True), start, depth)
    keys = sorted(dist, key=lambda k: (dist[k], -paper_count(G, k), k))[:max_nodes]
    keep = set(keys)
    nodes: list[VizNode] = [graph_node(G, k, is_focus=k == start) for k in keys]
    edges = tuple(mention_edge(G, u, v) for u, v in mentions.edges(keys) if u in keep and v in keep)
    label = nodes[0].tip.head
    return Subgraph(
        title=f"Around {label}",
        nodes=tuple(nodes),
        edges=edges,
        n_total=len(dist),
        notes=(f"papers and concepts within {depth} links of {label}",),
    )

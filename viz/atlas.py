"""atlas.html: every concept of a build in one offline page, drawn with sigma.js (WebGL).

Positions are computed here (viz/layout.py), so the page opens settled; links are each concept's
strongest few co-occurrences (select.backbone). The side panel's papers, aliases and evidence
travel as JSON data and the page inserts them as text only (viz/static/atlas.js).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.model import ConceptType, Extraction
from kg.vocab import paper_node
from viz.html import _csp, _write, json_for_script
from viz.select import backbone, concept_keys
from viz.style import COMMUNITY_COLOURS, SMALL_COMMUNITY, shape_svg, style_of
from viz.subgraph import safe_url

if TYPE_CHECKING:
    import networkx as nx

Extractions = Callable[[], Iterable[Extraction]]  # gives the build's extractions afresh

SIGMA_JS = "lib/sigma-3.0.3/sigma.min.js"
GRAPHOLOGY_JS = "lib/graphology-0.26.0/graphology.umd.min.js"
LINKS_PER_CONCEPT = 2  # each concept keeps its strongest few co-occurrence links
MAX_DRAWN_LINKS = 50_000  # of those, the strongest drawn at once (each costs WebGL time)
N_PANEL_PAPERS = 25  # papers listed per concept in the side panel, newest first
N_EVIDENCE = 1  # of those, how many come with the sentence they were found in
SENTENCE_CHARS = 200  # of that sentence, around the mention
N_EVIDENCE_CONCEPTS = 20_000  # concepts with a sentence (each ~200 bytes); others: kg explain
LOUVAIN_MAX = 50_000  # above this many concepts, label propagation: Louvain takes ~30 s at 160k
ROLES = ("proposed", "used", "mentioned")
PANEL_KEYS = ("papers", "panel")  # parsed by the page only when a panel first opens


def render_atlas(
    G: nx.DiGraph,
    out: Path,
    *,
    title: str = "kg",
    extractions: Extractions | None = None,
    nav: Mapping[str, str] | None = None,
) -> Path:
    """Write the atlas of G's concepts to `out` (evidence sentences from `extractions`, if given)."""
    return _write(Path(out), atlas_html(G, title=title, extractions=extractions, nav=nav))


def atlas_html(
    G: nx.DiGraph,
    *,
    title: str,
    extractions: Extractions | None = None,
    nav: Mapping[str, str] | None = None,
) -> str:
    """The whole atlas page, scripts inline, allowed by hash in its Content-Security-Policy."""
    data = atlas_data(G, extractions=extractions)
    scripts = [_static(GRAPHOLOGY_JS), _static(SIGMA_JS), _static("atlas.js")]
    n = len(data["name"])
    slots = {
        "CSP": _csp(*scripts),
        "TITLE": html.escape(f"{title} · atlas"),
        "HEADING": html.escape(f"{title} · atlas of {n} concepts"),
        "NAV": " ".join(
            f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
            for href, text in (nav or {"index.html": "Summary"}).items()
        ),
        "TYPES": _type_filters(data["types"], data["type"]),
        "CSS": _static("atlas.css"),
        "DATA": json_for_script({k: v for k, v in data.items() if k not in PANEL_KEYS}),
        "PANEL_DATA": json_for_script({k: data[k] for k in PANEL_KEYS}),
        "GRAPHOLOGY_JS": scripts[0],
        "SIGMA_JS": scripts[1],
        "ATLAS_JS": scripts[2],
    }
    page = _static("atlas.html")
    for name, value in slots.items():
        page = page.replace("{{" + name + "}}", value)
    return page


def atlas_data(G: nx.DiGraph, *, extractions: Extractions | None = None) -> dict[str, Any]:
    """Column arrays (one entry per concept, most papers first), links, papers and panel data."""
    from viz.layout import force_layout

    keys = concept_keys(G)
    index = {k: i for i, k in enumerate(keys)}
    links = _links(G, index)
    pos = force_layout(len(keys), [(i, j, float(w)) for i, j, w in links])
    community, n_communities = _communities(len(keys), links)
    types = [str(t) for t in ConceptType]
    mentions = _mentions_newest_first(G)
    papers: dict[str, int] = {}
    panel = [_panel(G, k, mentions.get(k, []), papers) for k in keys]
    if extractions is not None:
        _add_evidence(G, keys, mentions, panel, extractions)
    time = time_data(G, keys, panel)
    return {
        "types": types,
        "type_colours": [style_of(t).colour for t in types],
        "community_colours": [*COMMUNITY_COLOURS, SMALL_COMMUNITY],
        "n_communities": n_communities,
        "key": keys,
        "name": [str(G.nodes[k].get("name") or k) for k in keys],
        "type": [_type_index(types, G.nodes[k].get("type")) for k in keys],
        "count": [int(G.nodes[k].get("paper_count") or 0) for k in keys],
        "x": [round(x, 4) for x, _ in pos],
        "y": [round(y, 4) for _, y in pos],
        "community": community,
        "years": [
            sorted({y for p, _ in mentions.get(k, []) if (y := G.nodes[p].get("year"))})
            for k in keys
        ],
        "aliases": [[str(a) for a in G.nodes[k].get("aliases") or ()] for k in keys],
        "links": [v for link in links for v in link],
        "n_drawn": min(len(links), MAX_DRAWN_LINKS),
        "time": time,
        "papers": [_paper_row(G, p) for p in papers],
        "panel": panel,
    }


def time_data(
    G: nx.DiGraph, keys: Sequence[str], panel: Sequence[dict[str, Any]]
) -> dict[str, Any] | None:
    """Periods, papers per period, each concept's first period (-1: none) and trend bound
    (kg.trends: > 1 rising, < 1 falling, else 1), and in each panel its papers per period
    (concepts in two dated papers or more); None when no paper has a date."""
    from kg.trends import NoDates, trends_of_graph

    try:
        found = trends_of_graph(G, limit=max(1, len(keys)))
    except NoDates:
        return None
    labels = [p.label for p in found.periods]
    where = {label: i for i, label in enumerate(labels)}
    rows = {r.id: r for r in found.top}
    first, trend = [], []
    for key, box in zip(keys, panel, strict=True):
        row = rows.get(key)
        first.append(where[row.first] if row else -1)
        trend.append(round(row.bound, 4) if row else 1)
        if row and sum(row.counts) >= 2:
            box["counts"] = list(row.counts)
    return {
        "by": found.by,
        "periods": labels,
        "papers": [p.papers for p in found.periods],
        "partial": [i for i, p in enumerate(found.periods) if p.partial],
        "since": where[found.since],
        "first": first,
        "trend": trend,
    }


def _links(G: nx.DiGraph, index: Mapping[str, int]) -> list[tuple[int, int, int]]:
    edges = [
        (u, v, int(d.get("weight") or 1))
        for u, v, d in G.edges(data=True)
        if d.get("type") == "CO_OCCURS" and u in index and v in index
    ]
    return [(index[u], index[v], w) for u, v, w in backbone(edges, LINKS_PER_CONCEPT)]


def _communities(n: int, links: Sequence[tuple[int, int, int]]) -> tuple[list[int], int]:
    """Communities over the drawn links (seeded Louvain, or label propagation for very many
    concepts), numbered by size; small ones share grey."""
    import networkx as nx

    H = nx.Graph()
    H.add_nodes_from(range(n))
    H.add_weighted_edges_from(links)
    if n <= LOUVAIN_MAX:
        found = nx.community.louvain_communities(H, weight="weight", seed=0)
    else:
        found = list(nx.community.asyn_lpa_communities(H, weight="weight", seed=0))
    groups = sorted(found, key=lambda g: (-len(g), min(g)))
    grey = len(COMMUNITY_COLOURS)
    community = [grey] * n
    for rank, group in enumerate(groups[:grey]):
        if len(group) > 1:
            for i in group:
                community[i] = rank
    return community, min(len(groups), grey)


def _type_index(types: list[str], kind: object) -> int:
    return types.index(str(kind)) if str(kind) in types else 0


def _mentions_newest_first(G: nx.DiGraph) -> dict[str, list[tuple[str, str]]]:
    """Concept key -> (paper key, role) of every paper naming it, newest first (one pass)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for paper, concept, d in G.edges(data=True):
        if d.get("type") == "MENTIONS":
            found.setdefault(concept, []).append((paper, str(d.get("role"))))
    order = {
        k: (-(d.get("year") or 0), str(d.get("title") or k))
        for k, d in G.nodes(data=True)
        if d.get("kind") == "Paper"
    }
    for rows in found.values():
        rows.sort(key=lambda row: order[row[0]])
    return found


def _panel(
    G: nx.DiGraph, key: str, mentions: Sequence[tuple[str, str]], papers: dict[str, int]
) -> dict[str, Any]:
    """A concept's side panel: papers (index into `papers`, role), newest first; alias reasons."""
    rows = [
        [papers.setdefault(p, len(papers)), _role(role)] for p, role in mentions[:N_PANEL_PAPERS]
    ]
    merged = [str(m) for m in G.nodes[key].get("merged") or ()]
    return {"papers": rows, "merged": merged, "evidence": []}


def _role(role: object) -> int:
    return ROLES.index(str(role)) if str(role) in ROLES else len(ROLES) - 1


def _paper_row(G: nx.DiGraph, key: str) -> list[Any]:
    d = G.nodes[key]
    paper_id = str(d.get("id") or key)
    return [paper_id, str(d.get("title") or paper_id), d.get("year"), safe_url(d.get("url"))]


def _add_evidence(
    G: nx.DiGraph,
    keys: Sequence[str],
    mentions: Mapping[str, Sequence[tuple[str, str]]],
    panel: list[dict[str, Any]],
    extractions: Extractions,
) -> None:
    """Per concept: which type each finder gave it, in how many papers (as kg explain says),
    and for its first N_EVIDENCE listed papers what found it and the sentence.

    Reads the extractions twice (acronym joins, then the entities), keeping only counts and
    the wanted sentences.
    """
    from kg.explain import evidence_of
    from kg.graph import _acronym_targets
    from kg.model import Paper

    redirect = _acronym_targets(extractions())
    index = {str(G.nodes[key].get("id")): n for n, key in enumerate(keys)}
    votes: list[Counter[tuple[str, str]]] = [Counter() for _ in keys]
    wanted = {  # the most-mentioned concepts first, within the page's budget
        (str(G.nodes[paper_key].get("id")), n)
        for n, key in enumerate(keys[:N_EVIDENCE_CONCEPTS])
        for paper_key, _ in mentions.get(key, [])[:N_EVIDENCE]
    }
    for ext in extractions():
        for ent in ext.entities:
            n = index.get(redirect.get(ent.concept_id, ent.concept_id), -1)
            d = G.nodes.get(paper_node(ext.paper_id))
            if n < 0 or d is None:
                continue
            votes[n][(str(ent.type), ent.source)] += 1
            if (ext.paper_id, n) not in wanted:
                continue
            wanted.discard((ext.paper_id, n))
            paper = Paper(ext.paper_id, str(d.get("title") or ""), str(d.get("abstract") or ""))
            ev = evidence_of(paper, ent)
            if ev is not None:
                at = ev.start - ev.sentence_start
                panel[n]["evidence"].append([ext.paper_id, ev.source, clip(ev.sentence, at)])
    for box, counts in zip(panel, votes, strict=True):
        box["votes"] = [[t, src, k] for (t, src), k in sorted(counts.items(), key=_by_count)]


def _by_count(item: tuple[tuple[str, str], int]) -> tuple[int, str, str]:
    return (-item[1], *item[0])


def clip(sentence: str, at: int, limit: int = SENTENCE_CHARS) -> str:
    """At most `limit` characters of `sentence` around position `at`, cuts marked with "…".

    Example:
        >>> clip("one two three four five", 8, 9)
        '…two three…'
    """
    if len(sentence) <= limit:
        return sentence
    start = max(0, min(at - limit // 2, len(sentence) - limit))
    text = sentence[start : start + limit]
    return ("…" if start else "") + text + ("…" if start + limit < len(sentence) else "")


def _type_filters(types: list[str], of_node: list[int]) -> str:
    counts = [of_node.count(i) for i in range(len(types))]
    rows = []
    for i, (kind, n) in enumerate(zip(types, counts, strict=True)):
        if not n:
            continue
        st = style_of(kind)
        rows.append(
            f'<label class="kg-legend-row"><input type="checkbox" class="kg-kind" data-kind="{i}" '
            f"checked> {shape_svg('dot', st.colour, st.border)} <span>{html.escape(kind)}</span> "
            f'<span class="kg-count">{n}</span></label>'
        )
    return "\n".join(rows)


@cache
def _static(name: str) -> str:
    return files("viz").joinpath("static", name).read_text(encoding="utf-8")

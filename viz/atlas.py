"""atlas.html: every concept of a build in one offline page, drawn with sigma.js (WebGL).

Positions are computed here (viz/layout.py), so the page opens settled; links are each concept's
strongest few co-occurrences (select.backbone). The data travels as packed blocks (gzipped
JSON in base64), the first frame's alone unpacked before it is drawn; the page inserts names,
titles and sentences as text only (viz/static/atlas.js).
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.model import ConceptType, Extraction, Paper
from viz.html import _SLOT, _csp, _write
from viz.select import ranked_concepts
from viz.style import COMMUNITY_COLOURS, SMALL_COMMUNITY, shape_svg, style_of
from viz.subgraph import safe_url

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from viz.graphview import GraphView

    Ints = npt.NDArray[np.int32]
    Index = npt.NDArray[np.intp]

Extractions = Callable[[], Iterable[Extraction]]  # gives the build's extractions afresh

SIGMA_JS = "lib/sigma-3.0.3/sigma.min.js"
GRAPHOLOGY_JS = "lib/graphology-0.26.0/graphology.umd.min.js"
LINKS_PER_CONCEPT = 2  # each concept keeps its strongest few co-occurrence links
MAX_DRAWN_LINKS = 50_000  # of those, the strongest drawn at once (each costs WebGL time)
FIRST_ALL = 10_000  # a build with at most this many concepts has them all drawn when it opens,
FIRST_MAX = 30_000  # a bigger one those in two papers or more (at most this many); then on demand
N_PANEL_PAPERS = 25  # papers listed per concept in the side panel, newest first
N_EVIDENCE = 1  # of those, how many come with the sentence they were found in
SENTENCE_CHARS = 200  # of that sentence, around the mention
N_EVIDENCE_CONCEPTS = 20_000  # concepts with a sentence (each ~200 bytes); others: kg explain
LOUVAIN_MAX = 50_000  # above this many concepts, label propagation: Louvain takes ~30 s at 160k
ROLES = ("proposed", "used", "mentioned")
PANEL_KEYS = ("papers", "panel")  # in blocks of their own, unpacked after the first frame
COLUMNS = ("key", "name", "type", "count", "x", "y", "community", "years", "aliases")
TIME_COLUMNS = ("first", "trend")  # per concept, in data["time"]
REST_CHUNK = 25_000  # concepts per block of those not drawn first (each unpacked in ~0.1 s)
LINK_CHUNK = 100_000  # links per block
PANEL_CHUNK = 5_000  # concepts per panel block: a click unpacks only its concept's block
BLOCK_LEVEL = 6  # gzip level of the data blocks (9: 1% smaller, twice the time to write)


def render_atlas(
    G: GraphView,
    out: Path,
    *,
    title: str = "kg",
    extractions: Extractions | None = None,
    nav: Mapping[str, str] | None = None,
    redirect: dict[str, str] | None = None,
) -> Path:
    """Write the atlas of G's concepts to `out` (evidence sentences from `extractions`, if given;
    `redirect`: their acronym joins, if known)."""
    page = atlas_html(G, title=title, extractions=extractions, nav=nav, redirect=redirect)
    return _write(Path(out), page)


def atlas_html(
    G: GraphView,
    *,
    title: str,
    extractions: Extractions | None = None,
    nav: Mapping[str, str] | None = None,
    redirect: dict[str, str] | None = None,
) -> str:
    """The whole atlas page, scripts inline, allowed by hash in its Content-Security-Policy."""
    from viz.atlas_papers import paper_data

    data = atlas_data(G, extractions=extractions, redirect=redirect)
    return atlas_page(data, paper_data(G, data["key"]), title=title, nav=nav)


def atlas_page(
    data: dict[str, Any],
    papers: dict[str, Any],
    *,
    title: str,
    nav: Mapping[str, str] | None = None,
) -> str:
    """The page for `atlas_data` and `paper_data` (consumes `data`: its lists are dropped as
    soon as their blocks are written, to bound memory at 100k papers)."""
    n, types = len(data["name"]), _type_filters(data["types"], data["type"])
    panel = data["panel"]
    blocks = {
        "DATA": "\n".join(_map_blocks(data)),
        "PANEL_DATA": "\n".join(
            [_block("kg-panel-papers", data["papers"])]
            + [
                _block(f"kg-panel-{k}", panel[at : at + PANEL_CHUNK])
                for k, at in enumerate(range(0, len(panel), PANEL_CHUNK))
            ]
        ),
        "PAPER_DATA": _block("kg-paper-data", papers),
    }
    del panel
    data.clear()  # its lists take ~5x their JSON (~80 MB at 10k papers): only the JSON from here
    scripts = [_static(GRAPHOLOGY_JS), _static(SIGMA_JS), _static("atlas.js")]
    slots = {
        "CSP": _csp(*scripts),
        "TITLE": html.escape(f"{title} · atlas"),
        "HEADING": html.escape(f"{title} · atlas of {n} concepts"),
        "NAV": " ".join(
            f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
            for href, text in (nav or {"index.html": "Summary"}).items()
        ),
        "TYPES": types,
        "CSS": _static("atlas.css"),
        **blocks,
        "GRAPHOLOGY_JS": scripts[0],
        "SIGMA_JS": scripts[1],
        "ATLAS_JS": scripts[2],
    }
    # One pass: a slot's text is never read for slots (the blocks are base64 in any case).
    return _SLOT.sub(lambda found: slots[found.group(1)], _static("atlas.html"))


def packed(value: object) -> str:
    """`value` as a page's data block: JSON, gzipped (no timestamp, so the same page is the
    same bytes) and base64 (no '<' or '&' can reach the HTML). The page unpacks it with the
    browser's DecompressionStream only when it needs it: at 100k papers the JSON is ~170 MB,
    which Chromium took 2-4 s just to read, and ~17 MB gzipped.

    Example:
        >>> block = packed({"t": "</script><b>"})
        >>> "<" in block, unpacked(block)
        (False, {'t': '</script><b>'})
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(gzip.compress(text.encode("utf-8"), BLOCK_LEVEL, mtime=0)).decode()


def _map_blocks(data: dict[str, Any]) -> list[str]:
    """The map's blocks: kg-data holds what the first frame needs (the columns of the n_first
    concepts drawn first, the links between them that are drawn, the map's frame); kg-rest-0, 1,
    … the columns of the other concepts, REST_CHUNK at a time, and kg-links-0, 1, … every kept
    link: unpacked after the first frame, each a short task, and joined to the first."""
    n, nf, links = len(data["name"]), data["n_first"], data["links"]
    time = data["time"]
    columns = {c: data[c] for c in COLUMNS}
    if time is not None:
        time = {k: v for k, v in time.items() if k not in TIME_COLUMNS}
        columns.update({f"time_{c}": data["time"][c] for c in TIME_COLUMNS})
    first_links: list[int] = []
    for at in range(0, len(links), 3):
        if len(first_links) >= 3 * data["n_drawn"]:
            break
        if links[at] < nf and links[at + 1] < nf:
            first_links.extend(links[at : at + 3])
    xs, ys = data["x"] or [0], data["y"] or [0]
    scalars = {k: v for k, v in data.items() if k not in (*COLUMNS, *PANEL_KEYS, "links", "time")}
    rest = [f"kg-rest-{k}" for k, _ in enumerate(range(nf, n, REST_CHUNK))]
    rest += [f"kg-links-{k}" for k, _ in enumerate(range(0, len(links), 3 * LINK_CHUNK))]
    head = {
        **scalars,
        **{c: v[:nf] for c, v in columns.items()},
        "n": n,
        "time": time,
        "first_links": first_links,
        "bbox": [min(xs), max(xs), min(ys), max(ys)],
        "rest": rest,
        "panel_chunk": PANEL_CHUNK,
    }
    blocks = [_block("kg-data", head)]
    for k, at in enumerate(range(nf, n, REST_CHUNK)):
        blocks.append(
            _block(f"kg-rest-{k}", {c: v[at : at + REST_CHUNK] for c, v in columns.items()})
        )
    for k, at in enumerate(range(0, len(links), 3 * LINK_CHUNK)):
        blocks.append(_block(f"kg-links-{k}", links[at : at + 3 * LINK_CHUNK]))
    return blocks


def _block(name: str, value: object) -> str:
    return f'<script id="{name}" type="application/octet-stream">{packed(value)}</script>'


def unpacked(block: str) -> Any:
    """The value of a `packed` block."""
    return json.loads(gzip.decompress(base64.b64decode(block)))


def page_blocks(page: str) -> dict[str, Any]:
    """The data blocks of an atlas page by element id, unpacked: kg-data (the map's columns),
    kg-panel-papers (the panels' paper rows), kg-panel-0, kg-panel-1, … (the panels of
    PANEL_CHUNK concepts each) and kg-paper-data (the papers drawn on demand)."""
    found = re.findall(r'<script id="([a-z0-9-]+)" type="application/octet-stream">([^<]*)<', page)
    return {name: unpacked(block) for name, block in found}


def page_data(page: str) -> dict[str, Any]:
    """What `atlas_data` gave the page, read back from its blocks and joined again as the page's
    script joins them (with the blocks' own keys: n, first_links, bbox, rest, panel_chunk)."""
    blocks = page_blocks(page)
    data = blocks["kg-data"]

    def joined(prefix: str) -> list[Any]:
        return [v for k in range(len(blocks)) for v in blocks.get(f"{prefix}{k}", [])]

    for k in range(len(blocks)):
        for column, values in blocks.get(f"kg-rest-{k}", {}).items():
            data[column] = data[column] + values
    if data["time"] is not None:
        data["time"].update({c: data.pop(f"time_{c}") for c in TIME_COLUMNS})
    data["links"] = joined("kg-links-")
    return {**data, "papers": blocks["kg-panel-papers"], "panel": joined("kg-panel-")}


def atlas_data(
    G: GraphView,
    *,
    extractions: Extractions | None = None,
    redirect: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Column arrays (one entry per concept, most papers first), links, papers and panel data."""
    from viz.layout import force_layout
    from viz.trending import time_data

    order = ranked_concepts(G)
    keys = [G.concept_key(c) for c in order]
    links = _links(G, order, keys)
    pos = force_layout(len(order), [(i, j, float(w)) for i, j, w in links])
    community, n_communities = _communities(len(order), links)
    types = [str(t) for t in ConceptType]
    newest = _newest_first(G)
    papers: dict[int, int] = {}
    panel, years = [], []
    for c in order:
        mentions = newest(c)
        panel.append(_panel(G, c, mentions[:N_PANEL_PAPERS], papers))
        years.append(sorted({y for p, _ in mentions if (y := G.papers[p].year)}))
    if extractions is not None:
        _add_evidence(G, order, panel, papers, extractions, redirect)
    time = time_data(G, keys, panel)
    concepts = [G.concepts[c] for c in order]
    return {
        "types": types,
        "type_colours": [style_of(t).colour for t in types],
        "community_colours": [*COMMUNITY_COLOURS, SMALL_COMMUNITY],
        "n_communities": n_communities,
        "key": keys,
        "name": [c.name or k for c, k in zip(concepts, keys, strict=True)],
        "type": [_type_index(types, c.type) for c in concepts],
        "count": [c.paper_count for c in concepts],
        "x": [round(x, 4) for x, _ in pos],
        "y": [round(y, 4) for _, y in pos],
        "community": community,
        "years": years,
        "aliases": [[str(a) for a in c.aliases] for c in concepts],
        "links": [v for link in links for v in link],
        "n_drawn": min(len(links), MAX_DRAWN_LINKS),
        "n_first": n_first([c.paper_count for c in concepts]),
        "time": time,
        "papers": [_paper_row(G.papers[p]) for p in papers],
        "panel": panel,
    }


def n_first(counts: Sequence[int]) -> int:
    """How many concepts (counts of papers, most first) the atlas draws when it opens: all of a
    small build; of a big one those in two papers or more, at most FIRST_MAX. Drawing the long
    tail of concepts named once (87% of them at 10k papers) took most of the time to open; the
    page draws it on demand, and its search finds every concept.

    Example:
        >>> n_first([5, 1, 1]), n_first([5, 3] + [2] * FIRST_ALL + [1] * 10)
        (3, 10002)
    """
    if len(counts) <= FIRST_ALL:
        return len(counts)
    return min(sum(1 for n in counts if n >= 2), FIRST_MAX)


def _links(G: GraphView, order: Sequence[int], keys: Sequence[str]) -> list[tuple[int, int, int]]:
    """Each concept's LINKS_PER_CONCEPT strongest co-occurrences (select.backbone, on arrays:
    a Python tuple per co-occurrence would take ~100 bytes each, millions at 100k papers), as
    (position, position, weight) in `order` (whose node keys are `keys`), strongest first."""
    import numpy as np

    n = len(order)
    at = np.full(len(G.concepts), -1, dtype=np.int32)
    at[np.asarray(order, dtype=np.int64)] = np.arange(n, dtype=np.int32)
    # Links of equal weight are ordered by their ends' keys, as in backbone: by key rank
    # (sorted in Python: numpy would hold the keys as fixed-width text, 40 MB at 50k concepts).
    by_key = np.empty(n, dtype=np.int32)
    by_key[sorted(range(n), key=keys.__getitem__)] = np.arange(n, dtype=np.int32)
    cat, co_occurs = G.concept_at, G.data.co_occurs
    rows = np.fromiter(
        (x for e in co_occurs for x in (cat.get(e.source, -1), cat.get(e.target, -1), e.weight)),
        dtype=np.int32,
        count=3 * len(co_occurs),
    ).reshape(-1, 3)
    rows = rows[(rows[:, 0] >= 0) & (rows[:, 1] >= 0)]
    u, v, w = at[rows[:, 0]], at[rows[:, 1]], np.maximum(rows[:, 2], 1)
    del rows
    kept = strongest_per_node(by_key[u], by_key[v], w, LINKS_PER_CONCEPT)
    return [(int(i), int(j), int(k)) for i, j, k in zip(u[kept], v[kept], w[kept], strict=True)]


def strongest_per_node(u: Ints, v: Ints, w: Ints, k: int) -> Index:
    """Indices of the links (u, v, weight) among the `k` strongest of either end, strongest
    first: select.backbone on arrays, ties broken by u then v.

    Example:
        >>> import numpy as np
        >>> u, v, w = np.array([0, 0, 0, 3]), np.array([1, 2, 3, 4]), np.array([5, 4, 1, 1])
        >>> strongest_per_node(u, v, w, 1).tolist()
        [0, 1, 2, 3]
        >>> strongest_per_node(np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([5, 4, 1]), 1).tolist()
        [0, 1]
    """
    import numpy as np

    edge = np.concatenate((np.arange(len(w)), np.arange(len(w))))  # each link at both ends
    end = np.concatenate((u, v))
    order = np.lexsort((v[edge], u[edge], -w[edge], end))  # by end, then strongest first
    ends = end[order]
    first = np.ones(len(ends), dtype=bool)
    first[1:] = ends[1:] != ends[:-1]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(ends)), 0))
    keep = np.zeros(len(w), dtype=bool)
    keep[edge[order[np.arange(len(ends)) - group_start < k]]] = True
    kept = np.flatnonzero(keep)
    result: Index = kept[np.lexsort((v[kept], u[kept], -w[kept]))]
    return result


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


def _newest_first(G: GraphView) -> Callable[[int], list[tuple[int, str]]]:
    """A concept's (paper, role) links, newest paper first (then by title)."""
    order = [(-(p.year or 0), p.title or G.paper_key(i)) for i, p in enumerate(G.papers)]

    def newest(concept: int) -> list[tuple[int, str]]:
        return sorted(G.papers_of(concept), key=lambda row: order[row[0]])

    return newest


def _panel(
    G: GraphView, concept: int, mentions: Sequence[tuple[int, str]], papers: dict[int, int]
) -> dict[str, Any]:
    """A concept's side panel: papers (index into `papers`, role), newest first; alias reasons."""
    rows = [[papers.setdefault(p, len(papers)), _role(role)] for p, role in mentions]
    merged = [str(m) for m in G.concepts[concept].merged]
    return {"papers": rows, "merged": merged, "evidence": []}


def _role(role: object) -> int:
    return ROLES.index(str(role)) if str(role) in ROLES else len(ROLES) - 1


def _paper_row(paper: Paper) -> list[Any]:
    return [paper.id, paper.title or paper.id, paper.year, safe_url(paper.url)]


def _add_evidence(
    G: GraphView,
    order: Sequence[int],
    panel: list[dict[str, Any]],
    papers: Mapping[int, int],
    extractions: Extractions,
    redirect: dict[str, str] | None = None,
) -> None:
    """Per concept: which type each finder gave it, in how many papers (as kg explain says),
    and for its first N_EVIDENCE listed papers what found it and the sentence.

    Reads the extractions twice (acronym joins, unless `redirect` gives them, then the
    entities), keeping only counts and the wanted sentences. `panel` holds each concept's papers newest first (`_panel`).
    """
    from kg.explain import evidence_of
    from kg.graph import _acronym_targets

    if redirect is None:
        redirect = _acronym_targets(extractions())
    index = {G.concepts[c].id: n for n, c in enumerate(order)}
    votes: Counter[tuple[int, str, str]] = Counter()  # (concept, type, finder): papers
    listed = list(papers)  # panel rows name papers by their place in `papers`
    wanted = {  # the most-mentioned concepts first, within the page's budget
        (G.papers[listed[row[0]]].id, n)
        for n, box in enumerate(panel[:N_EVIDENCE_CONCEPTS])
        for row in box["papers"][:N_EVIDENCE]
    }
    for ext in extractions():
        p = G.paper_at.get(ext.paper_id)
        if p is None:
            continue
        for ent in ext.entities:
            n = index.get(redirect.get(ent.concept_id, ent.concept_id), -1)
            if n < 0:
                continue
            votes[n, str(ent.type), ent.source] += 1
            if (ext.paper_id, n) not in wanted:
                continue
            wanted.discard((ext.paper_id, n))
            d = G.papers[p]
            paper = Paper(ext.paper_id, str(d.title or ""), str(d.abstract or ""))
            ev = evidence_of(paper, ent)
            if ev is not None:
                at = ev.start - ev.sentence_start
                panel[n]["evidence"].append([ext.paper_id, ev.source, clip(ev.sentence, at)])
    for box in panel:
        box["votes"] = []
    for (n, t, src), k in sorted(votes.items(), key=_by_count):
        panel[n]["votes"].append([t, src, k])


def _by_count(item: tuple[tuple[int, str, str], int]) -> tuple[int, int, str, str]:
    """A concept's votes, most papers first (then by type and finder)."""
    (n, kind, source), count = item
    return (n, -count, kind, source)


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

"""What a view shows: Subgraph (nodes, edges, hover tips, counts), built from the graph or query rows.

Everything here is plain data; viz/html.py turns a Subgraph into a page. Text from papers is
kept as text: the page inserts it with textContent, never as HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kg.errors import KGError
from viz.style import PAPER, font_size, node_size

if TYPE_CHECKING:
    from viz.graphview import GraphView, Kind

N_TIP_PAPERS = 5
N_TIP_CONCEPTS = 12
N_TIP_ALIASES = 8
PAPER_LABEL_CHARS = 40


class BadRows(KGError):
    """Query rows cannot be drawn as a graph."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}; return nodes with an 'id' and edges with 'source' and 'target'")


@dataclass(frozen=True, slots=True)
class Tip:
    """Hover text: a heading, `key: value` rows and a short list (paper titles or concepts)."""

    head: str
    rows: tuple[tuple[str, str], ...] = ()
    items_head: str = ""
    items: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "head": self.head,
            "rows": [list(r) for r in self.rows],
            "items_head": self.items_head,
            "items": list(self.items),
        }


@dataclass(frozen=True, slots=True)
class VizNode:
    """One drawn node; `kind` is "Paper" or a concept type and picks colour and shape."""

    id: str
    label: str
    kind: str
    size: float
    font_size: int
    tip: Tip
    names: tuple[str, ...] = ()  # what the search box matches: label, aliases, ids
    url: str | None = None
    community: int | None = None
    is_focus: bool = False


@dataclass(frozen=True, slots=True)
class VizEdge:
    """One drawn edge; `title` is plain hover text."""

    source: str
    target: str
    width: float = 1.0
    title: str = ""


@dataclass(frozen=True, slots=True)
class Subgraph:
    """A view's content, with how much of the whole graph it shows."""

    title: str
    nodes: tuple[VizNode, ...]
    edges: tuple[VizEdge, ...]
    n_total: int  # nodes of this kind in the whole graph, before any cap
    unit: str = "nodes"
    notes: tuple[str, ...] = ()
    communities: tuple[str, ...] = field(default=())  # labels, largest community first

    @property
    def showing(self) -> str:
        """The visible cap note, e.g. "showing 120 of 900 nodes"."""
        return f"showing {len(self.nodes)} of {self.n_total} {self.unit}"


def safe_url(url: object) -> str | None:
    """Keep http(s) links only, so a hostile `javascript:` URL never becomes a link.

    Example:
        >>> safe_url("https://arxiv.org/abs/1706.03762"), safe_url("javascript:alert(1)")
        ('https://arxiv.org/abs/1706.03762', None)
    """
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def shorten(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters at a word boundary, marking the cut with an ellipsis.

    Example:
        >>> shorten("Attention Is All You Need", 15)
        'Attention Is…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut + "…"


def _more(items: list[str], limit: int) -> tuple[str, ...]:
    if len(items) <= limit:
        return tuple(items)
    return (*items[:limit], f"… and {len(items) - limit} more")


def concept_node(
    G: GraphView,
    i: int,
    *,
    community: int | None = None,
    is_focus: bool = False,
    font_scale: float = 1.0,
) -> VizNode:
    """The drawn form of concept `i` of G."""
    c = G.concepts[i]
    key = G.concept_key(i)
    name = c.name or key
    kind = str(c.type or "Concept")
    aliases = [str(a) for a in c.aliases]
    n_papers = c.paper_count
    papers = sorted(
        (G.papers[p] for p, _ in G.papers_of(i)), key=lambda p: (-(p.year or 0), p.title)
    )
    rows = [("type", kind), ("papers", str(n_papers))]
    if aliases:
        rows.insert(1, ("aliases", ", ".join(_more(aliases, N_TIP_ALIASES))))
    tip = Tip(
        head=name,
        rows=tuple(rows),
        items_head="Papers" if papers else "",
        items=_more([p.title or p.id for p in papers], N_TIP_PAPERS),
    )
    return VizNode(
        id=key,
        label=name,
        kind=kind,
        size=node_size(n_papers),
        font_size=round(font_size(n_papers) * font_scale),
        tip=tip,
        names=(name, *aliases),
        community=community,
        is_focus=is_focus,
    )


def paper_node(G: GraphView, i: int, *, is_focus: bool = False) -> VizNode:
    """The drawn form of paper `i` of G."""
    paper = G.papers[i]
    paper_id = paper.id or G.paper_key(i)
    title = paper.title or paper_id
    url = safe_url(paper.url)
    names = sorted(G.concepts[c].name or G.concept_key(c) for c, _ in G.concepts_of(i))
    rows = [("id", paper_id)]
    if paper.year:
        rows.append(("year", str(paper.year)))
    if url:
        rows.append(("link", url))
    tip = Tip(
        head=title,
        rows=tuple(rows),
        items_head="Concepts" if names else "",
        items=_more(names, N_TIP_CONCEPTS),
    )
    return VizNode(
        id=G.paper_key(i),
        label=shorten(title, PAPER_LABEL_CHARS),
        kind=PAPER,
        size=node_size(0, kind=PAPER) * (1.6 if is_focus else 1.0),
        font_size=font_size(0, kind=PAPER) * (2 if is_focus else 1),
        tip=tip,
        names=(title, paper_id),
        url=url,
        is_focus=is_focus,
    )


def graph_node(G: GraphView, kind: Kind, i: int, *, is_focus: bool = False) -> VizNode:
    """The drawn form of any node of G."""
    if kind == "paper":
        return paper_node(G, i, is_focus=is_focus)
    return concept_node(G, i, is_focus=is_focus)


def mention_edge(G: GraphView, paper: int, concept: int, role: str) -> VizEdge:
    """A paper–concept edge; papers that propose a concept link to it with a thicker line."""
    role = role or "mentioned"
    return VizEdge(
        G.paper_key(paper),
        G.concept_key(concept),
        width=2.0 if role == "proposed" else 1.0,
        title=role,
    )


# Keys a query row may use for a node's display text, kind and edge ends, most specific first.
_LABEL_KEYS = ("name", "title", "label", "id")
_SOURCE_KEYS = ("source", "from", "src", "start")
_TARGET_KEYS = ("target", "to", "dst", "end")


def subgraph_from_rows(
    nodes: Iterable[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]], *, title: str
) -> Subgraph:
    """Build a Subgraph from query rows.

    Args:
        nodes: dicts with an "id"; "name"/"title" label the node, "kind" ("Paper"/"Concept")
            and "type" pick its style, "paper_count" its size, "url" a link; other keys show
            in the hover text.
        edges: dicts with "source" and "target" node ids (or "from"/"to"); "type" and
            "weight" show in the hover text, "weight" also sets the width.
    """
    drawn: dict[str, VizNode] = {}
    for i, row in enumerate(nodes):
        if row.get("id") is None:
            raise BadRows(f"node row {i} has no 'id' (keys: {sorted(row)!r})")
        node = _row_node(row)
        drawn.setdefault(node.id, node)
    vedges = [_row_edge(i, row, drawn) for i, row in enumerate(edges)]
    return Subgraph(
        title=title, nodes=tuple(drawn.values()), edges=tuple(vedges), n_total=len(drawn)
    )


def _row_node(row: Mapping[str, Any]) -> VizNode:
    node_id = str(row["id"])
    label = next((str(row[k]) for k in _LABEL_KEYS if row.get(k) not in (None, "")), node_id)
    kind = str(row.get("kind") or "")
    if kind != PAPER:
        kind = str(row.get("type") or kind or "Node")
    n_papers = int(row.get("paper_count") or 0)
    rows = tuple(
        (str(k), _text(v))
        for k, v in row.items()
        if k not in ("id", "name", "title", "abstract") and v not in (None, "", [], ())
    )
    return VizNode(
        id=node_id,
        label=shorten(label, PAPER_LABEL_CHARS) if kind == PAPER else label,
        kind=kind,
        size=node_size(n_papers, kind=kind),
        font_size=font_size(n_papers),  # query results are small: label papers too
        tip=Tip(head=label, rows=rows),
        names=(label, node_id, *(str(a) for a in row.get("aliases") or ())),
        url=safe_url(row.get("url")),
    )


def _row_edge(i: int, row: Mapping[str, Any], drawn: Mapping[str, VizNode]) -> VizEdge:
    ends = [
        next((row[k] for k in keys if row.get(k) is not None), None)
        for keys in (_SOURCE_KEYS, _TARGET_KEYS)
    ]
    if ends[0] is None or ends[1] is None:
        raise BadRows(f"edge row {i} has no source/target (keys: {sorted(row)!r})")
    source, target = str(ends[0]), str(ends[1])
    for end in (source, target):
        if end not in drawn:
            raise BadRows(f"edge row {i} points at node {end!r}, which is not among the nodes")
    weight = row.get("weight")
    title = " ".join(_text(v) for v in (row.get("type"), weight) if v not in (None, ""))
    width = 1.0 if not isinstance(weight, int | float) else min(1.0 + float(weight) ** 0.5, 8.0)
    return VizEdge(source, target, width=round(width, 2), title=title)


def _text(value: object) -> str:
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    return str(value)

"""Subgraph -> pyvis Network -> one self-contained HTML page (the only module importing pyvis).

pyvis 0.3.2's own template loads bootstrap and vis-network from CDNs and inserts the heading
and node ids unescaped, so we keep pyvis for building the network and for its bundled
vis-network files, and write the page from viz/static/page.html: every script is inline, a
Content-Security-Policy forbids any request, and all text from papers travels as escaped JSON.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import BuildDirError
from kg.folder import TMP_PREFIX
from kg.model import Extraction
from viz.index import index_html
from viz.select import select_concept_map, select_focus, select_overview
from viz.style import (
    KIND_STYLES,
    community_colour,
    community_legend_html,
    legend_html,
    style_of,
)
from viz.subgraph import Subgraph, VizNode, subgraph_from_rows

if TYPE_CHECKING:
    from pyvis.network import Network

    from viz.graphview import GraphView

MAX_NODES = 300  # per view: readable at a glance, interactive in ~1 s (tests/bench/bench_views.py)
MIN_WEIGHT = 2
FOCUS_MAX_NODES = 300
STABILIZATION_ITERATIONS = 200
BIG_VIEW = 1000  # above this many nodes, edges hide while dragging or zooming
EDGE_COLOUR = {"color": "#c4c4c4", "highlight": "#444444", "hover": "#777777", "inherit": False}
VIS_DIR = "lib/vis-9.1.2"
_SLOT = re.compile(r"\{\{([A-Z_]+)\}\}")
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
ATLAS = "atlas.html"


NAV = {
    "index.html": "Summary",
    "atlas.html": "Atlas",
    "papers.html": "Papers",
    "concepts.html": "Concepts",
}


def render_views(
    G: GraphView,
    out_dir: Path,
    *,
    title: str = "kg",
    max_nodes: int = MAX_NODES,
    min_weight: int = MIN_WEIGHT,
    extractions: Callable[[], Iterable[Extraction]] | None = None,
    pages_in: Path | None = None,
    redirect: dict[str, str] | None = None,
) -> list[Path]:
    """Write papers.html, concepts.html, atlas.html and index.html into `out_dir`.

    The index also links the other pages (focus-….html, query.html) found in `pages_in`
    (default: `out_dir`; a build writes into a staging folder and passes its final folder).
    Evidence sentences in the atlas come from `extractions` (a function giving them afresh);
    `redirect`, their acronym joins if known (kg.graph.acronym_targets), saves reading them once.
    """
    from viz.trending import kept_trends

    with kept_trends():  # the atlas and the index show the same trends
        return _render_views(
            G, out_dir, title, max_nodes, min_weight, extractions, pages_in, redirect
        )


def _render_views(
    G: GraphView,
    out_dir: Path,
    title: str,
    max_nodes: int,
    min_weight: int,
    extractions: Callable[[], Iterable[Extraction]] | None,
    pages_in: Path | None,
    redirect: dict[str, str] | None,
) -> list[Path]:
    from viz.atlas import render_atlas

    out_dir = Path(out_dir)
    overview = select_overview(G, max_nodes=max_nodes)
    concept_map = select_concept_map(G, max_nodes=max_nodes, min_weight=min_weight)
    written = [
        _write(out_dir / "papers.html", page_html(overview, title=title, nav=NAV)),
        _write(out_dir / "concepts.html", page_html(concept_map, title=title, nav=NAV)),
        render_atlas(
            G, out_dir / ATLAS, title=title, extractions=extractions, nav=NAV, redirect=redirect
        ),
    ]
    views = {"papers.html": overview, "concepts.html": concept_map}
    extra = other_pages(pages_in or out_dir)
    index = index_html(G, title=title, views=views, atlas=ATLAS, pages=extra)
    return [*written, _write(out_dir / "index.html", index)]


def other_pages(folder: Path) -> dict[str, str]:
    """The focus and query pages in `folder` (file name -> the title in the page), sorted."""
    found = {}
    for path in sorted([*folder.glob("focus-*.html"), *folder.glob("query*.html")]):
        if path.is_file() and not path.is_symlink():
            try:
                with path.open(encoding="utf-8", errors="replace") as handle:
                    head = handle.read(4096)
            except OSError:
                continue
            match = _TITLE.search(head)
            found[path.name] = html.unescape(match.group(1)) if match else path.name
    return found


def refresh_index(G: GraphView, folder: Path, *, title: str = "kg") -> Path:
    """Write a build's index.html again so it links the pages now in `folder` (after kg viz
    --focus or --query), under the folder's lock, and record its new hash in the manifest."""
    import json

    from kg.corpus import dumps, write_atomic
    from kg.folder import MANIFEST, read_meta
    from kg.lock import LOCK_WAIT_S, dir_lock

    views = {
        "papers.html": select_overview(G, max_nodes=MAX_NODES),
        "concepts.html": select_concept_map(G, max_nodes=MAX_NODES, min_weight=MIN_WEIGHT),
    }
    atlas = ATLAS if (folder / ATLAS).exists() else None
    text = index_html(G, title=title, views=views, atlas=atlas, pages=other_pages(folder))
    with dir_lock(folder, wait=LOCK_WAIT_S):
        path = _write(folder / "index.html", text)
        manifest = json.loads(read_meta(folder / MANIFEST) or "null")
        if isinstance(manifest, dict) and isinstance(manifest.get("files"), dict):
            manifest["files"]["index.html"] = hashlib.sha256(text.encode()).hexdigest()
            write_atomic(folder / MANIFEST, dumps(manifest) + "\n")
    return path


def render_focus(G: GraphView, out: Path, *, focus: str, depth: int = 2) -> Path:
    """Write the neighbourhood of a concept (name or alias) or paper (id or title) to `out`."""
    sub = select_focus(G, focus=focus, depth=depth, max_nodes=FOCUS_MAX_NODES)
    return _write(Path(out), page_html(sub, title=sub.title, nav=NAV))


def render_subgraph(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], out: Path, *, title: str
) -> Path:
    """Write query rows as a page; see `viz.subgraph.subgraph_from_rows` for the row keys."""
    sub = subgraph_from_rows(nodes, edges, title=title)
    return _write(Path(out), page_html(sub, title=title, nav=NAV))


def page_html(sub: Subgraph, *, title: str, nav: Mapping[str, str] | None = None) -> str:
    """The whole page for one view, scripts and styles inline."""
    net = build_network(sub)
    data = {
        "nodes": net.nodes,
        "edges": net.edges,
        "options": net.options,
        "meta": {n.id: _meta(n) for n in sub.nodes},
        "edge_colour": EDGE_COLOUR,
    }
    vis_js, view_js = _asset(VIS_DIR + "/vis-network.min.js"), _static("view.js")
    heading = title if title == sub.title else f"{title} · {sub.title}"
    slots = {
        "CSP": _csp(vis_js, view_js),
        "TITLE": html.escape(heading),
        "HEADING": html.escape(heading),
        "NAV": " ".join(
            f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
            for href, text in (nav or {}).items()
        ),
        "BODY_CLASS": "kg-view",
        "N_NODES": str(len(sub.nodes)),
        "SHOWING": html.escape(sub.showing),
        "NOTES": "\n".join(f'<p class="kg-subnote">{html.escape(n)}</p>' for n in sub.notes),
        "COLOUR_MODE": _colour_mode(sub),
        "LEGEND": legend_html(_kind_counts(sub.nodes)),
        "COMMUNITIES": community_legend_html(list(sub.communities)),
        "DATA": json_for_script(data),
        "VIS_CSS": _asset(VIS_DIR + "/vis-network.css"),
        "VIEW_CSS": _static("view.css"),
        "VIS_JS": vis_js,
        "VIEW_JS": view_js,
    }
    return _SLOT.sub(lambda m: slots[m.group(1)], _static("page.html"))


def build_network(sub: Subgraph) -> Network:
    """A pyvis Network holding the view's nodes, edges and vis-network options."""
    from pyvis.network import Network

    # directed=True skips pyvis's O(edges) duplicate check per edge; arrows are off below.
    net = Network(directed=True)
    for node in sub.nodes:
        net.add_node(
            node.id,
            label=node.label or " ",
            shape=style_of(node.kind).shape,
            color=_colour(node, "type"),
            size=node.size,
            font={"size": node.font_size, "color": "#222222"},
            borderWidth=4 if node.is_focus else 1,
        )
    for edge in sub.edges:
        net.add_edge(edge.source, edge.target, width=edge.width, title=edge.title, arrows="")
    # Assigned as a dict: pyvis's set_options() strips every space, even inside strings.
    net.options = vis_options(len(sub.nodes))
    return net


def vis_options(n_nodes: int) -> dict[str, Any]:
    """vis-network options: lay out with forceAtlas2 for a fixed number of steps, then stop."""
    is_big = n_nodes > BIG_VIEW
    return {
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -120,
                "centralGravity": 0.02,
                "springLength": 110,
                "springConstant": 0.05,
                "damping": 0.6,
                "avoidOverlap": 0.5,
            },
            "stabilization": {
                "enabled": True,
                "iterations": stabilization_iterations(n_nodes),
                "updateInterval": 25,
                "fit": True,
            },
            "minVelocity": 1.0,
        },
        "edges": {"smooth": False, "color": EDGE_COLOUR, "selectionWidth": 1.5},
        "nodes": {"borderWidthSelected": 3},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": is_big,
            "hideEdgesOnZoom": is_big,
        },
    }


def stabilization_iterations(n_nodes: int) -> int:
    """Layout steps: the full count up to BIG_VIEW nodes, then fewer so big views open in seconds.

    Example:
        >>> stabilization_iterations(500), stabilization_iterations(2000), stabilization_iterations(10_000)
        (200, 100, 40)
    """
    if n_nodes <= BIG_VIEW:
        return STABILIZATION_ITERATIONS
    return max(40, STABILIZATION_ITERATIONS * BIG_VIEW // n_nodes)


def json_for_script(value: object) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' appears literally.

    Example:
        >>> json_for_script({"t": "</script><!--"})
        '{"t":"\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _meta(node: VizNode) -> dict[str, Any]:
    colours = {"type": _colour(node, "type")}
    if node.community is not None:
        colours["community"] = _colour(node, "community")
    return {
        "kind": node.kind,
        "tip": node.tip.to_json(),
        "names": list(node.names),
        "url": node.url,
        "font_size": node.font_size,
        "colours": colours,
    }


def _colour(node: VizNode, mode: str) -> dict[str, Any]:
    st = style_of(node.kind)
    fill = community_colour(node.community or 0) if mode == "community" else st.colour
    border = "#000000" if node.is_focus else st.border
    return {
        "background": fill,
        "border": border,
        "highlight": {"background": fill, "border": "#111111"},
        "hover": {"background": fill, "border": "#111111"},
    }


def _kind_counts(nodes: Iterable[VizNode]) -> dict[str, int]:
    counts = Counter(n.kind for n in nodes)
    order = [*KIND_STYLES, *sorted(set(counts) - set(KIND_STYLES))]
    return {k: counts[k] for k in order if counts[k]}


def _colour_mode(sub: Subgraph) -> str:
    if not sub.communities:
        return ""
    return (
        '<div class="kg-mode">Colour by: '
        '<label><input type="radio" name="kg-colour" value="type" checked> type</label>'
        '<label><input type="radio" name="kg-colour" value="community"> community</label></div>'
    )


def _csp(*scripts: str) -> str:
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in scripts
    )
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


@cache
def _asset(name: str) -> str:
    """A file bundled with pyvis (vis-network 9.1.2), read once per process."""
    return files("pyvis").joinpath(name).read_text(encoding="utf-8")


@cache
def _static(name: str) -> str:
    return files("viz").joinpath("static", name).read_text(encoding="utf-8")


def _write(path: Path, text: str) -> Path:
    """Write `text` to `path` atomically: readers see the old file or the new one, never half."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TMP_PREFIX}{path.name}-")
    except OSError as err:
        raise BuildDirError(
            f"Cannot write {str(path)!r}: {err.strerror}. Pick a writable folder."
        ) from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise BuildDirError(
            f"Cannot write {str(path)!r}: {err.strerror}. Pick a writable folder."
        ) from err
    return path

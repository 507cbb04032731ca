"""index.html: links to the views and a corpus summary (papers, concepts per type, top concepts)."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from kg.model import ConceptType
from viz.select import ranked_concepts
from viz.style import PAPER, shape_svg, style_of
from viz.trending import CSS as TRENDING_CSS
from viz.trending import trending_html

if TYPE_CHECKING:
    from kg.graph import ConceptNode
    from viz.graphview import GraphView
    from viz.subgraph import Subgraph

N_TOP_PER_TYPE = 10

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 900px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; } h2 { font-size: 18px; margin-top: 28px; }
table { border-collapse: collapse; } td, th { padding: 3px 14px 3px 0; text-align: left; }
td.n, th.n { text-align: right; } .muted { color: #666; }
.views a { font-size: 17px; font-weight: 600; }
.tops { display: flex; flex-wrap: wrap; gap: 4px 28px; } .top { min-width: 250px; }
.top h3 { font-size: 15px; margin: 10px 0 2px; } .top ol { margin: 0; padding-left: 22px; }
"""


def index_html(
    G: GraphView,
    *,
    title: str,
    views: Mapping[str, Subgraph],
    atlas: str | None = None,
    pages: Mapping[str, str] | None = None,
) -> str:
    """The summary page: counts, links to the atlas, each view (file name -> its content) and
    other pages (focus, query: file name -> title), then the top concepts."""
    kinds = Counter(str(c.type) for c in G.concepts)
    kinds[PAPER] = len(G.papers)
    n_concepts = len(G.concepts)
    n_links = G.n_links
    esc = html.escape
    parts = [
        f"<h1>{esc(title)}</h1>",
        f"<p>{kinds[PAPER]} papers · {n_concepts} concepts · {n_links} paper–concept links</p>",
        '<h2>Views</h2><ul class="views">',
        *(
            [
                f'<li><a href="{esc(atlas)}">Atlas</a> <span class="muted">(all {n_concepts} '
                "concepts on one map: search, filters, evidence)</span></li>"
            ]
            if atlas
            else []
        ),
        *(
            f'<li><a href="{esc(href)}">{esc(v.title)}</a> '
            f'<span class="muted">({esc(v.showing)})</span></li>'
            for href, v in views.items()
        ),
        "</ul>",
        _pages_list(pages or {}),
        "<h2>Concepts per type</h2><table>",
        *(_type_row(str(t), kinds[str(t)]) for t in ConceptType if kinds[str(t)]),
        "</table>",
        trending_html(G),
        _top_table(G),
    ]
    return _PAGE.format(title=esc(title), css=_CSS + TRENDING_CSS, body="\n".join(parts))


def _pages_list(pages: Mapping[str, str]) -> str:
    """Links to the focus and query pages written into the folder by `kg viz`."""
    if not pages:
        return ""
    items = "".join(
        f'<li><a href="{html.escape(href)}">{html.escape(text)}</a> '
        f'<span class="muted">({html.escape(href)})</span></li>'
        for href, text in pages.items()
    )
    return f'<h2>Other pages</h2><ul class="pages">{items}</ul>'


def _type_row(kind: str, n: int) -> str:
    st = style_of(kind)
    return f'<tr><td>{shape_svg(st.shape, st.colour, st.border)} {html.escape(kind)}</td><td class="n">{n}</td></tr>'


def _top_table(G: GraphView) -> str:
    """The most-mentioned concepts of each type, side by side; broad classes marked."""
    ranked = [G.concepts[i] for i in ranked_concepts(G)]
    if not ranked:
        return "<p class='muted'>No concepts extracted yet.</p>"
    columns = []
    for ctype in ConceptType:
        of_type = [c for c in ranked if c.type == ctype][:N_TOP_PER_TYPE]
        if not of_type:
            continue
        items = "\n".join(_top_item(c) for c in of_type)
        st = style_of(str(ctype))
        heading = f"{shape_svg(st.shape, st.colour, st.border)} {html.escape(str(ctype))}"
        columns.append(f'<div class="top"><h3>{heading}</h3><ol>{items}</ol></div>')
    note = '<p class="muted">* a broad class, such as "large language model"</p>'
    return f'<h2>Top concepts by type</h2><div class="tops">{"".join(columns)}</div>{note}'


def _top_item(c: ConceptNode) -> str:
    star = " *" if c.generic else ""
    return f'<li>{html.escape(str(c.name))}{star} <span class="muted">{c.paper_count}</span></li>'


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
img-src data:; base-uri 'none'; form-action 'none'">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
{body}
</body>
</html>
"""

"""Trends in the views: the index page's "Trending" section (rising, falling and new concepts
with inline SVG sparklines of their papers per period; no script, text escaped) and the
atlas's time data (drawn by viz/static/atlas.js)."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kg.trends import (
    MIN_PAPERS,
    ConceptTrend,
    NoDates,
    Period,
    Trends,
    trends_of_data,
)
from kg.trends_text import chance_note, q_text
from kg.vocab import concept_node

if TYPE_CHECKING:
    from viz.graphview import GraphView

N_TRENDING = 8  # concepts per list on the index page
SPARK_W, SPARK_H = 120, 22

CSS = """
.trend td { vertical-align: middle; } .trend .spark { display: block; }
.trends { display: flex; flex-wrap: wrap; gap: 4px 28px; } .trends > div { min-width: 400px; }
.trends h3 { font-size: 15px; margin: 10px 0 2px; }
"""


_KEPT: list[tuple[object, int, Trends | None]] = []  # inside kept_trends: (data, limit, trends)


@contextmanager
def kept_trends() -> Iterator[None]:
    """Within this, view_trends computes a graph's trends once (the atlas asks for every
    concept, the index for the first few: the same lists cut shorter), and forgets them after.
    """
    _KEPT.append((None, 0, None))
    try:
        yield
    finally:
        _KEPT.pop()


def view_trends(G: GraphView, *, limit: int = 10) -> Trends | None:
    """Trends of the graph the views draw (each list at most `limit` long), or None when no
    paper has a date."""
    if _KEPT:
        data, kept_limit, kept = _KEPT[-1]
        if data is G.data and kept_limit >= limit:
            return _cut(kept, limit)
    try:
        found: Trends | None = trends_of_data(G.data, limit=limit)
    except NoDates:
        found = None
    if _KEPT:
        _KEPT[-1] = (G.data, limit, found)
    return found


def _cut(found: Trends | None, limit: int) -> Trends | None:
    """`found` with each list cut to `limit` (compute_trends sorts them whole, then cuts)."""
    if found is None:
        return None
    return replace(
        found,
        rising=found.rising[:limit],
        falling=found.falling[:limit],
        new=found.new[:limit],
        top=found.top[:limit],
    )


def trending_html(G: GraphView, *, limit: int = N_TRENDING) -> str:
    """The section, or "" when no paper has a date."""
    found = view_trends(G, limit=limit)
    if found is None:
        return ""
    esc = html.escape
    periods = found.periods
    labels = [p.label for p in periods]
    start = labels.index(found.since)
    apart = f"; {found.n_undated} undated papers left out" if found.n_undated else ""
    apart += f"; {found.n_coarse} with a year only left out" if found.n_coarse else ""
    head = (
        f"<h2>Trending</h2><p class='muted'>Papers per {found.by}, {esc(_span(periods))} "
        f"{sparkline_svg([p.papers for p in periods], periods, what='papers')}<br>"
        f"Rising and falling: the share of papers naming a concept in "
        f"{esc(_span([p for p in periods[start:] if not p.partial]))} "
        f"({found.recent_papers} papers) against the {found.earlier_papers} papers before, "
        f"95% interval, at least {MIN_PAPERS} papers{esc(apart)}. {esc(chance_note(found))}; "
        "q is a concept's chance after comparing them all.</p>"
    )
    partial = [p.label for p in periods if p.partial]
    if partial:
        head += f"<p class='muted'>Partial, not compared: {esc(', '.join(partial))}.</p>"
    new_title = (
        f"New since {found.since} <small class='muted'>({found.n_new} concepts first "
        f"named then; in most papers first)</small>"
    )
    lists = [
        ("Rising", found.rising, "rising", start),
        ("Falling", found.falling, "falling", start),
        (new_title, found.new, "new", start),
    ]
    columns = "".join(
        f"<div><h3>{title}</h3>{_table(rows, periods, kind, at)}</div>"
        for title, rows, kind, at in lists
    )
    return f'{head}<div class="trends">{columns}</div>'


def _span(periods: Sequence[Period]) -> str:
    if not periods:
        return "none"
    first, last = periods[0].label, periods[-1].label
    return first if first == last else f"{first} … {last}"


def _table(rows: Sequence[ConceptTrend], periods: Sequence[Period], kind: str, start: int) -> str:
    if not rows:
        return "<p class='muted'>none</p>"
    esc = html.escape
    body = []
    for r in rows:
        if kind == "new":
            note = f"{sum(r.counts[start:])} papers"
        else:
            sign = "≥" if r.bound > 1 else "≤"
            note = (
                f"{100 * r.share_earlier:.1f}% → {100 * r.share_recent:.1f}% "
                f"({sign} ×{r.bound:.2f}, q {q_text(r.q)})"
            )
        star = " *" if r.generic else ""
        body.append(
            f"<tr><td>{esc(r.name)}{star} <span class='muted'>{esc(r.type)}</span></td>"
            f"<td class='n'>{esc(note)}</td><td>{sparkline_svg(r.counts, periods)}</td></tr>"
        )
    return f'<table class="trend {kind}">{"".join(body)}</table>'


def sparkline_svg(
    counts: Sequence[int], periods: Sequence[Period], *, what: str = "papers naming it"
) -> str:
    """Papers per period as a small inline SVG line; partial periods as open dots; the
    counts in its title (a tooltip).

    Example:
        >>> svg = sparkline_svg([0, 2], [Period("2026-01", 5), Period("2026-02", 5)])
        >>> svg.count("<title>"), "2026-02: 2" in svg
        (1, True)
    """
    n = len(counts)
    top = max(counts, default=0) or 1
    step = (SPARK_W - 4) / max(n - 1, 1)
    points = [(2 + i * step, SPARK_H - 2 - (SPARK_H - 4) * k / top) for i, k in enumerate(counts)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="#fff" stroke="#2f6db5"/>'
        for (x, y), p in zip(points, periods, strict=True)
        if p.partial
    )
    tip = html.escape(
        f"{what} per period: "
        + ", ".join(f"{p.label}: {k}" for p, k in zip(periods, counts, strict=True))
    )
    return (
        f'<svg class="spark" width="{SPARK_W}" height="{SPARK_H}" viewBox="0 0 {SPARK_W} '
        f'{SPARK_H}" role="img"><title>{tip}</title><polyline points="{line}" fill="none" '
        f'stroke="#2f6db5" stroke-width="1.5"/>{dots}</svg>'
    )


def time_data(
    G: GraphView, keys: Sequence[str], panel: Sequence[dict[str, Any]]
) -> dict[str, Any] | None:
    """For the atlas (concepts in the order of `keys`, their node keys): periods, papers per
    period, each concept's first period (-1: none) and trend bound (> 1 rising, < 1 falling,
    else 1), and in each panel its papers per period (concepts in two dated papers or more);
    None when no paper has a date."""
    found = view_trends(G, limit=max(1, len(keys)))
    if found is None:
        return None
    labels = [p.label for p in found.periods]
    where = {label: i for i, label in enumerate(labels)}
    rows = {concept_node(r.id): r for r in found.top}
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

"""Colour, shape and size per node kind (a ConceptType or Paper), and the legend built from them."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

PAPER = "Paper"


@dataclass(frozen=True, slots=True)
class KindStyle:
    """How nodes of one kind look: fill colour, border colour and vis-network shape."""

    colour: str
    border: str
    shape: str


# Tableau-10 hues (readable for most colour-blind readers) and one shape per kind, so the
# legend still works in greyscale. Papers are small grey squares: visibly not concepts.
KIND_STYLES: dict[str, KindStyle] = {
    "Method": KindStyle("#4e79a7", "#2f4b68", "dot"),
    "Model": KindStyle("#f28e2b", "#a65c12", "diamond"),
    "Dataset": KindStyle("#59a14f", "#36662f", "triangle"),
    "Benchmark": KindStyle("#e15759", "#9c2f31", "star"),
    "Task": KindStyle("#b07aa1", "#744d69", "triangleDown"),
    "Metric": KindStyle("#edc948", "#9c8220", "hexagon"),
    PAPER: KindStyle("#bab0ac", "#6f6763", "square"),
}
OTHER = KindStyle("#9d9d9d", "#5a5a5a", "dot")

COMMUNITY_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#ad494a",
)
SMALL_COMMUNITY = "#d0d0d0"


def style_of(kind: str) -> KindStyle:
    """Style of a node kind; kinds we do not know (from query rows) are grey dots.

    Example:
        >>> style_of("Dataset").shape, style_of("Something else").shape
        ('triangle', 'dot')
    """
    return KIND_STYLES.get(kind, OTHER)


def community_colour(rank: int) -> str:
    """Colour of the community ranked `rank` by size (0 = largest); small ones share grey.

    Example:
        >>> community_colour(0), community_colour(99)
        ('#1f77b4', '#d0d0d0')
    """
    return COMMUNITY_COLOURS[rank] if 0 <= rank < len(COMMUNITY_COLOURS) else SMALL_COMMUNITY


def node_size(n_papers: int, *, kind: str = "") -> float:
    """Node radius: papers are small and fixed; concepts grow with the square root of their papers.

    Example:
        >>> node_size(1), node_size(100), node_size(5, kind="Paper")
        (12.6, 45.0, 7.0)
    """
    if kind == PAPER:
        return 7.0
    return round(min(9.0 + 3.6 * math.sqrt(max(n_papers, 0)), 60.0), 1)


def font_size(n_papers: int, *, kind: str = "") -> int:
    """Label size: big concepts get bigger labels, paper labels only show when zoomed in.

    Example:
        >>> font_size(1), font_size(400), font_size(3, kind="Paper")
        (16, 32, 6)
    """
    if kind == PAPER:
        return 6
    return min(16 + int(2 * math.log2(max(n_papers, 1))), 32)


def edge_width(weight: int) -> float:
    """Edge width for a co-occurrence count: logarithmic so heavy pairs don't swamp the page.

    Example:
        >>> edge_width(1), edge_width(8)
        (1.0, 4.0)
    """
    return round(min(1.0 + math.log2(max(weight, 1)), 8.0), 2)


def shape_svg(shape: str, colour: str, border: str) -> str:
    """A 16 px inline SVG of a vis-network shape, for the legend (no external image)."""
    attrs = f'fill="{colour}" stroke="{border}" stroke-width="1.2"'
    if shape == "dot":
        body = f'<circle cx="8" cy="8" r="6" {attrs}/>'
    elif shape == "square":
        body = f'<rect x="2.5" y="2.5" width="11" height="11" {attrs}/>'
    else:
        body = f'<polygon points="{_polygon(shape)}" {attrs}/>'
    return f'<svg class="kg-shape" width="16" height="16" viewBox="0 0 16 16">{body}</svg>'


def _polygon(shape: str) -> str:
    pts: list[tuple[float, float]]
    if shape == "diamond":
        pts = [(8, 1), (15, 8), (8, 15), (1, 8)]
    elif shape == "triangle":
        pts = [(8, 1.5), (15, 14), (1, 14)]
    elif shape == "triangleDown":
        pts = [(1, 2), (15, 2), (8, 14.5)]
    elif shape == "hexagon":
        pts = [(8 + 7 * math.cos(a), 8 + 7 * math.sin(a)) for a in _angles(6, 0.0)]
    else:  # star
        pts = [
            (8 + r * math.cos(a), 8 + r * math.sin(a))
            for i, a in enumerate(_angles(10, -math.pi / 2))
            for r in [7.5 if i % 2 == 0 else 3.2]
        ]
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)


def _angles(n: int, start: float) -> list[float]:
    return [start + 2 * math.pi * i / n for i in range(n)]


def legend_html(counts: dict[str, int]) -> str:
    """Legend rows (shape, colour, kind, count), each with a checkbox that filters that kind."""
    rows = []
    for kind, n in counts.items():
        st = style_of(kind)
        k = html.escape(kind)
        rows.append(
            f'<label class="kg-legend-row"><input type="checkbox" class="kg-kind" '
            f'data-kind="{k}" checked> {shape_svg(st.shape, st.colour, st.border)} '
            f'<span>{k}</span> <span class="kg-count">{n}</span></label>'
        )
    return "\n".join(rows)


def community_legend_html(labels: list[str]) -> str:
    """Legend rows for communities (largest first), labelled by their biggest concepts."""
    rows = []
    for rank, label in enumerate(labels):
        colour = community_colour(rank)
        swatch = shape_svg("dot", colour, colour)
        text = html.escape(label)
        rows.append(f'<div class="kg-legend-row">{swatch} <span title="{text}">{text}</span></div>')
    return "\n".join(rows)

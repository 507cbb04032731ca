"""Trends in the views without a browser: the index page's Trending section (present, absent,
escaped) and the atlas's time data."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from kg.graph import graph_data
from kg.model import ConceptType, Entity, Extraction, Paper, Role, concept_key
from viz.atlas import atlas_html, page_data
from viz.graphview import GraphView
from viz.index import index_html

HOSTILE = '<img src=y onerror=alert(3)>Net</script>"'
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
# papers naming each concept per month (ten papers a month): HOSTILE rises, "Old Net" falls
SPEC = {HOSTILE: [0, 0, 0, 0, 5, 5], "Old Net": [3, 3, 3, 3, 0, 0], "Steady": [2] * 6}


def dated_graph(spec: dict[str, list[int]] = SPEC, *, dated: bool = True) -> GraphView:
    papers, extractions = [], []
    for i, month in enumerate(MONTHS):
        for k in range(10):
            pid = f"{month}-{k}"
            date = f"{month}-15" if dated else None
            papers.append(Paper(pid, f"Paper {pid}", "", 2026 if dated else None, date))
            names = [name for name, counts in spec.items() if k < counts[i]]
            entities = tuple(
                Entity(concept_key(n), n, ConceptType.MODEL, Role.USED, ()) for n in names
            )
            extractions.append(Extraction(pid, f"Paper {pid}", entities))
    return GraphView.of(graph_data(papers, extractions))


def _section(page: str) -> str:
    start = page.index("<h2>Trending</h2>")
    return page[start : page.index("<h2>", start + 5)]


def test_index_trending_lists_rising_falling_and_new() -> None:
    section = _section(index_html(dated_graph(), title="t", views={}))
    rising = section[section.index("<h3>Rising") : section.index("<h3>Falling")]
    falling = section[section.index("<h3>Falling") : section.index("<h3>New since 2026-05")]
    assert "&lt;img src=y" in rising
    assert "Old Net" in falling
    assert "0.0% → 50.0% (≥ ×5.21, q &lt;0.001)" in rising
    assert "Steady" not in rising + falling


def test_index_trending_says_how_many_would_move_by_chance() -> None:
    section = _section(index_html(dated_graph(), title="t", views={}))
    assert "3 concepts compared: 1 rise and 1 fall at 95% each" in section
    assert "2 with q ≤ 0.05" in section


def test_index_trending_sparkline_titles_give_the_counts() -> None:
    section = _section(index_html(dated_graph(), title="t", views={}))
    assert section.count('<svg class="spark"') == 1 + 1 + 1 + 1  # corpus, rising, falling, new
    assert "papers naming it per period: 2026-01: 3, 2026-02: 3, 2026-03: 3" in section


def test_index_trending_keeps_names_as_text() -> None:
    page = index_html(dated_graph(), title="t", views={})
    assert "&lt;img src=y onerror=alert(3)&gt;Net&lt;/script&gt;&quot;" in page
    assert "<img" not in page
    assert "<script" not in page


def test_index_without_dates_has_no_trending_section() -> None:
    page = index_html(dated_graph(dated=False), title="t", views={})
    assert "Trending" not in page
    assert "Top concepts by type" in page


def test_index_says_which_papers_are_undated() -> None:
    rows = dated_graph().data
    G = GraphView.of(replace(rows, papers=(*rows.papers, Paper("undated", "u", ""))))
    assert "1 undated papers left out" in _section(index_html(G, title="t", views={}))


# -- the atlas's time data ----------------------------------------------------------------------


def _atlas_data(G: GraphView) -> dict[str, Any]:
    return page_data(atlas_html(G, title="t"))


def test_atlas_carries_periods_and_each_concepts_first_period() -> None:
    data = _atlas_data(dated_graph())
    time = data["time"]
    assert isinstance(time, dict)
    assert time["periods"] == MONTHS
    assert time["papers"] == [10] * 6
    assert time["since"] == 4
    names = data["name"]
    assert isinstance(names, list)
    assert time["first"][names.index(HOSTILE)] == 4
    assert time["first"][names.index("Steady")] == 0


def test_atlas_marks_rising_and_falling_with_their_bound() -> None:
    data = _atlas_data(dated_graph())
    names, time = data["name"], data["time"]
    assert isinstance(names, list)
    assert isinstance(time, dict)
    assert time["trend"][names.index(HOSTILE)] == pytest.approx(5.2066, abs=1e-3)
    assert time["trend"][names.index("Old Net")] == pytest.approx(0.6403, abs=1e-3)
    assert time["trend"][names.index("Steady")] == 1


def test_atlas_panel_has_papers_per_period_of_a_concept() -> None:
    data = _atlas_data(dated_graph())
    names, panel = data["name"], data["panel"]
    assert isinstance(names, list)
    assert isinstance(panel, list)
    assert panel[names.index("Old Net")]["counts"] == [3, 3, 3, 3, 0, 0]


def test_atlas_of_an_undated_build_has_no_time_data() -> None:
    assert _atlas_data(dated_graph(dated=False))["time"] is None

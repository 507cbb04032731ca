"""viz.graphview: the compact graph the views draw from, and the atlas's backbone on arrays."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from kg.graph import CoOccursEdge, GraphData, MentionEdge, graph_data
from kg.model import Extraction, Paper, Role
from viz.atlas import strongest_per_node
from viz.graphview import GraphView
from viz.select import backbone


def test_each_mention_row_is_a_link_both_ways(graph: GraphData) -> None:
    view = GraphView.of(graph)
    from_papers = {
        (view.papers[p].id, view.concepts[c].id, role)
        for p in range(len(view.papers))
        for c, role in view.concepts_of(p)
    }
    from_concepts = {
        (view.papers[p].id, view.concepts[c].id, role)
        for c in range(len(view.concepts))
        for p, role in view.papers_of(c)
    }
    rows = {(m.paper_id, m.concept_id, str(m.role)) for m in graph.mentions}
    assert from_papers == from_concepts == rows
    assert view.n_links == len(graph.mentions)


def test_links_keep_the_order_of_the_mention_rows(graph: GraphData) -> None:
    view = GraphView.of(graph)
    for c, concept in enumerate(view.concepts):
        rows = [m.paper_id for m in graph.mentions if m.concept_id == concept.id]
        assert [view.papers[p].id for p, _ in view.papers_of(c)] == rows


def test_node_keys_name_papers_and_concepts(graph: GraphData) -> None:
    view = GraphView.of(graph)
    assert view.node(view.paper_key(1)) == ("paper", 1)
    assert view.node(view.concept_key(2)) == ("concept", 2)
    assert view.node("concept:no-such-concept") is None
    assert view.node(graph.concepts[0].id) is None  # a bare id is not a node key


def test_rows_naming_unknown_papers_or_concepts_are_left_out() -> None:
    data = graph_data([Paper("p1", "T", "A")], [Extraction("p1", "T", ())])
    ghost = GraphData(
        data.papers,
        data.concepts,
        (MentionEdge("p9", "lora", Role.USED, 1),),
        (CoOccursEdge("a", "b", 3),),
    )
    view = GraphView.of(ghost)
    assert view.n_links == 0
    assert list(view.co_occurs()) == []


def test_co_occurs_filters_by_weight(graph: GraphData) -> None:
    view = GraphView.of(graph)
    heavy = {(view.concepts[i].id, view.concepts[j].id) for i, j, _ in view.co_occurs(2)}
    assert heavy == {(e.source, e.target) for e in graph.co_occurs if e.weight >= 2}


def test_an_empty_graph_has_no_links() -> None:
    view = GraphView.of(graph_data([], []))
    assert (view.n_links, list(view.co_occurs())) == (0, [])


@given(
    st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(1, 4)),
        max_size=40,
        unique_by=lambda e: (min(e[0], e[1]), max(e[0], e[1])),
    ).map(lambda es: [(min(a, b), max(a, b), w) for a, b, w in es if a != b]),
    st.integers(1, 3),
)
def test_strongest_per_node_is_backbone_on_arrays(
    edges: list[tuple[int, int, int]], k: int
) -> None:
    want = backbone([(f"{a:02d}", f"{b:02d}", w) for a, b, w in edges], k)
    u, v, w = (np.array([e[n] for e in edges], dtype=np.int32) for n in range(3))
    got = [(f"{u[i]:02d}", f"{v[i]:02d}", int(w[i])) for i in strongest_per_node(u, v, w, k)]
    assert got == want

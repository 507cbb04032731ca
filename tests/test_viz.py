"""viz: the HTML views are written, complete, offline and safe (no browser; see test_viz_browser)."""

from __future__ import annotations

import base64
import doctest
import hashlib
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import BuildDirError
from kg.graph import concept_node, graph_data
from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role, concept_key
from viz.graphview import GraphView
from viz.html import json_for_script, render_focus, render_subgraph, render_views
from viz.select import FocusNotFound, select_concept_map, select_overview
from viz.style import KIND_STYLES, PAPER
from viz.subgraph import BadRows

HOSTILE_TITLE = (
    '<script>alert("t")</script> <img src=x onerror=alert(1)> "><svg onload=alert(2)> '
    "it's a href=javascript:alert(3) trap"
)
HOSTILE_CONCEPT = "<b onmouseover=alert(4)>Evil</b>Net"
RAW_ATTACKS = ["<script>alert", "<img src=x", "<svg onload", "<b onmouseover"]


def _cid(name: str) -> str:
    """View node key of the concept named `name` (views key concepts by id, not by name)."""
    return concept_node(concept_key(name))


def _entity(name: str, kind: ConceptType, role: Role = Role.USED, aliases=()) -> Entity:
    mention = Mention(text=name, start=0, end=len(name), field="abstract")
    return Entity(concept_key(name), name, kind, role, (mention,), aliases=tuple(aliases))


TRANSFORMER = _entity("Transformer", ConceptType.METHOD)
GLUE = _entity("GLUE", ConceptType.BENCHMARK)
PAPERS = [
    (
        Paper(
            "1706.03762",
            "Attention Is All You Need",
            "...",
            2017,
            url="https://arxiv.org/abs/1706.03762",
        ),
        [
            _entity("Transformer", ConceptType.METHOD, Role.PROPOSED),
            _entity("BLEU", ConceptType.METRIC),
            _entity("WMT 2014", ConceptType.DATASET),
        ],
    ),
    (
        Paper("1810.04805", "BERT: Pre-training of Deep Bidirectional Transformers", "...", 2018),
        [
            TRANSFORMER,
            _entity("BERT", ConceptType.MODEL, Role.PROPOSED),
            GLUE,
            _entity("Question Answering", ConceptType.TASK),
        ],
    ),
    (
        Paper("2106.09685", "LoRA: Low-Rank Adaptation of Large Language Models", "...", 2021),
        [_entity("LoRA", ConceptType.METHOD, aliases=["Low-Rank Adaptation"]), TRANSFORMER, GLUE],
    ),
    (
        Paper("6666.66666", HOSTILE_TITLE, "...", 2024, url="javascript:alert(5)"),
        [TRANSFORMER, _entity(HOSTILE_CONCEPT, ConceptType.MODEL)],
    ),
    (
        Paper("0000.00001", "An unrelated paper on protein folding", "...", 2020),
        [_entity("AlphaFold", ConceptType.MODEL)],
    ),
]


@pytest.fixture(scope="module")
def G() -> GraphView:
    papers = [p for p, _ in PAPERS]
    extractions = [Extraction(p.id, p.title, tuple(ents)) for p, ents in PAPERS]
    return GraphView.of(graph_data(papers, extractions))


def _all_keys(G: GraphView) -> set[str]:
    return {G.paper_key(i) for i in range(len(G.papers))} | {
        G.concept_key(i) for i in range(len(G.concepts))
    }


@pytest.fixture(scope="module")
def views(G: GraphView, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("views")
    paths = render_views(G, out, title="test corpus", min_weight=1)
    paths.append(render_focus(G, out / "focus.html", focus="Transformer"))
    return {p.name: p.read_text(encoding="utf-8") for p in paths}


def _data(page: str) -> dict:
    match = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', page, re.S)
    assert match, "no embedded graph data"
    return json.loads(match.group(1))


def _ids(page: str) -> set[str]:
    return {n["id"] for n in _data(page)["nodes"]}


def test_render_views_returns_the_four_pages(G: GraphView, tmp_path: Path) -> None:
    paths = render_views(G, tmp_path)
    assert [p.name for p in paths] == ["papers.html", "concepts.html", "atlas.html", "index.html"]
    assert all(p.stat().st_size > 0 for p in paths)


def test_render_views_of_an_empty_graph_still_writes_pages(tmp_path: Path) -> None:
    paths = render_views(GraphView.of(graph_data([], [])), tmp_path)
    assert [len(_ids(p.read_text(encoding="utf-8"))) for p in paths[:2]] == [0, 0]
    assert "No concepts extracted yet" in paths[3].read_text(encoding="utf-8")


def test_render_views_leaves_no_temporary_files(G: GraphView, tmp_path: Path) -> None:
    render_views(G, tmp_path)
    render_views(G, tmp_path)  # overwriting goes through a temp file too
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "atlas.html",
        "concepts.html",
        "index.html",
        "papers.html",
    ]


def test_render_views_into_a_file_raises_build_dir_error(G: GraphView, tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    with pytest.raises(BuildDirError, match="taken"):
        render_views(G, blocker)


def test_papers_view_embeds_every_node_of_a_small_graph(
    G: GraphView, views: dict[str, str]
) -> None:
    assert _ids(views["papers.html"]) == _all_keys(G)


def test_concepts_view_embeds_every_linked_concept(G: GraphView, views: dict[str, str]) -> None:
    linked = {G.concept_key(n) for i, j, _ in G.co_occurs() for n in (i, j)}
    assert _ids(views["concepts.html"]) == linked


@pytest.mark.parametrize("name", ["papers.html", "concepts.html", "focus.html"])
def test_view_edges_and_hover_data_cover_shown_nodes(views: dict[str, str], name: str) -> None:
    data = _data(views[name])
    ids = _ids(views[name])
    assert set(data["meta"]) == ids
    assert {e["from"] for e in data["edges"]} | {e["to"] for e in data["edges"]} <= ids


@pytest.mark.parametrize("kind", [str(t) for t in ConceptType] + [PAPER])
def test_papers_view_legend_lists_each_kind(views: dict[str, str], kind: str) -> None:
    assert f'data-kind="{kind}"' in views["papers.html"]


@pytest.mark.parametrize("kind", [str(t) for t in ConceptType])
def test_concept_shapes_differ_from_paper_shape(kind: str) -> None:
    assert KIND_STYLES[kind].shape != KIND_STYLES[PAPER].shape


@pytest.mark.parametrize("name", ["papers.html", "concepts.html", "index.html", "focus.html"])
def test_view_loads_nothing_from_the_network(views: dict[str, str], name: str) -> None:
    page = views[name]
    assert not re.search(r"<(script|img|iframe)[^>]*\ssrc\s*=", page, re.I)
    assert not re.search(r"<link[^>]*\shref\s*=", page, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "default-src 'none'" in page


@pytest.mark.parametrize("name", ["papers.html", "concepts.html", "focus.html"])
def test_view_csp_allows_exactly_its_inline_scripts(views: dict[str, str], name: str) -> None:
    page = views[name]
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    hashes = {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts}
    assert len(scripts) == 2
    assert hashes == allowed


@pytest.mark.parametrize("name", ["papers.html", "concepts.html", "index.html", "focus.html"])
@pytest.mark.parametrize("attack", RAW_ATTACKS)
def test_view_never_contains_hostile_markup_raw(
    views: dict[str, str], name: str, attack: str
) -> None:
    assert attack not in views[name]


def test_hostile_title_survives_as_text_in_the_data(views: dict[str, str]) -> None:
    meta = _data(views["papers.html"])["meta"]
    assert meta["paper:6666.66666"]["tip"]["head"] == HOSTILE_TITLE


def test_javascript_url_is_not_kept(views: dict[str, str]) -> None:
    meta = _data(views["papers.html"])["meta"]
    assert meta["paper:6666.66666"]["url"] is None
    assert meta["paper:1706.03762"]["url"] == "https://arxiv.org/abs/1706.03762"


@pytest.mark.parametrize("text", ["</script><script>alert(1)</script>", "<!--", "a & b > c"])
def test_json_for_script_has_no_markup_characters(text: str) -> None:
    encoded = json_for_script({"title": text})
    assert not set("<>&") & set(encoded)
    assert json.loads(encoded) == {"title": text}


def test_papers_view_shows_the_cap_note(G: GraphView, tmp_path: Path) -> None:
    page = render_views(G, tmp_path, max_nodes=4)[0].read_text(encoding="utf-8")
    assert f"showing 4 of {len(_all_keys(G))} nodes" in page
    assert len(_ids(page)) == 4


def test_overview_keeps_top_concepts_and_their_papers(G: GraphView) -> None:
    sub = select_overview(G, max_nodes=4)
    assert next(n.id for n in sub.nodes) == _cid("Transformer")
    assert all(n.kind == PAPER for n in sub.nodes[1:])


def test_concept_map_drops_links_below_min_weight(G: GraphView) -> None:
    sub = select_concept_map(G, max_nodes=100, min_weight=2)
    assert {(e.source, e.target) for e in sub.edges} == {(_cid("GLUE"), _cid("Transformer"))}
    assert sub.showing == f"showing 2 of {len(G.concepts)} concepts"


def test_concept_map_gives_each_concept_a_community(G: GraphView) -> None:
    sub = select_concept_map(G, max_nodes=100, min_weight=1)
    assert all(n.community is not None for n in sub.nodes)
    assert sub.communities


def test_focus_view_holds_the_two_hop_neighbourhood(G: GraphView, views: dict[str, str]) -> None:
    ids = _ids(views["focus.html"])
    assert {"paper:2106.09685", _cid("LoRA"), _cid("BERT"), _cid(HOSTILE_CONCEPT)} <= ids
    assert _cid("AlphaFold") not in ids


@pytest.mark.parametrize(
    ("focus", "key"),
    [
        ("low-rank adaptation", "concept:lora"),
        ("lora", "concept:lora"),
        ("2106.09685", "paper:2106.09685"),
        ("attention is all you need", "paper:1706.03762"),
    ],
)
def test_focus_finds_node_by_alias_id_or_title(
    G: GraphView, tmp_path: Path, focus: str, key: str
) -> None:
    page = render_focus(G, tmp_path / "f.html", focus=focus, depth=1).read_text(encoding="utf-8")
    assert key in _ids(page)
    assert next(n for n in _data(page)["nodes"] if n["id"] == key)["borderWidth"] == 4


def test_focus_on_unknown_name_suggests_close_ones(G: GraphView, tmp_path: Path) -> None:
    with pytest.raises(FocusNotFound, match="Did you mean 'Transformer'"):
        render_focus(G, tmp_path / "f.html", focus="Transfomer")


def test_index_summarises_the_corpus(views: dict[str, str]) -> None:
    page = views["index.html"]
    assert f"{len(PAPERS)} papers" in page
    assert '<a href="papers.html">' in page
    assert '<a href="concepts.html">' in page
    assert "<li>Transformer <span" in page  # top concepts listed per type
    assert "&lt;b onmouseover=alert(4)&gt;Evil&lt;/b&gt;Net" in page


ROWS = [
    {"id": "method:lora", "name": "LoRA", "kind": "Concept", "type": "Method", "paper_count": 3},
    {"id": "p1", "title": HOSTILE_TITLE, "kind": "Paper", "url": "https://arxiv.org/abs/1"},
]


def test_render_subgraph_draws_query_rows(tmp_path: Path) -> None:
    edges = [{"source": "p1", "target": "method:lora", "type": "MENTIONS"}]
    page = render_subgraph(ROWS, edges, tmp_path / "q.html", title="<i>q</i>").read_text(
        encoding="utf-8"
    )
    assert _ids(page) == {"method:lora", "p1"}
    assert _data(page)["edges"][0]["title"] == "MENTIONS"
    assert "<title>&lt;i&gt;q&lt;/i&gt;</title>" in page


@pytest.mark.parametrize(
    ("edge", "message"),
    [
        ({"source": "p1", "target": "nowhere"}, "'nowhere'"),
        ({"type": "MENTIONS"}, "no source/target"),
    ],
)
def test_render_subgraph_rejects_bad_edges(tmp_path: Path, edge: dict, message: str) -> None:
    with pytest.raises(BadRows, match=message):
        render_subgraph(ROWS, [edge], tmp_path / "q.html", title="q")


def test_import_viz_html_does_not_import_pyvis() -> None:
    code = "import sys, viz.html; print('pyvis' in sys.modules)"
    assert (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        == "False\n"
    )


@pytest.mark.parametrize(
    "module",
    ["viz.style", "viz.subgraph", "viz.select", "viz.html", "viz.synthetic", "viz.graphview"],
)
def test_viz_doctests_pass(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0


def test_overview_puts_broad_classes_after_specific_concepts():
    from kg.graph import graph_data
    from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role
    from viz.select import select_overview

    def ent(name, generic=False):
        return Entity(
            name.lower(),
            name,
            ConceptType.MODEL,
            Role.USED,
            (Mention(name, 0, len(name), "abstract"),),
            generic=generic,
        )

    papers = [Paper(f"p{i}", f"T{i}", "a") for i in range(3)]
    exts = [
        Extraction(p.id, p.title, (ent("LLM", generic=True), ent(f"M{i}")))
        for i, p in enumerate(papers)
    ]
    sub = select_overview(GraphView.of(graph_data(papers, exts)), max_nodes=8)
    shown = [n.id for n in sub.nodes if n.id.startswith("concept:")]
    assert "concept:llm" not in shown

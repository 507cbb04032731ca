"""The atlas page without a browser: every concept placed, links capped, evidence, CSP, escaping."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from kg.graph import GraphData, graph_data
from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role, concept_key
from viz.atlas import LINKS_PER_CONCEPT, atlas_data, atlas_html, page_data
from viz.graphview import GraphView
from viz.html import render_views
from viz.layout import force_layout
from viz.select import concept_keys

HOSTILE_NAME = "<img src=y onerror=alert(3)>Net</script>"
HOSTILE_TITLE = '<script>alert("t")</script>"><svg onload=alert(2)> & a href trap'


def _data(html_text: str) -> dict[str, Any]:
    """The page's data blocks (the map's, the panels' unpacked on first use) as one."""
    return page_data(html_text)


@pytest.fixture
def view(graph: GraphData) -> GraphView:
    return GraphView.of(graph)


@pytest.fixture
def hostile() -> tuple[GraphView, list[Extraction]]:
    text = f"We train {HOSTILE_NAME} on ImageNet. It works."
    start = text.index(HOSTILE_NAME)
    mention = Mention(HOSTILE_NAME, start, start + len(HOSTILE_NAME), "abstract")
    entities = (
        Entity(concept_key(HOSTILE_NAME), HOSTILE_NAME, ConceptType.MODEL, Role.USED, (mention,)),
        Entity("imagenet", "ImageNet", ConceptType.DATASET, Role.USED, ()),
    )
    paper = Paper("x1", HOSTILE_TITLE, text, 2024, url="javascript:alert(4)")
    extractions = [Extraction("x1", HOSTILE_TITLE, entities)]
    return GraphView.of(graph_data([paper], extractions)), extractions


def test_atlas_places_every_concept(view: GraphView) -> None:
    data = atlas_data(view)
    assert data["key"] == concept_keys(view)
    assert len(data["x"]) == len(data["y"]) == len(data["key"])
    assert all(math.isfinite(v) and abs(v) <= 1.0 + 1e-9 for v in [*data["x"], *data["y"]])


def test_atlas_positions_are_deterministic(view: GraphView) -> None:
    first, second = atlas_data(view), atlas_data(view)
    assert (first["x"], first["y"]) == (second["x"], second["y"])


def test_atlas_keeps_each_concepts_strongest_links_only(graph: GraphData) -> None:
    data = atlas_data(GraphView.of(graph))
    links = data["links"]
    assert isinstance(links, list)
    assert len(links) % 3 == 0
    pairs = {(links[i], links[i + 1]) for i in range(0, len(links), 3)}
    assert len(pairs) <= min(len(graph.co_occurs), LINKS_PER_CONCEPT * len(graph.concepts))
    assert pairs  # the fixture has co-occurrences


def test_layout_puts_linked_nodes_closer_than_unlinked() -> None:
    clique_a = [(i, j, 3.0) for i in range(10) for j in range(i + 1, 10)]
    clique_b = [(i + 10, j + 10, 3.0) for i in range(10) for j in range(i + 1, 10)]
    pos = force_layout(20, [*clique_a, *clique_b, (0, 10, 1.0)], iterations=100)

    def mean_distance(pairs: list[tuple[int, int]]) -> float:
        return sum(math.dist(pos[i], pos[j]) for i, j in pairs) / len(pairs)

    inside = [(i, j) for i in range(10) for j in range(i + 1, 10)]
    across = [(i, j + 10) for i in range(10) for j in range(10)]
    assert mean_distance(inside) < mean_distance(across) / 2


def test_layout_of_nothing_and_of_one_node() -> None:
    assert force_layout(0, []) == []
    assert len(force_layout(1, [])) == 1


def test_atlas_panel_lists_papers_newest_first_with_roles(view: GraphView) -> None:
    data = atlas_data(view)
    i = data["key"].index("concept:transformer")
    papers = [data["papers"][row[0]] for row in data["panel"][i]["papers"]]
    assert [p[0] for p in papers] == ["p02", "p01", "p07"]  # 2018, 2017, no year
    assert [row[1] for row in data["panel"][i]["papers"]] == [1, 0, 1]  # used, proposed, used


def test_atlas_evidence_is_the_sentence_of_the_newest_paper(
    view: GraphView, extractions: tuple[Extraction, ...]
) -> None:
    data = atlas_data(view, extractions=lambda: extractions)
    i = data["key"].index("concept:bert")
    [(paper_id, source, sentence)] = data["panel"][i]["evidence"]
    assert paper_id == "p03"  # RoBERTa (2019) is newer than BERT (2018)
    assert data["panel"][i]["votes"] == [["Model", "pattern", 2]]  # as kg explain counts them
    assert sentence == "RoBERTa retrains BERT for longer and improves GLUE and SQuAD."
    assert source


def test_atlas_csp_allows_exactly_its_inline_scripts(view: GraphView) -> None:
    page = atlas_html(view, title="t")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp is not None
    assert "default-src 'none'" in csp.group(1)
    assert "connect-src" not in csp.group(1)
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 3  # graphology, sigma, atlas.js
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp.group(1)


def test_atlas_loads_nothing_from_the_network(view: GraphView) -> None:
    page = atlas_html(view, title="t")
    assert not re.search(r"""<(script|link|img|iframe)[^>]*(src|href)=["']?https?:""", page)


def test_atlas_hostile_text_only_travels_as_escaped_json(
    hostile: tuple[GraphView, list[Extraction]],
) -> None:
    G, extractions = hostile
    page = atlas_html(G, title='<b>"kg"</b>', extractions=lambda: extractions)
    for raw in ("<img src=y", "<svg onload", "<b>"):
        assert raw not in page
    data = _data(page)
    assert HOSTILE_NAME in data["name"]
    assert data["papers"][0][1] == HOSTILE_TITLE
    assert data["papers"][0][3] is None  # the javascript: URL is dropped
    i = data["name"].index(HOSTILE_NAME)
    assert data["panel"][i]["evidence"][0][2] == f"We train {HOSTILE_NAME} on ImageNet."


def test_atlas_blocks_join_back_into_the_atlas_data(
    view: GraphView, monkeypatch: pytest.MonkeyPatch
) -> None:
    import viz.atlas

    for name in ("FIRST_ALL", "REST_CHUNK", "LINK_CHUNK", "PANEL_CHUNK"):
        monkeypatch.setattr(viz.atlas, name, {"FIRST_ALL": 0}.get(name, 2))  # many blocks
    page = atlas_html(view, title="t")
    blocks = viz.atlas.page_blocks(page)
    assert len([b for b in blocks if b.startswith("kg-rest-")]) > 1
    assert len([b for b in blocks if b.startswith("kg-panel-")]) > 2
    joined = _data(page)
    expected = atlas_data(view)
    assert {k: joined[k] for k in expected} == expected
    first = blocks["kg-data"]
    assert len(first["key"]) == first["n_first"] < len(expected["key"])


def test_atlas_first_block_holds_the_drawn_links_between_the_first_concepts(
    view: GraphView, monkeypatch: pytest.MonkeyPatch
) -> None:
    import viz.atlas

    monkeypatch.setattr(viz.atlas, "FIRST_ALL", 0)
    monkeypatch.setattr(viz.atlas, "MAX_DRAWN_LINKS", 3)
    data = viz.atlas.page_blocks(atlas_html(view, title="t"))["kg-data"]
    links, nf = atlas_data(view)["links"], data["n_first"]
    rows = [links[k : k + 3] for k in range(0, len(links), 3)]
    between = [v for row in rows if row[0] < nf and row[1] < nf for v in row]
    assert data["first_links"] == between[: 3 * data["n_drawn"]]
    assert data["first_links"]


def test_atlas_of_an_empty_graph_is_a_page(tmp_path: Path) -> None:
    page = atlas_html(GraphView.of(graph_data([], [])), title="empty")
    assert _data(page)["key"] == []


def test_index_links_atlas_and_pages_in_the_folder(view: GraphView, tmp_path: Path) -> None:
    (tmp_path / "focus-lora.html").write_text("<title>kg · Around LoRA &amp; co</title>")
    (tmp_path / "query.html").write_text("<html><title>Query: MATCH p</title></html>")
    render_views(view, tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for href in ("atlas.html", "papers.html", "concepts.html", "focus-lora.html", "query.html"):
        assert f'href="{href}"' in index
    assert "Around LoRA &amp; co" in index  # the page's own title, escaped again


@pytest.mark.parametrize("name", ["papers.html", "concepts.html", "atlas.html"])
def test_every_view_links_back_to_the_index(view: GraphView, tmp_path: Path, name: str) -> None:
    render_views(view, tmp_path)
    assert '<a href="index.html">Summary</a>' in (tmp_path / name).read_text(encoding="utf-8")


def test_focus_page_links_back_to_the_index(view: GraphView, tmp_path: Path) -> None:
    from viz.html import render_focus

    page = render_focus(view, tmp_path / "focus-bert.html", focus="BERT")
    assert '<a href="index.html">Summary</a>' in page.read_text(encoding="utf-8")


def test_atlas_draws_at_most_max_drawn_links(
    graph: GraphData, monkeypatch: pytest.MonkeyPatch
) -> None:
    import viz.atlas

    monkeypatch.setattr(viz.atlas, "MAX_DRAWN_LINKS", 3)
    data = atlas_data(GraphView.of(graph))
    assert data["n_drawn"] == 3
    assert len(data["links"]) > 3 * 3  # every kept link is still there for the panel


def test_atlas_of_a_small_build_draws_every_concept_first(view: GraphView) -> None:
    data = atlas_data(view)
    assert data["n_first"] == len(data["key"])


@pytest.mark.parametrize("first_max", [1_000, 1])
def test_atlas_of_a_big_build_draws_the_concepts_of_two_papers_first(
    graph: GraphData, monkeypatch: pytest.MonkeyPatch, first_max: int
) -> None:
    import viz.atlas

    monkeypatch.setattr(viz.atlas, "FIRST_ALL", 0)
    monkeypatch.setattr(viz.atlas, "FIRST_MAX", first_max)
    data = atlas_data(GraphView.of(graph))
    counts, n_first = data["count"], data["n_first"]
    assert n_first == min(sum(n >= 2 for n in counts), first_max)
    assert min(counts[:n_first]) >= 2 > min(counts[n_first:])  # most papers first


def test_build_writes_the_atlas_into_the_folder_and_manifest(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kg.cli import app

    source = tmp_path / "papers.jsonl"
    rows = [
        {
            "id": "1",
            "title": "LoRA for BERT",
            "abstract": "We apply LoRA to BERT on GLUE.",
            "year": 2023,
        },
        {"id": "2", "title": "More BERT", "abstract": "BERT on SQuAD with LoRA.", "year": 2024},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(source), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    page = (out / "atlas.html").read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]["atlas.html"] == hashlib.sha256(page.encode()).hexdigest()
    assert "BERT" in _data(page)["name"]
    assert any(box["evidence"] for box in _data(page)["panel"])  # sentences from extractions.jsonl

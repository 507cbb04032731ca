"""Finding things: concepts by name or alias, papers by id, title or a title's start, ranked search,
"did you mean" for names that do not exist, and kg search / kg open / kg query on a build."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.graph import GraphData
from kg.model import Paper
from kg.search import (
    Ambiguous,
    NotFound,
    find_concept,
    find_paper,
    search_concepts,
    search_papers,
)

runner = CliRunner()


@pytest.mark.parametrize("name", ["Transformer", "transformer", "TRANSFORMER"])
def test_find_concept_by_name_any_case(graph: GraphData, name: str) -> None:
    assert find_concept(graph.concepts, name).id == "transformer"


@pytest.mark.parametrize(("alias", "concept_id"), [("DPO", "direct-preference-optimization")])
def test_find_concept_by_alias(graph: GraphData, alias: str, concept_id: str) -> None:
    assert find_concept(graph.concepts, alias).id == concept_id


def test_find_concept_unknown_says_did_you_mean(graph: GraphData) -> None:
    with pytest.raises(NotFound, match=r"^no concept named 'Resnet-5'; did you mean 'ResNet'"):
        find_concept(graph.concepts, "Resnet-5")


def test_find_concept_unknown_without_close_names_has_no_hint(graph: GraphData) -> None:
    with pytest.raises(NotFound) as err:
        find_concept(graph.concepts, "qqqqqqqq")
    assert "did you mean" not in str(err.value)


@pytest.mark.parametrize(
    "text", ["p01", "Attention Is All You Need", "attention is all you need", "Attention Is"]
)
def test_find_paper_by_id_title_or_unique_start(papers: tuple[Paper, ...], text: str) -> None:
    assert find_paper(papers, text).id == "p01"


def test_find_paper_shared_title_start_is_ambiguous(papers: tuple[Paper, ...]) -> None:
    with pytest.raises(Ambiguous, match=r"^4 papers have a title starting 'A': 'Adam: "):
        find_paper(papers, "A")  # Adam, Aligning, An Image, Attention


def test_find_paper_unknown_suggests_titles(papers: tuple[Paper, ...]) -> None:
    with pytest.raises(NotFound, match=r"did you mean 'Attention Is All You Need'"):
        find_paper(papers, "Atention Is All You Need")


def test_search_concepts_ranks_exact_before_prefix_before_part(graph: GraphData) -> None:
    labels = [h.label for h in search_concepts(graph.concepts, "bert")]
    assert labels[0] == "BERT"
    assert "RoBERTa" in labels[1:]


def test_search_concepts_matches_aliases(graph: GraphData) -> None:
    assert [h.id for h in search_concepts(graph.concepts, "RLHF")] == [
        "reinforcement-learning-from-human-feedback"
    ]


def test_search_papers_ranks_by_words_held(papers: tuple[Paper, ...]) -> None:
    hits = search_papers(papers, "Llama DPO")
    assert [h.id for h in hits][:1] == ["p05"]  # the only one holding both words
    assert {h.id for h in hits} == {"p04", "p05", "p06"}


def test_search_papers_title_phrase_first(papers: tuple[Paper, ...]) -> None:
    assert search_papers(papers, "direct preference optimization")[0].id == "p04"


def test_search_papers_nothing_for_unknown_words(papers: tuple[Paper, ...]) -> None:
    assert search_papers(papers, "zzzz qqqq") == []


PAPERS = [
    {
        "id": "2401.00001",
        "title": "Zorblax: A Simple Method for Fast Decoding",
        "abstract": "We propose Zorblax, a decoding method. We fine-tune BERT on the SQuAD dataset.",
        "year": 2024,
    },
    {
        "id": "2401.00002",
        "title": "Adapting BERT with Low-Rank Adaptation",
        "abstract": "We apply Low-Rank Adaptation (LoRA) to BERT and evaluate on GLUE.",
        "year": 2023,
    },
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("search")
    source = folder / "papers.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    out = folder / "out"
    result = runner.invoke(app, ["build", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_cli_search_lists_concepts_and_papers(built: Path) -> None:
    result = runner.invoke(app, ["search", str(built), "low-rank"])
    assert result.exit_code == 0, result.output
    concepts, papers = result.output.split("papers:")
    assert "Low-Rank Adaptation" in concepts
    assert "Adapting BERT with Low-Rank Adaptation" in papers


def test_cli_search_json(built: Path) -> None:
    hits = json.loads(runner.invoke(app, ["search", str(built), "zorblax", "--json"]).output)
    assert [h["id"] for h in hits["concepts"]] == ["zorblax"]
    assert [h["id"] for h in hits["papers"]] == ["2401.00001"]


def test_cli_query_takes_a_paper_by_title_start(built: Path) -> None:
    args = ["query", str(built), "--name", "related-papers", "--json"]
    by_id = runner.invoke(app, [*args, "--param", "paper=2401.00001"])
    by_title = runner.invoke(app, [*args, "--param", "paper=Zorblax: A Simple"])
    assert by_title.exit_code == 0, by_title.output
    assert json.loads(by_title.output) == json.loads(by_id.output) != []


def test_cli_query_unknown_concept_says_did_you_mean(built: Path) -> None:
    result = runner.invoke(
        app, ["query", str(built), "--name", "papers-using", "--param", "concept=Zorblox"]
    )
    assert result.exit_code == 1
    assert "no concept named 'Zorblox'; did you mean 'Zorblax'?" in result.output


def test_cli_viz_focus_by_title_start_is_linked_from_the_index(built: Path) -> None:
    result = runner.invoke(app, ["viz", str(built), "--focus", "Adapting BERT"])
    assert result.exit_code == 0, result.output
    index = (built / "index.html").read_text(encoding="utf-8")
    assert 'href="focus-adapting-bert.html"' in index
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]["index.html"] == hashlib.sha256(index.encode()).hexdigest()


def _fake_browser(folder: Path, *, works: bool) -> Path:
    """A BROWSER command that records the URL it was given (and fails if not `works`)."""
    script = folder / ("browser-ok" if works else "browser-broken")
    log = folder / "opened.txt"
    script.write_text(f'#!/bin/sh\necho "$1" >> {log}\nexit {0 if works else 1}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_cli_open_starts_the_browser_on_the_index(built: Path, tmp_path: Path) -> None:
    env = {"BROWSER": str(_fake_browser(tmp_path, works=True))}
    result = runner.invoke(app, ["open", str(built)], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "opened.txt").read_text().strip() == (
        built / "index.html"
    ).resolve().as_uri()
    assert result.output.startswith("opened ")


def test_cli_open_prints_the_path_when_no_browser_starts(built: Path, tmp_path: Path) -> None:
    env = {"BROWSER": str(_fake_browser(tmp_path, works=False))}
    result = runner.invoke(app, ["open", str(built)], env=env)
    assert result.exit_code == 0
    assert result.output.strip().endswith(str((built / "index.html").resolve()))


def test_cli_open_without_a_desktop_prints_the_path(built: Path) -> None:
    env = {"BROWSER": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    result = runner.invoke(app, ["open", str(built)], env=env)
    assert "no browser to open it with" in result.output


def test_cli_open_a_folder_without_views_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["open", str(tmp_path)])
    assert result.exit_code == 1
    assert "no index.html" in result.output
    assert os.listdir(tmp_path) == []


def test_search_concepts_whole_name_beats_whole_alias_of_a_bigger_concept() -> None:
    from kg.graph import ConceptNode
    from kg.model import ConceptType

    big = ConceptNode(
        "low-rank-adaptation", "Low-Rank Adaptation", ConceptType.METHOD, ("LoRA",), 156
    )
    small = ConceptNode("lora", "LoRA", ConceptType.METHOD, (), 3)
    assert [h.id for h in search_concepts([big, small], "lora")] == ["lora", "low-rank-adaptation"]

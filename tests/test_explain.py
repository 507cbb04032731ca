"""kg explain: a concept's type votes, alias reasons, and evidence sentences that point into the text."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.explain import explain, sentence_span
from kg.graph import GraphData, graph_data
from kg.model import Extraction, Paper
from kg.search import NotFound

runner = CliRunner()

REAL = [
    Paper(
        "2401.00002",
        "Adapting BERT with Low-Rank Adaptation",
        "Large models are costly to tune, e.g. GPT-3 has 175B parameters. We apply Low-Rank "
        "Adaptation (LoRA) to BERT and evaluate on GLUE! LoRA is cheap. Results: Fig. 2 shows "
        "LoRA beats full tuning on GLUE.",
        2023,
    ),
    Paper("2401.00003", "Zorblax: Fast Decoding", "We propose Zorblax. Zorblax uses LoRA.", 2024),
]


@pytest.fixture(scope="module")
def real() -> tuple[GraphData, list[Extraction]]:
    """The papers above through the real extraction pipeline."""
    from extract.pipeline import extract_parallel

    extractions = list(extract_parallel(REAL))
    return graph_data(REAL, extractions), extractions


def _text(paper: Paper, field: str) -> str:
    return paper.title if field == "title" else paper.abstract


@pytest.mark.parametrize("name", ["LoRA", "BERT", "GLUE", "Zorblax"])
def test_explain_evidence_offsets_point_at_the_sentence(
    real: tuple[GraphData, list[Extraction]], name: str
) -> None:
    data, extractions = real
    found = explain(data, extractions, name)
    assert found.evidence
    for ev in found.evidence:
        text = _text(next(p for p in REAL if p.id == ev.paper_id), ev.field)
        assert text[ev.start : ev.end] == ev.text
        assert text[ev.sentence_start : ev.sentence_start + len(ev.sentence)] == ev.sentence
        assert ev.sentence_start <= ev.start < ev.end <= ev.sentence_start + len(ev.sentence)


def test_explain_sentence_is_only_the_mentions_sentence(
    real: tuple[GraphData, list[Extraction]],
) -> None:
    data, extractions = real
    sentences = {ev.paper_id: ev.sentence for ev in explain(data, extractions, "GLUE").evidence}
    assert sentences == {
        "2401.00002": "We apply Low-Rank Adaptation (LoRA) to BERT and evaluate on GLUE!"
    }


@pytest.mark.parametrize(
    ("text", "mention", "sentence"),
    [
        ("We use BERT, e.g. for QA. Then LoRA. End.", "LoRA", "Then LoRA."),
        ("Smith et al. (2020) made GLUE. Next.", "GLUE", "Smith et al. (2020) made GLUE."),
        ("One. Fig. 2 shows LoRA wins.", "LoRA", "Fig. 2 shows LoRA wins."),
        ("No full stop at the end with LoRA", "LoRA", "No full stop at the end with LoRA"),
        ('He said "LoRA works." Then BERT.', "LoRA", 'He said "LoRA works."'),
    ],
)
def test_sentence_span_cuts_at_sentence_ends_only(text: str, mention: str, sentence: str) -> None:
    start = text.index(mention)
    begin, end = sentence_span(text, start, start + len(mention))
    assert text[begin:end] == sentence


def test_explain_gives_type_votes_and_sources(real: tuple[GraphData, list[Extraction]]) -> None:
    data, extractions = real
    found = explain(data, extractions, "LoRA")
    assert found.type == "Method"
    assert sum(n for _, _, n in found.type_votes) == 2  # one vote per paper's entity
    assert {s for _, s, _ in found.type_votes} <= {
        e.source for x in extractions for e in x.entities
    }


def test_explain_alias_reason_for_a_joined_acronym(
    graph: GraphData, extractions: tuple[Extraction, ...]
) -> None:
    found = explain(graph, extractions, "DPO")  # p05 names only the acronym p04 defines
    assert found.name == "Direct Preference Optimization"
    assert "acronym defined by the long form elsewhere" in dict(found.aliases)["DPO"]
    assert {ev.paper_id for ev in found.evidence} == {"p04", "p05"}


def test_explain_newest_papers_first_and_limit(
    graph: GraphData, extractions: tuple[Extraction, ...]
) -> None:
    found = explain(graph, extractions, "Transformer", limit=2)
    assert [ev.paper_id for ev in found.evidence] == ["p02", "p01"]  # 2018, 2017; p07 has no year
    assert found.paper_count == 3


def test_explain_unknown_name_suggests_close_names(
    graph: GraphData, extractions: tuple[Extraction, ...]
) -> None:
    with pytest.raises(
        NotFound, match=r"no concept named 'Transformr'; did you mean 'Transformer'"
    ):
        explain(graph, extractions, "Transformr")


def test_cli_explain_prints_sentence_role_and_source(tmp_path, papers_jsonl) -> None:
    out = tmp_path / "out"
    assert (
        runner.invoke(app, ["build", str(papers_jsonl), "-o", str(out), "--no-views"]).exit_code
        == 0
    )
    result = runner.invoke(app, ["explain", str(out), "lora"])
    assert result.exit_code == 0, result.output
    assert "abstract 33-37: Zorblax uses LoRA." in result.output  # newest paper first
    assert "title 19-38: Adapting BERT with Low-Rank Adaptation" in result.output
    assert "  LoRA: " in result.output  # the alias and why it was merged


def test_cli_explain_json(tmp_path, papers_jsonl) -> None:
    out = tmp_path / "out"
    assert (
        runner.invoke(app, ["build", str(papers_jsonl), "-o", str(out), "--no-views"]).exit_code
        == 0
    )
    result = runner.invoke(app, ["explain", str(out), "Zorblax", "--json"])
    found = json.loads(result.output)
    assert found["name"] == "Zorblax"
    assert found["evidence"][0]["role"] == "proposed"
    assert found["evidence"][0]["source"]


def test_cli_explain_unknown_name_exits_1_with_a_hint(tmp_path, papers_jsonl) -> None:
    out = tmp_path / "out"
    assert (
        runner.invoke(app, ["build", str(papers_jsonl), "-o", str(out), "--no-views"]).exit_code
        == 0
    )
    result = runner.invoke(app, ["explain", str(out), "Zorblox"])
    assert result.exit_code == 1
    assert "did you mean 'Zorblax'" in result.output


@pytest.fixture
def papers_jsonl(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps(p.to_json()) + "\n" for p in REAL), encoding="utf-8")
    return path

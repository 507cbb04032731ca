"""The kg command line, through typer's CliRunner: one happy path per command and the error exits."""

import json
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()

PAPERS = [
    {
        "id": "2401.00001",
        "title": "Zorblax: A Simple Method for Fast Decoding",
        "abstract": "We propose Zorblax, a decoding method. We fine-tune BERT on the SQuAD dataset "
        "and report F1.",
        "year": 2024,
    },
    {
        "id": "2401.00002",
        "title": "Adapting BERT with Low-Rank Adaptation",
        "abstract": "We apply Low-Rank Adaptation (LoRA) to BERT and evaluate on GLUE. LoRA is cheap.",
        "year": 2023,
    },
]


@pytest.fixture
def papers_file(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    return path


@pytest.fixture
def built(tmp_path, papers_file):
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(papers_file), "-o", str(out), "--no-views"])
    assert result.exit_code == 0, result.output
    return out


def test_cli_help_lists_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "extract", "stats", "query", "viz"):
        assert command in result.output


def test_cli_help_is_fast():
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", "--help"], check=True, capture_output=True)
    assert time.perf_counter() - start < 1.0


def test_cli_help_does_not_import_heavy_libraries():
    code = "import sys; import kg.cli; print(sorted(m for m in ('spacy','pyvis','ladybug','neo4j') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_cli_extract_writes_one_line_per_paper(tmp_path, papers_file):
    out = tmp_path / "ext.jsonl"
    result = runner.invoke(app, ["extract", str(papers_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["paper_id"] for line in lines] == ["2401.00001", "2401.00002"]
    names = {e["name"] for e in lines[0]["entities"]}
    assert {"Zorblax", "BERT"} <= names


def test_cli_build_writes_the_build_folder(built):
    for name in ("papers.jsonl", "extractions.jsonl", "graph.lbug", "manifest.json"):
        assert (built / name).exists()


def test_cli_stats_prints_counts_and_top_concepts(built):
    result = runner.invoke(app, ["stats", str(built)])
    assert result.exit_code == 0, result.output
    assert "papers: 2" in result.output
    assert "BERT" in result.output


def test_cli_query_prints_json_rows(built):
    cypher = "MATCH (p:Paper)-[:MENTIONS]->(c:Concept {name: $name}) RETURN p.id AS id ORDER BY id"
    result = runner.invoke(app, ["query", str(built), cypher, "--param", "name=BERT", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"id": "2401.00001"}, {"id": "2401.00002"}]


def test_cli_query_runs_a_named_query(built):
    result = runner.invoke(app, ["query", str(built), "--name", "top-concepts", "--csv"])
    assert result.exit_code == 0, result.output
    assert "BERT" in result.output


def test_cli_query_refuses_a_write_without_flag(built):
    result = runner.invoke(
        app, ["query", str(built), "CREATE (:Concept {name: 'x', type: 'Method'})"]
    )
    assert result.exit_code != 0
    assert "--write" in result.output


def test_cli_query_list_names_queries():
    result = runner.invoke(app, ["query", "--list"])
    assert result.exit_code == 0
    assert "top-concepts" in result.output


def test_cli_build_reports_missing_input_in_one_line(tmp_path):
    result = runner.invoke(app, ["build", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "nope.jsonl" in result.output
    assert "Traceback" not in result.output


def test_cli_stats_on_a_non_build_folder_says_how_to_build(tmp_path):
    result = runner.invoke(app, ["stats", str(tmp_path)])
    assert result.exit_code == 1
    assert "kg build" in result.output


def test_cli_build_refuses_output_under_a_file(tmp_path, papers_file):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["build", str(papers_file), "-o", str(blocker / "out")])
    assert result.exit_code == 1
    assert "is a file" in result.output


def test_cli_viz_writes_views(built):
    result = runner.invoke(app, ["viz", str(built)])
    assert result.exit_code == 0, result.output
    assert (built / "index.html").exists()


def test_cli_viz_focus_writes_neighbourhood(built):
    result = runner.invoke(app, ["viz", str(built), "--focus", "BERT", "--depth", "1"])
    assert result.exit_code == 0, result.output
    assert list(built.glob("focus-*.html"))


def test_cli_viz_query_draws_paths(built):
    cypher = "MATCH p=(a:Paper)-[:MENTIONS]->(c:Concept {name: 'BERT'}) RETURN p"
    result = runner.invoke(app, ["viz", str(built), "--query", cypher])
    assert result.exit_code == 0, result.output
    page = (built / "query.html").read_text(encoding="utf-8")
    assert "concept:bert" in page
    assert "paper:2401.00001" in page


def test_cli_viz_query_without_nodes_says_what_to_return(built):
    result = runner.invoke(app, ["viz", str(built), "--query", "MATCH (c:Concept) RETURN c.name"])
    assert result.exit_code == 1
    assert "return p" in result.output


def test_cli_evaluate_scores_roles(tmp_path):
    gold = tmp_path / "roles.jsonl"
    gold.write_text(
        json.dumps(
            {
                "id": "p",
                "title": "Zorblax: Fast Decoding",
                "abstract": "We propose Zorblax. We fine-tune BERT on SQuAD.",
                "entities": [
                    {"name": "Zorblax", "aliases": [], "type": "Method", "role": "proposed"},
                    {"name": "BERT", "aliases": [], "type": "Model", "role": "used"},
                ],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["evaluate", "--roles", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["accuracy"] == 1.0


def test_cli_viz_rewrites_views_and_keeps_the_manifest_true(built):
    import hashlib

    result = runner.invoke(app, ["viz", str(built), "--max-nodes", "5"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((built / "manifest.json").read_text())
    assert "papers.html" in manifest["files"]
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((built / name).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_extract_ner_without_a_model_says_how_to_get_one(
    tmp_path, papers_file, monkeypatch, jobs
):
    import extract.pipeline

    monkeypatch.setattr(extract.pipeline, "NER_DIR", tmp_path / "no-model")
    out = tmp_path / "e.jsonl"
    result = runner.invoke(
        app, ["extract", str(papers_file), "-o", str(out), "--ner", "--jobs", jobs]
    )
    assert result.exit_code == 1
    assert "leave out --ner" in result.output
    assert not out.exists()

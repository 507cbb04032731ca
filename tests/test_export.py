"""kg export: each format read back (networkx for GraphML/GEXF) equals the build's graph."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest
from test_stores import _hostile_graph

from kg.errors import KGError
from kg.export import ARRAY_DELIMITER, export, import_command
from kg.graph import GraphData, to_networkx
from kg.model import Paper
from kg.vocab import TABLES

LISTS = {name for t in TABLES for name, kind in t.properties if kind == "STRING[]"}
NEO4J_READERS = {"long": int, "boolean": lambda s: s == "true", "string[]": None}


def _clean_hostile() -> GraphData:
    """The hostile graph without what XML cannot hold (NUL); every other hostile text stays."""
    g = _hostile_graph()
    keep = [i for i, p in enumerate(g.papers) if "\x00" not in p.id]
    return replace(
        g,
        papers=tuple(g.papers[i] for i in keep),
        concepts=tuple(g.concepts[i] for i in keep),
        mentions=tuple(g.mentions[i] for i in keep),
    )


@pytest.fixture(params=["fixture", "hostile"])
def data(request: pytest.FixtureRequest, graph: GraphData) -> GraphData:
    return graph if request.param == "fixture" else _clean_hostile()


def _nodes(data: GraphData) -> dict[str, dict[str, object]]:
    """Expected node properties (nulls left out), keyed as the views key nodes."""
    G = to_networkx(data)
    return {k: {a: v for a, v in d.items() if v is not None} for k, d in G.nodes(data=True)}


def _edges(data: GraphData) -> dict[tuple[str, str], dict[str, object]]:
    return {(u, v): dict(d) for u, v, d in to_networkx(data).edges(data=True)}


def _decoded(attrs: dict[str, object], drop: tuple[str, ...] = ()) -> dict[str, object]:
    return {
        k: json.loads(v) if k in LISTS and isinstance(v, str) else v
        for k, v in attrs.items()
        if k not in drop
    }


# -- GraphML and GEXF through networkx ----------------------------------------------------------


def test_graphml_reads_back_equal(data: GraphData, tmp_path: Path) -> None:
    [path] = export(data, "graphml", tmp_path / "g.graphml")
    G = nx.read_graphml(path)
    assert {k: _decoded(d, drop=("label",)) for k, d in G.nodes(data=True)} == _nodes(data)
    assert {(u, v): dict(d) for u, v, d in G.edges(data=True)} == _edges(data)


def test_graphml_labels_nodes_for_gephi(graph: GraphData, tmp_path: Path) -> None:
    [path] = export(graph, "graphml", tmp_path / "g.graphml")
    G = nx.read_graphml(path)
    assert G.nodes["concept:bert"]["label"] == "BERT"
    assert G.nodes["paper:p01"]["label"] == "Attention Is All You Need"


def test_gexf_reads_back_equal(data: GraphData, tmp_path: Path) -> None:
    [path] = export(data, "gexf", tmp_path / "g.gexf")
    G = nx.read_gexf(path)
    nodes = {k: _decoded(d, drop=("label",)) for k, d in G.nodes(data=True)}
    assert nodes == _nodes(data)
    edges = {}
    for u, v, d in G.edges(data=True):
        attrs = {k: val for k, val in d.items() if k not in ("id", "label", "weight")}
        attrs["type"] = d["label"]
        if d["label"] == "CO_OCCURS":
            attrs["weight"] = int(d["weight"])
        edges[(u, v)] = attrs
    assert edges == _edges(data)


def test_xml_export_refuses_text_xml_cannot_hold(graph: GraphData, tmp_path: Path) -> None:
    bad = replace(graph, papers=(Paper("p00", "bell \x07", "a"), *graph.papers))
    with pytest.raises(KGError, match="paper:p00"):
        export(bad, "graphml", tmp_path / "g.graphml")
    assert list(tmp_path.iterdir()) == []


# -- JSON and plain CSV -------------------------------------------------------------------------


def test_json_reads_back_equal_with_nulls(data: GraphData, tmp_path: Path) -> None:
    [path] = export(data, "json", tmp_path / "g.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    nodes = {
        n["key"]: {k: v for k, v in n.items() if k not in ("key", "label")} for n in doc["nodes"]
    }
    expected = {
        k: {a: v for a, v in d.items() if a != "kind"}
        for k, d in to_networkx(data).nodes(data=True)
    }
    assert nodes == expected
    rels = {
        (r["source"], r["target"]): {k: v for k, v in r.items() if k not in ("source", "target")}
        for r in doc["relationships"]
    }
    assert rels == _edges(data)


def test_plain_csv_reads_back_equal(data: GraphData, tmp_path: Path) -> None:
    files = export(data, "csv", tmp_path / "out")
    assert sorted(p.name for p in files) == [
        "co_occurs.csv",
        "concepts.csv",
        "mentions.csv",
        "papers.csv",
    ]
    with (tmp_path / "out" / "papers.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_id = {r["id"]: r for r in rows}
    for paper in data.papers:
        row = by_id[paper.id]
        assert (row["title"], json.loads(row["authors"])) == (paper.title, list(paper.authors))


# -- neo4j-admin CSV ----------------------------------------------------------------------------


def _fields(text: str) -> list[list[tuple[str, bool]]]:
    """Records of (value, was_quoted) as neo4j-admin reads them (RFC 4180, multi-line fields)."""
    records, record, value, quoted, i = [], [], [], False, 0
    while i < len(text):
        c = text[i]
        if c == '"' and not value:
            quoted, end = True, i + 1
            while True:
                end = text.index('"', end)
                if text[end + 1 : end + 2] == '"':
                    end += 2
                    continue
                break
            value.append(text[i + 1 : end].replace('""', '"'))
            i = end + 1
            continue
        if c in ",\n":
            record.append(("".join(value), quoted))
            value, quoted = [], False
            if c == "\n":
                records.append(record)
                record = []
        else:
            value.append(c)
        i += 1
    return records


def _neo4j_rows(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8", newline="") as f:  # keep a CR inside a field
        header, *records = _fields(f.read())
    rows = []
    for record in records:
        row: dict[str, object] = {}
        for (name, _), (value, quoted) in zip(header, record, strict=True):
            prop, _, kind = name.partition(":")
            kind = kind.split("(")[0].lower()
            if not value and not quoted:
                continue  # null: no property
            if kind == "string[]":
                row[prop] = value.split(ARRAY_DELIMITER)
            elif kind in ("long", "boolean"):
                row[prop] = NEO4J_READERS[kind](value)
            else:
                row[prop or name] = value
        rows.append(row)
    return rows


def test_neo4j_csv_reads_back_equal(data: GraphData, tmp_path: Path) -> None:
    export(data, "neo4j-csv", tmp_path / "out")
    papers = {r["id"]: r for r in _neo4j_rows(tmp_path / "out" / "papers.csv")}
    for paper in data.papers:
        expected = {k: v for k, v in paper.to_json().items() if v not in (None, [])}
        assert papers[paper.id] == expected
    concepts = _neo4j_rows(tmp_path / "out" / "concepts.csv")
    assert [(c["id"], c[":LABEL"]) for c in concepts] == [
        (c.id, str(c.type)) for c in data.concepts
    ]
    mentions = [
        (m[":START_ID(Paper)"], m[":END_ID(Concept)"], m["role"], m["count"])
        for m in _neo4j_rows(tmp_path / "out" / "mentions.csv")
    ]
    assert mentions == [(m.paper_id, m.concept_id, str(m.role), m.count) for m in data.mentions]


def test_neo4j_csv_headers_are_neo4j_admin_headers(graph: GraphData, tmp_path: Path) -> None:
    export(graph, "neo4j-csv", tmp_path / "out")
    first = {
        p.name: p.read_text(encoding="utf-8").splitlines()[0]
        for p in (tmp_path / "out").glob("*.csv")
    }
    assert (
        first["papers.csv"]
        == "id:ID(Paper),title,abstract,year:long,date,url,authors:string[],categories:string[],sources:string[]"
    )
    assert (
        first["concepts.csv"]
        == "id:ID(Concept),name,type,aliases:string[],paper_count:long,merged:string[],generic:boolean,:LABEL"
    )
    assert first["mentions.csv"] == ":START_ID(Paper),:END_ID(Concept),role,count:long"
    assert first["co_occurs.csv"] == ":START_ID(Concept),:END_ID(Concept),weight:long"


def test_neo4j_csv_writes_the_import_command_beside_the_files(
    graph: GraphData, tmp_path: Path
) -> None:
    export(graph, "neo4j-csv", tmp_path / "out")
    script = (tmp_path / "out" / "import.sh").read_text(encoding="utf-8")
    assert import_command((tmp_path / "out").resolve()) in script
    assert "--nodes=Paper=" in script
    assert "--relationships=CO_OCCURS=" in script


def test_export_refuses_an_unknown_format(graph: GraphData, tmp_path: Path) -> None:
    with pytest.raises(KGError, match="graphml"):
        export(graph, "pajek", tmp_path / "g.net")


def test_export_cli_writes_graphml_of_a_build(tmp_path: Path, papers, extractions) -> None:
    from typer.testing import CliRunner

    from kg import corpus
    from kg.cli import app

    folder = tmp_path / "build"
    folder.mkdir()
    corpus.write_papers(folder / "papers.jsonl", papers)
    corpus.write_extractions(folder / "extractions.jsonl", extractions)
    out = tmp_path / "g.graphml"
    result = CliRunner().invoke(app, ["export", str(folder), "--format", "graphml", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(out).number_of_nodes() == len(papers) + 20

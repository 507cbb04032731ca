"""kg.vocab: one vocabulary for every store; cypher/schema.cypher declares exactly its tables."""

from __future__ import annotations

import re

from kg.graph import graph_data
from kg.stores import cypher_dir
from kg.vocab import SOURCE, TABLES, TARGET, concept_node, table_rows


def _schema_tables() -> dict[str, tuple[tuple[str, str], ...]]:
    text = (cypher_dir() / "schema.cypher").read_text(encoding="utf-8")
    tables = {}
    for name, body in re.findall(r"CREATE (?:NODE|REL) TABLE (\w+)\((.*?)\);", text, re.S):
        columns = []
        for part in body.split(","):
            words = part.split()
            if len(words) == 2 and words[0] not in ("FROM", "PRIMARY"):
                columns.append((words[0], words[1]))
        tables[name] = tuple(columns)
    return tables


def test_schema_declares_the_vocabulary_tables_and_properties():
    assert _schema_tables() == {t.name: t.properties for t in TABLES}


def test_schema_keys_concepts_by_id():
    text = (cypher_dir() / "schema.cypher").read_text(encoding="utf-8")
    assert re.findall(r"PRIMARY KEY \((\w+)\)", text) == ["id", "id"]


def test_table_rows_hold_exactly_the_declared_properties(papers, extractions):
    for table, rows in table_rows(graph_data(papers, extractions)):
        ends = (SOURCE, TARGET) if table.is_rel else ()
        assert all(tuple(row) == (*ends, *table.names) for row in rows), table.name


def test_rel_rows_name_endpoints_by_id(graph):
    _, _, (_, mentions), _ = table_rows(graph)
    first = next(mentions)
    assert (first[SOURCE], first[TARGET]) == (graph.mentions[0].paper_id, "bleu")
    assert concept_node(str(first[TARGET])) == "concept:bleu"

"""kg.stores.dialect: Neo4j-only forms are named, and the advised LadybugDB form really runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.graph import GraphData
from kg.stores import cypher_dir
from kg.stores.dialect import advice_message, neo4j_advice
from kg.stores.ladybug_store import _bulk_load

# (Neo4j query, the form advised, the LadybugDB query the advice leads to)
CASES = [
    (
        "MATCH (a:Concept {id: 'bert'}), (b:Concept {id: 'glue'}) "
        "MATCH p = shortestPath((a)-[:MENTIONS*..8]-(b)) RETURN length(p) AS hops",
        "shortestPath()",
        "MATCH p = (a:Concept {id: 'bert'})-[:MENTIONS* SHORTEST 1..8]-(b:Concept {id: 'glue'}) "
        "RETURN length(p) AS hops",
    ),
    (
        "MATCH (a:Concept {id: 'bert'}), (b:Concept {id: 'glue'}) "
        "MATCH p = allShortestPaths((a)-[:MENTIONS*..8]-(b)) RETURN length(p) AS hops",
        "allShortestPaths()",
        "MATCH p = (a:Concept {id: 'bert'})-[:MENTIONS* ALL SHORTEST 1..8]-(b:Concept {id: 'glue'}) "
        "RETURN length(p) AS hops",
    ),
    (
        "MATCH (c:Concept {id: 'bert'}) RETURN [a IN c.aliases | toLower(a)] AS low",
        "list comprehension [x IN list | …]",
        "MATCH (c:Concept {id: 'bert'}) RETURN list_transform(c.aliases, a -> toLower(a)) AS low",
    ),
    (
        "MATCH (c:Concept) RETURN [a IN c.aliases WHERE a STARTS WITH 'L'] AS some",
        "list comprehension [x IN list WHERE …]",
        "MATCH (c:Concept) RETURN list_filter(c.aliases, a -> a STARTS WITH 'L') AS some",
    ),
    (
        "MATCH (p:Paper {id: 'p01'}) RETURN [(p)-[:MENTIONS]->(c) | c.name] AS names",
        "pattern comprehension [(a)-->(b) | …]",
        "MATCH (p:Paper {id: 'p01'}) OPTIONAL MATCH (p)-[:MENTIONS]->(c) RETURN collect(c.name)",
    ),
    (
        "MATCH (p:Paper) CALL { WITH p MATCH (p)-[:MENTIONS]->(c) RETURN count(c) AS n } "
        "RETURN p.id, n",
        "CALL { … } subquery",
        "MATCH (p:Paper) WITH p, COUNT { MATCH (p)-[:MENTIONS]->() } AS n RETURN p.id, n",
    ),
    (
        "MATCH (c:Concept {id: 'bert'}) RETURN c {.name, .type} AS concept",
        "map projection n {.name}",
        "MATCH (c:Concept {id: 'bert'}) RETURN {name: c.name, type: c.type} AS concept",
    ),
    (
        "RETURN reduce(total = 0, x IN [1, 2, 3] | total + x) AS total",
        "reduce()",
        "RETURN list_reduce([1, 2, 3], (total, x) -> total + x) AS total",
    ),
    (
        "RETURN toInteger('3') AS n",
        "toInteger()/toFloat()/toString()",
        "RETURN CAST('3' AS INT64) AS n",
    ),
    (
        "MATCH (p:Paper) WHERE exists(p.url) RETURN count(p)",
        "exists(n.prop)",
        "MATCH (p:Paper) WHERE p.url IS NOT NULL RETURN count(p)",
    ),
    (
        "MATCH ()-[r:MENTIONS]->() RETURN type(r) LIMIT 1",
        "type(r)",
        "MATCH ()-[r:MENTIONS]->() RETURN label(r) LIMIT 1",
    ),
    (
        "RETURN split('a,b', ',') AS parts",
        "split()",
        "RETURN string_split('a,b', ',') AS parts",
    ),
]


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A raw LadybugDB connection to the fixture graph (no kg guard in between)."""
    import ladybug
    from conftest import make_extractions, make_papers

    from kg.graph import graph_data

    path = tmp_path_factory.mktemp("dialect") / "graph.lbug"
    data: GraphData = graph_data(make_papers(), make_extractions())
    _bulk_load(path, data)
    db = ladybug.Database(str(path), read_only=True)
    connection = ladybug.Connection(db)
    yield connection
    connection.close()
    db.close()


@pytest.mark.parametrize(("neo4j", "form", "_"), CASES, ids=[c[1] for c in CASES])
def test_advice_names_the_neo4j_form(neo4j: str, form: str, _: str) -> None:
    assert [a.form for a in neo4j_advice(neo4j)] == [form]


@pytest.mark.parametrize(("neo4j", "_", "__"), CASES, ids=[c[1] for c in CASES])
def test_the_neo4j_form_really_fails_on_ladybug(conn, neo4j: str, _: str, __: str) -> None:
    with pytest.raises(RuntimeError):
        conn.execute(neo4j)


@pytest.mark.parametrize(("_", "form", "ladybug"), CASES, ids=[c[1] for c in CASES])
def test_the_advised_form_runs_on_ladybug(conn, _: str, form: str, ladybug: str) -> None:
    assert conn.execute(ladybug).get_all()
    assert neo4j_advice(ladybug) == []


def test_advice_message_is_one_line_with_an_example() -> None:
    message = advice_message(CASES[0][0])
    assert message is not None
    assert "\n" not in message
    assert "SHORTEST 1..8" in message


def test_advice_ignores_forms_inside_strings_and_comments() -> None:
    query = "RETURN 'shortestPath( [x IN y | x] CALL {' AS text // toInteger( reduce("
    assert neo4j_advice(query) == []


def test_advice_lists_each_form_once_in_order_of_appearance() -> None:
    query = "RETURN toInteger('1'), [x IN [1] | x], toInteger('2'), [y IN [2] | y]"
    assert [a.form for a in neo4j_advice(query)] == [
        "toInteger()/toFloat()/toString()",
        "list comprehension [x IN list | …]",
    ]


@pytest.mark.parametrize("path", sorted((cypher_dir() / "ladybug").glob("*.cypher")))
def test_ladybug_forms_of_named_queries_need_no_advice(path: Path) -> None:
    assert neo4j_advice(path.read_text(encoding="utf-8")) == []


def test_neo4j_form_of_concept_path_gets_advice() -> None:
    text = (cypher_dir() / "concept-path.cypher").read_text(encoding="utf-8")
    assert [a.form for a in neo4j_advice(text)] == [
        "shortestPath()",
        "list comprehension [x IN list | …]",
    ]

"""The parse that decides what a user's Cypher may do (kg.stores.cypher_guard)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import QueryError
from kg.query import list_queries
from kg.stores.cypher_guard import (
    SAFE_FUNCTIONS,
    SAFE_TABLE_FUNCTIONS,
    check_plan,
    check_query,
    plan_operators,
)

READS = [
    "MATCH (c:Concept) RETURN c.name AS update ORDER BY update LIMIT 3",
    "MATCH (begin:Paper) RETURN begin.title AS ſet",
    "MATCH (load:Paper) RETURN load.title AS copy;",
    "MATCH (p:Paper)-[m:MENTIONS {role:'used'}]->(c:Concept) WHERE c.type IN ['Dataset', 'Benchmark'] "
    "AND NOT p.year IS NULL RETURN c.name, count(DISTINCT p) AS n ORDER BY n DESC, c.name SKIP 1 LIMIT 10",
    "MATCH p = (a:Concept)-[:CO_OCCURS* SHORTEST 1..8]-(b:Concept) WHERE a.name = $x RETURN nodes(p)",
    "MATCH (a)-[:CO_OCCURS*1..2]->(b) RETURN a, b LIMIT 1",
    "UNWIND [1, 2, 3] AS x WITH x WHERE x > 1 RETURN x, CASE WHEN x = 2 THEN 'two' ELSE 'no' END AS y",
    "MATCH (c:Concept) WHERE EXISTS { MATCH (c)<-[:MENTIONS]-(:Paper) } RETURN count(*)",
    "MATCH (c:Concept) RETURN list_transform(c.aliases, x -> lower(x)), CAST(c.paper_count AS STRING)",
    "MATCH (c:Concept) RETURN c.aliases[0], c.aliases[1:2], size(c.aliases)",
    "CALL show_tables() RETURN *",
    "CALL table_info('Paper') RETURN name",
    "MATCH (c:Concept) WHERE c.name STARTS WITH 'L' OR c.name =~ 'G.*' "
    "RETURN all(x IN c.aliases WHERE size(x) > 1)",
    "RETURN {a: 1, b: [1, 2]} AS m, -1.5e3 AS f, .5 AS h, 'it\\'s' AS s, \"q\" AS d",
    "MATCH (p:Paper) WHERE (p)-[:MENTIONS]->(:Concept {name: 'BERT'}) RETURN p.title",
    "MATCH (p:Paper) RETURN p.title AS t UNION ALL MATCH (c:Concept) RETURN c.name AS t",
    "// a comment\nMATCH (p:Paper) /* another */ RETURN p.title // and the end",
    "MATCH (`weird name`:Paper) RETURN `weird name`.title",
]


@pytest.mark.parametrize("query", READS)
def test_reading_queries_pass(query: str) -> None:
    check_query(query)


@pytest.mark.parametrize("name", [q.name for q in list_queries()])
def test_every_named_query_passes_as_written_for_the_embedded_engine(name: str) -> None:
    (query,) = [q for q in list_queries() if q.name == name]
    check_query(query.text_for("ladybug"))


NEVER = [
    "LOAD '/tmp/x.so'",
    "load extension '/tmp/x.so'",
    "LOAD FROM '/etc/passwd' (file_format='csv', header=false, delim=':') RETURN *",
    "LOAD WITH HEADERS (a STRING) FROM '/etc/passwd' RETURN *",
    "MATCH (n) WITH n LOAD FROM '/etc/passwd' RETURN *",
    "CALL read_csv_serial('/etc/passwd') RETURN *",
    "CALL READ_PARQUET('/tmp/x.parquet') RETURN *",
    "CALL read_npy('/tmp/x.npy') RETURN *",
    "CALL current_setting('threads') RETURN *",
    "CALL threads = 4",
    "CALL timeout = 1",
    "ATTACH '/tmp/x' AS y (dbtype lbug)",
    "DETACH y",
    "USE y",
    "INSTALL json",
    "FORCE INSTALL json FROM 'http://x'",
    "UNINSTALL json",
    "UPDATE json",
    "COPY Paper FROM '/tmp/x.csv'",
    "COPY (MATCH (n) RETURN n) TO '/tmp/x.csv'",
    "EXPORT DATABASE '/tmp/out'",
    "IMPORT DATABASE '/tmp/x'",
    "BEGIN TRANSACTION",
    "COMMIT",
    "CHECKPOINT",
    "CREATE NODE TABLE X (id STRING PRIMARY KEY)",
    "DROP TABLE Paper",
    "ALTER TABLE Paper ADD x STRING",
    "CREATE MACRO m(x) AS x",
    "COMMENT ON TABLE Paper IS 'x'",
    "EXPLAIN MATCH (n) RETURN n",
    "PROFILE MATCH (n) RETURN n",
    "MATCH (n) RETURN n; LOAD '/x'",
    "RETURN 1; RETURN 2",
    "RETURN nextval('s')",
    "RETURN setseed(0.5)",
    "MATCH (n) RETURN n /* never closed",
    "RETURN '\\q'",
    "RETURN 1 // x\r LOAD '/x'",
    "MATCH (n) RETURN NOT LOAD '/x'",
    "MATCH (n:Paper) RETURN n LIMIT 1 CALL read_csv_serial('/etc/passwd') RETURN *",
    "MATCH (n:Paper) RETURN n UNION LOAD FROM '/etc/passwd' RETURN *",
    "MATCH (n:Paper {id: read_csv_serial('/x')}) RETURN n",
]


@pytest.mark.parametrize("query", NEVER)
@pytest.mark.parametrize("write", [False, True])
def test_files_extensions_settings_and_schema_are_never_allowed(query: str, write: bool) -> None:
    with pytest.raises(QueryError):
        check_query(query, write=write)


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (n) RETURN n LIMIT 1CREATE (m:Paper {id: 'x'})",
        "MATCH (n:Paper) SET n.title = 'x'",
        "MATCH (n) DETACH DELETE n",
        "match (p:Paper) delete p",
        "CREATE (n:Paper {id: 'x'})",
        "MERGE (n:Paper {id: 'x'}) ON CREATE SET n.title = 'y'",
    ],
)
def test_row_writes_need_write(query: str) -> None:
    with pytest.raises(QueryError, match="pass --write"):
        check_query(query)


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (n:Paper) SET n.title = 'x' RETURN n",
        "MATCH (n) DETACH DELETE n",
        "CREATE (n:Paper {id: 'x'})",
        "MERGE (n:Paper {id: 'x'}) ON CREATE SET n.title = 'y' ON MATCH SET n.title = 'z'",
    ],
)
def test_row_writes_pass_with_write(query: str) -> None:
    check_query(query, write=True)


def test_refusal_names_line_column_and_token() -> None:
    with pytest.raises(QueryError, match=r"line 2, column 3 \('LOAD'\)"):
        check_query("MATCH (n:Paper)\n  LOAD FROM 'x' RETURN *")


def test_refused_function_is_named() -> None:
    with pytest.raises(QueryError, match=r"nextval\(\) is not a function kg query allows"):
        check_query("RETURN nextval('seq')")


def test_non_ascii_letters_are_never_keywords() -> None:
    check_query("MATCH (ſet:Paper) RETURN ſet.title AS ſtart")


# -- the allow lists against the engine --------------------------------------------------------


@pytest.fixture(scope="module")
def engine_functions(read_store_path: Path) -> dict[str, str]:
    import ladybug

    db = ladybug.Database(str(read_store_path), read_only=True)
    conn = ladybug.Connection(db)
    result = conn.execute("CALL show_functions() RETURN name, type")
    assert not isinstance(result, list)
    rows = result.get_all()
    conn.close()
    db.close()
    return {str(name).upper(): str(kind) for name, kind in rows}


@pytest.fixture(scope="module")
def read_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.stores import open_store

    path = tmp_path_factory.mktemp("guard") / "graph.lbug"
    store = open_store(path)
    store.run("RETURN 1")  # creates the database with kg's schema
    store.close()
    return path


def test_every_allowed_function_exists_in_the_engine(engine_functions: dict[str, str]) -> None:
    missing = sorted(SAFE_FUNCTIONS - set(engine_functions))
    assert missing == []


def test_allowed_table_functions_are_table_functions(engine_functions: dict[str, str]) -> None:
    assert {engine_functions[f] for f in SAFE_TABLE_FUNCTIONS} == {"TABLE FUNCTION"}


# Engine functions deliberately left out: state changes, internals, operators spelled as names.
DENIED = {"NEXTVAL", "CURRVAL", "SETSEED", "ERROR", "GEN_RANDOM_UUID", "RANDOM", "INTERNAL_ID"}


def test_every_engine_function_was_reviewed(engine_functions: dict[str, str]) -> None:
    """A new engine version with new scalar or aggregate functions fails here until someone
    decides whether each one only computes on its arguments."""
    computed = {
        name
        for name, kind in engine_functions.items()
        if kind in ("SCALAR FUNCTION", "AGGREGATE FUNCTION", "REWRITE FUNCTION")
        and name.replace("_", "").isalnum()
    }
    unreviewed = computed - SAFE_FUNCTIONS - DENIED - _operator_names()
    assert sorted(unreviewed) == []


def _operator_names() -> set[str]:
    """Functions the engine registers for operators and literals (called by syntax, not name)."""
    return {
        "ALL",
        "ANY",
        "NONE",
        "SINGLE",
        "BLOB",
        "CAST",
        "CBRT",
        "CONSTANT_OR_NULL",
        "COUNT_STAR",
        "DECODE",
        "ENCODE",
        "GREATER_THAN",
        "GREATER_THAN_EQUALS",
        "HISTOGRAM",
        "LESS_THAN",
        "LESS_THAN_EQUALS",
        "NOT_EQUALS",
        "ROWID",
        "TO_BLOB",
        "TO_SERIAL",
        "TO_UUID",
        "UNION_EXTRACT",
        "UNION_TAG",
        "UNION_VALUE",
        "UUID",
    }


# -- the plan check ------------------------------------------------------------------------------


def _plan(*operators: str, function: str = "") -> str:
    boxes = [f"│   {op}[{i}]   │" for i, op in enumerate(operators)]
    if function:
        boxes.append(f"│  Function: {function}  │")
    return "\n".join(boxes)


def test_plan_operators_reads_names_and_table_functions() -> None:
    plan = _plan("RESULT_COLLECTOR", "TABLE_FUNCTION_CALL", function="SHOW_TABLES")
    assert plan_operators(plan) == (["RESULT_COLLECTOR", "TABLE_FUNCTION_CALL"], ["SHOW_TABLES"])


def test_plan_with_only_reading_operators_passes() -> None:
    check_plan(_plan("RESULT_COLLECTOR", "PROJECTION", "SCAN_NODE_TABLE"))


@pytest.mark.parametrize("op", ["INSERT", "SET_PROPERTY", "DELETE", "MERGE"])
def test_plan_that_changes_rows_needs_write(op: str) -> None:
    with pytest.raises(QueryError, match="pass --write"):
        check_plan(_plan("RESULT_COLLECTOR", op))
    check_plan(_plan("RESULT_COLLECTOR", op), write=True)


@pytest.mark.parametrize(
    "op", ["LOAD_EXTENSION", "COPY_TO", "EXPORT_DATABASE", "ATTACH_DATABASE", "STANDALONE_CALL"]
)
def test_plan_that_touches_files_or_settings_is_refused_even_with_write(op: str) -> None:
    with pytest.raises(QueryError, match="does more than read"):
        check_plan(_plan("RESULT_COLLECTOR", op), write=True)


def test_plan_reading_a_file_is_refused() -> None:
    with pytest.raises(QueryError, match="READ_CSV_PARALLEL"):
        check_plan(_plan("RESULT_COLLECTOR", "TABLE_FUNCTION_CALL", function="READ_CSV_PARALLEL"))


def test_empty_plan_is_refused() -> None:
    with pytest.raises(QueryError, match="no plan"):
        check_plan("")


READ_FORMS = [
    "MATCH ()-[r:MENTIONS]->() RETURN count(r)",
    "MATCH (a:Paper)-[:MENTIONS]->(c:Concept)<-[:MENTIONS]-(b:Paper) RETURN count(*)",
    "MATCH (a:Concept)-[:CO_OCCURS*1..3]-(b:Concept) RETURN count(*)",
    "MATCH (p:Paper) WHERE p.id = 'x' RETURN p",
    "MATCH (c:Concept) RETURN DISTINCT c.type",
    "MATCH (a:Paper) OPTIONAL MATCH (a)-[:MENTIONS]->(c:Concept {type: 'Metric'}) RETURN a.id, count(c)",
    "MATCH p = (a:Concept)-[:CO_OCCURS* ALL SHORTEST 1..3]-(b:Concept) RETURN length(p) LIMIT 2",
    "MATCH p = (a:Concept)-[:CO_OCCURS* TRAIL 1..2]-(b:Concept) RETURN count(*)",
    "MATCH (c:Concept) WHERE EXISTS { MATCH (c)<-[:MENTIONS]-(:Paper) } RETURN count(*)",
    "MATCH (c:Concept) RETURN COUNT { MATCH (c)<-[:MENTIONS]-(:Paper) } AS k LIMIT 2",
    "UNWIND [1, 2] AS x RETURN x UNION RETURN 3 AS x",
    "MATCH (a:Paper), (b:Paper) WHERE a.id = b.id RETURN count(*)",
    "MATCH (a:Paper)-[:MENTIONS]->(c:Concept) WITH c, count(a) AS n WHERE n > 2 "
    "RETURN c.name ORDER BY n DESC SKIP 1 LIMIT 3",
    "MATCH (c:Concept)-[r]-(x) RETURN count(*)",
]


@pytest.mark.parametrize("query", READ_FORMS)
def test_common_read_forms_pass_the_parse_and_the_engine_plan(
    read_store_path: Path, query: str
) -> None:
    from kg.stores.ladybug_store import LadybugStore

    store = LadybugStore(read_store_path, read_only=True)
    try:
        store.run(query)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("RETURN " + "(" * 5000 + "1" + ")" * 5000, "nests too deeply"),
        ("RETURN " + "[" * 5000 + "1" + "]" * 5000, "nests too deeply"),
        ("RETURN " + "CASE WHEN " * 3000 + "1" + " THEN 1 END" * 3000, "nests too deeply"),
        ("RETURN '" + "x" * 100_000 + "'", "at most 100,000"),
    ],
)
def test_hostile_shapes_are_refused_in_one_line(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        check_query(query)


def test_long_flat_queries_are_checked_in_linear_time() -> None:
    import time

    start = time.monotonic()
    check_query("MATCH " + "(a)-[]-" * 5000 + "(b) RETURN 1")
    check_query("RETURN " + " OR ".join(["x"] * 10000))
    assert time.monotonic() - start < 5


@pytest.mark.parametrize(
    ("query", "advice"),
    [
        ("MATCH p = shortestPath((a:Concept)-[*]-(b:Concept)) RETURN p", "SHORTEST"),
        ("CALL { MATCH (n:Paper) RETURN n } RETURN n", "CALL"),
    ],
)
def test_refused_neo4j_forms_say_what_to_write_instead(query: str, advice: str) -> None:
    with pytest.raises(QueryError, match=advice) as err:
        check_query(query)
    assert str(err.value).startswith("LadybugDB has no")


def test_engine_error_on_a_neo4j_form_says_what_to_write_instead(read_store_path: Path) -> None:
    from kg.stores.ladybug_store import LadybugStore

    store = LadybugStore(read_store_path, read_only=True)
    try:
        with pytest.raises(QueryError, match="list_transform"):
            store.run("MATCH (c:Concept) RETURN [x IN c.aliases | toLower(x)] AS a")
    finally:
        store.close()

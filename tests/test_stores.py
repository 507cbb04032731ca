"""The embedded store on a real LadybugDB file: bulk writes, safe rewrites, read-only Cypher."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest

from kg.errors import BuildDirError, KGError, QueryError, StoreUnavailable
from kg.graph import ConceptNode, GraphData, MentionEdge, graph_data
from kg.model import ConceptType, Paper, Role
from kg.stores import QueryResult, open_store
from kg.stores.cypher_scan import query_params, split_statements, write_clause
from kg.stores.ladybug_store import LadybugStore

HOSTILE = [
    "it's",
    'say "hi"',
    "a,b",
    "line\nbreak",
    "crlf\r\nend",
    "back\\slash",
    "\\",
    "[a,b]",
    "{k: v}",
    "é ü ß 中文",
    "emoji 🚀👩‍🔬",
    "<script>alert(1)</script>",
    "nul\x00byte",
    "tab\there",
    "\\N",
    "NULL",
    "  padded  ",
    "",
    "$param",
    "x" * 20_000,
]


def _hostile_graph() -> GraphData:
    """One paper and one concept per hostile text, used as key, text and list item alike."""
    papers = tuple(
        Paper(f"h{i}|{text[:50]}", text, text, i, authors=(text, "plain"), categories=(text,))
        for i, text in enumerate(HOSTILE)
    )
    concepts = tuple(
        ConceptNode(
            f"{i}|{text[:50]}", f"{i}|{text[:50]}", ConceptType.DATASET, (text,), 1, (text,)
        )
        for i, text in enumerate(HOSTILE)
    )
    mentions = tuple(
        MentionEdge(p.id, c.id, Role.USED, 1) for p, c in zip(papers, concepts, strict=True)
    )
    return GraphData(papers, concepts, mentions, ())


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> LadybugStore:
    path = tmp_path_factory.mktemp("hostile") / "graph.lbug"
    with LadybugStore.open(path) as writer:
        writer.write(_hostile_graph())
    with LadybugStore.open(path, read_only=True) as reader:
        yield reader


def _paper_ids(store: LadybugStore) -> list[str]:
    return [row[0] for row in store.run("MATCH (p:Paper) RETURN p.id ORDER BY p.id").rows]


# -- writing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("i", range(len(HOSTILE)), ids=[repr(t[:12]) for t in HOSTILE])
def test_write_round_trips_hostile_paper_text(hostile_store: LadybugStore, i: int) -> None:
    paper = _hostile_graph().papers[i]
    query = "MATCH (p:Paper {id: $id}) RETURN p.title, p.abstract, p.authors, p.categories"
    [row] = hostile_store.run(query, {"id": paper.id}).rows
    assert row == (paper.title, paper.abstract, list(paper.authors), list(paper.categories))


@pytest.mark.parametrize("i", range(len(HOSTILE)), ids=[repr(t[:12]) for t in HOSTILE])
def test_write_round_trips_hostile_concept_keys_and_lists(
    hostile_store: LadybugStore, i: int
) -> None:
    concept = _hostile_graph().concepts[i]
    query = "MATCH (:Paper)-[:MENTIONS]->(c:Concept {name: $name}) RETURN c.aliases, c.merged"
    [row] = hostile_store.run(query, {"name": concept.name}).rows
    assert row == (list(concept.aliases), list(concept.merged))


def test_write_keeps_empty_string_apart_from_null(hostile_store: LadybugStore) -> None:
    query = "MATCH (p:Paper) WHERE p.title = '' RETURN p.title, p.url"
    assert hostile_store.run(query).rows == (("", None),)


def test_write_papers_with_and_without_optional_fields_equal_their_json(tmp_path: Path) -> None:
    papers = (
        Paper("a1", "Bare", "No year, date, url or lists."),
        Paper("a2", "Full", "All of them.", 2024, "2024-05-01", "https://x.org/a2", ("A. B",),
              ("cs.CL",), ("a.bib",)),
        Paper("a3", "", "", None, None, None, (), ("cs.LG", "cs.AI"), ()),
    )  # fmt: skip
    with LadybugStore.open(tmp_path / "graph.lbug") as store:
        store.write(graph_data(papers, []))
        rows = store.run("MATCH (p:Paper) RETURN p ORDER BY p.id").rows
    assert [node for (node,) in rows] == [paper.to_json() for paper in papers]


def test_write_stores_every_row(store: LadybugStore, graph: GraphData) -> None:
    query = (
        "MATCH (p:Paper) WITH count(p) AS papers MATCH (c:Concept) WITH papers, count(c) AS "
        "concepts MATCH ()-[m:MENTIONS]->() WITH papers, concepts, count(m) AS mentions "
        "MATCH ()-[r:CO_OCCURS]->() RETURN papers, concepts, mentions, count(r) AS co"
    )
    expected = (len(graph.papers), len(graph.concepts), len(graph.mentions), len(graph.co_occurs))
    assert store.run(query).rows == (expected,)


def test_write_paper_node_equals_its_json(store: LadybugStore, papers: tuple[Paper, ...]) -> None:
    [(node,)] = store.run("MATCH (p:Paper {id: 'p07'}) RETURN p").rows
    assert node == papers[6].to_json()


def test_write_again_replaces_old_content(store: LadybugStore, papers, extractions) -> None:
    store.write(graph_data(papers[:3], extractions[:3]))
    assert _paper_ids(store) == ["p01", "p02", "p03"]


def test_write_twice_gives_the_same_rows(store: LadybugStore, graph: GraphData) -> None:
    query = "MATCH (p:Paper)-[m:MENTIONS]->(c:Concept) RETURN p.id, c.name, m.role, m.count"
    before = store.run(query + " ORDER BY p.id, c.name").rows
    store.write(graph)
    assert store.run(query + " ORDER BY p.id, c.name").rows == before


def test_write_leaves_only_the_database_file(store: LadybugStore, tmp_path: Path) -> None:
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.lbug"]


def test_write_drops_a_stale_wal_of_the_old_database(store: LadybugStore, graph, tmp_path) -> None:
    store.close()
    (tmp_path / "graph.lbug.wal").write_bytes(b"not a wal of the new database")
    store.write(graph)
    assert len(_paper_ids(store)) == len(graph.papers)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda g: replace(g, papers=(*g.papers, g.papers[0])), id="duplicate-paper"),
        pytest.param(
            lambda g: replace(g, concepts=(*g.concepts, g.concepts[0])), id="duplicate-concept"
        ),
        pytest.param(
            lambda g: replace(g, mentions=(MentionEdge("p01", "Nope", Role.USED, 1),)),
            id="dangling-mention",
        ),
        pytest.param(
            lambda g: replace(g, papers=(Paper("bad", "\ud800", ""), *g.papers)),
            id="engine-rejects-text",
        ),
        pytest.param(
            lambda g: replace(g, papers=(Paper("big", "t", "", year=2**70), *g.papers)),
            id="engine-rejects-int",
        ),
    ],
)
def test_failed_write_leaves_old_database_intact(
    store: LadybugStore, graph: GraphData, tmp_path: Path, bad
) -> None:
    with pytest.raises(KGError, match="Cannot write the graph"):
        store.write(bad(graph))
    assert len(_paper_ids(store)) == len(graph.papers)


def test_write_keeps_concepts_that_share_a_name_apart(store: LadybugStore, graph) -> None:
    bert = next(c for c in graph.concepts if c.name == "BERT")
    twin = replace(bert, id="bert-dataset", type=ConceptType.DATASET)
    store.write(replace(graph, concepts=(*graph.concepts, twin)))
    query = "MATCH (c:Concept {name: 'BERT'}) RETURN c.id, c.type ORDER BY c.id"
    assert store.run(query).rows == (("bert", "Model"), ("bert-dataset", "Dataset"))


def test_failed_write_leaves_no_temporary_files(store: LadybugStore, graph, tmp_path) -> None:
    with pytest.raises(KGError):
        store.write(replace(graph, papers=(Paper("bad", "\ud800", ""), *graph.papers)))
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.lbug"]


def test_write_creates_missing_folders(graph: GraphData, tmp_path: Path) -> None:
    with LadybugStore.open(tmp_path / "a" / "b" / "graph.lbug") as db:
        db.write(graph)
        assert len(_paper_ids(db)) == len(graph.papers)


def test_write_on_read_only_store_is_refused(read_store: LadybugStore, graph) -> None:
    with pytest.raises(KGError, match="read-only"):
        read_store.write(graph)


# -- opening ------------------------------------------------------------------------------------


def test_open_store_read_only_needs_an_existing_database(tmp_path: Path) -> None:
    with pytest.raises(BuildDirError, match="kg build"):
        open_store(tmp_path / "graph.lbug", read_only=True)


def test_open_store_on_a_folder_uses_graph_lbug(store: LadybugStore, tmp_path: Path) -> None:
    store.close()
    with open_store(tmp_path, read_only=True) as db:
        assert db.path == tmp_path / "graph.lbug"


@pytest.mark.parametrize("url", ["neo4j://127.0.0.1:{port}", "bolt://127.0.0.1:{port}"])
def test_open_store_unreachable_neo4j_is_a_clear_error(url: str) -> None:
    from servers import free_port

    with pytest.raises(StoreUnavailable, match="Cannot reach Neo4j"):
        open_store(url.format(port=free_port()), timeout_s=2)


def test_open_store_not_a_database_is_a_build_dir_error(tmp_path: Path) -> None:
    (tmp_path / "graph.lbug").write_text("not a database")
    with pytest.raises(BuildDirError, match="Cannot open"):
        open_store(tmp_path / "graph.lbug", read_only=True).run("RETURN 1")


def test_new_store_has_the_schema(tmp_path: Path) -> None:
    with open_store(tmp_path / "graph.lbug") as db:
        tables = db.run("CALL show_tables() RETURN name ORDER BY name").rows
    assert tables == (("CO_OCCURS",), ("Concept",), ("MENTIONS",), ("Paper",))


# -- refusing writes ----------------------------------------------------------------------------

WRITES = [
    "CREATE (:Paper {id: 'x'})",
    "MATCH (p:Paper) SET p.title = 'x'",
    "MATCH (p:Paper) DETACH DELETE p",
    "MERGE (c:Concept {name: 'x'})",
    "match (p:Paper) delete p",
]
# Schema changes, files, extensions and settings: refused even with --write.
NEVER = [
    "MATCH (c:Concept) REMOVE c.type",
    "DROP TABLE CO_OCCURS",
    "COPY Paper FROM 'papers.csv'",
    "ALTER TABLE Paper ADD x STRING",
    "LOAD '/tmp/lib.so'",
    "LOAD FROM 'papers.csv' RETURN *",
    "CALL threads = 1",
    "INSTALL json",
]


@pytest.mark.parametrize("query", WRITES)
def test_run_refuses_a_writing_query(store: LadybugStore, query: str) -> None:
    with pytest.raises(QueryError, match="pass --write"):
        store.run(query)


@pytest.mark.parametrize("query", NEVER)
def test_run_refuses_schema_file_and_setting_statements_even_with_write(
    store: LadybugStore, query: str
) -> None:
    with pytest.raises(QueryError, match="refused at line 1"):
        store.run(query, write=True)


def test_run_refused_write_changes_nothing(store: LadybugStore, graph: GraphData) -> None:
    with pytest.raises(QueryError):
        store.run("MATCH (p:Paper) DETACH DELETE p")
    assert len(_paper_ids(store)) == len(graph.papers)


def test_run_with_write_true_writes(store: LadybugStore) -> None:
    store.run("CREATE (:Paper {id: 'p99', title: 'New'})", write=True)
    assert "p99" in _paper_ids(store)


def test_run_write_on_read_only_store_is_refused(read_store: LadybugStore) -> None:
    with pytest.raises(QueryError, match="read-only"):
        read_store.run("CREATE (:Paper {id: 'p99'})", write=True)


@pytest.mark.parametrize(
    ("query", "clause"),
    [
        ("MATCH (p:Paper) WHERE p.title CONTAINS 'CREATE' RETURN p.id", None),
        ("// DELETE everything\nRETURN 1", None),
        ("MATCH (n) RETURN n.set, $create", None),
        ('RETURN "MERGE" /* SET */', None),
        ("MATCH (n) detach delete n", "DETACH"),
        ("CALL CREATE_FTS_INDEX('Paper', 'idx', ['title'])", "CREATE_FTS_INDEX"),
        ("LOAD EXTENSION fts", "LOAD EXTENSION"),
        ("EXPORT DATABASE '/tmp/x'", "EXPORT"),
    ],
)
def test_write_clause_reads_outside_strings_and_comments(query: str, clause: str | None) -> None:
    assert write_clause(query) == clause


# -- results as plain values --------------------------------------------------------------------


def test_run_sum_is_an_int_not_a_decimal(read_store: LadybugStore, graph: GraphData) -> None:
    [(total,)] = read_store.run("MATCH (c:Concept) RETURN sum(c.paper_count)").rows
    assert (type(total), total) == (int, sum(c.paper_count for c in graph.concepts))


def test_run_decimal_with_fraction_is_a_float(read_store: LadybugStore) -> None:
    [(value,)] = read_store.run("RETURN CAST(2.5 AS DECIMAL(4, 2))").rows
    assert (type(value), value) == (float, 2.5)


def test_run_returns_columns_and_tuples(read_store: LadybugStore) -> None:
    result = read_store.run("MATCH (p:Paper {id: 'p01'}) RETURN p.id AS id, p.year AS year")
    assert result == QueryResult(("id", "year"), (("p01", 2017),))


def test_run_path_is_a_dict_of_nodes_and_rels(read_store: LadybugStore) -> None:
    query = "MATCH p = (:Paper {id: 'p01'})-[:MENTIONS]->(:Concept {name: 'BLEU'}) RETURN p"
    [(path,)] = read_store.run(query).rows
    assert [n.get("id") for n in path["nodes"]] == ["p01", "bleu"]
    assert path["rels"] == [{"role": "used", "count": 1}]


def test_run_variable_length_path_nodes_keep_only_their_properties(
    read_store: LadybugStore,
) -> None:
    query = (
        "MATCH p = (a:Concept {name: 'BLEU'})-[:MENTIONS*2..2]-(b:Concept {name: 'WMT 2014'}) "
        "RETURN p"
    )
    [(path,)] = read_store.run(query).rows
    assert [sorted(n) for n in path["nodes"]][:2] == [
        ["aliases", "generic", "id", "merged", "name", "paper_count", "type"],
        sorted(Paper("x", "t", "a").to_json()),
    ]


def test_run_as_dicts(read_store: LadybugStore) -> None:
    result = read_store.run("MATCH (c:Concept {name: 'GLUE'}) RETURN c.name AS name, c.type AS t")
    assert result.as_dicts() == [{"name": "GLUE", "t": "Benchmark"}]


# -- parameters ---------------------------------------------------------------------------------


def test_run_binds_parameters(read_store: LadybugStore) -> None:
    query = "MATCH (c:Concept) WHERE c.type = $type RETURN c.name ORDER BY c.name"
    assert read_store.run(query, {"type": "Benchmark"}).rows == (
        ("GLUE",),
        ("MMLU",),
        ("MT-Bench",),
    )


def test_run_binds_tuple_as_list(read_store: LadybugStore) -> None:
    query = "UNWIND $names AS n MATCH (c:Concept {name: n}) RETURN c.type ORDER BY n"
    assert read_store.run(query, {"names": ("GLUE", "BERT")}).rows == (("Model",), ("Benchmark",))


def test_run_ignores_parameters_the_query_does_not_use(read_store: LadybugStore) -> None:
    result = read_store.run("RETURN $a AS a", {"a": 1, "unused": {1, 2}})
    assert result.rows == ((1,),)


def test_run_missing_parameter_names_it(read_store: LadybugStore) -> None:
    with pytest.raises(QueryError, match=r"\$limit .*--param limit=VALUE"):
        read_store.run("MATCH (c:Concept) RETURN c.name LIMIT $limit")


def test_run_parameter_in_a_string_is_text(read_store: LadybugStore) -> None:
    assert read_store.run("RETURN '$notaparam' AS s").rows == (("$notaparam",),)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("MATCH (c {name: $name}) RETURN c LIMIT $limit", ("name", "limit")),
        ("RETURN $a + $a + $b2", ("a", "b2")),
        ("RETURN '$x' // $y\n /* $z */", ()),
    ],
)
def test_query_params_finds_parameters_outside_strings(query: str, names: tuple) -> None:
    assert query_params(query) == names


def test_split_statements_keeps_semicolons_in_strings() -> None:
    assert split_statements("RETURN ';' AS a; // x; y\nRETURN 2;") == (
        "RETURN ';' AS a",
        "RETURN 2",
    )


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("MATCH (p:Paper) RETURN p.nope", "cypher/schema.cypher"),
        ("MATCH (d:Dataset) RETURN d", "tables are Paper"),
        ("MATCH (p:Paper RETURN p", r"refused at line 1, column 16 \('RETURN'\): expected '\)'"),
    ],
)
def test_run_error_is_one_line_query_error_with_hint(
    read_store: LadybugStore, query: str, hint: str
) -> None:
    with pytest.raises(QueryError, match=hint) as err:
        read_store.run(query)
    assert "\n" not in str(err.value)


def test_run_timeout_is_a_query_error(graph: GraphData, tmp_path: Path) -> None:
    path = tmp_path / "graph.lbug"
    with LadybugStore.open(path) as writer:
        writer.write(graph)
    slow = (
        "MATCH (a:Concept), (b:Concept), (c:Concept), (d:Concept), (e:Concept), (f:Concept) "
        "WHERE a.name + b.name + c.name + d.name + e.name + f.name = 'x' RETURN count(*)"
    )
    with LadybugStore.open(path, read_only=True, timeout_s=0.05) as db:
        with pytest.raises(QueryError, match="timeout"):
            db.run(slow)
        assert db.run("RETURN 1").rows == ((1,),)


# -- Cypher features the named queries rely on --------------------------------------------------


def _co_occurs(G: nx.DiGraph) -> nx.Graph:
    return nx.Graph([(u, v) for u, v, e in G.edges(data=True) if e["type"] == "CO_OCCURS"])


def test_run_with_and_where_on_aggregate(read_store: LadybugStore) -> None:
    query = (
        "MATCH (p:Paper)-[:MENTIONS]->(c:Concept) WITH c, count(p) AS n WHERE n >= 3 "
        "RETURN c.name ORDER BY c.name"
    )
    assert read_store.run(query).rows == (("Accuracy",), ("Transformer",))


def test_run_optional_match_gives_null(read_store: LadybugStore) -> None:
    query = (
        "MATCH (c:Concept {name: 'Adam'}) OPTIONAL MATCH (c)-[:CO_OCCURS]-(o:Concept) "
        "RETURN c.name, o.name"
    )
    assert read_store.run(query).rows == (("Adam", None),)


def test_run_exists_subquery(read_store: LadybugStore) -> None:
    query = (
        "MATCH (p:Paper) WHERE EXISTS { MATCH (p)-[:MENTIONS]->(:Concept {name: 'ImageNet'}) } "
        "RETURN p.id ORDER BY p.id"
    )
    assert read_store.run(query).rows == (("p07",), ("p08",))


def test_run_count_subquery(read_store: LadybugStore) -> None:
    query = "MATCH (p:Paper {id: 'p02'}) RETURN COUNT { MATCH (p)-[:MENTIONS]->() } AS n"
    assert read_store.run(query).rows == ((4,),)


def test_run_variable_length_reach_equals_networkx(
    read_store: LadybugStore, nx_graph: nx.DiGraph
) -> None:
    query = (
        "MATCH (a:Concept {name: 'RoBERTa'})-[:CO_OCCURS*1..2]-(b:Concept) WHERE a <> b "
        "RETURN count(DISTINCT b)"
    )
    reach = nx.single_source_shortest_path_length(_co_occurs(nx_graph), "concept:roberta", 2)
    assert read_store.run(query).rows == ((len(reach) - 1,),)


def test_run_collect_and_distinct(read_store: LadybugStore, graph: GraphData) -> None:
    query = (
        "MATCH (p:Paper)-[:MENTIONS]->(c:Concept {type: 'Dataset'}) "
        "RETURN count(DISTINCT p) AS papers, count(p) AS links, collect(DISTINCT c.name) AS names"
    )
    [(papers, links, names)] = read_store.run(query).rows
    datasets = {c.id: c.name for c in graph.concepts if c.type == ConceptType.DATASET}
    links_expected = [m for m in graph.mentions if m.concept_id in datasets]
    assert (papers, links, sorted(names)) == (
        len({m.paper_id for m in links_expected}),
        len(links_expected),
        sorted(datasets.values()),
    )


def test_run_refuses_several_statements(read_store: LadybugStore) -> None:
    with pytest.raises(QueryError, match="one query at a time"):
        read_store.run("RETURN 1 AS a; RETURN 2 AS b")


def test_run_allows_one_trailing_semicolon(read_store: LadybugStore) -> None:
    assert read_store.run("RETURN 1 AS a;").rows == ((1,),)

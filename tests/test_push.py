"""Push to graph servers and query them: a FalkorDB the suite starts itself, and the Neo4j named
by NEO4J_URI when set. Idempotency, adding a second build, --replace, read-only queries, and
every named query answering as on the embedded engine."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from servers import falkordb_server, neo4j_env
from test_queries import CASES, PATH_CASES, _case_id

from kg.errors import KGError, QueryError, StoreUnavailable
from kg.graph import GraphData, graph_data
from kg.model import Paper
from kg.query import load_query, run_query
from kg.stores import ServerStore as GraphStore
from kg.stores import open_server, open_store
from kg.stores.ladybug_store import LadybugStore

pytestmark = pytest.mark.server
ENGINES = ["falkordb", *(["neo4j"] if neo4j_env() else [])]


@pytest.fixture(scope="module")
def falkor_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with falkordb_server(tmp_path_factory.mktemp("falkordb")) as url:
        yield url


def _open(engine: str, falkor_url: str, name: str) -> GraphStore:
    if engine == "falkordb":  # one graph per test keeps tests apart
        return open_store(f"{falkor_url}/{re.sub(r'[^A-Za-z0-9]', '_', name)}")
    env = neo4j_env()
    assert env is not None
    store = open_store(
        env["uri"], user=env["user"], password=env["password"], database=env["database"] or None
    )
    store.run("MATCH (n) WHERE n:Paper OR n:Concept OR n:KgTestOther DETACH DELETE n", write=True)
    return store


@pytest.fixture(params=ENGINES)
def server(request: pytest.FixtureRequest, falkor_url: str) -> Iterator[GraphStore]:
    """An empty graph on each server."""
    store = _open(request.param, falkor_url, request.node.name)
    yield store
    store.close()


@pytest.fixture(params=ENGINES, scope="module")
def pushed_store(request: pytest.FixtureRequest, falkor_url: str) -> Iterator[GraphStore]:
    store = _open(request.param, falkor_url, f"pushed_{request.param}")
    yield store
    store.close()


@pytest.fixture
def pushed(pushed_store: GraphStore, graph: GraphData) -> GraphStore:
    """The fixture graph on each server, for the read-only tests (pushed again if a test that
    shares the server, as on one Neo4j database, changed it)."""
    try:
        same = _counts(pushed_store) == _expected(graph)
    except QueryError:  # no graph yet
        same = False
    if not same:
        pushed_store.push(graph, replace=True)
    return pushed_store


def _snapshot(store: GraphStore) -> tuple[list[str], list[str]]:
    """Every kg node and relationship with its properties, as sorted JSON lines."""
    nodes = store.run("MATCH (n) WHERE n:Paper OR n:Concept RETURN labels(n), properties(n)")
    rels = store.run(
        "MATCH (a)-[r]->(b) WHERE a:Paper OR a:Concept RETURN a.id, type(r), b.id, properties(r)"
    )

    def dump(rows):
        return sorted(json.dumps(row, sort_keys=True, default=sorted) for row in rows)

    return dump(nodes.rows), dump(rels.rows)


def _counts(store: GraphStore) -> tuple[int, int, int, int]:
    return (
        store.run("MATCH (n:Paper) RETURN count(n)").rows[0][0],
        store.run("MATCH (n:Concept) RETURN count(n)").rows[0][0],
        store.run("MATCH ()-[r:MENTIONS]->() RETURN count(r)").rows[0][0],
        store.run("MATCH ()-[r:CO_OCCURS]->() RETURN count(r)").rows[0][0],
    )


def _expected(graph: GraphData) -> tuple[int, int, int, int]:
    return len(graph.papers), len(graph.concepts), len(graph.mentions), len(graph.co_occurs)


# -- pushing ------------------------------------------------------------------------------------


def test_push_writes_every_row(server: GraphStore, graph: GraphData) -> None:
    counts = server.push(graph)
    assert (counts.papers, counts.concepts, counts.mentions, counts.co_occurs) == _expected(graph)
    assert _counts(server) == _expected(graph)


def test_push_twice_leaves_the_same_graph(server: GraphStore, graph: GraphData) -> None:
    server.push(graph)
    before = _snapshot(server)
    server.push(graph)
    assert _snapshot(server) == before


def test_push_of_a_second_build_adds_without_duplicates(
    server: GraphStore, papers, extractions
) -> None:
    first = graph_data(papers[:6], extractions[:6])
    second = graph_data(papers[4:], extractions[4:])
    server.push(first)
    server.push(second)
    ids = {c.id for c in (*first.concepts, *second.concepts)}
    assert _counts(server)[:2] == (len(papers), len(ids))
    rows = server.run("MATCH (c:Concept) RETURN c.id, count(*) AS n ORDER BY n DESC LIMIT 1").rows
    assert rows[0][1] == 1


def test_push_replace_removes_only_kg_nodes(server: GraphStore, graph: GraphData) -> None:
    server.push(graph)
    server.run("CREATE (:KgTestOther {name: 'keep me'})", write=True)
    small = graph_data(graph.papers[:1], [])
    counts = server.push(small, replace=True)
    assert counts.deleted == len(graph.papers) + len(graph.concepts)
    assert _counts(server) == (1, 0, 0, 0)
    assert server.run("MATCH (n:KgTestOther) RETURN n.name").rows == (("keep me",),)


def test_push_round_trips_hostile_text(server: GraphStore, graph: GraphData) -> None:
    server.push(graph)
    [hostile] = [p for p in graph.papers if p.id == "p09"]
    row = server.run(
        "MATCH (p:Paper {id: $id}) RETURN p.title, p.abstract, p.authors", {"id": "p09"}
    ).rows
    assert row == ((hostile.title, hostile.abstract, list(hostile.authors)),)


def test_push_keeps_missing_values_null(server: GraphStore, graph: GraphData) -> None:
    server.push(graph)
    rows = server.run("MATCH (p:Paper {id: 'p07'}) RETURN p.year, p.date, p.url").rows
    assert rows == ((None, None, "https://example.org/p07"),)


# -- querying -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_named_query_on_server_equals_embedded(
    case: tuple[str, dict], pushed: GraphStore, read_store: LadybugStore
) -> None:
    query = load_query(case[0])
    expected = run_query(read_store, query, case[1])
    assert run_query(pushed, query, case[1]) == expected


@pytest.mark.parametrize(
    "params", PATH_CASES, ids=[f"{p['source']}-{p['target']}" for p in PATH_CASES]
)
def test_concept_path_on_server_has_embedded_hops_and_ends(
    params: dict, pushed: GraphStore, read_store: LadybugStore
) -> None:
    query = load_query("concept-path")
    expected = run_query(read_store, query, params).rows
    got = run_query(pushed, query, params).rows
    ends = [(hops, path[0], path[-1]) for hops, path in got]
    assert ends == [(hops, path[0], path[-1]) for hops, path in expected]


def test_server_query_is_read_only_by_default(pushed: GraphStore) -> None:
    with pytest.raises(QueryError, match="--write"):
        pushed.run("MATCH (c:Concept {id: 'bert'}) SET c.name = 'changed'")
    assert pushed.run("MATCH (c:Concept {id: 'bert'}) RETURN c.name").rows == (("BERT",),)


def test_server_query_values_travel_as_parameters(pushed: GraphStore) -> None:
    sneaky = "x' OR 1=1 RETURN 1 //\"\\"
    query = "MATCH (c:Concept) WHERE c.name = $name RETURN count(c)"
    assert pushed.run(query, {"name": sneaky}).rows == ((0,),)


def test_server_returns_nodes_and_paths_as_the_embedded_engine_does(
    pushed: GraphStore, read_store: LadybugStore
) -> None:
    query = "MATCH p = (:Paper {id: 'p01'})-[:MENTIONS]->(:Concept {id: 'bleu'}) RETURN p"
    assert pushed.run(query) == read_store.run(query)


if neo4j_env():  # Neo4j-only behaviour, tested when a contributor points NEO4J_URI at a server

    def test_neo4j_concepts_carry_their_type_as_a_label(falkor_url: str, graph: GraphData) -> None:
        with _open("neo4j", falkor_url, "labels") as store:
            store.push(graph)
            rows = store.run("MATCH (c:Concept:Dataset) RETURN c.id ORDER BY c.id").rows
        datasets = sorted(c.id for c in graph.concepts if str(c.type) == "Dataset")
        assert [r[0] for r in rows] == datasets

    def test_neo4j_explain_refuses_a_write_without_write(falkor_url: str) -> None:
        with (
            _open("neo4j", falkor_url, "explain") as store,
            pytest.raises(QueryError, match="EXPLAIN"),
        ):
            store.run("CREATE (:KgTestOther {name: 'no'})")


# -- FalkorDB specifics -------------------------------------------------------------------------


def _falkor(falkor_url: str, name: str) -> GraphStore:
    return _open("falkordb", falkor_url, name)


def test_falkordb_push_creates_unique_constraints(falkor_url: str, graph: GraphData) -> None:
    with _falkor(falkor_url, "constraints") as store:
        store.push(graph)
        query = "CALL db.constraints() YIELD type, label, properties RETURN type, label, properties"
        rows = store.run(query).rows
    assert sorted((r[0], r[1], r[2]) for r in rows) == [
        ("UNIQUE", "Concept", ["id"]),
        ("UNIQUE", "Paper", ["id"]),
    ]


@pytest.mark.parametrize("bad_id", [" p01", "p01 ", "p01\n"])
def test_falkordb_refuses_keys_it_would_mishandle(
    falkor_url: str, graph: GraphData, bad_id: str
) -> None:
    bad = replace(graph, papers=(Paper(bad_id, "t", "a"),), mentions=(), co_occurs=())
    with _falkor(falkor_url, "badkey") as store, pytest.raises(KGError, match="whitespace"):
        store.push(bad)


def test_falkordb_refuses_nul_in_text(falkor_url: str, graph: GraphData) -> None:
    bad = replace(graph, papers=(Paper("p", "nul\x00here", "a"),), mentions=(), co_occurs=())
    with _falkor(falkor_url, "nul") as store, pytest.raises(KGError, match="NUL"):
        store.push(bad)


def test_falkordb_query_on_a_missing_graph_says_push_first(falkor_url: str) -> None:
    with _falkor(falkor_url, "never_pushed") as store, pytest.raises(QueryError, match="kg push"):
        store.run("MATCH (n) RETURN count(n)")


# -- no server needed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["falkor://kg:s3cret@127.0.0.1:{port}", "bolt://neo4j:s3cret@127.0.0.1:{port}"]
)
def test_unreachable_server_error_hides_the_password(url: str) -> None:
    from servers import free_port

    with pytest.raises(StoreUnavailable) as info:
        open_store(url.format(port=free_port()), timeout_s=2)
    assert "s3cret" not in str(info.value)
    assert "***" in str(info.value)


def test_push_cli_pushes_a_build_and_query_cli_reads_it(
    falkor_url: str, tmp_path: Path, papers, extractions
) -> None:
    from typer.testing import CliRunner

    from kg import corpus
    from kg.cli import app

    folder = tmp_path / "build"
    folder.mkdir()
    corpus.write_papers(folder / "papers.jsonl", papers)
    corpus.write_extractions(folder / "extractions.jsonl", extractions)
    url = f"{falkor_url}/cli"
    runner = CliRunner()
    pushed = runner.invoke(app, ["push", str(folder), "--uri", url])
    assert pushed.exit_code == 0, pushed.output
    assert "10 papers, 20 concepts" in pushed.output
    result = runner.invoke(app, ["query", "--uri", url, "--name", "top-concepts", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0] == {"name": "Accuracy", "type": "Metric", "papers": 3}


def test_concurrent_pushes_of_overlapping_builds_leave_no_duplicates(
    falkor_url: str, papers, extractions
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    url = f"{falkor_url}/concurrent"
    parts = [graph_data(papers[i : i + 5], extractions[i : i + 5]) for i in (0, 2, 4, 5)]

    def push_one(data: GraphData) -> None:
        with open_server(url) as store:
            store.push(data, batch_size=1)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(push_one, parts))
    with open_server(url) as store:
        ids = [r[0] for r in store.run("MATCH (n) RETURN n.id").rows]
        pairs = store.run("MATCH (a)-[r]->(b) RETURN a.id, type(r), b.id").rows
    assert len(ids) == len(set(ids)) == len(papers) + len({c.id for p in parts for c in p.concepts})
    assert len(pairs) == len(set(pairs))


# -- crash safety -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg import corpus
    from viz.synthetic import synthetic_corpus

    folder = tmp_path_factory.mktemp("synthetic")
    papers, extractions = synthetic_corpus(1000)
    corpus.write_papers(folder / "papers.jsonl", papers)
    corpus.write_extractions(folder / "extractions.jsonl", extractions)
    return folder


def _push_command(folder: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "kg", "push", str(folder), "--uri", url, "--batch-size", "10"]


def _count_or_zero(url: str, query: str) -> int:
    with open_server(url) as store:
        try:
            return int(store.run(query).rows[0][0])
        except QueryError:  # no graph yet
            return 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "query", "at_least"),
    [
        ("papers", "MATCH (n:Paper) RETURN count(n)", 1),
        ("mentions", "MATCH ()-[r:MENTIONS]->() RETURN count(r)", 1),
        ("co_occurs", "MATCH ()-[r:CO_OCCURS]->() RETURN count(r)", 500),
    ],
)
def test_push_killed_midway_then_run_again_equals_a_clean_push(
    falkor_url: str, synthetic_build: Path, name: str, query: str, at_least: int
) -> None:
    clean_url, killed_url = f"{falkor_url}/clean_{name}", f"{falkor_url}/killed_{name}"
    subprocess.run(_push_command(synthetic_build, clean_url), check=True, capture_output=True)
    proc = subprocess.Popen(_push_command(synthetic_build, killed_url), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _count_or_zero(killed_url, query) < at_least and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL  # killed while pushing, not after
    with open_server(killed_url) as half, open_server(clean_url) as clean:
        assert _snapshot(half) != _snapshot(clean)
    subprocess.run(_push_command(synthetic_build, killed_url), check=True, capture_output=True)
    with open_server(killed_url) as again, open_server(clean_url) as clean:
        assert _snapshot(again) == _snapshot(clean)

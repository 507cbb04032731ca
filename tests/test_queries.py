"""Every named query in cypher/ on the embedded engine equals plain Python over the NetworkX graph."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import networkx as nx
import pytest

from kg.errors import KGError
from kg.graph import concept_node, graph_data, paper_node
from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role
from kg.query import (
    NamedQuery,
    format_csv,
    format_json,
    format_table,
    list_queries,
    load_query,
    parse_param,
    read_query,
    run_query,
)
from kg.stores import QueryResult, cypher_dir
from kg.stores.ladybug_store import LadybugStore

Rows = list[tuple[object, ...]]
ROLE_RANK = {"proposed": 0, "used": 1, "mentioned": 2}


# -- plain Python over the NetworkX graph -------------------------------------------------------


def _concepts(G: nx.DiGraph) -> list[dict]:
    return [d for _, d in G.nodes(data=True) if d["kind"] == "Concept"]


def _matching(G: nx.DiGraph, text: str) -> list[dict]:
    key = text.lower()
    return [c for c in _concepts(G) if key in {c["name"].lower(), *map(str.lower, c["aliases"])}]


def _mentions(G: nx.DiGraph) -> list[tuple[dict, dict, dict]]:
    """(paper, edge, concept) for every MENTIONS edge."""
    return [
        (G.nodes[u], e, G.nodes[v]) for u, v, e in G.edges(data=True) if e["type"] == "MENTIONS"
    ]


def _papers_of(G: nx.DiGraph, concept: dict) -> set[str]:
    return {p["id"] for p, _, c in _mentions(G) if c["id"] == concept["id"]}


def _concepts_of(G: nx.DiGraph, paper_id: str) -> set[str]:
    return {c["name"] for p, _, c in _mentions(G) if p["id"] == paper_id}


def top_concepts(G: nx.DiGraph, type: str, limit: int) -> Rows:
    rows = [
        (c["name"], c["type"], len(_papers_of(G, c)))
        for c in _concepts(G)
        if _papers_of(G, c) and type.lower() in ("", c["type"].lower())
    ]
    return sorted(rows, key=lambda r: (-r[2], r[0]))[:limit]


def papers_using(G: nx.DiGraph, concept: str, role: str, limit: int) -> Rows:
    names = {c["name"] for c in _matching(G, concept)}
    rows = [
        (p["id"], p["title"], p["year"], c["name"], e["role"])
        for p, e, c in _mentions(G)
        if c["name"] in names and role in ("", e["role"])
    ]
    return sorted(rows, key=lambda r: (ROLE_RANK[r[4]], -(r[2] or 0), r[0]))[:limit]


def co_occurring(G: nx.DiGraph, concept: str, limit: int) -> Rows:
    rows = []
    for c in _matching(G, concept):
        node = concept_node(c["id"])
        for u, v, e in G.edges(data=True):
            if e["type"] == "CO_OCCURS" and node in (u, v):
                other = G.nodes[v if u == node else u]
                rows.append((other["name"], other["type"], e["weight"]))
    return sorted(rows, key=lambda r: (-r[2], r[0]))[:limit]


def datasets_for(G: nx.DiGraph, method: str, limit: int) -> Rows:
    papers_with: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m in _matching(G, method):
        for paper_id in _papers_of(G, m):
            for p, _, d in _mentions(G):
                is_data = d["type"] in ("Dataset", "Benchmark")
                if p["id"] == paper_id and is_data and d["name"] != m["name"]:
                    papers_with[(d["name"], d["type"])].add(paper_id)
    rows = [(name, kind, len(ids)) for (name, kind), ids in papers_with.items()]
    return sorted(rows, key=lambda r: (-r[2], r[0]))[:limit]


def related_papers(G: nx.DiGraph, paper: str, limit: int) -> Rows:
    mine = _concepts_of(G, paper)
    rows = []
    for other in (d for _, d in G.nodes(data=True) if d["kind"] == "Paper" and d["id"] != paper):
        shared = sorted(mine & _concepts_of(G, other["id"]))
        if shared:
            rows.append((other["id"], other["title"], len(shared), shared))
    return sorted(rows, key=lambda r: (-r[2], r[0]))[:limit]


def new_concepts(G: nx.DiGraph, year: int, type: str, limit: int) -> Rows:
    rows = []
    for c in _concepts(G):
        years = [p["year"] for p, _, x in _mentions(G) if x["name"] == c["name"] and p["year"]]
        if years and type.lower() in ("", c["type"].lower()) and year in (0, min(years)):
            rows.append((min(years), c["name"], c["type"], c["paper_count"]))
    return sorted(rows, key=lambda r: (-r[0], -r[3], r[1]))[:limit]


def concept_timeline(G: nx.DiGraph, concept: str) -> Rows:
    months: dict[str, set[str]] = defaultdict(set)
    names = {c["name"] for c in _matching(G, concept)}
    for p, _, c in _mentions(G):
        if c["name"] in names and p["date"]:
            months[p["date"][:7]].add(p["id"])
    every = [d["date"][:7] for _, d in G.nodes(data=True) if d["kind"] == "Paper" and d["date"]]
    return [(m, len(ids), every.count(m)) for m, ids in sorted(months.items())]


def shortest_hops(G: nx.DiGraph, source: str, target: str) -> list[int]:
    """Hops of the shortest MENTIONS chain for each (source, target) pair with one (<= 8)."""
    U = G.edge_subgraph([(u, v) for u, v, e in G.edges(data=True) if e["type"] == "MENTIONS"])
    U = U.to_undirected()
    hops = []
    for a in _matching(G, source):
        for b in _matching(G, target):
            ends = concept_node(a["id"]), concept_node(b["id"])
            if a is not b and all(n in U for n in ends) and nx.has_path(U, *ends):
                length = nx.shortest_path_length(U, *ends)
                hops += [length] if length <= 8 else []
    return sorted(hops)


EXPECTED: dict[str, Callable[..., Rows]] = {
    "top-concepts": top_concepts,
    "papers-using": papers_using,
    "co-occurring": co_occurring,
    "datasets-for": datasets_for,
    "related-papers": related_papers,
    "new-concepts": new_concepts,
    "concept-timeline": concept_timeline,
}
PATH_QUERY = "concept-path"  # shortest paths tie: checked by length and validity instead

CASES = [
    ("top-concepts", {}),
    ("top-concepts", {"type": "dataset"}),
    ("top-concepts", {"type": "Metric", "limit": 1}),
    ("top-concepts", {"limit": 3}),
    ("papers-using", {"concept": "Transformer"}),
    ("papers-using", {"concept": "dpo"}),
    ("papers-using", {"concept": "vit"}),
    ("papers-using", {"concept": "Accuracy", "role": "mentioned"}),
    ("papers-using", {"concept": "Transformer", "limit": 1}),
    ("papers-using", {"concept": "no such thing"}),
    ("papers-using", {"concept": "ResNet"}),
    ("co-occurring", {"concept": "Transformer"}),
    ("co-occurring", {"concept": "DPO"}),
    ("co-occurring", {"concept": "adam"}),
    ("co-occurring", {"concept": "Llama 2", "limit": 2}),
    ("datasets-for", {"method": "Transformer"}),
    ("datasets-for", {"method": "resnet"}),
    ("datasets-for", {"method": "DPO"}),
    ("datasets-for", {"method": "Adam"}),
    ("related-papers", {"paper": "p02"}),
    ("related-papers", {"paper": "p08"}),
    ("related-papers", {"paper": "p10"}),
    ("related-papers", {"paper": "p05", "limit": 1}),
    ("new-concepts", {}),
    ("new-concepts", {"year": 2024}),
    ("new-concepts", {"type": "dataset"}),
    ("new-concepts", {"limit": 2}),
    ("concept-timeline", {"concept": "Transformer"}),
    ("concept-timeline", {"concept": "dpo"}),
    ("concept-timeline", {"concept": "ResNet"}),
    ("concept-timeline", {"concept": "no such thing"}),
]
PATH_CASES = [
    {"source": "RoBERTa", "target": "vit"},
    {"source": "DPO", "target": "MMLU"},
    {"source": "ResNet", "target": "Transformer"},
    {"source": "Adam", "target": "BERT"},
    {"source": "BERT", "target": "bert"},
    {"source": "nothing", "target": "BERT"},
]


def _case_id(case: tuple[str, dict]) -> str:
    return f"{case[0]}-{'-'.join(f'{k}={v}' for k, v in case[1].items())}"


# -- the named queries against those answers ----------------------------------------------------


def test_every_named_query_has_a_test() -> None:
    assert {q.name for q in list_queries()} == {*EXPECTED, PATH_QUERY}


@pytest.mark.parametrize("name", sorted({case[0] for case in CASES}))
def test_named_query_cases_cover_each_query(name: str) -> None:
    assert sum(case[0] == name for case in CASES) >= 3


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_named_query_equals_networkx_answer(
    case: tuple[str, dict], read_store: LadybugStore, nx_graph: nx.DiGraph
) -> None:
    query = load_query(case[0])
    result = run_query(read_store, query, case[1])
    expected = EXPECTED[case[0]](nx_graph, **query.bind(case[1]))
    assert [tuple(row) for row in result.rows] == expected


@pytest.mark.parametrize("case", CASES[::4], ids=[_case_id(c) for c in CASES[::4]])
def test_named_query_answer_is_not_empty_where_it_should_not_be(
    case: tuple[str, dict], nx_graph: nx.DiGraph
) -> None:
    query = load_query(case[0])
    assert EXPECTED[case[0]](nx_graph, **query.bind(case[1]))


@pytest.mark.parametrize(
    "params", PATH_CASES, ids=[f"{p['source']}-{p['target']}" for p in PATH_CASES]
)
def test_concept_path_hops_equal_networkx_shortest(
    params: dict, read_store: LadybugStore, nx_graph: nx.DiGraph
) -> None:
    result = run_query(read_store, load_query(PATH_QUERY), params)
    assert sorted(row[0] for row in result.rows) == shortest_hops(nx_graph, **params)


@pytest.mark.parametrize("params", PATH_CASES[:3], ids=["roberta-vit", "dpo-mmlu", "resnet-tr"])
def test_concept_path_walks_real_mentions(
    params: dict, read_store: LadybugStore, nx_graph: nx.DiGraph
) -> None:
    [(hops, path)] = run_query(read_store, load_query(PATH_QUERY), params).rows
    by_name = {c["name"]: concept_node(c["id"]) for c in _concepts(nx_graph)}
    nodes = [paper_node(x) if i % 2 else by_name[x] for i, x in enumerate(path)]
    assert len(nodes) == hops + 1
    assert all(nx_graph.has_edge(p, c) for c, p in zip(nodes[::2], nodes[1::2], strict=False))
    assert all(nx_graph.has_edge(p, c) for p, c in zip(nodes[1::2], nodes[2::2], strict=False))


def test_concept_path_ends_at_the_named_concepts(read_store: LadybugStore) -> None:
    [(_, path)] = run_query(read_store, load_query(PATH_QUERY), PATH_CASES[1]).rows
    assert (path[0], path[-1]) == ("Direct Preference Optimization", "MMLU")


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_named_query_columns_match_its_header(query: NamedQuery, read_store: LadybugStore) -> None:
    given = {name: "x" for name, spec in query.params if name not in query.defaults()}
    assert run_query(read_store, query, given).columns == query.columns


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_named_query_declares_every_parameter_it_uses(query: NamedQuery) -> None:
    from kg.stores.cypher_scan import query_params

    for text in {query.text, *dict(query.overrides).values()}:
        assert set(query_params(text)) == {name for name, _ in query.params}


def test_every_engine_override_has_a_named_query() -> None:
    names = {q.name for q in list_queries()}
    overrides = {p.stem for p in cypher_dir().glob("*/*.cypher") if p.stem != "schema"}
    assert overrides <= names


@pytest.fixture(scope="module")
def bar_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LadybugStore]:
    """Two concepts whose aliases joined by '|' read alike: Alpha ("X", "y"), Beta ("x|Y")."""

    def ent(cid: str, name: str, aliases: tuple[str, ...]) -> Entity:
        return Entity(cid, name, ConceptType.METHOD, Role.USED,
                      (Mention(name, 0, len(name), "title"),), aliases)  # fmt: skip

    gamma = ent("gamma", "Gamma", ())
    papers = [Paper("q1", "Alpha Gamma", ".", 2024, "2024-05-01"),
              Paper("q2", "Beta Gamma", ".", 2024, "2024-05-02")]  # fmt: skip
    extractions = [
        Extraction("q1", "Alpha Gamma", (ent("alpha", "Alpha", ("X", "y")), gamma)),
        Extraction("q2", "Beta Gamma", (ent("beta", "Beta", ("x|Y",)), gamma)),
    ]
    path = tmp_path_factory.mktemp("bar_store") / "graph.lbug"
    with LadybugStore.open(path) as writer:
        writer.write(graph_data(papers, extractions))
    db = LadybugStore.open(path, read_only=True)
    yield db
    db.close()


@pytest.mark.parametrize(
    ("source", "first"), [("X|y", "Beta"), ("x", "Alpha"), ("Y", "Alpha"), ("x|", None)]
)
def test_concept_path_matches_whole_aliases_only(
    source: str, first: str | None, bar_store: LadybugStore
) -> None:
    # The LadybugDB form pre-filters on the aliases joined by '|'; a key spanning two aliases
    # (or a part of one) must still match nothing but an alias equal to it, as on Neo4j.
    params = {"source": source, "target": "gamma"}
    rows = run_query(bar_store, load_query(PATH_QUERY), params).rows
    assert [row[1][0] for row in rows] == ([first] if first else [])


@pytest.mark.parametrize(("concept", "n_rows"), [("X|y", 1), ("x", 1), ("Y", 1), ("x|", 0)])
def test_co_occurring_matches_whole_aliases_only(
    concept: str, n_rows: int, bar_store: LadybugStore
) -> None:
    rows = run_query(bar_store, load_query("co-occurring"), {"concept": concept}).rows
    assert [tuple(row) for row in rows] == [("Gamma", "Method", 1)] * n_rows


@pytest.mark.parametrize(("concept", "ids"), [("X|y", ["q2"]), ("x", ["q1"]), ("x|", [])])
def test_papers_using_and_timeline_match_whole_aliases_only(
    concept: str, ids: list[str], bar_store: LadybugStore
) -> None:
    rows = run_query(bar_store, load_query("papers-using"), {"concept": concept}).rows
    assert [row[0] for row in rows] == ids
    months = run_query(bar_store, load_query("concept-timeline"), {"concept": concept}).rows
    assert [tuple(row) for row in months] == ([("2024-05", len(ids), 2)] if ids else [])


def test_concept_path_uses_the_ladybug_override() -> None:
    query = load_query(PATH_QUERY)
    assert query.text_for("ladybug") != query.text_for("neo4j") == query.text


# -- loading named queries ----------------------------------------------------------------------


def test_load_query_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(KGError, match="top-concepts"):
        load_query("top-concept")


@pytest.mark.parametrize("name", ["schema", "../schema", "ladybug/concept-path", ""])
def test_load_query_refuses_what_is_not_a_named_query(name: str) -> None:
    with pytest.raises(KGError, match="No named query"):
        load_query(name)


def test_load_query_reads_header() -> None:
    query = load_query("top-concepts")
    assert (query.columns, query.defaults()) == (
        ("name", "type", "papers"),
        {"type": "", "limit": 20},
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("// name: other\n// description: d\n// columns: a\n", "differs from the file name"),
        ("// name: q\n// columns: a\n", "no '// description:'"),
        ("// name: q\n// description: d\n// columns: a\n// params: n (integer)\n", "not one of"),
        ("// name: q\n// description: d\n// columns: a\n// params: n int\n", "cannot read param"),
        (
            "// name: q\n// description: d\n// columns: a\n// params: n (int, dflt 3)\n",
            "cannot read",
        ),
    ],
)
def test_read_query_bad_header_names_file_and_line(
    tmp_path: Path, header: str, message: str
) -> None:
    path = tmp_path / "q.cypher"
    path.write_text(header + "RETURN 1 AS a\n", encoding="utf-8")
    with pytest.raises(KGError, match=message) as err:
        read_query(path)
    assert str(err.value).startswith(f"{path}:")


def test_read_query_without_body_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "q.cypher"
    path.write_text("// name: q\n// description: d\n// columns: a\n", encoding="utf-8")
    with pytest.raises(KGError, match="no query after the header"):
        read_query(path)


# -- binding parameters -------------------------------------------------------------------------


def test_bind_fills_defaults() -> None:
    assert load_query("top-concepts").bind({}) == {"type": "", "limit": 20}


def test_bind_missing_required_parameter_names_the_flag() -> None:
    with pytest.raises(KGError, match="--param concept=VALUE"):
        load_query("papers-using").bind({})


def test_bind_unknown_parameter_lists_the_known_ones() -> None:
    with pytest.raises(KGError, match="concept, role, limit"):
        load_query("papers-using").bind({"concept": "BERT", "lim": 3})


def test_bind_wrong_type_is_an_error() -> None:
    with pytest.raises(KGError, match="takes int values"):
        load_query("top-concepts").bind({"limit": "ten"})


@pytest.mark.parametrize(("given", "bound"), [(2017, "2017"), (True, "true"), (1.5, "1.5")])
def test_bind_number_for_a_string_parameter_becomes_text(given: object, bound: str) -> None:
    assert load_query("papers-using").bind({"concept": given})["concept"] == bound


def test_bind_null_takes_the_default() -> None:
    assert load_query("top-concepts").bind({"limit": None})["limit"] == 20


def test_run_query_with_text_passes_params_through(read_store: LadybugStore) -> None:
    result = run_query(read_store, "MATCH (p:Paper {id: $id}) RETURN p.year AS year", {"id": "p01"})
    assert result.rows == ((2017,),)


# -- --param parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("limit=10", ("limit", 10)),
        ("x=-3", ("x", -3)),
        ("w=0.25", ("w", 0.25)),
        ("w=1e3", ("w", 1000.0)),
        ("on=true", ("on", True)),
        ("on=False", ("on", False)),
        ("x=null", ("x", None)),
        ('xs=[1, "a"]', ("xs", [1, "a"])),
        ("type=Dataset", ("type", "Dataset")),
        ("name='2017'", ("name", "2017")),
        ('name="true"', ("name", "true")),
        ("q=a=b", ("q", "a=b")),
        ("empty=", ("empty", "")),
        ("s=Llama 2", ("s", "Llama 2")),
    ],
)
def test_parse_param_types_values(text: str, expected: tuple[str, object]) -> None:
    assert parse_param(text) == expected


@pytest.mark.parametrize("text", ["limit", "=3", "2x=1", "a b=1"])
def test_parse_param_without_name_is_an_error(text: str) -> None:
    with pytest.raises(KGError, match="name=value"):
        parse_param(text)


def test_parse_param_bad_json_list_is_an_error() -> None:
    with pytest.raises(KGError, match="not a JSON list"):
        parse_param("xs=[1,")


# -- formatting ---------------------------------------------------------------------------------

HOSTILE_RESULT = QueryResult(
    ("name", "n", "tags", "extra"),
    (
        ('a "q", b\nc', 3, ["x", "y,z"], None),
        ("é 🚀 <script>", 12, [], {"k": 1.5}),
    ),
)


def test_format_json_round_trips_rows() -> None:
    assert json.loads(format_json(HOSTILE_RESULT)) == HOSTILE_RESULT.as_dicts()


def test_format_csv_round_trips_text_and_numbers() -> None:
    rows = list(csv.reader(io.StringIO(format_csv(HOSTILE_RESULT))))
    assert rows[0] == ["name", "n", "tags", "extra"]
    assert rows[1] == ['a "q", b\nc', "3", '["x", "y,z"]', ""]


def test_format_table_keeps_one_line_per_row() -> None:
    lines = format_table(HOSTILE_RESULT).splitlines()
    assert len(lines) == 2 + 2 + 1  # header, rule, two rows, count


def test_format_table_cuts_long_cells() -> None:
    result = QueryResult(("t",), (("x" * 100,),))
    assert format_table(result, max_width=10).splitlines()[2] == "x" * 9 + "…"


def test_format_table_right_aligns_numbers() -> None:
    lines = format_table(QueryResult(("papers",), ((3,), (12,)))).splitlines()
    assert lines[2:4] == ["     3", "    12"]


def test_read_query_param_defaults(tmp_path: Path) -> None:
    path = tmp_path / "q.cypher"
    path.write_text(
        "// name: q\n// description: d\n// columns: a\n"
        "// params: xs (list, optional), n (int, required), f (float, default 0.5), "
        "b (bool, optional; a note, with a comma)\nRETURN $n AS a\n",
        encoding="utf-8",
    )
    assert read_query(path).defaults() == {"xs": [], "f": 0.5, "b": False}


@pytest.mark.parametrize("module", ["kg.query", "kg.stores", "kg.stores.cypher_scan"])
def test_module_doctests_pass(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert (result.failed, result.attempted > 0) == (0, True)

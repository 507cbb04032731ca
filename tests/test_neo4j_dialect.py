"""Every statement kg sends to Neo4j passes Neo4j's own parser and semantic analysis.

`@neo4j-cypher/language-support` (npm, installed under .ci/neo4j-lint by .ci/install) lints each
statement with the graph's labels, relationship types, properties and the statement's parameters
declared, so only real errors remain: constraints, the batch writes, the deletes of --replace,
and every named query in cypher/ (in its Neo4j form).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from kg.query import list_queries
from kg.stores.neo4j_store import constraint_statements
from kg.stores.server import TYPE_LABELS, all_statements
from kg.vocab import TABLES

LINT_DIR = Path(__file__).resolve().parent.parent / ".ci" / "neo4j-lint"
SCHEMA = {
    "labels": ["Paper", "Concept", *TYPE_LABELS],
    "relationshipTypes": [t.name for t in TABLES if t.is_rel],
    "propertyKeys": sorted({name for t in TABLES for name in t.names}),
}
REFUSED = [  # so the check can fail: forms Neo4j refuses
    "MATCH (c:Concept) RETURN list_transform(c.aliases, x -> x) AS a",  # LadybugDB only
    "MATCH p = (a:Concept)-[:MENTIONS* SHORTEST 1..8]-(b:Concept) RETURN p",  # LadybugDB only
    "MATCH (c:Concept RETURN c",
    "MATCH (c:Concept) RETURN c.name LIMIT $undeclared",
]
SAMPLE_VALUES = {"string": "x", "int": 1, "float": 1.0, "bool": True, "list": []}


def lint(queries: list[str], params: dict[str, object]) -> list[list[dict[str, object]]]:
    """Neo4j's diagnostics for each query, with `params` declared."""
    if shutil.which("node") is None or not (LINT_DIR / "node_modules").is_dir():
        pytest.fail("Neo4j's Cypher linter is missing: run 'bash .ci/install' (needs node and npm)")
    payload = json.dumps({"schema": {**SCHEMA, "parameters": params}, "queries": queries})
    done = subprocess.run(
        ["node", "lint.mjs"],
        cwd=LINT_DIR,
        input=payload,
        capture_output=True,
        text=True,
        check=True,
    )
    result: list[list[dict[str, object]]] = json.loads(done.stdout)
    return result


@cache
def _named() -> dict[str, tuple[str, dict[str, object]]]:
    """Each named query's Neo4j text and its parameters with a sample value of their type."""
    out = {}
    for query in list_queries():
        params = {}
        for name, spec in query.params:
            kind = spec.split()[0].strip("(,;)")
            params[name] = SAMPLE_VALUES.get(kind, "x")
        out[query.name] = (query.text_for("neo4j"), params)
    return out


def _cases() -> list[tuple[str, dict[str, object]]]:
    """Every statement kg sends to Neo4j, with its parameters; linted in one node run."""
    named = [(text, params) for text, params in _named().values()]
    explain = [("EXPLAIN " + text, params) for text, params in named]
    writes = [(s, {"rows": []}) for s in all_statements(type_labels=True)]
    refused = [(q, {}) for q in REFUSED]
    return [*named, *explain, *writes, *((s, {}) for s in constraint_statements()), *refused]


@cache
def _all_errors() -> dict[str, list[str]]:
    """Errors per statement; node loads Neo4j's parser once (seconds) for all of them."""
    cases = _cases()
    params: dict[str, object] = {}
    for _, p in cases:
        params.update(p)
    return {
        query: [f"line {d['line']}: {d['message']}" for d in diagnostics if d["severity"] == 1]
        for (query, _), diagnostics in zip(cases, lint([q for q, _ in cases], params), strict=True)
    }


def _errors(query: str) -> list[str]:
    return _all_errors()[query]


@pytest.mark.parametrize("name", sorted(_named()))
def test_named_query_is_valid_neo4j_cypher(name: str) -> None:
    assert _errors(_named()[name][0]) == []


@pytest.mark.parametrize("statement", all_statements(type_labels=True))
def test_push_statement_is_valid_neo4j_cypher(statement: str) -> None:
    assert _errors(statement) == []


@pytest.mark.parametrize("statement", constraint_statements())
def test_constraint_is_valid_neo4j_cypher(statement: str) -> None:
    assert _errors(statement) == []


@pytest.mark.parametrize("name", sorted(_named()))
def test_explain_of_named_query_is_valid_neo4j_cypher(name: str) -> None:
    assert _errors("EXPLAIN " + _named()[name][0]) == []


@pytest.mark.parametrize("query", REFUSED)
def test_linter_catches_what_neo4j_would_refuse(query: str) -> None:
    assert _errors(query) != []

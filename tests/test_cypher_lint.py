"""Lint cypher/ for the hazards that make Cypher answer differently on LadybugDB and Neo4j.

Each check names the rule of the project's portability notes it enforces; strings and comments
are blanked first, so a hazard quoted in a comment or a string literal is not one.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from kg.stores import cypher_dir
from kg.stores.cypher_scan import mask_literals, write_clause

CYPHER = cypher_dir()
PORTABLE = sorted(p for p in CYPHER.glob("*.cypher") if p.name != "schema.cypher")
ENGINE_SPECIFIC = sorted(p for p in CYPHER.glob("*/*.cypher") if p.name != "schema.cypher")
ENGINES = sorted(p.name for p in CYPHER.iterdir() if p.is_dir())

_CLAUSE = re.compile(  # clause starts; STARTS WITH / ENDS WITH are operators, not clauses
    r"\b(OPTIONAL\s+MATCH|MATCH|(?<!STARTS )(?<!ENDS )WITH|RETURN|UNWIND|UNION)\b", re.IGNORECASE
)
_AVOID = {
    "CALL {} subquery": r"\bCALL\s*\{",
    "FOREACH": r"\bFOREACH\b",
    "toInteger()": r"\btoInteger\s*\(",
    "map projection": r"\w\s*\{\s*\.\w",
    "id()/elementId()": r"(?<![.\w])(id|elementId)\s*\(",
    "pattern comprehension": r"\[\s*\(",
    "date().year": r"\bdate\s*\([^)]*\)\s*\.\s*year",
}
_ENGINE_ONLY = (
    r"\bshortestPath\s*\(|\ballShortestPaths\s*\(|\bSHORTEST\b|\blist_transform\s*\("
    r"|\blist_to_string\s*\(|\[\s*\w+\s+IN\b[^\]|]*\|"  # the last: a list comprehension
)


def _schema() -> tuple[set[str], set[str], set[str]]:
    """Node tables, rel tables and every declared property, read from cypher/schema.cypher."""
    text = mask_literals((CYPHER / "schema.cypher").read_text(encoding="utf-8"))
    nodes = set(re.findall(r"CREATE\s+NODE\s+TABLE\s+(\w+)", text, re.IGNORECASE))
    rels = set(re.findall(r"CREATE\s+REL\s+TABLE\s+(\w+)", text, re.IGNORECASE))
    bodies = re.findall(r"TABLE\s+\w+\s*\((.*?)\)\s*;", text, re.IGNORECASE | re.DOTALL)
    props = {
        m.group(1)
        for body in bodies
        for m in re.finditer(r"(?:^|,)\s*(\w+)\s+[A-Z]", body)
        if m.group(1).upper() not in ("FROM", "PRIMARY")
    }
    return nodes, rels, props


NODES, RELS, PROPS = _schema()


def _clauses(text: str) -> list[str]:
    starts = [m.start() for m in _CLAUSE.finditer(text)] + [len(text)]
    return [text[a:b] for a, b in pairwise(starts)]


def _split_top(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def _is_multi_hop(pattern: str) -> bool:
    n_rels = len(re.findall(r"\)\s*<?-", pattern))
    var_length = re.search(r"-\s*\[[^\]]*\*", pattern) is not None
    return n_rels >= 2 or var_length


def _variables(text: str) -> set[str]:
    nodes = re.findall(r"(?<!\w)\(\s*([A-Za-z_]\w*)\s*[:){]", text)  # f(x) is a call
    rels = re.findall(r"\[\s*([A-Za-z_]\w*)\s*[:\]*]", text)
    paths = re.findall(r"\b([A-Za-z_]\w*)\s*=\s*(?:\w+\s*)?\(", text)
    return set(nodes) | set(rels) | set(paths)


def _call_args(text: str, name_pattern: str) -> list[str]:
    """The argument text of every call to a function matching name_pattern."""
    out = []
    for match in re.finditer(rf"\b(?:{name_pattern})\s*\(", text, re.IGNORECASE):
        depth, i = 1, match.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        out.append(text[match.end() : i - 1])
    return out


def lint(query: str, *, portable: bool = True, has_overrides: bool = False) -> list[str]:
    """The hazards in one query, as 'check: detail' strings (empty when clean)."""
    text = mask_literals(query)
    found = []
    if re.search(r"\bsubstring\s*\(", text, re.IGNORECASE):
        found.append("substring: 1-based on LadybugDB; use left()/right() (rule 5)")
    if re.search(r"[\w)\]]\s*\[\s*-?\d+\s*\]", text):
        found.append("list-index: xs[0] errors on LadybugDB; use slices or UNWIND (rule 5)")
    if re.search(r"\(\s*\w*\s*:\s*\w+\s*:\s*\w+|\bSET\s+\w+\s*:\s*\w+", text, re.IGNORECASE):
        found.append("multi-label: LadybugDB has one table per node; use type (rule 1)")
    for label in set(re.findall(r"\(\s*\w*\s*:\s*(\w+)", text)) - NODES:
        found.append(f"unknown-label: {label}; types are properties, not labels (rule 1)")
    for rel in set(re.findall(r"\[\s*\w*\s*:\s*(\w+)", text)) - RELS:
        found.append(f"unknown-rel: {rel} is not in cypher/schema.cypher")
    for clause in _clauses(text):
        if re.match(r"(OPTIONAL\s+)?MATCH", clause, re.IGNORECASE):
            pattern = re.split(r"\bWHERE\b", clause, flags=re.IGNORECASE)[0]
            if any(_is_multi_hop(p) for p in _split_top(pattern)) and "<>" not in clause:
                found.append("multi-hop: endpoints may coincide; add WHERE a <> b (rule 4)")
    for alias in set(re.findall(r"\bAS\s+(\w+)", text, re.IGNORECASE)) & _variables(text):
        found.append(f"alias-shadow: {alias} is also a pattern variable (rule 6)")
    clauses = _clauses(text)
    for clause, after in pairwise(clauses):
        is_with = re.match(r"WITH\b", clause, re.IGNORECASE)
        ordered = re.search(r"\bORDER\s+BY\b", clause, re.IGNORECASE)
        limited = re.search(r"\bLIMIT\b", clause, re.IGNORECASE)
        if is_with and ordered and not limited and re.search(r"\bcollect\s*\(", after, re.I):
            found.append("collect-order: WITH ... ORDER BY before collect() needs LIMIT (rule 7)")
    for name, pattern in _AVOID.items():
        if re.search(pattern, text, re.IGNORECASE):
            found.append(f"avoid: {name} is missing or different on LadybugDB (rule 8)")
    if any("$" in args for args in _call_args(text, "any|all|none|single")):
        found.append(
            "param-in-predicate: $param inside any()/all() crashes LadybugDB; bind it first"
        )
    # a name followed by "(" is a function or procedure (algo.SPpaths), not a property
    for prop in set(re.findall(r"\b[A-Za-z_]\w*\.([A-Za-z_]\w*)\b(?!\s*\()", text)) - PROPS:
        found.append(f"unknown-property: {prop} is not declared in cypher/schema.cypher (rule 10)")
    if write_clause(query) is not None:
        found.append("writes: a named query must only read")
    if portable and not has_overrides and re.search(_ENGINE_ONLY, text, re.IGNORECASE):
        found.append("engine-only: shortest paths/list functions need cypher/<engine>/ overrides")
    return found


def _body(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", PORTABLE, ids=lambda p: p.name)
def test_named_query_has_no_portability_hazard(path: Path) -> None:
    has_overrides = all((CYPHER / engine / path.name).is_file() for engine in ENGINES)
    assert lint(_body(path), has_overrides=has_overrides) == []


@pytest.mark.parametrize("path", ENGINE_SPECIFIC, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_engine_override_has_no_hazard(path: Path) -> None:
    assert lint(_body(path), portable=False) == []


def test_lint_sees_every_named_query() -> None:
    assert len(PORTABLE) >= 7


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("MATCH (c:Concept) RETURN substring(c.name, 0, 3) AS s", "substring"),
        ("MATCH (c:Concept) RETURN c.aliases[0] AS first", "list-index"),
        ("MATCH (c:Concept:Dataset) RETURN c.name AS n", "multi-label"),
        ("MATCH (d:Dataset) RETURN d.name AS n", "unknown-label"),
        ("MATCH (p:Paper)-[:USES]->(c:Concept) RETURN c.name AS n", "unknown-rel"),
        (
            "MATCH (a:Concept)<-[:MENTIONS]-(:Paper)-[:MENTIONS]->(b:Concept) "
            "RETURN a.name AS x, b.name AS y",
            "multi-hop",
        ),
        ("MATCH (a:Concept)-[:CO_OCCURS*1..2]-(b:Concept) RETURN count(b) AS n", "multi-hop"),
        ("MATCH (a:Concept) RETURN a.name AS a ORDER BY a", "alias-shadow"),
        ("MATCH (c:Concept) WITH c ORDER BY c.name RETURN collect(c.name) AS n", "collect-order"),
        ("MATCH (c:Concept) RETURN c {.name} AS m", "avoid"),
        ("CALL { MATCH (c:Concept) RETURN c } RETURN c.name AS n", "avoid"),
        ("MATCH (c:Concept) RETURN toInteger(c.paper_count) AS n", "avoid"),
        ("MATCH (c:Concept) RETURN id(c) AS i", "avoid"),
        ("MATCH (p:Paper) RETURN [(p)-[:MENTIONS]->(c) | c.name] AS n", "avoid"),
        ("MATCH (c:Concept) WHERE any(a IN c.aliases WHERE a = $x) RETURN 1 AS n", "param-in"),
        ("MATCH (c:Concept) RETURN c.nmae AS n", "unknown-property"),
        ("MATCH (c:Concept) SET c.type = 'x' RETURN c.name AS n", "writes"),
        ("MATCH (c:Concept) RETURN list_transform(c.aliases, x -> x) AS n", "engine-only"),
    ],
)
def test_lint_catches_hazard(query: str, check: str) -> None:
    assert any(hazard.startswith(check) for hazard in lint(query))


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (a:Concept)<-[:MENTIONS]-(:Paper)-[:MENTIONS]->(b:Concept) WHERE a <> b "
        "RETURN a.name AS source, b.name AS target",
        "MATCH (c:Concept) WITH c ORDER BY c.name LIMIT 1000 RETURN collect(c.name) AS names",
        "RETURN 'substring(x, 0, 1) [0] (:Dataset) CREATE' AS text // c.aliases[0]",
        "WITH toLower($x) AS key MATCH (c:Concept) WHERE any(a IN c.aliases WHERE a = key) "
        "RETURN left(c.name, 3) AS short, c.aliases[0..2] AS some",
        "MATCH (a:Concept)-[:CO_OCCURS]-(b:Concept)-[:CO_OCCURS]-(x:Concept) "
        "WHERE b.name STARTS WITH 'B' AND a <> x RETURN count(DISTINCT x) AS n",
        "MATCH (c:Concept) WITH collect(c.name) AS names RETURN size(names) AS n",
        "MATCH (c:Concept) CALL db.labels() YIELD label RETURN c.name AS name, label",
    ],
)
def test_lint_passes_clean_query(query: str) -> None:
    assert lint(query) == []

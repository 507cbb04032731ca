"""Neo4j Cypher forms the embedded engine (LadybugDB) lacks, and what to write there instead.

A pure function over the query text, for the error a user sees when a Neo4j habit fails on the
embedded graph (`kg query DIR`). Strings and comments are blanked first, so a form quoted in a
string is not reported. Each rule was checked against LadybugDB 0.22.

Example:
    >>> print(advice_message("MATCH p = shortestPath((a)-[*..8]-(b)) RETURN p"))
    LadybugDB has no shortestPath(): write the pattern with SHORTEST instead, e.g. MATCH p = (a)-[:MENTIONS* SHORTEST 1..8]-(b)
    >>> advice_message("MATCH (c:Concept) RETURN c.name") is None
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Advice:
    """One Neo4j-only form found in a query: what it is, what to write instead, an example."""

    form: str
    instead: str
    example: str

    def message(self) -> str:
        """One line for the user."""
        return f"LadybugDB has no {self.form}: {self.instead}, e.g. {self.example}"


_RULES: tuple[tuple[re.Pattern[str], Advice], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), advice)
    for pattern, advice in (
        (
            r"\ballShortestPaths\s*\(",
            Advice(
                "allShortestPaths()",
                "write the pattern with ALL SHORTEST instead",
                "MATCH p = (a)-[:MENTIONS* ALL SHORTEST 1..8]-(b)",
            ),
        ),
        (
            r"\bshortestPath\s*\(",
            Advice(
                "shortestPath()",
                "write the pattern with SHORTEST instead",
                "MATCH p = (a)-[:MENTIONS* SHORTEST 1..8]-(b)",
            ),
        ),
        (
            r"\[\s*\(",
            Advice(
                "pattern comprehension [(a)-->(b) | …]",
                "OPTIONAL MATCH the pattern and collect() it, or count it with COUNT { … }",
                "OPTIONAL MATCH (p)-[:MENTIONS]->(c) RETURN p.id, collect(c.name)",
            ),
        ),
        (
            r"\bCALL\s*\{",
            Advice(
                "CALL { … } subquery",
                "chain the parts with WITH, or use COUNT { … } / EXISTS { … } or UNION",
                "MATCH (p:Paper) WITH p, COUNT { MATCH (p)-[:MENTIONS]->() } AS n RETURN p.id, n",
            ),
        ),
        (
            r"\bFOREACH\s*\(",
            Advice(
                "FOREACH",
                "UNWIND the list and follow it with the update (with --write)",
                "UNWIND $ids AS id MATCH (p:Paper {id: id}) SET p.url = NULL",
            ),
        ),
        (
            r"\w\s*\{\s*\.\w",
            Advice(
                "map projection n {.name}",
                "write the map out",
                "RETURN {name: c.name, type: c.type} AS concept",
            ),
        ),
        (
            r"\breduce\s*\(",
            Advice(
                "reduce()",
                "use list_reduce (it starts from the first item)",
                "list_reduce([1, 2, 3], (total, x) -> total + x)",
            ),
        ),
        (
            r"\btoInteger\s*\(|\btoFloat\s*\(|\btoString\s*\(",
            Advice(
                "toInteger()/toFloat()/toString()",
                "use CAST",
                "CAST(p.year AS STRING), CAST('3' AS INT64), CAST('1.5' AS DOUBLE)",
            ),
        ),
        (
            r"\bexists\s*\(\s*\w+\s*\.",
            Advice("exists(n.prop)", "test for null", "WHERE p.url IS NOT NULL"),
        ),
        (
            r"\belementId\s*\(",
            Advice("elementId()", "use kg's key property", "RETURN c.id"),
        ),
        (
            r"(?<![.\w])type\s*\(\s*\w+\s*\)",
            Advice("type(r)", "use label(r)", "MATCH ()-[r]->() RETURN label(r)"),
        ),
        (
            r"\bsplit\s*\(",
            Advice("split()", "use string_split", "string_split('a,b', ',')"),
        ),
        (
            r"\b(?:apoc|gds)\.\w",
            Advice(
                "APOC or GDS procedures",
                "write it in plain Cypher, or push the graph to Neo4j (kg push)",
                "kg push DIR --uri bolt://localhost:7687",
            ),
        ),
    )
)
_MAP = Advice(
    "list comprehension [x IN list | …]",
    "use list_transform (and list_filter for a WHERE)",
    "list_transform(nodes(p), n -> n.name)",
)
_FILTER = Advice(
    "list comprehension [x IN list WHERE …]",
    "use list_filter",
    "list_filter(c.aliases, a -> a STARTS WITH 'L')",
)
_COMPREHENSION = re.compile(r"\[\s*\w+\s+IN\b", re.IGNORECASE)
_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def neo4j_advice(query: str) -> list[Advice]:
    """Every Neo4j-only form in `query`, in the order they first appear.

    Example:
        >>> [a.form for a in neo4j_advice("RETURN [x IN [1, 2] | x * 2], toInteger('3')")]
        ['list comprehension [x IN list | …]', 'toInteger()/toFloat()/toString()']
    """
    text = _LITERAL.sub(_blank, query)
    hits = [(m.start(), advice) for pattern, advice in _RULES if (m := pattern.search(text))]
    hits += _comprehensions(text)
    found: list[Advice] = []
    for _, advice in sorted(hits, key=lambda hit: hit[0]):
        if advice not in found:
            found.append(advice)
    return found


def _comprehensions(text: str) -> list[tuple[int, Advice]]:
    """List comprehensions, with where each starts: `[x IN … | …]` maps, `[x IN … WHERE …]`
    filters (nested brackets allowed)."""
    found = []
    for match in _COMPREHENSION.finditer(text):
        depth, i = 1, match.end()
        body_start = i
        while i < len(text) and depth:
            depth += {"[": 1, "(": 1, "{": 1, "]": -1, ")": -1, "}": -1}.get(text[i], 0)
            i += 1
        body = _nested(text[body_start : i - 1])
        if "|" in body:
            found.append((match.start(), _MAP))
        elif re.search(r"\bWHERE\b", body, re.IGNORECASE):
            found.append((match.start(), _FILTER))
    return found


def _nested(body: str) -> str:
    """`body` with every bracketed part blanked, so only its own top level remains."""
    out, depth = [], 0
    for c in body:
        if c in "[({":
            depth += 1
        out.append(c if depth == 0 else " ")
        if c in "])}":
            depth -= 1
    return "".join(out)


def advice_message(query: str) -> str | None:
    """One line naming the first Neo4j-only form in `query` and what to write instead, or None."""
    found = neo4j_advice(query)
    return found[0].message() if found else None

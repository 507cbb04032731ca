"""Read Cypher text outside its strings and comments: the parameters it uses, whether it writes."""

from __future__ import annotations

import re
from itertools import pairwise

_LITERAL = re.compile(
    r"""
      //[^\n]*                      # line comment
    | /\*.*?(?:\*/|\Z)              # block comment
    | '(?:[^'\\]|\\.)*(?:'|\Z)      # single-quoted string
    | "(?:[^"\\]|\\.)*(?:"|\Z)      # double-quoted string
    | `[^`]*(?:`|\Z)                # quoted identifier
    """,
    re.VERBOSE | re.DOTALL,
)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Clauses and commands that change the database (or, for EXPORT, files on disk).
_WRITE = re.compile(
    r"""(?<![\w.$:])(
        CREATE | MERGE | SET | DELETE | DETACH | REMOVE | DROP | COPY | ALTER | INSTALL
      | UNINSTALL | UPDATE | COMMENT\s+ON | LOAD\s+EXTENSION | IMPORT | EXPORT | ATTACH | CHECKPOINT | BEGIN | COMMIT | ROLLBACK
      | (?:CREATE|DROP)_\w+
    )(?![\w])""",
    re.VERBOSE | re.IGNORECASE,
)


def mask_literals(query: str) -> str:
    """Return `query` with every string, comment and quoted identifier blanked to spaces.

    Offsets stay the same, so a match in the masked text points at the same place in the query.

    Example:
        >>> mask_literals("RETURN 'a;b' AS x // $p").split()
        ['RETURN', 'AS', 'x']
    """

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group())

    return _LITERAL.sub(blank, query)


def query_params(query: str) -> tuple[str, ...]:
    """Names of the `$parameters` a query uses, in order of first use.

    Example:
        >>> query_params("MATCH (c {name: $name}) WHERE c.x = '$no' RETURN c LIMIT $limit")
        ('name', 'limit')
    """
    return tuple(dict.fromkeys(_PARAM.findall(mask_literals(query))))


def write_clause(query: str) -> str | None:
    """The first clause of `query` that writes (upper-cased), or None for a read-only query.

    Example:
        >>> write_clause("MATCH (n) WHERE n.title CONTAINS 'CREATE' RETURN n.set")
        >>> write_clause("MATCH (n) detach delete n")
        'DETACH'
    """
    match = _WRITE.search(mask_literals(query))
    return None if match is None else " ".join(match.group(1).upper().split())


def split_statements(script: str) -> tuple[str, ...]:
    """Split a script on `;` outside strings and comments; drop comments and empty parts.

    Example:
        >>> split_statements("// schema\\nRETURN ';'; RETURN 2;")
        ("RETURN ';'", 'RETURN 2')
    """

    def drop_comment(match: re.Match[str]) -> str:
        text = match.group()
        return re.sub(r"[^\n]", " ", text) if text[:2] in ("//", "/*") else text

    text = _LITERAL.sub(drop_comment, script)
    masked = mask_literals(text)
    bounds = [-1, *(m.start() for m in re.finditer(";", masked)), len(text)]
    parts = (text[a + 1 : b].strip() for a, b in pairwise(bounds))
    return tuple(part for part in parts if part)

"""Decide what a user's Cypher may do by parsing it: only reading the graph, unless --write.

A keyword list cannot tell `RETURN x AS update` from `LIMIT 1CREATE (n)`, so `check_query` runs a
real recognizer over the query: a tokenizer that follows the embedded engine's lexer (LadybugDB's
openCypher grammar: its strings, escapes, comments, identifiers, reserved words) and a
recursive-descent parser of the clauses kg allows:

- reading: MATCH, OPTIONAL MATCH, WHERE, WITH, UNWIND, RETURN, ORDER BY, SKIP, LIMIT, UNION [ALL],
  and CALL of a few catalogue functions (`SAFE_TABLE_FUNCTIONS`);
- with `write=True` also CREATE, MERGE (ON MATCH/ON CREATE SET), SET and [DETACH] DELETE.

Every function call must name a function in `SAFE_FUNCTIONS`. Anything else — LOAD (extensions or
files), COPY, ATTACH, INSTALL, IMPORT/EXPORT DATABASE, USE, settings, transactions, DDL, EXPLAIN,
another table function — is refused with the place it stands, before the engine sees the text. The
engine's plan is checked as well (`check_plan`), so a reading query must also plan to reading operators.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import NoReturn

from kg.errors import QueryError

__all__ = [
    "MAX_QUERY_CHARS",
    "SAFE_FUNCTIONS",
    "SAFE_TABLE_FUNCTIONS",
    "check_plan",
    "check_query",
    "plan_operators",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Every keyword of the engine's lexer, and those its grammar also accepts as names.
_KEYWORDS = _words(
    """ACYCLIC ANY ADD ALL ALTER AND AS ASC ASCENDING ATTACH BEGIN BY CALL CASE CAST CHECKPOINT COLUMN
    COMMENT COMMIT COMMIT_SKIP_CHECKPOINT CONTAINS COPY COUNT CREATE CYCLE DATABASE DBTYPE DEFAULT
    DELETE DESC DESCENDING DETACH DISTINCT DROP ELSE END ENDS EXISTS EXPLAIN EXPORT EXTENSION FALSE
    FROM FORCE GLOB GRAPH GROUP HEADERS HINT IMPORT IF IN INCREMENT INSTALL IS JOIN KEY LIMIT LOAD
    LOGICAL MACRO MATCH MAXVALUE MERGE MINVALUE MULTI_JOIN NO NODE NOT NONE NULL ON ONLY OPTIONAL OR
    ORDER PRIMARY PROFILE PROJECT READ REL RENAME RETURN ROLLBACK ROLLBACK_SKIP_CHECKPOINT SEQUENCE
    SET SHORTEST START STARTS STRUCT TABLE THEN TO TRAIL TRANSACTION TRUE TYPE UNION UNWIND UNINSTALL
    UPDATE USE WHEN WHERE WITH WRITE WSHORTEST XOR SINGLE YIELD USER PASSWORD ROLE MAP SKIP
    DECIMAL"""
)
_NON_RESERVED = _words(
    """COMMENT ADD ALTER AS ATTACH BEGIN BY CALL CHECKPOINT COMMIT CONTAINS COPY COUNT CYCLE DATABASE
    DECIMAL DELETE DETACH DROP EXPLAIN EXPORT EXTENSION FORCE GRAPH IF IS IMPORT INCREMENT KEY LOAD
    LOGICAL MATCH MAXVALUE MERGE MINVALUE NO NODE PROJECT READ REL RENAME RETURN ROLLBACK ROLE
    SEQUENCE SET START STRUCT SKIP LIMIT TRANSACTION TYPE USE UNINSTALL UPDATE WRITE FROM TO YIELD
    USER PASSWORD MAP"""
)
# Scalar, aggregate and rewrite functions of the engine that only compute on their arguments
# (NEXTVAL/SETSEED change state, and are left out); checked against the engine in the tests.
SAFE_FUNCTIONS = _words(
    """ABS ACOS ARRAY_APPEND ARRAY_CAT ARRAY_CONCAT ARRAY_CONTAINS ARRAY_COSINE_SIMILARITY
    ARRAY_CROSS_PRODUCT ARRAY_DISTANCE ARRAY_DOT_PRODUCT ARRAY_EXTRACT ARRAY_HAS ARRAY_INDEXOF
    ARRAY_INNER_PRODUCT ARRAY_POSITION ARRAY_PREPEND ARRAY_PUSH_BACK ARRAY_PUSH_FRONT ARRAY_SLICE
    ARRAY_SQUARED_DISTANCE ARRAY_VALUE ASIN ATAN ATAN2 BITSHIFT_LEFT BITSHIFT_RIGHT BITWISE_AND
    BITWISE_OR BITWISE_XOR CARDINALITY CEIL CEILING CENTURY COALESCE CONCAT CONCAT_WS
    CONTAINS COS COT COUNT_IF CURRENT_DATE CURRENT_TIMESTAMP DATE DATEPART DATETRUNC DATE_PART
    DATE_TRUNC DAYNAME DEGREES DURATION ELEMENT_AT ENDS_WITH EPOCH_MS EQUALS EVEN FACTORIAL FLOOR
    GAMMA GREATEST HASH IFNULL INITCAP INTERVAL IS_ACYCLIC IS_TRAIL LAST_DAY LCASE LEAST LEFT
    LEVENSHTEIN LGAMMA LIST_ANY_VALUE LIST_APPEND LIST_CAT LIST_CONCAT LIST_CONTAINS LIST_CREATION
    LIST_DISTINCT LIST_ELEMENT LIST_EXTRACT LIST_FILTER LIST_HAS LIST_HAS_ALL LIST_HAS_ANY
    LIST_INDEXOF LIST_MAX LIST_MIN LIST_POSITION LIST_PREPEND LIST_PRODUCT LIST_REDUCE LIST_REVERSE
    LIST_REVERSE_SORT LIST_SLICE LIST_SORT LIST_SUM LIST_TO_STRING LIST_TRANSFORM LIST_UNIQUE LN LOG
    LOG10 LOG2 LOWER LPAD LTRIM MAKE_DATE MAP MAP_EXTRACT MAP_KEYS MAP_VALUES MD5 MONTHNAME NEGATE
    NODES OCTET_LENGTH OFFSET PI POW PREFIX PROPERTIES RADIANS RANGE REGEXP_EXTRACT
    REGEXP_EXTRACT_ALL REGEXP_FULL_MATCH REGEXP_MATCHES REGEXP_REPLACE REGEXP_SPLIT_TO_ARRAY
    RELATIONSHIPS RELS REPEAT REPLACE REVERSE RIGHT ROUND RPAD RTRIM SHA256 SIGN SIN SIZE SPLIT_PART
    SQRT STARTS_WITH STRING STRING_SPLIT STRING_TO_ARRAY STRUCT_EXTRACT STRUCT_PACK STR_SPLIT SUBSTR
    SUBSTRING SUFFIX TAN TIMESTAMP TIME_BUCKET TOLOWER TOUPPER TO_BOOL TO_DATE TO_DAYS TO_DOUBLE
    TO_EPOCH_MS TO_FLOAT TO_HOURS TO_INT128 TO_INT16 TO_INT32 TO_INT64 TO_INT8 TO_INTERVAL
    TO_MICROSECONDS TO_MILLISECONDS TO_MINUTES TO_MONTHS TO_SECONDS TO_STRING TO_TIMESTAMP
    TO_UINT128 TO_UINT16 TO_UINT32 TO_UINT64 TO_UINT8 TO_YEARS TRIM TYPEOF UCASE UPPER
    AVG COLLECT COUNT MAX MIN PERCENTILECONT PERCENTILEDISC SUM
    COST END_NODE ID KEYS LABEL LABELS LENGTH NULLIF START_NODE"""
)
# Table functions a query may CALL: they read the graph's catalogue, never files or settings.
SAFE_TABLE_FUNCTIONS = frozenset({"SHOW_TABLES", "TABLE_INFO", "SHOW_FUNCTIONS", "SHOW_INDEXES"})
# Operators of the engine's physical plans that only read the graph (and write the result).
_READ_OPERATORS = _words(
    """AGGREGATE AGGREGATE_FINALIZE AGGREGATE_SCAN COUNT_EXTEND_CHAIN COUNT_REL_TABLE CROSS_PRODUCT
    DUMMY_SINK DUMMY_SIMPLE_SINK
    EMPTY_RESULT FILTER FLATTEN HASH_JOIN_BUILD HASH_JOIN_PROBE INDEX_LOOKUP INTERSECT_BUILD
    INTERSECT LIMIT MULTIPLICITY_REDUCER PATH_PROPERTY_PROBE PRIMARY_KEY_SCAN_NODE_TABLE PROJECTION
    QUERY_PRIMARY_KEY_LOOKUP RECURSIVE_EXTEND RESULT_COLLECTOR SCAN_NODE_TABLE SCAN_REL_TABLE SEMI_MASKER SKIP
    TABLE_FUNCTION_CALL TOP_K TOP_K_SCAN ORDER_BY ORDER_BY_MERGE ORDER_BY_SCAN UNION_ALL_SCAN
    UNWIND"""
)
# Table functions the engine plans by itself to read back intermediate results.
_PLAN_TABLE_FUNCTIONS = SAFE_TABLE_FUNCTIONS | {"READ_FTABLE"}
_WRITE_OPERATORS = frozenset({"INSERT", "SET_PROPERTY", "DELETE", "MERGE", "PARTITIONER"})

MAX_QUERY_CHARS = 100_000
_MAX_BACKTRACKS = 10_000  # a pattern-or-expression guess undone; bounds the parse's work
_ROW_WRITES = frozenset({"CREATE", "MERGE", "SET", "DELETE", "DETACH"})
_READ_HELP = (
    "kg query runs reading Cypher only: MATCH, OPTIONAL MATCH, WHERE, WITH, UNWIND, RETURN, "
    "ORDER BY, SKIP, LIMIT, UNION and CALL show_tables()/table_info()"
)
_WRITE_HELP = "with --write also CREATE, MERGE, SET and DELETE; never LOAD, COPY, ATTACH or INSTALL"
_BINARY: tuple[str, ...] = (
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "!=",
    "=~",
    "|",
    "&",
    "<<",
    ">>",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
)
_PUNCT = ("<>", "<=", ">=", "=~", "!=", "..", "<<", ">>")
_SINGLE = set(";(),.=[]{}|<>&+/%^*-:!")
_NUMBER = re.compile(r"\d*\.\d+(?:[eE]-?\d+)?|\d+(?:\.\d+)?[eE]-?\d+|0|[1-9]\d*|\d")
_PARAMETER = re.compile(r"\$(?:[^\W\d]\w*|\d+)")
_ESCAPES = set("\\'\"bBfFnNrRtT")
_WHITESPACE = set(" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "word", "name" (backticked), "string", "number", "param", "punct", "end"
    text: str
    pos: int

    @property
    def keyword(self) -> str | None:
        """The keyword this token is, upper-cased (the engine's keywords are ASCII only)."""
        if self.kind == "word" and self.text.isascii() and self.text.upper() in _KEYWORDS:
            return self.text.upper()
        return None


def check_query(query: str, *, write: bool = False) -> None:
    """Refuse `query` unless it only reads the graph (or, with `write`, only changes its rows).

    Example:
        >>> check_query("MATCH (c:Concept) RETURN c.name AS update ORDER BY update LIMIT 3")
        >>> check_query("LOAD '/tmp/x.so'")
        Traceback (most recent call last):
        ...
        kg.errors.QueryError: refused at line 1, column 1 ('LOAD'): kg query runs reading Cypher only: MATCH, OPTIONAL MATCH, WHERE, WITH, UNWIND, RETURN, ORDER BY, SKIP, LIMIT, UNION and CALL show_tables()/table_info(); with --write also CREATE, MERGE, SET and DELETE; never LOAD, COPY, ATTACH or INSTALL.
    """
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query has {len(query):,} characters; kg query takes at most {MAX_QUERY_CHARS:,}"
        )
    try:
        _Parser(query, _tokenize(query), write=write).statements()
    except RecursionError:
        raise QueryError("the query nests too deeply for kg to check it; flatten it") from None
    except QueryError as err:
        from kg.stores.dialect import advice_message

        advice = advice_message(query)  # Neo4j's Cypher the embedded engine lacks: what to write
        if advice is None:
            raise
        raise QueryError(f"{advice}. ({err})") from None


def plan_operators(plan: str) -> tuple[list[str], list[str]]:
    """The operator names and table-function names in the engine's EXPLAIN text."""
    operators = re.findall(r"([A-Z][A-Z_]+)\[\d+\]", plan)
    functions = re.findall(r"Function:\s*([A-Z_][A-Z0-9_]*)", plan)
    return operators, functions


def check_plan(plan: str, *, write: bool = False) -> None:
    """Refuse a plan with an operator that does more than read (or, with `write`, change rows)."""
    operators, functions = plan_operators(plan)
    if not operators:
        raise QueryError("the engine gave no plan for the query; it cannot be checked, so not run")
    allowed = _READ_OPERATORS | (_WRITE_OPERATORS if write else frozenset())
    for op in operators:
        if op not in allowed:
            what = "changes the graph" if op in _WRITE_OPERATORS else "does more than read"
            fix = "pass --write to allow it" if op in _WRITE_OPERATORS else _READ_HELP
            raise QueryError(f"the engine plans {op}, which {what}; {fix}")
    for fn in functions:
        if fn not in _PLAN_TABLE_FUNCTIONS:
            raise QueryError(f"the query calls the table function {fn}; {_READ_HELP}")


def _tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch in _WHITESPACE:
            i += 1
        elif query.startswith("//", i):
            while i < n and query[i] not in "\r\n":
                i += 1
        elif query.startswith("/*", i):
            close = query.find("*/", i + 2)
            if close < 0:
                _fail(query, i, "a /* comment is not closed", "close it with */")
            i = close + 2
        elif ch in "'\"":
            i = _string(query, i, tokens)
        elif ch == "`":
            start = i
            while i < n and query[i] == "`":
                close = query.find("`", i + 1)
                if close < 0:
                    _fail(query, start, "a `name` is not closed", "close it with `")
                i = close + 1
            tokens.append(_Token("name", query[start:i], start))
        elif ch == "$":
            match = _PARAMETER.match(query, i)
            if match is None:
                _fail(query, i, "'$' must start a parameter name", "write $name")
            tokens.append(_Token("param", match.group(), i))
            i = match.end()
        elif ch.isdigit() or (ch == "." and i + 1 < n and query[i + 1].isdigit()):
            match = _NUMBER.match(query, i)
            assert match is not None  # a digit always matches
            tokens.append(_Token("number", match.group(), i))
            i = match.end()
        elif _starts_name(ch):
            start = i
            i += 1
            while i < n and _continues_name(query[i]):
                i += 1
            tokens.append(_Token("word", query[start:i], start))
        elif query[i : i + 2] in _PUNCT:
            tokens.append(_Token("punct", query[i : i + 2], i))
            i += 2
        elif ch in _SINGLE:
            tokens.append(_Token("punct", ch, i))
            i += 1
        else:
            _fail(query, i, f"unexpected character {ch!r}", "remove it")
    tokens.append(_Token("end", "", n))
    return tokens


def _string(query: str, i: int, tokens: list[_Token]) -> int:
    quote, start, n = query[i], i, len(query)
    i += 1
    while i < n and query[i] != quote:
        if query[i] == "\\":
            nxt = query[i + 1 : i + 2]
            if nxt in _ESCAPES:
                i += 2
                continue
            hexes = {"x": 2, "X": 2, "u": 4, "U": 4}.get(nxt)
            if hexes and re.fullmatch(r"[0-9A-Fa-f]+", query[i + 2 : i + 2 + hexes] or "-"):
                long = query[i + 2 : i + 10]
                i += 10 if nxt in "uU" and re.fullmatch(r"[0-9A-Fa-f]{8}", long) else 2 + hexes
                continue
            _fail(query, i, f"the escape \\{nxt} is not allowed in a string", "write \\\\ for \\")
        i += 1
    if i >= n:
        _fail(query, start, "a string is not closed", f"close it with {quote}")
    tokens.append(_Token("string", query[start : i + 1], start))
    return i + 1


def _starts_name(ch: str) -> bool:
    return ch.isidentifier() or unicodedata.category(ch) == "Pc"


def _continues_name(ch: str) -> bool:
    return ("a" + ch).isidentifier() or unicodedata.category(ch) in ("Sc", "Pc")


def _where(query: str, pos: int) -> str:
    line = query.count("\n", 0, pos) + 1
    column = pos - (query.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def _fail(query: str, pos: int, what: str, fix: str) -> NoReturn:
    raise QueryError(f"cannot read the query at {_where(query, pos)}: {what}; {fix}")


class _Parser:
    """A recognizer of the reading (and, with write, row-changing) part of the engine's grammar."""

    def __init__(self, query: str, tokens: list[_Token], *, write: bool) -> None:
        self.query, self.tokens, self.write, self.i = query, tokens, write, 0
        self.backtracks = 0

    # -- tokens
    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> _Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def is_kw(self, *words: str, k: int = 0) -> bool:
        return self.peek(k).keyword in words

    def is_p(self, *puncts: str, k: int = 0) -> bool:
        tok = self.peek(k)
        return tok.kind == "punct" and tok.text in puncts

    def take_kw(self, *words: str) -> bool:
        if self.is_kw(*words):
            self.i += 1
            return True
        return False

    def take_p(self, *puncts: str) -> bool:
        if self.is_p(*puncts):
            self.i += 1
            return True
        return False

    def need_kw(self, word: str) -> None:
        if not self.take_kw(word):
            self.refuse(f"expected {word}")

    def need_p(self, punct: str) -> None:
        if not self.take_p(punct):
            self.refuse(f"expected '{punct}'")

    def refuse(self, what: str = "") -> NoReturn:
        tok = self.tok
        if not self.write and tok.keyword in _ROW_WRITES:
            raise QueryError(
                f"The query writes to the graph ({tok.keyword}, at {_where(self.query, tok.pos)}); "
                "pass --write to allow it."
            )
        shown = repr(tok.text[:40]) if tok.kind != "end" else "the end"
        detail = f"{what}; " if what else ""
        raise QueryError(
            f"refused at {_where(self.query, tok.pos)} ({shown}): {detail}{_READ_HELP}; {_WRITE_HELP}."
        )

    def is_name(self, k: int = 0) -> bool:
        tok = self.peek(k)
        if tok.kind == "name":
            return True
        return tok.kind == "word" and (tok.keyword is None or tok.keyword in _NON_RESERVED)

    def name(self) -> None:
        if not self.is_name():
            self.refuse("expected a name")
        self.i += 1

    # -- statements and clauses
    def statements(self) -> None:
        self.query_()
        self.take_p(";")
        if self.tok.kind != "end":
            self.refuse("one query at a time" if self.tokens[self.i - 1].text == ";" else "")

    def query_(self) -> None:
        self.single_query()
        while self.take_kw("UNION"):
            self.take_kw("ALL")
            self.single_query()

    def single_query(self) -> None:
        clauses = 0
        while True:
            if self.is_kw("MATCH") or self.is_kw("OPTIONAL"):
                self.match()
            elif self.take_kw("UNWIND"):
                self.expression()
                self.need_kw("AS")
                self.name()
            elif self.is_kw("CALL"):
                self.call()
            elif self.take_kw("WITH"):
                self.projection()
                if self.take_kw("WHERE"):
                    self.expression()
            elif self.take_kw("RETURN"):
                self.projection()
                return
            elif self.write and self.is_kw("CREATE", "MERGE", "SET", "DELETE", "DETACH"):
                self.updating()
            else:
                if clauses == 0 or not (
                    self.is_kw("UNION") or self.is_p(";") or self.tok.kind == "end"
                ):
                    self.refuse()
                return
            clauses += 1

    def match(self) -> None:
        self.take_kw("OPTIONAL")
        self.need_kw("MATCH")
        self.pattern()
        if self.take_kw("WHERE"):
            self.expression()

    def call(self) -> None:
        self.need_kw("CALL")
        tok = self.tok
        if not self.is_name() or not self.is_p("(", k=1):
            self.refuse("CALL takes a catalogue function such as show_tables()")
        if tok.text.upper() not in SAFE_TABLE_FUNCTIONS:
            raise QueryError(
                f"refused at {_where(self.query, tok.pos)} ({tok.text!r}): CALL may only use "
                f"{', '.join(sorted(f.lower() for f in SAFE_TABLE_FUNCTIONS))}; {_READ_HELP}."
            )
        self.i += 1
        self.arguments()
        if self.take_kw("WHERE"):
            self.expression()
        if self.take_kw("YIELD"):
            self.yield_item()
            while self.take_p(","):
                self.yield_item()

    def yield_item(self) -> None:
        self.name()
        if self.take_kw("AS"):
            self.name()

    def updating(self) -> None:
        if self.take_kw("CREATE"):
            self.pattern()
        elif self.take_kw("MERGE"):
            self.pattern()
            while self.take_kw("ON"):
                if not self.take_kw("MATCH"):
                    self.need_kw("CREATE")
                self.set_clause()
        elif self.is_kw("SET"):
            self.set_clause()
        else:
            self.take_kw("DETACH")
            self.need_kw("DELETE")
            self.expression()
            while self.take_p(","):
                self.expression()

    def set_clause(self) -> None:
        self.need_kw("SET")
        while True:
            self.unary()  # a property lookup, or an atom before '= {…}'
            self.need_p("=")
            self.expression()
            if not self.take_p(","):
                return

    def projection(self) -> None:
        self.take_kw("DISTINCT")
        if self.take_p("*"):
            while self.take_p(","):
                self.projection_item()
        else:
            self.projection_item()
            while self.take_p(","):
                self.projection_item()
        if self.take_kw("ORDER"):
            self.need_kw("BY")
            self.sort_item()
            while self.take_p(","):
                self.sort_item()
        if self.take_kw("SKIP"):
            self.expression()
        if self.take_kw("LIMIT"):
            self.expression()

    def projection_item(self) -> None:
        self.expression()
        if self.take_kw("AS"):
            self.name()

    def sort_item(self) -> None:
        self.expression()
        self.take_kw("ASC", "ASCENDING", "DESC", "DESCENDING")

    # -- patterns
    def pattern(self) -> None:
        self.pattern_part()
        while self.take_p(","):
            self.pattern_part()

    def pattern_part(self) -> None:
        if self.is_name() and self.is_p("=", k=1):
            self.i += 2
        self.pattern_element()

    def pattern_element(self) -> None:
        if self.is_p("(") and self.is_p("(", k=1):
            self.i += 1
            self.pattern_element()
            self.need_p(")")
            return
        self.node_pattern()
        while self.is_p("-", "<"):
            self.relationship()
            self.node_pattern()

    def node_pattern(self) -> None:
        self.need_p("(")
        if self.is_name():
            self.i += 1
        if self.is_p(":"):
            self.labels()
        if self.is_p("{"):
            self.properties()
        self.need_p(")")

    def labels(self) -> None:
        self.need_p(":")
        self.name()
        while self.is_p("|", ":"):
            if self.take_p("|"):
                self.take_p(":")
            else:
                self.need_p(":")
            self.name()

    def relationship(self) -> None:
        self.take_p("<")
        self.need_p("-")
        if self.take_p("["):
            if self.is_name():
                self.i += 1
            if self.is_p(":"):
                self.labels()
            if self.take_p("*"):
                self.recursive_detail()
            if self.is_p("{"):
                self.properties()
            self.need_p("]")
        self.need_p("-")
        self.take_p(">")

    def recursive_detail(self) -> None:
        if self.take_kw("ALL"):
            if not self.take_kw("SHORTEST"):
                self.weighted_shortest()
        elif self.is_kw("WSHORTEST"):
            self.weighted_shortest()
        else:
            self.take_kw("SHORTEST", "TRAIL", "ACYCLIC")
        if self.tok.kind == "number":
            self.i += 1
            if self.take_p(".."):
                self.take_number()
        elif self.take_p(".."):
            self.take_number()
        if self.take_p("("):
            self.name()
            self.need_p(",")
            self.name()
            if self.take_p("|"):
                if self.take_kw("WHERE"):
                    self.expression()
                    if not self.take_p("|"):
                        self.need_p(")")
                        return
                self.recursive_projection()
                self.need_p(",")
                self.recursive_projection()
            self.need_p(")")

    def weighted_shortest(self) -> None:
        self.need_kw("WSHORTEST")
        self.need_p("(")
        self.name()
        self.need_p(")")

    def recursive_projection(self) -> None:
        self.need_p("{")
        if not self.is_p("}"):
            self.projection_item()
            while self.take_p(","):
                self.projection_item()
        self.need_p("}")

    def take_number(self) -> None:
        if self.tok.kind == "number":
            self.i += 1

    def properties(self) -> None:
        self.need_p("{")
        if not self.is_p("}"):
            self.map_entry()
            while self.take_p(","):
                self.map_entry()
        self.need_p("}")

    def map_entry(self) -> None:
        if self.tok.kind == "string":
            self.i += 1
        else:
            self.name()
        self.need_p(":")
        self.expression()

    # -- expressions (operator precedence does not matter to a recognizer)
    def expression(self) -> None:
        self.not_expression()
        while self.take_kw("OR", "XOR", "AND"):
            self.not_expression()

    def not_expression(self) -> None:
        while self.take_kw("NOT"):
            pass
        self.expression_()

    def expression_(self) -> None:
        self.unary()
        while True:
            if self.take_p(*_BINARY) or self.take_kw("IN", "CONTAINS"):
                self.unary()
            elif self.is_kw("STARTS", "ENDS"):
                self.i += 1
                self.need_kw("WITH")
                self.unary()
            elif self.is_kw("IS"):
                self.i += 1
                self.take_kw("NOT")
                self.need_kw("NULL")
            else:
                return

    def unary(self) -> None:
        while self.take_p("-", "+"):
            pass
        self.atom()
        while True:
            if self.take_p("."):
                if not self.take_p("*"):
                    self.name()
            elif self.take_p("["):
                if not self.is_p(":", ".."):
                    self.expression()
                if self.take_p(":", "..") and not self.is_p("]"):
                    self.expression()
                self.need_p("]")
            elif self.take_p("!"):
                pass
            else:
                return

    def atom(self) -> None:
        tok = self.tok
        if tok.kind in ("string", "number", "param") or tok.keyword in ("TRUE", "FALSE", "NULL"):
            self.i += 1
        elif tok.keyword == "CASE":
            self.case()
        elif tok.keyword in ("EXISTS", "COUNT") and self.is_p("{", k=1):
            self.i += 2
            self.need_kw("MATCH")
            self.pattern()
            if self.take_kw("WHERE"):
                self.expression()
            self.need_p("}")
        elif tok.keyword in ("ALL", "ANY", "NONE", "SINGLE") and self.is_p("(", k=1):
            self.i += 2
            self.name()
            self.need_kw("IN")
            self.expression()
            self.need_kw("WHERE")
            self.expression()
            self.need_p(")")
        elif tok.kind == "punct" and tok.text == "[":
            self.i += 1
            if not self.is_p("]"):
                self.expression()
                while self.take_p(","):
                    if not self.is_p(",", "]"):
                        self.expression()
            self.need_p("]")
        elif tok.kind == "punct" and tok.text == "{":
            self.properties()
        elif tok.kind == "punct" and tok.text == "(":
            self.parenthesized_or_path()
        elif (tok.keyword == "CAST" or self.is_name()) and self.is_p("(", k=1):
            self.function_call()
        elif self.is_name():
            self.i += 1
        else:
            self.refuse("expected a value")

    def case(self) -> None:
        self.need_kw("CASE")
        if not self.is_kw("WHEN"):
            self.expression()
        while self.take_kw("WHEN"):
            self.expression()
            self.need_kw("THEN")
            self.expression()
        if self.take_kw("ELSE"):
            self.expression()
        self.need_kw("END")

    def parenthesized_or_path(self) -> None:
        start = self.i
        try:
            self.node_pattern()
            if self.is_p("-", "<") and (self.is_p("-", "[", k=1) or self.is_p("-", k=2)):
                while self.is_p("-", "<"):
                    self.relationship()
                    self.node_pattern()
                return
        except QueryError:
            self.backtracks += 1
            if self.backtracks > _MAX_BACKTRACKS:
                raise QueryError(
                    "the query is too intricate for kg to check; simplify it"
                ) from None
        self.i = start
        self.need_p("(")
        self.expression()
        self.need_p(")")

    def function_call(self) -> None:
        tok = self.tok
        name = tok.text.upper() if tok.kind == "word" else tok.text.strip("`").upper()
        if name == "CAST":
            self.i += 2
            self.expression()
            if self.take_kw("AS"):
                self.data_type()
            else:
                self.need_p(",")
                self.expression()
            self.need_p(")")
            return
        if name not in SAFE_FUNCTIONS:
            raise QueryError(
                f"refused at {_where(self.query, tok.pos)} ({tok.text!r}): {tok.text}() is not a "
                "function kg query allows; it allows the engine's functions that compute on their "
                "arguments (string, list, math, date, aggregate and path functions)."
            )
        self.i += 1
        self.arguments()

    def arguments(self) -> None:
        self.need_p("(")
        if self.take_p(")"):
            return
        if self.is_p("*") and self.is_p(")", k=1):
            self.i += 2
            return
        self.take_kw("DISTINCT")
        self.argument()
        while self.take_p(","):
            self.argument()
        self.need_p(")")

    def argument(self) -> None:
        named = self.is_name() and self.is_p(":", k=1) and self.is_p("=", k=2)
        if named or (self.is_name() and self.is_p("-", k=1) and self.is_p(">", k=2)):
            self.i += 3
        elif self.is_p("("):  # a lambda over several variables: (x, y) -> …
            start = self.i
            self.i += 1
            while self.is_name() and self.is_p(",", ")", k=1):
                self.i += 1
                if self.take_p(")"):
                    break
                self.i += 1
            if self.is_p("-") and self.is_p(">", k=1) and self.tokens[self.i - 1].text == ")":
                self.i += 2
            else:
                self.i = start
        self.expression()

    def data_type(self) -> None:
        if self.take_kw("STRUCT", "UNION", "MAP", "DECIMAL"):
            self.need_p("(")
            depth = 1
            while depth:
                tok = self.tok
                punct_ok = tok.kind != "punct" or tok.text in ("(", ")", ",", "[", "]")
                if tok.kind not in ("word", "number", "punct") or not punct_ok:
                    self.refuse("expected a type")
                depth += {"(": 1, ")": -1}.get(tok.text, 0) if tok.kind == "punct" else 0
                self.i += 1
        else:
            self.name()
        while self.take_p("["):
            self.take_number()
            self.need_p("]")

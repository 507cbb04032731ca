"""Named Cypher queries (cypher/NAME.cypher), running them on a store, and their results as text.

A named query file starts with a header of `//` lines:

    // name: top-concepts
    // description: Most-mentioned concepts, optionally of one type.
    // params: type (string, default ''; '' for all), limit (int, default 20)
    // columns: name, type, papers

A parameter is `NAME (TYPE[, default VALUE | , optional][; note])` with TYPE one of string, int,
float, bool, list; without a default it is required. `cypher/<engine>/NAME.cypher` replaces the
query text on that engine (shortest paths differ between LadybugDB and Neo4j).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KGError
from kg.stores import GraphStore, QueryResult, cypher_dir

if TYPE_CHECKING:
    from kg.sandbox import Limits

__all__ = [
    "NamedQuery",
    "format_csv",
    "format_json",
    "format_table",
    "list_queries",
    "load_query",
    "parse_param",
    "read_query",
    "run_query",
    "run_user_query",
]

SCHEMA_FILE = "schema.cypher"
_TYPES = ("string", "int", "float", "bool", "list")
_EMPTY: dict[str, object] = {"string": "", "int": 0, "float": 0.0, "bool": False, "list": []}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?")
_PARAM_ITEM = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """One query file: its text, what it does, its parameters and result columns.

    `params` holds (name, spec) in header order, spec as written, e.g. "int, default 20".
    `overrides` holds (engine, text) for engines whose text differs.
    """

    name: str
    text: str
    description: str
    params: tuple[tuple[str, str], ...]
    columns: tuple[str, ...]
    overrides: tuple[tuple[str, str], ...] = ()

    def text_for(self, engine: str) -> str:
        """The query text to run on `engine` ("ladybug", "neo4j")."""
        return dict(self.overrides).get(engine, self.text)

    def defaults(self) -> dict[str, object]:
        """The optional parameters and the values they take when not given."""
        out = {}
        for name, spec in self.params:
            _, has_default, value = _parse_spec(spec)
            if has_default:
                out[name] = value
        return out

    def bind(self, given: Mapping[str, object]) -> dict[str, object]:
        """Every parameter's value: `given` checked and typed, defaults filled in."""
        specs = dict(self.params)
        unknown = sorted(set(given) - set(specs))
        if unknown:
            known = ", ".join(specs) or "none"
            raise KGError(
                f"Query {self.name!r} has no parameter {unknown[0]!r}; its parameters: {known}."
            )
        values = {**self.defaults(), **{k: v for k, v in given.items() if v is not None}}
        missing = [name for name in specs if name not in values]
        if missing:
            flags = " ".join(f"--param {name}=VALUE" for name in missing)
            raise KGError(f"Query {self.name!r} needs {flags}.")
        return {name: _coerce(self.name, name, values[name], specs[name]) for name in specs}


def list_queries() -> tuple[NamedQuery, ...]:
    """Every named query in the cypher folder, sorted by name."""
    folder = cypher_dir()
    return tuple(
        read_query(path) for path in sorted(folder.glob("*.cypher")) if path.name != SCHEMA_FILE
    )


def load_query(name: str) -> NamedQuery:
    """The named query `name`; an unknown name is an error listing the known ones."""
    path = cypher_dir() / f"{name}.cypher"
    is_name = re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name) is not None
    if name == Path(SCHEMA_FILE).stem or not is_name or not path.is_file():
        known = ", ".join(q.name for q in list_queries())
        raise KGError(f"No named query {name!r}. Known queries: {known}.")
    return read_query(path)


def parse_param(text: str) -> tuple[str, object]:
    """Split a `--param name=value` into its name and typed value.

    Integers, floats, true/false, null and JSON lists are typed; a value in quotes stays text.

    Example:
        >>> parse_param("limit=10"), parse_param("type=Dataset"), parse_param("x=[1, 2]")
        (('limit', 10), ('type', 'Dataset'), ('x', [1, 2]))
        >>> parse_param("name='2017'"), parse_param("on=true"), parse_param("w=0.5")
        (('name', '2017'), ('on', True), ('w', 0.5))
    """
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or _NAME.fullmatch(name) is None:
        raise KGError(f"--param expects name=value, got {text!r}; for example --param limit=10.")
    return name, _typed_value(raw, where=f"--param {name}")


def _typed_value(raw: str, *, where: str) -> object:
    lowered = raw.strip().lower()
    words: dict[str, object] = {"true": True, "false": False, "null": None}
    if lowered in words:
        return words[lowered]
    if _INT.fullmatch(raw.strip()):
        return int(raw)
    if _FLOAT.fullmatch(raw.strip()):
        return float(raw)
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    if raw.strip().startswith("["):
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, RecursionError) as err:
            what = err.msg if isinstance(err, json.JSONDecodeError) else "nested too deeply"
            raise KGError(
                f'{where}: {raw[:80]!r} is not a JSON list ({what}); write it like ["a", 1].'
            ) from None
    return raw


def run_query(
    store: GraphStore,
    query: str | NamedQuery,
    params: Mapping[str, object] | None = None,
    *,
    write: bool = False,
) -> QueryResult:
    """Run Cypher text, or a named query with its defaults filled in, on `store`."""
    if isinstance(query, NamedQuery):
        return store.run(query.text_for(store.engine), query.bind(params or {}), write=write)
    return store.run(query, params, write=write)


def run_user_query(
    store: GraphStore,
    query: str | NamedQuery,
    params: Mapping[str, object] | None = None,
    *,
    write: bool = False,
    limits: Limits | None = None,
) -> QueryResult:
    """Run a user's query: on the embedded database in a bounded child process (kg.sandbox),
    on a server through its store. `store` is closed afterwards."""
    from kg.sandbox import Limits, run_isolated
    from kg.stores.cypher_guard import check_query
    from kg.stores.ladybug_store import LadybugStore

    try:
        if not isinstance(store, LadybugStore):
            return run_query(store, query, params, write=write)
        if isinstance(query, NamedQuery):
            text, values = query.text_for(store.engine), query.bind(params or {})
        else:
            text, values = query, dict(params or {})
        store.close()
        check_query(text, write=write)  # refused here without starting a process
        return run_isolated(store.path, text, values, write=write, limits=limits or Limits())
    finally:
        store.close()


def format_table(result: QueryResult, *, max_width: int = 60) -> str:
    """An aligned text table, long cells cut at `max_width`, with a row count under it."""
    cells = [[_cell(v, max_width) for v in row] for row in result.rows]
    widths = [
        max([len(col), *(len(row[i]) for row in cells)]) for i, col in enumerate(result.columns)
    ]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in result.rows)
        for i in range(len(result.columns))
    ]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    n = len(result.rows)
    out = [line(list(result.columns)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    out.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(out)


def format_json(result: QueryResult) -> str:
    """The rows as a JSON array of objects (UTF-8 text, not escaped)."""
    return json.dumps(result.as_dicts(), ensure_ascii=False, indent=2, default=str)


def format_csv(result: QueryResult) -> str:
    """The rows as CSV with a header; lists and maps are JSON, null is empty."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([_csv_value(v) for v in row] for row in result.rows)
    return buf.getvalue()


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _cell(value: object, max_width: int) -> str:
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, list):
        text = ", ".join(_cell(v, max_width) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    text = " ".join(text.split())  # one line per row, whatever the text holds
    return text if len(text) <= max_width else text[: max_width - 1] + "…"


def read_query(path: Path) -> NamedQuery:
    """The named query in the file at `path`, with its overrides from sibling engine folders."""
    text = path.read_text(encoding="utf-8")
    header, body = _split_header(path, text)
    for key in ("name", "description", "columns"):
        if key not in header:
            raise KGError(f"{path}:1: header has no '// {key}:' line; add one (see cypher/*).")
    name = header["name"][1]
    if name != path.stem:
        raise KGError(
            f"{path}:{header['name'][0]}: name {name!r} differs from the file name; rename one."
        )
    params = _parse_params(path, *header.get("params", (1, "")))
    columns = tuple(c.strip() for c in header["columns"][1].split(",") if c.strip())
    overrides = tuple(
        (sub.parent.name, _split_header(sub, sub.read_text(encoding="utf-8"))[1])
        for sub in sorted(path.parent.glob(f"*/{path.name}"))
    )
    return NamedQuery(name, body, header["description"][1], params, columns, overrides)


def _split_header(path: Path, text: str) -> tuple[dict[str, tuple[int, str]], str]:
    """The `// key: value` lines at the top (with their line numbers) and the query after them."""
    lines = text.splitlines()
    header: dict[str, tuple[int, str]] = {}
    n = 0
    while n < len(lines) and lines[n].lstrip().startswith("//"):
        key, sep, value = lines[n].lstrip()[2:].partition(":")
        if sep and _NAME.fullmatch(key.strip()):
            header[key.strip()] = (n + 1, value.strip())
        n += 1
    body = "\n".join(lines[n:]).strip()
    if not body:
        raise KGError(f"{path}:{n + 1}: no query after the header; write the Cypher below it.")
    return header, body + "\n"


def _parse_params(path: Path, line: int, text: str) -> tuple[tuple[str, str], ...]:
    params = []
    for item in _split_top_level(text):
        match = _PARAM_ITEM.fullmatch(item)
        if match is None:
            raise KGError(
                f"{path}:{line}: cannot read parameter {item.strip()!r}; "
                "write it as name (type, default value)."
            )
        name, spec = match.group(1), " ".join(match.group(2).split())
        try:
            _parse_spec(spec)
        except KGError as err:
            raise KGError(f"{path}:{line}: parameter {name!r}: {err}") from None
        params.append((name, spec))
    return tuple(params)


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses: "a (int, default 1), b (string)" -> two items."""
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [item for item in items if item.strip()]


def _parse_spec(spec: str) -> tuple[str, bool, object]:
    """(type, has_default, default) of a spec like "string, default ''; '' for all"."""
    head = spec.split(";", 1)[0]
    kind, *flags = (part.strip() for part in head.split(","))
    if kind not in _TYPES:
        raise KGError(f"type {kind!r} is not one of {', '.join(_TYPES)}")
    for flag in flags:
        if flag == "optional":
            return kind, True, [] if kind == "list" else _EMPTY[kind]
        if flag.startswith("default "):
            return kind, True, _typed_value(flag.removeprefix("default ").strip(), where=spec)
        if flag != "required":
            raise KGError(f"cannot read {flag!r}; write 'default VALUE', 'optional' or 'required'")
    return kind, False, None


def _coerce(query: str, name: str, value: object, spec: str) -> object:
    """`value` as the declared type; a number given for a string stays the text it was."""
    kind = _parse_spec(spec)[0]
    if kind == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if kind == "string" and isinstance(value, int | float):
        return str(value)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    expected = {"string": str, "int": int, "float": float, "bool": bool, "list": list}[kind]
    if not isinstance(value, expected) or (kind == "int" and isinstance(value, bool)):
        raise KGError(
            f"Query {query!r}: parameter {name!r} takes {kind} values, got {value!r}; "
            f"pass --param {name}=<{kind}>."
        )
    return value

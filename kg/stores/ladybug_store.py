"""The embedded graph: a LadybugDB database file, bulk-loaded from GraphData and queried in Cypher.

`write` builds a complete new database in a temporary folder beside the target and moves it into
place only after it is checkpointed and closed, so a failed write leaves the old graph as it was.
Each table is filled by one `COPY <table> FROM (UNWIND ... RETURN ...)` whose values arrive as
typed list parameters: text stays byte-exact (no CSV quoting) at COPY speed. See
tests/bench/bench_query.py for the numbers behind that choice.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from kg.errors import BuildDirError, KGError, QueryError
from kg.stores import DB_FILENAME, DEFAULT_TIMEOUT_S, QueryResult, cypher_dir
from kg.stores.cypher_guard import check_plan, check_query
from kg.stores.cypher_scan import query_params, split_statements
from kg.vocab import CO_OCCURS, MENTIONS, PAPER, SOURCE, TARGET, table_rows

if TYPE_CHECKING:
    import ladybug

    from kg.graph import GraphData

log = logging.getLogger(__name__)

# Files LadybugDB keeps beside the database file; stale ones must not outlive a replaced database.
_SIDE_SUFFIXES = (".wal", ".wal.checkpoint", ".shadow", ".tmp")
_HINTS = (
    ("Cannot find property", "the embedded graph has only the properties in cypher/schema.cypher"),
    ("does not exist", "tables are Paper, Concept, MENTIONS and CO_OCCURS"),
    ("Parser exception", "check the Cypher; LadybugDB lacks some Neo4j syntax (FOREACH, CALL {})"),
    ("Binder exception", "check names and types against cypher/schema.cypher"),
    ("read-only", "pass --write to open the graph for writing"),
    (
        "buffer pool is full",
        "the query needs more memory than it may use; narrow it or raise --memory",
    ),
)


class LadybugStore:
    """A LadybugDB database file; opened lazily, read-only unless asked otherwise."""

    engine = "ladybug"

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        buffer_pool_mb: int = 0,
        max_rows: int | None = None,
    ) -> None:
        self.path = path
        self.read_only = read_only
        self.timeout_s = timeout_s
        self.buffer_pool_mb = buffer_pool_mb  # 0: the engine's default (most of the memory)
        self.max_rows = max_rows
        self._db: ladybug.Database | None = None
        self._conn: ladybug.Connection | None = None
        self._props: dict[str, tuple[str, ...]] = {}

    @classmethod
    def open(
        cls, path: Path, *, read_only: bool = False, timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> LadybugStore:
        """A store for the database file at `path` (or `path/graph.lbug` for a folder)."""
        if path.is_dir():
            path = path / DB_FILENAME
        if read_only and not path.is_file():
            raise BuildDirError(f"No graph database at '{path}'. Run 'kg build' to create it.")
        return cls(path, read_only=read_only, timeout_s=timeout_s)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection and the database; the next `run` opens them again."""
        if self._conn is not None:
            self._conn.close()
        if self._db is not None:
            self._db.close()
        self._conn = self._db = None

    def write(self, data: GraphData, *, on_batch: Callable[[str, int], None] | None = None) -> None:
        """Replace the database with `data`, bulk-loaded into a new file moved into place.

        Args:
            on_batch: called with (table name, rows written) after each COPY, for progress.
        """
        if self.read_only:
            raise KGError(f"'{self.path}' is open read-only; open it without read_only to write.")
        _check_keys(data)
        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", dir=self.path.parent))
        try:
            _bulk_load(tmp / self.path.name, data, on_batch=on_batch)
            _install(tmp / self.path.name, self.path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        log.info(
            "wrote %d papers, %d concepts to %s", len(data.papers), len(data.concepts), self.path
        )

    def run(
        self, query: str, params: Mapping[str, object] | None = None, *, write: bool = False
    ) -> QueryResult:
        """Run one Cypher query and return its rows as plain Python values.

        The query is parsed first (`check_query`: only reading, or with `write` only changing
        rows; never files, extensions or settings), then the engine's plan for it is checked
        (`check_plan`), and only then is it run.
        """
        check_query(query, write=write)
        if write and self.read_only:
            raise QueryError(
                f"'{self.path}' is open read-only; pass --write to open it for writing."
            )
        bound = _bind(query, params or {})
        conn = self._connection()
        try:
            plan = conn.execute(f"EXPLAIN {query}", bound)
            assert not isinstance(plan, list)  # check_query lets one statement through
            first: Any = plan.get_all()[0]
            check_plan(str(first[0]), write=write)
            plan.close()
            result = conn.execute(query, bound)
        except RuntimeError as err:
            from kg.stores.dialect import advice_message

            advice = advice_message(query)  # a Neo4j form the engine lacks: what to write instead
            message = _message(err, self.timeout_s)
            raise QueryError(f"{advice}. ({message})" if advice else message) from err
        assert not isinstance(result, list)
        columns = tuple(result.get_column_names())
        rows: list[tuple[object, ...]] = []
        while result.has_next():
            if self.max_rows is not None and len(rows) >= self.max_rows:
                result.close()
                raise QueryError(
                    f"The query returns more than {self.max_rows:,} rows; add a LIMIT, "
                    "or raise --max-rows."
                )
            rows.append(tuple(self._plain(value) for value in result.get_next()))
        result.close()
        return QueryResult(columns, tuple(rows))

    def _connection(self) -> ladybug.Connection:
        if self._conn is None:
            self._db, self._conn = _open(
                self.path, read_only=self.read_only, buffer_pool_mb=self.buffer_pool_mb
            )
            self._conn.set_query_timeout(max(0, round(self.timeout_s * 1000)))
        return self._conn

    def _plain(self, value: object) -> object:
        """A value from LadybugDB as plain Python: no Decimal, nodes/rels/paths as dicts."""
        if isinstance(value, Decimal):  # sum() of INT64 is an INT128 that arrives as Decimal
            return int(value) if int(value.as_tuple().exponent) >= 0 else float(value)
        if isinstance(value, list):
            return [self._plain(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "_NODES" in value and "_RELS" in value:
            return {
                "nodes": [self._plain(n) for n in value["_NODES"]],
                "rels": [self._plain(r) for r in value["_RELS"]],
            }
        if "_LABEL" in value and "_ID" in value:
            keep = self._properties(str(value["_LABEL"]))
            return {k: self._plain(v) for k, v in value.items() if k in keep}
        return {k: self._plain(v) for k, v in value.items()}

    def _properties(self, label: str) -> tuple[str, ...]:
        """Declared properties of a table (a path's nodes carry every table's, mostly null)."""
        if label not in self._props:
            rows = _fetch(self._connection(), f"CALL table_info('{label}') RETURN name")
            self._props[label] = tuple(str(row[0]) for row in rows)
        return self._props[label]


def _open(
    path: Path, *, read_only: bool, buffer_pool_mb: int = 0
) -> tuple[ladybug.Database, ladybug.Connection]:
    import ladybug

    is_new = not path.exists()
    pool, reserve = (buffer_pool_mb << 20, max_db_size(path)) if buffer_pool_mb else (0, None)
    try:  # a bounded engine: its memory pool and its address space reservation
        db = ladybug.Database(
            str(path), read_only=read_only, buffer_pool_size=pool, max_db_size=reserve
        )
    except RuntimeError as err:
        raise BuildDirError(
            f"Cannot open the graph database '{path}': {_first_line(err)}. "
            "Close other programs using it, or rebuild it with 'kg build'."
        ) from err
    conn = ladybug.Connection(db)
    if is_new:
        for statement in schema_statements():
            conn.execute(statement)
    return db, conn


def max_db_size(path: Path) -> int:
    """The address space to reserve for the database at `path`: a power of two, at least 1 GiB
    and four times the file (the engine reserves 8 TiB unless told, which no memory limit allows).
    """
    size = path.stat().st_size if path.exists() else 0
    return 1 << max(30, (4 * size).bit_length())


def schema_statements() -> tuple[str, ...]:
    """The DDL statements of cypher/schema.cypher."""
    return split_statements((cypher_dir() / "schema.cypher").read_text(encoding="utf-8"))


def _bind(query: str, params: Mapping[str, object]) -> dict[str, Any]:
    """The parameters the query uses, as values LadybugDB accepts; a missing one is an error."""
    names = query_params(query)
    missing = [name for name in names if name not in params]
    if missing:
        flags = " ".join(f"--param {name}=VALUE" for name in missing)
        raise QueryError(f"The query uses ${missing[0]} but no value was given; pass {flags}.")
    return {name: _engine_value(params[name]) for name in names}


def _engine_value(value: object) -> object:
    if isinstance(value, tuple | list):
        return [_engine_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _engine_value(v) for k, v in value.items()}
    return value


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0].rstrip(".")


def _message(err: RuntimeError, timeout_s: float) -> str:
    text = _first_line(err)
    if text == "Interrupted":
        return f"The query ran past the {timeout_s:g} s timeout; add a LIMIT or narrow its MATCH."
    hint = next(
        (h for key, h in _HINTS if key in text), "check the query against cypher/schema.cypher"
    )
    return f"{text}; {hint}."


def _check_keys(data: GraphData) -> None:
    """Refuse rows LadybugDB would reject (and that crash a half-loaded database), naming them."""
    _unique("paper id", (p.id for p in data.papers))
    _unique("concept id", (c.id for c in data.concepts))
    papers = {p.id for p in data.papers}
    concepts = {c.id for c in data.concepts}
    for m in data.mentions:
        if m.paper_id not in papers or m.concept_id not in concepts:
            raise KGError(
                f"Cannot write the graph: mention {m.paper_id!r} -> {m.concept_id!r} "
                "names a paper or concept not in the data; rebuild the graph rows."
            )
    for e in data.co_occurs:
        if e.source not in concepts or e.target not in concepts:
            raise KGError(
                f"Cannot write the graph: co-occurrence {e.source!r} -- {e.target!r} "
                "names a concept not in the data; rebuild the graph rows."
            )


def _unique(what: str, keys: Iterable[str | None]) -> None:
    counts = Counter(keys)
    if None in counts:
        raise KGError(f"Cannot write the graph: a {what} is missing; every row needs one.")
    dup = next((key for key, n in counts.items() if n > 1), None)
    if dup is not None:
        raise KGError(
            f"Cannot write the graph: two rows share the {what} {dup!r}; "
            f"{what}s are the graph's keys, so merge or rename them."
        )


# Rows per COPY: while it copies, the engine holds about 30 KB per paper row, 7 KB per concept
# row and 2.4 KB per relationship row, and keeps that memory afterwards, so the biggest batch
# sets the peak. 10k papers (51k concepts, 555k relationships): 51k concepts in one COPY took
# 350 MB, 100k relationships 240 MB. In batches of 2,000 papers, 5,000 concepts and 25,000
# relationships the load peaked ~245 MB above the rows (12.7 s); in these ~190 MB (16.9 s).
# The page cache is left at the engine's default: capped at 256 MB, the 100k-paper benchmark's
# load failed in its checkpoint with "the buffer pool is full".
# Papers go in by CREATE, not COPY: a COPY into the Paper table costs more the more papers it
# already holds (their long abstracts), 101,000 papers in batches of 1,000 took 66-74 s by COPY
# and 23-29 s by CREATE, at the same peak; concepts (5.0-6.5 s against 6.8-7.8) and
# relationships (CREATE has to MATCH both ends: over 9 minutes for 1.06M mentions) by COPY.
# A relationship COPY also costs more the more rows its table holds: 1.06M mentions in COPYs of
# 10,000 took 46-50 s, of 30,000 25 s. So a table gets about ten COPYs, of 10,000 to 30,000 rows
# (`rel_batch`): at most ~70 MB held for the biggest, where 10k papers have ~105k mentions.
PAPER_BATCH = 1_000
NODE_BATCH = 2_000
ROW_BATCH = 10_000
MAX_ROW_BATCH = 30_000


def rel_batch(n_rows: int) -> int:
    """Rows per COPY into a relationship table of `n_rows` rows."""
    return min(MAX_ROW_BATCH, max(ROW_BATCH, n_rows // 10))


def _bulk_load(
    path: Path, data: GraphData, *, on_batch: Callable[[str, int], None] | None = None
) -> None:
    """Create the database at `path` and fill each table by COPY, in batches of rows."""
    db, conn = _open(path, read_only=False)
    try:
        rel_tables = {
            str(r[0]) for r in _fetch(conn, "CALL show_tables() RETURN name, type") if r[1] == "REL"
        }
        n_rels = {MENTIONS: len(data.mentions), CO_OCCURS: len(data.co_occurs)}
        for table, stream in table_rows(data):
            size = rel_batch(n_rels.get(table.name, 0)) if table.name in rel_tables else NODE_BATCH
            size = PAPER_BATCH if table.name == PAPER else size
            while rows := list(islice(stream, size)):  # COPY takes whole columns
                _insert(db, table.name, rows, is_rel=table.name in rel_tables)
                if on_batch is not None:
                    on_batch(table.name, len(rows))
        conn.execute("CHECKPOINT")
    except RuntimeError as err:
        raise KGError(
            f"Cannot write the graph to '{path.name}': {_first_line(err)}; "
            "the previous graph is unchanged."
        ) from err
    finally:
        conn.close()
        db.close()


def _insert(
    db: ladybug.Database, table: str, rows: list[dict[str, object]], *, is_rel: bool
) -> None:
    """Add rows to a table: papers by CREATE, the rest by COPY (see PAPER_BATCH)."""
    if table == PAPER:
        _create(db, table, rows)
    else:
        _copy(db, table, rows, is_rel=is_rel)


def _create(db: ladybug.Database, table: str, rows: list[dict[str, object]]) -> None:
    """CREATE a node per row; the rows travel as one list of structs, each value cast to its
    column's type (a struct's None or empty list has none of its own)."""
    import ladybug

    conn = ladybug.Connection(db)
    try:
        columns = table_columns(conn, table)
        structs = [{f"c{i}": row[name] for i, (name, _) in enumerate(columns)} for row in rows]
        sets = ", ".join(
            f"{name}: CAST(x.c{i} AS {kind})" for i, (name, kind) in enumerate(columns)
        )
        conn.execute(f"UNWIND $rows AS x CREATE (:{table} {{{sets}}})", {"rows": structs})
    finally:
        conn.close()


def _copy(db: ladybug.Database, table: str, rows: list[dict[str, object]], *, is_rel: bool) -> None:
    """COPY rows into a table from typed list parameters, one list per column.

    Each table gets a connection of its own: closing it frees the bound parameters (about five
    times the size of the text) before the next table is loaded.
    """
    import ladybug

    conn = ladybug.Connection(db)
    try:
        columns = table_columns(conn, table)
        if is_rel:  # keys of both endpoints come first; every key in the schema is a STRING
            columns = [(SOURCE, "STRING"), (TARGET, "STRING"), *columns]
        params: dict[str, object] = {
            f"c{i}": [row[name] for row in rows] for i, (name, _) in enumerate(columns)
        }
        picks = ", ".join(f"CAST($c{i} AS {kind}[])[i]" for i, (_, kind) in enumerate(columns))
        params["n"] = len(rows)
        conn.execute(f"COPY {table} FROM (UNWIND range(1, $n) AS i RETURN {picks})", params)
    finally:
        conn.close()


def table_columns(conn: ladybug.Connection, table: str) -> list[tuple[str, str]]:
    """(name, type) of each property of a table, in the schema's order (keys first for nodes)."""
    return [
        (str(name), str(kind))
        for name, kind in _fetch(conn, f"CALL table_info('{table}') RETURN name, type")
    ]


def _fetch(conn: ladybug.Connection, query: str) -> list[list[Any]]:
    result = conn.execute(query)
    if isinstance(result, list):
        result = result[-1]
    return [list(row) for row in result.get_all()]


def _install(new: Path, target: Path) -> None:
    """Move the closed new database over the target, dropping the old one's side files."""
    for suffix in _SIDE_SUFFIXES:
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    new.replace(target)
    for side in new.parent.glob(f"{new.name}.*"):
        side.replace(target.with_name(side.name))

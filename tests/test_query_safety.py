"""Hostile queries through `kg query` and `kg viz --query`: nothing outside the build is read,
written or loaded, the engine's memory is bounded, Ctrl-C and the timeout stop a query at once.

Every test runs the real CLI on a real build (the bundled sample) with canary files beside the build
folder, and an inotify watch on that outside folder proves that no query opened anything in it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import os
import random
import resource
import shutil
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.sandbox import Limits, run_isolated
from kg.stores.cypher_guard import SAFE_FUNCTIONS

pytestmark = pytest.mark.slow
SECRET = "canary-secret-7f3a"
OUTSIDE_FILES = ["lib.c", "lib.so", "passwd", "secret.csv"]
# A query that runs for tens of seconds on the sample: sorts a 356 x 356 x 760 cross product.
SLOW = "MATCH (a:Paper), (b:Paper), (c:Concept) WITH a.id + b.id + c.name AS x RETURN x ORDER BY x LIMIT 1"


def kg(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tmp/outside (canaries, a shared library that marks its loading) and tmp/build."""
    root = tmp_path_factory.mktemp("hostile")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(f"name,value\n{SECRET},1\n")
    (outside / "passwd").write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\n")
    marker = outside / "LOADED"
    source = outside / "lib.c"
    source.write_text(
        "#include <stdio.h>\n"
        "__attribute__((constructor)) static void mark(void) {\n"
        f'  FILE *f = fopen("{marker}", "w"); if (f) {{ fputs("loaded", f); fclose(f); }}\n'
        "}\n"
    )
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc is not None, (
        "a C compiler is needed to build the shared library a query tries to load"
    )
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(outside / "lib.so"), str(source)], check=True)
    result = kg("build", "--sample", "-o", "build", "--no-views", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def watch(site: Path) -> Iterator[_Watch]:
    with _Watch(site / "outside") as w:
        yield w


def db_digest(site: Path) -> str:
    return hashlib.sha256((site / "build" / "graph.lbug").read_bytes()).hexdigest()


# -- files and native code ------------------------------------------------------------------------


@pytest.mark.parametrize("statement", ["LOAD '{lib}'", "LOAD EXTENSION '{lib}'"])
@pytest.mark.parametrize("write", [False, True])
def test_load_of_a_shared_library_never_runs(
    site: Path, watch: _Watch, statement: str, write: bool
) -> None:
    query = statement.format(lib=site / "outside" / "lib.so")
    result = kg("query", "build", query, *(["--write"] if write else []), cwd=site)
    assert result.returncode == 1
    assert "refused at line 1, column 1 ('LOAD')" in result.stderr
    assert not (site / "outside" / "LOADED").exists()
    assert watch.events() == []


@pytest.mark.parametrize(
    "query",
    [
        "LOAD FROM '{o}/passwd' (file_format='csv', header=false, delim=':') RETURN *",
        "LOAD FROM '{o}/*' (file_format='csv') RETURN *",
        "MATCH (p:Paper) WITH p LIMIT 1 LOAD FROM '{o}/secret.csv' RETURN *",
        "CALL read_csv_serial('{o}/secret.csv') RETURN *",
        "CALL read_parquet('{o}/secret.csv') RETURN *",
        "CALL read_npy('{o}/secret.csv') RETURN *",
        "COPY (MATCH (p:Paper) RETURN p.id) TO '{o}/out.csv'",
        "EXPORT DATABASE '{o}/export'",
        "ATTACH '{o}/secret.csv' AS other (dbtype lbug)",
        "CALL current_setting('threads') RETURN *",
        "CALL threads = 1",
    ],
)
def test_file_and_setting_statements_are_refused_cleanly(
    site: Path, watch: _Watch, query: str
) -> None:
    result = kg("query", "build", query.format(o=site / "outside"), cwd=site)
    assert result.returncode == 1, result.stderr  # refused: no crash (a segfault is -11 / 139)
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert SECRET not in result.stdout + result.stderr
    assert watch.events() == []
    assert sorted(p.name for p in (site / "outside").iterdir()) == OUTSIDE_FILES


def test_viz_query_cannot_put_a_file_into_a_page(site: Path, watch: _Watch, tmp_path: Path) -> None:
    query = f"LOAD FROM '{site}/outside/secret.csv' (header=true) RETURN *"
    result = kg("viz", "build", "--query", query, "-o", str(tmp_path), cwd=site)
    assert result.returncode == 1
    assert not (tmp_path / "query.html").exists()
    assert watch.events() == []


def test_write_keyword_glued_to_a_number_is_refused_and_graph_unchanged(site: Path) -> None:
    before = db_digest(site)
    result = kg(
        "query", "build", "MATCH (n:Paper) RETURN n.id LIMIT 1CREATE (m:Paper {id: 'x'})", cwd=site
    )
    assert result.returncode == 1
    assert "pass --write" in result.stderr
    assert db_digest(site) == before


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (c:Concept) RETURN c.name AS update ORDER BY update LIMIT 2",
        "MATCH (c:Concept) RETURN c.name AS ſet LIMIT 2",
        "MATCH (begin:Concept) RETURN begin.name LIMIT 2",
    ],
)
def test_names_that_look_like_keywords_are_not_refused(site: Path, query: str) -> None:
    result = kg("query", "build", query, cwd=site)
    assert result.returncode == 0, result.stderr
    assert "(2 rows)" in result.stdout


# -- memory, time, Ctrl-C -------------------------------------------------------------------------


def test_a_cross_product_is_stopped_within_its_memory(site: Path) -> None:
    """The peak of the kg process and its query child, measured by a fresh parent."""
    query = "MATCH (a:Paper), (b:Paper), (c:Concept) RETURN collect(a.abstract + b.abstract) AS x"
    probe = (
        "import resource, subprocess, sys; "
        "r = subprocess.run([sys.executable, '-m', 'kg', 'query', 'build', sys.argv[1], "
        "'--memory', '256'], capture_output=True, text=True); "
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "print(r.stderr, end='')"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, query], cwd=site, capture_output=True, text=True, check=True
    )
    first, stderr = result.stdout.split("\n", 1)
    code, peak_kib = (int(v) for v in first.split())
    assert code == 1
    assert "more memory" in stderr
    assert peak_kib / 1024 < 700  # 256 MiB for the engine, the rest is Python and code


def test_too_many_rows_are_refused_not_collected(site: Path) -> None:
    result = kg("query", "build", "MATCH (a:Paper), (b:Paper) RETURN a.id, b.id", cwd=site)
    assert result.returncode == 1
    assert "more than 100,000 rows" in result.stderr


def test_timeout_stops_the_query(site: Path) -> None:
    start = time.monotonic()
    result = kg("query", "build", SLOW, "--timeout", "1", cwd=site)
    assert result.returncode == 1
    assert "timeout" in result.stderr
    assert time.monotonic() - start < 15


def _wait_for_query_process(parent: int, within: float = 60.0) -> int:
    """Until `parent` has started its query process (a child of its own), so that Ctrl-C comes
    while the query runs, as it does when a person presses it."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                return int(stat.parent.name)
        time.sleep(0.1)
    raise AssertionError(f"kg query (pid {parent}) started no query process in {within} s")


def _running(pid: int) -> bool:
    """Whether process `pid` exists and has not ended (a zombie waits only to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _sigint_as_a_terminal_leaves_it() -> None:
    # A suite started in the background (`cmd &` in a script) has SIGINT ignored, and a child
    # inherits that: kg query would then rightly ignore Ctrl-C, as any background job does.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_slow_query(site: Path) -> subprocess.Popen[str]:
    """`kg query` of SLOW in its own process group, started as from a terminal."""
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "query", "build", SLOW],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_sigint_as_a_terminal_leaves_it,
    )


def test_ctrl_c_stops_the_query_at_once(site: Path) -> None:
    proc = _start_slow_query(site)
    try:
        _wait_for_query_process(proc.pid)  # a loaded CI machine may take seconds to get there
        time.sleep(0.5)
        assert proc.poll() is None
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
        start = time.monotonic()
        _, err = proc.communicate(timeout=10)
    finally:  # a failure here must not leave the query running into the next tests
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert time.monotonic() - start < 3
    assert proc.returncode == 130
    assert "interrupted" in err
    time.sleep(0.3)
    with pytest.raises(ProcessLookupError):  # no query process is left behind
        os.killpg(proc.pid, 0)


def test_query_process_ends_when_kg_query_is_killed(site: Path) -> None:
    proc = _start_slow_query(site)
    try:
        child = _wait_for_query_process(proc.pid)
        proc.kill()  # SIGKILL: no Python code of kg query runs to stop its child
        proc.wait(timeout=30)
        deadline = time.monotonic() + 5
        while _running(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(child), "the query ran on without kg query"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


# -- fuzz -----------------------------------------------------------------------------------------

_WORDS = [
    "MATCH",
    "OPTIONAL",
    "WHERE",
    "WITH",
    "UNWIND",
    "RETURN",
    "ORDER",
    "BY",
    "SKIP",
    "LIMIT",
    "UNION",
    "ALL",
    "CALL",
    "LOAD",
    "FROM",
    "COPY",
    "TO",
    "ATTACH",
    "DETACH",
    "USE",
    "INSTALL",
    "UNINSTALL",
    "UPDATE",
    "EXPORT",
    "IMPORT",
    "DATABASE",
    "EXTENSION",
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "DROP",
    "ALTER",
    "TABLE",
    "NODE",
    "REL",
    "BEGIN",
    "TRANSACTION",
    "COMMIT",
    "ROLLBACK",
    "CHECKPOINT",
    "EXPLAIN",
    "PROFILE",
    "AS",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "DISTINCT",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "EXISTS",
    "COUNT",
    "YIELD",
    "HEADERS",
    "GLOB",
    "read_csv_serial",
    "read_csv_parallel",
    "read_parquet",
    "read_npy",
    "current_setting",
    "show_tables",
    "table_info",
    "file_info",
    "storage_info",
    "threads",
    "timeout",
    "p",
    "c",
    "n",
    "x",
    "update",
    "ſet",
    "begin",
]
_PUNCT = [
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    ":",
    ";",
    "=",
    "<",
    ">",
    "-",
    "*",
    "+",
    "'",
    '"',
    "$",
    "/",
]


def fuzz_queries(outside: Path, n: int, seed: int = 7) -> list[str]:
    """Random Cypher from the engine's keywords, functions, punctuation and canary paths, and
    valid queries with random pieces spliced in."""
    rng = random.Random(seed)
    functions = sorted(SAFE_FUNCTIONS)[:60]
    paths = [f"'{outside / name}'" for name in ("secret.csv", "passwd", "lib.so", "*")]
    seeds = [
        "MATCH (p:Paper)-[m:MENTIONS]->(c:Concept) RETURN c.name, count(p) AS n ORDER BY n DESC LIMIT 5",
        "MATCH (c:Concept) WHERE c.type = 'Dataset' RETURN c.name LIMIT 3",
        "UNWIND [1, 2] AS x RETURN x",
    ]
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            tokens = []
            for _ in range(rng.randint(1, 14)):
                pick = rng.random()
                if pick < 0.5:
                    tokens.append(rng.choice(_WORDS))
                elif pick < 0.65:
                    tokens.append(rng.choice(paths))
                elif pick < 0.75:
                    tokens.append(
                        rng.choice(functions) + "(" + rng.choice(["", "1", "'a'", "p"]) + ")"
                    )
                elif pick < 0.85:
                    tokens.append(str(rng.randint(0, 99)) + rng.choice(["", "CREATE", "LOAD"]))
                else:
                    tokens.append(rng.choice(_PUNCT))
            out.append(" ".join(tokens))
        else:
            words = rng.choice(seeds).split()
            for _ in range(rng.randint(1, 3)):
                piece = rng.choice([rng.choice(_WORDS), rng.choice(paths), rng.choice(_PUNCT)])
                words.insert(rng.randint(0, len(words)), piece)
            out.append(" ".join(words))
    return out


def valid_queries(outside: Path, n: int, seed: int = 11) -> list[str]:
    """Random queries that pass the parse: the engine's functions on properties, literals and
    canary paths, over patterns and cross products, so the engine itself is exercised."""
    rng = random.Random(seed)
    patterns = [
        "(a:Paper)-[m:MENTIONS]->(b:Concept)",
        "(a:Concept)-[r:CO_OCCURS]-(b:Concept)",
        "(a:Paper), (b:Concept)",
        "(a:Concept)-[r:CO_OCCURS*1..2]-(b:Concept)",
    ]
    values = ["a.id", "b.name", "'{p}/secret.csv'", "'{p}/lib.so'", "1", "'x'", "[1, 2]", "a"]
    functions = sorted(SAFE_FUNCTIONS)
    out = []
    for _ in range(n):
        args = ", ".join(rng.choice(values) for _ in range(rng.randint(1, 2)))
        expr = f"{rng.choice(functions)}({args})".replace("{p}", str(outside))
        out.append(
            f"MATCH {rng.choice(patterns)} WITH a, b, {expr} AS v "
            f"RETURN v, count(*) AS n ORDER BY n DESC LIMIT {rng.randint(1, 5)}"
        )
    return out


def test_fuzz_random_cypher_reads_writes_and_loads_nothing_outside(
    site: Path, watch: _Watch
) -> None:
    before = db_digest(site)
    files_before = sorted(p.name for p in site.rglob("*") if "build" not in p.parts)
    watch.events()  # the listing above opened the folder: start counting from here
    outcomes = {"rows": 0, "refused": 0}
    limits = Limits(timeout_s=10, memory_mb=256, max_rows=1000)
    queries = fuzz_queries(site / "outside", 400) + valid_queries(site / "outside", 60)
    for query in queries:
        try:
            from kg.stores.cypher_guard import check_query

            check_query(query)  # as kg query does before starting a process
            run_isolated(site / "build" / "graph.lbug", query, {}, limits=limits)
            outcomes["rows"] += 1
        except KGError as err:
            message = str(err)
            assert "\n" not in message
            assert "stopped on the query" not in message, query  # no engine crash
            assert SECRET not in message
            outcomes["refused"] += 1
    assert watch.events() == []
    assert not (site / "outside" / "LOADED").exists()
    assert db_digest(site) == before
    assert sorted(p.name for p in site.rglob("*") if "build" not in p.parts) == files_before
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 2 * 1024 * 1024  # KiB
    assert outcomes["refused"] > 0
    assert outcomes["rows"] > 0
    assert sum(outcomes.values()) == len(queries)


# -- inotify: proof that nothing opened a file in a folder ----------------------------------------

_IN_ACCESS, _IN_MODIFY, _IN_OPEN, _IN_CREATE = 0x1, 0x2, 0x20, 0x100
_IN_NONBLOCK = 0o4000


class _Watch:
    """An inotify watch on one folder: which files in it were opened, read, changed or made."""

    def __init__(self, folder: Path) -> None:
        name = ctypes.util.find_library("c")
        self._libc = ctypes.CDLL(name, use_errno=True)
        self._fd = self._libc.inotify_init1(_IN_NONBLOCK)
        assert self._fd >= 0, "inotify is needed to prove no file was opened"
        mask = _IN_ACCESS | _IN_MODIFY | _IN_OPEN | _IN_CREATE
        assert self._libc.inotify_add_watch(self._fd, str(folder).encode(), mask) >= 0

    def __enter__(self) -> _Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self._fd)

    def events(self) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return out
            offset = 0
            while offset < len(data):
                _, mask, _, length = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16 : offset + 16 + length].rstrip(b"\0").decode()
                out.append((mask, name))
                offset += 16 + length

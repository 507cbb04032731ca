"""Benchmark the embedded graph: bulk write, open, and every named query, on synthetic graphs.

Run from the repository root (pytest ignores tests/bench):

    python tests/bench/bench_query.py 1000 10000          # store write + queries
    python tests/bench/bench_query.py 10000 --loaders     # also compare the other bulk loaders

A synthetic corpus of N papers (N/4 concepts of the six types, Zipf-popular, 3-8 per paper, an
acronym alias on every fifth, one paper in thirteen undated, one title in seven hostile) goes
through kg.graph.graph_data like a real build. For each N it prints the time to generate the
rows, write the database (LadybugStore.write), open it read-only and answer a first query, and
each named query's first and median-of-5 latency, with the worst-case (most popular) concept.

Measured on the 2-core shared dev VM (ladybug 0.22.0, Python 3.11.7); seconds, write is the
median of 3 up to 10k; queries use the most-mentioned concept (worst case), median of 5 runs:

    papers  concepts  mentions  co_occurs  write  db MB  open+1st  peak RSS (whole script)
      1k       248      4.9k      4.6k     0.19      5    0.021     0.2 GB
     10k      2451       52k       59k     1.07     20    0.019     0.5 GB
    100k     24137      532k      674k    10.9     159    0.011     3.3 GB (rows alone 0.6 GB)

    query            1k     10k    100k
    co-occurring    0.003  0.017  0.133
    concept-path    0.006  0.041  0.340
    datasets-for    0.006  0.038  0.325
    new-concepts    0.002  0.005  0.020
    papers-using    0.004  0.026  0.210
    related-papers  0.009  0.027  0.113
    top-concepts    0.002  0.010  0.077

Bulk loaders compared (--loaders; whole graph, seconds):

    loader                                   1k     10k    text byte-exact
    COPY FROM (UNWIND typed list params)    0.19   1.07   yes: the store's choice
    COPY FROM CSV files                     0.25   0.93   no: list items keep their quotes, and
                                                          an empty string reads back as NULL
    UNWIND $rows CREATE / MATCH..CREATE     0.39   9.90   yes, but 10x slower (the rel MATCHes)

Binding the columns costs LadybugDB about five times the text's size, hence the peak at 100k
(each table is loaded on a connection of its own, which frees it before the next table).
LadybugDB 0.22 crashes (segfault) on a second COPY into a non-empty table, so each table is
loaded by exactly one COPY; the store checks keys first so a bad row fails cleanly.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from itertools import accumulate
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kg.graph import GraphData, graph_data
from kg.model import ConceptType, Entity, Extraction, Mention, Paper, Role
from kg.query import list_queries, run_query
from kg.stores.ladybug_store import LadybugStore, schema_statements

WORDS = "graph neural attention sparse robust learning model vision language token diffusion"
HOSTILE_TAIL = ' "quoted", [x,y]\n\\ é😀 <b>'


def synthetic(n: int, seed: int = 0) -> GraphData:
    """Graph rows of `n` synthetic papers, built through graph_data like a real corpus."""
    rng = random.Random(seed)
    words = WORDS.split()
    n_concepts = max(50, n // 4)
    names = [f"{rng.choice(words).title()} {i}" for i in range(n_concepts)]
    types = [list(ConceptType)[i % len(ConceptType)] for i in range(n_concepts)]
    cum = list(accumulate(1 / (i + 1) for i in range(n_concepts)))
    papers, extractions = [], []
    for i in range(n):
        pid = f"2401.{i:06d}"
        title = " ".join(rng.choices(words, k=8)) + (HOSTILE_TAIL if i % 7 == 0 else "")
        year = None if i % 13 == 0 else 2015 + i % 11
        papers.append(
            Paper(pid, title, " ".join(rng.choices(words, k=150)), year,
                  f"{year}-01-01" if year else None, f"https://arxiv.org/abs/{pid}",
                  ("A. Author", "B. Author"), ("cs.LG",), ("synthetic",))
        )  # fmt: skip
        picks = sorted(set(rng.choices(range(n_concepts), cum_weights=cum, k=rng.randint(3, 8))))
        entities = tuple(
            Entity(f"c{k}", names[k], types[k], rng.choice(list(Role)),
                   (Mention(names[k], 0, len(names[k]), "abstract"),),
                   (f"AB{k}",) if k % 5 == 0 else ())
            for k in picks
        )  # fmt: skip
        extractions.append(Extraction(pid, title, entities))
    return graph_data(papers, extractions)


def query_params(data: GraphData) -> dict[str, dict[str, object]]:
    """Worst-case parameters: the most-mentioned concept, its acronym, a mid-ranked one."""
    ranked = sorted(data.concepts, key=lambda c: -c.paper_count)
    top, mid = ranked[0], ranked[len(ranked) // 2]
    busiest = max(data.papers, key=lambda p: sum(m.paper_id == p.id for m in data.mentions[:5000]))
    return {
        "papers-using": {"concept": top.name},
        "co-occurring": {"concept": top.name},
        "datasets-for": {"method": top.name},
        "related-papers": {"paper": busiest.id},
        "concept-path": {"source": mid.name, "target": ranked[-1].name},
    }


def time_queries(
    db: LadybugStore, data: GraphData, repeat: int = 5
) -> list[tuple[str, float, float, int]]:
    """(name, first run, median of `repeat` runs, rows) for each named query."""
    params = query_params(data)
    out = []
    for query in list_queries():
        t0 = time.perf_counter()
        result = run_query(db, query, params.get(query.name, {}))
        first = time.perf_counter() - t0
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            run_query(db, query, params.get(query.name, {}))
            runs.append(time.perf_counter() - t0)
        out.append((query.name, first, statistics.median(runs), len(result.rows)))
    return out


def bench(n: int, *, loaders: bool) -> None:
    t0 = time.perf_counter()
    data = synthetic(n)
    gen_s = time.perf_counter() - t0
    print(
        f"\n== {n} papers: {len(data.concepts)} concepts, {len(data.mentions)} mentions, "
        f"{len(data.co_occurs)} co-occurrences (rows generated in {gen_s:.1f} s)"
    )
    folder = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        path = folder / "graph.lbug"
        writes = []
        for _ in range(3 if n <= 20_000 else 1):  # the shared dev VM is noisy: median of 3
            t0 = time.perf_counter()
            with LadybugStore.open(path) as writer:
                writer.write(data)
            writes.append(time.perf_counter() - t0)
        write_s = statistics.median(writes)
        size_mb = path.stat().st_size / 1e6
        t0 = time.perf_counter()
        with LadybugStore.open(path, read_only=True) as db:
            db.run("MATCH (c:Concept) RETURN count(c)")
            open_s = time.perf_counter() - t0
            print(f"write {write_s:.2f} s ({size_mb:.0f} MB)   open + first query {open_s:.3f} s")
            print(f"{'query':<16}{'first s':>9}{'median s':>10}{'rows':>6}")
            for name, first, median, rows in time_queries(db, data):
                print(f"{name:<16}{first:>9.3f}{median:>10.3f}{rows:>6}")
        if loaders:
            for name, load in (("copy-csv", load_csv), ("unwind-create", load_unwind)):
                t0 = time.perf_counter()
                load(folder / f"{name}.lbug", data, folder)
                print(
                    f"loader {name}: {time.perf_counter() - t0:.2f} s (store write: {write_s:.2f} s)"
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS so far {peak_mb:.0f} MB")


# -- the loaders the store did not choose (for --loaders) ---------------------------------------


def _rows(data: GraphData) -> list[tuple[str, list[tuple[object, ...]]]]:
    return [
        ("Paper", [tuple(p.to_json().values()) for p in data.papers]),
        ("Concept", [(c.id, c.name, str(c.type), list(c.aliases), c.paper_count, list(c.merged),
                      c.generic) for c in data.concepts]),
        ("MENTIONS", [(m.paper_id, m.concept_id, str(m.role), m.count) for m in data.mentions]),
        ("CO_OCCURS", [(e.source, e.target, e.weight) for e in data.co_occurs]),
    ]  # fmt: skip


def _fresh(path: Path) -> tuple[Any, Any]:
    import ladybug

    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    for statement in schema_statements():
        conn.execute(statement)
    return db, conn


def _csv_field(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # LadybugDB keeps quotes inside list items: not byte-exact
        value = "[" + ",".join(value) + "]"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def load_csv(path: Path, data: GraphData, folder: Path) -> None:
    db, conn = _fresh(path)
    for table, rows in _rows(data):
        csv_path = folder / f"{table}.csv"
        with csv_path.open("w", encoding="utf-8", newline="") as f:
            f.writelines(",".join(map(_csv_field, row)) + "\n" for row in rows)
        conn.execute(f"COPY {table} FROM '{csv_path}' (HEADER=false, PARALLEL=false)")
    conn.execute("CHECKPOINT")
    conn.close()
    db.close()


def load_unwind(path: Path, data: GraphData, folder: Path, batch: int = 5000) -> None:
    db, conn = _fresh(path)
    dict_rows = {
        "Paper": [p.to_json() for p in data.papers],
        "Concept": [{"name": c.name, "id": c.id, "type": str(c.type), "aliases": list(c.aliases),
                     "paper_count": c.paper_count, "merged": list(c.merged)}
                    for c in data.concepts],
        "MENTIONS": [{"s": m.paper_id, "t": m.concept_id, "role": str(m.role), "count": m.count}
                     for m in data.mentions],
        "CO_OCCURS": [{"s": e.source, "t": e.target, "weight": e.weight} for e in data.co_occurs],
    }  # fmt: skip
    statements = {
        "Paper": "UNWIND $rows AS r CREATE (:Paper {id: r.id, title: r.title, abstract: r.abstract,"
        " year: r.year, date: r.date, url: r.url, authors: r.authors, categories: r.categories,"
        " sources: r.sources})",
        "Concept": "UNWIND $rows AS r CREATE (:Concept {name: r.name, id: r.id, type: r.type,"
        " aliases: r.aliases, paper_count: r.paper_count, merged: r.merged})",
        "MENTIONS": "UNWIND $rows AS r MATCH (p:Paper {id: r.s}), (c:Concept {id: r.t})"
        " CREATE (p)-[:MENTIONS {role: r.role, count: r.count}]->(c)",
        "CO_OCCURS": "UNWIND $rows AS r MATCH (a:Concept {id: r.s}), (b:Concept {id: r.t})"
        " CREATE (a)-[:CO_OCCURS {weight: r.weight}]->(b)",
    }
    for table, statement in statements.items():
        rows = dict_rows[table]
        for i in range(0, len(rows), batch):
            conn.execute(statement, {"rows": rows[i : i + batch]})
    conn.execute("CHECKPOINT")
    conn.close()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--loaders", action="store_true", help="also time CSV and UNWIND loads")
    args = parser.parse_args()
    print(f"ladybug {__import__('ladybug').__version__}, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus")  # fmt: skip
    for n in args.sizes:
        bench(n, loaders=args.loaders)


if __name__ == "__main__":
    main()

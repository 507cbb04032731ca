"""Seconds and file sizes of `kg export` in each format, for a generated corpus (goal: 100k
papers in under a minute per format).

Run it by hand from the repository root (pytest skips tests/bench):

    nice python tests/bench/bench_export.py                    # 100k papers, every format
    nice python tests/bench/bench_export.py --papers 10000 --formats graphml gexf
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_push import corpus

from kg.export import FORMATS, export


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--formats", nargs="+", default=list(FORMATS))
    parser.add_argument("--abstract-chars", type=int, default=1200)
    args = parser.parse_args()
    start = time.perf_counter()
    data = corpus(args.papers, args.abstract_chars)
    rels = len(data.mentions) + len(data.co_occurs)
    print(
        f"{len(data.papers)} papers, {len(data.concepts)} concepts, {rels} relationships: "
        f"rows built in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats:
            out = Path(tmp) / (fmt if fmt.endswith("csv") else f"graph.{fmt}")
            start = time.perf_counter()
            files = export(data, fmt, out)
            seconds = time.perf_counter() - start
            size = sum(f.stat().st_size for f in files) / 1e6
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  {fmt:<10} {seconds:6.1f} s  {size:8.1f} MB  {len(files)} files  "
                f"(peak RSS {peak:.0f} MB)",
                flush=True,
            )


if __name__ == "__main__":
    main()

"""The atlas at 10k and 100k papers: build time, file size and time until ready in headless chromium.

Run it by hand from the repository root (pytest skips tests/bench), with `nice` on a shared box:

    kg build /work/shared/data/recent_abstracts/papers.jsonl -o /tmp/kg10k --no-views
    nice python tests/bench/bench_atlas.py --build /tmp/kg10k --scale 1 10
    nice python tests/bench/bench_atlas.py              # no build: viz.synthetic, 10,000 papers

`--scale K` makes a corpus K times the size of the build's: each paper is copied K times under
new ids, and the concepts of at most two papers (the long tail) are renamed per copy, so the
head of the field is shared and the tail grows as in a larger corpus (10k real papers with the
extraction of 2026-12-03: 50,725 concepts; x10: 494,671). For each corpus it prints the graph's
size, how many concepts the page draws when it opens (viz.atlas.n_first), the seconds to write
atlas.html (layout, communities, evidence and page), the file size, and the seconds from
navigation until the page marks itself ready (drawn, kg-stable), the median of --repeat runs
and their spread, then how long until the whole map is unpacked (search, filters and clicks
answer without waiting: kgTimings.full) and until every data block is (kg-loaded: panels and
papers too), and the load average when it started.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from kg.build import load_corpus
from kg.graph import graph_data
from kg.model import Extraction, Paper, concept_key
from viz.atlas import n_first, render_atlas
from viz.graphview import GraphView
from viz.synthetic import synthetic_corpus

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TAIL = 2  # concepts in at most this many papers are renamed per copy


def scaled(
    papers: list[Paper], extractions: list[Extraction], k: int
) -> tuple[list[Paper], list[Extraction]]:
    """The corpus K times over: new ids per copy, long-tail concepts renamed per copy."""
    if k == 1:
        return papers, extractions
    n_papers = Counter(
        e.concept_id
        for ext in extractions
        for e in {x.concept_id: x for x in ext.entities}.values()
    )
    out_papers, out_exts = [], []
    for copy in range(k):
        for paper in papers:
            out_papers.append(
                replace(paper, id=f"{paper.id}~{copy}", title=f"{paper.title} ({copy})")
            )
        for ext in extractions:
            entities = []
            for ent in ext.entities:
                if copy and n_papers[ent.concept_id] <= TAIL:
                    name = f"{ent.name} v{copy}"
                    ent = replace(ent, name=name, concept_id=concept_key(name), aliases=())
                entities.append(ent)
            out_exts.append(Extraction(f"{ext.paper_id}~{copy}", ext.title, tuple(entities)))
    return out_papers, out_exts


def time_to_ready(browser: Browser, path: Path) -> tuple[float, float, float]:
    """Seconds from navigation until drawn (kg-stable), the whole map unpacked, every block."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        start = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_selector("body.kg-stable", state="attached", timeout=300_000)
        ready = time.perf_counter() - start
        page.wait_for_selector("body.kg-loaded", state="attached", timeout=300_000)
        loaded = time.perf_counter() - start
        full = page.evaluate("kgTimings.full - kgTimings.ready") / 1000 + ready
        return ready, full, loaded
    finally:
        page.close()


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):5.2f}s ({min(values):.2f}-{max(values):.2f})"


def bench(
    browser: Browser, papers: list[Paper], exts: list[Extraction], *, name: str, repeat: int
) -> None:
    t0 = time.perf_counter()
    G = GraphView.of(graph_data(papers, exts))
    graph_s = time.perf_counter() - t0
    n_concepts = len(G.concepts)
    first = n_first(sorted((c.paper_count for c in G.concepts), reverse=True))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = render_atlas(G, Path(tmp) / "atlas.html", title=name, extractions=lambda: exts)
        write_s = time.perf_counter() - t0
        load = os.getloadavg()[0]
        runs = [time_to_ready(browser, path) for _ in range(repeat)]
        ready, full, loaded = ([run[k] for run in runs] for k in range(3))
        print(
            f"{name:>22}: {len(papers):>7} papers {n_concepts:>7} concepts ({first} first)  "
            f"graph={graph_s:6.1f}s  atlas={write_s:6.1f}s  "
            f"size={path.stat().st_size / 1e6:6.1f}MB  ready={spread(ready)}  "
            f"whole map={spread(full)}  all blocks={spread(loaded)}  "
            f"load={load:.1f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--build", type=Path, help="A build folder to take papers and extractions from."
    )
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.build:
        papers, exts = load_corpus(args.build)
        source = args.build.name
    else:
        papers, exts = synthetic_corpus(10_000)
        source = "synthetic"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for k in args.scale:
            bench(browser, *scaled(papers, exts, k), name=f"{source} x{k}", repeat=args.repeat)
        browser.close()


if __name__ == "__main__":
    main()

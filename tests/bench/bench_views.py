"""Time until kg's graph views are laid out and still in headless chromium.

Run it by hand from the repository root, with kg installed (`pip install -e .`; or prefix the
commands with PYTHONPATH=.); pytest skips tests/bench:

    apt-get install -y chromium && pip install playwright    # no `playwright install` needed
    python tests/bench/bench_views.py                        # 500, 2,000 and 5,000 nodes
    python tests/bench/bench_views.py --sizes 1000 --papers 3000 --repeat 3

For each size it renders the paper–concept view of a synthetic corpus (viz.synthetic) capped
at that many nodes, opens it from file:// and prints: the Python render time, the page size,
and the seconds from navigation until the page marks itself stable (physics done and
switched off), which is when it becomes interactive. It then renders the default views of a
10,000-paper corpus, the case the defaults are chosen for (goal: interactive in < 5 s).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from kg.graph import graph_data
from viz.graphview import GraphView
from viz.html import MAX_NODES, render_views
from viz.synthetic import synthetic_corpus

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def time_to_stable(browser: Browser, page_path: Path) -> tuple[float, int]:
    """Seconds from navigation until body.kg-stable, and the node count the page reports."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        start = time.perf_counter()
        page.goto(page_path.as_uri())
        page.wait_for_selector("body.kg-stable", state="attached", timeout=120_000)
        elapsed = time.perf_counter() - start
        return elapsed, int(page.evaluate("nodes.length"))
    finally:
        page.close()


def bench(
    browser: Browser, G: GraphView, out: Path, *, name: str, max_nodes: int, repeat: int
) -> None:
    t0 = time.perf_counter()
    paths = render_views(G, out, max_nodes=max_nodes)
    render_s = time.perf_counter() - t0
    for path in paths[:2]:
        runs = [time_to_stable(browser, path) for _ in range(repeat)]
        secs = statistics.median(r[0] for r in runs)
        print(
            f"{name:>14} {path.name:<14} nodes={runs[0][1]:>5}  render={render_s:5.2f}s  "
            f"size={path.stat().st_size / 1e6:5.1f}MB  stable={secs:5.2f}s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    t0 = time.perf_counter()
    G = GraphView.of(graph_data(*synthetic_corpus(args.papers)))
    print(
        f"synthetic corpus: {args.papers} papers, {len(G.concepts)} concepts, "
        f"{G.n_links} links, built in {time.perf_counter() - t0:.1f}s"
    )
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size in args.sizes:
            bench(
                browser,
                G,
                Path(tmp) / str(size),
                name=f"max_nodes={size}",
                max_nodes=size,
                repeat=args.repeat,
            )
        bench(
            browser,
            G,
            Path(tmp) / "default",
            name=f"default={MAX_NODES}",
            max_nodes=MAX_NODES,
            repeat=args.repeat,
        )
        browser.close()


if __name__ == "__main__":
    main()

"""Scale benchmark: wall time and peak memory of each build step at 1k, 10k and 100k papers.

Run by hand from the repository root (pytest ignores tests/bench), with `nice` on a shared box:

    nice python tests/bench/bench_scale.py                         # 1k, 10k, 100k: 30-45 min on 2 cores
    nice python tests/bench/bench_scale.py --sizes 1000 10000      # ~6 min
    nice python tests/bench/bench_scale.py --source PATH/papers.jsonl --work /tmp/kg-scale --jobs 2

Corpora: 10k is the real recent abstracts (--source, by default
../shared/data/recent_abstracts/papers.jsonl beside the repository), 1k its first 1,000
papers, and 100k those 10,000 plus nine generated copies: a copy gets a new id, a varied title
and its abstract's sentences in another order, so every abstract is new text and nothing is
reused. Each build runs `kg.build.build` (views included, --jobs as given or kg's default) in a
fresh process; a sampler adds up the proportional set size (PSS) of that process and its
extraction workers every 50 ms, so each step's peak counts shared pages once (and the memory
held when each step begins). Also measured:
spaCy's blank tokenizer on the same text on one core (the issue's yardstick), `--update` with
1,000 new papers on the largest build, and every named query on the largest build (first run
and median of 3, with the most-mentioned concept: the worst case). Prints a table per corpus
and a JSON line with every number at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "data" / "recent_abstracts" / "papers.jsonl"
STEPS = ("read", "extract", "graph", "database", "views")
PREFIXES = ("", "On ", "Towards ", "Revisiting ", "Rethinking ", "A Study of ", "Beyond ")
SUFFIXES = ("", ": A Closer Look", " Revisited", " at Scale", ": Lessons Learned", " in Practice")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


# -- corpora ------------------------------------------------------------------------------------


def varied(row: dict[str, Any], copy: int) -> dict[str, Any]:
    """A new paper made from `row`: new id, varied title, its sentences in another order."""
    pick = random.Random(f"{row['id']}/{copy}")
    sentences = SENTENCE.split(row["abstract"])
    if len(sentences) > 1:
        while True:  # another order; two-sentence abstracts simply swap
            order = pick.sample(sentences, len(sentences))
            if order != sentences:
                break
        sentences = order
    title = f"{pick.choice(PREFIXES[1:])}{row['title']}{pick.choice(SUFFIXES)}"
    return {**row, "id": f"gen{copy}-{row['id'].replace('.', '-')}", "title": title,
            "abstract": " ".join(sentences)}  # fmt: skip


def make_corpora(source: Path, work: Path, sizes: list[int]) -> dict[int, Path]:
    """JSONL corpora of each size, and `update.jsonl`: 1,000 papers none of them holds."""
    rows = [json.loads(line) for line in source.open(encoding="utf-8")]
    out = {}
    for n in sizes:
        path = work / f"papers-{n}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for i in range(n):
                copy, row = divmod(i, len(rows))
                handle.write(json.dumps(varied(rows[row], copy) if copy else rows[row]) + "\n")
        out[n] = path
    copy = max(sizes) // len(rows) + 1
    with (work / "update.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows[:1000]:
            handle.write(json.dumps(varied(row, copy)) + "\n")
    return out


# -- memory ------------------------------------------------------------------------------------


def pss_mb(pid: int) -> float:
    """Proportional set size of `pid` and its children (extraction workers), in MB."""
    total, pids = 0, [pid]
    while pids:
        current = pids.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    pids.extend(int(child) for child in handle.read().split())
        except (OSError, StopIteration):
            continue
    return total / 1024


class Sampler(threading.Thread):
    """The peak memory of this process tree, per step (the step the reporter last started)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.step, self.peaks = "start", {"start": 0.0}
        self.started: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.at_start: dict[str, float] = {}  # memory when the step began
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.05):
            mb = pss_mb(os.getpid())
            self.peaks[self.step] = max(self.peaks.get(self.step, 0.0), mb)

    def __call__(self, tick: Any) -> None:  # a kg.progress.Reporter
        now = time.monotonic()
        if tick.step not in self.started:
            self.started[tick.step] = now
            self.at_start[tick.step] = pss_mb(os.getpid())
            self.step = tick.step
        if tick.is_last:
            self.seconds[tick.step] = now - self.started[tick.step]


def child_build(corpus: Path, out: Path, jobs: int | None, update: bool) -> dict[str, Any]:
    """One build in this (fresh) process: seconds and peak PSS per step, and the whole run."""
    sampler = Sampler()
    sampler.start()
    began = time.monotonic()
    from kg.build import build

    summary = build([corpus], out, progress=sampler, jobs=jobs, update=update)
    total = time.monotonic() - began
    sampler.stop.set()
    sampler.join()
    import resource

    return {
        "papers": summary.n_papers,
        "extracted": summary.n_extracted,
        "concepts": summary.n_concepts,
        "links": summary.n_links,
        "total_s": total,
        "peak_mb": max(sampler.peaks.values()),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "steps": {
            s: [
                sampler.seconds.get(s, 0.0),
                sampler.peaks.get(s, 0.0),
                sampler.at_start.get(s, 0.0),
            ]
            for s in STEPS
        },
    }


def child_blank(corpus: Path) -> dict[str, Any]:
    """spaCy's blank English tokenizer over the text extraction reads, on one core."""
    import spacy

    from extract.pipeline import paper_text
    from kg.readers import read_papers

    texts = [paper_text(p)[0] for p in read_papers([corpus]).papers]
    nlp = spacy.blank("en")
    began = time.monotonic()
    for doc in nlp.pipe(texts, batch_size=256):
        del doc
    return {"blank_s": time.monotonic() - began, "papers": len(texts)}


def child_queries(out: Path) -> dict[str, Any]:
    """Each named query on the build's database: first run and median of 3, in seconds."""
    from kg.build import open_built_store
    from kg.query import list_queries, run_query

    store = open_built_store(out)
    top = store.run("MATCH (c:Concept) RETURN c.name ORDER BY c.paper_count DESC, c.id LIMIT 1")
    mid = store.run(
        "MATCH (c:Concept) WHERE c.paper_count >= 5 RETURN c.name ORDER BY c.id LIMIT 1"
    )
    busy = store.run(
        "MATCH (p:Paper)-[:MENTIONS]->(c) RETURN p.id, count(c) AS n ORDER BY n DESC, p.id LIMIT 1"
    )
    name, other, paper = top.rows[0][0], mid.rows[0][0], busy.rows[0][0]
    values = {"concept": name, "method": name, "paper": paper, "source": other, "target": name}
    times = {}
    for query in list_queries():
        runs = []
        for _ in range(4):
            began = time.monotonic()
            params = {p: values[p] for p, _ in query.params if p in values}
            rows = run_query(store, query, params).rows
            runs.append(time.monotonic() - began)
        times[query.name] = [runs[0], statistics.median(runs[1:]), len(rows)]
    store.close()
    return {"queries": times, "concept": name}


# -- the runner --------------------------------------------------------------------------------


def in_child(*args: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True, text=True, env=env, check=False, cwd=ROOT,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"child {args} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def show_build(label: str, run: dict[str, Any], blank: dict[str, Any] | None) -> None:
    print(f"\n== {label}: {run['papers']:,} papers ({run['extracted']:,} extracted), "
          f"{run['concepts']:,} concepts, {run['links']:,} links")  # fmt: skip
    print(f"{'step':<10}{'seconds':>9}{'peak MB':>9}{'at start':>10}")
    for step in STEPS:
        seconds, peak, start = run["steps"][step]
        print(f"{step:<10}{seconds:>9.1f}{peak:>9.0f}{start:>10.0f}")
    print(f"{'total':<10}{run['total_s']:>9.1f}{run['peak_mb']:>9.0f}   "
          f"(max RSS of the main process {run['maxrss_mb']:.0f} MB)")  # fmt: skip
    if blank:
        extract_s = run["steps"]["extract"][0]
        print(f"blank tokenizer, 1 core: {blank['blank_s']:.1f} s; extract step "
              f"{extract_s / blank['blank_s']:.1f}x, whole build "
              f"{run['total_s'] / blank['blank_s']:.1f}x of it")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-bench-scale"))
    parser.add_argument("--jobs", type=int, default=None, help="default: kg's (the usable cores)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "build":
            n_jobs = None if rest[2] == "auto" else int(rest[2])
            result = child_build(Path(rest[0]), Path(rest[1]), n_jobs, rest[3] == "update")
        elif kind == "blank":
            result = child_blank(Path(rest[0]))
        else:
            result = child_queries(Path(rest[0]))
        print(json.dumps(result))
        return
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    corpora = make_corpora(args.source, args.work, args.sizes)
    jobs = "auto" if args.jobs is None else str(args.jobs)
    report: dict[str, Any] = {"jobs": jobs, "builds": {}}
    for n, corpus in corpora.items():
        blank = in_child("blank", str(corpus))
        run = in_child("build", str(corpus), str(args.work / f"out-{n}"), jobs, "new")
        show_build(f"{n:,} papers", run, blank)
        report["builds"][n] = {**run, **blank}
    largest = args.work / f"out-{max(corpora)}"
    update = in_child("build", str(args.work / "update.jsonl"), str(largest), jobs, "update")
    show_build(f"--update with 1,000 new papers on the {max(corpora):,} build", update, None)
    report["update"] = update
    queries = in_child("queries", str(largest))
    print(f"\n== named queries on the {max(corpora):,} build (concept {queries['concept']!r})")
    print(f"{'query':<16}{'first s':>9}{'median s':>10}{'rows':>6}")
    for name, (first, median, rows) in queries["queries"].items():
        print(f"{name:<16}{first:>9.3f}{median:>10.3f}{rows:>6}")
    report["queries"] = queries
    print(json.dumps(report))


if __name__ == "__main__":
    main()

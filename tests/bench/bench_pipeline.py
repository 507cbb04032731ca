"""Extraction speed: abstracts per second for tokenisation alone and the full pipeline, 1 and N jobs.

Run from the repository root (kg installed, or PYTHONPATH=.):

    python tests/bench/bench_pipeline.py            # the sample corpus x 5 (1,780 abstracts)
    python tests/bench/bench_pipeline.py --repeat 20 --jobs 2

It prints one line per measurement and the ratio of the one-job pipeline to tokenisation alone
(issue target: within 25x on one core). Each single-process figure is the best of three runs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import spacy

from extract.pipeline import build_nlp, extract, extract_parallel, paper_text
from kg.build import sample_inputs
from kg.readers import read_papers


def _best_of(n: int, run: Callable[[], object]) -> float:
    """The fastest of n runs: the one least disturbed by other work on the machine."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="copies of the sample corpus")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the parallel run")
    args = parser.parse_args()

    papers = list(read_papers(sample_inputs()).papers) * args.repeat
    texts = [paper_text(p)[0] for p in papers]
    n = len(papers)

    blank = spacy.blank("en")
    tokenise = _best_of(3, lambda: [blank.make_doc(text) for text in texts])

    nlp = build_nlp()
    list(extract(nlp, papers[:50]))  # warm caches
    one_job = _best_of(3, lambda: list(extract(nlp, papers)))

    start = time.perf_counter()
    list(extract_parallel(papers, jobs=args.jobs))
    many_jobs = time.perf_counter() - start

    print(f"abstracts: {n}")
    print(f"tokenisation alone: {n / tokenise:8.0f} abstracts/s")
    print(
        f"pipeline, 1 job:    {n / one_job:8.0f} abstracts/s  ({one_job / tokenise:.1f}x tokenisation)"
    )
    print(
        f"pipeline, {args.jobs} jobs:   {n / many_jobs:8.0f} abstracts/s  "
        f"({one_job / many_jobs:.2f}x one job, pool start-up included)"
    )


if __name__ == "__main__":
    main()

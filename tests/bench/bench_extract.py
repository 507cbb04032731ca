"""Speed of kg's trained NER against spaCy's blank English tokenizer alone, on one core.

Run from the repository root (no ../shared needed; pytest does not collect this folder):

    python tests/bench/bench_extract.py                  # the shipped model, 5 rounds
    python tests/bench/bench_extract.py --model PATH --rounds 9
    python tests/bench/bench_extract.py --default        # kg build's default pipeline (rules + decider)

Texts: every line longer than 200 characters in kg/sample/*.txt (abstract-length prose).
The process pins itself to one CPU and one BLAS thread. Each round times, on the same texts:
(a) a fresh `spacy.blank("en")` making Docs, (b) a freshly loaded NER pipeline (its tokenizer
plus the ner component). "cold" is the first pass of a fresh pipeline, as a build over a new
corpus sees it (the tokenizer's cache starts empty); "warm" is a second pass over the same texts.
Rounds alternate (a) and (b) so machine load hits both; the medians are printed, with the
ratio (a)/(b): how many times slower the NER pipeline is than tokenizing alone.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "extract" / "data" / "ner"
MIN_CHARS = 200


def read_texts(sample_dir: Path) -> list[str]:
    """Lines longer than MIN_CHARS from the bundled sample pages."""
    texts = []
    for path in sorted(sample_dir.glob("*.txt")):
        texts += [line.strip() for line in path.read_text("utf8").splitlines()]
    return [text for text in texts if len(text) > MIN_CHARS]


def rate(make_nlp: Callable[[], object], texts: list[str]) -> tuple[float, float]:
    """Texts per second for a fresh pipeline's first (cold) and second (warm) pass."""
    nlp = make_nlp()
    out = []
    for _ in range(2):
        start = time.perf_counter()
        for _doc in nlp.pipe(texts):  # type: ignore[attr-defined]
            pass
        out.append(len(texts) / (time.perf_counter() - start))
    return out[0], out[1]


def main() -> None:
    import spacy

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument(
        "--default", action="store_true", help="time kg's default pipeline instead of --model"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--samples", type=Path, default=ROOT / "kg" / "sample")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts = read_texts(args.samples)
    n_chars = sum(map(len, texts))
    print(f"{len(texts)} texts, {n_chars / len(texts):.0f} characters on average")
    print(
        f"model: {'default pipeline (extract.pipeline.build_nlp())' if args.default else args.model}"
    )
    if args.default:
        from extract.pipeline import build_nlp

        def load() -> object:
            return build_nlp()
    else:

        def load() -> object:
            return spacy.load(args.model)

    tok, ner = [], []
    for _ in range(args.rounds):
        tok.append(rate(lambda: spacy.blank("en"), texts))
        ner.append(rate(load, texts))
    for i, mode in enumerate(("cold", "warm")):
        tok_rate = statistics.median(r[i] for r in tok)
        ner_rate = statistics.median(r[i] for r in ner)
        print(
            f"{mode}: (a) tokenizer only {tok_rate:7.0f} abstracts/s   "
            f"(b) tokenizer + ner {ner_rate:6.0f} abstracts/s   "
            f"ratio {tok_rate / ner_rate:5.1f}x"
        )


if __name__ == "__main__":
    main()

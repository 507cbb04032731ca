"""Exact-span, coarse-type micro F1 of a spaCy pipeline's entities against gold JSONL.

Usage: python extract/training/score.py MODEL_DIR GOLD.jsonl [GOLD.jsonl ...]

A gold file holds one {"doc_id", "text", "spans": [[start_char, end_char, label], ...]} per line
(prepare.py writes them, with SciERC's labels Method, Material, Task, Metric). A prediction counts
only if its character offsets and coarse class both match. The scoring is kg's own
(`kg.scoring.score_spans`, as `kg evaluate` scores mentions): Material is scored as
Dataset/Benchmark.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kg.scoring import COARSE, Span, label, score_spans  # noqa: E402

if TYPE_CHECKING:
    from spacy.language import Language


def read_gold(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def evaluate(nlp: Language, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Run `nlp` over the records' texts and score its doc.ents: P/R/F1 per coarse class and "all"."""
    gold = [_span(r["doc_id"], s, e, t) for r in records for s, e, t in r["spans"]]
    pred = []
    docs = nlp.pipe(r["text"] for r in records)
    for record, doc in zip(records, docs, strict=True):
        pred += [_span(record["doc_id"], e.start_char, e.end_char, e.label_) for e in doc.ents]
    scores = score_spans([s for s in gold if s[3]], pred)
    return {name: s.to_json() for name, s in scores.items()}


def _span(doc_id: str, start: int, end: int, kind: str) -> Span:
    """A span under its coarse label ("" for a label kg does not score)."""
    return (doc_id, start, end, label(kind, COARSE) or "")


def main() -> None:
    import spacy

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("gold", type=Path, nargs="+")
    args = parser.parse_args()
    nlp = spacy.load(args.model)
    for path in args.gold:
        print(path.stem, json.dumps(evaluate(nlp, read_gold(path))))


if __name__ == "__main__":
    main()

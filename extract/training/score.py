"""Exact-span, coarse-type micro F1 of a spaCy pipeline's entities against gold JSONL.

Usage: python extract/training/score.py MODEL_DIR GOLD.jsonl [GOLD.jsonl ...]

A gold file holds one {"doc_id", "text", "spans": [[start_char, end_char, label], ...]} per line
(prepare.py writes them). A prediction counts only if its character offsets and label both match.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

LABELS = ("Method", "Material", "Task", "Metric")

Span = tuple[str, int, int, str]  # doc_id, start_char, end_char, label


def prf(n_true: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 from counts.

    Example:
        >>> prf(1, 2, 4)
        {'p': 0.5, 'r': 0.25, 'f': 0.3333}
    """
    p = n_true / n_pred if n_pred else 0.0
    r = n_true / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4)}


def score_spans(gold: Iterable[Span], pred: Iterable[Span]) -> dict[str, dict[str, float]]:
    """Micro P/R/F overall ("all") and per label."""
    gold_set, pred_set = set(gold), set(pred)
    true = gold_set & pred_set
    scores = {"all": prf(len(true), len(pred_set), len(gold_set))}
    by = [Counter(s[3] for s in group) for group in (true, pred_set, gold_set)]
    for label in LABELS:
        scores[label] = prf(by[0][label], by[1][label], by[2][label])
    return scores


def read_gold(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf8") as lines:
        return [json.loads(line) for line in lines]


def evaluate(nlp: Language, records: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Run `nlp` over the records' texts and score its doc.ents."""
    gold = [(r["doc_id"], s, e, t) for r in records for s, e, t in r["spans"]]
    pred = []
    docs = nlp.pipe(r["text"] for r in records)
    for record, doc in zip(records, docs, strict=True):
        pred += [(record["doc_id"], e.start_char, e.end_char, e.label_) for e in doc.ents]
    return score_spans(gold, pred)


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

"""Convert SciREX and SciERC gold mentions into spaCy DocBin files for kg's NER.

Usage (from the repository root):
    python extract/training/prepare.py ../shared/data extract/training/build/corpus

Writes scirex_train.spacy (SciREX train abstracts), scierc_train.spacy, scirex_full.spacy
(sentence chunks of the SciREX train full papers), scirex_full_sample.spacy (1,000 of those
chunks, for the fine-tuning stage), scierc_dev.spacy, scirex_heldout.spacy, each
also as gold JSONL (for score.py's exact character-span scorer), and stats.json.

Types are coarse (Method, Material, Task, Metric); SciERC OtherScientificTerm/Generic are dropped.
TDMSci is not used: it annotates Task/Dataset/Metric but no Method, so its unmarked method names
would teach the model that methods are not entities.

The SciREX held-out slice: documents sorted by sha1(doc_id), the first 15% (45 of 303). Neither
their abstracts nor their full papers are trained on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

LABELS = ("Method", "Material", "Task", "Metric")
HELDOUT_FRACTION = 0.15
CHUNK_TOKENS = 180  # full-paper sentences are grouped into chunks about an abstract's length
N_FULL_SAMPLE = 1000  # full-paper chunks kept in the fine-tuning stage so it does not forget them

# Detokenization of SciREX full-paper words, learned from the abstract views (text vs tokens).
_NO_SPACE_BEFORE = {",", ".", ";", ":", ")", "]", "}", "%", "?", "!", "’s", "'s", "’", "”", "n't"}
_NO_SPACE_AFTER = {"(", "[", "{", "“", "‘", "$"}
_JOINERS = {"-", "/"}


def heldout_ids(doc_ids: Iterable[str], fraction: float = HELDOUT_FRACTION) -> set[str]:
    """The fixed SciREX held-out slice: first `fraction` of ids sorted by sha1 hex digest."""
    ordered = sorted(set(doc_ids), key=lambda d: hashlib.sha1(d.encode()).hexdigest())
    return set(ordered[: round(len(ordered) * fraction)])


def detokenize(words: list[str]) -> tuple[str, list[int]]:
    """Join words into prose; return the text and each word's start offset."""
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    for i, word in enumerate(words):
        if i > 0:
            prev = words[i - 1]
            glue = (
                word in _NO_SPACE_BEFORE
                or prev in _NO_SPACE_AFTER
                or word in _JOINERS
                or prev in _JOINERS
            )
            if not glue:
                parts.append(" ")
                pos += 1
        starts.append(pos)
        parts.append(word)
        pos += len(word)
    return "".join(parts), starts


def coarse(label: str) -> str | None:
    """Map a dataset label to kg's coarse NER label, or None to drop it."""
    label = {"DATASET": "Material", "TASK": "Task", "METRIC": "Metric"}.get(label, label)
    return label if label in LABELS else None


def make_doc(
    nlp: Language, text: str, spans: list[tuple[int, int, str]], stats: Counter[str]
) -> Doc:
    """Tokenize `text` and set gold entities; spans not on token boundaries become missing."""
    doc = nlp.make_doc(text)
    ents, missing = [], []
    taken: set[int] = set()
    for start, end, label in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        span = doc.char_span(start, end, label=label)
        stats["mentions"] += 1
        if span is None:
            stats["misaligned"] += 1
            loose = doc.char_span(start, end, alignment_mode="expand")
            if loose is not None and not taken.intersection(range(loose.start, loose.end)):
                missing.append(loose)
                taken.update(range(loose.start, loose.end))
            continue
        if taken.intersection(range(span.start, span.end)):
            stats["overlapping"] += 1
            continue
        taken.update(range(span.start, span.end))
        ents.append(span)
        stats[label] += 1
    doc.set_ents(ents, missing=missing, default="outside")
    return doc


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf8") as lines:
        for line in lines:
            yield json.loads(line)


def abstract_spans(record: dict[str, Any]) -> list[tuple[int, int, str]]:
    spans = []
    for m in record["mentions"]:
        label = coarse(m["type"])
        if label:
            spans.append((m["start_char"], m["end_char"], label))
    return spans


def full_paper_chunks(
    record: dict[str, Any],
) -> Iterator[tuple[list[str], list[tuple[int, int, str]]]]:
    """Yield (words, token spans) for runs of whole sentences up to CHUNK_TOKENS words."""
    words = record["words"]
    ner = [(s, e, str(coarse(t))) for s, e, t in record["ner"] if coarse(t)]
    chunks: list[tuple[int, int]] = []
    for s_start, s_end in record["sentences"]:
        if chunks and s_end - chunks[-1][0] <= CHUNK_TOKENS:
            chunks[-1] = (chunks[-1][0], s_end)
        else:
            chunks.append((s_start, s_end))
    for c_start, c_end in chunks:
        spans = [(s - c_start, e - c_start, t) for s, e, t in ner if s >= c_start and e <= c_end]
        yield words[c_start:c_end], spans


def gold_record(doc_id: str, text: str, spans: list[tuple[int, int, str]]) -> dict[str, Any]:
    return {"doc_id": doc_id, "text": text, "spans": [list(s) for s in spans]}


def prepare(data: Path, out: Path) -> dict[str, dict[str, int]]:
    """Write the DocBins and gold files; return per-file statistics."""
    nlp = spacy.blank("en")
    out.mkdir(parents=True, exist_ok=True)
    scirex = list(read_jsonl(data / "scirex" / "abstracts_train.jsonl"))
    held = heldout_ids(r["doc_id"] for r in scirex)
    (out / "scirex_heldout_ids.txt").write_text("\n".join(sorted(held)) + "\n")
    all_stats: dict[str, dict[str, int]] = {}

    def write(name: str, items: Iterable[tuple[str, str, list[tuple[int, int, str]]]]) -> None:
        stats: Counter[str] = Counter()
        docbin = DocBin(store_user_data=False)
        gold = []
        for doc_id, text, spans in items:
            docbin.add(make_doc(nlp, text, spans, stats))
            gold.append(gold_record(doc_id, text, spans))
            stats["docs"] += 1
        docbin.to_disk(out / f"{name}.spacy")
        with (out / f"{name}.jsonl").open("w", encoding="utf8") as f:
            f.writelines(json.dumps(g) + "\n" for g in gold)
        all_stats[name] = dict(stats)

    scierc_train = list(read_jsonl(data / "scierc" / "abstracts_train.jsonl"))
    write(
        "scirex_train",
        [(r["doc_id"], r["text"], abstract_spans(r)) for r in scirex if r["doc_id"] not in held],
    )
    write(
        "scierc_train",
        [(r["doc_id"], r["text"], abstract_spans(r)) for r in scierc_train],
    )
    write(
        "scirex_heldout",
        [(r["doc_id"], r["text"], abstract_spans(r)) for r in scirex if r["doc_id"] in held],
    )
    write(
        "scierc_dev",
        [
            (r["doc_id"], r["text"], abstract_spans(r))
            for r in read_jsonl(data / "scierc" / "abstracts_dev.jsonl")
        ],
    )

    def full_items() -> Iterator[tuple[str, str, list[tuple[int, int, str]]]]:
        for record in read_jsonl(data / "scirex" / "train.jsonl"):
            if record["doc_id"] in held:
                continue
            for i, (words, tok_spans) in enumerate(full_paper_chunks(record)):
                text, starts = detokenize(words)
                ends = [s + len(w) for s, w in zip(starts, words, strict=True)]
                spans = [(starts[s], ends[e - 1], t) for s, e, t in tok_spans]
                yield f"{record['doc_id']}#{i}", text, spans

    write("scirex_full", full_items())
    sample = DocBin().from_disk(out / "scirex_full.spacy")
    docs = list(sample.get_docs(nlp.vocab))
    random.Random(0).shuffle(docs)
    DocBin(docs=docs[:N_FULL_SAMPLE]).to_disk(out / "scirex_full_sample.spacy")
    (out / "stats.json").write_text(json.dumps(all_stats, indent=1) + "\n")
    return all_stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (has scirex/, scierc/)")
    parser.add_argument("out", type=Path, help="where to write the .spacy and gold files")
    args = parser.parse_args()
    for name, stats in prepare(args.data, args.out).items():
        print(name, json.dumps(stats))


if __name__ == "__main__":
    main()

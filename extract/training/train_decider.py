"""Train the decider (extract/decider.py) on the annotated training papers. Not shipped.

    python extract/training/train_decider.py cv extract/eval/recent/train.jsonl
    python extract/training/train_decider.py ship extract/eval/recent/train.jsonl

Each training paper is read as the pipeline reads it: gazetteer hits, pattern names and chunk
sub-spans. The gazetteer's "recent-train" entries were learned from these same papers, so a
paper's features come from a gazetteer learned without its own fold (cross-fitting, 5 folds by a
hash of the id): the model sees gazetteer hits as often as it will on new papers. Breakers (words
that end a chunk) are learned the same way. A span's label is the type of the gold mention with
exactly its offsets, else "O".

`cv` trains on 4 folds and scores the 5th with kg's paper-level scorer, for each setting of the
grid (L2 strength, threshold); `ship` trains on all folds with the chosen setting and writes
extract/data/decider/. Deterministic: fixed folds, full-batch gradient descent from zeros.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_lexicon as bl  # noqa: E402
import learn_gazetteer as lg  # noqa: E402

from extract import cleanup  # noqa: E402
from extract.candidate import Candidate  # noqa: E402
from extract.chunker import Tokens  # noqa: E402
from extract.decider import (  # noqa: E402
    CLASSES,
    MODEL_DIR,
    Decider,
    Span,
    candidate_spans,
    features,
)
from extract.lexicon import load_lexicon  # noqa: E402
from extract.matcher import GazetteerMatcher  # noqa: E402
from extract.patterns import find_all  # noqa: E402

FOLDS = 5
MIN_FEATURE_COUNT = 2
_BREAKER_SUFFIX = re.compile(r"(?:ly|ed|es|ing|ize|ise|ate|ates|izes)$")


def fold_of(paper_id: str) -> int:
    return hashlib.sha256(paper_id.encode()).digest()[0] % FOLDS


def learn_breakers(papers: Iterable[dict[str, Any]], tokenizer: Any) -> frozenset[str]:
    """Verb- and adverb-shaped words seen at least 3 times and never inside a gold mention."""
    inside: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for p in papers:
        text, _ = paper_text(p)
        covered: set[int] = set()
        for (s, e), _t in gold_spans(p).items():
            covered.update(range(s, e))
        for tok in tokenizer(text):
            total[tok.lower_] += 1
            inside[tok.lower_] += tok.idx in covered
    return frozenset(
        w
        for w, n in total.items()
        if n >= 3 and inside[w] == 0 and w.isalpha() and _BREAKER_SUFFIX.search(w)
    )


def paper_text(p: dict[str, Any]) -> tuple[str, int]:
    title = p.get("title") or ""
    return title + "\n\n" + p["abstract"], len(title)


def gold_spans(p: dict[str, Any]) -> dict[tuple[int, int], str]:
    offset = len(p.get("title") or "") + 2
    out = {}
    for ent in p["entities"]:
        for m in ent.get("mentions", ()):
            shift = 0 if m["field"] == "title" else offset
            out[(m["start"] + shift, m["end"] + shift)] = ent["type"]
    return out


@dataclass
class PaperRows:
    paper: dict[str, Any]
    text: str
    title_len: int
    toks: Tokens
    rules: list[Candidate]
    spans: list[Span]
    feats: list[list[str]]
    labels: list[int]
    breakers: frozenset[str]


def read_fold_rows(papers: Sequence[dict[str, Any]]) -> list[PaperRows]:
    """Each paper's spans, features and labels, with a gazetteer and breakers learned without
    the paper's fold."""
    import spacy

    nlp = spacy.blank("en")
    base = lg.curated()
    rows = []
    for f in range(FOLDS):
        others = [p for p in papers if fold_of(p["id"]) != f]
        matcher = GazetteerMatcher([*base, *lg.propose(others, base, lg.CHOSEN)], nlp.tokenizer)
        breakers = learn_breakers(others, nlp.tokenizer)
        for p in papers:
            if fold_of(p["id"]) == f:
                rows.append(paper_rows(p, nlp, matcher, breakers))
    return sorted(rows, key=lambda r: r.paper["id"])


def paper_rows(
    p: dict[str, Any], nlp: Any, matcher: GazetteerMatcher, breakers: frozenset[str]
) -> PaperRows:
    text, title_len = paper_text(p)
    doc = nlp.make_doc(text)
    toks = Tokens([t.text for t in doc], [t.idx for t in doc], [bool(t.whitespace_) for t in doc])
    rules = [*matcher(doc, text), *find_all(text, title_len)]
    spans = candidate_spans(toks, rules, breakers)
    gold = gold_spans(p)
    labels = [CLASSES.index(gold.get((s.start, s.end), "O")) for s in spans]
    own = bl.left_out(load_lexicon(), text, toks, _lexicon_breakers())  # as a new paper's
    feats = features(text, title_len, toks, spans, own)
    return PaperRows(p, text, title_len, toks, rules, spans, feats, labels, breakers)


@cache
def _lexicon_breakers() -> frozenset[str]:
    breakers: frozenset[str] = bl.built_with()
    return breakers


def train(
    rows: Sequence[PaperRows], *, l2: float, epochs: int = 300, lr: float = 0.05
) -> tuple[dict[str, int], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Multinomial logistic regression by full-batch Adam from zeros (deterministic)."""
    counts: Counter[str] = Counter(f for r in rows for fs in r.feats for f in set(fs))
    names = sorted(f for f, n in counts.items() if n >= MIN_FEATURE_COUNT)
    vocab = {f: i for i, f in enumerate(names)}
    row_idx, col_idx, y = [], [], []
    n = 0
    for r in rows:
        for fs, label in zip(r.feats, r.labels, strict=True):
            for f in fs:
                j = vocab.get(f)
                if j is not None:
                    row_idx.append(n)
                    col_idx.append(j)
            y.append(label)
            n += 1
    ri, ci = np.asarray(row_idx), np.asarray(col_idx)
    labels = np.asarray(y)
    k = len(CLASSES)
    w = np.zeros((len(names), k))
    b = np.zeros(k)
    onehot = np.eye(k)[labels]
    state = [np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)]
    x = _sparse(ri, ci, n, len(names))
    for step in range(1, epochs + 1):
        logits: npt.NDArray[np.float64] = (
            x @ w
            if x is not None
            else np.stack(
                [np.bincount(ri, weights=w[ci, c], minlength=n) for c in range(k)], axis=1
            )
        )
        logits = logits + b - logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / n
        gw: npt.NDArray[np.float64] = (
            x.T @ g
            if x is not None
            else np.stack(
                [np.bincount(ci, weights=g[ri, c], minlength=len(names)) for c in range(k)],
                axis=1,
            )
        )
        gw = gw + l2 * w
        gb = g.sum(axis=0)
        for param, grad, m, v in ((w, gw, state[0], state[1]), (b, gb, state[2], state[3])):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= lr * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return vocab, w.astype(np.float32), b.astype(np.float32)


def _sparse(ri: npt.NDArray[Any], ci: npt.NDArray[Any], n: int, m: int) -> Any:
    """The span-by-feature matrix as scipy CSR when scipy is installed (same sums, ~20x faster
    on 1,000+ papers), else None and train() sums with numpy's bincount."""
    try:
        from scipy.sparse import csr_matrix
    except ImportError:
        return None
    return csr_matrix((np.ones(len(ri)), (ri, ci)), shape=(n, m))


def extractions(model: Decider, rows: Sequence[PaperRows]) -> list[Any]:
    from extract.cleanup import clean
    from extract.decider import decide_candidates
    from extract.resolve import resolve, to_entities
    from kg.model import Extraction

    out = []
    for r in rows:
        fold_model = replace(model, breakers=r.breakers)
        own = bl.left_out(load_lexicon(), r.text, r.toks, _lexicon_breakers())  # as in paper_rows
        cands = decide_candidates(fold_model, r.text, r.title_len, r.toks, r.rules, own)
        chosen = clean(r.text, r.title_len, resolve(r.text, r.title_len, cands))
        entities = to_entities(chosen, text=r.text, title_len=r.title_len)
        out.append(Extraction(paper_id=r.paper["id"], title=r.paper["title"], entities=entities))
    return out


def score(path: Path, rows: Sequence[PaperRows], preds: Sequence[Any]) -> dict[str, Any]:
    from kg.gold import read_gold
    from kg.scoring import score as score_docs

    ids = {r.paper["id"] for r in rows}
    docs = [d for d in read_gold(path) if d.doc_id in ids]
    paper = score_docs(docs, list(preds)).paper
    return {t: paper[t]["all"] for t in ("typed", "coarse", "untyped")}


def _fmt(s: dict[str, Any]) -> str:
    return "  ".join(
        f"{t} P {v.precision:.3f} R {v.recall:.3f} F1 {v.f1:.3f}" for t, v in s.items()
    )


GRID_L2 = (1e-5, 3e-5, 1e-4)
GRID_THRESHOLD = (0.3, 0.4, 0.5, 0.6)
CHOSEN_L2 = 3e-5
CHOSEN_THRESHOLD = 0.35


def cached_rows(path: Path, cache: Path | None) -> list[PaperRows]:
    """read_fold_rows, kept in `cache` (a pickle) between runs when given."""
    import pickle

    if cache is not None and cache.is_file():
        rows: list[PaperRows] = pickle.loads(cache.read_bytes())
        return rows
    rows = read_fold_rows(lg.read_papers(path))
    if cache is not None:
        cache.write_bytes(pickle.dumps(rows))
    return rows


def cv(path: Path, l2s: Sequence[float], thresholds: Sequence[float], cache: Path | None) -> None:
    rows = cached_rows(path, cache)
    print(f"{len(rows)} papers, {sum(len(r.spans) for r in rows)} spans", flush=True)
    for l2 in l2s:
        models = []
        for f in range(FOLDS):
            vocab, w, b = train([r for r in rows if fold_of(r.paper["id"]) != f], l2=l2)
            models.append((vocab, w, b))
        for th in thresholds:
            for broad in (True, False):
                cleanup.BROAD_CLASS_RULE = broad
                preds = []
                for f, (vocab, w, b) in enumerate(models):
                    model = Decider(vocab, w, b, frozenset(), th)
                    preds += extractions(model, [r for r in rows if fold_of(r.paper["id"]) == f])
                label = f"l2={l2:g} threshold={th} broad-class rule={broad}"
                print(f"{label}: {_fmt(score(path, rows, preds))}", flush=True)
            cleanup.BROAD_CLASS_RULE = True


def ship(path: Path, cache: Path | None) -> None:
    import spacy

    papers = lg.read_papers(path)
    rows = cached_rows(path, cache)
    vocab, w, b = train(rows, l2=CHOSEN_L2)
    breakers = learn_breakers(papers, spacy.blank("en").tokenizer)
    info: dict[str, object] = {
        "papers": len(rows),
        "spans": sum(len(r.spans) for r in rows),
        "l2": CHOSEN_L2,
    }
    Decider(vocab, w, b, breakers, CHOSEN_THRESHOLD, info).save(MODEL_DIR)
    prune = learn_prune(rows)
    (MODEL_DIR / "prune.json").write_text(json.dumps(prune, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_DIR}: {len(vocab)} features, {len(breakers)} breakers")


PRUNE_MIN_COUNT = 20


def learn_prune(
    rows: Sequence[PaperRows], min_count: int = PRUNE_MIN_COUNT
) -> dict[str, list[str]]:
    """Words that end (or begin) at least `min_count` chunk spans that no rule found in the
    training papers and never end (begin) a gold mention there: spans ending (beginning) with
    them are dropped before features are made (about 40% of the spans, the decider's main cost).
    And the lower-case words that were a whole single-word gold mention there: any other
    lower-case word cut out of a longer chunk is dropped too (on held-out fold 0 of 3,650 papers:
    a quarter fewer spans, the same typed and untyped F1)."""
    head_n: Counter[str] = Counter()
    head_pos: Counter[str] = Counter()
    first_n: Counter[str] = Counter()
    first_pos: Counter[str] = Counter()
    single_ok: set[str] = set()
    for r in rows:
        for span, label in zip(r.spans, r.labels, strict=True):
            words = r.text[span.start : span.end].lower().split()
            if span.rules or not words:
                continue
            head_n[words[-1]] += 1
            head_pos[words[-1]] += label != 0
            first_n[words[0]] += 1
            first_pos[words[0]] += label != 0
        for start, end in gold_spans(r.paper):
            raw = r.text[start:end]
            if raw.islower() and len(raw.split()) == 1:
                single_ok.add(raw.lower())
    return {
        "never_head": sorted(w for w, n in head_n.items() if n >= min_count and not head_pos[w]),
        "never_first": sorted(w for w, n in first_n.items() if n >= min_count and not first_pos[w]),
        "single_ok": sorted(single_ok),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["cv", "ship"])
    parser.add_argument("train", type=Path)
    parser.add_argument("--l2", type=float, nargs="*", default=list(GRID_L2))
    parser.add_argument("--threshold", type=float, nargs="*", default=list(GRID_THRESHOLD))
    parser.add_argument("--cache", type=Path, help="pickle of the papers' features (cv)")
    args = parser.parse_args(argv)
    if args.command == "cv":
        cv(args.train, args.l2, args.threshold, args.cache)
    else:
        ship(args.train, args.cache)


if __name__ == "__main__":
    main()

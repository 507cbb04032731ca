"""Build the decider's lexicon (extract/data/lexicon/) from unlabeled ML abstracts. Not shipped.

    python extract/training/build_lexicon.py ../shared/data/recent_abstracts/papers.jsonl

Two kinds of corpus statistics that a logistic regression over one paper's words cannot learn from
a few hundred annotated papers:

- phrase statistics: for every lower-cased chunk sub-span of at most 4 tokens (extract.chunker,
  with the shipped decider's breakers), in how many papers it occurs and in how many it is a whole
  chunk. A technical term ("catastrophic forgetting", "web navigation") recurs across papers and
  stands alone; a phrase cut out of prose ("tasks ranging") does not. Phrases seen in fewer than
  MIN_PHRASE_DF papers are not stored.
- word clusters: each word seen at least MIN_WORD_COUNT times gets two cluster ids (k-means with 64
  and 512 clusters over PPMI-SVD vectors of its neighbours within 4 tokens), so words that are used
  alike ("segmentation", "detection", "captioning") share features the annotated papers may have
  seen for only one of them; and its document frequency (generic words are in many papers).

The corpus is every paper but the development split (the first DEV papers in the fixed sha256
order of extract/training/annotate.py), so no statistic is drawn from an evaluated text. The
training papers are in it; so that a training paper's features are made as a new paper's are,
train_decider.py reads each of them through `left_out`, which takes the paper's own text out of
the counts (leave-one-out; the word clusters are kept: one paper barely moves them).
Deterministic (fixed seeds).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from extract.chunker import Tokens, chunks, sub_spans  # noqa: E402
from extract.decider import load_decider  # noqa: E402
from extract.lexicon import LEXICON_PATH, Lexicon, phrase_key  # noqa: E402

DEV = 150  # the development split: the first papers in sha256 order (annotate.py)
MIN_PHRASE_DF = 2
MAX_PHRASE_TOKENS = 4
MIN_WORD_COUNT = 5
CONTEXTS = 4000  # the most frequent words serve as context columns
DIMS = 64
WINDOW = 4
SEED = 0


def order_key(paper_id: str) -> str:
    return hashlib.sha256(paper_id.encode()).hexdigest()


def read_corpus(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        papers = [json.loads(line) for line in f if line.strip()]
    papers.sort(key=lambda p: order_key(p["id"]))
    return papers[DEV:]


def docs(papers: list[dict[str, Any]]) -> Iterator[tuple[str, Tokens]]:
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    for p in papers:
        text = (p.get("title") or "") + "\n\n" + p["abstract"]
        doc = tokenizer(text)
        yield (
            text,
            Tokens([t.text for t in doc], [t.idx for t in doc], [bool(t.whitespace_) for t in doc]),
        )


def paper_phrases(text: str, toks: Tokens, breakers: frozenset[str]) -> tuple[set[str], set[str]]:
    """The phrases of one paper, and those of them that stand as a whole chunk somewhere in it."""
    seen: set[str] = set()
    whole: set[str] = set()
    for a, b in chunks(toks, breakers):
        for i, j in sub_spans(toks, (a, b)):
            if j - i > MAX_PHRASE_TOKENS:
                continue
            key = phrase_key(text[toks.starts[i] : toks.end(j - 1)])
            seen.add(key)
            if (i, j) == (a, b):
                whole.add(key)
    return seen, whole


def phrase_counts(
    papers: list[dict[str, Any]], breakers: frozenset[str]
) -> tuple[Counter[str], Counter[str], Counter[str], list[list[str]]]:
    """Papers holding each phrase, papers where it is a whole chunk, papers holding each word, and
    each paper's lower-cased words (for the vectors)."""
    df: Counter[str] = Counter()
    full: Counter[str] = Counter()
    word_df: Counter[str] = Counter()
    sentences: list[list[str]] = []
    for text, toks in docs(papers):
        seen, whole = paper_phrases(text, toks, breakers)
        df.update(seen)
        full.update(whole)
        words = [w.lower() for w in toks.words if not w.isspace()]
        word_df.update(set(words))
        sentences.append(words)
    return df, full, word_df, sentences


@dataclass(frozen=True, eq=False)
class LeftOut(Lexicon):
    """The lexicon as it would be without one paper of its corpus: that paper's phrases and words
    each count one paper less (a phrase then seen in fewer than MIN_PHRASE_DF papers is unseen)."""

    own: frozenset[str] = frozenset()
    own_whole: frozenset[str] = frozenset()
    own_words: frozenset[str] = frozenset()

    def phrase(self, key: str) -> tuple[int, int]:
        df, whole = super().phrase(key)
        if not df:
            return 0, 0
        if " " not in key and "-" not in key:  # a single word: its document frequency
            return df - (key in self.own_words), whole
        if key in self.own:
            df, whole = df - 1, whole - (key in self.own_whole)
            if df < MIN_PHRASE_DF:
                return 0, 0
        return df, whole

    def word(self, word: str) -> tuple[int, int, int] | None:
        found = super().word(word)
        if found is None or word not in self.own_words:
            return found
        return found[0] - 1, found[1], found[2]


def built_with(path: Path = LEXICON_PATH) -> frozenset[str]:
    """The breakers the lexicon at `path` chunked its corpus with."""
    with gzip.open(path, "rb") as fh:
        return frozenset(json.loads(fh.read().decode("utf-8"))["breakers"])


def left_out(lexicon: Lexicon, text: str, toks: Tokens, breakers: frozenset[str]) -> LeftOut:
    """`lexicon` without the paper `text` (which must be in its corpus), chunked with the
    `breakers` the lexicon was built with (`built_with`)."""
    own, whole = paper_phrases(text, toks, breakers)
    words = frozenset(w.lower() for w in toks.words if not w.isspace())
    return LeftOut(
        lexicon.papers - 1, lexicon.words, lexicon.phrases, frozenset(own), frozenset(whole), words
    )


def word_vectors(sentences: list[list[str]], vocab: list[str]) -> npt.NDArray[np.float32]:
    """PPMI of each word with the CONTEXTS most frequent words within WINDOW, reduced to DIMS
    dimensions by a randomized SVD; rows normalized to unit length."""
    index = {w: i for i, w in enumerate(vocab)}
    ctx_index = {w: i for i, w in enumerate(vocab[:CONTEXTS])}
    counts = np.zeros((len(vocab), min(CONTEXTS, len(vocab))), dtype=np.float32)
    for words in sentences:
        ids = [index.get(w, -1) for w in words]
        cids = [ctx_index.get(w, -1) for w in words]
        for k, wi in enumerate(ids):
            if wi < 0:
                continue
            for m in range(max(0, k - WINDOW), min(len(words), k + WINDOW + 1)):
                if m != k and cids[m] >= 0:
                    counts[wi, cids[m]] += 1.0
    total = counts.sum()
    row = counts.sum(axis=1, keepdims=True) + 1e-9
    col = counts.sum(axis=0, keepdims=True) ** 0.75
    col = col / col.sum() * total
    with np.errstate(divide="ignore"):
        pmi = np.log(counts * total / (row * col + 1e-9) + 1e-12)
    ppmi = np.maximum(pmi, 0.0).astype(np.float32)
    rng = np.random.default_rng(SEED)
    probe = rng.standard_normal((ppmi.shape[1], DIMS + 16)).astype(np.float32)
    q, _ = np.linalg.qr(ppmi @ probe)
    for _ in range(2):  # power iterations
        q, _ = np.linalg.qr(ppmi @ (ppmi.T @ q))
    u_small, s, _ = np.linalg.svd(q.T @ ppmi, full_matrices=False)
    vectors = (q @ u_small[:, :DIMS]) * np.sqrt(s[:DIMS])
    norms = np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    out: npt.NDArray[np.float32] = (vectors / norms).astype(np.float32)
    return out


def kmeans(x: npt.NDArray[np.float32], k: int, iterations: int = 25) -> npt.NDArray[np.int64]:
    """Spherical k-means from a fixed sample of rows; the cluster id of each row."""
    rng = np.random.default_rng(SEED + k)
    centres = x[rng.choice(len(x), size=k, replace=False)].copy()
    labels = np.zeros(len(x), dtype=np.int64)
    for _ in range(iterations):
        labels = np.argmax(x @ centres.T, axis=1)
        for c in range(k):
            members = x[labels == c]
            if len(members):
                centre = members.sum(axis=0)
                centres[c] = centre / (np.linalg.norm(centre) + 1e-9)
    return labels


def build(corpus: Path, out: Path) -> None:
    papers = read_corpus(corpus)
    breakers = load_decider().breakers
    df, full, word_df, sentences = phrase_counts(papers, breakers)
    word_count: Counter[str] = Counter(w for words in sentences for w in words)
    vocab = [
        w
        for w, n in sorted(word_count.items(), key=lambda x: (-x[1], x[0]))
        if n >= MIN_WORD_COUNT and any(c.isalpha() for c in w)
    ]
    vectors = word_vectors(sentences, vocab)
    small, large = kmeans(vectors, 64), kmeans(vectors, 512)
    lexicon: dict[str, Any] = {
        "breakers": sorted(breakers),  # what the phrases were chunked with (for `left_out`)
        "papers": len(papers),
        "words": {w: [word_df[w], int(small[i]), int(large[i])] for i, w in enumerate(vocab)},
        "phrases": {
            p: [n, full[p]]
            for p, n in sorted(df.items())
            if n >= MIN_PHRASE_DF and (" " in p or "-" in p)
        },
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(lexicon, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    with out.open("wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(raw.encode("utf-8"))
    print(
        f"wrote {out}: {len(papers)} papers, {len(vocab)} words, "
        f"{len(lexicon['phrases'])} phrases, {out.stat().st_size / 1e6:.1f} MB"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, default=LEXICON_PATH)
    args = parser.parse_args(argv)
    build(args.corpus, args.out)


if __name__ == "__main__":
    main()

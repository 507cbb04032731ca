"""The learned decision: which candidate spans of a paper name a concept, and of which type.

Every candidate span (a gazetteer hit, a pattern name, an abbreviation pair, a technical noun
phrase from `extract.chunker`) gets a few dozen string features: its source, words, shape, the
words around it, cues such as "evaluated on" or "we propose", title position, how often the paper
repeats it, and which other candidates it contains or sits in. A multinomial logistic regression
(numpy, weights in extract/data/decider/, trained by extract/training/train_decider.py) gives each
span a probability of naming no concept or one of the six types; `decide` keeps the best
non-overlapping spans over the model's threshold.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from itertools import chain, groupby, repeat
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from extract.candidate import Candidate, Taken
from extract.chunker import Tokens, chunks, sub_spans
from extract.lexicon import Lexicon, bucket, load_lexicon, phrase_key
from extract.normalize import canonical_name, is_not_concept, type_from_head
from kg.errors import KGError
from kg.model import ROLE_RANK, ConceptType

if TYPE_CHECKING:
    from spacy.tokens import Doc

MODEL_DIR = Path(__file__).resolve().parent / "data" / "decider"
META, WEIGHTS = "decider.json.gz", "weights.npy.gz"  # classes, features, ...; bias and weights
NONE = "O"  # the class of a span that names no concept
CLASSES = (NONE, "Method", "Model", "Dataset", "Benchmark", "Task", "Metric")
_LEFT_CUES = {
    "eval": {
        "evaluated",
        "evaluate",
        "evaluating",
        "evaluation",
        "benchmark",
        "benchmarks",
        "tested",
    },
    "train": {
        "trained",
        "train",
        "training",
        "fine-tune",
        "fine-tuned",
        "fine-tuning",
        "finetune",
        "finetuned",
        "pretrained",
        "pre-trained",
        "built",
    },
    "prop": {"propose", "proposes", "introduce", "introduces", "present", "presents", "called"},
    "ex": {"such", "including", "like", "e.g.", "e.g", "include"},
    "we": {"we", "our"},
}
_WORDS = re.compile(r"[a-z][a-z\-.]*")
_CUE_OF = {w: cue for cue, words in _LEFT_CUES.items() for w in words}
_SHAPE_MAP = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "X" * 26 + "x" * 26 + "d" * 10,
)


@dataclass(frozen=True, slots=True)
class Span:
    """One candidate stretch of text with the rule candidates that found exactly it."""

    start: int
    end: int
    rules: tuple[Candidate, ...] = ()
    chunk: str = ""  # "", "part", "full" (the whole chunk), "suffix", "prefix"


class FeatureIndex:
    """Feature name -> weight row, held as two numpy arrays (the names' hashes, sorted, and their
    rows) instead of a dict: a dict of 300k names costs ~40 MB of strings and int objects, and the
    int objects' reference counts dirty the pages that extraction workers share with the parent
    (copy on write). Python's str hash is salted per process but fixed within one, so the index is
    built where it is used; two names with one 64-bit hash would share a row (odds ~1e-9).

    Example:
        >>> FeatureIndex(["h=model", "t=bert"]).rows(["t=bert", "unseen", "h=model"]).tolist()
        [1, -1, 0]
    """

    __slots__ = ("_hashes", "_rows")

    def __init__(self, names: Sequence[str]) -> None:
        hashes = np.fromiter(map(hash, names), dtype=np.int64, count=len(names))
        order = np.argsort(hashes, kind="stable")
        self._hashes: npt.NDArray[np.int64] = hashes[order]
        self._rows: npt.NDArray[np.int64] = order.astype(np.int64)

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self, feats: Sequence[str]) -> npt.NDArray[np.int64]:
        """Each feature's weight row, -1 for a feature the model never saw."""
        if not len(self._rows):
            return np.full(len(feats), -1, dtype=np.int64)
        wanted = np.fromiter(map(hash, feats), dtype=np.int64, count=len(feats))
        at = np.searchsorted(self._hashes, wanted)
        at[at == len(self._hashes)] = 0
        found: npt.NDArray[np.int64] = np.where(self._hashes[at] == wanted, self._rows[at], -1)
        return found


@dataclass(frozen=True)
class Decider:
    """A trained model: feature vocabulary (a dict while training, a FeatureIndex once read from
    disk), weights (features x classes), bias and threshold."""

    vocab: dict[str, int] | FeatureIndex
    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    breakers: frozenset[str]
    threshold: float
    info: dict[str, object] = field(default_factory=dict)
    never_head: frozenset[str] = (
        frozenset()
    )  # prune.json: chunk spans ending with these are dropped
    never_first: frozenset[str] = frozenset()  # ... and beginning with these
    # prune.json: a lower-case word cut out of a longer chunk is scored only when it was a whole
    # mention of its own in the training papers (None: every such word is scored)
    single_ok: frozenset[str] | None = None

    def probabilities(self, feats: Sequence[Sequence[str]]) -> npt.NDArray[np.float64]:
        """Row i: the probability of each class in CLASSES for the span with features feats[i]."""
        n = len(feats)
        logits = np.tile(self.bias.astype(np.float64), (n, 1))
        lengths = np.fromiter(map(len, feats), dtype=np.int64, count=n)
        flat = list(chain.from_iterable(feats))
        if isinstance(self.vocab, FeatureIndex):
            cols = self.vocab.rows(flat)
        else:
            cols = np.fromiter(map(self.vocab.get, flat, repeat(-1)), np.int64, count=len(flat))
        known = cols >= 0
        if known.any():
            rows = np.repeat(np.arange(n), lengths)[known]
            per_row = np.bincount(rows, minlength=n)
            filled = per_row > 0
            starts = (np.cumsum(per_row) - per_row)[filled]
            logits[filled] += np.add.reduceat(self.weights[cols[known]].astype(np.float64), starts)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        probs: npt.NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
        return probs

    def save(self, folder: Path) -> None:
        if isinstance(self.vocab, FeatureIndex):
            raise TypeError("a model read from disk has no feature names to save; retrain it")
        folder.mkdir(parents=True, exist_ok=True)
        names = sorted(self.vocab, key=self.vocab.__getitem__)
        meta = {
            "classes": list(CLASSES),
            "threshold": self.threshold,
            "breakers": sorted(self.breakers),
            "features": names,
            "info": self.info,
        }
        text = json.dumps(meta, ensure_ascii=False, indent=0) + "\n"
        table = io.BytesIO()  # float16 on disk: half the size, the same decisions (read as float32)
        np.save(table, np.vstack([self.bias[None, :], self.weights]).astype(np.float16))
        for name, data in ((META, text.encode()), (WEIGHTS, table.getvalue())):
            (folder / name).write_bytes(gzip.compress(data, mtime=0))  # the same bytes each time


def load_decider(folder: Path | None = None) -> Decider:
    """The model in `folder` (default: the packaged one); KGError naming the file if unreadable."""
    if folder is None:
        return _packaged()
    return _read(folder)


@cache
def _packaged() -> Decider:
    return _read(MODEL_DIR)


def _read(folder: Path) -> Decider:
    meta_path, weights_path = folder / META, folder / WEIGHTS
    try:
        meta = json.loads(gzip.decompress(meta_path.read_bytes()).decode("utf-8"))
        raw = gzip.decompress(weights_path.read_bytes())
        table = np.load(io.BytesIO(raw), allow_pickle=False).astype(np.float32)
    except (OSError, ValueError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise KGError(
            f"{folder}: cannot read the decider model ({err}); "
            "reinstall kg or retrain it (extract/training/README.md)"
        ) from err
    if tuple(meta.get("classes", ())) != CLASSES or table.shape != (
        len(meta["features"]) + 1,
        len(CLASSES),
    ):
        raise KGError(f"{meta_path}: classes or weight shape do not match; retrain the decider")
    return Decider(
        vocab=FeatureIndex(meta["features"]),
        weights=table[1:],
        bias=table[0],
        breakers=frozenset(meta["breakers"]),
        threshold=float(meta["threshold"]),
        info=dict(meta.get("info", {})),
        **_prune_lists(folder / "prune.json"),
    )


def _prune_lists(path: Path) -> dict[str, frozenset[str]]:
    """prune.json's word lists (none when the file is absent); KGError naming it if unreadable."""
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        lists = {k: frozenset(raw[k]) for k in ("never_head", "never_first")}
        if "single_ok" in raw:  # older prune lists have none: every word is then scored
            lists["single_ok"] = frozenset(raw["single_ok"])
        return lists
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise KGError(
            f"{path}: cannot read the decider's prune lists ({err}); reinstall kg"
        ) from err


def candidate_spans(
    toks: Tokens, rules: Sequence[Candidate], breakers: frozenset[str]
) -> list[Span]:
    """Every chunk sub-span and every rule candidate's span, once each, in text order."""
    by_span: dict[tuple[int, int], list[Candidate]] = defaultdict(list)
    for cand in rules:
        by_span[(cand.start, cand.end)].append(cand)
    kinds: dict[tuple[int, int], str] = {}
    for a, b in chunks(toks, breakers):
        for i, j in sub_spans(toks, (a, b)):
            key = (toks.starts[i], toks.end(j - 1))
            kind = (
                "full"
                if (i, j) == (a, b)
                else "prefix"
                if i == a
                else "suffix"
                if j == b
                else "part"
            )
            kinds[key] = kind
    keys = sorted(set(kinds) | set(by_span))
    return [Span(s, e, tuple(by_span.get((s, e), ())), kinds.get((s, e), "")) for s, e in keys]


@lru_cache(maxsize=16384)
def _shape(text: str) -> str:
    """Character classes with runs collapsed: "BoxFlow-GRPO" -> "XxXx-X"."""
    runs = groupby(text.translate(_SHAPE_MAP))
    return sys.intern("".join(k if k in "Xxd" else "".join(g) for k, g in runs)[:12])


@lru_cache(maxsize=65536)
def _head_type(head: str) -> ConceptType | None:
    return type_from_head(head)


def features(
    text: str,
    title_len: int,
    toks: Tokens,
    spans: Sequence[Span],
    lexicon: Lexicon | None = None,
) -> list[list[str]]:
    """The feature strings of each span (see the module docstring). The parts that depend only
    on where a span starts (left context, cues), where it ends (right context, the head token's
    shape), its head word or its first word are made once per paper and shared. `lexicon`: the
    packaged one unless given (training passes one that leaves the paper's own text out)."""
    lexicon = lexicon or load_lexicon()
    lower = text.lower()
    low = [w.lower() if w.strip() else "" for w in toks.words]
    counts = Counter(low)
    title_lower = lower[:title_len]
    gaz = [(c.start, c.end, str(c.type)) for s in spans for c in s.rules if c.source == "gazetteer"]
    gaz_starts = [s for s, _, _ in gaz]  # spans come in text order, so these are sorted
    gaz_longest = max((e - s for s, e, _ in gaz), default=0)
    seen: dict[str, int] = {}
    before: dict[int, tuple[int, list[str], list[str], list[str]]] = {}  # by start offset
    after: dict[int, tuple[list[str], list[str], str]] = {}  # by end token
    heads: dict[str, tuple[str, str, str]] = {}
    firsts: dict[str, tuple[str, str]] = {}
    out = []
    for span in spans:
        if (at := before.get(span.start)) is None:
            at = before[span.start] = _left_context(toks, low, lower, span.start)
        i, left, left_fs, cue_fs = at
        j = max(i + 1, bisect_left(toks.starts, span.end))
        if (right_ctx := after.get(j)) is None:
            right_ctx = after[j] = _right_context(toks, low, j)
        right, right_fs, head_shape = right_ctx
        words = [w for w in low[i:j] if w]
        surface = lower[span.start : span.end]
        head = words[-1] if words else ""
        first = words[0] if words else ""
        raw = text[span.start : span.end]
        if (hf := heads.get(head)) is None:
            hf = heads[head] = (f"h={head}", f"hs={head[-3:]}", f"ht={_head_type(head)}")
        if (ff := firsts.get(first)) is None:
            ff = firsts[first] = (f"f={first}", f"fs={first[-3:]}")
        fs = [
            f"c={span.chunk}",
            hf[0],
            hf[1],
            ff[0],
            ff[1],
            f"t={surface}",
            f"n={min(len(words), 6)}",
            f"sh={_shape(raw)}",
            head_shape,
            hf[2],
        ]
        fs.extend(["w=" + w for w in words[:-1]])
        for cand in span.rules:
            fs.append(f"src={cand.source}")
            fs.append(f"src={cand.source}:{cand.type}")
            if cand.generic:
                fs.append("generic")
            if cand.role.value == "proposed":
                fs.append("proposed")
        if not span.rules:
            fs.append("src=none")
        is_lower = raw.islower()
        if raw[:1].isupper():
            fs.append("cap")
        if is_lower:
            fs.append("lower")
        fs += left_fs
        fs += right_fs
        fs += cue_fs
        if span.start < title_len:
            fs.append("title")
            if ":" in text[span.end : title_len][:2]:
                fs.append("title-colon")
        elif surface in title_lower:
            fs.append("in-title")
        repeat = _count(lower, surface, seen) if len(words) > 1 else counts[surface]
        fs.append(f"cnt={min(repeat, 3)}")
        fs.extend(_corpus_features(lexicon, surface, words, left, right, is_lower))
        if gaz:
            lo = bisect_left(gaz_starts, span.start - gaz_longest)
            hi = bisect_left(gaz_starts, span.end + 1)
            for s, e, t in gaz[lo:hi]:  # the hits that can contain the span or sit in it
                if s <= span.start and span.end <= e and (s, e) != (span.start, span.end):
                    fs.append(f"in-gaz:{t}")
                elif span.start <= s and e <= span.end and (s, e) != (span.start, span.end):
                    fs.append(f"has-gaz:{t}")
        out.append(fs)
    return out


def _left_context(
    toks: Tokens, low: Sequence[str], lower: str, start: int
) -> tuple[int, list[str], list[str], list[str]]:
    """For a span starting at character `start`: its first token, the words before it, the
    features of the two words before, and the cue words within six words before (and whether
    it starts a sentence)."""
    i = bisect_left(toks.starts, start)
    left = [w for w in low[max(0, i - 4) : i] if w]
    l1 = left[-1] if left else "<s>"
    window = _WORDS.findall(lower, max(0, start - 60), start)[-6:]
    cues = [f"cue={_CUE_OF[w]}" for w in window if w in _CUE_OF]
    if l1 == "." or i == 0 or toks.words[i - 1].isspace():
        cues.append("sent-start")
    return i, left, [f"l1={l1}", f"l2={' '.join(left[-2:])}"], cues


def _right_context(toks: Tokens, low: Sequence[str], j: int) -> tuple[list[str], list[str], str]:
    """For a span ending before token `j`: the words after it, their features, and the
    shape feature of its last token."""
    right = [w for w in low[j : j + 2] if w]
    last = _shape(toks.words[j - 1]) if j - 1 < len(toks.words) else ""
    return right, [f"r1={right[0] if right else '</s>'}", f"r2={' '.join(right)}"], f"hsh={last}"


def _count(lower: str, surface: str, seen: dict[str, int]) -> int:
    """How often `surface` occurs in the paper, counted once per distinct surface."""
    if (n := seen.get(surface)) is None:
        n = seen[surface] = lower.count(surface)
    return n


def _corpus_features(
    lexicon: Lexicon,
    surface: str,
    words: Sequence[str],
    left: Sequence[str],
    right: Sequence[str],
    lower: bool,
) -> list[str]:
    """What the lexicon says: how many papers use the phrase and how often as a whole chunk, how
    tied its first and last words are to the rest, and the clusters of its words and neighbours."""
    fs: list[str] = []
    key = phrase_key(surface)
    if len(words) > 1 or "-" in key:
        fs.extend(_phrase_features(lexicon, key, lower))
    fs.extend(_word_features(lexicon, "h", words[-1]) if words else ())
    if len(words) > 1:
        fs.extend(_word_features(lexicon, "f", words[0]))
    for w in words[1:-1]:
        fs.extend(_word_features(lexicon, "w", w))
    if left:
        fs.extend(_word_features(lexicon, "l1", left[-1]))
    if right:
        fs.extend(_word_features(lexicon, "r1", right[0]))
    return fs


@lru_cache(maxsize=16384)
def _phrase_features(lexicon: Lexicon, key: str, lower: bool) -> tuple[str, ...]:
    df, full = lexicon.phrase(key)
    fs = [
        f"pdf={bucket(df)}",
        f"pdf={bucket(df)}:{'lower' if lower else 'cap'}",
        f"pfull={min(4, int(4 * full / df)) if df >= 2 else 'na'}",
    ]
    if " " in key:
        rest, stem = key.split(" ", 1)[1], key.rsplit(" ", 1)[0]
        for name, part in (("pl", rest), ("pr", stem)):
            part_df = lexicon.phrase(part)[0]
            ratio = df / part_df if part_df >= 2 else 0.0
            fs.append(f"{name}={min(4, int(4 * ratio)) if df >= 2 else 'na'}")
    return tuple(map(sys.intern, fs))  # a few dozen distinct strings, shared by every entry


@lru_cache(maxsize=65536)
def _word_features(lexicon: Lexicon, name: str, word: str) -> tuple[str, ...]:
    found = lexicon.word(word)
    if found is None:
        fs: tuple[str, ...] = (f"{name}k=unk",)
    elif name in ("h", "f"):
        fs = (f"{name}k={found[1]}", f"{name}c={found[2]}", f"{name}df={bucket(found[0])}")
    else:
        fs = (f"{name}k={found[1]}",)
    return tuple(map(sys.intern, fs))  # a few thousand distinct strings, shared by every entry


KEEP_PROPOSED = True  # a name the paper proposes ("we propose X") is kept
CONTEXT_TYPE = True  # Dataset or Benchmark by the nearest cue before it in its sentence
_DATA_TYPES = ("Dataset", "Benchmark")
_DATA_CUE = re.compile(
    r"\b(?:(?P<train>trained|train|training|fine-tun(?:e|ed|ing)|finetun(?:e|ed|ing)|pre-?trained"
    r"|built|constructed|curated|collected)|(?P<eval>evaluat(?:e|ed|ing|ion)|tested|benchmark(?:ed|s)?"
    r"|test|report(?:s|ed)?|achiev(?:e|es|ed|ing)|score[sd]?))\b"
)
_HEAD_AFTER = re.compile(
    r"[\s\-]+(?:(?P<data>datasets?|corpus|corpora)|(?P<bench>benchmarks?|suites?))\b"
)
_SENTENCE = re.compile(r"[.!?]\s|\n")


def _data_type(text: str, start: int, end: int, ctype: str) -> str:
    """ANNOTATION.md: a name that can be both is typed by its use, trained on -> Dataset,
    evaluated on -> Benchmark; a head noun after the name ("the X benchmark") decides, else the
    cue nearest before the name in its sentence.

    Example:
        >>> _data_type("We fine-tune BERT on SQuAD.", 21, 26, "Benchmark")
        'Dataset'
        >>> _data_type("Trained on C4, evaluated on MMLU.", 28, 32, "Dataset")
        'Benchmark'
        >>> _data_type("We fine-tune on the MMLU benchmark.", 20, 24, "Dataset")
        'Benchmark'
    """
    if head := _HEAD_AFTER.match(text, end):
        return "Dataset" if head.group("data") else "Benchmark"
    begin = max((m.end() for m in _SENTENCE.finditer(text, max(0, start - 300), start)), default=0)
    cues = list(_DATA_CUE.finditer(text, max(begin, start - 120), start))
    if not cues:
        return ctype
    return "Dataset" if cues[-1].group("train") else "Benchmark"


def _tie_pairs(spans: Sequence[Span], keep: npt.NDArray[np.float64]) -> None:
    """An abbreviation's long and short form stand or fall together (the better score counts):
    the paper's own definition then names both and every later use of the short form."""
    pairs: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
    for k, span in enumerate(spans):
        for cand in span.rules:
            if cand.source == "abbreviation":
                pairs[(cand.name, cand.aliases)].append(k)
    for members in pairs.values():
        best = max(keep[k] for k in members)
        for k in members:
            keep[k] = best


_INSIDE = frozenset({"part", "prefix", "suffix"})


def _pruned(text: str, spans: list[Span], model: Decider) -> list[Span]:
    """Spans without a rule left out before features: those whose last (first) word never ended
    (began) a gold mention in the training papers although it ended (began) many chunk spans
    there, and a lower-case word cut out of a longer chunk ("token" of "token pruning") that
    was never a whole mention there (a quarter of all spans, 1.3% of them gold)."""
    single_ok = model.single_ok
    if not model.never_head and not model.never_first and single_ok is None:
        return spans
    kept = []
    for span in spans:
        if not span.rules:
            raw = text[span.start : span.end]
            words = raw.lower().split()
            if words and (words[-1] in model.never_head or words[0] in model.never_first):
                continue
            if (
                single_ok is not None
                and span.chunk in _INSIDE
                and len(words) == 1
                and raw.islower()
                and words[0] not in single_ok
            ):
                continue
        kept.append(span)
    return kept


def decide(
    model: Decider,
    text: str,
    title_len: int,
    toks: Tokens,
    rules: Sequence[Candidate],
    lexicon: Lexicon | None = None,
) -> list[tuple[Span, str, float]]:
    """The kept spans, their type and score: best first, no two overlapping. `lexicon`: as in
    `features`."""
    spans = _pruned(text, candidate_spans(toks, rules, model.breakers), model)
    if not spans:
        return []
    probs = model.probabilities(features(text, title_len, toks, spans, lexicon))
    keep = 1.0 - probs[:, 0]
    if KEEP_PROPOSED:
        for k, span in enumerate(spans):
            if any(c.source == "proposed" for c in span.rules):
                keep[k] = max(keep[k], model.threshold)
    _tie_pairs(spans, keep)
    types = probs[:, 1:].argmax(axis=1) + 1
    order = sorted(range(len(spans)), key=lambda k: (-keep[k], -(spans[k].end - spans[k].start)))
    taken = Taken()
    kept = []
    for k in order:
        if keep[k] < model.threshold:
            break
        span = spans[k]
        if not taken.free(span.start, span.end):
            continue
        taken.add(span.start, span.end)
        ctype = CLASSES[int(types[k])]
        if CONTEXT_TYPE and ctype in _DATA_TYPES:
            ctype = _data_type(text, span.start, span.end, ctype)
        kept.append((span, ctype, float(keep[k])))
    return sorted(kept, key=lambda x: x[0].start)


PASS_THROUGH = frozenset(
    {"model", "model-name"}
)  # a trained ner's spans: not the decider's to judge


def to_candidates(text: str, kept: Sequence[tuple[Span, str, float]]) -> list[Candidate]:
    """Kept spans as Candidates typed by the decider: the rules that found the span (the resolver
    then prefers a paper's own definition to the gazetteer's), else the cleaned surface form
    (source "chunk")."""
    out: list[Candidate] = []
    for span, ctype, _ in kept:
        concept_type = ConceptType(ctype)
        if span.rules:
            role = min((c.role for c in span.rules), key=ROLE_RANK.__getitem__)
            out.extend(
                replace(c, type=concept_type, type_certain=True, role=role) for c in span.rules
            )
            continue
        name, size = canonical_name(text[span.start : span.end])
        if name and not is_not_concept(name):
            out.append(
                Candidate(
                    span.start, span.end, name, concept_type, "chunk", size=size, type_certain=True
                )
            )
    return out


def decide_candidates(
    model: Decider,
    text: str,
    title_len: int,
    toks: Tokens,
    rules: Sequence[Candidate],
    lexicon: Lexicon | None = None,
) -> list[Candidate]:
    """The paper's rule candidates and chunks, judged and typed by the model."""
    return to_candidates(text, decide(model, text, title_len, toks, rules, lexicon))


def tokens_of(doc: Doc) -> Tokens:
    """A Doc's tokens as the chunker reads them."""
    words, starts, spaced = [], [], []
    for t in doc:
        words.append(t.text)
        starts.append(t.idx)
        spaced.append(bool(t.whitespace_))
    return Tokens(words, starts, spaced)

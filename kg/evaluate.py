"""Score extractions against annotated gold: mention-level, paper-level and salient-entity recall.

- Mention level: a prediction is right when its character span (mapped from its field into the
  gold `text`) and its type both equal a gold mention's. Gold types with no kg counterpart
  (SciERC OtherScientificTerm, Generic) are dropped, and predictions are scored as usual, so a
  prediction on such a span counts as a false positive (the usual convention).
- Paper level: per document, gold concepts and predicted entities of one type are matched one to
  one (a maximum matching) where any of their names, aliases or surface forms share a
  `concept_key`; an unmatched prediction is a false positive, an unmatched gold concept a miss.
- Salient recall (SciREX): a salient entity is found when any of its names or surface forms shares
  a `concept_key` with any predicted entity's name, alias or mention text, whatever its type.

Types are coarse by default (Method+Model, Dataset+Benchmark+Material, Task, Metric); with
`exact_types` the annotated type must equal kg's type. A prediction whose coarse class the
gold file never annotates (a Method against TDMSci) is left out rather than counted as wrong.
A gold document without a prediction counts all its gold as missed; predictions for papers
that are not in the gold are ignored.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.gold import COARSE_TYPES, GoldConcept, GoldDoc, read_gold
from kg.model import ConceptType, Entity, Extraction, Mention, concept_key

ALL = "all"
COARSE_ORDER = ("Method", "Dataset/Benchmark", "Task", "Metric")
EXACT_ORDER = tuple(str(t) for t in ConceptType)


@dataclass(frozen=True, slots=True)
class Score:
    """Counts of one comparison, with precision, recall and F1 (0.0 when undefined)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_json(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True, slots=True)
class Report:
    """Scores per type (plus "all", micro-averaged) at each level.

    `mention` is empty when no gold document has mention annotations; `salient_recall` is None
    when none has salient entities. `n_missing` counts gold documents without a prediction,
    `n_misaligned` predicted mentions whose text is not the gold text at their offsets (a sign that
    the predictions were made on different text), `seconds` the extraction time (pipeline
    loading excluded) when `run_evaluate` ran the pipeline itself.
    """

    mention: Mapping[str, Score]
    paper: Mapping[str, Score]
    salient_recall: Score | None
    n_docs: int
    n_missing: int = 0
    n_misaligned: int = 0
    exact_types: bool = False
    seconds: float | None = None


def evaluate(
    gold_docs: Iterable[GoldDoc], predictions: Iterable[Extraction], *, exact_types: bool = False
) -> Report:
    """Compare predictions (matched to gold by paper id) with the gold documents."""
    by_id = {ext.paper_id: ext for ext in predictions}
    mention: Counter[tuple[str, str]] = Counter()
    paper: Counter[tuple[str, str]] = Counter()
    salient: Score | None = None
    n_docs = n_missing = n_misaligned = 0
    for doc in gold_docs:
        n_docs += 1
        classes = _annotated_classes(doc, exact_types=exact_types)
        ext = by_id.get(doc.doc_id)
        n_missing += ext is None
        entities = [
            e for e in (ext.entities if ext else ()) if COARSE_TYPES[str(e.type)] in classes
        ]
        if doc.mentions is not None:
            n_misaligned += _count_mentions(doc, entities, mention, exact_types=exact_types)
        _count_concepts(doc, entities, paper, exact_types=exact_types)
        if doc.salient is not None:
            salient = (salient or Score()) + _salient(doc.salient, ext.entities if ext else ())
    order = EXACT_ORDER if exact_types else COARSE_ORDER
    return Report(
        mention=_scores(mention, order) if mention else {},
        paper=_scores(paper, order),
        salient_recall=salient,
        n_docs=n_docs,
        n_missing=n_missing,
        n_misaligned=n_misaligned,
        exact_types=exact_types,
    )


def run_evaluate(
    gold_paths: Sequence[Path],
    pred_path: Path | None = None,
    *,
    exact: bool = False,
    spans: str = "names",
    ner: Path | None = None,
) -> Report:
    """Read gold files and score `pred_path` (extractions JSONL or a build folder) against them.

    Without `pred_path`, run the current pipeline on the gold texts (each `GoldDoc.to_paper()`).
    """
    docs = _read_all(gold_paths)
    if pred_path is None:
        from extract.pipeline import build_nlp, extract

        nlp = build_nlp(ner=ner, spans=spans)
        started = time.perf_counter()
        predictions = list(extract(nlp, (doc.to_paper() for doc in docs)))
        seconds: float | None = time.perf_counter() - started
    else:
        from kg.corpus import EXTRACTIONS, read_extractions

        path = pred_path / EXTRACTIONS if pred_path.is_dir() else pred_path
        predictions, seconds = read_extractions(path), None
    return replace(evaluate(docs, predictions, exact_types=exact), seconds=seconds)


def format_report(report: Report) -> str:
    """A plain-text table per level: type, P, R, F1, tp, fp, fn."""
    typing = "exact kg types" if report.exact_types else "coarse types"
    lines = [f"{report.n_docs} gold documents, {report.n_missing} without a prediction"]
    if report.seconds is not None:
        rate = report.n_docs / report.seconds if report.seconds else 0.0
        lines[0] += f"; extraction took {report.seconds:.1f} s ({rate:.0f} docs/s)"
    if report.n_misaligned:
        lines.append(
            f"warning: {report.n_misaligned} predicted mentions do not match the gold text"
        )
    if report.mention:
        lines += ["", f"mention level (exact span, {typing})", *_table(report.mention)]
    lines += ["", f"paper level (concept linked to paper, {typing})", *_table(report.paper)]
    if report.salient_recall is not None:
        s = report.salient_recall
        lines += ["", f"salient entity recall: {s.recall:.3f} ({s.tp}/{s.tp + s.fn})"]
    return "\n".join(lines)


def report_json(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data, for `--json`."""
    return {
        "n_docs": report.n_docs,
        "n_missing": report.n_missing,
        "n_misaligned": report.n_misaligned,
        "exact_types": report.exact_types,
        "seconds": report.seconds,
        "mention": {label: s.to_json() for label, s in report.mention.items()},
        "paper": {label: s.to_json() for label, s in report.paper.items()},
        "salient_recall": report.salient_recall.to_json() if report.salient_recall else None,
    }


def _read_all(paths: Sequence[Path]) -> list[GoldDoc]:
    docs: list[GoldDoc] = []
    seen: dict[str, str] = {}
    for path in paths:
        for doc in read_gold(path):
            if doc.doc_id in seen:
                raise InputError(
                    doc.source,
                    f"document id {doc.doc_id!r} already read at {seen[doc.doc_id]}",
                    "give each gold file once",
                )
            seen[doc.doc_id] = doc.source
            docs.append(doc)
    return docs


def _label(kind: str, exact_types: bool) -> str | None:
    """The label a type is scored under, or None when it is not scored."""
    coarse = COARSE_TYPES.get(kind)
    return kind if exact_types and coarse is not None else coarse


def _annotated_classes(doc: GoldDoc, *, exact_types: bool) -> frozenset[str]:
    """The coarse classes the doc's gold file annotates; predictions of other classes are left out."""
    if exact_types:
        foreign = sorted(k for k in doc.scheme if COARSE_TYPES.get(k) and k not in EXACT_ORDER)
        if foreign:
            raise InputError(
                doc.source,
                f"gold type {foreign[0]!r} is not one of kg's types",
                "leave out --exact, or use gold annotated with kg's types",
            )
    return frozenset(c for c in (COARSE_TYPES.get(kind) for kind in doc.scheme) if c)


def _count_mentions(
    doc: GoldDoc, entities: Sequence[Entity], counts: Counter[tuple[str, str]], *, exact_types: bool
) -> int:
    """Add mention-level tp/fp/fn of one document to `counts`; return the misaligned count."""
    gold = {(m.start, m.end, _label(m.type, exact_types)) for m in doc.mentions or ()}
    gold = {g for g in gold if g[2]}
    predicted, n_misaligned = set(), 0
    for ent in entities:
        for m in ent.mentions:
            start = _doc_offset(doc, m)
            n_misaligned += doc.text[start : start + m.end - m.start] != m.text
            predicted.add((start, start + m.end - m.start, _label(str(ent.type), exact_types)))
    for *_, label in gold & predicted:
        counts[str(label), "tp"] += 1
    for *_, label in predicted - gold:
        counts[str(label), "fp"] += 1
    for *_, label in gold - predicted:
        counts[str(label), "fn"] += 1
    return n_misaligned


def _doc_offset(doc: GoldDoc, mention: Mention) -> int:
    return mention.start if mention.field == "title" else doc.abstract_start + mention.start


def _count_concepts(
    doc: GoldDoc, entities: Sequence[Entity], counts: Counter[tuple[str, str]], *, exact_types: bool
) -> None:
    """Add paper-level tp/fp/fn of one document to `counts`, one label at a time."""
    gold: dict[str, list[frozenset[str]]] = {}
    for concept in doc.concepts:
        label = _label(concept.type, exact_types)
        if label:
            gold.setdefault(label, []).append(concept.match_keys())
    predicted: dict[str, list[frozenset[str]]] = {}
    for ent in entities:
        predicted.setdefault(str(_label(str(ent.type), exact_types)), []).append(_entity_keys(ent))
    for label in gold.keys() | predicted.keys():
        g, p = gold.get(label, []), predicted.get(label, [])
        tp = _max_matching(g, p)
        counts[label, "tp"] += tp
        counts[label, "fp"] += len(p) - tp
        counts[label, "fn"] += len(g) - tp


def _entity_keys(ent: Entity) -> frozenset[str]:
    names = (ent.name, *ent.aliases, *(m.text for m in ent.mentions))
    return frozenset(concept_key(n) for n in names) - {""}


def _max_matching(gold: Sequence[frozenset[str]], predicted: Sequence[frozenset[str]]) -> int:
    """Size of a maximum one-to-one matching between key sets that share a key (Kuhn's method)."""
    owner: dict[int, int] = {}  # predicted index -> gold index

    def place(g: int, seen: set[int]) -> bool:
        for p, keys in enumerate(predicted):
            if p not in seen and keys & gold[g]:
                seen.add(p)
                if p not in owner or place(owner[p], seen):
                    owner[p] = g
                    return True
        return False

    return sum(place(g, set()) for g in range(len(gold)))


def _salient(salient: Sequence[GoldConcept], entities: Sequence[Entity]) -> Score:
    found = set().union(*(_entity_keys(e) for e in entities))
    tp = sum(bool(s.match_keys() & found) for s in salient)
    return Score(tp=tp, fn=len(salient) - tp)


def _scores(counts: Counter[tuple[str, str]], order: Sequence[str]) -> dict[str, Score]:
    present = {label for label, _ in counts}
    labels = [label for label in order if label in present]
    scores = {
        label: Score(counts[label, "tp"], counts[label, "fp"], counts[label, "fn"])
        for label in labels
    }
    scores[ALL] = sum(scores.values(), Score())
    return scores


def _table(scores: Mapping[str, Score]) -> list[str]:
    rows = [f"{'type':<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>6} {'fp':>6} {'fn':>6}"]
    for label, s in scores.items():
        rows.append(
            f"{label:<18} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:6d} {s.fp:6d} {s.fn:6d}"
        )
    return rows

"""Score extractions against gold, in one place: mentions, paper-level concepts, salient entities, roles.

Types are scored under one of three typings:

- typed: kg's six types exactly (the gold must be annotated with them);
- coarse: Method (+Model), Dataset/Benchmark (+Material), Task, Metric;
- untyped: a prediction of any type may match a gold concept of any type.

Gold types with no kg counterpart (SciERC OtherScientificTerm, Generic) are not scored, and a
prediction whose coarse class the gold file never annotates (a Method against TDMSci) is left out
rather than counted as wrong. A gold document without a prediction counts all its gold as
missed; predictions for papers that are not in the gold are ignored.

- Mention level (`score_spans`): a predicted span is right when its document, character offsets
  and label all equal a gold span's. Predictions on a span whose gold type is not scored count as
  false positives (the usual convention). The training scripts score a spaCy model's `doc.ents`
  with the same function.
- Paper level: per document, gold concepts and predicted entities are matched one to one (a
  maximum matching) where any of their names, aliases or surface forms share a `concept_key`:
  within one label when typed or coarse, across types when untyped (preferring a prediction of
  the same coarse class, then one sharing more keys). An unmatched prediction is a false
  positive, an unmatched gold concept a miss.
- Salient recall (SciREX): a salient entity is found when any of its names or surface forms shares
  a `concept_key` with any predicted entity's name, alias or mention text, whatever its type.
- Roles (gold whose concepts carry roles): over the untyped matching, the gold role against the
  predicted one; "end to end" a role counts only when the concept is matched and both roles agree.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kg.errors import InputError
from kg.gold import COARSE_TYPES, GoldConcept, GoldDoc
from kg.model import ConceptType, Entity, Extraction, Mention, Role, concept_key

TYPED, COARSE, UNTYPED = "typed", "coarse", "untyped"
TYPINGS = (TYPED, COARSE, UNTYPED)
ALL = "all"
COARSE_ORDER = ("Method", "Dataset/Benchmark", "Task", "Metric")
EXACT_ORDER = tuple(str(t) for t in ConceptType)
ROLES = tuple(Role)

Span = tuple[str, int, int, str]  # document id, start, end (characters), label


@dataclass(frozen=True, slots=True)
class Score:
    """Counts of one comparison, with precision, recall and F1 (0.0 when undefined).

    Example:
        >>> s = Score(tp=1, fp=1, fn=3)
        >>> (s.precision, s.recall, round(s.f1, 4))
        (0.5, 0.25, 0.3333)
    """

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
class RolePair:
    """A gold concept matched to a predicted entity of the same paper, with both roles."""

    paper_id: str
    gold_name: str
    pred_name: str
    gold_role: Role
    pred_role: Role

    def to_json(self) -> dict[str, str]:
        return {
            "paper_id": self.paper_id,
            "gold": self.gold_name,
            "predicted": self.pred_name,
            "gold_role": str(self.gold_role),
            "pred_role": str(self.pred_role),
        }


@dataclass(frozen=True, slots=True)
class RoleScores:
    """Matched pairs and the count of each role on each side (matched or not)."""

    pairs: tuple[RolePair, ...]
    gold_roles: Mapping[Role, int]
    pred_roles: Mapping[Role, int]

    @property
    def confusion(self) -> dict[Role, dict[Role, int]]:
        """`confusion[gold_role][pred_role]`: matched pairs with those roles."""
        counts = Counter((p.gold_role, p.pred_role) for p in self.pairs)
        return {g: {p: counts[g, p] for p in ROLES} for g in ROLES}

    @property
    def accuracy(self) -> float:
        """Share of matched pairs whose predicted role equals the gold role (0.0 when none)."""
        right = sum(p.gold_role is p.pred_role for p in self.pairs)
        return right / len(self.pairs) if self.pairs else 0.0

    @property
    def per_role(self) -> dict[Role, Score]:
        """Precision/recall/F1 of each role over the matched pairs."""
        table = self.confusion
        return {
            r: Score(
                tp=table[r][r],
                fp=sum(table[g][r] for g in ROLES if g is not r),
                fn=sum(table[r][p] for p in ROLES if p is not r),
            )
            for r in ROLES
        }

    @property
    def macro_f1(self) -> float:
        """Mean of the three per-role F1s over matched pairs (a majority-role guess scores low)."""
        return sum(s.f1 for s in self.per_role.values()) / len(ROLES)

    @property
    def end_to_end(self) -> dict[Role, Score]:
        """Per role: a hit needs the concept matched and both roles equal to it."""
        scores = {}
        for r in ROLES:
            tp = sum(p.gold_role is r and p.pred_role is r for p in self.pairs)
            scores[r] = Score(tp, self.pred_roles.get(r, 0) - tp, self.gold_roles.get(r, 0) - tp)
        return scores


@dataclass(frozen=True, slots=True)
class Report:
    """Every score of one comparison.

    `mention` maps labels (and "all", micro-averaged) to mention-level scores under the report's
    typing (typed when `exact_types`, else coarse); it is empty when no gold document has
    mentions. `paper` maps each typing to its labels' paper-level scores (untyped has only
    "all"; typed is absent when the gold's types are not kg's). `salient_recall` is None when no
    gold document marks salient entities, `roles` None when none has roles. `n_missing` counts
    gold documents without a prediction, `n_misaligned` predicted mentions whose text is not the
    gold text at their offsets (a sign that the predictions were made on different text),
    `seconds` the extraction time when the pipeline ran for this report.
    """

    mention: Mapping[str, Score]
    paper: Mapping[str, Mapping[str, Score]]
    salient_recall: Score | None
    n_docs: int
    n_missing: int = 0
    n_misaligned: int = 0
    exact_types: bool = False
    roles: RoleScores | None = None
    seconds: float | None = None

    @property
    def typing(self) -> str:
        """The typing of the per-type tables: typed with `exact_types`, else coarse."""
        return TYPED if self.exact_types else COARSE


def score(
    gold_docs: Iterable[GoldDoc], predictions: Iterable[Extraction], *, exact_types: bool = False
) -> Report:
    """Compare predictions (matched to gold by paper id) with the gold documents.

    With `exact_types`, gold whose types are not kg's is refused; without, the typed paper-level
    scores are left out for such gold.
    """
    docs = list(gold_docs)
    by_id = {ext.paper_id: ext for ext in predictions}
    foreign = [(d, k) for d in docs for k in sorted(d.scheme) if _foreign(k)]
    if exact_types and foreign:
        raise InputError(
            foreign[0][0].source,
            f"gold type {foreign[0][1]!r} is not one of kg's types",
            "leave out --exact, or use gold annotated with kg's types",
        )
    typings = [t for t in TYPINGS if t != TYPED or not foreign]
    typing = TYPED if exact_types else COARSE
    gold_spans: list[Span] = []
    pred_spans: list[Span] = []
    paper: dict[str, Counter[tuple[str, str]]] = {t: Counter() for t in typings}
    salient: Score | None = None
    pairs: list[RolePair] = []
    gold_roles: Counter[Role] = Counter()
    pred_roles: Counter[Role] = Counter()
    any_mentions = any_roles = False
    n_missing = n_misaligned = 0
    for doc in docs:
        ext = by_id.get(doc.doc_id)
        n_missing += ext is None
        classes = frozenset(c for c in (COARSE_TYPES.get(k) for k in doc.scheme) if c)
        entities = [
            e for e in (ext.entities if ext else ()) if COARSE_TYPES[str(e.type)] in classes
        ]
        gold = [c for c in doc.concepts if COARSE_TYPES.get(c.type)]
        if doc.mentions is not None:
            any_mentions = True
            gold_spans += _gold_spans(doc, typing)
            spans, misaligned = _predicted_spans(doc, entities, typing)
            pred_spans += spans
            n_misaligned += misaligned
        for t in typings:
            if t != UNTYPED:
                _count_concepts(gold, entities, paper[t], t)
        matched = match_concepts(gold, entities)
        paper[UNTYPED][ALL, "tp"] += len(matched)
        paper[UNTYPED][ALL, "fp"] += len(entities) - len(matched)
        paper[UNTYPED][ALL, "fn"] += len(gold) - len(matched)
        if doc.salient is not None:
            salient = (salient or Score()) + _salient(doc.salient, ext.entities if ext else ())
        if doc.has_roles:
            any_roles = True
            gold_roles.update(c.role for c in gold if c.role)
            pred_roles.update(e.role for e in entities)
            pairs += _role_pairs(doc.doc_id, gold, entities, matched)
    return Report(
        mention=score_spans(gold_spans, pred_spans, _order(typing)) if any_mentions else {},
        paper={t: _scores(paper[t], _order(t)) for t in typings},
        salient_recall=salient,
        n_docs=len(docs),
        n_missing=n_missing,
        n_misaligned=n_misaligned,
        exact_types=exact_types,
        roles=RoleScores(tuple(pairs), dict(gold_roles), dict(pred_roles)) if any_roles else None,
    )


def label(kind: str, typing: str) -> str | None:
    """The label a type is scored under, or None when it is not scored.

    Example:
        >>> [label("Model", t) for t in TYPINGS], label("Generic", COARSE)
        (['Model', 'Method', 'all'], None)
    """
    coarse = COARSE_TYPES.get(kind)
    if coarse is None:
        return None
    return {TYPED: kind, COARSE: coarse, UNTYPED: ALL}[typing]


def score_spans(
    gold: Iterable[Span], predicted: Iterable[Span], order: Sequence[str] = COARSE_ORDER
) -> dict[str, Score]:
    """Exact-span scores per label (in `order`, others after) and "all" (micro-averaged).

    Example:
        >>> gold = [("d", 0, 4, "Method"), ("d", 9, 14, "Task")]
        >>> scores = score_spans(gold, [("d", 0, 4, "Method"), ("d", 9, 14, "Method")])
        >>> scores["Method"], scores["all"]
        (Score(tp=1, fp=1, fn=0), Score(tp=1, fp=1, fn=1))
    """
    gold_set, pred_set = set(gold), set(predicted)
    counts: Counter[tuple[str, str]] = Counter()
    for outcome, spans in (("tp", gold_set & pred_set), ("fp", pred_set - gold_set)):
        counts.update((span[3], outcome) for span in spans)
    counts.update((span[3], "fn") for span in gold_set - pred_set)
    return _scores(counts, order)


def match_concepts(gold: Sequence[GoldConcept], entities: Sequence[Entity]) -> dict[int, int]:
    """Gold index -> entity index: a maximum one-to-one matching on shared keys, any type.

    Where several predictions could match, one of the gold concept's coarse class comes first,
    then one sharing more keys.
    """
    gold_keys = [c.match_keys() for c in gold]
    pred_keys = [entity_keys(e) for e in entities]
    pred_class = [COARSE_TYPES[str(e.type)] for e in entities]

    def preference(g: int, p: int) -> tuple[bool, int, int]:
        same_class = pred_class[p] == COARSE_TYPES[gold[g].type]
        return (not same_class, -len(gold_keys[g] & pred_keys[p]), p)

    return max_matching(gold_keys, pred_keys, preference)


def max_matching(
    gold: Sequence[frozenset[str]],
    predicted: Sequence[frozenset[str]],
    preference: Callable[[int, int], Any] | None = None,
) -> dict[int, int]:
    """A maximum one-to-one matching (Kuhn's method) between key sets that share a key.

    Each gold set tries its candidates in `preference(g, p)` order (index order when None).

    Example:
        >>> a, b = frozenset({"a"}), frozenset({"b"})
        >>> sorted(max_matching([a | b, a], [a, b]).items())
        [(0, 1), (1, 0)]
    """
    options = []
    for g, keys in enumerate(gold):
        found = [p for p, other in enumerate(predicted) if other & keys]
        if preference is not None:
            found.sort(key=functools.partial(preference, g))
        options.append(found)
    owner: dict[int, int] = {}  # predicted index -> gold index

    def place(g: int, seen: set[int]) -> bool:
        for p in options[g]:
            if p not in seen:
                seen.add(p)
                if p not in owner or place(owner[p], seen):
                    owner[p] = g
                    return True
        return False

    for g in range(len(gold)):
        place(g, set())
    return {g: p for p, g in owner.items()}


def entity_keys(ent: Entity) -> frozenset[str]:
    """The `concept_key`s of an entity's name, aliases and mention texts."""
    names = (ent.name, *ent.aliases, *(m.text for m in ent.mentions))
    return frozenset(concept_key(n) for n in names) - {""}


def _foreign(kind: str) -> bool:
    """A scored gold type that is not one of kg's (SciERC's Material)."""
    return COARSE_TYPES.get(kind) is not None and kind not in EXACT_ORDER


def _order(typing: str) -> Sequence[str]:
    return EXACT_ORDER if typing == TYPED else COARSE_ORDER


def _gold_spans(doc: GoldDoc, typing: str) -> list[Span]:
    spans = [(doc.doc_id, m.start, m.end, label(m.type, typing)) for m in doc.mentions or ()]
    return [(d, s, e, lab) for d, s, e, lab in spans if lab]


def _predicted_spans(
    doc: GoldDoc, entities: Sequence[Entity], typing: str
) -> tuple[list[Span], int]:
    """The entities' mentions as spans of the gold text, and how many misread that text."""
    spans, n_misaligned = [], 0
    for ent in entities:
        for m in ent.mentions:
            start = _doc_offset(doc, m)
            n_misaligned += doc.text[start : start + m.end - m.start] != m.text
            spans.append((doc.doc_id, start, start + m.end - m.start, str(label(ent.type, typing))))
    return spans, n_misaligned


def _doc_offset(doc: GoldDoc, mention: Mention) -> int:
    return mention.start if mention.field == "title" else doc.abstract_start + mention.start


def _count_concepts(
    gold: Sequence[GoldConcept],
    entities: Sequence[Entity],
    counts: Counter[tuple[str, str]],
    typing: str,
) -> None:
    """Add one document's paper-level tp/fp/fn to `counts`, matching within each label."""
    by_label: dict[str, tuple[list[frozenset[str]], list[frozenset[str]]]] = {}
    for concept in gold:
        by_label.setdefault(str(label(concept.type, typing)), ([], []))[0].append(
            concept.match_keys()
        )
    for ent in entities:
        by_label.setdefault(str(label(ent.type, typing)), ([], []))[1].append(entity_keys(ent))
    for lab, (g, p) in by_label.items():
        tp = len(max_matching(g, p))
        counts[lab, "tp"] += tp
        counts[lab, "fp"] += len(p) - tp
        counts[lab, "fn"] += len(g) - tp


def _salient(salient: Sequence[GoldConcept], entities: Sequence[Entity]) -> Score:
    found = set().union(*(entity_keys(e) for e in entities))
    tp = sum(bool(s.match_keys() & found) for s in salient)
    return Score(tp=tp, fn=len(salient) - tp)


def _role_pairs(
    paper_id: str,
    gold: Sequence[GoldConcept],
    entities: Sequence[Entity],
    matched: Mapping[int, int],
) -> list[RolePair]:
    pairs = []
    for g, p in sorted(matched.items()):
        concept, entity = gold[g], entities[p]
        if concept.role is not None:
            pairs.append(RolePair(paper_id, concept.name, entity.name, concept.role, entity.role))
    return pairs


def _scores(counts: Counter[tuple[str, str]], order: Sequence[str]) -> dict[str, Score]:
    """Scores per label present (in `order`, others sorted after) and "all" summed over them."""
    present = {lab for lab, _ in counts} - {ALL}
    labels = [lab for lab in order if lab in present] + sorted(present - set(order))
    scores = {lab: Score(counts[lab, "tp"], counts[lab, "fp"], counts[lab, "fn"]) for lab in labels}
    if (ALL, "tp") in counts or (ALL, "fp") in counts or (ALL, "fn") in counts:
        scores[ALL] = Score(counts[ALL, "tp"], counts[ALL, "fp"], counts[ALL, "fn"])
    else:
        scores[ALL] = sum(scores.values(), Score())
    return scores

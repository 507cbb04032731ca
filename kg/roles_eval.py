"""Score the roles of paper-concept links (proposed / used / mentioned) against role-annotated gold.

The gold is kg's paper JSONL (`kg.gold.read_kg_jsonl`) with a `role` on every entity. Per paper,
gold concepts and predicted entities are matched one to one, whatever their types, where any of
their names, aliases or mention texts share a `concept_key` (a maximum matching that prefers a
prediction of the same coarse class, then the one sharing more keys). Over the matched pairs:
role accuracy, a 3x3 confusion matrix and per-role precision/recall/F1. "End to end" a role
counts as found only when the concept is matched and its role agrees, so unmatched gold and
unmatched predictions count against it. Concept-level scores come from `kg.evaluate.evaluate`
(per coarse class, matched within the class, and "all" summed over classes) plus "any type",
the type-blind match used for the roles.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.evaluate import Score, evaluate
from kg.gold import COARSE_TYPES, GoldDoc, read_kg_jsonl
from kg.model import Entity, Extraction, Role, concept_key

ROLES = tuple(Role)
ANY_TYPE = "any type"


@dataclass(frozen=True, slots=True)
class RoleDoc:
    """A gold paper and the role of each of its concepts (`roles[i]` belongs to `doc.concepts[i]`)."""

    doc: GoldDoc
    roles: tuple[Role, ...]


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
class RoleReport:
    """Matched pairs, role counts on each side and concept-level scores.

    `gold_roles`/`pred_roles` count every gold concept/predicted entity by role (matched or not);
    `concepts` maps coarse classes, "all" and "any type" to paper-level concept scores;
    `seconds` is the extraction time when `run_roles` ran the pipeline itself.
    """

    pairs: tuple[RolePair, ...]
    gold_roles: Mapping[Role, int]
    pred_roles: Mapping[Role, int]
    concepts: Mapping[str, Score]
    n_docs: int
    n_missing: int = 0
    seconds: float | None = None

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


def read_role_gold(path: Path) -> list[RoleDoc]:
    """Read kg paper JSONL whose entities each carry a `role` (proposed, used or mentioned)."""
    docs = read_kg_jsonl(path)
    with path.open(encoding="utf-8") as handle:  # JSON already checked; read again for roles
        lines = [(line, raw) for line, raw in enumerate(handle, 1) if raw.strip()]
    seen: dict[str, int] = {}
    role_docs = []
    for doc, (line, raw) in zip(docs, lines, strict=True):
        if doc.doc_id in seen:
            raise InputError(
                path,
                f"paper id {doc.doc_id!r} already given at line {seen[doc.doc_id]}",
                "give each paper once",
                line=line,
            )
        seen[doc.doc_id] = line
        entities = json.loads(raw)["entities"]
        roles = tuple(_role(path, line, e.get("role")) for e in entities)
        role_docs.append(RoleDoc(doc, roles))
    return role_docs


def score_roles(gold_path: Path, extractions: Sequence[Extraction]) -> RoleReport:
    """Score the roles (and concepts) of `extractions` against the role gold at `gold_path`."""
    return score_role_docs(read_role_gold(gold_path), extractions)


def score_role_docs(docs: Sequence[RoleDoc], extractions: Sequence[Extraction]) -> RoleReport:
    """Score extractions (matched to gold by paper id; others ignored) against read role gold."""
    by_id = {ext.paper_id: ext for ext in extractions}
    pairs: list[RolePair] = []
    gold_roles: Counter[Role] = Counter()
    pred_roles: Counter[Role] = Counter()
    for rd in docs:
        ext = by_id.get(rd.doc.doc_id)
        entities = ext.entities if ext else ()
        gold_roles.update(rd.roles)
        pred_roles.update(e.role for e in entities)
        for g, p in sorted(_match(rd.doc, entities).items()):
            concept, entity = rd.doc.concepts[g], entities[p]
            pairs.append(
                RolePair(rd.doc.doc_id, concept.name, entity.name, rd.roles[g], entity.role)
            )
    concepts = dict(evaluate([rd.doc for rd in docs], list(by_id.values())).paper)
    n_gold, n_pred = sum(gold_roles.values()), sum(pred_roles.values())
    concepts[ANY_TYPE] = Score(len(pairs), n_pred - len(pairs), n_gold - len(pairs))
    return RoleReport(
        pairs=tuple(pairs),
        gold_roles=dict(gold_roles),
        pred_roles=dict(pred_roles),
        concepts=concepts,
        n_docs=len(docs),
        n_missing=sum(rd.doc.doc_id not in by_id for rd in docs),
    )


def run_roles(
    gold_path: Path, pred_path: Path | None = None, *, ner: Path | None = None
) -> RoleReport:
    """Score `pred_path` (extractions JSONL or a build folder), or the current pipeline when None."""
    docs = read_role_gold(gold_path)
    if pred_path is None:
        from extract.pipeline import build_nlp, extract

        nlp = build_nlp(ner=ner)
        started = time.perf_counter()
        predictions = list(extract(nlp, (rd.doc.to_paper() for rd in docs)))
        seconds: float | None = time.perf_counter() - started
    else:
        from kg.corpus import EXTRACTIONS, read_extractions

        path = pred_path / EXTRACTIONS if pred_path.is_dir() else pred_path
        predictions, seconds = read_extractions(path), None
    return replace(score_role_docs(docs, predictions), seconds=seconds)


def format_role_report(report: RoleReport) -> str:
    """Plain-text tables: role scores, confusion matrix, end-to-end roles, concept scores."""
    n_gold, n_pred = sum(report.gold_roles.values()), sum(report.pred_roles.values())
    head = f"{report.n_docs} gold papers, {report.n_missing} without a prediction"
    if report.seconds is not None:
        head += f"; extraction took {report.seconds:.1f} s"
    lines = [
        head,
        f"{n_gold} gold concepts, {n_pred} predicted, {len(report.pairs)} matched by name",
        "",
        f"role accuracy on matched concepts: {report.accuracy:.3f}"
        f" (macro F1 over roles {report.macro_f1:.3f})",
        "",
        "roles over matched concepts",
        *_table(report.per_role),
        "",
        "confusion (rows: gold role, columns: predicted role)",
        f"{'':<12}" + "".join(f"{r:>11}" for r in ROLES),
        *(f"{g:<12}" + "".join(f"{report.confusion[g][p]:>11d}" for p in ROLES) for g in ROLES),
        "",
        "roles end to end (concept found and role right)",
        *_table(report.end_to_end),
        "",
        "concepts linked to papers",
        *_table(report.concepts),
    ]
    return "\n".join(lines)


def role_report_json(report: RoleReport) -> dict[str, Any]:
    """The report as JSON-ready data, with every role disagreement listed."""
    return {
        "n_docs": report.n_docs,
        "n_missing": report.n_missing,
        "seconds": report.seconds,
        "n_gold": sum(report.gold_roles.values()),
        "n_predicted": sum(report.pred_roles.values()),
        "n_matched": len(report.pairs),
        "accuracy": round(report.accuracy, 4),
        "macro_f1": round(report.macro_f1, 4),
        "confusion": {
            str(g): {str(p): n for p, n in row.items()} for g, row in report.confusion.items()
        },
        "per_role": {str(r): s.to_json() for r, s in report.per_role.items()},
        "end_to_end": {str(r): s.to_json() for r, s in report.end_to_end.items()},
        "concepts": {label: s.to_json() for label, s in report.concepts.items()},
        "role_errors": [p.to_json() for p in report.pairs if p.gold_role is not p.pred_role],
    }


def _role(path: Path, line: int, value: object) -> Role:
    if value not in {str(r) for r in ROLES}:
        raise InputError(
            path,
            f"entity role {value!r} is not one of proposed, used, mentioned",
            "give every entity a role",
            line=line,
        )
    return Role(str(value))


def _keys(names: Sequence[str]) -> frozenset[str]:
    return frozenset(concept_key(n) for n in names) - {""}


def _match(doc: GoldDoc, entities: Sequence[Entity]) -> dict[int, int]:
    """Gold concept index -> entity index: a maximum one-to-one matching on shared keys."""
    gold = [c.match_keys() for c in doc.concepts]
    pred = [_keys([e.name, *e.aliases, *(m.text for m in e.mentions)]) for e in entities]
    pred_class = [COARSE_TYPES[str(e.type)] for e in entities]

    def preference(g: int, p: int) -> tuple[bool, int, int]:
        same_class = pred_class[p] == COARSE_TYPES[doc.concepts[g].type]
        return (not same_class, -len(gold[g] & pred[p]), p)

    options = [
        sorted((p for p in range(len(pred)) if pred[p] & gold[g]), key=lambda p: preference(g, p))
        for g in range(len(gold))
    ]
    owner: dict[int, int] = {}  # entity index -> gold index

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


def _table(scores: Mapping[Any, Score]) -> list[str]:
    rows = [f"{'':<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"]
    for label, s in scores.items():
        rows.append(
            f"{label!s:<18} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}"
            f" {s.tp:5d} {s.fp:5d} {s.fn:5d}"
        )
    return rows

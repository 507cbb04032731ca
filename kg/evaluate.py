"""`kg evaluate`: read gold files, run or read the predictions, score them (kg.scoring) and report.

The text report has a table per level: mention level (exact span) when the gold has mentions,
paper level per type, paper level overall under each typing (typed, coarse, untyped), salient
entity recall when the gold marks salient entities, and roles when it annotates them.
`format_role_report`/`role_report_json` give the roles alone, in more detail (`--roles`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from kg.errors import InputError, KGError
from kg.gold import GoldDoc, read_gold
from kg.model import Extraction
from kg.scoring import ALL, COARSE, ROLES, TYPED, UNTYPED, Report, RoleScores, Score, score

ANY_TYPE = "any type"
_TYPING_NAMES = {
    TYPED: "typed (kg's six types)",
    COARSE: "coarse (four classes)",
    UNTYPED: "untyped (any type)",
}


def run_evaluate(
    gold_paths: Sequence[Path],
    pred_path: Path | None = None,
    *,
    exact: bool = False,
    spans: str = "names",
    ner: Path | None = None,
    roles: bool = False,
) -> Report:
    """Read gold files and score `pred_path` (extractions JSONL or a build folder) against them.

    Without `pred_path`, run the current pipeline on the gold texts (each `GoldDoc.to_paper()`).
    With `roles`, refuse gold that does not annotate roles.
    """
    docs = read_gold_files(gold_paths)
    if roles and not all(doc.has_roles for doc in docs):
        source = next(doc.source for doc in docs if not doc.has_roles)
        raise InputError(
            source,
            "the gold gives no roles",
            "give every entity a role (proposed, used, mentioned), "
            "e.g. extract/eval/roles_gold.jsonl",
        )
    predictions, seconds = predictions_for(docs, pred_path, spans=spans, ner=ner)
    return replace(score(docs, predictions, exact_types=exact), seconds=seconds)


def read_gold_files(paths: Iterable[Path]) -> list[GoldDoc]:
    """Every document of the gold files, refusing one id given twice."""
    docs: list[GoldDoc] = []
    seen: dict[str, str] = {}
    for path in paths:
        for doc in read_gold(path):
            if doc.doc_id in seen:
                raise InputError(
                    doc.source,
                    f"document id {doc.doc_id!r} already read at {seen[doc.doc_id]}",
                    "give each document once",
                )
            seen[doc.doc_id] = doc.source
            docs.append(doc)
    return docs


def predictions_for(
    docs: Sequence[GoldDoc],
    pred_path: Path | None = None,
    *,
    spans: str = "names",
    ner: Path | None = None,
) -> tuple[list[Extraction], float | None]:
    """Read extractions (a JSONL file or a build folder), or run the pipeline on the gold texts.

    Returns the extractions and, when the pipeline ran, its time (loading excluded).
    """
    if pred_path is not None:
        from kg.corpus import EXTRACTIONS, read_extractions

        path = pred_path / EXTRACTIONS if pred_path.is_dir() else pred_path
        return read_extractions(path), None
    from extract.pipeline import build_nlp, extract

    nlp = build_nlp(ner=ner, spans=spans)
    started = time.perf_counter()
    predictions = list(extract(nlp, (doc.to_paper() for doc in docs)))
    return predictions, time.perf_counter() - started


def format_report(report: Report) -> str:
    """Plain-text tables: type, P, R, F1, tp, fp, fn, per level."""
    typing = "exact kg types" if report.exact_types else "coarse types"
    lines = [_head(report)]
    if report.n_misaligned:
        lines.append(
            f"warning: {report.n_misaligned} predicted mentions do not match the gold text"
        )
    if report.mention:
        lines += ["", f"mention level (exact span, {typing})", *_table(report.mention)]
    lines += [
        "",
        f"paper level (concept linked to paper, {typing})",
        *_table(report.paper[report.typing]),
        "",
        "paper level, all types together",
        *_table({_TYPING_NAMES[t]: scores[ALL] for t, scores in report.paper.items()}),
    ]
    if report.salient_recall is not None:
        s = report.salient_recall
        lines += ["", f"salient entity recall: {s.recall:.3f} ({s.tp}/{s.tp + s.fn})"]
    if report.roles is not None:
        r = report.roles
        lines += [
            "",
            f"roles of the {len(r.pairs)} concepts matched ignoring type: accuracy "
            f"{r.accuracy:.3f}, macro F1 {r.macro_f1:.3f} (details: --roles)",
        ]
    return "\n".join(lines)


def report_json(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data, for `--json`.

    `paper` holds the per-type scores under the report's typing (as the text report shows them);
    `paper_typings` every typing's scores.
    """
    return {
        "n_docs": report.n_docs,
        "n_missing": report.n_missing,
        "n_misaligned": report.n_misaligned,
        "exact_types": report.exact_types,
        "seconds": report.seconds,
        "mention": _scores_json(report.mention),
        "paper": _scores_json(report.paper[report.typing]),
        "paper_typings": {t: _scores_json(s) for t, s in report.paper.items()},
        "salient_recall": report.salient_recall.to_json() if report.salient_recall else None,
        "roles": _roles_json(report.roles) if report.roles else None,
    }


def role_concepts(report: Report) -> dict[str, Score]:
    """Concept scores next to the roles: per coarse class, "all", and "any type" (untyped)."""
    return {**report.paper[COARSE], ANY_TYPE: report.paper[UNTYPED][ALL]}


def format_role_report(report: Report) -> str:
    """Plain-text tables: role scores, confusion matrix, end-to-end roles, concept scores."""
    roles = _roles_of(report)
    n_gold, n_pred = sum(roles.gold_roles.values()), sum(roles.pred_roles.values())
    confusion = roles.confusion
    lines = [
        _head(report),
        f"{n_gold} gold concepts, {n_pred} predicted, {len(roles.pairs)} matched by name",
        "",
        f"role accuracy on matched concepts: {roles.accuracy:.3f}"
        f" (macro F1 over roles {roles.macro_f1:.3f})",
        "",
        "roles over matched concepts",
        *_table(roles.per_role),
        "",
        "confusion (rows: gold role, columns: predicted role)",
        f"{'':<12}" + "".join(f"{r:>11}" for r in ROLES),
        *(f"{g:<12}" + "".join(f"{confusion[g][p]:>11d}" for p in ROLES) for g in ROLES),
        "",
        "roles end to end (concept found and role right)",
        *_table(roles.end_to_end),
        "",
        "concepts linked to papers",
        *_table(role_concepts(report)),
    ]
    return "\n".join(lines)


def role_report_json(report: Report) -> dict[str, Any]:
    """The roles as JSON-ready data, with every role disagreement listed."""
    return {
        "n_docs": report.n_docs,
        "n_missing": report.n_missing,
        "seconds": report.seconds,
        **_roles_json(_roles_of(report)),
        "concepts": _scores_json(role_concepts(report)),
    }


def _roles_of(report: Report) -> RoleScores:
    if report.roles is None:
        raise KGError(
            "the gold gives no roles; score roles against a role gold such as roles_gold.jsonl"
        )
    return report.roles


def _roles_json(roles: RoleScores) -> dict[str, Any]:
    return {
        "n_gold": sum(roles.gold_roles.values()),
        "n_predicted": sum(roles.pred_roles.values()),
        "n_matched": len(roles.pairs),
        "accuracy": round(roles.accuracy, 4),
        "macro_f1": round(roles.macro_f1, 4),
        "confusion": {
            str(g): {str(p): n for p, n in row.items()} for g, row in roles.confusion.items()
        },
        "per_role": _scores_json(roles.per_role),
        "end_to_end": _scores_json(roles.end_to_end),
        "role_errors": [p.to_json() for p in roles.pairs if p.gold_role is not p.pred_role],
    }


def _head(report: Report) -> str:
    head = f"{report.n_docs} gold documents, {report.n_missing} without a prediction"
    if report.seconds is not None:
        rate = report.n_docs / report.seconds if report.seconds else 0.0
        head += f"; extraction took {report.seconds:.1f} s ({rate:.0f} docs/s)"
    return head


def _scores_json(scores: Mapping[Any, Score]) -> dict[str, Any]:
    return {str(label): s.to_json() for label, s in scores.items()}


def _table(scores: Mapping[Any, Score]) -> list[str]:
    rows = [f"{'':<24} {'P':>6} {'R':>6} {'F1':>6} {'tp':>6} {'fp':>6} {'fn':>6}"]
    for label, s in scores.items():
        rows.append(
            f"{label!s:<24} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}"
            f" {s.tp:6d} {s.fp:6d} {s.fn:6d}"
        )
    return rows

"""Role scoring (kg.scoring) against role gold: hand-computed counts on tiny papers (tests/data/roles)."""

import json
import shutil
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.evaluate import (
    ANY_TYPE,
    format_report,
    format_role_report,
    role_concepts,
    role_report_json,
    run_evaluate,
)
from kg.gold import GoldConcept, GoldDoc, read_gold
from kg.model import ConceptType, Entity, Extraction, Mention, Role, concept_key
from kg.scoring import RoleScores, Score, score

DATA = Path(__file__).parent / "data" / "roles"
GOLD = DATA / "gold.jsonl"
PRED = DATA / "predictions.jsonl"
P, U, M = Role.PROPOSED, Role.USED, Role.MENTIONED

# The fixture, by hand: 8 gold concepts, 8 predictions in gold papers (p3 is not in the gold),
# 7 matched. Right roles: FooNet, ImageNet, BERT, F1. Wrong: BarSet proposed -> used,
# ResNet-50 used -> mentioned, Transformer(s) mentioned -> used. "accuracy" is missed and
# "new model" is a false positive.


@pytest.fixture(scope="module")
def scored():
    from kg.corpus import read_extractions

    return score(read_gold(GOLD), read_extractions(PRED))


@pytest.fixture(scope="module")
def report(scored):
    return scored.roles


def doc(*concepts, doc_id="d1"):
    """A gold paper from (name, type, role, aliases) tuples."""
    gold = tuple(
        GoldConcept(name, kind, tuple(aliases), role) for name, kind, role, aliases in concepts
    )
    return GoldDoc(doc_id, "text", None, gold, frozenset(ConceptType), has_roles=True)


def score_role_docs(docs, extractions):
    return score(docs, extractions).roles


def ent(name, kind, role, *texts):
    mentions = tuple(Mention(t, 0, len(t), "abstract") for t in texts or (name,))
    return Entity(concept_key(name), name, ConceptType(kind), role, mentions)


def write_gold(path, entity):
    row = {"id": "x", "title": "T", "abstract": "A", "entities": [entity]}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return path


def test_read_gold_gives_each_concept_its_role():
    first = read_gold(GOLD)[0]
    assert {c.name: c.role for c in first.concepts} == {
        "FooNet": P,
        "ImageNet": U,
        "ResNet-50": U,
        "accuracy": U,
        "Transformer": M,
    }


def test_run_evaluate_with_roles_rejects_gold_without_roles(tmp_path):
    path = write_gold(tmp_path / "gold.jsonl", {"name": "BERT", "type": "Model"})
    with pytest.raises(InputError, match=r"gold\.jsonl:1: the gold gives no roles"):
        run_evaluate([path], PRED, roles=True)


def test_run_evaluate_rejects_repeated_paper(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(GOLD.read_text(encoding="utf-8") * 2, encoding="utf-8")
    with pytest.raises(InputError, match=r"gold\.jsonl:3: document id 'p1' already read at .*:1"):
        run_evaluate([path], PRED, roles=True)


def test_score_roles_counts_matches_and_ignores_papers_outside_gold(report):
    counts = (sum(report.gold_roles.values()), sum(report.pred_roles.values()), len(report.pairs))
    assert counts == (8, 8, 7)


def test_score_roles_accuracy(report):
    assert report.accuracy == pytest.approx(4 / 7)


def test_score_roles_confusion(report):
    assert report.confusion == {P: {P: 1, U: 1, M: 0}, U: {P: 0, U: 3, M: 1}, M: {P: 0, U: 1, M: 0}}


def test_score_roles_per_role_over_matched_pairs(report):
    assert report.per_role == {P: Score(1, 0, 1), U: Score(3, 2, 1), M: Score(0, 1, 1)}


def test_score_roles_macro_f1_averages_role_f1s(report):
    assert report.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 0.0) / 3)  # proposed, used, mentioned


def test_score_roles_end_to_end_counts_unmatched_gold_and_predictions(report):
    assert report.end_to_end == {P: Score(1, 0, 1), U: Score(3, 2, 2), M: Score(0, 2, 1)}


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Method", Score(4, 1, 0)),
        ("Dataset/Benchmark", Score(2, 0, 0)),
        ("Metric", Score(1, 0, 1)),
        ("all", Score(7, 1, 1)),
        (ANY_TYPE, Score(7, 1, 1)),
    ],
)
def test_score_roles_concept_scores(scored, label, expected):
    assert role_concepts(scored)[label] == expected


@pytest.mark.parametrize(
    ("gold", "prediction"),
    [
        (("Transformer", "Method", M, ("Transformers",)), ent("Transformer", "Method", U)),
        (("ResNet-50", "Model", U, ()), ent("ResNet50", "Model", U)),
        (("LSTM", "Method", U, ()), ent("long short-term memory", "Method", U, "LSTM")),
    ],
    ids=["gold alias", "concept key", "mention text"],
)
def test_score_role_docs_matches_by_alias_key_or_mention(gold, prediction):
    report = score_role_docs([doc(gold)], [Extraction("d1", "", (prediction,))])
    assert len(report.pairs) == 1


def test_score_role_docs_matches_across_types():
    report = score_role_docs(
        [doc(("RAG", "Method", P, ()))], [Extraction("d1", "", (ent("RAG", "Task", M),))]
    )
    assert [(p.gold_role, p.pred_role) for p in report.pairs] == [(P, M)]


def test_score_role_docs_prefers_prediction_of_same_class():
    entities = (ent("RAG", "Task", M), ent("RAG", "Model", P))
    report = score_role_docs([doc(("RAG", "Method", P, ()))], [Extraction("d1", "", entities)])
    assert [p.pred_role for p in report.pairs] == [P]


def test_score_role_docs_matches_one_to_one():
    entities = (ent("BERT", "Model", U), ent("BERT", "Method", U))
    report = score_role_docs([doc(("BERT", "Model", U, ()))], [Extraction("d1", "", entities)])
    assert len(report.pairs) == 1
    assert role_concepts(score([doc(("BERT", "Model", U, ()))], [Extraction("d1", "", entities)]))[
        ANY_TYPE
    ] == Score(1, 1, 0)


def test_score_role_docs_counts_paper_without_prediction_as_missing():
    scored = score([doc(("BERT", "Model", U, ()))], [])
    assert (scored.n_missing, scored.roles.end_to_end[U]) == (1, Score(0, 0, 1))


def test_score_without_role_gold_has_no_roles():
    gold = GoldDoc("d1", "text", None, (GoldConcept("BERT", "Model", ()),), frozenset(ConceptType))
    assert score([gold], []).roles is None


def test_role_scores_accuracy_is_zero_without_pairs():
    assert RoleScores((), {}, {}).accuracy == 0.0


@pytest.mark.parametrize("as_folder", [False, True])
def test_run_evaluate_reads_extractions_file_or_build_folder(tmp_path, as_folder, scored):
    shutil.copy(PRED, tmp_path / "extractions.jsonl")
    pred = tmp_path if as_folder else tmp_path / "extractions.jsonl"
    assert run_evaluate([GOLD], pred, roles=True) == scored


def test_run_evaluate_runs_the_pipeline_on_gold_text():
    result = run_evaluate([GOLD], roles=True)
    assert (result.n_docs, result.n_missing, result.seconds is not None) == (2, 0, True)
    assert result.roles is not None


def test_format_role_report_prints_confusion_rows(scored):
    text = format_role_report(scored)
    assert "proposed              1          1          0" in text


def test_format_report_sums_up_roles_when_the_gold_has_them(scored):
    assert "roles of the 7 concepts matched ignoring type: accuracy 0.571" in format_report(scored)


def test_role_report_json_lists_only_role_errors(scored):
    errors = role_report_json(scored)["role_errors"]
    assert sorted((e["gold"], e["gold_role"], e["pred_role"]) for e in errors) == [
        ("BarSet", "proposed", "used"),
        ("ResNet-50", "used", "mentioned"),
        ("Transformer", "mentioned", "used"),
    ]

"""Scoring extractions against gold: hand-computed counts on tiny documents."""

import json
from pathlib import Path

import pytest

from kg.corpus import write_extractions
from kg.errors import InputError
from kg.evaluate import format_report, report_json, run_evaluate
from kg.gold import GoldConcept, GoldDoc, GoldMention, group_concepts
from kg.model import ConceptType, Entity, Extraction, Mention, Role, concept_key
from kg.scoring import Score, score

GOLD = Path(__file__).parent / "data" / "gold"
TEXT = "We fine-tune BERT on SQuAD and report F1."
GOLD_TYPES = [("BERT", "Method"), ("SQuAD", "Material"), ("F1", "Metric")]


def gold(text=TEXT, spans=GOLD_TYPES, *, scheme=None, title_len=0, salient=None):
    mentions = tuple(GoldMention(text.index(s), text.index(s) + len(s), s, t) for s, t in spans)
    kinds = frozenset(scheme or {t for _, t in spans})
    concepts = group_concepts(text, mentions)
    return GoldDoc("d1", text, mentions, concepts, kinds, title_len=title_len, salient=salient)


def ent(name, kind, *starts, surface=None, field="abstract", aliases=()):
    surface = surface or name
    mentions = tuple(Mention(surface, s, s + len(surface), field) for s in starts)
    return Entity(concept_key(name), name, ConceptType(kind), Role.USED, mentions, aliases)


def pred(*entities, paper_id="d1"):
    return Extraction(paper_id, "", entities)


PERFECT = pred(ent("BERT", "Model", 13), ent("SQuAD", "Dataset", 21), ent("F1", "Metric", 38))


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (Score(2, 1, 1), (2 / 3, 2 / 3, 2 / 3)),
        (Score(1, 0, 3), (1.0, 0.25, 0.4)),
        (Score(0, 0, 0), (0.0, 0.0, 0.0)),
        (Score(0, 2, 0), (0.0, 0.0, 0.0)),
    ],
)
def test_score_precision_recall_f1(score, expected):
    assert (score.precision, score.recall, score.f1) == pytest.approx(expected)


def test_evaluate_perfect_prediction_scores_one():
    report = score([gold()], [PERFECT])
    assert report.mention["all"] == Score(3, 0, 0)
    assert (report.mention["all"].f1, report.paper["coarse"]["all"].f1) == (1.0, 1.0)


def test_evaluate_shifted_span_is_fp_and_fn_at_mention_level():
    report = score([gold()], [pred(ent("BERT", "Model", 8, surface="tune BERT"))])
    assert report.mention["Method"] == Score(0, 1, 1)


def test_evaluate_shifted_span_is_hit_at_paper_level():
    report = score([gold()], [pred(ent("BERT", "Model", 8, surface="tune BERT"))])
    assert report.paper["coarse"]["Method"] == Score(1, 0, 0)


@pytest.mark.parametrize(
    ("exact_types", "expected"), [(False, Score(1, 0, 0)), (True, Score(0, 1, 1))]
)
def test_evaluate_exact_types_tell_model_from_method(exact_types, expected):
    doc = gold(spans=[("BERT", "Model")])
    report = score([doc], [pred(ent("BERT", "Method", 13))], exact_types=exact_types)
    assert report.mention["all"] == expected


def test_evaluate_coarse_types_join_dataset_benchmark_and_material():
    report = score([gold(spans=[("SQuAD", "Material")])], [pred(ent("SQuAD", "Benchmark", 21))])
    assert report.mention["Dataset/Benchmark"] == Score(1, 0, 0)


def test_evaluate_exact_types_refuse_gold_types_kg_lacks():
    with pytest.raises(InputError, match="gold type 'Material' is not one of kg's types"):
        score([gold()], [PERFECT], exact_types=True)


def test_evaluate_missing_prediction_counts_all_gold_as_missed():
    report = score([gold()], [pred(paper_id="other")])
    assert (report.mention["all"], report.paper["coarse"]["all"]) == (
        Score(0, 0, 3),
        Score(0, 0, 3),
    )
    assert report.n_missing == 1


def test_evaluate_drops_generic_gold_and_counts_prediction_on_it_as_false():
    doc = gold("The method is fast.", [("method", "Generic")], scheme={"Generic", "Method"})
    report = score([doc], [pred(ent("method", "Method", 4))])
    assert report.mention == {"Method": Score(0, 1, 0), "all": Score(0, 1, 0)}


def test_evaluate_leaves_out_types_the_gold_file_never_annotates():
    doc = gold(spans=[("SQuAD", "Dataset")], scheme={"Task", "Dataset", "Metric"})
    report = score([doc], [pred(ent("BERT", "Model", 13), ent("SQuAD", "Dataset", 21))])
    assert report.mention["all"] == Score(1, 0, 0)


def test_evaluate_paper_level_matches_gold_by_alias():
    text = "A convolutional neural network is used."
    doc = gold(text, [("convolutional neural network", "Method")])
    cnn = ent("CNN", "Method", aliases=("convolutional neural network",))
    assert score([doc], [pred(cnn)]).paper["coarse"]["Method"] == Score(1, 0, 0)


def test_evaluate_paper_level_matches_one_prediction_to_one_gold_concept():
    twice = pred(ent("BERT", "Model", 13), ent("BERT-base", "Model", aliases=("BERT",)))
    assert score([gold()], [twice]).paper["coarse"]["Method"] == Score(1, 1, 0)


def paper_gold(*concepts):
    return GoldDoc("d1", TEXT, None, concepts, frozenset(ConceptType))


def test_evaluate_paper_level_matches_one_gold_concept_to_one_prediction():
    doc = paper_gold(GoldConcept("CNN", "Method", ()), GoldConcept("ConvNet", "Method", ()))
    cnn = ent("CNN", "Method", aliases=("ConvNet",))
    assert score([doc], [pred(cnn)]).paper["coarse"]["Method"] == Score(1, 0, 1)


def test_evaluate_paper_level_finds_the_largest_matching():
    doc = paper_gold(GoldConcept("CNN", "Method", ("ConvNet",)), GoldConcept("CNN", "Method", ()))
    found = pred(ent("CNN", "Method"), ent("ConvNet", "Method"))
    assert score([doc], [found]).paper["coarse"]["Method"] == Score(2, 0, 0)


def test_evaluate_maps_abstract_offsets_past_the_title():
    text = "BERT for QA\nWe fine-tune BERT."
    doc = gold(text, [("BERT", "Method")], title_len=11)
    doc = GoldDoc(
        "d1",
        text,
        (*doc.mentions, GoldMention(25, 29, "BERT", "Method")),
        doc.concepts,
        doc.scheme,
        11,
    )
    bert = Entity(
        "bert",
        "BERT",
        ConceptType.MODEL,
        Role.USED,
        (Mention("BERT", 0, 4, "title"), Mention("BERT", 13, 17, "abstract")),
    )
    assert score([doc], [pred(bert)]).mention["Method"] == Score(2, 0, 0)


def test_evaluate_counts_mentions_misaligned_with_gold_text():
    report = score([gold()], [pred(ent("BERT", "Model", 12))])
    assert report.n_misaligned == 1


def test_evaluate_salient_recall_matches_any_surface_form_whatever_the_type():
    salient = (
        GoldConcept("SQuAD1.1", "Material", ("SQuAD",)),
        GoldConcept("Question_Answering", "Task", ()),
        GoldConcept("EM", "Metric", ("exact match",)),
    )
    found = pred(ent("SQuAD", "Benchmark", 21), ent("question answering", "Method"))
    assert score([gold(salient=salient)], [found]).salient_recall == Score(2, 0, 1)


def test_evaluate_without_salient_gold_has_no_salient_recall():
    assert score([gold()], [PERFECT]).salient_recall is None


def test_evaluate_paper_level_only_gold_has_no_mention_scores():
    report = score([paper_gold(GoldConcept("BERT", "Model", ()))], [PERFECT])
    assert report.mention == {}
    assert report.paper["coarse"]["all"] == Score(1, 2, 0)


def test_run_evaluate_reads_extractions_from_a_build_folder(tmp_path):
    bert = Entity(
        "bert",
        "BERT",
        ConceptType.MODEL,
        Role.USED,
        (Mention("BERT", 0, 4, "title"), Mention("BERT", 13, 17, "abstract")),
    )
    write_extractions(tmp_path / "extractions.jsonl", [Extraction("rx1", "", (bert,))])
    report = run_evaluate([GOLD / "scirex.jsonl"], tmp_path)
    assert (report.mention["Method"], report.n_missing, report.seconds) == (Score(2, 0, 2), 1, None)


def test_run_evaluate_runs_the_pipeline_on_the_gold_text():
    report = run_evaluate([GOLD / "scirex.jsonl", GOLD / "scierc.jsonl"])
    assert (report.n_docs, report.n_missing, report.n_misaligned) == (3, 0, 0)
    assert report.mention["Method"].tp >= 2  # BERT in the title and in the abstract of rx1
    assert report.seconds is not None


def test_run_evaluate_rejects_a_document_read_twice():
    with pytest.raises(InputError, match="document id 'se1' already read at"):
        run_evaluate([GOLD / "scierc.jsonl", GOLD / "scierc.jsonl"], GOLD / "scierc.jsonl")


def test_format_report_has_a_row_per_type_and_level():
    text = format_report(score([gold()], [PERFECT]))
    rows = [line.split()[0] for line in text.splitlines() if line.endswith(" 0      0")]
    assert rows == [
        "Method",
        "Dataset/Benchmark",
        "Metric",
        "all",
        "Method",
        "Dataset/Benchmark",
        "Metric",
        "all",
        "coarse",  # all types together; no typed row, as the gold types Material
        "untyped",
    ]


def test_format_report_shows_salient_recall():
    doc = gold(
        salient=(GoldConcept("SQuAD1.1", "Material", ("SQuAD",)), GoldConcept("EM", "Metric", ()))
    )
    assert "salient entity recall: 0.500 (1/2)" in format_report(score([doc], [PERFECT]))


def test_report_json_is_serialisable_with_rates():
    data = json.loads(json.dumps(report_json(score([gold()], [pred(ent("BERT", "Model", 13))]))))
    assert data["mention"]["all"] == {
        "tp": 1,
        "fp": 0,
        "fn": 2,
        "precision": 1.0,
        "recall": 0.3333,
        "f1": 0.5,
    }


# tests/data/gold/recent.jsonl by hand: r1 has 6 concepts (ZipNet Method, token pruning Method,
# vision transformer Model, ImageNet Dataset, accuracy and throughput Metric), r2 has 3 (web
# navigation Task, catastrophic forgetting Task, WebArena Benchmark); 14 mentions in all.
R1_ABSTRACT = (
    "We propose ZipNet, a token pruning method for vision transformers (ViTs). ZipNet keeps "
    "accuracy on ImageNet while raising throughput."
)
RECENT_PRED = [
    pred(
        ent("ZipNet", "Method", 11),
        Entity(
            "zipnet-t",
            "ZipNet",
            ConceptType.METHOD,
            Role.PROPOSED,
            (Mention("ZipNet", 0, 6, "title"),),
        ),
        ent("vision transformers", "Method", R1_ABSTRACT.index("vision")),  # Model in the gold
        ent("ImageNet", "Benchmark", R1_ABSTRACT.index("ImageNet")),  # Dataset in the gold
        ent("keeps", "Task", R1_ABSTRACT.index("keeps")),  # not a concept
        paper_id="r1",
    ),
    pred(
        ent("Web navigation", "Method", 0),  # Task in the gold
        ent("WebArena", "Benchmark", 77),
        paper_id="r2",
    ),
]


@pytest.fixture(scope="module")
def recent():
    from kg.gold import read_gold

    return score(read_gold(GOLD / "recent.jsonl"), RECENT_PRED)


@pytest.mark.parametrize(
    ("typing", "expected"),
    [
        ("typed", Score(2, 5, 7)),  # ZipNet twice (one entity per mention): one is a false positive
        ("coarse", Score(4, 3, 5)),  # + vision transformers, ImageNet
        ("untyped", Score(5, 2, 4)),  # + web navigation
    ],
)
def test_score_paper_level_under_each_typing(recent, typing, expected):
    assert recent.paper[typing]["all"] == expected


def test_score_kg_paper_gold_with_mentions_scores_mentions(recent):
    # right: ZipNet in the title and first in the abstract, vision transformers, ImageNet, WebArena
    assert recent.mention["all"] == Score(5, 2, 9)


def test_score_kg_paper_gold_has_roles(recent):
    assert [(p.gold_name, str(p.pred_role)) for p in recent.roles.pairs][:2] == [
        ("ZipNet", "used"),
        ("vision transformer", "used"),
    ]


def test_format_report_shows_every_typing_for_kg_typed_gold(recent):
    rows = [line.split()[0] for line in format_report(recent).splitlines() if line]
    assert [r for r in rows if r in {"typed", "coarse", "untyped"}] == [
        "typed",
        "coarse",
        "untyped",
    ]


def test_report_json_gives_every_typing(recent):
    data = report_json(recent)
    assert {t: s["all"]["tp"] for t, s in data["paper_typings"].items()} == {
        "typed": 2,
        "coarse": 4,
        "untyped": 5,
    }
    assert data["paper"] == data["paper_typings"]["coarse"]


def test_cli_evaluate_reports_paper_level_typings_and_roles(tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    write_extractions(tmp_path / "extractions.jsonl", RECENT_PRED)
    result = CliRunner().invoke(
        app, ["evaluate", str(GOLD / "recent.jsonl"), "--pred", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "untyped (any type) 0.714 0.556 0.625 5 2 4" in " ".join(result.output.split())
    assert "roles of the 5 concepts matched ignoring type" in result.output

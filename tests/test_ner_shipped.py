"""The trained statistical model shipped in extract/data/ner: loads offline, small, finds things."""

import pytest

from extract.pipeline import NER_DIR, build_nlp, extract
from kg.model import ConceptType, Paper


@pytest.fixture(scope="module")
def ner_nlp():
    return build_nlp(ner=NER_DIR, spans="all")


def test_ner_model_ships_inside_the_package_and_is_small():
    size = sum(p.stat().st_size for p in NER_DIR.rglob("*") if p.is_file())
    assert 0 < size < 10_000_000


def test_ner_model_runs_before_kg_components(ner_nlp):
    assert ner_nlp.pipe_names[:2] == ["ner", "kg_model_candidates"]
    assert set(ner_nlp.get_pipe("ner").labels) == {"Material", "Method", "Metric", "Task"}


def test_ner_model_finds_phrases_the_rules_do_not_know(ner_nlp):
    # The default pipeline's learned decider now finds most technical phrases too (issue 9), so
    # the text is one whose generic phrase only the model proposes.
    text = (
        "The parser combines a lexicalized grammar with a statistical disambiguation module and "
        "is evaluated on newswire text."
    )
    (with_model,) = extract(ner_nlp, [Paper("p", "T", text)])
    (rules,) = extract(build_nlp(), [Paper("p", "T", text)])
    extra = {e.name: e.type for e in with_model.entities}.keys() - {e.name for e in rules.entities}
    assert extra
    assert {e.type for e in with_model.entities if e.name in extra} & {
        ConceptType.METHOD,
        ConceptType.MODEL,
        ConceptType.TASK,
    }

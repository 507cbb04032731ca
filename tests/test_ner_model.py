"""The shipped statistical NER in extract/data/ner: loads offline, small, four coarse labels."""

import socket
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.pipeline import EntityRecognizer

import extract

NER_DIR = Path(extract.__file__).parent / "data" / "ner"
LABELS = {"Method", "Material", "Task", "Metric"}
SENTENCE = "We fine-tune BERT on SQuAD for question answering and report F1 and exact match scores."


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load(NER_DIR)


def test_ner_model_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access during model load")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert spacy.load(NER_DIR).pipe_names == ["ner"]


def test_ner_model_has_only_coarse_labels(nlp: Language) -> None:
    ner = nlp.get_pipe("ner")
    assert isinstance(ner, EntityRecognizer)
    assert set(ner.labels) == LABELS


def test_ner_model_emits_only_coarse_labels(nlp: Language) -> None:
    docs = nlp.pipe([SENTENCE, "Results on ImageNet with ResNet-50 reach 76% top-1 accuracy."])
    assert {ent.label_ for doc in docs for ent in doc.ents} <= LABELS


@pytest.mark.parametrize(
    ("name", "label"),
    [("BERT", "Method"), ("SQuAD", "Material"), ("question answering", "Task"), ("F1", "Metric")],
)
def test_ner_model_finds_name_with_type(nlp: Language, name: str, label: str) -> None:
    start = SENTENCE.index(name)
    found = {
        ent.label_
        for ent in nlp(SENTENCE).ents
        if ent.start_char <= start and start + len(name) <= ent.end_char
    }
    assert found == {label}


def test_ner_model_sources_into_blank_pipeline(nlp: Language) -> None:
    pipeline = spacy.blank("en")
    pipeline.add_pipe("ner", source=nlp)
    assert "BERT" in {ent.text for ent in pipeline(SENTENCE).ents}


def test_ner_model_files_are_small() -> None:
    size = sum(path.stat().st_size for path in NER_DIR.rglob("*") if path.is_file())
    assert 0 < size < 10_000_000

"""Canonical names, sizes, plurals and what is not a concept."""

import pytest

from extract.normalize import canonical_name, concept_id, infer_type, is_not_concept, split_size
from kg.model import ConceptType


@pytest.mark.parametrize(
    ("surface", "name", "size"),
    [
        ("Llama-3 (8B)", "Llama-3", "8B"),
        ("Qwen2.5-7B", "Qwen2.5", "7B"),
        ("Mistral 7B", "Mistral", "7B"),
        ("Mixtral 8x7B", "Mixtral", "8x7B"),
        ("the ImageNet", "ImageNet", None),
        ("large language models", "large language model", None),
        ("LLMs", "LLM", None),
        ("GPT-4o", "GPT-4o", None),
    ],
)
def test_canonical_name_splits_size_and_folds_plural(surface, name, size):
    assert canonical_name(surface) == (name, size)


@pytest.mark.parametrize(
    ("a", "b"),
    [("ResNet-50", "ResNet50"), ("Llama 3", "Llama-3"), ("T5-XXL", "T5 XXL"), ("BERT", "bert")],
)
def test_concept_id_merges_spelling_variants(a, b):
    assert concept_id(a) == concept_id(b)


@pytest.mark.parametrize(("a", "b"), [("GPT-4", "GPT-4o"), ("Llama 2", "Llama 3")])
def test_concept_id_keeps_versions_apart(a, b):
    assert concept_id(a) != concept_id(b)


def test_split_size_leaves_names_without_size():
    assert split_size("CodeT5") == ("CodeT5", None)


@pytest.mark.parametrize(
    "text", ["qi2023fine", "lewis2021paq", "85%", "3.5", "our method", "the model", "GPU", "x"]
)
def test_is_not_concept_rejects_noise(text):
    assert is_not_concept(text)


@pytest.mark.parametrize("text", ["LoRA", "GPT-4", "ImageNet", "retrieval-augmented generation"])
def test_is_not_concept_keeps_names(text):
    assert not is_not_concept(text)


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("AgentBench", None, ConceptType.BENCHMARK),
        ("SciQ", "dataset", ConceptType.DATASET),
        ("Molmo", "family", ConceptType.MODEL),
        ("Qwen2.5", None, ConceptType.MODEL),
        ("Direct Preference Optimization", None, ConceptType.METHOD),
        ("named entity recognition", None, ConceptType.TASK),
        ("Word Error Rate", None, ConceptType.METRIC),
        ("PELA", None, ConceptType.METHOD),
    ],
)
def test_infer_type_uses_head_then_shape(name, head, expected):
    assert infer_type(name, head=head) is expected

"""Names the gazetteer does not know, found by patterns, and their roles after resolution."""

import pytest

from extract.patterns import find_all
from extract.resolve import resolve, to_entities
from kg.model import ConceptType, Role


def entities(title: str, abstract: str):
    text = title + "\n\n" + abstract
    chosen = resolve(text, len(title), find_all(text, len(title)))
    return {e.name: e for e in to_entities(chosen, text=text, title_len=len(title))}


def test_title_prefix_name_is_proposed():
    found = entities("Zorblax: A Simple Method for Fast Decoding", "We study decoding.")
    assert found["Zorblax"].role is Role.PROPOSED
    assert found["Zorblax"].type is ConceptType.METHOD


def test_we_propose_name_with_head_noun_gets_type():
    found = entities("T", "We introduce Quokka, a new family of open vision-language models.")
    assert found["Quokka"].type is ConceptType.MODEL
    assert found["Quokka"].role is Role.PROPOSED


def test_abbreviation_links_later_bare_short_form():
    found = entities("T", "We propose Text-Tag Self-Distillation (TTD). TTD first extracts tags.")
    ent = found["Text-Tag Self-Distillation"]
    assert "TTD" in ent.aliases
    assert len(ent.mentions) == 3


@pytest.mark.parametrize(
    ("abstract", "name", "size"),
    [
        ("We fine-tune Zeta-3 (8B) on math.", "Zeta-3", "8B"),
        ("Results with Qwen2.5-7B are strong.", "Qwen2.5", "7B"),
        ("We compare against Claude 3.5 Sonnet.", "Claude 3.5 Sonnet", None),
    ],
)
def test_versioned_model_names_keep_size_as_property(abstract, name, size):
    found = entities("T", abstract)
    assert found[name].type is ConceptType.MODEL
    assert found[name].size == size


def test_headed_dataset_names_are_typed_by_head():
    found = entities("T", "We add annotations to the VoxCeleb and VoxPopuli datasets.")
    assert found["VoxCeleb"].type is ConceptType.DATASET
    assert found["VoxPopuli"].type is ConceptType.DATASET


def test_benchmark_used_for_evaluation_is_used():
    found = entities("T", "Our model scores well on the FrobBench benchmark.")
    assert found["FrobBench"].type is ConceptType.BENCHMARK
    assert found["FrobBench"].role is Role.USED


@pytest.mark.parametrize("noise", ["qi2023fine", "Table 2", "October 2023", "GPU", "85%"])
def test_noise_is_not_a_concept(noise):
    found = entities("T", f"As shown in {noise} and by lewis2021paq, results hold.")
    assert noise not in found
    assert "lewis2021paq" not in found


def test_mention_offsets_point_into_title_or_abstract():
    title, abstract = "Zorblax: Fast Decoding", "We propose Zorblax, a decoding method."
    found = entities(title, abstract)
    for mention in found["Zorblax"].mentions:
        source = title if mention.field == "title" else abstract
        assert source[mention.start : mention.end] == mention.text

"""The packaged gazetteer file and its loader."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extract.gazetteer import (
    GAZETTEER_PATH,
    GazetteerEntry,
    is_case_sensitive,
    load_gazetteer,
)
from kg.errors import KGError
from kg.model import ConceptType, concept_key

# Words that name no concept on their own; an alias equal to one would tag ordinary prose.
_GENERIC = """
model models data dataset datasets method methods network networks agent agents learning
attention training inference system systems framework approach task tasks benchmark
benchmarks bench evaluation analysis algorithm architecture performance image images text
language languages prediction generation retrieval optimization reasoning search feature
features representation representations embedding embeddings loss score metric result
results paper work experiment experiments baseline baselines fine-tuning finetuning
pre-training pretraining deep neural ai ml nlp sota state-of-the-art the a an of and
"""
GENERIC_WORDS = frozenset(_GENERIC.split())


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return GAZETTEER_PATH.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def entries() -> tuple[GazetteerEntry, ...]:
    return load_gazetteer()


@pytest.fixture(scope="module")
def by_name(entries: tuple[GazetteerEntry, ...]) -> dict[str, GazetteerEntry]:
    return {entry.name: entry for entry in entries}


def _forms(entry: GazetteerEntry) -> tuple[str, ...]:
    return (entry.name, *entry.aliases)


def test_gazetteer_lines_are_sorted_by_name(lines: list[str]) -> None:
    names = [json.loads(line)["name"] for line in lines]
    assert names == sorted(names, key=lambda name: (name.casefold(), name))


def test_gazetteer_every_line_loads(lines: list[str], entries: tuple[GazetteerEntry, ...]) -> None:
    assert len(entries) == len(lines)


def test_gazetteer_lines_use_only_schema_keys(lines: list[str]) -> None:
    allowed = {"name", "type", "aliases", "case_sensitive", "generic", "source", "note"}
    assert all(set(json.loads(line)) <= allowed for line in lines)


def test_gazetteer_every_line_records_its_source(lines: list[str]) -> None:
    sources = {json.loads(line).get("source") for line in lines}
    assert sources <= {"curated", "recent-train"}  # a line without one gives None


def test_gazetteer_has_at_least_500_entries(entries: tuple[GazetteerEntry, ...]) -> None:
    assert len(entries) >= 500


@pytest.mark.parametrize("concept_type", list(ConceptType))
def test_gazetteer_has_30_entries_of_each_type(
    entries: tuple[GazetteerEntry, ...], concept_type: ConceptType
) -> None:
    assert sum(entry.type is concept_type for entry in entries) >= 30


def test_gazetteer_names_and_aliases_are_trimmed(entries: tuple[GazetteerEntry, ...]) -> None:
    untidy = [form for entry in entries for form in _forms(entry) if form != form.strip()]
    assert untidy == []


def test_gazetteer_no_form_belongs_to_two_entries(entries: tuple[GazetteerEntry, ...]) -> None:
    owners: dict[str, set[str]] = {}
    for entry in entries:
        for form in _forms(entry):
            owners.setdefault(concept_key(form), set()).add(entry.name)
    shared = {key: names for key, names in owners.items() if len(names) > 1}
    assert shared == {}


def test_gazetteer_no_alias_repeats_within_an_entry(entries: tuple[GazetteerEntry, ...]) -> None:
    repeated = [entry.name for entry in entries if len(set(_forms(entry))) < len(_forms(entry))]
    assert repeated == []


def test_gazetteer_no_alias_is_found_by_another_form_anyway(
    entries: tuple[GazetteerEntry, ...],
) -> None:
    def letters(form: str) -> str:
        return re.sub(r"[\W_]+", "", form)

    redundant = [
        alias
        for entry in entries
        for i, alias in enumerate(entry.aliases)
        for other in _forms(entry)[: i + 1]
        if concept_key(alias) == concept_key(other)
        and (not is_case_sensitive(other, entry) or letters(alias) == letters(other))
    ]
    assert redundant == []


def test_gazetteer_no_alias_is_a_generic_word(entries: tuple[GazetteerEntry, ...]) -> None:
    generic = [
        form for entry in entries for form in _forms(entry) if concept_key(form) in GENERIC_WORDS
    ]
    assert generic == []


def test_gazetteer_every_form_has_a_letter_after_folding(
    entries: tuple[GazetteerEntry, ...],
) -> None:
    empty = [
        form
        for entry in entries
        for form in _forms(entry)
        if not re.search(r"[^\W\d_]", concept_key(form))
    ]
    assert empty == []


@pytest.mark.parametrize(
    ("name", "concept_type", "alias"),
    [
        ("BERT", ConceptType.MODEL, "Bidirectional Encoder Representations from Transformers"),
        ("MMLU", ConceptType.BENCHMARK, "Massive Multitask Language Understanding"),
        ("Low-Rank Adaptation", ConceptType.METHOD, "LoRA"),
        ("Direct Preference Optimization", ConceptType.METHOD, "DPO"),
        ("ImageNet", ConceptType.DATASET, "ILSVRC"),
        ("GSM8K", ConceptType.BENCHMARK, "Grade School Math"),
        ("named entity recognition", ConceptType.TASK, "NER"),
        ("word error rate", ConceptType.METRIC, "WER"),
        ("large language model", ConceptType.MODEL, "large language models"),
        ("Mistral", ConceptType.MODEL, "Mistral-Instruct"),
        ("Transformer", ConceptType.MODEL, "Transformers"),
        ("generative adversarial network", ConceptType.MODEL, "GAN"),
        ("mixture of experts", ConceptType.MODEL, "MoE"),
        ("VQ-VAE", ConceptType.MODEL, "VQVAE"),
        ("U-Net", ConceptType.MODEL, "UNet"),
        ("diffusion model", ConceptType.MODEL, "diffusion models"),
        ("vision-language model", ConceptType.MODEL, "VLM"),
        ("membership inference attack", ConceptType.TASK, "membership inference"),
        ("speedup", ConceptType.METRIC, "speed-up"),
    ],
)
def test_gazetteer_spot_check(
    by_name: dict[str, GazetteerEntry], name: str, concept_type: ConceptType, alias: str
) -> None:
    entry = by_name[name]
    assert (entry.type, alias in entry.aliases) == (concept_type, True)


@pytest.mark.parametrize(
    "names", [("GPT-4", "GPT-4o"), ("Llama 2", "Llama 3"), ("BERT", "RoBERTa")]
)
def test_gazetteer_versions_are_separate_entries(
    by_name: dict[str, GazetteerEntry], names: tuple[str, str]
) -> None:
    assert [by_name[name].type for name in names] == [ConceptType.MODEL, ConceptType.MODEL]


def test_gazetteer_sizes_are_not_part_of_names(entries: tuple[GazetteerEntry, ...]) -> None:
    sized = [
        e.name
        for e in entries
        if e.type is ConceptType.MODEL and re.search(r"\d+(\.\d+)?[BM]$", e.name)
    ]
    assert sized == []


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("LoRA", True),
        ("BERT", True),
        ("GPT-4", True),
        ("Adam", True),
        ("LLMs", True),
        ("Direct Preference Optimization", False),
        ("Chain-of-Thought", False),
        ("Transformer", False),
        ("knowledge distillation", False),
        ("hidden Markov model", False),
    ],
)
def test_is_case_sensitive_follows_the_rule(alias: str, expected: bool) -> None:
    entry = GazetteerEntry("x", ConceptType.METHOD)
    assert is_case_sensitive(alias, entry) is expected


def test_is_case_sensitive_obeys_the_entry_flag() -> None:
    entry = GazetteerEntry("Whisper", ConceptType.MODEL, case_sensitive=True)
    assert is_case_sensitive("Whisper", entry) is True


def test_load_gazetteer_reads_a_given_file(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text(
        '{"name": "Whisper", "type": "Model", "aliases": ["OpenAI Whisper"], "case_sensitive": true}\n'
        '\n{"name": "beam search", "type": "Method", "note": "decoding"}\n',
        encoding="utf-8",
    )
    assert load_gazetteer(path) == (
        GazetteerEntry("Whisper", ConceptType.MODEL, ("OpenAI Whisper",), True),
        GazetteerEntry("beam search", ConceptType.METHOD),
    )


@pytest.mark.parametrize(
    "bad_line",
    [
        "{not json",
        '["BERT", "Model"]',
        '{"name": "BERT", "type": "Architecture"}',
        '{"name": "", "type": "Model"}',
        '{"name": "BERT", "type": "Model", "aliases": "Bidirectional"}',
        '{"name": "BERT", "type": "Model", "aliases": [""]}',
        '{"name": "BERT", "type": "Model", "case_sensitive": "yes"}',
        '{"name": "BERT", "type": "Model", "size": "340M"}',
        '{"name": "BERT", "type": "Model", "source": "wikipedia"}',
    ],
)
def test_load_gazetteer_names_path_and_line_of_a_bad_entry(tmp_path: Path, bad_line: str) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text('{"name": "T5", "type": "Model"}\n' + bad_line + "\n", encoding="utf-8")
    with pytest.raises(KGError, match=re.escape(f"{path}:2")):
        load_gazetteer(path)


def test_load_gazetteer_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KGError, match="cannot read the gazetteer"):
        load_gazetteer(tmp_path / "missing.jsonl")


@pytest.mark.parametrize(
    ("name", "concept_type"),
    [
        ("machine unlearning", ConceptType.TASK),
        ("test-time adaptation", ConceptType.TASK),
        ("catastrophic forgetting", ConceptType.TASK),
        ("throughput", ConceptType.METRIC),
        ("latency", ConceptType.METRIC),
    ],
)
def test_gazetteer_types_settings_phenomena_and_metrics_by_the_convention(
    by_name: dict[str, GazetteerEntry], name: str, concept_type: ConceptType
) -> None:
    assert by_name[name].type is concept_type


def test_load_gazetteer_reads_the_source(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    path.write_text('{"name": "T5", "type": "Model", "source": "recent-train"}\n', encoding="utf-8")
    assert load_gazetteer(path)[0].source == "recent-train"


def test_gazetteer_marks_broad_classes_generic(entries: tuple[GazetteerEntry, ...]) -> None:
    by_name = {e.name: e for e in entries}
    assert by_name["large language model"].generic
    assert not by_name["BERT"].generic

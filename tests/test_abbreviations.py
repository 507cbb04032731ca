"""Abbreviation definitions found in text."""

import pytest

from extract.abbreviations import find_definitions


@pytest.mark.parametrize(
    ("text", "long", "short"),
    [
        (
            "We use Direct Preference Optimization (DPO) to align.",
            "Direct Preference Optimization",
            "DPO",
        ),
        (
            "Parameter-efficient fine-tuning (PEFT) is popular.",
            "Parameter-efficient fine-tuning",
            "PEFT",
        ),
        ("Current large language models (LLMs) fail.", "large language models", "LLMs"),
        ("a method called Low-Rank Adaptation (LoRA) works", "Low-Rank Adaptation", "LoRA"),
        (
            "we build the Spoken Language Understanding Evaluation (SLUE) suite",
            "Spoken Language Understanding Evaluation",
            "SLUE",
        ),
    ],
)
def test_find_definitions_pairs_long_and_short(text, long, short):
    found = find_definitions(text)
    assert [(d.long, d.short) for d in found] == [(long, short)]


def test_find_definitions_offsets_point_into_text():
    text = "We propose Text-Tag Self-Distillation (TTD) for tagging."
    (d,) = find_definitions(text)
    assert text[d.long_start : d.long_end] == d.long
    assert text[d.short_start : d.short_end] == "TTD"


@pytest.mark.parametrize(
    "text",
    [
        "accuracy improves (e.g. on MMLU).",
        "results (see Table 2) are good",
        "gains (85%) over baselines",
        "a strong model (GPT) here",
    ],
)
def test_find_definitions_ignores_non_definitions(text):
    assert find_definitions(text) == []

"""The chunker, the decider's features and model, and the paper-level clean-up."""

from __future__ import annotations

import pytest
import spacy

from extract.candidate import Candidate
from extract.chunker import Tokens, chunks, sub_spans
from extract.cleanup import clean
from extract.decider import (
    CLASSES,
    Decider,
    FeatureIndex,
    Span,
    _pruned,
    candidate_spans,
    decide,
    features,
    load_decider,
    tokens_of,
)
from kg.errors import KGError
from kg.model import ConceptType, Role

_NLP = spacy.blank("en")


def toks(text: str) -> Tokens:
    return tokens_of(_NLP.make_doc(text))


def texts(t: Tokens, spans: list[tuple[int, int]]) -> list[str]:
    return [" ".join(t.words[i:j]) for i, j in spans]


def test_chunks_stop_at_stop_words_punctuation_and_breakers():
    t = toks("We study catastrophic forgetting in continual learning, and it improves accuracy.")
    assert texts(t, chunks(t, frozenset({"improves"}))) == [
        "study catastrophic forgetting",
        "continual learning",
        "accuracy",
    ]


def test_chunks_keep_glued_hyphens_and_slashes():
    t = toks("a token-level text/image encoder")
    assert texts(t, chunks(t, frozenset())) == ["token - level text / image encoder"]


def test_chunks_keep_stop_words_a_hyphen_glues_into_a_word():
    t = toks("We use few-shot learning and chain-of-thought prompting; in-context.")
    assert texts(t, chunks(t, frozenset())) == [
        "use few - shot learning",
        "chain - of - thought prompting",
        "in - context",
    ]


def test_chunks_still_stop_at_a_free_standing_stop_word_before_a_hyphen():
    t = toks("accuracy of - 3 points")
    assert "of" not in {w for i, j in chunks(t, frozenset()) for w in t.words[i:j]}


def test_chunks_never_end_on_a_joiner():
    t = toks("the GPT-4 - based system")
    assert all(t.words[j - 1] != "-" for _, j in chunks(t, frozenset()))


def test_sub_spans_start_and_end_on_words():
    t = toks("causal attention mechanism")
    spans = {" ".join(t.words[i:j]) for i, j in sub_spans(t, (0, 3))}
    assert spans == {
        "causal attention mechanism",
        "causal attention",
        "causal",
        "attention mechanism",
        "attention",
        "mechanism",
    }


def test_sub_spans_never_split_a_hyphenated_word_inside():
    t = toks("BoxFlow-GRPO training")
    spans = {" ".join(t.words[i:j]) for i, j in sub_spans(t, (0, len(t.words)))}
    assert "GRPO training" not in spans
    assert "GRPO" not in spans
    assert "BoxFlow - GRPO" in spans


def test_sub_spans_may_end_before_a_glued_suffix():
    t = toks("Transformer-based models")
    spans = {" ".join(t.words[i:j]) for i, j in sub_spans(t, (0, len(t.words)))}
    assert "Transformer" in spans


def test_sub_spans_count_words_not_the_hyphens_between_them():
    t = toks("the LLM-as-a-Judge paradigm")
    spans = {" ".join(t.words[i:j]) for i, j in sub_spans(t, chunks(t, frozenset())[0])}
    assert "LLM - as - a - Judge" in spans  # 7 tokens, 4 words


def test_sub_spans_of_a_long_chunk_keep_it_whole():
    t = toks("one two3 three4 four5 five6 six7 seven8 eight9")
    chunk = (1, len(t.words))
    assert chunk in sub_spans(t, chunk)
    assert all(j - i <= 6 for i, j in sub_spans(t, chunk) if (i, j) != chunk)


def _features_of(text: str, start: int, end: int, rules: tuple[Candidate, ...] = ()) -> list[str]:
    t = toks(text)
    return features(text, 0, t, [Span(start, end, rules, "full")])[0]


def test_features_name_head_suffix_and_shape():
    text = "We use BoxFlow-GRPO here."
    fs = _features_of(text, 7, 19)
    assert "h=grpo" in fs
    assert "hs=rpo" in fs
    assert "sh=XxXx-X" in fs


def test_features_see_context_cues():
    text = "All models are evaluated on MMLU and trained on C4."
    assert "cue=eval" in _features_of(text, 28, 32)
    assert "cue=train" in _features_of(text, 48, 50)


def test_features_see_fine_tune_as_training():
    text = "We fine-tune BERT on SQuAD."
    assert "cue=train" in _features_of(text, 21, 26)


def test_features_count_mentions_in_the_paper():
    text = "token pruning helps. token pruning is fast. token pruning wins."
    assert "cnt=3" in _features_of(text, 0, 13)


def test_features_mark_title_and_the_rule_sources():
    text = "FlashPrune: fast pruning"
    rule = Candidate(0, 10, "FlashPrune", ConceptType.METHOD, "title", type_certain=True)
    t = toks(text)
    fs = features(text, len(text), t, [Span(0, 10, (rule,), "")])[0]
    assert {"title", "title-colon", "src=title", "src=title:Method"} <= set(fs)


def test_candidate_spans_join_rule_and_chunk_spans_once():
    text = "We apply LoRA adapters."
    t = toks(text)
    rule = Candidate(9, 13, "LoRA", ConceptType.METHOD, "gazetteer", type_certain=True)
    spans = candidate_spans(t, [rule], frozenset({"apply"}))
    lora = [s for s in spans if (s.start, s.end) == (9, 13)]
    assert len(lora) == 1
    assert lora[0].rules == (rule,)
    assert lora[0].chunk == "prefix"


def test_shipped_model_loads_with_its_classes():
    model = load_decider()
    assert model.weights.shape == (len(model.vocab), len(CLASSES))
    assert 0.0 < model.threshold < 1.0
    assert model.breakers


def test_shipped_model_decides_the_same_twice():
    text = (
        "FlashPrune: Token Pruning for Vision-Language Models\n\nWe propose FlashPrune, a token "
        "pruning method for vision-language models, and evaluate it on MMMU and ScienceQA with "
        "LLaVA-1.5, reporting accuracy and throughput."
    )
    t = toks(text)
    first = decide(load_decider(), text, 52, t, [])
    again = decide(load_decider(), text, 52, t, [])
    assert first == again
    assert first
    kept = {text[s.start : s.end] for s, _, _ in first}
    assert {"MMMU", "token pruning"} <= kept


def test_probabilities_sum_to_one_and_unknown_features_are_ignored():
    model = load_decider()
    probs = model.probabilities([["no-such-feature"], []])
    assert probs.shape == (2, len(CLASSES))
    assert probs.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert (probs[0] == probs[1]).all()


def test_model_saved_and_read_back(tmp_path):
    import numpy as np

    w = np.arange(14, dtype=np.float32).reshape(2, 7)
    model = Decider({"a": 0, "b": 1}, w, np.zeros(7, np.float32), frozenset({"x"}), 0.4)
    model.save(tmp_path)
    back = load_decider(tmp_path)
    assert back.probabilities([["a"], ["b"], ["a", "b"], ["c"]]).tolist() == (
        model.probabilities([["a"], ["b"], ["a", "b"], ["c"]]).tolist()
    )
    assert (back.weights == w).all()
    assert back.threshold == 0.4


def test_a_model_read_from_disk_finds_each_feature_row_as_a_dict_would():
    import gzip
    import json

    from extract.decider import META, MODEL_DIR

    names = json.loads(gzip.decompress((MODEL_DIR / META).read_bytes()))["features"]
    sample = [*names[::97], "t=no such feature", ""]
    vocab = {f: i for i, f in enumerate(names)}
    by_dict = [vocab.get(f, -1) for f in sample]
    index = load_decider().vocab
    assert isinstance(index, FeatureIndex)
    assert index.rows(sample).tolist() == by_dict


def test_missing_model_is_a_kgerror_naming_the_folder(tmp_path):
    with pytest.raises(KGError, match="decider"):
        load_decider(tmp_path)


def test_saved_model_files_are_the_same_bytes_each_time(tmp_path):
    import numpy as np

    model = Decider(
        {"a": 0}, np.ones((1, 7), np.float32), np.zeros(7, np.float32), frozenset(), 0.4
    )
    model.save(tmp_path / "one")
    model.save(tmp_path / "two")
    for name in ("decider.json.gz", "weights.npy.gz"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_damaged_model_file_is_a_kgerror_naming_the_folder(tmp_path):
    import numpy as np

    Decider({"a": 0}, np.ones((1, 7), np.float32), np.zeros(7, np.float32), frozenset(), 0.4).save(
        tmp_path
    )
    (tmp_path / "weights.npy.gz").write_bytes(b"not gzip")
    with pytest.raises(KGError, match="cannot read the decider model"):
        load_decider(tmp_path)


def _cand(start: int, name: str, *, generic: bool = False) -> Candidate:
    return Candidate(
        start, start + len(name), name, ConceptType.MODEL, "gazetteer", generic=generic
    )


def test_clean_folds_a_broad_class_into_the_specific_concept():
    out = clean(
        "",
        0,
        [_cand(0, "large language model", generic=True), _cand(30, "language model", generic=True)],
    )
    assert {c.name for c in out} == {"large language model"}


def test_clean_keeps_a_broad_class_alone():
    out = clean("", 0, [_cand(0, "language model", generic=True), _cand(30, "BERT")])
    assert {c.name for c in out} == {"language model", "BERT"}


def test_clean_keeps_specific_concepts_that_share_a_head():
    out = clean("", 0, [_cand(0, "diffusion model"), _cand(30, "latent diffusion model")])
    assert {c.name for c in out} == {"diffusion model", "latent diffusion model"}


def test_clean_keeps_roles():
    cand = _cand(0, "language model", generic=True).with_role(Role.USED)
    out = clean("", 0, [cand, _cand(30, "large language model", generic=True)])
    assert out[0].role is Role.USED


def _chunk(start: int, name: str, ctype: ConceptType = ConceptType.METHOD) -> Candidate:
    return Candidate(start, start + len(name), name, ctype, "chunk")


def test_clean_folds_a_short_form_into_the_one_longer_name_it_ends():
    out = clean(
        "",
        0,
        [
            _chunk(0, "Directed Exoskeleton Reasoning"),
            _chunk(40, "Exoskeleton Reasoning", ConceptType.TASK),
        ],
    )
    assert [(c.name, c.type) for c in out] == [
        ("Directed Exoskeleton Reasoning", ConceptType.METHOD)
    ] * 2


def test_clean_folds_a_short_form_into_the_one_longer_name_it_begins():
    out = clean("", 0, [_chunk(0, "SomaliBench"), _chunk(20, "SomaliBench Eval")])
    assert {c.name for c in out} == {"SomaliBench Eval"}


def test_clean_follows_short_forms_to_the_longest_name():
    names = ["Replay", "Generative Replay", "generative replay mechanism"]
    out = clean("", 0, [_chunk(20 * i, n) for i, n in enumerate(names)])
    assert {c.name for c in out} == {"generative replay mechanism"}


def test_clean_keeps_a_short_form_that_two_longer_names_share():
    out = clean("", 0, [_chunk(0, "Llama"), _chunk(10, "Llama 2"), _chunk(20, "Llama 3")])
    assert {c.name for c in out} == {"Llama", "Llama 2", "Llama 3"}


def test_clean_keeps_an_established_term_beside_a_longer_name():
    out = clean("", 0, [_cand(0, "fine-tuning"), _chunk(20, "parameter-efficient fine-tuning")])
    assert {c.name for c in out} == {"fine-tuning", "parameter-efficient fine-tuning"}


def test_clean_keeps_an_acronym_beside_a_longer_name():
    out = clean("", 0, [_chunk(0, "LLM"), _chunk(10, "LLM agent")])
    assert {c.name for c in out} == {"LLM", "LLM agent"}


def test_clean_keeps_a_word_inside_a_longer_name():
    out = clean("", 0, [_chunk(0, "attention"), _chunk(20, "causal attention mechanism")])
    assert {c.name for c in out} == {"attention", "causal attention mechanism"}


def test_default_pipeline_decides_and_spans_all_does_not():
    from extract.pipeline import build_nlp

    assert "kg_decide" in build_nlp().pipe_names
    assert "kg_decide" not in build_nlp(spans="all").pipe_names


def test_default_pipeline_finds_lower_case_technical_phrases():
    from extract.pipeline import build_nlp, extract
    from kg.model import Paper

    paper = Paper(
        id="p",
        title="Token Pruning for Efficient Web Navigation Agents",
        abstract="We study catastrophic forgetting under token pruning and report throughput.",
    )
    (found,) = extract(build_nlp(), [paper])
    names = {e.name.lower() for e in found.entities}
    assert {"token pruning", "catastrophic forgetting", "web navigation"} <= names


def _keep_everything(**prune: frozenset[str]) -> Decider:
    """A model that keeps every span as a Method (bias only), with the given prune lists."""
    import numpy as np

    bias = np.zeros(len(CLASSES), np.float32)
    bias[CLASSES.index("Method")] = 5.0
    return Decider({}, np.zeros((0, len(CLASSES)), np.float32), bias, frozenset(), 0.5, **prune)


def test_spans_ending_or_starting_with_a_pruned_word_are_never_kept():
    text = "We report strong results with sparse attention."
    kept = {
        text[s.start : s.end]
        for s, _, _ in decide(
            _keep_everything(never_head=frozenset({"results"}), never_first=frozenset({"strong"})),
            text,
            0,
            toks(text),
            [],
        )
    }
    assert kept
    assert not any(k.split()[-1] == "results" or k.split()[0] == "strong" for k in kept)


def test_spans_found_by_a_rule_are_never_pruned():
    text = "We report strong results with sparse attention."
    rule = Candidate(10, 24, "strong results", ConceptType.METHOD, "gazetteer")
    kept = decide(_keep_everything(never_head=frozenset({"results"})), text, 0, toks(text), [rule])
    assert (10, 24) in {(s.start, s.end) for s, _, _ in kept}


def _judged(model: Decider, text: str) -> set[str]:
    """The candidate spans of `text` the model scores (what pruning leaves)."""
    spans = candidate_spans(toks(text), [], model.breakers)
    return {text[s.start : s.end] for s in _pruned(text, spans, model)}


def test_a_lower_case_word_cut_out_of_a_chunk_is_judged_only_when_training_saw_it_alone():
    text = "We study token pruning with BERT encoders."
    judged = _judged(_keep_everything(single_ok=frozenset({"pruning"})), text)
    assert "token" not in judged  # cut out of "token pruning", never a mention of its own
    assert "pruning" in judged  # seen alone in training
    assert "BERT" in judged  # not lower case: still judged by the model
    assert "token pruning" in judged


def test_a_lower_case_word_that_is_a_whole_chunk_is_still_judged():
    text = "This is about pruning."
    assert "pruning" in _judged(_keep_everything(single_ok=frozenset()), text)


def test_without_a_single_word_list_every_word_of_a_chunk_is_judged():
    text = "We study token pruning."
    assert "token" in _judged(_keep_everything(), text)


def test_shipped_prune_lists_keep_common_single_word_concepts():
    model = load_decider()
    assert model.single_ok is not None
    assert {"pruning", "fine-tuning", "distillation"} <= model.single_ok


def test_shipped_prune_lists_hold_no_word_that_ends_a_common_concept():
    model = load_decider()
    assert model.never_head
    assert model.never_first
    assert not {"accuracy", "learning", "model", "detection"} & model.never_head


def test_unreadable_prune_lists_are_a_kgerror_naming_the_file(tmp_path):
    import numpy as np

    Decider({"a": 0}, np.zeros((1, 7), np.float32), np.zeros(7, np.float32), frozenset(), 0.4).save(
        tmp_path
    )
    (tmp_path / "prune.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(KGError, match=r"prune\.json"):
        load_decider(tmp_path)

"""The whole extraction pipeline on hand-written abstracts: gazetteer, abbreviations, sizes, roles."""

import pytest

from extract.pipeline import build_nlp, extract
from kg.model import ConceptType, Paper, Role


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def run(nlp, title, abstract):
    (ext,) = extract(nlp, [Paper("p", title, abstract)])
    return {e.name: e for e in ext.entities}


def test_extract_finds_gazetteer_names_with_types(nlp):
    found = run(nlp, "T", "We fine-tune BERT on SQuAD and report F1 on the MMLU benchmark.")
    assert found["BERT"].type is ConceptType.MODEL
    assert found["SQuAD"].type is ConceptType.DATASET
    assert found["MMLU"].type is ConceptType.BENCHMARK


def test_extract_links_abbreviation_to_its_long_form(nlp):
    found = run(
        nlp,
        "T",
        "We study Direct Preference Optimization (DPO). Unlike PPO, DPO needs no reward model.",
    )
    dpo = found["Direct Preference Optimization"]
    assert "DPO" in dpo.aliases
    assert [m.text for m in dpo.mentions] == ["Direct Preference Optimization", "DPO", "DPO"]


def test_extract_paper_definition_beats_gazetteer_meaning(nlp):
    found = run(
        nlp, "T", "We propose Model Editing Networks with Dual gradients (MEND), a new editor."
    )
    assert not any(
        e.name != "Model Editing Networks with Dual gradients" and "MEND" in (e.name, *e.aliases)
        for e in found.values()
    )


def test_extract_keeps_model_size_as_property(nlp):
    found = run(nlp, "T", "We compare Llama-3 (8B) with Qwen2.5-7B-Instruct.")
    sizes = {e.name: e.size for e in found.values() if e.type is ConceptType.MODEL}
    assert "8B" in sizes.values()
    assert "7B" in sizes.values()
    assert not any("8B" in name or "7B" in name for name in sizes)


def test_extract_gpt4_and_gpt4o_stay_apart(nlp):
    found = run(nlp, "T", "GPT-4 and GPT-4o are compared.")
    assert {"GPT-4", "GPT-4o"} <= set(found)


def test_extract_marks_proposed_and_used(nlp):
    found = run(
        nlp,
        "Zorblax: Efficient Decoding for Large Language Models",
        "We propose Zorblax, a decoding method, and evaluate it on GSM8K with Llama 2.",
    )
    assert found["Zorblax"].role is Role.PROPOSED
    assert found["GSM8K"].role is Role.USED


@pytest.mark.parametrize("noise", ["qi2023fine", "lewis2021paq", "our method", "the model"])
def test_extract_ignores_citation_keys_and_generic_phrases(nlp, noise):
    found = run(nlp, "T", f"Unlike {noise}, we use a retriever (see lewis2021paq).")
    assert not any(noise in (e.name, *e.aliases) for e in found.values())


def test_extract_offsets_point_into_title_and_abstract(nlp):
    title, abstract = "LoRA for BERT", "We apply Low-Rank Adaptation (LoRA) to BERT on GLUE."
    (ext,) = extract(nlp, [Paper("p", title, abstract)])
    for ent in ext.entities:
        for m in ent.mentions:
            assert (title if m.field == "title" else abstract)[m.start : m.end] == m.text


def test_extract_ignores_names_inside_urls(nlp):
    found = run(nlp, "T", "Code is at https://github.com/WadeYin9712/BERT-tools for all.")
    assert not found


def test_extract_survives_non_english_and_huge_text(nlp):
    found = run(nlp, "多语言 BERT", "Тест 🙂 العربية " * 20000 + "BERT.")
    assert "BERT" in found


def test_extract_parallel_gives_the_same_results_in_input_order():
    from extract.pipeline import extract_parallel
    from kg.build import sample_inputs
    from kg.readers import read_papers

    papers = list(read_papers(sample_inputs()[:1]).papers)[:40]
    one = list(extract_parallel(papers, jobs=1))
    two = list(extract_parallel(papers, jobs=2, chunk_size=7))
    assert two == one


def test_extract_across_many_memory_zones_gives_the_same_results(monkeypatch):
    from extract import pipeline
    from kg.build import sample_inputs
    from kg.readers import read_papers

    papers = list(read_papers(sample_inputs()[:1]).papers)[:12]
    whole = list(extract(build_nlp(), papers))
    monkeypatch.setattr(pipeline, "ZONE_PAPERS", 5)
    nlp = build_nlp()
    zoned = list(extract(nlp, papers))
    assert zoned == whole
    assert list(extract(nlp, papers)) == whole  # the zones freed nothing the pipeline needs


def test_extract_background_examples_are_mentioned(nlp):
    found = run(nlp, "T", "Large models such as BERT changed the field.")
    assert found["BERT"].role is Role.MENTIONED


def test_extract_by_proposing_marks_proposed(nlp):
    found = run(nlp, "T", "We close the gap by proposing Quokkanet, a retrieval model.")
    assert found["Quokkanet"].role is Role.PROPOSED


def test_extract_proposed_name_known_to_gazetteer_stays_proposed(nlp):
    found = run(nlp, "T", "We introduce CaseHOLD, a new legal benchmark.")
    assert found["CaseHOLD"].role is Role.PROPOSED


def test_model_candidates_map_coarse_labels_to_kg_types():
    from extract.components import model_candidate

    assert model_candidate(0, 5, "SQuAD", "Material").type is ConceptType.DATASET
    assert model_candidate(0, 10, "MT-Bench", "Material").type is ConceptType.BENCHMARK
    assert model_candidate(0, 7, "Llama 2", "Method").type is ConceptType.MODEL
    assert model_candidate(0, 10, "our method", "Method") is None


@pytest.mark.parametrize(
    ("spans", "expected"), [("names", ["BiLSTM"]), ("all", ["BiLSTM", "image sequence"])]
)
def test_model_candidates_keep_only_names_for_the_graph(spans, expected):
    import spacy
    from spacy.tokens import Span

    from extract.components import EntityRulerCandidates

    nlp = spacy.blank("en")
    doc = nlp.make_doc("We run a BiLSTM over each image sequence.")
    doc.ents = [Span(doc, 3, 4, label="Method"), Span(doc, 6, 8, label="Material")]
    doc = EntityRulerCandidates(spans)(doc)
    assert [c.name for c in doc._.kg_candidates] == expected


def test_extract_survives_huge_text_full_of_known_names(nlp):
    sentence = "We fine-tune BERT with low-rank adaptation on SQuAD and report exact match. "
    found = run(nlp, "T", sentence * 2800)  # past MAX_CHARS: every span overlaps a known name
    assert {"BERT", "SQuAD"} <= set(found)

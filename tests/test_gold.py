"""Gold readers: abstract views, DyGIE JSON, kg paper JSONL, and how mentions join into concepts."""

import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.gold import GoldMention, group_concepts, read_gold

GOLD = Path(__file__).parent / "data" / "gold"


def by_id(name):
    return {doc.doc_id: doc for doc in read_gold(GOLD / name)}


def write_line(tmp_path, row, name="gold.jsonl"):
    path = tmp_path / name
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("scirex.jsonl", ["rx1", "rx2"]),
        ("scierc.jsonl", ["se1"]),
        ("tdmsci.jsonl", ["train-0", "train-1"]),
        ("dygie.json", ["dy1"]),
        ("papers.jsonl", ["kg1", "kg2"]),
        ("recent.jsonl", ["r1", "r2"]),
    ],
)
def test_read_gold_detects_each_format(name, ids):
    assert [doc.doc_id for doc in read_gold(GOLD / name)] == ids


@pytest.mark.parametrize(
    "name", ["scirex.jsonl", "scierc.jsonl", "tdmsci.jsonl", "dygie.json", "recent.jsonl"]
)
def test_read_gold_mentions_are_slices_of_text(name):
    for doc in read_gold(GOLD / name):
        assert all(doc.text[m.start : m.end] == m.text for m in doc.mentions)


def test_read_abstract_view_splits_title_from_abstract():
    paper = by_id("scirex.jsonl")["rx1"].to_paper()
    assert paper.title == "BERT for Question Answering"
    assert paper.abstract == "We fine-tune BERT on SQuAD and report F1."


def test_read_abstract_view_keeps_whole_text_when_title_is_not_a_line_of_it():
    doc = by_id("scirex.jsonl")["rx2"]
    assert (doc.title_len, doc.to_paper().title) == (0, "")
    assert doc.to_paper().abstract == doc.text


def test_read_abstract_view_normalises_upper_case_types():
    doc = by_id("tdmsci.jsonl")["train-0"]
    assert [m.type for m in doc.mentions] == ["Task", "Dataset", "Metric"]


def test_read_abstract_view_scheme_is_the_types_of_the_whole_file():
    docs = by_id("tdmsci.jsonl")
    assert docs["train-1"].scheme == frozenset({"Task", "Dataset", "Metric"})


def test_read_abstract_view_reads_salient_entities():
    salient = by_id("scirex.jsonl")["rx1"].salient
    assert [(s.name, s.type, s.surface_forms) for s in salient][1] == (
        "SQuAD1.1",
        "Material",
        ("SQuAD",),
    )


def test_read_abstract_view_without_salient_has_none():
    assert by_id("scierc.jsonl")["se1"].salient is None


def test_read_abstract_view_cluster_joins_mentions_into_one_concept():
    concepts = by_id("scierc.jsonl")["se1"].concepts
    assert [(c.type, c.surface_forms) for c in concepts if c.type == "Method"] == [
        ("Method", ("parser",))
    ]


def test_read_dygie_joins_tokens_with_spaces_and_restores_brackets():
    doc = by_id("dygie.json")["dy1"]
    assert doc.text == "We train a long short-term memory ( LSTM ) . The LSTM improves BLEU ."


def test_read_dygie_converts_inclusive_token_spans_to_characters():
    doc = by_id("dygie.json")["dy1"]
    assert [(m.text, m.type) for m in doc.mentions] == [
        ("long short-term memory", "Method"),
        ("LSTM", "Method"),
        ("LSTM", "Method"),
        ("BLEU", "Metric"),
    ]


def test_read_dygie_joins_long_form_and_bracketed_short_form():
    concepts = by_id("dygie.json")["dy1"].concepts
    assert [c.surface_forms for c in concepts] == [("long short-term memory", "LSTM"), ("BLEU",)]


def test_read_kg_jsonl_has_concepts_but_no_mentions():
    doc = by_id("papers.jsonl")["kg1"]
    assert doc.mentions is None
    first = doc.concepts[0]
    assert (first.name, first.type, first.surface_forms) == ("Llama 2", "Model", ("Llama-2",))


def test_read_kg_jsonl_text_is_title_newline_abstract():
    doc = by_id("papers.jsonl")["kg1"]
    assert doc.text == "Llama 2 on MMLU\nWe evaluate Llama 2 with accuracy."
    assert doc.to_paper().abstract == "We evaluate Llama 2 with accuracy."


def test_read_kg_jsonl_maps_title_and_abstract_mentions_into_the_text():
    doc = by_id("recent.jsonl")["r1"]
    zipnet = [(m.start, m.end) for m in doc.mentions if m.text == "ZipNet"]
    assert zipnet[:2] == [(0, 6), (doc.abstract_start + 11, doc.abstract_start + 17)]


def test_read_kg_jsonl_mention_of_untitled_paper_starts_at_the_abstract():
    doc = by_id("recent.jsonl")["r2"]
    assert (doc.mentions[0].start, doc.mentions[0].text) == (0, "Web navigation")


def test_read_kg_jsonl_mentions_take_their_entity_type():
    doc = by_id("recent.jsonl")["r2"]
    assert [m.type for m in doc.mentions] == ["Task", "Task", "Benchmark"]


def test_read_kg_jsonl_surface_forms_are_aliases_then_mention_texts():
    vit = by_id("recent.jsonl")["r1"].concepts[2]
    assert vit.surface_forms == ("ViT", "Vision Transformers", "vision transformers", "ViTs")


def test_read_kg_jsonl_reads_roles():
    doc = by_id("recent.jsonl")["r1"]
    assert doc.has_roles
    assert [str(c.role) for c in doc.concepts[:2]] == ["proposed", "used"]


def test_read_kg_jsonl_without_roles_has_none():
    doc = by_id("papers.jsonl")["kg1"]
    assert (doc.has_roles, doc.concepts[0].role) == (False, None)


def test_read_kg_jsonl_paper_without_entities_in_a_file_with_mentions_has_no_mentions(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(
        (GOLD / "recent.jsonl").read_text(encoding="utf-8")
        + json.dumps({"id": "r3", "title": "T", "abstract": "A", "entities": []})
        + "\n",
        encoding="utf-8",
    )
    assert read_gold(path)[2].mentions == ()


def kg_row(**entity):
    base = {"name": "BERT", "type": "Model", "role": "used"}
    return {"id": "p", "title": "BERT", "abstract": "We use BERT.", "entities": [base | entity]}


@pytest.mark.parametrize(
    ("entity", "message"),
    [
        (
            {"mentions": [{"field": "abstract", "start": 6, "end": 10, "text": "BERT"}]},
            r"gold\.jsonl:1: mention 'BERT' at abstract 6:10 reads ' BER'",
        ),
        (
            {"mentions": [{"field": "title", "start": 0, "end": 6, "text": "BERT\nW"}]},
            r"gold\.jsonl:1: mention 'BERT\\nW' at 0:6 runs past the title",
        ),
        (
            {"mentions": [{"field": "body", "start": 0, "end": 4, "text": "BERT"}]},
            r"gold\.jsonl:1: mention field 'body'",
        ),
        ({"role": "novel"}, r"gold\.jsonl:1: entity 'BERT' has role 'novel', not one of"),
    ],
    ids=["offsets", "past title", "field", "role"],
)
def test_read_kg_jsonl_rejects_bad_mention_or_role(tmp_path, entity, message):
    with pytest.raises(InputError, match=message):
        read_gold(write_line(tmp_path, kg_row(**entity)))


def test_read_kg_jsonl_rejects_an_entity_without_role_when_others_have_one(tmp_path):
    row = kg_row()
    row["entities"].append({"name": "GLUE", "type": "Benchmark"})
    with pytest.raises(InputError, match=r"gold\.jsonl:1: entity 'GLUE' has role None"):
        read_gold(write_line(tmp_path, row))


def mention(text, start, kind="Method", cluster=None):
    return GoldMention(start, start + len(text), text, kind, cluster)


@pytest.mark.parametrize(
    ("text", "mentions", "n_concepts"),
    [
        ("CNN and cnn", [mention("CNN", 0), mention("cnn", 8)], 1),
        ("CNN and CNN", [mention("CNN", 0), mention("CNN", 8, "Task")], 2),
        (
            "Long Short-Term Memory (LSTM)",
            [mention("Long Short-Term Memory", 0), mention("LSTM", 24)],
            1,
        ),
        (
            "Long Short-Term Memory, LSTM",
            [mention("Long Short-Term Memory", 0), mention("LSTM", 24)],
            2,
        ),
        ("the parser ; it", [mention("parser", 4, cluster=0), mention("it", 13, cluster=0)], 1),
        ("the parser ; it", [mention("parser", 4, cluster=0), mention("it", 13, cluster=1)], 2),
    ],
)
def test_group_concepts_joins_mentions_of_one_concept(text, mentions, n_concepts):
    assert len(group_concepts(text, mentions)) == n_concepts


def test_read_gold_rejects_mention_offsets_that_miss_the_text(tmp_path):
    row = {
        "doc_id": "d",
        "text": "BERT",
        "mentions": [{"start_char": 1, "end_char": 4, "text": "BERT", "type": "Method"}],
    }
    with pytest.raises(InputError, match=r"gold\.jsonl:1: mention 'BERT' at 1:4 reads 'ERT'"):
        read_gold(write_line(tmp_path, row))


def test_read_gold_rejects_unknown_type(tmp_path):
    row = {
        "doc_id": "d",
        "text": "BERT",
        "mentions": [{"start_char": 0, "end_char": 4, "text": "BERT", "type": "Thing"}],
    }
    with pytest.raises(InputError, match=r"unknown type 'Thing'; use one of"):
        read_gold(write_line(tmp_path, row))


def test_read_gold_rejects_kg_entity_of_coarse_type(tmp_path):
    row = {"id": "p", "title": "", "abstract": "x", "entities": [{"name": "x", "type": "Material"}]}
    with pytest.raises(InputError, match=r"unknown type 'Material'"):
        read_gold(write_line(tmp_path, row))


def test_read_gold_names_line_of_missing_key(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(
        '{"doc_id": "a", "text": "", "mentions": []}\n{"doc_id": "b", "mentions": []}\n'
    )
    with pytest.raises(InputError, match=r"gold\.jsonl:2: missing key 'text'"):
        read_gold(path)


def test_read_gold_names_line_of_invalid_json(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"doc_id": "a", "text": "", "mentions": []}\n{oops\n')
    with pytest.raises(InputError, match=r"gold\.jsonl:2: not valid JSON"):
        read_gold(path)


def test_read_gold_rejects_unknown_format(tmp_path):
    with pytest.raises(InputError, match="cannot tell the gold format"):
        read_gold(write_line(tmp_path, {"name": "x"}))


def test_read_gold_rejects_empty_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n")
    with pytest.raises(InputError, match="no records"):
        read_gold(path)

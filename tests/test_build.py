"""Building a folder: the sample corpus, determinism, updates, and failures that lose nothing."""

import hashlib
import json

import pytest

from kg import build as kg_build
from kg.build import build, load_graph, sample_inputs
from kg.errors import BuildDirError, KGError
from kg.model import ConceptType
from kg.stats import top_concepts

PAPERS = [
    {
        "id": "a1",
        "title": "Zorblax: Fast Decoding",
        "abstract": "We propose Zorblax. We fine-tune BERT on SQuAD.",
    },
    {
        "id": "a2",
        "title": "LoRA for BERT",
        "abstract": "We apply Low-Rank Adaptation (LoRA) to BERT on GLUE.",
    },
]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def digest(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "kg-out"
    return build(sample_inputs(), out), out


def test_build_sample_gives_356_papers(sample_build):
    summary, _ = sample_build
    assert summary.n_papers == 356
    assert sum(n for _, n in summary.read.per_file) == 406


@pytest.mark.parametrize(
    ("ctype", "expected"),
    [
        (ConceptType.MODEL, {"GPT-4", "BERT"}),
        (ConceptType.METHOD, {"retrieval-augmented generation"}),
    ],
)
def test_build_sample_top_concepts_are_recognisable(sample_build, ctype, expected):
    _, out = sample_build
    names = {name.lower() for name, _ in top_concepts(load_graph(out), ctype, top=15)}
    assert {e.lower() for e in expected} <= names


def test_build_sample_writes_views(sample_build):
    _, out = sample_build
    for name in ("index.html", "papers.html", "concepts.html"):
        assert (out / name).stat().st_size > 1000


def test_build_twice_gives_the_same_bytes(tmp_path):
    src = write_jsonl(tmp_path / "p.jsonl", PAPERS)
    build([src], tmp_path / "one")
    build([src], tmp_path / "two")
    one, two = digest(tmp_path / "one"), digest(tmp_path / "two")
    one.pop("graph.lbug"), two.pop("graph.lbug")
    assert one == two


def test_build_same_paper_from_two_files_is_one_paper(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", PAPERS)
    b = write_jsonl(tmp_path / "b.jsonl", PAPERS[:1])
    summary = build([a, b], tmp_path / "out", views=False)
    assert summary.n_papers == 2


def test_build_update_adds_papers_and_keeps_old_ones(tmp_path):
    build([write_jsonl(tmp_path / "a.jsonl", PAPERS[:1])], tmp_path / "out", views=False)
    summary = build(
        [write_jsonl(tmp_path / "b.jsonl", PAPERS[1:])], tmp_path / "out", views=False, update=True
    )
    assert summary.n_papers == 2
    assert summary.n_extracted == 1


def test_build_update_equals_full_build(tmp_path):
    build([write_jsonl(tmp_path / "a.jsonl", PAPERS[:1])], tmp_path / "inc", views=False)
    build(
        [write_jsonl(tmp_path / "b.jsonl", PAPERS[1:])], tmp_path / "inc", views=False, update=True
    )
    build([write_jsonl(tmp_path / "all.jsonl", PAPERS)], tmp_path / "full", views=False)
    for name in ("extractions.jsonl",):
        assert (tmp_path / "inc" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()


def test_build_failure_leaves_previous_build_intact(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build([write_jsonl(tmp_path / "a.jsonl", PAPERS)], out, views=False)
    before = digest(out)

    def broken(path, data, **options):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kg_build, "_write_database", broken)
    # the disk fills up before a copy of the database could take in only the changed rows
    monkeypatch.setattr(kg_build, "_update_database", lambda *args, **kwargs: False)
    with pytest.raises(BuildDirError, match="previous build is unchanged"):
        build([write_jsonl(tmp_path / "b.jsonl", PAPERS[:1])], out, views=False)
    assert digest(out) == before
    assert not list(out.glob(".kg-staging-*"))


def test_build_with_no_records_raises_and_writes_nothing(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(KGError):
        build([empty], tmp_path / "out")
    assert not (tmp_path / "out").exists()

"""`kg build --update` writes only the database rows that change: the rows must be those of a
whole rebuild of the same papers, and anything the walk cannot trust falls back to a whole load."""

import json

import pytest

from kg import build as kg_build
from kg.build import build, load_graph
from kg.stores.ladybug_store import LadybugStore
from kg.stores.ladybug_update import update_rows

PAPERS = [
    {
        "id": "a1",
        "title": "Zorblax: Fast Decoding",
        "abstract": "We propose Zorblax. We fine-tune BERT on SQuAD and report F1.",
    },
    {
        "id": "a2",
        "title": "LoRA for BERT",
        "abstract": "We apply Low-Rank Adaptation (LoRA) to BERT on GLUE and SQuAD.",
    },
    {
        "id": "a3",
        "title": "Adam at Scale",
        "abstract": "We train GPT-2 with Adam on WikiText-103 and report perplexity.",
    },
]
NEW = [
    {
        "id": "b1",
        "title": "BERT on SQuAD, again",
        "abstract": "We fine-tune BERT on SQuAD with LoRA and Adam and report F1.",
    },
]
TABLES = {
    "Paper": "MATCH (n:Paper) RETURN n.* ORDER BY n.id",
    "Concept": "MATCH (n:Concept) RETURN n.* ORDER BY n.id",
    "MENTIONS": "MATCH (a)-[r:MENTIONS]->(b) RETURN a.id, b.id, r.role, r.count ORDER BY a.id, b.id",
    "CO_OCCURS": "MATCH (a)-[r:CO_OCCURS]->(b) RETURN a.id, b.id, r.weight ORDER BY a.id, b.id",
}


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def rows_of(db_path):
    with LadybugStore.open(db_path, read_only=True) as store:
        return {table: store.run(query).rows for table, query in TABLES.items()}


def whole_rows(tmp_path, data):
    """The rows of `data` loaded whole into a new database."""
    path = tmp_path / "whole.lbug"
    LadybugStore.open(path).write(data)
    return rows_of(path)


@pytest.fixture
def two_builds(tmp_path):
    """An updated build and a whole build of the same papers."""
    inc, full = tmp_path / "inc", tmp_path / "full"
    a, b = write_jsonl(tmp_path / "a.jsonl", PAPERS), write_jsonl(tmp_path / "b.jsonl", NEW)
    build([a], inc, views=False)
    build([b], inc, views=False, update=True)
    build([a, b], full, views=False)  # the same files: the papers' sources are alike
    return inc, full


def test_update_gives_the_rows_of_a_whole_build(two_builds):
    inc, full = two_builds
    assert rows_of(inc / "graph.lbug") == rows_of(full / "graph.lbug")


def test_update_changes_a_paper_count_and_a_weight(tmp_path):
    """The corpus is made so that the update must change rows the database holds, not only add."""
    out = tmp_path / "out"
    build([write_jsonl(tmp_path / "a.jsonl", PAPERS)], out, views=False)
    counts = {"MATCH (c:Concept) RETURN c.id, c.paper_count", TABLES["CO_OCCURS"]}

    def values(query):
        with LadybugStore.open(out / "graph.lbug", read_only=True) as store:
            return {tuple(r[:-1]): r[-1] for r in store.run(query).rows}

    before = {q: values(q) for q in counts}
    build([write_jsonl(tmp_path / "b.jsonl", NEW)], out, views=False, update=True)
    for query in counts:
        after = values(query)
        assert any(after[key] > n for key, n in before[query].items())


def test_update_rows_writes_the_difference_in_place(tmp_path):
    old = tmp_path / "old"
    build([write_jsonl(tmp_path / "a.jsonl", PAPERS)], old, views=False)
    build([write_jsonl(tmp_path / "b.jsonl", NEW)], old, views=False, update=True)
    target = load_graph(old)
    db = tmp_path / "copy.lbug"
    LadybugStore.open(db).write(_first_three(tmp_path))
    assert update_rows(db, target)
    assert rows_of(db) == whole_rows(tmp_path, target)


def _first_three(tmp_path):
    first = tmp_path / "first"
    build([write_jsonl(tmp_path / "c.jsonl", PAPERS)], first, views=False)
    return load_graph(first)


def test_update_rows_gives_up_without_writing_when_most_rows_change(tmp_path):
    small = tmp_path / "small"
    build([write_jsonl(tmp_path / "a.jsonl", PAPERS[:1])], small, views=False)
    big = tmp_path / "big"
    build([write_jsonl(tmp_path / "b.jsonl", PAPERS[1:] + NEW)], big, views=False)
    before = rows_of(small / "graph.lbug")
    assert not update_rows(small / "graph.lbug", load_graph(big), small=0)
    assert rows_of(small / "graph.lbug") == before


def test_update_takes_the_incremental_path(tmp_path):
    out = tmp_path / "out"
    build([write_jsonl(tmp_path / "a.jsonl", PAPERS)], out, views=False)
    staging = tmp_path / "staging"
    staging.mkdir()
    data = _first_three(tmp_path)
    assert kg_build._update_database(out, staging, data, on_batch=lambda *_: None)
    assert rows_of(staging / "graph.lbug") == whole_rows(tmp_path, data)


def test_a_database_changed_after_its_build_is_loaded_whole(tmp_path):
    inc, full = tmp_path / "inc", tmp_path / "full"
    build([write_jsonl(tmp_path / "a.jsonl", PAPERS)], inc, views=False)
    with LadybugStore.open(inc / "graph.lbug") as store:  # what kg query --write may do
        store.run("MATCH (c:Concept) SET c.paper_count = 99", write=True)
    staging = tmp_path / "staging"
    staging.mkdir()
    assert not kg_build._update_database(inc, staging, load_graph(inc), on_batch=print)
    assert not (staging / "graph.lbug").exists()
    b = write_jsonl(tmp_path / "b.jsonl", NEW)
    build([b], inc, views=False, update=True)
    build([tmp_path / "a.jsonl", b], full, views=False)
    assert rows_of(inc / "graph.lbug") == rows_of(full / "graph.lbug")


def test_an_update_stopped_after_writing_rows_leaves_the_previous_build(tmp_path, monkeypatch):
    import hashlib

    from kg.stores import ladybug_update

    out = tmp_path / "out"
    build([write_jsonl(tmp_path / "a.jsonl", PAPERS)], out, views=False)
    before = {p.name: hashlib.sha256(p.read_bytes()).digest() for p in out.iterdir() if p.is_file()}
    rows = rows_of(out / "graph.lbug")
    real_apply = ladybug_update._apply

    def stopped(*args, **kwargs):
        real_apply(*args, **kwargs)  # the copy has its new rows; the build is stopped here
        raise KeyboardInterrupt

    monkeypatch.setattr(ladybug_update, "_apply", stopped)
    with pytest.raises(KeyboardInterrupt):
        build([write_jsonl(tmp_path / "b.jsonl", NEW)], out, views=False, update=True)
    after = {p.name: hashlib.sha256(p.read_bytes()).digest() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert rows_of(out / "graph.lbug") == rows
    assert not list(out.glob(".kg-staging-*"))


def test_update_rows_gives_up_on_a_database_with_other_columns(tmp_path):
    import ladybug

    data = _first_three(tmp_path)
    path = tmp_path / "other.lbug"
    LadybugStore.open(path).write(data)
    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    conn.execute("ALTER TABLE Concept ADD extra INT64")  # as an older or newer kg's schema
    conn.close()
    db.close()
    assert not update_rows(path, data)

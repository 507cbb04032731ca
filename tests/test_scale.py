"""Big corpora: parallel extraction in input order, streaming passes, reuse on --update, batched
database loads, the default number of jobs."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path

import pytest

import kg.stores.ladybug_store as ladybug_store
from extract import pipeline
from extract.pipeline import extract_lines
from kg import corpus
from kg.build import BIG_CORPUS, build, default_jobs
from kg.errors import BuildDirError
from kg.graph import GraphData, graph_data
from kg.model import Extraction, Paper
from kg.readers import read_papers
from kg.stores.ladybug_store import LadybugStore

ROOT = Path(__file__).resolve().parents[1]
PAPERS = ROOT / "tests" / "data" / "inputs" / "papers.jsonl"


def many_papers(n: int) -> list[Paper]:
    """`n` papers with distinct ids made from the four test papers."""
    base = read_papers([PAPERS]).papers
    return [
        dataclasses.replace(base[i % len(base)], id=f"2401.{i:05d}", title=f"{i} {base[0].title}")
        for i in range(n)
    ]


def test_scale_parallel_lines_come_in_input_order_as_one_job_gives_them() -> None:
    papers = many_papers(12)
    serial = list(extract_lines(papers, jobs=1))
    assert list(extract_lines(papers, jobs=2, chunk_size=2)) == serial
    assert [json.loads(line)["paper_id"] for line in serial] == [p.id for p in papers]


def test_scale_each_block_of_chunks_gets_a_fresh_pool_and_the_lines_stay_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pools = []
    fork = pipeline.multiprocessing.get_context("fork")
    real_pool = fork.Pool

    def pool(*args: object, **kwargs: object) -> object:
        pools.append(args)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(pipeline, "BLOCK_CHUNKS", 2)
    monkeypatch.setattr(type(fork), "Pool", lambda self, *a, **k: pool(*a, **k))
    papers = many_papers(19)
    serial = list(extract_lines(papers, jobs=1))
    parallel = list(extract_lines(papers, jobs=2, chunk_size=2))
    assert parallel == serial
    assert len(pools) == 3  # blocks of 2 jobs x 2 chunks x 2 papers: 8 + 8 + 3


def test_scale_graph_data_reads_the_extractions_in_two_passes(
    papers: tuple[Paper, ...], extractions: tuple[Extraction, ...]
) -> None:
    passes = []

    def again() -> object:
        passes.append(1)
        return iter(extractions)

    data = graph_data(papers, corpus.Reread(again))  # type: ignore[arg-type]
    assert len(passes) == 2
    assert data == graph_data(papers, list(extractions))


def test_scale_update_extracts_only_the_new_papers(tmp_path: Path) -> None:
    papers = many_papers(6)
    corpus.write_papers(tmp_path / "a.jsonl", papers[:4])
    build([tmp_path / "a.jsonl"], tmp_path / "out", views=False)
    corpus.write_papers(tmp_path / "b.jsonl", papers[3:])
    summary = build([tmp_path / "b.jsonl"], tmp_path / "out", views=False, update=True)
    assert (summary.n_papers, summary.n_extracted) == (6, 2)
    corpus.write_papers(tmp_path / "all.jsonl", papers)
    build([tmp_path / "all.jsonl"], tmp_path / "full", views=False)
    name = corpus.EXTRACTIONS
    assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()


def test_scale_rebuild_extracts_only_the_changed_paper(tmp_path: Path) -> None:
    papers = many_papers(4)
    corpus.write_papers(tmp_path / "a.jsonl", papers)
    build([tmp_path / "a.jsonl"], tmp_path / "out", views=False)
    papers[1] = dataclasses.replace(papers[1], abstract="We fine-tune BERT on GLUE.")
    corpus.write_papers(tmp_path / "b.jsonl", papers)
    assert build([tmp_path / "b.jsonl"], tmp_path / "out", views=False).n_extracted == 1
    build([tmp_path / "b.jsonl"], tmp_path / "full", views=False)
    name = corpus.EXTRACTIONS
    assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()


def _respaced(out: Path, *, vouch: bool) -> list[str]:
    """Write OUT's extraction lines again with other spacing (the same JSON); with `vouch`, the
    manifest is given the file's new SHA-256 as if kg had written it so."""
    path = out / corpus.EXTRACTIONS
    lines = [json.dumps(json.loads(line), indent=None, separators=(",", ":")) + "\n"
             for line in path.read_text(encoding="utf-8").splitlines()]  # fmt: skip
    path.write_text("".join(lines), encoding="utf-8")
    if vouch:
        import hashlib

        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        manifest["files"][corpus.EXTRACTIONS] = hashlib.sha256(path.read_bytes()).hexdigest()
        (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return lines


def test_scale_update_copies_the_lines_the_manifest_vouches_for(tmp_path: Path) -> None:
    papers = many_papers(4)
    corpus.write_papers(tmp_path / "a.jsonl", papers[:3])
    build([tmp_path / "a.jsonl"], tmp_path / "out", views=False)
    kept = _respaced(tmp_path / "out", vouch=True)
    corpus.write_papers(tmp_path / "b.jsonl", papers[3:])
    assert (
        build([tmp_path / "b.jsonl"], tmp_path / "out", views=False, update=True).n_extracted == 1
    )
    lines = (tmp_path / "out" / corpus.EXTRACTIONS).read_text(encoding="utf-8").splitlines(True)
    assert lines[:3] == kept  # as they were written, not made again


def test_scale_update_makes_again_the_lines_of_an_edited_file(tmp_path: Path) -> None:
    papers = many_papers(4)
    corpus.write_papers(tmp_path / "a.jsonl", papers[:3])
    build([tmp_path / "a.jsonl"], tmp_path / "out", views=False)
    canonical = (tmp_path / "out" / corpus.EXTRACTIONS).read_text(encoding="utf-8")
    _respaced(tmp_path / "out", vouch=False)
    corpus.write_papers(tmp_path / "b.jsonl", papers[3:])
    assert (
        build([tmp_path / "b.jsonl"], tmp_path / "out", views=False, update=True).n_extracted == 1
    )
    lines = (tmp_path / "out" / corpus.EXTRACTIONS).read_text(encoding="utf-8").splitlines(True)
    assert lines[:3] == canonical.splitlines(True)


def test_scale_update_over_an_edited_bad_line_names_it_and_keeps_the_build(tmp_path: Path) -> None:
    papers = many_papers(4)
    corpus.write_papers(tmp_path / "a.jsonl", papers[:3])
    out = tmp_path / "out"
    build([tmp_path / "a.jsonl"], out, views=False)
    path = out / corpus.EXTRACTIONS
    lines = path.read_text(encoding="utf-8").splitlines(True)
    row = json.loads(lines[1])
    row["entities"] = [{"name": "BERT"}]  # no type
    lines[1] = json.dumps(row) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    before = {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()}
    corpus.write_papers(tmp_path / "b.jsonl", papers[3:])
    with pytest.raises(
        BuildDirError, match=rf"^{re.escape(str(path))}:2: not an extraction record"
    ):
        build([tmp_path / "b.jsonl"], out, views=False, update=True)
    assert {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()} == before


def test_scale_database_loads_in_batches_with_every_row(
    graph: GraphData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ladybug_store, "PAPER_BATCH", 2)
    monkeypatch.setattr(ladybug_store, "ROW_BATCH", 3)
    batches: list[tuple[str, int]] = []
    with LadybugStore.open(tmp_path / "graph.lbug") as store:
        store.write(graph, on_batch=lambda table, n: batches.append((table, n)))
    with LadybugStore.open(tmp_path / "graph.lbug", read_only=True) as store:
        counts = [
            store.run(f"MATCH {pattern} RETURN count(*)").rows[0][0]
            for pattern in (
                "(p:Paper)",
                "(c:Concept)",
                "()-[r:MENTIONS]->()",
                "()-[r:CO_OCCURS]->()",
            )
        ]
    assert counts == [
        len(graph.papers),
        len(graph.concepts),
        len(graph.mentions),
        len(graph.co_occurs),
    ]
    assert max(n for table, n in batches if table == "Paper") == 2
    assert sum(n for _, n in batches) == sum(counts)


def test_scale_a_relationship_table_loads_in_about_ten_copies_of_bounded_size() -> None:
    assert ladybug_store.rel_batch(5_000) == ladybug_store.ROW_BATCH
    assert ladybug_store.rel_batch(150_000) == 15_000
    assert ladybug_store.rel_batch(5_000_000) == ladybug_store.MAX_ROW_BATCH


def test_scale_default_jobs_is_one_for_a_small_corpus_and_every_core_for_a_big_one() -> None:
    assert default_jobs(BIG_CORPUS) == 1
    assert default_jobs(BIG_CORPUS + 1) == len(os.sched_getaffinity(0))

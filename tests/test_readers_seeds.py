"""The Hugging Face pages shipped in kg/sample: 406 entries, 356 distinct papers."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.readers import ReadResult, read_papers

SAMPLE = sorted((Path(kg.__file__).parent / "sample").glob("*.txt"))


@pytest.fixture(scope="module")
def seeds() -> ReadResult:
    return read_papers(SAMPLE)


def test_seeds_are_five_pages() -> None:
    assert len(SAMPLE) == 5


def test_seeds_read_406_records(seeds: ReadResult) -> None:
    assert sum(n for _, n in seeds.per_file) == 406


def test_seeds_hold_356_papers(seeds: ReadResult) -> None:
    assert len(seeds.papers) == 356
    assert seeds.n_duplicates == 406 - 356


@pytest.mark.parametrize(
    ("name", "expected"),
    [("000", 76), ("001", 113), ("002", 52), ("003", 71), ("004", 94)],
)
def test_seeds_records_per_page(seeds: ReadResult, name: str, expected: int) -> None:
    counts = {Path(path).name[:3]: n for path, n in seeds.per_file}
    assert counts[name] == expected


def test_seeds_skip_nothing(seeds: ReadResult) -> None:
    assert seeds.skipped == ()


def test_seeds_have_no_chrome_titles(seeds: ReadResult) -> None:
    titles = {paper.title for paper in seeds.papers}
    chrome = {"new", "Subscribe", "Get trending papers in your email inbox!", "Mar 14"}
    assert not titles & chrome
    assert not any(t.startswith("Subscribe") for t in titles)


def test_seeds_unglue_subscribe_from_first_title(seeds: ReadResult) -> None:
    titles = {paper.title for paper in seeds.papers}
    assert "Multiresolution Textual Inversion" in titles


def test_seeds_every_paper_has_an_abstract(seeds: ReadResult) -> None:
    assert all(len(paper.abstract) > 100 for paper in seeds.papers)


def test_seeds_repeated_papers_list_every_page(seeds: ReadResult) -> None:
    assert max(len(paper.sources) for paper in seeds.papers) > 1
    assert all(paper.sources == tuple(sorted(paper.sources)) for paper in seeds.papers)


def test_seeds_render_latex_accents(seeds: ReadResult) -> None:
    abstracts = " ".join(paper.abstract for paper in seeds.papers)
    assert "naïve" in abstracts
    assert 'na\\"ive' not in abstracts

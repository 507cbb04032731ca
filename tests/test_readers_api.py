"""Semantic Scholar, OpenAlex and Hugging Face answers saved as JSON or HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.readers import read_papers
from kg.readers.openalex import rebuild_abstract
from kg.readers.semantic_scholar import read_semantic_scholar

INPUTS = Path(__file__).parent / "data" / "inputs"
REAL = INPUTS / "real"


@pytest.mark.parametrize(
    ("name", "n_papers", "n_no_abstract"),
    [
        ("s2_paper.json", 20, 10),  # one /paper answer: the paper, 5 citations, 14 references
        # /paper/search?fields=title: 100 titles only, "Alan Turing: The Enigma" twice
        ("s2_search.json", 99, 99),
        ("s2_references.json", 50, 50),  # /paper/{id}/references: data[].citedPaper
    ],
)
def test_s2_real_answers_read_every_paper(name: str, n_papers: int, n_no_abstract: int) -> None:
    result = read_papers([REAL / name])
    assert (len(result.papers), result.n_no_abstract, result.skipped) == (
        n_papers,
        n_no_abstract,
        (),
    )


def test_s2_paper_fields_are_carried() -> None:
    papers = {p.id: p for p in read_papers([REAL / "s2_paper.json"]).papers}
    paper = papers["doi:10.1093/mind/lix.236.433"]
    assert (paper.title, paper.year, paper.date) == (
        "Computing Machinery and Intelligence",
        1950,
        "1950-10-01",
    )
    assert (paper.authors, paper.categories) == (("A. Turing",), ("Computer Science", "Sociology"))


def test_s2_arxiv_external_id_is_the_paper_id() -> None:
    ids = {p.id for p in read_papers([REAL / "s2_paper.json"]).papers}
    assert "2405.19561" in ids


def test_s2_reference_with_null_paper_id_is_kept() -> None:
    answer = json.loads((REAL / "s2_paper.json").read_text(encoding="utf-8"))
    nameless = [r["title"] for r in answer["references"] if r["paperId"] is None]
    titles = {p.title for p in read_papers([REAL / "s2_paper.json"]).papers}
    assert len(nameless) == 6
    assert set(nameless) <= titles


def test_s2_and_arxiv_feed_give_one_paper(tmp_path: Path) -> None:
    answer = {"data": [{"paperId": "x", "externalIds": {"ArXiv": "1706.03762", "CorpusId": 1}}]}
    answer["data"][0]["title"] = "Attention Is All You Need"
    path = tmp_path / "s2.json"
    path.write_text(json.dumps(answer), encoding="utf-8")
    result = read_papers([path, INPUTS / "arxiv_api_classic.xml"])
    merged = {p.id: p.sources for p in result.papers}["1706.03762"]
    assert merged == ("arxiv_api_classic.xml", "s2.json")


def test_s2_bad_item_is_skipped_and_the_others_kept() -> None:
    lines = ['{"total": 3, "data": [{"title": "A"}, 7, {"title": "B", "externalIds": 5}]}']
    out = list(read_semantic_scholar(lines, path="s.json"))
    assert [getattr(o, "title", None) for o in out] == ["A", None, None]
    assert "not an object" in out[1].reason  # type: ignore[union-attr]


def test_s2_broken_json_is_one_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "search.json"
    path.write_text('{"total": 1, "data": [{"paperId": "x", "title": "T"', encoding="utf-8")
    with pytest.raises(InputError, match=r"search\.json:1: bad JSON"):
        read_papers([path])


def test_openalex_envelope_reads_each_work() -> None:
    result = read_papers([INPUTS / "openalex_works.json"])
    assert sorted(p.id for p in result.papers) == [
        "1706.03762",  # the arXiv DOI 10.48550/arxiv.1706.03762
        "doi:10.7717/peerj.4375",
        "title:db894aedbbde55d2",
    ]
    assert result.n_no_abstract == 1  # abstract_inverted_index: null


def test_openalex_single_work_is_read() -> None:
    (paper,) = read_papers([INPUTS / "openalex_work.json"]).papers
    assert paper.abstract.startswith("Despite growing interest in Open Access (OA) to scholarly")
    assert (paper.authors, paper.date) == (("Heather Piwowar", "Jason Priem"), "2018-02-13")


def test_openalex_title_html_tags_are_dropped() -> None:
    titles = {p.title for p in read_papers([INPUTS / "openalex_works.json"]).papers}
    assert "Deep Residual Learning for Image Recognition" in titles


def test_openalex_abstract_is_rebuilt_in_position_order() -> None:
    assert rebuild_abstract({"b": [1, 3], "a": [0, 2]}) == "a b a b"


@pytest.mark.parametrize("index", [[1, 2], {"a": "0"}, {"a": [-1]}, {"a": [True]}])
def test_openalex_bad_inverted_index_skips_the_work(tmp_path: Path, index: object) -> None:
    works = {"results": [{"title": "Bad", "abstract_inverted_index": index}, {"title": "Good"}]}
    path = tmp_path / "works.json"
    path.write_text(json.dumps(works), encoding="utf-8")
    result = read_papers([path], fmt="openalex")
    assert ([p.title for p in result.papers], result.skipped[0].record) == (["Good"], 1)


def test_openalex_json_lines_are_read(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"https://openalex.org/W{n}", "title": f"T{n}"}) for n in (1, 2)]
    path = tmp_path / "part_000.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert sorted(p.title for p in read_papers([path]).papers) == ["T1", "T2"]


def test_hf_html_page_reads_the_listed_papers() -> None:
    papers = {p.id: p for p in read_papers([INPUTS / "hf_papers_page.html"]).papers}
    assert sorted(papers) == ["2211.17115", "2310.06816"]
    paper = papers["2310.06816"]
    assert (paper.authors, paper.year) == (("John X. Morris", "Volodymyr Kuleshov"), 2023)


def test_hf_html_and_the_api_json_give_the_same_papers() -> None:
    from_html = read_papers([INPUTS / "hf_papers_page.html"]).papers
    from_api = read_papers([INPUTS / "hf_daily_papers.json"]).papers
    assert [(p.id, p.title, p.abstract) for p in from_html] == [
        (p.id, p.title, p.abstract) for p in from_api
    ]


def test_html_without_a_papers_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blog.html"
    path.write_text("<!doctype html><html><body><h1>My notes</h1></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="without a Hugging Face papers list"):
        read_papers([path])


def test_journal_doi_record_joins_the_arxiv_preprint_of_the_same_title(tmp_path: Path) -> None:
    bib = tmp_path / "venue.bib"
    bib.write_text("@inproceedings{v, title={Attention is all you need}, doi={10.5555/3295222}}\n")
    result = read_papers([bib, INPUTS / "arxiv_api_classic.xml"])
    merged = {p.id: p.sources for p in result.papers}
    assert merged["1706.03762"] == ("arxiv_api_classic.xml", "venue.bib")
    assert not any(i.startswith("doi:10.5555") for i in merged)

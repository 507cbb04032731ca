"""RIS: real exports of Web of Science, EBSCO, SciELO and ProQuest, and a Zotero library."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.readers import read_papers
from kg.readers.ris import read_ris, split_records

INPUTS = Path(__file__).parent / "data" / "inputs"
REAL = INPUTS / "real"


@pytest.mark.parametrize(
    ("name", "n_papers", "n_duplicates"),
    [
        ("wos.ris", 2, 0),  # byte order mark, lone CR line breaks, N1 over several lines
        ("ebscohost.ris", 2, 0),  # CRLF, T1/N2/Y1 tags, "2019/06//" dates
        ("scielo.ris", 14, 1),  # 15 records, one DOI twice
        ("proquest.ris", 11, 0),  # a header before the first record
    ],
)
def test_ris_real_exports_read_every_record(name: str, n_papers: int, n_duplicates: int) -> None:
    result = read_papers([REAL / name])
    assert (len(result.papers), result.n_duplicates, result.skipped) == (
        n_papers,
        n_duplicates,
        (),
    )


def test_ris_wos_fields_are_carried() -> None:
    paper = read_papers([REAL / "wos.ris"]).papers[0]
    assert paper.id == "doi:10.1016/j.cose.2023.103170"
    assert (paper.year, paper.authors[0]) == (2023, "ID Sánchez-García")
    assert paper.abstract.startswith("Cybersecurity continues to be one of the principal issues")


def test_ris_zotero_arxiv_record_gets_the_arxiv_id_and_date() -> None:
    papers = {p.id: p for p in read_papers([INPUTS / "zotero.ris"]).papers}
    paper = papers["1706.03762"]
    assert (paper.date, paper.url) == ("2023-08-01", "http://arxiv.org/abs/1706.03762")
    assert paper.categories == (
        "Computer Science - Computation and Language",
        "Computer Science - Machine Learning",
    )


def test_ris_and_bibtex_of_one_library_are_one_paper_each() -> None:
    result = read_papers([INPUTS / "zotero.ris", INPUTS / "zotero.bib"])
    assert [p.sources for p in result.papers] == [("zotero.bib", "zotero.ris")] * 2
    assert result.n_duplicates == 2


def test_ris_text_outside_records_is_skipped() -> None:
    lines = ["Record #1 of 1\n", "Provider: X\n", "TY  - JOUR\n", "TI  - T\n", "ER  - \n", "\n"]
    (paper,) = read_ris(lines, path="e.ris")
    assert paper.title == "T"  # type: ignore[union-attr]


def test_ris_record_without_er_at_the_end_is_read() -> None:
    lines = ["TY  - JOUR\n", "TI  - First\n", "TY  - JOUR\n", "TI  - Second\n"]
    assert [p.title for p in read_ris(lines, path="e.ris")] == ["First", "Second"]  # type: ignore[union-attr]


def test_ris_record_lines_are_numbered_from_its_ty() -> None:
    lines = ["\n", "TY  - JOUR\n", "TI  - A\n", "ER  - \n", "TY  - JOUR\n", "ER  - \n"]
    assert [n for n, _ in split_records(lines)] == [2, 5]


def test_ris_record_without_title_or_abstract_is_skipped_and_the_next_kept() -> None:
    lines = ["TY  - JOUR\n", "AU  - X, Y\n", "ER  - \n", "TY  - JOUR\n", "TI  - T\n", "ER  - \n"]
    first, second = read_ris(lines, path="e.ris")
    assert "no title and no abstract" in first.reason  # type: ignore[union-attr]
    assert (first.line, second.title) == (1, "T")  # type: ignore[union-attr]

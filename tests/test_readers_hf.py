"""Hugging Face papers pages saved as text (hand-made small pages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import NoRecords
from kg.readers import read_papers
from kg.readers.hf_page import content_lines, read_hf_page

ABSTRACT_1 = "We study one thing at length. " * 12
ABSTRACT_2 = "We study another thing at length. " * 12
HEADER = [
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "byAK and the research community",
    "Mar 14",
]


def _page(tmp_path: Path, lines: list[str], name: str = "page.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _titles(path: Path) -> list[str]:
    return [p.title for p in read_papers([path]).papers]


@pytest.mark.parametrize("blank", [True, False])
def test_hf_reads_pairs_with_or_without_blank_lines(tmp_path: Path, blank: bool) -> None:
    lines = [*HEADER, "First Title", ABSTRACT_1, "Second Title", ABSTRACT_2]
    if blank:
        lines = [part for line in lines for part in (line, "")]
    assert sorted(_titles(_page(tmp_path, lines))) == ["First Title", "Second Title"]


def test_hf_pairs_title_with_its_abstract(tmp_path: Path) -> None:
    path = _page(tmp_path, [*HEADER, "First Title", ABSTRACT_1])
    (paper,) = read_papers([path]).papers
    assert paper.abstract == ABSTRACT_1.strip()
    assert paper.id.startswith("title:")
    assert paper.sources == ("page.txt",)


def test_hf_unglues_subscribe(tmp_path: Path) -> None:
    lines = [
        "Get trending papers in your email inbox once a day!",
        "Get trending papers in your email inbox!",
        "SubscribeMultiresolution Textual Inversion",
        ABSTRACT_1,
    ]
    assert _titles(_page(tmp_path, lines)) == ["Multiresolution Textual Inversion"]


@pytest.mark.parametrize("title", ["New", "Mar 14", "Subscriber Churn Models", "new"])
def test_hf_keeps_titles_that_look_like_chrome(tmp_path: Path, title: str) -> None:
    lines = [*HEADER, "First Title", ABSTRACT_1, title, ABSTRACT_2]
    assert title in _titles(_page(tmp_path, lines))


def test_hf_chrome_only_page_has_no_records(tmp_path: Path) -> None:
    with pytest.raises(NoRecords):
        read_papers([_page(tmp_path, HEADER)])


def test_hf_reports_last_title_without_abstract(tmp_path: Path) -> None:
    lines = [*HEADER, "First Title", ABSTRACT_1, "Dangling Title"]
    result = read_papers([_page(tmp_path, lines)])
    assert [p.title for p in result.papers] == ["First Title"]
    (skipped,) = result.skipped
    assert skipped.line == 8
    assert "without an abstract" in skipped.message()


def test_hf_skip_points_at_file_line_with_blank_lines(tmp_path: Path) -> None:
    lines = [
        "new",
        "",
        "Get trending papers in your email inbox!",
        "",
        "T1",
        "",
        ABSTRACT_1,
        "",
        "T2",
    ]
    (skipped,) = read_papers([_page(tmp_path, lines)]).skipped
    assert skipped.line == 9


def test_hf_title_missing_its_abstract_mid_page_keeps_the_next_pair(tmp_path: Path) -> None:
    lines = [*HEADER, "Lonely Title", "Second Title", ABSTRACT_2]
    papers = {p.title: p.abstract for p in read_papers([_page(tmp_path, lines)]).papers}
    assert papers == {"Lonely Title": "", "Second Title": ABSTRACT_2.strip()}


def test_hf_abstract_without_title_is_reported(tmp_path: Path) -> None:
    lines = [*HEADER, ABSTRACT_1, "Second Title", ABSTRACT_2]
    result = read_papers([_page(tmp_path, lines)])
    assert [p.title for p in result.papers] == ["Second Title"]
    assert "abstract without a title" in result.skipped[0].reason


def test_hf_repeated_header_mid_page_is_chrome(tmp_path: Path) -> None:
    lines = [*HEADER, "T1", ABSTRACT_1, *HEADER, "T2", ABSTRACT_2]
    assert sorted(_titles(_page(tmp_path, lines))) == ["T1", "T2"]


def test_hf_repeated_entries_merge(tmp_path: Path) -> None:
    lines = [*HEADER, "T1", ABSTRACT_1, "T1", ABSTRACT_1]
    result = read_papers([_page(tmp_path, lines)])
    assert len(result.papers) == 1
    assert result.n_duplicates == 1


def test_hf_content_lines_number_file_lines() -> None:
    assert content_lines(["new\n", "\n", "Mar 12\n", "Title\n"]) == [(4, "Title")]


def test_hf_invalid_utf8_skips_that_entry(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    body = "\n".join([*HEADER, "Caf\xe9 Title", ABSTRACT_1, "T2", ABSTRACT_2]) + "\n"
    path.write_bytes(body.encode("latin-1"))
    result = read_papers([path])
    assert [p.title for p in result.papers] == ["T2"]
    assert "0xE9" in result.skipped[0].reason


def test_read_hf_page_yields_from_plain_lines() -> None:
    out = list(read_hf_page(["Title\n", ABSTRACT_1 + "\n"], path="x.txt"))
    assert [type(o).__name__ for o in out] == ["Paper"]

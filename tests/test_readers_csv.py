"""CSV and TSV: generic files and the exports of Scopus, IEEE Xplore and Web of Science."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.readers import read_papers
from kg.readers.csv_reader import read_csv, sniff_delimiter

INPUTS = Path(__file__).parent / "data" / "inputs"


def _csv(tmp_path: Path, text: str, name: str = "p.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _papers(path: Path, **kwargs: object) -> dict[str, object]:
    return {p.id: p for p in read_papers([path], **kwargs).papers}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("scopus.csv", ["doi:10.1038/s41586-021-03819-2", "title:a8a212fa41efbf30"]),
        ("ieee_xplore.csv", ["doi:10.1109/cvpr.2016.90", "doi:10.1109/cvpr42600.2020.00975"]),
        (
            "savedrecs.txt",
            [
                "doi:10.1038/s41586-021-03819-2",
                "doi:10.1145/2939672.2939778",
                "title:c8211e83982e01da",
            ],
        ),
        ("semicolon.csv", ["a1", "a2"]),
    ],
)
def test_csv_exports_read_every_row(name: str, ids: list[str]) -> None:
    result = read_papers([INPUTS / name])
    assert sorted(p.id for p in result.papers) == ids
    assert result.skipped == ()


@pytest.mark.parametrize(
    ("name", "paper_id", "field", "expected"),
    [
        ("scopus.csv", "doi:10.1038/s41586-021-03819-2", "year", 2021),
        ("scopus.csv", "doi:10.1038/s41586-021-03819-2", "authors", ("Jumper J.", "Evans R.")),
        (
            "scopus.csv",
            "title:a8a212fa41efbf30",
            "categories",
            ("large language models", "privacy", "inference"),
        ),
        (
            "ieee_xplore.csv",
            "doi:10.1109/cvpr.2016.90",
            "title",
            "Deep Residual Learning for Image Recognition",
        ),
        ("ieee_xplore.csv", "doi:10.1109/cvpr.2016.90", "year", 2016),
        (
            "ieee_xplore.csv",
            "doi:10.1109/cvpr.2016.90",
            "url",
            "https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=7780459",
        ),
        (
            "savedrecs.txt",
            "doi:10.1145/2939672.2939778",
            "title",
            '"Why Should I Trust You?": Explaining the Predictions of Any Classifier',
        ),
        (
            "savedrecs.txt",
            "doi:10.1145/2939672.2939778",
            "authors",
            ("Ribeiro, MT", "Singh, S", "Guestrin, C"),
        ),
        ("savedrecs.txt", "doi:10.1145/2939672.2939778", "year", 2016),
        ("semicolon.csv", "a1", "title", "Scaling Laws; Revisited"),
        (
            "semicolon.csv",
            "a1",
            "abstract",
            "Loss falls as a power law, 0,5 per decade; see appendix.",
        ),
    ],
)
def test_csv_export_fields(name: str, paper_id: str, field: str, expected: object) -> None:
    assert getattr(_papers(INPUTS / name)[paper_id], field) == expected


def test_csv_scopus_embedded_newline_becomes_a_space() -> None:
    abstract = _papers(INPUTS / "scopus.csv")["title:a8a212fa41efbf30"].abstract  # type: ignore[attr-defined]
    assert "training data. We show" in abstract


@pytest.mark.parametrize("header", ["id,title,abstract", "ID,Title,Abstract", "Id,TITLE,abstract"])
def test_csv_header_names_ignore_case(tmp_path: Path, header: str) -> None:
    path = _csv(tmp_path, f"{header}\nx1,Some Title,Some abstract.\n")
    assert list(_papers(path)) == ["x1"]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_csv_line_endings_give_the_same_papers(tmp_path: Path, ending: str) -> None:
    text = 'id,title,abstract\nx1,T1,"Two\nlines"\nx2,T2,A2\n'.replace("\n", ending)
    papers = read_papers([_csv(tmp_path, text)]).papers
    assert [(p.id, p.abstract) for p in papers] == [("x1", "Two lines"), ("x2", "A2")]


def test_csv_bom_is_dropped_from_first_column(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,title\nx1,T\n", encoding="utf-8-sig")
    assert list(_papers(path)) == ["x1"]


def test_csv_missing_title_column_is_one_header_error(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,name,text\nx1,T,A\n")
    with pytest.raises(InputError) as caught:
        read_papers([path])
    message = str(caught.value)
    assert "no title column among the columns 'id', 'name', 'text'" in message
    assert "--columns title=" in message
    assert caught.value.line == 1


def test_csv_columns_option_names_the_title(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Name,Text\nMy Title,My abstract.\n")
    (paper,) = read_papers([path], columns={"title": "Name", "abstract": "Text"}).papers
    assert (paper.title, paper.abstract) == ("My Title", "My abstract.")


def test_csv_columns_option_naming_a_missing_column_fails(tmp_path: Path) -> None:
    path = _csv(tmp_path, "title,abstract\nT,A\n")
    with pytest.raises(InputError, match="no column 'Summary' for abstract"):
        read_papers([path], columns={"abstract": "Summary"})


def test_csv_duplicate_title_column_fails(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="column 'title' appears twice"):
        read_papers([_csv(tmp_path, "title,title\nA,B\n")])


def test_csv_ragged_row_is_skipped_with_its_line(tmp_path: Path) -> None:
    result = read_papers([_csv(tmp_path, "id,title,abstract\nx1,T1,A1\nx2,T2\nx3,T3,A3\n")])
    assert [p.id for p in result.papers] == ["x1", "x3"]
    (skipped,) = result.skipped
    assert (skipped.line, skipped.record) == (3, 2)
    assert "2 fields where the header has 3" in skipped.reason


def test_csv_unbalanced_quote_is_reported_and_later_rows_kept(tmp_path: Path) -> None:
    text = 'id,title,abstract\nx1,"Open quote,A1\nx2,T2,A2\nx3,T3,A3\n'
    result = read_papers([_csv(tmp_path, text)])
    assert [p.id for p in result.papers] == ["x2", "x3"]
    assert result.skipped[0].line == 2
    assert "quote opened here is not closed" in result.skipped[0].reason


def test_csv_field_above_default_limit_is_read(tmp_path: Path) -> None:
    path = _csv(tmp_path, f'title,abstract\nT,"{"x" * 200_000}"\n')
    (paper,) = read_papers([path]).papers
    assert len(paper.abstract) == 100_000


def test_csv_blank_rows_are_not_records(tmp_path: Path) -> None:
    result = read_papers([_csv(tmp_path, "\n\ntitle\n\nT1\n,\n\nT2\n")])
    assert sorted(p.title for p in result.papers) == ["T1", "T2"]
    assert result.skipped == ()


def test_csv_invalid_utf8_skips_the_row(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b"title,abstract\nT1,ok\nT2,caf\xe9\nT3,ok\n")
    result = read_papers([path])
    assert sorted(p.title for p in result.papers) == ["T1", "T3"]
    assert result.skipped[0].line == 3


def test_csv_header_only_has_no_records(tmp_path: Path) -> None:
    from kg.errors import NoRecords

    with pytest.raises(NoRecords):
        read_papers([_csv(tmp_path, "id,title,abstract\n")])


def test_csv_wos_export_in_utf16_is_read(tmp_path: Path) -> None:
    text = (INPUTS / "savedrecs.txt").read_text(encoding="utf-8-sig")
    path = _csv(tmp_path, text, name="savedrecs.txt", encoding="utf-16")
    assert len(read_papers([path]).papers) == 3


def test_tsv_reads_tabs(tmp_path: Path) -> None:
    path = _csv(tmp_path, "title\tabstract\nA, B\tC; D\n", name="p.tsv")
    (paper,) = read_papers([path]).papers
    assert (paper.title, paper.abstract) == ("A, B", "C; D")


@pytest.mark.parametrize(
    ("header", "expected"),
    [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ('"a,1";"b";"c"', ";")],
)
def test_sniff_delimiter_counts_outside_quotes(header: str, expected: str) -> None:
    assert sniff_delimiter(header) == expected


def test_read_csv_takes_plain_lines() -> None:
    out = list(read_csv(["title,abstract\n", "T,A\n"], path="x.csv"))
    assert [p.title for p in out] == ["T"]  # type: ignore[union-attr]


def test_csv_scopus_rows_with_one_field_more_than_the_header_are_read(tmp_path: Path) -> None:
    header, *rows = (INPUTS / "scopus.csv").read_text(encoding="utf-8-sig").splitlines()
    path = _csv(tmp_path, "\n".join([header, *(row + ',""' for row in rows)]) + "\n")
    assert len(read_papers([path]).papers) == len(read_papers([INPUTS / "scopus.csv"]).papers)


def test_csv_trailing_field_on_a_row_with_a_line_break_is_read(tmp_path: Path) -> None:
    result = read_papers([_csv(tmp_path, 'id,title,abstract\nx1,T1,"A\nB",extra\nx2,T2,A2\n')])
    assert [(p.id, p.abstract) for p in result.papers] == [("x1", "A B"), ("x2", "A2")]
    assert result.skipped == ()


def test_csv_short_row_with_every_named_column_is_read(tmp_path: Path) -> None:
    result = read_papers([_csv(tmp_path, "id,title,abstract,pages\nx1,T1,A1\n")])
    assert [p.id for p in result.papers] == ["x1"]


def test_csv_openalex_export_columns_are_known(tmp_path: Path) -> None:
    header = (
        '"id","abstract","authorships.author.display_name","display_name","doi","publication_date"'
    )
    row = '"https://openalex.org/W1","","A B|C D","T","https://doi.org/10.1016/J.JOI.2017.08.007","2017-09-12"'
    (paper,) = read_papers([_csv(tmp_path, f"{header}\n{row}\n")]).papers
    assert (paper.id, paper.title, paper.authors) == (
        "doi:10.1016/j.joi.2017.08.007",
        "T",
        ("A B", "C D"),
    )
    assert (paper.url, paper.date) == ("https://openalex.org/W1", "2017-09-12")

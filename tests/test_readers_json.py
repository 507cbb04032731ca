"""JSON Lines, JSON arrays and the arXiv metadata snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.readers import read_papers
from kg.readers.arxiv_snapshot import read_arxiv_snapshot
from kg.readers.jsonl import read_json, read_jsonl

INPUTS = Path(__file__).parent / "data" / "inputs"
GOOD = '{"id": "g1", "title": "Good Paper", "abstract": "Fine."}'


def _jsonl(tmp_path: Path, lines: list[str], name: str = "p.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _by_id(path: Path) -> dict[str, object]:
    return {p.id: p for p in read_papers([path]).papers}


def test_jsonl_fixture_reads_every_line() -> None:
    result = read_papers([INPUTS / "papers.jsonl"])
    assert result.per_file == ((str(INPUTS / "papers.jsonl"), 4),)
    assert result.skipped == ()


@pytest.mark.parametrize(
    ("paper_id", "field", "expected"),
    [
        ("2310.07298", "authors", ("Robin Staab", "Mark Vero")),
        ("1234", "authors", ("Alice Smith", "Bob Jones")),
        ("arXiv:1706.03762v7", "authors", ("Ashish Vaswani", "Noam Shazeer")),
        ("1234", "categories", ("cs.LG", "stat.ML")),
        ("2310.07298", "categories", ("cs.AI", "cs.CL")),
        ("1234", "date", "2021-05-04"),
        ("1234", "year", 2021),
        ("1234", "url", "https://example.org/papers/1234"),
        (
            "1234",
            "abstract",
            "We halve the steps of SGD with a 2× larger rate on the MNIST dataset.",
        ),
        ("arXiv:1706.03762v7", "year", 2017),
        ("p4", "year", 2020),
        ("p4", "abstract", ""),
    ],
)
def test_jsonl_fixture_fields(paper_id: str, field: str, expected: object) -> None:
    assert getattr(_by_id(INPUTS / "papers.jsonl")[paper_id], field) == expected


@pytest.mark.parametrize(
    ("record", "expected_id"),
    [
        ('{"id": 1234, "title": "T"}', "1234"),
        ('{"id": " x-1 ", "title": "T"}', "x-1"),
        ('{"ID": "upper", "title": "T"}', "upper"),
        ('{"paperId": "camel", "title": "T"}', "camel"),
        ('{"arxiv_id": "2310.07298v2", "title": "T"}', "2310.07298v2"),
        ('{"title": "T", "url": "https://arxiv.org/abs/2310.07298v2"}', "2310.07298"),
        ('{"title": "T", "doi": "10.1000/ABC"}', "doi:10.1000/abc"),
        ('{"id": "", "title": "T", "doi": "10.1000/ABC"}', "doi:10.1000/abc"),
    ],
)
def test_jsonl_id_is_the_id_column_exactly(tmp_path: Path, record: str, expected_id: str) -> None:
    (paper,) = read_papers([_jsonl(tmp_path, [record])]).papers
    assert paper.id == expected_id


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ('{"title": "T", "abstract": "A", "extra": ', "truncated JSON"),
        ("[1, 2]", "JSON list, not an object"),
        ('"just a string"', "JSON str, not an object"),
        ("3", "JSON int, not an object"),
        ("null", "JSON null, not an object"),
        ("[" * 100_000, "nested too deeply"),
        ('{"title": "T", "year": NaN}', "NaN is not valid JSON"),
        ('{"title": "T", "year": Infinity}', "Infinity is not valid JSON"),
        ('{"title": "T", "n": ' + "7" * 5000 + "}", "bad JSON value"),
        ('{"title": ["a", "list"]}', "field 'title' is list"),
        ('{"abstract": "  "}', "no title"),
        ('{"title": "   "}', "no title"),
        ('{"title": null}', "no title"),
        ('{"title": "T", "authors": 5}', "field 'authors' is int"),
    ],
    ids=lambda value: value[:30],
)
def test_jsonl_bad_line_is_skipped_with_its_line(tmp_path: Path, record: str, words: str) -> None:
    result = read_papers([_jsonl(tmp_path, [GOOD, record, GOOD.replace("g1", "g2")])])
    assert [p.id for p in result.papers] == ["g1", "g2"]
    (skipped,) = result.skipped
    assert (skipped.line, skipped.record) == (2, 2)
    assert words in skipped.reason


def test_jsonl_truncated_last_line_keeps_earlier_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(GOOD + '\n{"id": "g2", "title": "Cut', encoding="utf-8")
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["g1"]
    assert result.skipped[0].message().startswith(f"{path}:2 (record 2): truncated JSON")


def test_jsonl_strict_raises_at_first_bad_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"p\.jsonl:2 \(record 2\): a JSON list"):
        read_papers([_jsonl(tmp_path, [GOOD, "[1]"])], strict=True)


def test_jsonl_lone_surrogate_is_cleaned_at_read_time(tmp_path: Path) -> None:
    (paper,) = read_papers([_jsonl(tmp_path, ['{"title": "Bad \\ud800 char"}'])]).papers
    assert paper.title == "Bad char"
    paper.title.encode("utf-8")


@pytest.mark.parametrize("raw", ["\\u0000", "\\u000b", "\\u001b", "\\u200b", "\\u202e"])
def test_jsonl_controls_are_stripped(tmp_path: Path, raw: str) -> None:
    (paper,) = read_papers([_jsonl(tmp_path, [f'{{"title": "A{raw}B"}}'])]).papers
    assert paper.title in ("AB", "A B")


def test_jsonl_duplicate_keys_keep_the_last(tmp_path: Path) -> None:
    (paper,) = read_papers([_jsonl(tmp_path, ['{"title": "First", "title": "Last"}'])]).papers
    assert paper.title == "Last"


def test_jsonl_caps_huge_abstract(tmp_path: Path) -> None:
    record = json.dumps({"title": "T", "abstract": "word " * 2_100_000})
    (paper,) = read_papers([_jsonl(tmp_path, [record])]).papers
    assert len(paper.abstract) <= 100_000


def test_jsonl_blank_lines_are_not_records(tmp_path: Path) -> None:
    result = read_papers([_jsonl(tmp_path, ["", GOOD, "   ", ""])])
    assert result.per_file[0][1] == 1
    assert result.skipped == ()


def test_jsonl_invalid_utf8_skips_that_line(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    lines = [f'{{"id": "r{i}", "title": "T{i}"}}'.encode() for i in range(1000)]
    lines[499] = '{"id": "bad", "title": "Caf\xe9"}'.encode("latin-1")
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = read_papers([path])
    assert len(result.papers) == 999
    (skipped,) = result.skipped
    assert skipped.line == 500
    assert "invalid UTF-8 byte 0xE9" in skipped.reason


@pytest.mark.parametrize(
    ("record", "year", "date"),
    [
        ('{"title": "T", "year": 2019}', 2019, None),
        ('{"title": "T", "year": "2019"}', 2019, None),
        ('{"title": "T", "date": "2019-03-04"}', 2019, "2019-03-04"),
        ('{"title": "T", "published": "2019-03-04T10:00:00Z"}', 2019, "2019-03-04"),
        ('{"title": "T", "update_date": "2008-11-13"}', 2008, "2008-11-13"),
        ('{"title": "T", "year": 2020, "date": "2019-12-30"}', 2020, "2019-12-30"),
        ('{"title": "T", "year": "n.d."}', None, None),
        ('{"title": "T", "date": "2019-02-30"}', 2019, None),
    ],
)
def test_jsonl_year_and_date(
    tmp_path: Path, record: str, year: int | None, date: str | None
) -> None:
    (paper,) = read_papers([_jsonl(tmp_path, [record])]).papers
    assert (paper.year, paper.date) == (year, date)


def test_jsonl_columns_name_the_keys(tmp_path: Path) -> None:
    record = '{"Name": "Named Title", "Text": "Body."}'
    result = read_papers(
        [_jsonl(tmp_path, [record])], columns={"title": "Name", "abstract": "text"}
    )
    assert (result.papers[0].title, result.papers[0].abstract) == ("Named Title", "Body.")


def test_json_array_fixture_reads_all() -> None:
    result = read_papers([INPUTS / "papers.json"])
    assert sorted(p.id for p in result.papers) == ["W2896457183", "W2963403868", "W3001279689"]


def test_json_array_skip_names_the_element_line(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('[\n  {"title": "A"},\n  42,\n  {"title": "B"}\n]\n', encoding="utf-8")
    result = read_papers([path])
    assert sorted(p.title for p in result.papers) == ["A", "B"]
    assert (result.skipped[0].line, result.skipped[0].record) == (3, 2)


def test_json_array_broken_keeps_elements_before(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('[\n  {"title": "A"},\n  {"title": "B"\n', encoding="utf-8")
    result = read_papers([path])
    assert [p.title for p in result.papers] == ["A"]
    assert result.skipped[0].line == 3


def test_json_object_with_a_papers_list(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"papers": [{"title": "A"}, {"title": "B"}]}), encoding="utf-8")
    assert sorted(p.title for p in read_papers([path]).papers) == ["A", "B"]


def test_json_lines_saved_as_json(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, [GOOD, GOOD.replace("g1", "g2")], name="p.json")
    assert sorted(p.id for p in read_papers([path]).papers) == ["g1", "g2"]


def test_json_hf_daily_papers_reads_nested_paper() -> None:
    papers = {p.id: p for p in read_papers([INPUTS / "hf_daily_papers.json"]).papers}
    assert sorted(papers) == ["2211.17115", "2310.06816"]
    assert papers["2310.06816"].authors == ("John X. Morris", "Volodymyr Kuleshov")
    assert papers["2310.06816"].date == "2023-10-10"


def test_read_jsonl_and_read_json_take_plain_lines() -> None:
    assert [p.id for p in read_jsonl([GOOD], path="x")] == ["g1"]  # type: ignore[union-attr]
    assert [p.id for p in read_json(["[", GOOD, "]"], path="x")] == ["g1"]  # type: ignore[union-attr]


SNAPSHOT = INPUTS / "arxiv-metadata-oai-snapshot.json"


def test_snapshot_is_detected_and_read() -> None:
    result = read_papers([SNAPSHOT])
    assert [p.id for p in result.papers] == [
        "0704.0001",
        "2310.07298",
        "hep-th/9901001",
        "math/0309136",
    ]


@pytest.mark.parametrize(
    ("paper_id", "field", "expected"),
    [
        (
            "0704.0001",
            "title",
            "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies",
        ),
        ("0704.0001", "date", "2007-04-02"),
        ("0704.0001", "year", 2007),
        ("0704.0001", "authors", ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")),
        ("0704.0001", "url", "https://arxiv.org/abs/0704.0001"),
        ("2310.07298", "categories", ("cs.AI", "cs.CL", "cs.LG")),
        ("hep-th/9901001", "title", "Brane Dynamics and Gauge Theory"),
        ("math/0309136", "categories", ("math.GT", "math.DS")),
    ],
)
def test_snapshot_fields(paper_id: str, field: str, expected: object) -> None:
    papers = {p.id: p for p in read_papers([SNAPSHOT]).papers}
    assert getattr(papers[paper_id], field) == expected


def test_snapshot_abstract_loses_leading_spaces_and_breaks() -> None:
    papers = {p.id: p for p in read_papers([SNAPSHOT]).papers}
    assert papers["0704.0001"].abstract.startswith("A fully differential calculation in")
    assert "\n" not in papers["0704.0001"].abstract


def test_snapshot_numeric_id_is_refused() -> None:
    (skipped,) = list(read_arxiv_snapshot(['{"id": 704.0001, "title": "T"}'], path="s.json"))
    assert "keep arXiv ids as strings" in skipped.reason  # type: ignore[union-attr]

"""read_papers: format detection, encodings, gzip, file errors, strict mode and merging."""

from __future__ import annotations

import doctest
import gzip
import importlib
import json
import unicodedata
from pathlib import Path

import pytest

from kg.errors import InputError, NoRecords, UnknownFormat
from kg.readers import FORMATS, ReadResult, Skipped, detect_format, read_papers

INPUTS = Path(__file__).parent / "data" / "inputs"
ABSTRACT = "A long enough abstract for a page. " * 10
LINES = [
    '{"id": "a1", "title": "First Paper", "abstract": "One."}',
    '{"id": "a2", "title": "Second Paper", "abstract": "Two."}',
]


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _summary(result: ReadResult) -> list[tuple[str, str, str]]:
    return [(p.id, p.title, p.abstract) for p in result.papers]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("papers.jsonl", "jsonl"),
        ("papers.json", "json"),
        ("hf_daily_papers.json", "json"),
        ("arxiv-metadata-oai-snapshot.json", "arxiv"),
        ("scopus.csv", "csv"),
        ("semicolon.csv", "csv"),
        ("savedrecs.txt", "tsv"),
        ("arxiv_api_classic.xml", "atom"),
        ("zotero.bib", "bibtex"),
    ],
)
def test_detect_format_of_fixtures(name: str, fmt: str) -> None:
    path = INPUTS / name
    assert detect_format(path, path.read_text(encoding="utf-8-sig")[:65536]) == fmt


@pytest.mark.parametrize(
    ("name", "head", "fmt"),
    [
        ("page.txt", "new\nSubscribe\nTitle\n", "hf"),
        ("x.ndjson", '{"title": "T"}\n', "jsonl"),
        ("x.json", '[{"title": "T"}]', "json"),
        ("x.json", '{"title": "A"}\n{"title": "B"}\n', "jsonl"),
        ("x.tsv", "title\tabstract\n", "tsv"),
        ("x.atom", "<feed/>", "atom"),
        ("x.bibtex", "@misc{k,}", "bibtex"),
        ("x.jsonl.gz", '{"title": "T"}\n', "jsonl"),
        ("download", '<?xml version="1.0"?>\n<feed xmlns="x">', "atom"),
        ("export", "% JabRef\n@article{k, title={T}}", "bibtex"),
        ("data", '[{"title": "T"}]', "json"),
    ],
)
def test_detect_format_by_name_then_content(name: str, head: str, fmt: str) -> None:
    assert detect_format(Path(name), head) == fmt


@pytest.mark.parametrize(
    ("name", "head", "words"),
    [
        ("notes.docx", "plain words", "unknown extension '.docx'"),
        ("README", "plain words", "no file extension"),
        (
            "savedrecs.txt",
            "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n",
            "export it tab-delimited",
        ),
    ],
)
def test_detect_format_refuses_unknown(name: str, head: str, words: str) -> None:
    with pytest.raises(UnknownFormat, match=words):
        detect_format(Path(name), head)


def test_read_papers_format_option_overrides_detection(tmp_path: Path) -> None:
    path = _write(tmp_path, "dump.txt", "\n".join(LINES))
    assert [p.id for p in read_papers([path], fmt="jsonl").papers] == ["a1", "a2"]


def test_read_papers_unknown_format_option_fails(tmp_path: Path) -> None:
    with pytest.raises(UnknownFormat, match="no format 'yaml'"):
        read_papers([_write(tmp_path, "a.jsonl", LINES[0])], fmt="yaml")


def test_read_papers_formats_are_the_twelve() -> None:
    assert (
        *("hf", "hf-html", "jsonl", "json", "csv", "tsv", "atom", "arxiv", "bibtex", "ris"),
        *("s2", "openalex"),
    ) == FORMATS


def test_read_papers_unknown_columns_field_fails(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown field 'name'"):
        read_papers([_write(tmp_path, "a.jsonl", LINES[0])], columns={"name": "Title"})


def test_read_papers_missing_path_fails(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file; check the path"):
        read_papers([tmp_path / "nope.jsonl"])


def test_read_papers_folder_fails(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder; pass the files inside it"):
        read_papers([tmp_path])


@pytest.mark.parametrize("name", ["e.jsonl", "e.json", "e.csv", "e.txt", "e.bib", "e.tsv"])
@pytest.mark.parametrize("content", ["", "   \n\n\t\n"], ids=["empty", "whitespace"])
def test_read_papers_empty_file_has_no_records(tmp_path: Path, name: str, content: str) -> None:
    with pytest.raises(NoRecords, match="no records"):
        read_papers([_write(tmp_path, name, content)])


def test_read_papers_empty_xml_is_not_well_formed(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not well-formed XML"):
        read_papers([_write(tmp_path, "e.xml", "")])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.jsonl", "\n".join(LINES) + "\n"),
        ("a.csv", "id,title,abstract\na1,First Paper,One.\na2,Second Paper,Two.\n"),
        ("a.bib", "@misc{a1, title={First Paper}, abstract={One.}, doi={10.1/a1}}\n"),
        ("a.xml", (INPUTS / "arxiv_api_current.xml").read_text(encoding="utf-8")),
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_read_papers_bom_and_utf16_read_like_utf8(
    tmp_path: Path, name: str, text: str, encoding: str
) -> None:
    plain = read_papers([_write(tmp_path, name, text)])
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # with an explicit byte order mark
        data = "\ufeff".encode(encoding) + data
    other = read_papers([_write(tmp_path, "x" + name, data)])
    assert _summary(other) == _summary(plain)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.jsonl", "\n".join(LINES) + "\n"),
        ("a.txt", f"new\nMar 14\nTitle One\n{ABSTRACT}\nTitle Two\n{ABSTRACT}\n"),
        (
            "a.bib",
            "@misc{a,\n title = {Two\n  Lines},\n abstract = {x\n y}\n}\n@misc{b, title={B}}\n",
        ),
        ("a.csv", 'title,abstract\nT,"two\nlines"\nU,plain\n'),
    ],
)
@pytest.mark.parametrize("ending", ["\r\n", "\r", "mixed"])
def test_read_papers_line_endings_give_identical_papers(
    tmp_path: Path, name: str, text: str, ending: str
) -> None:
    plain = read_papers([_write(tmp_path, name, text)])
    if ending == "mixed":
        parts = text.split("\n")
        changed = "".join(p + ("\r\n", "\r", "\n")[i % 3] for i, p in enumerate(parts[:-1]))
    else:
        changed = text.replace("\n", ending)
    assert _summary(read_papers([_write(tmp_path, "x" + name, changed)])) == _summary(plain)


def test_read_papers_gzip_is_transparent(tmp_path: Path) -> None:
    for fixture in ("papers.jsonl", "zotero.bib", "arxiv_api_classic.xml", "scopus.csv"):
        plain = read_papers([INPUTS / fixture])
        packed = _write(tmp_path, fixture + ".gz", gzip.compress((INPUTS / fixture).read_bytes()))
        assert _summary(read_papers([packed])) == _summary(plain), fixture


def _many_lines(n: int) -> bytes:
    rows = (
        json.dumps({"id": f"r{i}", "title": f"Paper {i}", "abstract": "x" * 200}) for i in range(n)
    )
    return ("\n".join(rows) + "\n").encode()


def test_read_papers_truncated_gzip_keeps_records_before_the_cut(tmp_path: Path) -> None:
    packed = gzip.compress(_many_lines(5000))
    path = _write(tmp_path, "cut.jsonl.gz", packed[: len(packed) // 2])
    result = read_papers([path])
    assert 0 < len(result.papers) < 5000
    assert "truncated or corrupt" in result.skipped[-1].reason
    assert result.skipped[-1].message().startswith(f"{path}:")


def test_read_papers_corrupt_gzip_is_reported(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(_many_lines(200)))
    packed[len(packed) // 2 : len(packed) // 2 + 64] = b"\xff" * 64
    result = read_papers([_write(tmp_path, "bad.jsonl.gz", bytes(packed))])
    assert "truncated or corrupt" in result.skipped[-1].reason


def test_read_papers_strict_raises_on_truncated_gzip(tmp_path: Path) -> None:
    packed = gzip.compress(_many_lines(2000))
    with pytest.raises(InputError, match="truncated or corrupt"):
        read_papers([_write(tmp_path, "cut.jsonl.gz", packed[:-100])], strict=True)


def test_read_papers_gz_name_holding_plain_text_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "plain.jsonl.gz", "\n".join(LINES))
    assert [p.id for p in read_papers([path]).papers] == ["a1", "a2"]


def test_read_papers_line_over_cap_is_skipped_and_rest_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kg.readers.source.MAX_LINE_CHARS", 1000)
    huge = json.dumps({"id": "big", "title": "T", "abstract": "y" * 5000})
    result = read_papers([_write(tmp_path, "a.jsonl", "\n".join([LINES[0], huge, LINES[1]]))])
    assert [p.id for p in result.papers] == ["a1", "a2"]
    assert result.skipped[0].line == 2
    assert "line longer than 1,000 characters" in result.skipped[0].reason


def test_read_papers_gzip_bomb_line_is_stopped_by_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kg.readers.source.MAX_LINE_CHARS", 64 * 1024)
    bomb = gzip.compress(b"0" * 20_000_000 + b"\n" + LINES[0].encode() + b"\n")
    assert len(bomb) < 100_000
    result = read_papers([_write(tmp_path, "bomb.jsonl.gz", bomb)])
    assert [p.id for p in result.papers] == ["a1"]
    assert "line longer than" in result.skipped[0].reason


@pytest.mark.parametrize(
    ("name", "text"),
    [("a.json", "[" + ", ".join(['{"title": "T"}'] * 100) + "]"), ("a.xml", "<feed>" + " " * 5000)],
)
def test_read_papers_whole_file_formats_have_a_size_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str
) -> None:
    monkeypatch.setattr("kg.readers.source.MAX_DOCUMENT_CHARS", 1000)
    with pytest.raises(InputError, match="over 1,000 characters"):
        read_papers([_write(tmp_path, name, text)])


def test_read_papers_strict_raises_first_bad_record(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.jsonl", "\n".join([LINES[0], "oops", "[1]"]))
    with pytest.raises(InputError) as caught:
        read_papers([path], strict=True)
    assert (caught.value.line, caught.value.record) == (2, 2)
    assert "\n" not in str(caught.value)


def test_read_papers_default_keeps_going_and_lists_skips(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.jsonl", "\n".join([LINES[0], "oops", "[1]", LINES[1]]))
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["a1", "a2"]
    assert [s.line for s in result.skipped] == [2, 3]


def test_skipped_message_names_file_line_and_record() -> None:
    skipped = Skipped("a.jsonl", 12, 7, "truncated JSON at column 5; fix or remove the line")
    assert (
        skipped.message()
        == "a.jsonl:12 (record 7): truncated JSON at column 5; fix or remove the line"
    )


def test_skipped_to_error_splits_what_and_fix() -> None:
    error = Skipped("a.bib", None, 2, "no title; add a title").to_error()
    assert (error.what, error.fix, error.record, str(error)) == (
        "no title",
        "add a title",
        2,
        "a.bib (record 2): no title; add a title",
    )


def test_read_papers_per_file_in_input_order(tmp_path: Path) -> None:
    b = _write(tmp_path, "b.jsonl", LINES[1])
    a = _write(tmp_path, "a.jsonl", "\n".join(LINES))
    assert read_papers([b, a]).per_file == ((str(b), 1), (str(a), 2))


def test_read_papers_same_id_across_files_merges(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.jsonl", LINES[0])
    b = _write(tmp_path, "b.jsonl", LINES[0])
    result = read_papers([a, b])
    (paper,) = result.papers
    assert paper.sources == ("a.jsonl", "b.jsonl")
    assert result.n_duplicates == 1


def test_read_papers_sorts_papers_by_id(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.jsonl", "\n".join(reversed(LINES)))
    assert [p.id for p in read_papers([path]).papers] == ["a1", "a2"]


def test_read_papers_input_order_does_not_change_result(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.jsonl", '{"id": "x", "title": "Title A", "abstract": "Short."}')
    b = _write(
        tmp_path,
        "b.jsonl",
        '{"id": "x", "title": "Title B", "abstract": "Longer one.", "year": 2020}',
    )
    assert read_papers([a, b]).papers == read_papers([b, a]).papers


def test_read_papers_merge_keeps_longer_abstract_and_first_fields(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.jsonl", '{"id": "x", "title": "Title A", "abstract": "Short."}')
    b = _write(
        tmp_path,
        "b.jsonl",
        '{"id": "x", "title": "Title B", "abstract": "Longer one.", "year": 2020}',
    )
    (paper,) = read_papers([b, a]).papers
    assert (paper.title, paper.abstract, paper.year) == ("Title A", "Longer one.", 2020)


def test_read_papers_hf_title_joins_the_arxiv_paper(tmp_path: Path) -> None:
    page = _write(tmp_path, "page.txt", f"new\nMar 14\nAttention is all you need\n{ABSTRACT}\n")
    result = read_papers([page, INPUTS / "arxiv_api_classic.xml"])
    paper = next(p for p in result.papers if p.id == "1706.03762")
    assert paper.sources == ("arxiv_api_classic.xml", "page.txt")
    assert len(result.papers) == 3


def test_read_papers_nfc_and_nfd_titles_are_one_paper(tmp_path: Path) -> None:
    title = "Über Café Modelle"
    lines = [json.dumps({"title": unicodedata.normalize(form, title)}) for form in ("NFC", "NFD")]
    result = read_papers([_write(tmp_path, "a.jsonl", "\n".join(lines))])
    (paper,) = result.papers
    assert paper.title == unicodedata.normalize("NFC", title)


def test_read_papers_counts_papers_without_abstract(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.jsonl", '{"title": "A"}\n{"title": "B", "abstract": " "}\n')
    result = read_papers([path])
    assert (len(result.papers), result.n_no_abstract, result.skipped) == (2, 2, ())


def test_read_papers_mixes_formats(tmp_path: Path) -> None:
    files = [
        INPUTS / n
        for n in ("arxiv_api_classic.xml", "arxiv-metadata-oai-snapshot.json", "zotero.bib")
    ]
    result = read_papers(files)
    by_id = {p.id: p for p in result.papers}
    assert by_id["hep-th/9901001"].sources == (
        "arxiv-metadata-oai-snapshot.json",
        "arxiv_api_classic.xml",
    )
    assert by_id["1706.03762"].sources == ("arxiv_api_classic.xml", "zotero.bib")


@pytest.mark.parametrize(
    "module",
    [
        "kg.readers.record",
        "kg.readers.fields",
        "kg.readers.merge",
        "kg.readers.detect",
        "kg.readers.csv_reader",
        "kg.readers.bibtex",
    ],
)
def test_reader_doctests_pass(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0

"""BibTeX from Zotero, Better BibTeX, Mendeley, Web of Science, IEEE Xplore and Scopus."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import NoRecords
from kg.readers import read_papers
from kg.readers.bibtex import parse_entry, read_bibtex, split_names

INPUTS = Path(__file__).parent / "data" / "inputs"
GOOD = "@article{good,\n  title = {Good Entry},\n  abstract = {Fine.},\n}\n"


def _bib(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return path


def _papers(name: str) -> dict[str, object]:
    return {p.id: p for p in read_papers([INPUTS / name]).papers}


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("zotero.bib", ["1706.03762", "doi:10.18653/v1/n19-1423"]),
        ("better_bibtex.bib", ["2201.11903", "2203.02155"]),
        ("mendeley.bib", ["1512.03385"]),
        ("wos.bib", ["doi:10.1038/s41586-021-03819-2", "doi:10.1145/2939672.2939778"]),
        ("ieee_xplore.bib", ["doi:10.1109/cvpr42600.2020.00975", "doi:10.1109/tpami.2023.1234567"]),
        ("scopus.bib", ["title:a8a212fa41efbf30"]),
    ],
)
def test_bibtex_exports_read_every_entry(name: str, ids: list[str]) -> None:
    result = read_papers([INPUTS / name])
    assert sorted(p.id for p in result.papers) == ids
    assert result.skipped == ()


@pytest.mark.parametrize(
    ("name", "paper_id", "field", "expected"),
    [
        ("zotero.bib", "1706.03762", "title", "Attention Is All You Need"),
        (
            "zotero.bib",
            "1706.03762",
            "authors",
            ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit"),
        ),
        ("zotero.bib", "1706.03762", "year", 2023),
        (
            "zotero.bib",
            "doi:10.18653/v1/n19-1423",
            "title",
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        ),
        (
            "better_bibtex.bib",
            "2201.11903",
            "title",
            "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models",
        ),
        ("better_bibtex.bib", "2203.02155", "date", "2022-03-04"),
        ("mendeley.bib", "1512.03385", "title", "Deep residual learning for image recognition"),
        (
            "wos.bib",
            "doi:10.1038/s41586-021-03819-2",
            "title",
            "Highly accurate protein structure prediction with AlphaFold",
        ),
        ("wos.bib", "doi:10.1038/s41586-021-03819-2", "year", 2021),
        (
            "wos.bib",
            "doi:10.1145/2939672.2939778",
            "title",
            "“Why Should I Trust You?”: Explaining the Predictions of Any Classifier",
        ),
        (
            "ieee_xplore.bib",
            "doi:10.1109/tpami.2023.1234567",
            "title",
            "Über-Efficient Transformers: A 𝒪(n) Attention Survey",
        ),
        (
            "ieee_xplore.bib",
            "doi:10.1109/tpami.2023.1234567",
            "authors",
            ("Jörg Müller", "Anna Nowak"),
        ),
        (
            "ieee_xplore.bib",
            "doi:10.1109/cvpr42600.2020.00975",
            "categories",
            ("Task analysis", "Visualization", "Dictionaries", "Training", "Encoding"),
        ),
        (
            "scopus.bib",
            "title:a8a212fa41efbf30",
            "categories",
            ("large language models", "privacy"),
        ),
    ],
)
def test_bibtex_export_fields(name: str, paper_id: str, field: str, expected: object) -> None:
    assert getattr(_papers(name)[paper_id], field) == expected


@pytest.mark.parametrize(
    ("name", "paper_id", "fragment"),
    [
        ("zotero.bib", "doi:10.18653/v1/n19-1423", "80.5% (7.7% point absolute improvement)"),
        ("better_bibtex.bib", "2201.11903", "chain of thought – a series"),
        ("better_bibtex.bib", "2203.02155", "having 100× fewer parameters"),
        ("mendeley.bib", "1512.03385", "152 layers—8× deeper"),
        ("wos.bib", "doi:10.1038/s41586-021-03819-2", "structure can facilitate a mechanistic"),
        ("ieee_xplore.bib", "doi:10.1109/tpami.2023.1234567", "a 3× speed-up at 95% of"),
    ],
)
def test_bibtex_abstract_latex_is_rendered(name: str, paper_id: str, fragment: str) -> None:
    assert fragment in _papers(name)[paper_id].abstract  # type: ignore[attr-defined]


def test_bibtex_unclosed_brace_skips_that_entry_only(tmp_path: Path) -> None:
    text = (
        GOOD
        + "@article{broken,\n  title = {Never {closed},\n  year = 2020\n}\n"
        + GOOD.replace("good", "later")
    )
    result = read_papers([_bib(tmp_path, text)])
    assert len(result.papers) == 1  # the two good entries share a title
    assert result.n_duplicates == 1
    (skipped,) = result.skipped
    assert skipped.line == 5
    assert "braces are not closed" in skipped.reason


def test_bibtex_unclosed_last_entry_is_reported(tmp_path: Path) -> None:
    result = read_papers([_bib(tmp_path, GOOD + "@misc{cut,\n  title = {Cut")])
    assert [s.line for s in result.skipped] == [5]


def test_bibtex_strings_months_and_concatenation(tmp_path: Path) -> None:
    text = '@String{conf = "Proc. of ACL"}\n@misc{k, title = "Joined " # conf, month = mar, year = 2021}\n'
    (paper,) = read_papers([_bib(tmp_path, text)]).papers
    assert (paper.title, paper.year) == ("Joined Proc. of ACL", 2021)


def test_bibtex_comments_and_preamble_are_not_records(tmp_path: Path) -> None:
    text = (
        '% exported by JabRef\n@preamble{"\\newcommand{\\noop}[1]{}"}\n'
        "@comment{jabref-meta: databaseType:bibtex;}\n" + GOOD
    )
    result = read_papers([_bib(tmp_path, text)])
    assert result.per_file[0][1] == 1
    assert result.skipped == ()


def test_bibtex_garbage_only_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NoRecords):
        read_papers([_bib(tmp_path, "this is not bibtex\n{at all}\n")])


def test_bibtex_entry_without_title_is_skipped(tmp_path: Path) -> None:
    result = read_papers([_bib(tmp_path, "@misc{k, year = 2020}\n" + GOOD)])
    assert "no title" in result.skipped[0].reason


def test_bibtex_missing_equals_is_skipped(tmp_path: Path) -> None:
    result = read_papers([_bib(tmp_path, "@misc{k, title {T}}\n" + GOOD)])
    assert [p.title for p in result.papers] == ["Good Entry"]
    assert "expected '='" in result.skipped[0].reason


def test_bibtex_duplicate_field_keeps_the_first(tmp_path: Path) -> None:
    (paper,) = read_papers([_bib(tmp_path, "@misc{k, title = {First}, title = {Second}}\n")]).papers
    assert paper.title == "First"


def test_bibtex_duplicate_keys_read_both_entries(tmp_path: Path) -> None:
    text = "@misc{same, title = {One}}\n@misc{same, title = {Two}}\n"
    assert sorted(p.title for p in read_papers([_bib(tmp_path, text)]).papers) == ["One", "Two"]


def test_bibtex_entry_without_key_is_read(tmp_path: Path) -> None:
    (paper,) = read_papers([_bib(tmp_path, "@misc{title = {No Key}}\n")]).papers
    assert paper.title == "No Key"


def test_bibtex_two_entries_on_one_line(tmp_path: Path) -> None:
    text = "@misc{a, title = {One}} @misc{b, title = {Two}}\n"
    assert sorted(p.title for p in read_papers([_bib(tmp_path, text)]).papers) == ["One", "Two"]


def test_bibtex_parenthesised_entry_is_read(tmp_path: Path) -> None:
    (paper,) = read_papers([_bib(tmp_path, '@misc(k, title = "In (Parens)")\n')]).papers
    assert paper.title == "In (Parens)"


def test_bibtex_upper_case_type_and_fields(tmp_path: Path) -> None:
    (paper,) = read_papers([_bib(tmp_path, "@ARTICLE{K, TITLE = {Loud}, YEAR = {1999}}\n")]).papers
    assert (paper.title, paper.year) == ("Loud", 1999)


@pytest.mark.parametrize(
    ("fields", "expected_id"),
    [
        ("eprint = {2201.11903}, archiveprefix = {arXiv}", "2201.11903"),
        ("eprint = {2201.11903}, eprinttype = {arxiv}", "2201.11903"),
        ("arxivid = {1512.03385}", "1512.03385"),
        ("journal = {arXiv:1706.03762 [cs]}", "1706.03762"),
        ("note = {arXiv: 1706.03762v2}", "1706.03762"),
        ("url = {https://arxiv.org/abs/hep-th/9901001v1}", "hep-th/9901001"),
        ("doi = {10.48550/ARXIV.2206.07697}", "2206.07697"),
        ("eprint = {12345}, eprinttype = {pubmed}, doi = {10.1000/X}", "doi:10.1000/x"),
    ],
)
def test_bibtex_ids_come_from_eprint_note_url_or_doi(
    tmp_path: Path, fields: str, expected_id: str
) -> None:
    (paper,) = read_papers([_bib(tmp_path, f"@misc{{k, title = {{T}}, {fields}}}\n")]).papers
    assert paper.id == expected_id


def test_bibtex_invalid_utf8_skips_that_entry(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(b"@misc{a, title = {Caf\xe9}}\n" + GOOD.encode())
    result = read_papers([path])
    assert [p.title for p in result.papers] == ["Good Entry"]
    assert result.skipped[0].line == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Vaswani, Ashish and Shazeer, Noam", ["Ashish Vaswani", "Noam Shazeer"]),
        ("Ashish Vaswani AND Noam Shazeer", ["Ashish Vaswani", "Noam Shazeer"]),
        ("{Barnes and Noble} and Smith, J.", ["{Barnes and Noble}", "J. Smith"]),
        ("Kov{\\'a}cs, D{\\'a}vid", ["D{\\'a}vid Kov{\\'a}cs"]),
        ("", []),
    ],
)
def test_split_names(value: str, expected: list[str]) -> None:
    assert split_names(value) == expected


def test_parse_entry_keeps_key_with_spaces() -> None:
    entry = parse_entry("@article{ WOS:000123,\nTitle = {{X}}}", 7, {})
    assert entry is not None
    assert (entry.kind, entry.key, entry.fields, entry.line) == (
        "article",
        "WOS:000123",
        {"title": "{X}"},
        7,
    )


def test_read_bibtex_takes_plain_lines() -> None:
    assert [p.title for p in read_bibtex(GOOD.splitlines(keepends=True), path="x")] == [
        "Good Entry"
    ]  # type: ignore[union-attr]


REAL = INPUTS / "real"


@pytest.mark.parametrize(
    ("name", "n_papers", "n_no_abstract"),
    [
        ("scopus_funding.bib", 7, 0),  # funding_text<NBSP>1 = {…}, funding_details repeated
        ("scopus_comma_key.bib", 1, 1),  # @ARTICLE{Kenny20103,17,
        ("scopus_no_abstracts.bib", 60, 60),
        ("scopus_2026.bib", 1, 0),
    ],
)
def test_bibtex_real_scopus_exports_lose_no_paper(
    name: str, n_papers: int, n_no_abstract: int
) -> None:
    result = read_papers([REAL / name])
    assert (len(result.papers), result.n_no_abstract, result.skipped) == (
        n_papers,
        n_no_abstract,
        (),
    )


def test_bibtex_field_name_is_whatever_stands_before_the_equals() -> None:
    text = "@article{k,\n funding_text 1 = {F}, title = {T}, abstract={A},\n funding_text 1={G}}\n"
    (paper,) = read_bibtex(text.splitlines(keepends=True), path="s.bib")
    assert (paper.title, paper.abstract) == ("T", "A")  # type: ignore[union-attr]

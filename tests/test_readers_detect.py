"""Every format is told by its content as well as its extension; a file that is not what its
extension says is refused with a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.errors import NoRecords, UnknownFormat
from kg.readers import detect_format, read_papers
from kg.readers.source import TextSource

INPUTS = Path(__file__).parent / "data" / "inputs"
REAL = INPUTS / "real"


@pytest.mark.parametrize(
    ("fixture", "fmt"),
    [
        (REAL / "wos.ris", "ris"),
        (INPUTS / "zotero.ris", "ris"),
        (REAL / "s2_paper.json", "s2"),
        (REAL / "s2_search.json", "s2"),
        (REAL / "s2_references.json", "s2"),
        (INPUTS / "openalex_works.json", "openalex"),
        (INPUTS / "openalex_work.json", "openalex"),
        (INPUTS / "hf_papers_page.html", "hf-html"),
        (REAL / "scopus_funding.bib", "bibtex"),
    ],
)
@pytest.mark.parametrize("name", ["export", "export.dat"])
def test_detect_tells_the_format_without_its_extension(
    tmp_path: Path, fixture: Path, fmt: str, name: str
) -> None:
    path = tmp_path / name
    shutil.copyfile(fixture, path)
    assert detect_format(path, TextSource(path).head()) == fmt


@pytest.mark.parametrize(
    ("fixture", "fmt"),
    [
        (REAL / "wos.ris", "ris"),  # Web of Science and PubMed save exports as .txt
        (REAL / "scopus_2026.bib", "bibtex"),
        (REAL / "s2_search.json", "s2"),
    ],
)
def test_detect_reads_content_of_a_txt_file(tmp_path: Path, fixture: Path, fmt: str) -> None:
    path = tmp_path / "savedrecs.txt"
    shutil.copyfile(fixture, path)
    assert detect_format(path, TextSource(path).head()) == fmt


def test_detect_generic_json_with_a_paper_id_key_stays_json() -> None:
    head = '[{"paperId": "p1", "title": "T", "abstract": "A"}]'
    assert detect_format(Path("mine.json"), head) == "json"


def test_notes_saved_as_txt_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Buy milk\nCall Anna about the grant\nRead the LoRA paper\n", encoding="utf-8")
    with pytest.raises(UnknownFormat, match=r"notes\.txt: cannot tell the format: no line"):
        read_papers([path])


def test_ris_file_holding_no_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.ris"
    path.write_text("Record #1 of 0\n", encoding="utf-8")
    with pytest.raises(NoRecords, match="no records"):
        read_papers([path])

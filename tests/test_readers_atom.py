"""arXiv API Atom feeds: the older and the current layout, errors and hostile XML."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from kg.errors import InputError, NoRecords
from kg.readers import read_papers
from kg.readers.atom import read_atom

INPUTS = Path(__file__).parent / "data" / "inputs"
ENTRY = """<entry><id>http://arxiv.org/abs/2310.07298v1</id><title>T</title>
<summary>S</summary></entry>"""


def _feed(tmp_path: Path, body: str, head: str = "") -> Path:
    path = tmp_path / "feed.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n{head}'
        f'<feed xmlns="http://www.w3.org/2005/Atom">\n{body}\n</feed>\n',
        encoding="utf-8",
    )
    return path


def _papers(name: str) -> dict[str, object]:
    return {p.id: p for p in read_papers([INPUTS / name]).papers}


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("arxiv_api_classic.xml", ["1706.03762", "2310.07298", "hep-th/9901001"]),
        ("arxiv_api_current.xml", ["2211.17115", "2310.06816"]),
    ],
)
def test_atom_both_layouts_give_bare_arxiv_ids(name: str, ids: list[str]) -> None:
    assert sorted(_papers(name)) == ids


@pytest.mark.parametrize(
    ("name", "paper_id", "field", "expected"),
    [
        (
            "arxiv_api_classic.xml",
            "2310.07298",
            "title",
            "Beyond Memorization: Violating Privacy Via Inference with Large Language Models",
        ),
        ("arxiv_api_classic.xml", "2310.07298", "date", "2023-10-11"),
        ("arxiv_api_classic.xml", "1706.03762", "date", "2017-06-12"),
        ("arxiv_api_classic.xml", "1706.03762", "year", 2017),
        ("arxiv_api_classic.xml", "2310.07298", "authors", ("Robin Staab", "Mark Vero")),
        ("arxiv_api_classic.xml", "2310.07298", "categories", ("cs.AI", "cs.CL", "cs.LG")),
        ("arxiv_api_classic.xml", "2310.07298", "url", "http://arxiv.org/abs/2310.07298v1"),
        (
            "arxiv_api_current.xml",
            "2310.06816",
            "authors",
            ("John X. Morris", "Volodymyr Kuleshov"),
        ),
        ("arxiv_api_current.xml", "2211.17115", "categories", ("cs.CV", "cs.LG")),
        ("arxiv_api_current.xml", "2211.17115", "url", "https://arxiv.org/abs/2211.17115v1"),
    ],
)
def test_atom_fields(name: str, paper_id: str, field: str, expected: object) -> None:
    assert getattr(_papers(name)[paper_id], field) == expected


def test_atom_summary_latex_is_rendered() -> None:
    abstract = _papers("arxiv_api_classic.xml")["2310.07298"].abstract  # type: ignore[attr-defined]
    assert "85% top-1" in abstract
    assert "(100×)" in abstract


def test_atom_error_entry_is_reported() -> None:
    result = read_papers([INPUTS / "arxiv_api_error.xml"])
    assert result.papers == ()
    (skipped,) = result.skipped
    assert skipped.line == 10
    assert "incorrect id format for 1234.12345" in skipped.reason


def test_atom_empty_feed_has_no_records() -> None:
    with pytest.raises(NoRecords):
        read_papers([INPUTS / "arxiv_api_empty.xml"])


def test_atom_entry_lines_point_at_the_file() -> None:
    lines = (INPUTS / "arxiv_api_classic.xml").read_text().splitlines()
    bad = "\n".join(lines).replace("<title>Attention Is All You Need</title>", "<title> </title>")
    bad = re.sub(r"<summary>  The dominant.*?</summary>", "<summary/>", bad, flags=re.DOTALL)
    out = list(read_atom(bad.splitlines(keepends=True), path="x.xml"))
    (skipped,) = [o for o in out if not hasattr(o, "id")]
    assert lines[skipped.line - 1].strip() == "<entry>"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("<entry><title>Cut", "3: not well-formed XML (no element found) at column 1"),
        ("<entry><title>T</titel></entry>", "2: not well-formed XML (mismatched tag) at column 18"),
        ("<entry><title>T & S</title></entry>", "2: not well-formed XML (not well-formed"),
    ],
)
def test_atom_not_well_formed_gives_line_and_column(tmp_path: Path, body: str, where: str) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(f'<feed xmlns="http://www.w3.org/2005/Atom">\n{body}\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_papers([path])
    assert str(caught.value).startswith(f"{path}:{where}")


BOMB = """<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>
"""
XXE = '<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
EXTERNAL_DTD = '<!DOCTYPE feed SYSTEM "http://example.org/evil.dtd">\n'


@pytest.mark.parametrize(
    ("head", "entity"),
    [(BOMB, "&lol3;"), (XXE, "&xxe;"), (EXTERNAL_DTD, "")],
    ids=["billion-laughs", "xxe", "external-dtd"],
)
def test_atom_refuses_dtds_and_entities(tmp_path: Path, head: str, entity: str) -> None:
    path = _feed(tmp_path, f"<entry><id>x</id><title>T{entity}</title></entry>", head=head)
    started = time.perf_counter()
    with pytest.raises(InputError, match="refused XML"):
        read_papers([path])
    assert time.perf_counter() - started < 1


def test_atom_wrong_namespace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(f"<feed>{ENTRY}</feed>", encoding="utf-8")
    with pytest.raises(InputError, match="not an Atom feed"):
        read_papers([path])


def test_atom_rss_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text("<rss version='2.0'><channel><item><title>T</title></item></channel></rss>")
    with pytest.raises(InputError, match="not an Atom feed"):
        read_papers([path])


def test_atom_entry_without_id_falls_back_to_title(tmp_path: Path) -> None:
    (paper,) = read_papers([_feed(tmp_path, "<entry><title>Only A Title</title></entry>")]).papers
    assert paper.id.startswith("title:")


def test_atom_entry_without_title_or_summary_is_skipped(tmp_path: Path) -> None:
    result = read_papers([_feed(tmp_path, f"<entry><title> </title></entry>{ENTRY}")])
    assert [p.id for p in result.papers] == ["2310.07298"]
    assert "no title and no abstract" in result.skipped[0].reason


def test_atom_entry_with_a_summary_and_no_title_is_kept(tmp_path: Path) -> None:
    result = read_papers(
        [_feed(tmp_path, f"<entry><summary>Only an abstract.</summary></entry>{ENTRY}")]
    )
    assert sorted(p.abstract for p in result.papers)[0] == "Only an abstract."
    assert not result.skipped


def test_atom_utf16_feed_is_read(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    text = f'<?xml version="1.0" encoding="UTF-16"?><feed xmlns="http://www.w3.org/2005/Atom">{ENTRY}</feed>'
    path.write_bytes(text.encode("utf-16"))
    assert [p.id for p in read_papers([path]).papers] == ["2310.07298"]


def test_atom_invalid_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(
        b'<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><title>caf\xe9</title></entry>\n</feed>'
    )
    with pytest.raises(InputError, match=r"feed\.xml:2: invalid UTF-8 byte 0xE9"):
        read_papers([path])

"""Read RIS (``TY  - JOUR`` … ``ER  -``): the export of Zotero, EndNote, Mendeley, Web of Science,
Scopus, PubMed, EBSCO, ProQuest and SciELO.

Records are split here, so that each keeps the line it starts on and a bad record does not
stop the next; rispy maps each record's tags (TI/T1, AB/N2, AU/A1, PY/Y1, DA, DO, UR, KW, N1)
to names. Text outside records (EndNote's and ProQuest's headers, blank lines) is skipped; a
record whose ``ER`` is missing at the end of the file, or before the next ``TY``, is still read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from kg.ids import find_arxiv_id
from kg.model import Paper
from kg.readers.fields import FieldError
from kg.readers.record import Skipped, bad_bytes, make_paper

MAX_RECORD_LINES = 100_000
_TITLE_KEYS = ("title", "primary_title", "translated_title", "short_title")
_DATE_KEYS = ("date", "publication_year")


def is_tag_line(line: str, tag: str) -> bool:
    """Tell whether `line` opens the RIS tag `tag` ("TY  - JOUR").

    Example:
        >>> is_tag_line("TY  - JOUR\\n", "TY"), is_tag_line("ER  -\\n", "ER"), is_tag_line("TYPE", "TY")
        (True, True, False)
    """
    return line.startswith(tag) and line[2:5] == "  -"


def split_records(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """Yield (line of its TY, lines) of each record; text outside records is dropped.

    Example:
        >>> text = ["Provider: X\\n", "TY  - JOUR\\n", "TI  - A\\n", "ER  - \\n", "TY  - JOUR\\n"]
        >>> [(n, len(r)) for n, r in split_records(text)]
        [(2, 2), (5, 1)]
    """
    start, record = 0, list[str]()
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n").lstrip("\ufeff")
        if is_tag_line(text, "TY"):
            if record:
                yield start, record
            start, record = number, [text]
        elif record and is_tag_line(text, "ER"):
            yield start, record
            record = []
        elif record:
            if len(record) >= MAX_RECORD_LINES:
                yield start, record
                record = []
            else:
                record.append(text)
    if record:
        yield start, record


def parse_record(lines: list[str]) -> dict[str, Any]:
    """Map one record's tags to rispy's names; raise FieldError if rispy cannot read it."""
    from rispy.parser import ParseError, RisParser

    try:
        parsed = RisParser().parse_lines(iter([*lines, "ER  - "]))
    except (ParseError, KeyError, IndexError, TypeError, ValueError) as err:
        raise FieldError(f"rispy cannot read the record ({err}); check its tags") from err
    if len(parsed) != 1:
        raise FieldError("not one RIS record; start each with 'TY  - ' and end it with 'ER  - '")
    record: dict[str, Any] = parsed[0]
    return record


def _first(record: dict[str, Any], keys: Iterable[str]) -> Any:
    return next((record[k] for k in keys if record.get(k)), None)


def _text(value: Any) -> str:
    """Join a value that RIS may repeat (AB, N1) into one text."""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def first_last(name: str) -> str:
    """Turn RIS's "Last, First" into "First Last".

    Example:
        >>> first_last("Vaswani, Ashish"), first_last("Higuera-Cetina Carlos Iván")
        ('Ashish Vaswani', 'Higuera-Cetina Carlos Iván')
    """
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}" if comma and "," not in first else name


def paper_from_record(record: dict[str, Any], *, path: str) -> Paper:
    """Build a Paper from one rispy record; raise FieldError if it cannot be used."""
    urls = [u for u in record.get("urls") or [] if isinstance(u, str)]
    notes = _text(record.get("notes"))
    authors = [*(record.get("authors") or []), *(record.get("first_authors") or [])]
    values = {
        "title": _text(_first(record, _TITLE_KEYS)),
        "abstract": _text(record.get("abstract")),
        "authors": [first_last(a) for a in authors if isinstance(a, str)],
        "year": _text(record.get("year") or record.get("publication_year"))[:4] or None,
        "date": _text(_first(record, _DATE_KEYS)).replace("/", "-").strip("-") or None,
        "url": urls[0] if urls else None,
        "categories": [k for k in record.get("keywords") or [] if isinstance(k, str)],
        "doi": _text(record.get("doi")) or None,
    }
    free_text = " ".join((notes, _text(record.get("journal_name")), _text(record.get("id"))))
    return make_paper(values, path=path, keep_id=False, refs=[*urls, find_arxiv_id(free_text)])


def read_ris(lines: Iterable[str], *, path: str) -> Iterator[Paper | Skipped]:
    """Yield a Paper per RIS record, and a Skipped for a record that cannot be read."""
    for n, (line, record_lines) in enumerate(split_records(lines), start=1):
        problem = next((p for p in map(bad_bytes, record_lines) if p), None)
        if problem:
            yield Skipped(path, line, n, problem)
            continue
        try:
            yield paper_from_record(parse_record(record_lines), path=path)
        except FieldError as err:
            yield Skipped(path, line, n, str(err))

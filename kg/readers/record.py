"""What the readers share: Skipped, field names and their synonyms, and mapping -> Paper."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from kg.errors import InputError
from kg.ids import make_paper_id, title_id
from kg.model import Paper
from kg.readers.fields import (
    FieldError,
    as_text,
    parse_authors,
    parse_categories,
    parse_date,
    parse_year,
)
from kg.readers.latex import clean_latex
from kg.text import strip_invisible

log = logging.getLogger(__name__)

FIELDS = ("id", "title", "abstract", "authors", "year", "date", "url", "categories", "doi")
# Keys as written by our users' tools, compared after _normal_key(); best first.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "arxiv id", "arxivid", "paper id", "paperid"),
    "title": ("title", "document title", "article title", "paper title", "ti", "display name"),
    "abstract": ("abstract", "summary", "abstract note", "abstracttext", "ab"),
    "authors": (
        "authors",
        "author",
        "author full names",
        "au",
        "af",
        "authorships author display name",  # OpenAlex's CSV export
    ),
    "year": ("year", "publication year", "py", "pubyear"),
    "date": (
        "date",
        "published",
        "publication date",
        "published at",
        "published date",
        "update date",
    ),
    "url": ("url", "link", "abs url", "pdf link", "pdf url"),
    "categories": ("categories", "category", "keywords", "author keywords", "de"),
    "doi": ("doi", "di"),
}
MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 100_000  # far above any real abstract, ten times below spaCy's limit
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_KEY_SEPARATORS = re.compile(r"[\s_\-.]+")
_BAD_BYTE = re.compile("[\udc80-\udcff]")
_URL = re.compile(r"https?://", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record that was not read, and why: `reason` reads "what is wrong; what to do"."""

    path: str
    line: int | None
    record: int | None
    reason: str

    def message(self) -> str:
        """Return ``FILE:LINE (record N): what is wrong; what to do``.

        Example:
            >>> Skipped("a.jsonl", 3, 2, "no title; add one").message()
            'a.jsonl:3 (record 2): no title; add one'
        """
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.record is not None:
            where += f" (record {self.record})"
        return f"{where}: {self.reason}"

    def to_error(self) -> InputError:
        """Return the InputError that --strict raises for this record."""
        what, _, fix = self.reason.partition("; ")
        return InputError(
            self.path, what, fix or "fix the record", line=self.line, record=self.record
        )


def source_name(path: str) -> str:
    """Return the file name that goes into Paper.sources."""
    return PurePath(path).name


def bad_bytes(text: str) -> str | None:
    """Describe the first byte that was not UTF-8 (decoded as a surrogate escape), if any.

    Example:
        >>> bad_bytes("caf\\udce9"), bad_bytes("café")
        ('invalid UTF-8 byte 0xE9 at column 4; re-save the file as UTF-8', None)
    """
    match = _BAD_BYTE.search(text)
    if match is None:
        return None
    byte = ord(match.group()) - 0xDC00
    return (
        f"invalid UTF-8 byte 0x{byte:02X} at column {match.start() + 1}; re-save the file as UTF-8"
    )


def _normal_key(key: str) -> str:
    return _KEY_SEPARATORS.sub(" ", _CAMEL.sub(" ", key).casefold()).strip()


@lru_cache(maxsize=256)
def _resolve(keys: tuple[str, ...], columns: tuple[tuple[str, str], ...]) -> dict[str, str]:
    by_normal: dict[str, str] = {}
    for key in keys:
        by_normal.setdefault(_normal_key(key), key)
    chosen: dict[str, str] = {}
    wanted = dict(columns)
    for field in FIELDS:
        if field in wanted:
            name = wanted[field]
            found = name if name in keys else by_normal.get(_normal_key(name))
        else:
            found = next((by_normal[s] for s in SYNONYMS[field] if s in by_normal), None)
        if found is not None:
            chosen[field] = found
    return chosen


def resolve_keys(keys: Iterable[str], columns: Mapping[str, str] | None) -> dict[str, str]:
    """Map our field names to the keys present, by --columns first, then by synonyms.

    Example:
        >>> resolve_keys(["Document Title", "Abstract", "Publication Year"], None)
        {'title': 'Document Title', 'abstract': 'Abstract', 'year': 'Publication Year'}
        >>> resolve_keys(["TI", "Name"], {"title": "name"})
        {'title': 'Name'}
    """
    return _resolve(tuple(keys), tuple(sorted((columns or {}).items())))


def check_columns(columns: Mapping[str, str] | None) -> None:
    """Raise InputError for a --columns entry that names no field of ours."""
    for field in columns or {}:
        if field not in FIELDS:
            raise InputError(
                "--columns", f"unknown field {field!r}", f"use some of {', '.join(FIELDS)}"
            )


def _clean_capped(value: object, field: str, cap: int, *, latex: bool) -> str:
    raw = as_text(value, field)
    if len(raw) > cap:
        log.warning("%s of %d characters cut to %d", field, len(raw), cap)
        raw = raw[: 2 * cap]  # cleaning only shortens text; do not clean what is cut anyway
    return clean_latex(raw, always=latex)[:cap].rstrip()


def make_paper(
    values: Mapping[str, object],
    *,
    path: str,
    keep_id: bool = True,
    refs: Iterable[str | None] = (),
    latex: bool = False,
) -> Paper:
    """Build a Paper from our field names; raise FieldError (a 'what; fix' message) if unusable.

    A record needs a title or an abstract: one with an abstract and no title is kept (there
    are abstract-only corpora) under its ids, or ``abstract:`` and a hash of the abstract.

    Args:
        keep_id: use a non-empty "id" value exactly as given (JSON, CSV); else derive it.
        refs: more values that may hold an arXiv id (eprint fields), after id and url.
        latex: the format writes LaTeX (BibTeX, arXiv): render it, braces and ties too.
            Otherwise LaTeX is rendered only where a command or a formula shows it is there.
    """
    title = _clean_capped(values.get("title"), "title", MAX_TITLE_CHARS, latex=latex)
    abstract = _clean_capped(values.get("abstract"), "abstract", MAX_ABSTRACT_CHARS, latex=latex)
    if not title and not abstract:
        raise FieldError("no title and no abstract; add them or drop the record")
    raw_id = strip_invisible(as_text(values.get("id"), "id")).strip()
    url = strip_invisible(as_text(values.get("url"), "url")).strip() or None
    doi = strip_invisible(as_text(values.get("doi"), "doi")).strip() or None
    if _URL.match(raw_id):  # a URL (OpenAlex's id column) is a link, not a key
        url = url or raw_id
        keep_id = False
    if not (keep_id and raw_id):
        raw_id = make_paper_id(title, refs=(raw_id, url, *refs), doi=doi)
        if not title and raw_id.startswith("title:"):
            raw_id = "abstract:" + title_id(abstract).removeprefix("title:")
    year = parse_year(values.get("year"))
    date_year, date = parse_date(values.get("date"))
    return Paper(
        id=raw_id,
        title=title,
        abstract=abstract,
        year=year or date_year,
        date=date,
        url=url,
        authors=parse_authors(values.get("authors")),
        categories=parse_categories(values.get("categories")),
        sources=(source_name(path),),
    )

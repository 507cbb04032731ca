"""Read BibTeX as exported by Zotero, Better BibTeX, Mendeley, Web of Science, IEEE Xplore, Scopus.

A small parser of our own rather than bibtexparser: every entry keeps the line it starts on,
an entry whose braces never close is reported and reading goes on at the next line that
opens an entry, and a file without any entry is an error instead of an empty result.
Handles @string macros and ``#`` joins, month macros, @comment/@preamble, text between
entries (Scopus and Mendeley headers, ``%`` comments), upper-case types and field names,
``{{…}}`` values (Web of Science) and ``@ARTICLE{ WOS:…,`` keys with spaces.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kg.ids import find_arxiv_id
from kg.model import Paper
from kg.readers.fields import FieldError
from kg.readers.latex import clean_latex
from kg.readers.record import Skipped, bad_bytes, make_paper

log = logging.getLogger(__name__)

MAX_ENTRY_CHARS = 32 * 1024 * 1024
MONTHS = {
    m[:3].lower(): m
    for m in (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    )
}  # fmt: skip
_ENTRY_START = re.compile(r"\s*@\s*([A-Za-z][\w-]*)\s*([{(])")
_NAME = re.compile(r"\s*([^\s=,{}()\"#]+)\s*")
_FIELD_NAME = re.compile(r"\s*([^\s=,{}()\"#][^=,{}()\"#\n]*?)\s*=")
_KEY = re.compile(r"[^,=]*,")
_KEY_PIECE = re.compile(r"[^,={}]*,")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_SKIPPED_TYPES = frozenset({"comment", "preamble"})
READ_FIELDS = frozenset(
    {"title", "abstract", "author", "year", "date", "url", "doi", "eprint", "keywords"}
)


class BibError(ValueError):
    """An entry cannot be parsed; the message is 'what; fix'."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One parsed BibTeX entry: lower-case type and field names, raw field values."""

    kind: str
    key: str
    fields: dict[str, str]
    line: int


def split_entries(lines: Iterable[str]) -> Iterator[tuple[int, str] | Skipped]:
    """Yield (first line, text) of each @-block; an unclosed one yields a Skipped (path '').

    Example:
        >>> list(split_entries(["% note\\n", "@a{x, t={1}} @b{y,\\n", "t={2}}\\n"]))
        [(2, '@a{x, t={1}}'), (2, '@b{y,\\nt={2}}')]
    """
    start = size = depth = 0
    buffer: list[str] = []
    paren = quoted = False
    for number, line in enumerate(lines, start=1):
        rest = line
        while rest:
            opening = _ENTRY_START.match(rest)
            if buffer and opening:  # a line that opens an entry ends an unclosed one
                yield Skipped("", start, None, "its braces are not closed; close them")
                buffer = []
            if not buffer:
                if not opening:
                    break  # text between entries is a comment in BibTeX
                start, size, depth, quoted = number, 0, 0, False
                paren = opening.group(2) == "("
            depth, quoted, end = _scan(rest, depth, quoted, paren=paren)
            piece, rest = (rest, "") if end is None else (rest[:end], rest[end:])
            buffer.append(piece)
            size += len(piece)
            if end is not None:
                yield start, "".join(buffer)
                buffer = []
                at = rest.find("@")  # another entry may follow on the same line
                rest = rest[at:] if at >= 0 else ""
            elif size > MAX_ENTRY_CHARS:
                yield Skipped("", start, None, "entry larger than 32 MB; split or shorten it")
                buffer = []
    if buffer:
        yield Skipped(
            "", start, None, "its braces are not closed at the end of the file; close them"
        )


def _scan(text: str, depth: int, quoted: bool, *, paren: bool) -> tuple[int, bool, int | None]:
    """Return depth and quote state after `text`, and where the entry closes in it, if it does.

    BibTeX counts braces even after a backslash, and so do we. In an @type(…) entry a ")"
    inside a quoted value does not close the entry.
    """
    for i, ch in enumerate(text):
        if ch == "{" or (paren and ch == "(" and depth == 0):
            depth += 1
        elif ch == "}" or (paren and ch == ")" and depth == 1 and not quoted):
            depth -= 1
            if depth <= 0:
                return 0, False, i + 1
        elif paren and ch == '"' and depth == 1:
            quoted = not quoted
    return depth, quoted, None


class _Cursor:
    """Reads one entry's text left to right."""

    def __init__(self, text: str, macros: dict[str, str]) -> None:
        self.text, self.pos, self.macros = text, 0, macros

    def skip(self, chars: str = " \t\r\n") -> None:
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise BibError(f"expected a field name near {self._near()!r}; check commas and '='")
        self.pos = match.end()
        return match.group(1)

    def field_name(self) -> str:
        """Read a field name and its '=': whatever stands before the '=' (Scopus writes
        ``funding_text 1``), lower case, inner spaces made single."""
        match = _FIELD_NAME.match(self.text, self.pos)
        if not match:
            word = self.name()
            raise BibError(f"expected '=' after {word!r}; check the entry's commas and braces")
        self.pos = match.end()
        return " ".join(match.group(1).lower().split())

    def value(self) -> str:
        parts = [self._part()]
        self.skip()
        while self.peek() == "#":
            self.pos += 1
            self.skip()
            parts.append(self._part())
            self.skip()
        return "".join(parts)

    def _part(self) -> str:
        first = self.peek()
        if first == "{":
            return self._until_balanced("{", "}")
        if first == '"':
            return self._until_balanced('"', '"')
        word = self.name()
        return self.macros.get(word.lower(), word)

    def _until_balanced(self, opening: str, closing: str) -> str:
        """Return the text inside {…} or "…" (inner braces kept) and move past it."""
        text, start = self.text, self.pos + 1
        depth, i = 0, start
        while i < len(text):
            ch = text[i]
            if ch == "\\" and text[i + 1 : i + 2] == '"':
                i += 2  # \" is an umlaut, not the end of a quoted value
                continue
            if depth == 0 and ch == closing:
                self.pos = i + 1
                return text[start:i]
            if ch == "{":
                depth += 1
            elif ch == "}":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        raise BibError(f"a {opening}…{closing} value is not closed; close it")

    def _near(self) -> str:
        return self.text[self.pos : self.pos + 20]


def parse_entry(text: str, line: int, macros: dict[str, str]) -> Entry | None:
    """Parse one @-block; @string adds to `macros`; @comment and @preamble give None."""
    start = _ENTRY_START.match(text)
    if start is None:
        raise BibError("not an entry; start it with @type{")
    kind = start.group(1).lower()
    if kind in _SKIPPED_TYPES:
        return None
    cursor = _Cursor(text, macros)
    cursor.pos = start.end()
    closing = "}" if start.group(2) == "{" else ")"
    key = ""
    head = _KEY.match(text, cursor.pos) if kind != "string" else None
    while head:  # the key runs to a comma, unless an '=' comes first (no key); Scopus
        key += head.group()  # writes keys with commas (Kenny20103,17), so a piece with no
        cursor.pos = head.end()  # '=' after the comma still belongs to the key
        head = _KEY_PIECE.match(text, cursor.pos)
    key = key[:-1].strip()
    fields: dict[str, str] = {}
    while True:
        cursor.skip(" \t\r\n,")
        if cursor.peek() in (closing, ""):
            break
        name = cursor.field_name()
        cursor.skip()
        value = cursor.value()
        if kind == "string":
            macros[name] = value
        elif name not in fields:
            fields[name] = value
        elif name in READ_FIELDS:  # Scopus repeats funding_details; that is no news
            log.warning("line %d: field %r given twice; the first is used", line, name)
    return None if kind == "string" else Entry(kind, key, fields, line)


def split_names(value: str) -> list[str]:
    """Split a BibTeX author list on 'and' outside braces; turn 'Last, First' to 'First Last'.

    Example:
        >>> split_names("Vaswani, Ashish and {Google DeepMind} and Noam Shazeer")
        ['Ashish Vaswani', '{Google DeepMind}', 'Noam Shazeer']
    """
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", value, flags=re.IGNORECASE):
        token = match.group()
        if token in "{}":
            depth += 1 if token == "{" else -1
        elif depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    out = []
    for name in names:
        last, comma, first = name.partition(",")
        out.append(f"{first.strip()} {last.strip()}" if comma and "," not in first else name)
    return [n.strip() for n in out if n.strip()]


def _plain(value: str | None) -> str | None:
    """Drop the braces around identifiers such as {{10.1007/x}} or {2021}."""
    return value.replace("{", "").replace("}", "").strip() if value else None


def _unmendeley(value: str | None) -> str | None:
    """Undo Mendeley's escapes: it writes $ as {\\$} and a backslash as $\\backslash$."""
    if value is None:
        return None
    return value.replace("$\\backslash$", "\\").replace("{\\$}", "$")


def paper_from_entry(entry: Entry, *, path: str) -> Paper:
    """Build a Paper from a BibTeX entry; raise FieldError if it cannot be used."""
    f = entry.fields
    prefix = (_plain(f.get("archiveprefix") or f.get("eprinttype")) or "arxiv").lower()
    eprint = _plain(f.get("eprint")) if prefix == "arxiv" else None
    free_text = " ".join(f.get(k, "") for k in ("note", "journal", "number", "howpublished"))
    keywords = _plain(f.get("keywords") or f.get("author_keywords")) or ""
    primary = _plain(f.get("primaryclass") or f.get("eprintclass"))
    values = {
        "title": _unmendeley(f.get("title")),
        "abstract": _unmendeley(f.get("abstract")),
        "authors": [clean_latex(n, always=True) for n in split_names(f.get("author", ""))],
        "year": _plain(f.get("year")),
        "date": _plain(f.get("date")),
        "url": _plain(f.get("url")),
        "categories": [primary, *re.split(r"[;,]", keywords)] if primary else keywords,
        "doi": _plain(f.get("doi")),
    }
    refs = [eprint, _plain(f.get("arxivid")), find_arxiv_id(free_text)]
    return make_paper(values, path=path, keep_id=False, refs=refs, latex=True)


def read_bibtex(lines: Iterable[str], *, path: str) -> Iterator[Paper | Skipped]:
    """Yield a Paper per entry with a title, and a Skipped for each entry that cannot be read."""
    macros = dict(MONTHS)
    keys: set[str] = set()
    n_records = 0
    for block in split_entries(lines):
        n_records += 1
        if isinstance(block, Skipped):
            yield Skipped(path, block.line, n_records, block.reason)
            continue
        line, text = block
        problem = bad_bytes(text)
        try:
            if problem:
                raise BibError(problem)
            entry = parse_entry(text, line, macros)
            if entry is None:
                n_records -= 1
                continue
            if entry.key and entry.key in keys:
                log.warning(
                    "%s:%d: key %r used twice; both entries are read", path, line, entry.key
                )
            keys.add(entry.key)
            yield paper_from_entry(entry, path=path)
        except (BibError, FieldError) as err:
            yield Skipped(path, line, n_records, str(err))

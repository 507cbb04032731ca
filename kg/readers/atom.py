"""Read arXiv API Atom feeds saved to a file, in both layouts arXiv has served.

The older feed declares the arxiv and opensearch namespaces on each element, uses
``<id>http://arxiv.org/abs/2310.07298v1</id>`` and a ``<link title="doi">``; the current one
declares them on <feed>, may use https ids, writes ``<arxiv:doi>`` and a doi.org link
without a title, and its <author> elements can lack the Atom namespace. Elements are
therefore matched by local name under an Atom <feed>. DTDs and entities are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

from kg.errors import InputError
from kg.model import Paper
from kg.readers.fields import FieldError
from kg.readers.record import Skipped, bad_bytes, make_paper
from kg.readers.source import join_lines

ATOM_NS = "http://www.w3.org/2005/Atom"
_BAD_BYTE = re.compile("[\udc80-\udcff]")
_ERROR_ID = "/api/errors"


class _LineBuilder(TreeBuilder):
    """A TreeBuilder that notes the line on which each <entry> starts."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: Any = None
        self.entry_lines: list[int] = []

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        if _local(tag) == "entry":
            self.entry_lines.append(self.parser.parser.CurrentLineNumber)
        return super().start(tag, attrs)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _text(element: Element, name: str) -> str | None:
    found = _children(element, name)
    return "".join(found[0].itertext()) if found else None


def parse_feed(text: str, *, path: str) -> tuple[Element, list[int]]:
    """Parse a feed; raise InputError for bad XML, DTDs/entities or a root that is not Atom."""
    problem = bad_bytes(text)
    if problem:
        line = text.count("\n", 0, _BAD_BYTE.search(text).start())  # type: ignore[union-attr]
        what, _, fix = problem.partition("; ")
        raise InputError(path, what, fix, line=line + 1)
    builder = _LineBuilder()
    parser = safe_xml.DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except DefusedXmlException as err:
        raise InputError(
            path, f"refused XML: {err}", "remove the <!DOCTYPE> or entity declarations"
        ) from err
    except ParseError as err:
        line, column = err.position
        what = f"not well-formed XML ({str(err).partition(':')[0]}) at column {column + 1}"
        raise InputError(path, what, "save the whole feed again", line=line) from err
    if root.tag != f"{{{ATOM_NS}}}feed":
        raise InputError(
            path,
            f"root element is {root.tag!r}, not an Atom feed",
            f"give an arXiv API feed (namespace {ATOM_NS}) or pass --format",
        )
    return root, builder.entry_lines


def paper_from_entry(entry: Element, *, path: str) -> Paper:
    """Build a Paper from one <entry>; raise FieldError if it cannot be used."""
    links = _children(entry, "link")
    alternate = next((e.get("href") for e in links if e.get("rel") in (None, "alternate")), None)
    doi_link = next(
        (
            e.get("href")
            for e in links
            if e.get("title") == "doi" or "doi.org/" in e.get("href", "")
        ),
        None,
    )
    names = [_text(author, "name") or "" for author in _children(entry, "author")]
    categories = [e.get("term", "") for e in _children(entry, "primary_category")]
    categories += [e.get("term", "") for e in _children(entry, "category")]
    values = {
        "id": _text(entry, "id"),
        "title": _text(entry, "title"),
        "abstract": _text(entry, "summary"),
        "authors": names,
        "date": _text(entry, "published") or _text(entry, "updated"),
        "url": alternate,
        "categories": categories,
        "doi": _text(entry, "doi") or doi_link,
    }
    return make_paper(values, path=path, keep_id=False, latex=True)


def read_atom(lines: Iterable[str], *, path: str) -> Iterator[Paper | Skipped]:
    """Yield a Paper per feed entry; an arXiv error entry becomes a Skipped."""
    text = join_lines(lines, path, what="a feed", fix="split it into several files")
    root, entry_lines = parse_feed(text, path=path)
    for n, (entry, line) in enumerate(zip(_children(root, "entry"), entry_lines, strict=False), 1):
        entry_id = _text(entry, "id") or ""
        if _ERROR_ID in entry_id:
            message = " ".join((_text(entry, "summary") or "unknown error").split())
            reason = f"the arXiv API answered with an error: {message!r}; fix the query and save the feed again"
            yield Skipped(path, line, n, reason)
            continue
        try:
            yield paper_from_entry(entry, path=path)
        except FieldError as err:
            yield Skipped(path, line, n, str(err))

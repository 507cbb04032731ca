"""Read Semantic Scholar Graph API answers saved as JSON.

Shapes: the ``/paper/search`` envelope (``total``, ``offset``, ``next``, ``data[]``), a
``/paper/batch`` list, one ``/paper/{id}`` object, ``/paper/{id}/citations`` or ``/references``
(``data[].citingPaper`` / ``data[].citedPaper``), and JSON Lines of papers (the datasets API).
A paper's nested ``citations[]`` and ``references[]`` (bare papers or ``{"citingPaper": …}``)
are papers too, read after it. Ids come from ``externalIds`` (``ArXiv``, then ``DOI``;
``CorpusId`` is a number and unused); ``paperId`` and ``abstract`` may be null.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from kg.model import Paper
from kg.readers.fields import FieldError
from kg.readers.json_api import iter_objects
from kg.readers.record import Skipped, make_paper

LIST_KEYS = ("data",)
_WRAPPERS = ("citingPaper", "citedPaper")
_NESTED = ("citations", "references")


def _unwrap(item: dict[str, Any]) -> dict[str, Any]:
    for key in _WRAPPERS:
        inner = item.get(key)
        if isinstance(inner, dict):
            return inner
    return item


def flatten(item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield a paper object and then the papers nested in its citations and references.

    Example:
        >>> item = {"title": "A", "citations": [{"citingPaper": {"title": "B"}}],
        ...         "references": [{"title": "C"}, None]}
        >>> [p.get("title") for p in flatten(item)]
        ['A', 'B', 'C']
    """
    paper = _unwrap(item)
    yield paper
    for key in _NESTED:
        nested = paper.get(key)
        if isinstance(nested, list):
            yield from (_unwrap(n) for n in nested if isinstance(n, dict))


def _names(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [a["name"] for a in value if isinstance(a, dict) and isinstance(a.get("name"), str)]


def paper_from_object(obj: dict[str, Any], *, path: str) -> Paper:
    """Build a Paper from one Semantic Scholar paper object; raise FieldError if unusable."""
    external = obj.get("externalIds") or {}
    if not isinstance(external, dict):
        raise FieldError(f"externalIds is {type(external).__name__}; give an object")
    fields = obj.get("fieldsOfStudy")
    values = {
        "title": obj.get("title"),
        "abstract": obj.get("abstract"),
        "authors": _names(obj.get("authors")),
        "year": obj.get("year"),
        "date": obj.get("publicationDate"),
        "url": obj.get("url"),
        "categories": fields if isinstance(fields, list) else None,
        "doi": external.get("DOI"),
    }
    arxiv = external.get("ArXiv")
    refs = [arxiv if isinstance(arxiv, str) else None]
    return make_paper(values, path=path, keep_id=False, refs=refs)


def read_semantic_scholar(lines: Iterable[str], *, path: str) -> Iterator[Paper | Skipped]:
    """Yield a Paper per paper object (nested ones too), a Skipped for each unusable one."""
    n_records = 0
    for item in iter_objects(lines, path=path, list_keys=LIST_KEYS):
        if isinstance(item, Skipped):
            n_records += 1
            yield item
            continue
        line = item[0]
        for obj in flatten(item[2]):
            n_records += 1
            try:
                yield paper_from_object(obj, path=path)
            except FieldError as err:
                yield Skipped(path, line, n_records, str(err))

"""Read OpenAlex works saved as JSON: the ``/works`` envelope (``meta``, ``results[]``), one
work, a list of works, or JSON Lines of works (the snapshot's ``works`` files).

The abstract exists only as ``abstract_inverted_index`` (word -> positions), rebuilt here into
text; it is null for many works (a title-only record). Ids are URLs: the DOI
(``https://doi.org/…``, an arXiv DOI gives the arXiv id) and landing pages of the work's
locations (``https://arxiv.org/abs/…``). Titles may hold HTML tags (``<i>in vivo</i>``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Any

from kg.model import Paper
from kg.readers.fields import FieldError
from kg.readers.json_api import iter_objects
from kg.readers.record import Skipped, make_paper

LIST_KEYS = ("results",)
MAX_ABSTRACT_WORDS = 100_000
_TAG = re.compile(r"</?(?:i|b|em|strong|sub|sup|scp|span|p|br)\b[^>]*>", re.IGNORECASE)


def rebuild_abstract(index: object) -> str:
    """Return the text of an inverted index: each word at each of its positions, in order.

    Example:
        >>> rebuild_abstract({"Despite": [0], "growing": [1], "interest": [2], "in": [3, 5], "OA": [4]})
        'Despite growing interest in OA in'
        >>> rebuild_abstract(None)
        ''
    """
    if index is None:
        return ""
    if not isinstance(index, dict):
        raise FieldError(f"abstract_inverted_index is {type(index).__name__}; give an object")
    placed: list[tuple[int, str]] = []
    for word, positions in index.items():
        if not isinstance(positions, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in positions
        ):
            raise FieldError(f"positions of {word!r} in abstract_inverted_index are not numbers")
        placed.extend((position, word) for position in positions)
        if len(placed) > MAX_ABSTRACT_WORDS:
            raise FieldError("abstract_inverted_index holds over 100,000 words; check the work")
    return " ".join(word for _, word in sorted(placed))


def _untag(value: object) -> object:
    return html.unescape(_TAG.sub("", value)) if isinstance(value, str) else value


def _urls(work: dict[str, Any]) -> list[str]:
    locations = work.get("locations")
    places = [work.get("primary_location"), work.get("best_oa_location")]
    places += locations if isinstance(locations, list) else []
    urls = []
    for place in places:
        if isinstance(place, dict):
            urls += [
                u for k in ("landing_page_url", "pdf_url") if isinstance(u := place.get(k), str)
            ]
    return urls


def _names(items: object, *path: str) -> list[str]:
    names = []
    for item in items if isinstance(items, list) else []:
        for key in path:
            item = item.get(key) if isinstance(item, dict) else None
        if isinstance(item, str):
            names.append(item)
    return names


def paper_from_work(work: dict[str, Any], *, path: str) -> Paper:
    """Build a Paper from one OpenAlex work; raise FieldError if it cannot be used."""
    ids = work.get("ids")
    doi = work.get("doi") or (ids.get("doi") if isinstance(ids, dict) else None)
    urls = _urls(work)
    keywords = _names(work.get("keywords"), "display_name") or _names(
        work.get("concepts"), "display_name"
    )
    values = {
        "title": _untag(work.get("title") or work.get("display_name")),
        "abstract": rebuild_abstract(work.get("abstract_inverted_index")),
        "authors": _names(work.get("authorships"), "author", "display_name"),
        "year": work.get("publication_year"),
        "date": work.get("publication_date"),
        "url": doi if isinstance(doi, str) else (urls[0] if urls else work.get("id")),
        "categories": keywords,
        "doi": doi,
    }
    return make_paper(values, path=path, keep_id=False, refs=urls)


def read_openalex(lines: Iterable[str], *, path: str) -> Iterator[Paper | Skipped]:
    """Yield a Paper per work, and a Skipped for each work that cannot be used."""
    for item in iter_objects(lines, path=path, list_keys=LIST_KEYS):
        if isinstance(item, Skipped):
            yield item
            continue
        line, n, work = item
        try:
            yield paper_from_work(work, path=path)
        except FieldError as err:
            yield Skipped(path, line, n, str(err))

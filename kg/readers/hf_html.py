"""Read a Hugging Face papers page saved as HTML (huggingface.co/papers, a date, week or month).

The page carries its list as JSON in a ``data-props`` attribute (``<div class="SVELTE_HYDRATER"
data-target="DailyPapers" data-props="{&quot;dailyPapers&quot;: […]}">``); each item holds
``paper`` with ``id`` (the arXiv id), ``title``, ``summary``, ``publishedAt`` and
``authors[].name``, which the JSON reader already knows (the daily-papers API gives the same
items). A single paper's page holds ``{"paper": {…}}``. HTML without such a list is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import Any

from kg.errors import InputError
from kg.model import Paper
from kg.readers.fields import FieldError
from kg.readers.jsonl import paper_from_object
from kg.readers.record import Skipped, bad_bytes
from kg.readers.source import join_lines

LIST_KEYS = ("dailyPapers", "papers", "searchResults")


class _PropsParser(HTMLParser):
    """Collects every ``data-props`` attribute, with the line of its element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.props: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "data-props" and value:
                self.props.append((self.getpos()[0], value))


def _items(props: Any) -> list[Any]:
    if not isinstance(props, dict):
        return []
    listed: list[Any] | None = next(
        (props[k] for k in LIST_KEYS if isinstance(props.get(k), list)), None
    )
    if listed is not None:
        return listed
    return [props] if isinstance(props.get("paper"), dict) else []


def find_items(text: str) -> list[tuple[int, Any]]:
    """Return (line, item) for each paper item in the page's ``data-props`` JSON.

    Example:
        >>> page = '<div data-props="{&quot;dailyPapers&quot;: [{&quot;paper&quot;: {}}]}"></div>'
        >>> find_items(page)
        [(1, {'paper': {}})]
    """
    parser = _PropsParser()
    parser.feed(text)
    parser.close()
    found = []
    for line, raw in parser.props:
        try:
            props = json.loads(raw)
        except (ValueError, RecursionError):
            continue  # props of some other widget; not ours to judge
        found += [(line, item) for item in _items(props)]
    return found


def read_hf_html(lines: Iterable[str], *, path: str) -> Iterator[Paper | Skipped]:
    """Yield a Paper per listed paper; raise InputError for HTML that lists no papers."""
    text = join_lines(lines, path, what="an HTML page", fix="save a shorter page")
    problem = bad_bytes(text)
    if problem:
        what, _, fix = problem.partition("; ")
        raise InputError(path, what, fix)
    items = find_items(text)
    if not items:
        raise InputError(
            path,
            "HTML without a Hugging Face papers list (no data-props with papers)",
            "save the page from huggingface.co/papers with the browser, or export the list",
        )
    for n, (line, item) in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield Skipped(path, line, n, "a listed item is not an object; save the page again")
            continue
        try:
            yield paper_from_object(item, path=path)
        except FieldError as err:
            yield Skipped(path, line, n, str(err))

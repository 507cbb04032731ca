"""Read a Hugging Face papers listing saved as text: title and abstract on alternating lines.

The page starts with chrome ("new", "Get trending papers in your email inbox!", "Subscribe",
"byAK and the research community", a date such as "Mar 14"); the first title may be glued
to "Subscribe". Only the known chrome lines count as chrome, and the short ones ("new",
"Subscribe", a date) only next to the page header, so a paper titled "New" or "Mar 14" stays.
Text with neither the page header nor a line as long as an abstract (notes saved as .txt) is
refused rather than read as papers without concepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from kg.errors import UnknownFormat
from kg.model import Paper
from kg.readers.fields import FieldError
from kg.readers.record import Skipped, bad_bytes, make_paper

HEADER_LINES = frozenset(
    {
        "Get trending papers in your email inbox!",
        "Get trending papers in your email inbox once a day!",
        "byAK and the research community",
    }
)
SHORT_CHROME = frozenset({"new", "Subscribe"})
_DATE = re.compile(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}(?:, \d{4})?")
_GLUED = re.compile(r"Subscribe(?=[^\sa-z])")  # "SubscribeMultiresolution …", not "Subscriber"
ABSTRACT_MIN_CHARS = 300  # no title is this long; most abstracts are longer


def _is_chrome(text: str) -> bool:
    return text in HEADER_LINES or text in SHORT_CHROME or _DATE.fullmatch(text) is not None


def content_lines(lines: Iterable[str]) -> list[tuple[int, str]]:
    """Return (line number, text) of the non-blank lines that are not page chrome."""
    numbered = [(n, line.strip()) for n, line in enumerate(lines, start=1) if line.strip()]
    chrome = [False] * len(numbered)
    n_leading = next((i for i, (_, t) in enumerate(numbered) if not _is_chrome(t)), len(numbered))
    if n_leading >= 2:  # "new" and a date open the page; a lone "New" may be a title
        chrome[:n_leading] = [True] * n_leading
    for i, (_, text) in enumerate(numbered):
        if text in HEADER_LINES:
            chrome[i] = True
            for step in (-1, 1):  # a header block: the chrome lines around a header line
                j = i + step
                while 0 <= j < len(numbered) and _is_chrome(numbered[j][1]):
                    chrome[j] = True
                    j += step
    kept: list[tuple[int, str]] = []
    for i, (number, text) in enumerate(numbered):
        if chrome[i]:
            continue
        if i > 0 and chrome[i - 1]:
            text = _GLUED.sub("", text, count=1)
        kept.append((number, text))
    return kept


def _looks_like_abstract(text: str) -> bool:
    return len(text) >= ABSTRACT_MIN_CHARS


def _check_is_page(lines: list[str], content: list[tuple[int, str]], path: str) -> None:
    """Refuse text that is no papers page: no page header and no line as long as an abstract."""
    has_chrome = any(line.strip() in HEADER_LINES for line in lines)
    if content and not has_chrome and not any(_looks_like_abstract(t) for _, t in content):
        raise UnknownFormat(
            path,
            f"no line is as long as an abstract ({ABSTRACT_MIN_CHARS}+ characters) and there is "
            "no Hugging Face page header, so this is no saved papers page",
        )


def read_hf_page(lines: Iterable[str], *, path: str) -> Iterator[Paper | Skipped]:
    """Yield one Paper per title/abstract pair, and a Skipped for what cannot be paired.

    Raises:
        UnknownFormat: the text is no papers page (say, notes saved as .txt).
    """
    all_lines = list(lines)
    content = content_lines(all_lines)
    _check_is_page(all_lines, content, path)
    i = n_records = 0
    while i < len(content):
        number, title = content[i]
        n_records += 1
        if _looks_like_abstract(title):
            reason = "an abstract without a title; check the page around this line"
            yield Skipped(path, number, n_records, reason)
            i += 1
            continue
        if i + 1 == len(content):
            reason = "a title without an abstract at the end of the page; save the whole page"
            yield Skipped(path, number, n_records, reason)
            break
        abstract = content[i + 1][1]
        has_abstract = _looks_like_abstract(abstract) or not (
            i + 2 < len(content) and _looks_like_abstract(content[i + 2][1])
        )
        if not has_abstract:  # the next line is the next title, with its abstract after it
            abstract = ""
        i += 2 if has_abstract else 1
        problem = bad_bytes(title) or bad_bytes(abstract)
        if problem:
            yield Skipped(path, number, n_records, problem)
            continue
        try:
            yield make_paper({"title": title, "abstract": abstract}, path=path, keep_id=False)
        except FieldError as err:
            yield Skipped(path, number, n_records, str(err))

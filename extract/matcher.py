"""Gazetteer lookup over a Doc's tokens, folding case, hyphens, spaces and plurals.

spaCy's PhraseMatcher matches one token attribute exactly, so "ResNet-50", "ResNet50" and
"resnet 50" would need three patterns each; here every token n-gram is folded with
`kg.model.concept_key` and looked up once, which also catches variants nobody listed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc

from extract.candidate import Candidate
from extract.gazetteer import GazetteerEntry, is_case_sensitive
from extract.normalize import singular, split_size
from kg.model import ConceptType, concept_key

_FIRST_RUN = re.compile(r"[a-z]+|\d+")
_NOT_ALNUM = re.compile(r"[\W_]+")
MAX_TOKENS = 10


@dataclass(frozen=True, slots=True)
class _Hit:
    entry: GazetteerEntry
    alias: str
    case_sensitive: bool


def _first_run(text: str) -> str:
    match = _FIRST_RUN.search(text.casefold())
    return match.group() if match else ""


def _letters(text: str) -> str:
    return _NOT_ALNUM.sub("", text)


# "GPT-4-based", "BERT-style": a hyphenated modifier after a name leaves the name whole.
_SUFFIX_WORDS = frozenset(
    [
        "based",
        "like",
        "style",
        "powered",
        "driven",
        "generated",
        "specific",
        "only",
        "sized",
        "scale",
        "level",
        "guided",
        "inspired",
        "augmented",
        "enhanced",
        "aware",
        "centric",
        "oriented",
        "compatible",
    ]
)


def _glued_before(doc: Doc, i: int) -> bool:
    """True inside a hyphenated name ("DINO" in "RAD-DINO")."""
    return (
        i >= 2
        and doc[i - 1].text == "-"
        and not doc[i - 2].whitespace_
        and not doc[i - 1].whitespace_
    )


def _glued_after(doc: Doc, end: int) -> bool:
    """True when the span is cut out of a longer hyphenated name ("Rehearsal" in "Rehearsal-Free")."""
    if (
        end + 1 >= len(doc)
        or doc[end].text != "-"
        or doc[end - 1].whitespace_
        or doc[end].whitespace_
    ):
        return False
    return doc[end + 1].lower_ not in _SUFFIX_WORDS


class GazetteerMatcher:
    """Finds gazetteer names in a Doc; the longest match starting at a token wins."""

    def __init__(self, entries: Iterable[GazetteerEntry]) -> None:
        self.index: dict[str, list[_Hit]] = defaultdict(list)
        self.first_runs: set[str] = set()
        for entry in entries:
            for alias in (entry.name, *entry.aliases):
                key = concept_key(alias)
                if not key:
                    continue
                self.index[key].append(_Hit(entry, alias, is_case_sensitive(alias, entry)))
                self.first_runs.add(_first_run(alias))

    def __call__(self, doc: Doc) -> list[Candidate]:
        found: list[Candidate] = []
        i = 0
        n = len(doc)
        while i < n:
            token = doc[i]
            if token.is_space or token.is_punct or _first_run(token.text) not in self.first_runs:
                i += 1
                continue
            match = self._longest_at(doc, i, n)
            if match is None:
                i += 1
                continue
            end, hit, size = match
            span = doc[i:end]
            found.append(
                Candidate(
                    start=span.start_char,
                    end=span.end_char,
                    name=hit.entry.name,
                    type=ConceptType(hit.entry.type),
                    source="gazetteer",
                    size=size,
                    aliases=(hit.alias,) if hit.alias != hit.entry.name else (),
                    type_certain=True,
                )
            )
            i = end
        return found

    def _longest_at(self, doc: Doc, i: int, n: int) -> tuple[int, _Hit, str | None] | None:
        if _glued_before(doc, i):
            return None
        for end in range(min(n, i + MAX_TOKENS), i, -1):
            last = doc[end - 1]
            if last.is_space or (last.is_punct and last.text not in {")", "+"}):
                continue
            text = doc[i:end].text
            if "\n" in text or (last.text == ")" and "(" not in text) or _glued_after(doc, end):
                continue
            hit = self._lookup(text)
            if hit is not None:
                return end, hit, None
            base, size = split_size(text)
            if size and base != text and (hit := self._lookup(base)) is not None:
                return end, hit, size
        return None

    def _lookup(self, text: str) -> _Hit | None:
        for form in dict.fromkeys((text, singular(text))):
            for hit in self.index.get(concept_key(form), ()):
                if not hit.case_sensitive or _letters(form) == _letters(hit.alias):
                    return hit
        return None

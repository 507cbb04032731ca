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
from functools import lru_cache

from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from extract.candidate import Candidate
from extract.gazetteer import GazetteerEntry, is_case_sensitive
from extract.normalize import singular, split_size
from kg.model import ConceptType, concept_key

_FIRST_RUN = re.compile(r"[a-z]+|\d+")
_NOT_ALNUM = re.compile(r"[\W_]+")
MAX_TOKENS = 10
_SIZE_TOKENS = 3  # "(", "8B", ")" or "-", "7B"
_HAS_SIZE = re.compile(r"\d[BMK]\b")


@dataclass(frozen=True, slots=True)
class _Hit:
    entry: GazetteerEntry
    alias: str
    case_sensitive: bool


@lru_cache(maxsize=65536)
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


@dataclass(frozen=True, slots=True)
class _Tokens:
    """A Doc's tokens as plain lists: building spaCy Token objects again and again is slow."""

    text: str
    words: list[str]
    starts: list[int]
    spaced: list[bool]
    skip: list[bool]  # space or punctuation: never starts or ends a name (but ")" and "+" may end)

    @classmethod
    def of(cls, doc: Doc, text: str) -> _Tokens:
        words, starts, spaced, skip = [], [], [], []
        for token in doc:
            words.append(token.text)
            starts.append(token.idx)
            spaced.append(bool(token.whitespace_))
            skip.append(token.is_space or token.is_punct)
        return cls(text, words, starts, spaced, skip)

    def glued_before(self, i: int) -> bool:
        """True inside a hyphenated name ("DINO" in "RAD-DINO")."""
        return (
            i >= 2
            and self.words[i - 1] == "-"
            and not self.spaced[i - 2]
            and not self.spaced[i - 1]
        )

    def glued_after(self, end: int) -> bool:
        """True when cut out of a longer hyphenated name ("Rehearsal" in "Rehearsal-Free")."""
        if end + 1 >= len(self.words) or self.words[end] != "-":
            return False
        if self.spaced[end - 1] or self.spaced[end]:
            return False
        return self.words[end + 1].lower() not in _SUFFIX_WORDS


class GazetteerMatcher:
    """Finds gazetteer names in a Doc; the longest match starting at a token wins.

    Only tokens whose first letter or digit run starts some name are tried, and only up to the
    longest name starting that way (plus room for spacing variants and a size such as "(8B)").
    """

    def __init__(
        self, entries: Iterable[GazetteerEntry], tokenizer: Tokenizer | None = None
    ) -> None:
        self.index: dict[str, list[_Hit]] = defaultdict(list)
        self.max_len: dict[str, int] = {}
        self.prefixes: set[str] = set()  # every prefix of every key (and of its plural)
        for entry in entries:
            for alias in (entry.name, *entry.aliases):
                key = concept_key(alias)
                if not key:
                    continue
                self.index[key].append(_Hit(entry, alias, is_case_sensitive(alias, entry)))
                n_tokens = len(tokenizer(alias)) if tokenizer else MAX_TOKENS
                run = _first_run(alias)
                self.max_len[run] = min(MAX_TOKENS, max(self.max_len.get(run, 0), n_tokens + 4))
        # made apart, after the hits: the 380k prefix strings, never touched but by lookups,
        # would otherwise sit between the hits, whose reference counts each match writes, and
        # spread those writes over every page (a forked worker copies each page it writes)
        for key in self.index:
            for form in (
                key,
                key + "s",
                key + "es",
                key[:-1] + "ies" if key.endswith("y") else key,
            ):
                self.prefixes.update(form[:n] for n in range(1, len(form) + 1))

    def __call__(self, doc: Doc, text: str | None = None) -> list[Candidate]:
        toks = _Tokens.of(doc, doc.text if text is None else text)
        found: list[Candidate] = []
        i = 0
        n = len(toks.words)
        while i < n:
            limit = 0 if toks.skip[i] else self.max_len.get(_first_run(toks.words[i]), 0)
            match = self._longest_at(toks, i, min(n, i + limit)) if limit else None
            if match is None:
                i += 1
                continue
            end, hit, size = match
            found.append(
                Candidate(
                    start=toks.starts[i],
                    end=toks.starts[end - 1] + len(toks.words[end - 1]),
                    name=hit.entry.name,
                    type=ConceptType(hit.entry.type),
                    source="gazetteer",
                    size=size,
                    aliases=(hit.alias,) if hit.alias != hit.entry.name else (),
                    type_certain=True,
                    generic=hit.entry.generic,
                )
            )
            i = end
        return found

    def _longest_at(self, toks: _Tokens, i: int, stop: int) -> tuple[int, _Hit, str | None] | None:
        if toks.glued_before(i):
            return None
        reach = self._reach(toks, i, stop)
        # Past `reach` no name can match whole, but a size may follow one: "Llama-3 (8B)".
        for end in range(min(stop, reach + _SIZE_TOKENS), i, -1):
            last = toks.words[end - 1]
            if toks.skip[end - 1] and last not in {")", "+"}:
                continue
            surface = toks.text[toks.starts[i] : toks.starts[end - 1] + len(last)]
            if "\n" in surface or (last == ")" and "(" not in surface) or toks.glued_after(end):
                continue
            if end <= reach and (hit := self._lookup(surface)) is not None:
                return end, hit, None
            sized = split_size(surface) if _HAS_SIZE.search(surface) else (surface, None)
            if sized[1] and sized[0] != surface and (hit := self._lookup(sized[0])) is not None:
                return end, hit, sized[1]
        return None

    def _reach(self, toks: _Tokens, i: int, stop: int) -> int:
        """The last token end whose text still begins some known name (keys only grow)."""
        reach = i
        start = toks.starts[i]
        for end in range(i + 1, stop + 1):
            surface = toks.text[start : toks.starts[end - 1] + len(toks.words[end - 1])]
            if concept_key(surface) not in self.prefixes:
                break
            reach = end
        return reach

    def _lookup(self, text: str) -> _Hit | None:
        for form in dict.fromkeys((text, singular(text))):
            for hit in self.index.get(concept_key(form), ()):
                if not hit.case_sensitive or _letters(form) == _letters(hit.alias):
                    return hit
        return None

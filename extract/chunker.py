"""Technical noun-phrase candidates without a tagger: runs of content tokens and their sub-spans.

The blank English pipeline has no part-of-speech tagger, so a chunk is a maximal run of tokens that
are neither stop words, punctuation (a hyphen or slash glued inside a word is kept: "token-level",
"text/image"; so is a stop word a hyphen glues into a word: "few-shot", "chain-of-thought",
"in-context"), nor one of the `breakers` (verbs and adverbs that never sit inside a concept name,
learned from the training papers by extract/training/train_decider.py). Every sub-span of a chunk of
at most MAX_TOKENS tokens that starts and ends on a word is a candidate; the decider keeps a few.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS

MAX_TOKENS = 6
# Stop words that begin or sit inside names often enough to keep ("Segment Anything", "Top-k").
_KEEP = frozenset({"top", "first", "one", "two", "three", "whole", "full", "front", "back", "side"})
STOP = frozenset(w for w in STOP_WORDS if w not in _KEEP) | {"et", "al", "etc", "vs", "i.e", "e.g"}
_GLUE = frozenset({"-", "/", "+", "'", "’", "."})
_ENDS = frozenset({"+", "++", "*"})


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text's tokens as plain lists (spaCy Token objects are slow to build again and again)."""

    words: Sequence[str]
    starts: Sequence[int]
    spaced: Sequence[bool]  # whitespace after the token

    def end(self, i: int) -> int:
        """Character offset where token i ends."""
        return self.starts[i] + len(self.words[i])


def _glued(toks: Tokens, i: int) -> bool:
    """True for a joiner inside a word: "token-level", "text/image", "GPT-4.5"."""
    return (
        toks.words[i] in _GLUE
        and 0 < i < len(toks.words) - 1
        and not toks.spaced[i - 1]
        and not toks.spaced[i]
        and toks.words[i + 1][:1].isalnum()
    )


def _hyphened(toks: Tokens, i: int) -> bool:
    """True for a word a glued hyphen joins to its neighbour: "few" of "few-shot", "of" and
    "the" of "state-of-the-art" (stop words, which otherwise end a chunk)."""
    words = toks.words
    return words[i][:1].isalnum() and (
        (i + 1 < len(words) and words[i + 1] == "-" and _glued(toks, i + 1))
        or (i > 0 and words[i - 1] == "-" and _glued(toks, i - 1))
    )


def _content(word: str, breakers: Collection[str]) -> bool:
    low = word.lower()
    if not any(c.isalnum() for c in word):
        return word in _ENDS
    return low not in STOP and low not in breakers and not word.isspace()


def chunks(toks: Tokens, breakers: Collection[str]) -> list[tuple[int, int]]:
    """Maximal runs [start, end) of content tokens and glued joiners, in order."""
    found = []
    n = len(toks.words)
    i = 0
    while i < n:
        word = toks.words[i]
        if word in _ENDS or not (_content(word, breakers) or _hyphened(toks, i)):
            i += 1
            continue
        j = i + 1
        while j < n and (
            _content(toks.words[j], breakers) or _glued(toks, j) or _hyphened(toks, j)
        ):
            j += 1
        while j > i + 1 and toks.words[j - 1] in _GLUE:  # never end on a joiner
            j -= 1
        found.append((i, j))
        i = j
    return found


def sub_spans(toks: Tokens, chunk: tuple[int, int]) -> list[tuple[int, int]]:
    """Sub-spans of a chunk that start and end on a word, not inside a glued word, of at most
    MAX_TOKENS tokens besides glued joiners; the whole chunk too when it is longer (the decider
    judges length)."""
    a, b = chunk
    starts = [i for i in range(a, b) if _starts_word(toks, i, a)]
    ends = [j for j in range(a + 1, b + 1) if _ends_word(toks, j, b)]
    joiners = [0]  # glued joiners before each token: "LLM-as-a-Judge" is 4 words of 7 tokens
    for k in range(a, b):
        joiners.append(joiners[-1] + (toks.words[k] in _GLUE and _glued(toks, k)))
    spans = [
        (i, j)
        for i in starts
        for j in ends
        if i < j and j - i - joiners[j - a] + joiners[i - a] <= MAX_TOKENS
    ]
    if b - a > MAX_TOKENS:
        spans.append((a, b))
    return spans


def _starts_word(toks: Tokens, i: int, a: int) -> bool:
    if toks.words[i] in _GLUE or toks.words[i] in _ENDS:
        return False
    return i == a or toks.spaced[i - 1]


def _ends_word(toks: Tokens, j: int, b: int) -> bool:
    if toks.words[j - 1] in _GLUE:
        return False
    if j == b or toks.spaced[j - 1]:
        return True
    # "Transformer-based": a name may end before a glued hyphen; never inside "GPT-4.5" or "X++"
    return toks.words[j] == "-" and toks.words[j - 1][-1:].isalpha() and j + 1 < b

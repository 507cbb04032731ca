"""Abbreviation definitions, "Direct Preference Optimization (DPO)", found with Schwartz & Hearst (2003).

Pure functions on text; offsets are character offsets into that text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PAREN = re.compile(r"\(([^()\n]{2,20})\)")
_SHORT = re.compile(r"^[A-Za-z][\w\-+&^.']*$")
_BOUNDARY = re.compile(r"[.;:!?](?=\s)|[()\[\]\n]")
_WORD = re.compile(r"\S+")
_LEADING = re.compile(
    r"^(?:(?:the|a|an|our|their|its|this|these|we|of|and|or|to|for|in|on|with|by|from|as|is|are|"
    r"called|named|termed|dubbed|coined|propose|proposes|introduce|introduces|present|presents)\s+)+",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Definition:
    """A long form and the short form defined for it, with their offsets."""

    short: str
    short_start: int
    short_end: int
    long: str
    long_start: int
    long_end: int


def is_short_form(text: str) -> bool:
    """True for strings that can be an abbreviation: one word, a capital, not all digits.

    Example:
        >>> [is_short_form(t) for t in ("DPO", "LoRA", "LLMs", "e.g.", "100", "see below")]
        [True, True, True, False, False, False]
    """
    if not _SHORT.match(text) or text.lower() in {"e.g.", "i.e.", "etc.", "et al.", "cf."}:
        return False
    n_upper = sum(c.isupper() for c in text)
    return n_upper >= 2 or (
        n_upper == 1 and text[0].isupper() and len(text) <= 5 and text != text.title()
    )


def match_long_form(short: str, candidate: str) -> int | None:
    """Start index in `candidate` of the shortest long form whose letters spell `short`, or None.

    Example:
        >>> c = "we use Direct Preference Optimization"
        >>> c[match_long_form("DPO", c):]
        'Direct Preference Optimization'
        >>> c = "adapts large language models"
        >>> c[match_long_form("LLMs", c):]
        'large language models'
        >>> match_long_form("XYZ", "a simple method") is None
        True
    """
    s, c = short.lower(), candidate.lower()
    s_idx, c_idx = len(s) - 1, len(c) - 1
    while s_idx >= 0:
        ch = s[s_idx]
        if not ch.isalnum():
            s_idx -= 1
            continue
        while c_idx >= 0 and (
            c[c_idx] != ch or (s_idx == 0 and c_idx > 0 and c[c_idx - 1].isalnum())
        ):
            c_idx -= 1
        if c_idx < 0:
            return None
        c_idx -= 1
        s_idx -= 1
    return c.rfind(" ", 0, c_idx + 1) + 1


def find_definitions(text: str) -> list[Definition]:
    """Every "long form (SHORT)" definition in `text`.

    Example:
        >>> [(d.long, d.short) for d in find_definitions(
        ...     "Parameter-efficient fine-tuning (PEFT) of pre-trained language models (PLMs) works.")]
        [('Parameter-efficient fine-tuning', 'PEFT'), ('pre-trained language models', 'PLMs')]
    """
    found = []
    for paren in _PAREN.finditer(text):
        short = paren.group(1).strip()
        if not is_short_form(short):
            continue
        window = _window_before(text, paren.start(), n_words=min(len(short) + 5, 2 * len(short)))
        start = match_long_form(short, text[window : paren.start()].rstrip())
        if start is None:
            continue
        long_start = window + start
        long_text = text[long_start : paren.start()].rstrip()
        long_text, long_start = _trim_leading(long_text, long_start)
        if not long_text or long_text.lower() == short.lower() or len(long_text) <= len(short):
            continue
        if long_text[0].lower() != short[0].lower():
            continue
        short_start = paren.start(1) + paren.group(1).index(short)
        found.append(
            Definition(
                short,
                short_start,
                short_start + len(short),
                long_text,
                long_start,
                long_start + len(long_text),
            )
        )
    return found


def _window_before(text: str, end: int, *, n_words: int) -> int:
    """Start of the last `n_words` words before `end`, not crossing a sentence or a bracket."""
    head = text[:end]
    boundary = max((m.end() for m in _BOUNDARY.finditer(head)), default=0)
    words = list(_WORD.finditer(head, boundary))
    if not words:
        return end
    return words[max(0, len(words) - n_words)].start()


def _trim_leading(long_text: str, start: int) -> tuple[str, int]:
    match = _LEADING.match(long_text)
    if match and match.end() < len(long_text):
        return long_text[match.end() :], start + match.end()
    return long_text, start

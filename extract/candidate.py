"""Candidate: one stretch of text that may name a concept, as the pipeline's components pass it on."""

from __future__ import annotations

from dataclasses import dataclass, replace

from kg.model import ConceptType, Role


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible concept mention, with character offsets into the Doc's text.

    `source` is what found it, strongest first in SOURCE_RANK; `name` is the canonical display
    name (the gazetteer's, or the cleaned surface form); `aliases` are forms merged into it.
    """

    start: int
    end: int
    name: str
    type: ConceptType
    source: str
    role: Role = Role.MENTIONED
    size: str | None = None
    aliases: tuple[str, ...] = ()
    type_certain: bool = False
    generic: bool = False

    def with_role(self, role: Role) -> Candidate:
        return replace(self, role=role)


SOURCE_RANK = {
    "gazetteer": 0,
    "abbreviation": 1,
    "proposed": 2,
    "head": 3,
    "chunk": 4,
    "versioned": 4,
    "model": 5,
    "model-name": 8,
    "title": 6,
    "camelcase": 7,
    "acronym": 8,
    "repeat": 9,
}


class Taken:
    """Character ranges already chosen, so that picking non-overlapping spans stays linear in
    the text's length (a list of ranges made a 380 KB abstract quadratic).

    Example:
        >>> taken = Taken()
        >>> taken.add(4, 9)
        >>> taken.free(0, 4), taken.free(8, 12), taken.free(9, 12)
        (True, False, True)
    """

    __slots__ = ("_used",)

    def __init__(self) -> None:
        self._used = bytearray()

    def free(self, start: int, end: int) -> bool:
        """Whether no taken range shares a character with [start, end)."""
        return self._used.find(1, start, end) < 0

    def add(self, start: int, end: int) -> None:
        if end > len(self._used):
            self._used.extend(bytes(end - len(self._used)))
        self._used[start:end] = b"\x01" * (end - start)

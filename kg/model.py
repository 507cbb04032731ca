"""The plain data kg passes around: papers, concept types, roles and per-paper extractions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

_SEPARATORS = re.compile(r"[\s_\-\u2010-\u2015/]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])-(?=\d)|(?<=\d)-(?=[a-z]\b)")
_DROP = re.compile(r"[^\w.+#-]")


@lru_cache(maxsize=1 << 14)
def concept_key(name: str) -> str:
    """Return the key under which surface forms of one concept meet across papers.

    Case, spaces, hyphens and a separator between a name and its number do not matter.

    Example:
        >>> concept_key("ResNet-50") == concept_key("ResNet50") == concept_key("resnet 50")
        True
        >>> concept_key("GPT-4") == concept_key("GPT-4o")
        False
        >>> concept_key("T5 XXL")
        't5-xxl'
    """
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = _SEPARATORS.sub("-", text).strip("-")
    text = _LETTER_DIGIT.sub("", text)
    return _DROP.sub("", text)


class ConceptType(StrEnum):
    """What kind of thing a concept is."""

    METHOD = "Method"
    MODEL = "Model"
    DATASET = "Dataset"
    BENCHMARK = "Benchmark"
    TASK = "Task"
    METRIC = "Metric"


class Role(StrEnum):
    """How a paper relates to a concept it names, strongest first."""

    PROPOSED = "proposed"
    USED = "used"
    MENTIONED = "mentioned"


ROLE_RANK = {Role.PROPOSED: 0, Role.USED: 1, Role.MENTIONED: 2}


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as read from an input file; title and abstract are cleaned text."""

    id: str
    title: str
    abstract: str
    year: int | None = None
    date: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with every field.

        Example:
            >>> Paper("p1", "T", "A", authors=("X",)).to_json()["authors"]
            ['X']
        """
        return {
            "id": self.id,
            "title": self.title,
            "abstract": self.abstract,
            "year": self.year,
            "date": self.date,
            "url": self.url,
            "authors": list(self.authors),
            "categories": list(self.categories),
            "sources": list(self.sources),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Paper:
        """Inverse of `to_json`."""
        return cls(
            id=data["id"],
            title=data["title"],
            abstract=data["abstract"],
            year=data.get("year"),
            date=data.get("date"),
            url=data.get("url"),
            authors=tuple(data.get("authors") or ()),
            categories=tuple(data.get("categories") or ()),
            sources=tuple(data.get("sources") or ()),
        )


@dataclass(frozen=True, slots=True)
class Mention:
    """A stretch of text naming a concept: offsets into the paper's title or abstract."""

    text: str
    start: int
    end: int
    field: str  # "title" or "abstract"

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "field": self.field}


@dataclass(frozen=True, slots=True)
class Entity:
    """A concept as found in one paper, with its role there and every mention of it.

    `concept_id` is the normalised key shared across papers; `name` its display form;
    `why` says how aliases were merged into it (gazetteer, abbreviation, normalisation).
    """

    concept_id: str
    name: str
    type: ConceptType
    role: Role
    mentions: tuple[Mention, ...]
    aliases: tuple[str, ...] = ()
    size: str | None = None
    source: str = "pattern"  # which part of the pipeline found it
    generic: bool = False  # a broad class ("large language model") rather than a specific thing

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.concept_id,
            "name": self.name,
            "type": str(self.type),
            "role": str(self.role),
            "aliases": list(self.aliases),
            "source": self.source,
            "mentions": [m.to_json() for m in self.mentions],
        }
        if self.size:
            data["size"] = self.size
        if self.generic:
            data["generic"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entity:
        name = data["name"]
        return cls(
            concept_id=data.get("id") or name.casefold(),
            name=name,
            type=ConceptType(data["type"]),
            role=Role(data.get("role", "mentioned")),
            mentions=tuple(
                Mention(m["text"], m["start"], m["end"], m["field"])
                for m in data.get("mentions", ())
            ),
            aliases=tuple(data.get("aliases") or ()),
            size=data.get("size"),
            source=data.get("source", "pattern"),
            generic=bool(data.get("generic", False)),
        )


@dataclass(frozen=True, slots=True)
class Extraction:
    """What extraction found in one paper: the line format of extractions.jsonl."""

    paper_id: str
    title: str
    entities: tuple[Entity, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "paper_id": self.paper_id,
            "title": self.title,
            "entities": [e.to_json() for e in self.entities],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extraction:
        return cls(
            paper_id=data["paper_id"],
            title=data.get("title", ""),
            entities=tuple(Entity.from_json(e) for e in data.get("entities", ())),
        )

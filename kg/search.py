"""Finding things in a build: a concept by name or alias, a paper by id or title, and ranked search.

`find_concept` and `find_paper` answer one thing or raise a KGError that names the closest
matches ("no concept named 'LoRAA'; did you mean 'LoRA'?"); `search` ranks concepts by how
well a name or alias matches and papers by the query's words in their title and abstract.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kg.errors import KGError
from kg.graph import ConceptNode, GraphData
from kg.model import Paper, concept_key

N_CLOSE = 3
_WORD = re.compile(r"[^\W_]+(?:[-.'][^\W_]+)*")


class NotFound(KGError):
    """A name or title that matches nothing, with the closest names to try instead."""

    def __init__(self, what: str, name: str, close: Sequence[str], fix: str) -> None:
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        super().__init__(f"no {what} {name!r}{hint} ({fix})")


class Ambiguous(KGError):
    """A title prefix that several papers share."""

    def __init__(self, text: str, titles: Sequence[str]) -> None:
        shown = "; ".join(repr(t) for t in titles[:N_CLOSE])
        more = f" and {len(titles) - N_CLOSE} more" if len(titles) > N_CLOSE else ""
        super().__init__(
            f"{len(titles)} papers have a title starting {text!r}: {shown}{more}; "
            "give more of the title or the paper id"
        )


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a concept (id, name, type) or a paper (id, title, year), with its score."""

    kind: str  # "concept" or "paper"
    id: str
    label: str
    detail: str
    score: float

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "detail": self.detail,
            "score": round(self.score, 3),
        }


def find_concept(concepts: Sequence[ConceptNode], name: str) -> ConceptNode:
    """The concept whose id, name or an alias is `name` (case, hyphens and spaces aside).

    Several matches: the one with most papers (a name beats an alias).
    """
    wanted = concept_key(name)
    by_name = [c for c in concepts if wanted in (c.id, concept_key(c.name))]
    by_alias = [c for c in concepts if any(concept_key(a) == wanted for a in c.aliases)]
    for found in (by_name, by_alias):
        if found:
            return min(found, key=lambda c: (-c.paper_count, c.id))
    names = sorted({c.name for c in concepts} | {a for c in concepts for a in c.aliases})
    close = difflib.get_close_matches(name, names, n=N_CLOSE, cutoff=0.6)
    raise NotFound("concept named", name, close, "see 'kg search DIR TEXT' for names")


def find_paper(papers: Sequence[Paper], text: str) -> Paper:
    """The paper whose id is `text`, whose title is `text`, or the one whose title starts with it."""
    for paper in papers:
        if paper.id == text:
            return paper
    wanted = _fold(text)
    same = [p for p in papers if _fold(p.title) == wanted]
    starts = same or [p for p in papers if wanted and _fold(p.title).startswith(wanted)]
    if len(starts) == 1:
        return starts[0]
    if len(starts) > 1:
        raise Ambiguous(text, sorted(p.title for p in starts))
    close = difflib.get_close_matches(text, [p.title for p in papers], n=N_CLOSE, cutoff=0.6)
    raise NotFound("paper with id or title", text, close, "give a paper id or the title's start")


CONCEPT_PARAMS = ("concept", "method", "source", "target")  # named-query parameters naming concepts
PAPER_PARAMS = ("paper",)  # and naming a paper (by id, title or a title's start)


def resolve_paper_params(
    papers: Sequence[Paper], params: Mapping[str, object]
) -> dict[str, object]:
    """Query parameters with a paper given by title (or the start of one) replaced by its id."""
    return {
        name: find_paper(papers, value).id
        if name in PAPER_PARAMS and isinstance(value, str)
        else value
        for name, value in params.items()
    }


def check_concept_params(concepts: Sequence[ConceptNode], params: Mapping[str, object]) -> None:
    """Raise NotFound ("no concept named X; did you mean Y?") for a concept parameter naming none."""
    for name, value in params.items():
        if name in CONCEPT_PARAMS and isinstance(value, str):
            find_concept(concepts, value)


def search_concepts(concepts: Sequence[ConceptNode], text: str, *, limit: int = 10) -> list[Hit]:
    """Concepts whose name or alias matches `text`: whole name, then prefix, then a part of it."""
    wanted = concept_key(text)
    if not wanted:
        return []
    hits = []
    for concept in concepts:
        rank = max(
            [_match_rank(wanted, concept_key(concept.name)) + 0.5]  # a name beats an alias
            + [_match_rank(wanted, concept_key(alias)) for alias in concept.aliases]
        )
        if rank >= 1:
            score = rank + math.log1p(concept.paper_count) / 100
            hits.append(Hit("concept", concept.id, concept.name, str(concept.type), score))
    return sorted(hits, key=lambda h: (-h.score, h.label))[:limit]


def _match_rank(wanted: str, key: str) -> int:
    if key == wanted:
        return 3
    if key.startswith(wanted):
        return 2
    return 1 if wanted in key else 0


def search_papers(papers: Sequence[Paper], text: str, *, limit: int = 10) -> list[Hit]:
    """Papers ranked by the query's words: how many they hold, then weight (title x3, rare words)."""
    terms = set(words(text))
    if not terms:
        return []
    counted = [(p, Counter(words(p.title)), Counter(words(p.abstract or ""))) for p in papers]
    df = Counter(t for _, title, abstract in counted for t in terms if t in title or t in abstract)
    hits = []
    for paper, title, abstract in counted:
        found = [t for t in terms if t in title or t in abstract]
        if not found:
            continue
        weight = sum(
            math.log(1 + len(papers) / df[t]) * (3 * min(title[t], 1) + min(abstract[t], 3))
            for t in found
        )
        phrase = 2.0 if _fold(text) in _fold(paper.title) else 0.0
        score = len(found) + phrase + weight / (1 + weight)
        year = str(paper.year) if paper.year else ""
        hits.append(Hit("paper", paper.id, paper.title, year, score))
    return sorted(hits, key=lambda h: (-h.score, h.id))[:limit]


def search(data: GraphData, text: str, *, limit: int = 10) -> tuple[list[Hit], list[Hit]]:
    """Concepts and papers matching `text`, best first, at most `limit` of each."""
    return (
        search_concepts(data.concepts, text, limit=limit),
        search_papers(data.papers, text, limit=limit),
    )


def words(text: str) -> list[str]:
    """Lower-cased words of a text, for matching queries to titles and abstracts.

    Example:
        >>> words("Low-Rank Adaptation (LoRA) of GPT-4")
        ['low-rank', 'adaptation', 'lora', 'of', 'gpt-4']
    """
    return [w.casefold() for w in _WORD.findall(text)]


def format_hits(concepts: Iterable[Hit], papers: Iterable[Hit]) -> str:
    """The two ranked lists as text, for `kg search`."""
    lines = []
    for heading, hits in (("concepts", list(concepts)), ("papers", list(papers))):
        lines.append(f"{heading}:" if hits else f"{heading}: none")
        lines += [f"  {h.label}  ({h.detail or '-'}; {h.id})" for h in hits]
    return "\n".join(lines)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())

"""Why a concept is in the graph: its type and who voted for it, each alias and why it was merged,
and for each paper the sentence it was found in, its role there and what found it.

Evidence offsets are the extraction's own (characters into the paper's title or abstract, as
read); the sentence is cut from that same text around them, so `text[start:end]` is the mention.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kg.graph import ConceptNode, GraphData, _acronym_targets
from kg.model import ROLE_RANK, Entity, Extraction, Paper
from kg.search import find_concept

N_EVIDENCE = 10
# A full stop after these is no sentence end ("e.g. BERT", "Smith et al. (2020)").
_NOT_ENDS = {"e.g", "i.e", "al", "etc", "vs", "cf", "fig", "eq", "no", "approx", "resp", "sec"}
_BOUNDARY = re.compile(r"(?<=[.!?])([\"')\]]*)\s+(?=[\"'(\[]?[A-Z0-9])")
SOURCES = {  # what each `source` of extractions.jsonl means
    "gazetteer": "gazetteer entry (a curated list of known names)",
    "abbreviation": 'abbreviation defined in the paper ("Long Form (LF)")',
    "proposed": 'pattern: introduced by the paper ("we propose X", "X, a novel …")',
    "head": 'pattern: a typed head noun ("the X dataset", "the X benchmark")',
    "versioned": 'pattern: a versioned or sized model name ("Llama 3 8B")',
    "title": 'pattern: the title\'s "Name: …" prefix',
    "camelcase": "pattern: a CamelCase name",
    "acronym": "pattern: an acronym",
    "repeat": "pattern: a repeat of a name found earlier in the paper",
    "model": "the trained statistical model (--ner)",
    "model-name": "the trained statistical model (--ner), a name-like span",
    "chunk": "a technical phrase kept and typed by the learned decider (extract/decider.py)",
    "user": "a user's [[add]] in corrections.toml",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where one paper names the concept: the mention, its sentence (offsets into `field`'s text)."""

    paper_id: str
    title: str
    year: int | None
    url: str | None
    role: str
    source: str
    field: str
    start: int
    end: int
    text: str
    sentence: str
    sentence_start: int

    def to_json(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class Explanation:
    """What `kg explain` prints."""

    concept_id: str
    name: str
    type: str
    type_votes: tuple[tuple[str, str, int], ...]  # (type, source, papers)
    aliases: tuple[tuple[str, str], ...]  # (alias, why it was merged)
    paper_count: int
    evidence: tuple[Evidence, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.concept_id,
            "name": self.name,
            "type": self.type,
            "type_votes": [{"type": t, "source": s, "papers": n} for t, s, n in self.type_votes],
            "aliases": [{"alias": a, "why": w} for a, w in self.aliases],
            "paper_count": self.paper_count,
            "evidence": [e.to_json() for e in self.evidence],
        }


def explain(
    data: GraphData, extractions: Sequence[Extraction], name: str, *, limit: int = N_EVIDENCE
) -> Explanation:
    """Explain the concept named `name` (name, alias or id); evidence from its first `limit` papers."""
    concept = find_concept(data.concepts, name)
    found = entities_by_concept(extractions).get(concept.id, [])
    papers = {p.id: p for p in data.papers}
    votes = Counter((str(ent.type), ent.source) for _, ent in found)
    return Explanation(
        concept_id=concept.id,
        name=concept.name,
        type=str(concept.type),
        type_votes=tuple((t, s, n) for (t, s), n in sorted(votes.items(), key=_by_votes)),
        aliases=alias_reasons(concept),
        paper_count=concept.paper_count,
        evidence=tuple(
            ev
            for paper_id, ent in _newest_first(found, papers)[:limit]
            if (ev := evidence_of(papers[paper_id], ent)) is not None
        ),
    )


def _by_votes(item: tuple[tuple[str, str], int]) -> tuple[int, str, str]:
    return (-item[1], *item[0])


def entities_by_concept(extractions: Iterable[Extraction]) -> dict[str, list[tuple[str, Entity]]]:
    """(paper id, entity) per graph concept id, acronyms joined to their long form as the graph does."""
    exts = list(extractions)
    redirect = _acronym_targets(exts)
    found: dict[str, list[tuple[str, Entity]]] = defaultdict(list)
    for ext in exts:
        for ent in ext.entities:
            found[redirect.get(ent.concept_id, ent.concept_id)].append((ext.paper_id, ent))
    return found


def _newest_first(
    found: Sequence[tuple[str, Entity]], papers: Mapping[str, Paper]
) -> list[tuple[str, Entity]]:
    """One entity per paper (its strongest role), newest papers first."""
    best: dict[str, Entity] = {}
    for paper_id, ent in found:
        if paper_id in papers:
            old = best.get(paper_id)
            if old is None or ROLE_RANK[ent.role] < ROLE_RANK[old.role]:
                best[paper_id] = ent
    return sorted(best.items(), key=lambda kv: (-(papers[kv[0]].year or 0), kv[0]))


def alias_reasons(concept: ConceptNode) -> tuple[tuple[str, str], ...]:
    """Each alias with why it belongs to the concept (from the graph's `merged` notes)."""
    reasons: dict[str, list[str]] = defaultdict(list)
    for note in concept.merged:
        alias, _, why = note.partition(": ")
        if why not in reasons[alias]:
            reasons[alias].append(why)
    return tuple((a, "; ".join(reasons.get(a) or ["same concept key"])) for a in concept.aliases)


def evidence_of(paper: Paper, ent: Entity) -> Evidence | None:
    """The entity's first mention in the paper, with the sentence around it (None if it has none)."""
    if not ent.mentions:
        return None
    mention = ent.mentions[0]
    text = paper.title if mention.field == "title" else paper.abstract or ""
    start, end = sentence_span(text, mention.start, mention.end)
    return Evidence(
        paper_id=paper.id,
        title=paper.title,
        year=paper.year,
        url=paper.url,
        role=str(ent.role),
        source=ent.source,
        field=mention.field,
        start=mention.start,
        end=mention.end,
        text=text[mention.start : mention.end],
        sentence=text[start:end],
        sentence_start=start,
    )


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the sentence of `text` that holds `text[start:end]`.

    Example:
        >>> t = "We use BERT, e.g. for QA. Then we propose LoRA. It works."
        >>> s, e = sentence_span(t, 42, 46)
        >>> t[s:e]
        'Then we propose LoRA.'
        >>> t[slice(*sentence_span(t, 7, 11))]
        'We use BERT, e.g. for QA.'
    """
    begin, finish = 0, len(text)
    for match in _BOUNDARY.finditer(text):
        before = text[: match.start()].rsplit(None, 1)[-1].rstrip(".!?").casefold()
        if before in _NOT_ENDS or (len(before) == 1 and before.isalpha()):
            continue
        if match.end() <= start:
            begin = match.end()
        elif match.start() >= end:
            finish = match.end(1)  # closing quotes and brackets stay with their sentence
            break
    return begin, finish


def format_explanation(exp: Explanation) -> str:
    """`kg explain`'s text: type and votes, aliases and reasons, then the evidence per paper."""
    lines = [f"{exp.name} ({exp.type}; id {exp.concept_id}; {exp.paper_count} papers)", ""]
    lines.append("type:")
    lines += [f"  {t} in {n} papers, found by {s}" for t, s, n in exp.type_votes]
    lines.append("aliases:" if exp.aliases else "aliases: none")
    lines += [f"  {alias}: {why}" for alias, why in exp.aliases]
    shown = f"first {len(exp.evidence)} of {exp.paper_count}" if exp.evidence else "none"
    lines += ["", f"papers ({shown}, newest first):"]
    for ev in exp.evidence:
        year = f" ({ev.year})" if ev.year else ""
        lines.append(f"  {ev.title}{year} [{ev.paper_id}]")
        lines.append(f"    {ev.role}; found by {SOURCES.get(ev.source, ev.source)}")
        lines.append(f"    {ev.field} {ev.start}-{ev.end}: {' '.join(ev.sentence.split())}")
    return "\n".join(lines)

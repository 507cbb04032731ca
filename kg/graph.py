"""Papers + extractions -> the graph's rows (GraphData), and those rows -> a NetworkX graph.

Every store (NetworkX in memory, LadybugDB on disk, Neo4j and FalkorDB servers) and every export
is built from the same GraphData (its rows shaped by kg.vocab), so they all answer alike. Concepts
are keyed by their stable `concept_id`, never by display name; concepts from different papers meet by it;
a bare acronym ("DPO") joins the concept whose long form defines it elsewhere in the corpus
when exactly one long form does.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations, groupby
from typing import TYPE_CHECKING

from kg.model import ROLE_RANK, ConceptType, Entity, Extraction, Paper, Role, concept_key
from kg.vocab import (
    CO_OCCURS,
    CONCEPT,
    KEY,
    MENTIONS,
    PAPER,
    SOURCE,
    TARGET,
    co_occurs_rows,
    concept_node,
    concept_rows,
    mention_rows,
    paper_node,
    paper_rows,
)

__all__ = [
    "CoOccursEdge",
    "ConceptNode",
    "GraphData",
    "MentionEdge",
    "concept_node",
    "graph_data",
    "paper_node",
    "to_networkx",
]

if TYPE_CHECKING:
    import networkx as nx

TYPE_ORDER = list(ConceptType)


@dataclass(frozen=True, slots=True)
class ConceptNode:
    """One concept across the corpus; `merged` says why each alias belongs to it."""

    id: str
    name: str
    type: ConceptType
    aliases: tuple[str, ...]
    paper_count: int
    merged: tuple[str, ...] = ()
    generic: bool = False


@dataclass(frozen=True, slots=True)
class MentionEdge:
    """Paper -[:MENTIONS {role, count}]-> Concept (by concept id)."""

    paper_id: str
    concept_id: str
    role: Role
    count: int


@dataclass(frozen=True, slots=True)
class CoOccursEdge:
    """Concept -[:CO_OCCURS {weight}]- Concept by concept ids, stored once with source < target."""

    source: str
    target: str
    weight: int


@dataclass(frozen=True, slots=True)
class GraphData:
    """All rows of the graph, sorted, ready for any store."""

    papers: tuple[Paper, ...]
    concepts: tuple[ConceptNode, ...]
    mentions: tuple[MentionEdge, ...]
    co_occurs: tuple[CoOccursEdge, ...]


def _acronym_targets(extractions: Iterable[Extraction]) -> dict[str, str]:
    """Map the key of an acronym to the one concept whose long form defines it."""
    return acronym_targets(
        (ent.concept_id, ent.aliases) for ext in extractions for ent in ext.entities
    )


def acronym_targets(entities: Iterable[tuple[str, Sequence[str]]]) -> dict[str, str]:
    """`_acronym_targets` over each entity's (concept id, aliases): the one pass a build makes
    over its extraction lines as plain JSON (kg.corpus.entity_aliases), no objects made."""
    targets: dict[str, set[str]] = defaultdict(set)
    for concept_id, aliases in entities:
        for alias in aliases:
            key = concept_key(alias)
            if key != concept_id and _is_acronym(alias):
                targets[key].add(concept_id)
    return {key: next(iter(ids)) for key, ids in targets.items() if len(ids) == 1}


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return 2 <= len(text) <= 12 and sum(c.isupper() for c in letters) >= 2 and " " not in text


def _pick(counter: Counter[str]) -> str:
    """Most common value; ties go to the alphabetically first, so builds are deterministic."""
    return min(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def graph_data(
    papers: Iterable[Paper],
    extractions: Iterable[Extraction],
    *,
    redirect: dict[str, str] | None = None,
) -> GraphData:
    """Join papers and their extractions into graph rows.

    Args:
        papers: every paper in the corpus (one per id).
        extractions: at most one per paper; papers without one get no links. Read twice: pass
            a list, or something that reads them again on each pass (kg.corpus.Reread), so
            that a big corpus's extractions are never all in memory.
        redirect: `_acronym_targets` of those extractions, if already known (then they are
            read once).
    """
    paper_list = sorted(papers, key=lambda p: p.id)
    known = {p.id for p in paper_list}
    if isinstance(extractions, Iterator) and redirect is None:  # one pass only
        extractions = list(extractions)
    if redirect is None:
        redirect = _acronym_targets(e for e in extractions if e.paper_id in known)
    ids: dict[str, str] = {}  # one string per concept id, however many papers name it

    names: dict[str, Counter[str]] = defaultdict(Counter)
    types: dict[str, Counter[str]] = defaultdict(Counter)
    weak_types: dict[str, Counter[str]] = defaultdict(Counter)
    generic: set[str] = set()  # votes of redirected acronyms
    aliases: dict[str, set[str]] = defaultdict(set)
    merged: dict[str, set[str]] = defaultdict(set)
    links: dict[tuple[str, str], tuple[Role, int]] = {}
    for ext in extractions:
        if ext.paper_id not in known:
            continue
        for ent in ext.entities:
            cid = ids.setdefault(ent.concept_id, ent.concept_id)
            if redirect.get(cid, cid) != cid:
                merged[redirect[cid]].add(f"{ent.name}: acronym defined by the long form elsewhere")
                aliases[redirect[cid]].add(ent.name)
                cid = redirect[cid]
                weak_types[cid][ent.type] += 1
            else:
                names[cid][ent.name] += 1
                if ent.generic:
                    generic.add(cid)
                types[cid][ent.type] += 1
            _collect_aliases(ent, aliases[cid], merged[cid])
            role, count = links.get((ext.paper_id, cid), (Role.MENTIONED, 0))
            role = min(role, ent.role, key=ROLE_RANK.__getitem__)
            links[(ext.paper_id, cid)] = (role, count + len(ent.mentions))

    for cid, votes in weak_types.items():
        if not types[cid]:
            types[cid] = votes
    display = {cid: _pick(names[cid]) if names[cid] else min(aliases[cid]) for cid in types}
    papers_of: dict[str, set[str]] = defaultdict(set)
    for paper_id, cid in links:
        papers_of[cid].add(paper_id)
    concepts = tuple(
        ConceptNode(
            id=cid,
            name=display[cid],
            type=ConceptType(_pick_type(types[cid])),
            aliases=tuple(sorted(aliases[cid] - {display[cid]})),
            paper_count=len(papers_of[cid]),
            merged=tuple(sorted(merged[cid])),
            generic=cid in generic,
        )
        for cid in sorted(types)
    )
    mentions = tuple(
        MentionEdge(pid, cid, role, count) for (pid, cid), (role, count) in sorted(links.items())
    )
    return GraphData(tuple(paper_list), concepts, mentions, _co_occurrences(mentions))


def _collect_aliases(ent: Entity, into: set[str], why: set[str]) -> None:
    """Gather every form of the entity, each with the reason it belongs to the concept."""
    forms = {ent.name, *ent.aliases, *(m.text for m in ent.mentions)}
    into.update(forms)
    for form in sorted(forms - {ent.name}):
        why.add(f"{form}: {_merge_reason(form, ent)}")


def _merge_reason(form: str, ent: Entity) -> str:
    if concept_key(form) == ent.concept_id:
        return "spelling (case, hyphens, spaces)"
    if _is_acronym(form) and form in ent.aliases and ent.source != "gazetteer":
        return "abbreviation defined in the paper"
    if ent.source == "gazetteer":
        return "gazetteer alias"
    if ent.size and ent.size in form:
        return f"size {ent.size} kept as a property"
    return f"normalisation ({ent.source})"


def _pick_type(counter: Counter[str]) -> str:
    return min(counter.items(), key=lambda kv: (-kv[1], TYPE_ORDER.index(ConceptType(kv[0]))))[0]


def _co_occurrences(mentions: Sequence[MentionEdge]) -> tuple[CoOccursEdge, ...]:
    """Concept pairs named by the same paper, counted on compact integer keys: a pair of the
    i-th and j-th concept ids (in sorted order, i < j) is the one int i * n + j. Every pair a
    paper names goes into one int64 array, then sorted and counted (numpy): 8 bytes a pair,
    where a Counter took ~70 bytes for each distinct pair (300 MB for 4.5M pairs at 100k papers).
    """
    import numpy as np

    ordered = sorted({m.concept_id for m in mentions})
    index = {cid: i for i, cid in enumerate(ordered)}
    n = len(ordered)
    keys = array("q")
    for _, group in groupby(mentions, key=lambda m: m.paper_id):  # mentions are sorted by paper
        ids = sorted({index[m.concept_id] for m in group})
        keys.extend(i * n + j for i, j in combinations(ids, 2))
    pairs, weights = np.unique(np.frombuffer(keys, dtype=np.int64), return_counts=True)
    del keys
    edges: list[CoOccursEdge] = []
    for start in range(0, len(pairs), 65_536):  # as Python ints a slice at a time
        part = slice(start, start + 65_536)
        for key, w in zip(pairs[part].tolist(), weights[part].tolist(), strict=True):
            edges.append(CoOccursEdge(ordered[key // n], ordered[key % n], w))
    return tuple(edges)


def to_networkx(data: GraphData) -> nx.DiGraph:
    """Build the in-memory graph: nodes carry `kind` ("Paper"/"Concept") and their properties.

    Node keys come from kg.vocab (`paper:ID`, `concept:ID`); edges carry `type`.
    """
    import networkx as nx

    G = nx.DiGraph()
    for row in paper_rows(data):
        G.add_node(paper_node(str(row[KEY])), kind=PAPER, **row)
    for row in concept_rows(data):
        G.add_node(concept_node(str(row[KEY])), kind=CONCEPT, **row)
    for row in mention_rows(data):
        source, target = paper_node(str(row.pop(SOURCE))), concept_node(str(row.pop(TARGET)))
        G.add_edge(source, target, type=MENTIONS, **row)
    for row in co_occurs_rows(data):
        source, target = concept_node(str(row.pop(SOURCE))), concept_node(str(row.pop(TARGET)))
        G.add_edge(source, target, type=CO_OCCURS, **row)
    return G

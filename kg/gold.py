"""Readers for annotated gold data: abstract-view JSONL, DyGIE (SciERC) JSON and kg's paper JSONL.

Every reader yields `GoldDoc`s whose `text` is the exact string extraction should read, so that
predicted offsets and gold offsets count characters of the same string:

- abstract views (SciREX/SciERC `abstracts_*.jsonl`, TDMSci `sentences_*.jsonl`): `text` as given.
  When the record has a title and `text` starts with the title and a newline (SciREX), the title
  becomes the paper's title and the rest its abstract; otherwise all of `text` is the abstract.
- DyGIE JSON (SciERC `train.json`/`dev.json`): the tokens of all sentences joined by single spaces,
  with PTB brackets (`-LRB-`...) restored; character offsets are computed over that string.
- kg paper JSONL (`{"id", "title", "abstract", "entities": [{"name", "aliases", "type"}]}`):
  `text` is title, newline, abstract; the entities are the paper-level concepts. An entity may
  carry a `role` (proposed, used, mentioned) and its `mentions`
  (`[{"field": "title"|"abstract", "start", "end", "text"}]`, offsets into that field), as in
  `extract/eval/recent/`: when any entity of the file has mentions, the file is mention-level gold
  too, and when any has a role, every entity must have one.

Paper-level gold concepts are built from the mentions: mentions of one annotated type belong to one
concept when their `concept_key`s agree, when a coreference cluster joins them (SciERC), when one
stands in brackets right after the other ("Long Short-Term Memory (LSTM)"), or when they are
surface forms of one salient entity (SciREX).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.model import ConceptType, Paper, Role, concept_key

# Each annotated type -> the coarse class it is scored as; None marks types that are not scored.
COARSE_TYPES: dict[str, str | None] = {
    "Method": "Method",
    "Model": "Method",
    "Dataset": "Dataset/Benchmark",
    "Benchmark": "Dataset/Benchmark",
    "Material": "Dataset/Benchmark",
    "Task": "Task",
    "Metric": "Metric",
    "OtherScientificTerm": None,
    "Generic": None,
}
_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_BRACKET_OPEN = re.compile(r"\s*[(\[]\s*")
_BRACKET_CLOSE = re.compile(r"\s*[)\]]")


@dataclass(frozen=True, slots=True)
class GoldMention:
    """One annotated span of `GoldDoc.text`; `cluster` is its coreference cluster, if any."""

    start: int
    end: int
    text: str
    type: str
    cluster: int | None = None


@dataclass(frozen=True, slots=True)
class GoldConcept:
    """A concept the gold links to a paper, with every surface form it goes by there.

    `role` is how the paper relates to it, when the gold annotates roles (kg paper JSONL).
    """

    name: str
    type: str
    surface_forms: tuple[str, ...]
    role: Role | None = None

    def match_keys(self) -> frozenset[str]:
        """The `concept_key`s under which a prediction finds this concept."""
        return frozenset(concept_key(s) for s in (self.name, *self.surface_forms)) - {""}


@dataclass(frozen=True, slots=True)
class GoldDoc:
    """One annotated document.

    `text[:title_len]` is the title (the abstract starts after it and one newline); `mentions` is
    None when the gold has no mention-level annotation; `scheme` holds the types the source file
    annotates (so that a type it never annotates is not counted against a prediction); `salient`
    is None unless the source marks salient entities (SciREX); `source` is "file:line".
    """

    doc_id: str
    text: str
    mentions: tuple[GoldMention, ...] | None
    concepts: tuple[GoldConcept, ...]
    scheme: frozenset[str]
    title_len: int = 0
    salient: tuple[GoldConcept, ...] | None = None
    source: str = ""
    has_roles: bool = False

    @property
    def abstract_start(self) -> int:
        """Offset in `text` where the abstract begins."""
        return self.title_len + 1 if self.title_len else 0

    def to_paper(self) -> Paper:
        """The paper to run extraction on; its title and abstract are slices of `text`."""
        title = self.text[: self.title_len]
        return Paper(self.doc_id, title, self.text[self.abstract_start :])


def read_gold(path: Path) -> list[GoldDoc]:
    """Read any supported gold file, telling the format from its first record."""
    rows = list(_read_json_lines(path))
    if not rows:
        raise InputError(path, "no records", "check that this is the gold file you meant")
    first = rows[0][1]
    if "doc_key" in first:
        return read_dygie(path, rows)
    if "mentions" in first and ("doc_id" in first or "sent_id" in first):
        return read_abstract_view(path, rows)
    if "id" in first and "entities" in first:
        return read_kg_jsonl(path, rows)
    raise InputError(
        path,
        "cannot tell the gold format",
        "give an abstract view (doc_id/sent_id, text, mentions), DyGIE JSON (doc_key, sentences, ner) "
        "or kg JSONL (id, title, abstract, entities)",
        line=rows[0][0],
    )


def read_abstract_view(
    path: Path, rows: Sequence[tuple[int, dict[str, Any]]] = ()
) -> list[GoldDoc]:
    """SciREX/SciERC `abstracts_*.jsonl` and TDMSci `sentences_*.jsonl`."""
    parsed = []
    for line, row in rows or list(_read_json_lines(path)):
        with _record(path, line):
            text = row["text"]
            title = row.get("title") or ""
            title_len = len(title) if title and text.startswith(title + "\n") else 0
            cluster_of = {i: n for n, ids in enumerate(row.get("clusters") or ()) for i in ids}
            mentions = tuple(
                _view_mention(path, line, text, m, cluster_of.get(i))
                for i, m in enumerate(row["mentions"])
            )
            salient = None
            if "salient" in row:
                salient = tuple(
                    GoldConcept(s["name"], _type(path, line, s["type"]), tuple(s["surface_forms"]))
                    for s in row["salient"]
                )
            doc_id = str(row.get("doc_id") or row["sent_id"])
        parsed.append((line, doc_id, text, title_len, mentions, salient))
    scheme = frozenset(m.type for *_, mentions, _ in parsed for m in mentions)
    return [
        GoldDoc(
            doc_id,
            text,
            mentions,
            group_concepts(text, mentions, salient or ()),
            scheme,
            title_len=title_len,
            salient=salient,
            source=f"{path}:{line}",
        )
        for line, doc_id, text, title_len, mentions, salient in parsed
    ]


def read_dygie(path: Path, rows: Sequence[tuple[int, dict[str, Any]]] = ()) -> list[GoldDoc]:
    """SciERC in DyGIE format: tokens joined by spaces, offsets computed over that text."""
    parsed = []
    for line, row in rows or list(_read_json_lines(path)):
        with _record(path, line):
            tokens = [_PTB.get(t, t) for sentence in row["sentences"] for t in sentence]
            starts, pos = [], 0
            for token in tokens:
                starts.append(pos)
                pos += len(token) + 1
            text = " ".join(tokens)
            clusters = {
                (s, e): n for n, spans in enumerate(row.get("clusters") or ()) for s, e in spans
            }
            mentions = tuple(
                GoldMention(
                    starts[s],
                    starts[e] + len(tokens[e]),
                    text[starts[s] : starts[e] + len(tokens[e])],
                    _type(path, line, label),
                    clusters.get((s, e)),
                )
                for sentence in row["ner"]
                for s, e, label in sentence
            )
            parsed.append((line, str(row["doc_key"]), text, mentions))
    scheme = frozenset(m.type for *_, mentions in parsed for m in mentions)
    return [
        GoldDoc(
            doc_id, text, mentions, group_concepts(text, mentions), scheme, source=f"{path}:{line}"
        )
        for line, doc_id, text, mentions in parsed
    ]


def read_kg_jsonl(path: Path, rows: Sequence[tuple[int, dict[str, Any]]] = ()) -> list[GoldDoc]:
    """kg's paper JSONL: paper-level `entities`, each with an optional `role` and `mentions`."""
    rows = rows or list(_read_json_lines(path))
    entities = [e for _, row in rows for e in row.get("entities") or () if isinstance(e, dict)]
    with_mentions = any("mentions" in e for e in entities)
    with_roles = any("role" in e for e in entities)
    docs = []
    for line, row in rows:
        with _record(path, line):
            title, abstract = row.get("title") or "", row["abstract"]
            text = f"{title}\n{abstract}" if title else abstract
            concepts: list[GoldConcept] = []
            mentions: list[GoldMention] = []
            for e in row["entities"]:
                kind = _type(path, line, e["type"], kg_only=True)
                found = tuple(
                    _kg_mention(path, line, text, len(title), m, kind)
                    for m in e.get("mentions") or ()
                )
                mentions += found
                role = _role(path, line, e.get("role"), e["name"]) if with_roles else None
                forms = (*(e.get("aliases") or ()), *(m.text for m in found))
                concepts.append(GoldConcept(e["name"], kind, tuple(dict.fromkeys(forms)), role))
            docs.append(
                GoldDoc(
                    str(row["id"]),
                    text,
                    tuple(sorted(mentions, key=lambda m: (m.start, m.end)))
                    if with_mentions
                    else None,
                    tuple(concepts),
                    frozenset(ConceptType),
                    title_len=len(title),
                    source=f"{path}:{line}",
                    has_roles=with_roles,
                )
            )
    return docs


def group_concepts(
    text: str, mentions: Sequence[GoldMention], salient: Iterable[GoldConcept] = ()
) -> tuple[GoldConcept, ...]:
    """Join mentions of one type into concepts (same key, same cluster, "X (Y)", one salient entity)."""
    parent = list(range(len(mentions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        if mentions[i].type == mentions[j].type:
            parent[find(i)] = find(j)

    salient_of = {(s.type, key): n for n, s in enumerate(salient) for key in s.match_keys()}
    first: dict[tuple[str, str, object], int] = {}
    order = sorted(range(len(mentions)), key=lambda i: (mentions[i].start, mentions[i].end))
    for i in order:
        m = mentions[i]
        key = concept_key(m.text)
        tags: list[tuple[str, object]] = [("key", key), ("cluster", m.cluster)]
        if (m.type, key) in salient_of:
            tags.append(("salient", salient_of[m.type, key]))
        for tag, value in tags:
            if value is not None:
                join(i, first.setdefault((m.type, tag, value), i))
    for i, j in pairwise(order):
        gap = text[mentions[i].end : mentions[j].start]
        if _BRACKET_OPEN.fullmatch(gap) and _BRACKET_CLOSE.match(text, mentions[j].end):
            join(i, j)
    groups: dict[int, list[GoldMention]] = {}
    for i in order:
        groups.setdefault(find(i), []).append(mentions[i])
    return tuple(
        GoldConcept(group[0].text, group[0].type, tuple(dict.fromkeys(m.text for m in group)))
        for group in groups.values()
    )


def _read_json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as err:
        raise InputError(path, f"cannot open ({err.strerror})", "check the path") from None
    with handle:
        for line, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as err:
                raise InputError(
                    path, f"not valid JSON ({err.msg})", "write one JSON object per line", line=line
                ) from None
            if not isinstance(row, dict):
                raise InputError(
                    path, "not a JSON object", "write one JSON object per line", line=line
                )
            yield line, row


@contextmanager
def _record(path: Path, line: int) -> Iterator[None]:
    """Turn a missing key or a malformed value in one record into an InputError naming its line."""
    try:
        yield
    except KeyError as err:
        raise InputError(
            path, f"missing key {err.args[0]!r}", "check the gold format", line=line
        ) from None
    except (TypeError, ValueError, IndexError) as err:
        raise InputError(
            path, f"malformed record ({err})", "check the gold format", line=line
        ) from None


def _view_mention(
    path: Path, line: int, text: str, data: dict[str, Any], cluster: int | None
) -> GoldMention:
    start, end, surface = data["start_char"], data["end_char"], data["text"]
    if text[start:end] != surface:
        raise InputError(
            path,
            f"mention {surface!r} at {start}:{end} reads {text[start:end]!r} in the text",
            "fix the offsets so that text[start_char:end_char] is the mention",
            line=line,
        )
    return GoldMention(start, end, surface, _type(path, line, data["type"]), cluster)


def _kg_mention(
    path: Path, line: int, text: str, title_len: int, data: dict[str, Any], kind: str
) -> GoldMention:
    """A mention given by field and offsets into that field, as an offset into `text`."""
    field, start, end, surface = data["field"], data["start"], data["end"], data["text"]
    if field not in ("title", "abstract"):
        raise InputError(path, f"mention field {field!r}", "use 'title' or 'abstract'", line=line)
    shift = 0 if field == "title" else (title_len + 1 if title_len else 0)
    if field == "title" and end > title_len:
        raise InputError(
            path,
            f"mention {surface!r} at {start}:{end} runs past the title",
            "fix the offsets so that the field's text[start:end] is the mention",
            line=line,
        )
    if text[start + shift : end + shift] != surface:
        raise InputError(
            path,
            f"mention {surface!r} at {field} {start}:{end} reads "
            f"{text[start + shift : end + shift]!r} in the text",
            "fix the offsets so that the field's text[start:end] is the mention",
            line=line,
        )
    return GoldMention(start + shift, end + shift, surface, kind)


def _role(path: Path, line: int, value: object, name: str) -> Role:
    if value not in {str(r) for r in Role}:
        raise InputError(
            path,
            f"entity {name!r} has role {value!r}, not one of proposed, used, mentioned",
            "give every entity a role, or none of them",
            line=line,
        )
    return Role(str(value))


def _type(path: Path, line: int, label: str, *, kg_only: bool = False) -> str:
    """Normalise an annotated type ("DATASET" -> "Dataset") and refuse unknown ones."""
    name = label.title() if label.isupper() else label
    known = frozenset(ConceptType) if kg_only else COARSE_TYPES
    if name not in known:
        raise InputError(
            path,
            f"unknown type {label!r}",
            f"use one of {', '.join(sorted(known))}",
            line=line,
        )
    return name

"""The curated gazetteer: known names with their concept type, aliases and case rule."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.model import ConceptType

GAZETTEER_PATH = Path(__file__).parent / "data" / "gazetteer.jsonl"
_KEYS = frozenset({"name", "type", "aliases", "case_sensitive", "generic", "source", "note"})
# Where an entry came from: written by hand, or learned from the annotated training papers.
SOURCES = frozenset({"curated", "recent-train"})
_WORD = re.compile(r"[^\W_]+")
_FIX = "fix that line (see extract/data/README.md for the schema)"


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One known concept: display name, type, other surface forms, and whether case matters."""

    name: str
    type: ConceptType
    aliases: tuple[str, ...] = ()
    case_sensitive: bool = False
    generic: bool = False  # a broad class ("large language model"), not a specific concept
    source: str = "curated"  # one of SOURCES


def is_case_sensitive(alias: str, entry: GazetteerEntry) -> bool:
    """Tell whether `alias` must match with its exact letter case.

    True when the entry says so, or the alias has a digit, is at most 4 characters long,
    or has a word with a capital letter after its first character (an acronym or a
    CamelCase name). Title Case phrases such as "Direct Preference Optimization" match
    in any case.

    Example:
        >>> entry = GazetteerEntry("Direct Preference Optimization", ConceptType.METHOD)
        >>> [is_case_sensitive(a, entry) for a in ("DPO", "LoRA", "GPT-4", entry.name)]
        [True, True, True, False]
        >>> is_case_sensitive("Whisper", GazetteerEntry("Whisper", ConceptType.MODEL, case_sensitive=True))
        True
    """
    if entry.case_sensitive or len(alias) <= 4 or any(ch.isdigit() for ch in alias):
        return True
    return any(any(ch.isupper() for ch in word[1:]) for word in _WORD.findall(alias))


def load_gazetteer(path: Path | None = None) -> tuple[GazetteerEntry, ...]:
    """Read gazetteer entries from `path` (default: the packaged file), in file order.

    Raises `InputError` naming `path:line` when a line is not a valid entry.
    """
    if path is None:
        return _load_packaged()
    return _read(path)


@cache
def _load_packaged() -> tuple[GazetteerEntry, ...]:
    return _read(GAZETTEER_PATH)


def _read(path: Path) -> tuple[GazetteerEntry, ...]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(path, f"cannot read the gazetteer ({err.strerror})", _FIX) from err
    entries = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            entries.append(_parse(line, path, number))
    return tuple(entries)


def _parse(line: str, path: Path, number: int) -> GazetteerEntry:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(path, f"not JSON ({err.msg})", _FIX, line=number) from err
    problem = _problem(data)
    if problem:
        raise InputError(path, problem, _FIX, line=number)
    return GazetteerEntry(
        name=data["name"],
        type=ConceptType(data["type"]),
        aliases=tuple(data.get("aliases", ())),
        case_sensitive=data.get("case_sensitive", False),
        generic=data.get("generic", False),
        source=data.get("source", "curated"),
    )


def _problem(data: Any) -> str | None:
    """Say what is wrong with one parsed line, or None when it is a valid entry."""
    if not isinstance(data, dict):
        return "an entry must be a JSON object"
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        return f"unknown keys {unknown!r}"
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        return "'name' must be a non-empty string"
    if data.get("type") not in {t.value for t in ConceptType}:
        return f"'type' {data.get('type')!r} is not one of {[t.value for t in ConceptType]}"
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        return "'aliases' must be a list of non-empty strings"
    if not isinstance(data.get("case_sensitive", False), bool):
        return "'case_sensitive' must be true or false"
    if not isinstance(data.get("generic", False), bool):
        return "'generic' must be true or false"
    if data.get("source", "curated") not in SOURCES:
        return f"'source' {data.get('source')!r} is not one of {sorted(SOURCES)}"
    if not isinstance(data.get("note", ""), str):
        return "'note' must be a string"
    return None

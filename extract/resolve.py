"""Candidates of one paper -> its entities: choose among overlaps, link short forms, decide roles."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from functools import cache

from extract.candidate import SOURCE_RANK, Candidate, Taken
from extract.normalize import concept_id, singular
from kg.model import ROLE_RANK, ConceptType, Entity, Mention, Role

# "model" spans (spans="all") compete with the rules; "model-name" spans only fill gaps.
STRONG = frozenset({"gazetteer", "abbreviation", "title", "proposed", "head", "chunk", "model"})
_USE_CUES = frozenset(
    [
        "carry",
        "conduct",
        "utilize",
        "utilizes",
        "utilise",
        "exploit",
        "exploits",
        "incorporate",
        "incorporates",
        "integrate",
        "integrates",
        "combine",
        "combines",
        "rely",
        "relies",
        "equip",
        "augment",
        "replace",
        "replaces",
        "pretrain",
        "pre-train",
        "pretrained",
        "pre-trained",
        "perform",
        "performs",
        "adapt",
        "adapts",
        "adapting",
        "on",
        "using",
        "use",
        "uses",
        "used",
        "with",
        "via",
        "apply",
        "applies",
        "applied",
        "applying",
        "fine-tune",
        "fine-tunes",
        "fine-tuned",
        "fine-tuning",
        "finetune",
        "finetuned",
        "finetuning",
        "train",
        "trained",
        "training",
        "evaluate",
        "evaluates",
        "evaluated",
        "evaluating",
        "evaluation",
        "benchmark",
        "benchmarks",
        "benchmarked",
        "compare",
        "compares",
        "compared",
        "comparing",
        "outperform",
        "outperforms",
        "outperforming",
        "outperformed",
        "surpass",
        "surpasses",
        "surpassing",
        "than",
        "leverage",
        "leverages",
        "leveraging",
        "employ",
        "employs",
        "employing",
        "adopt",
        "adopts",
        "adopting",
        "based",
        "built",
        "from",
        "over",
        "against",
        "across",
        "versus",
        "vs",
        "initialized",
        "backbone",
        "atop",
        "upon",
        "into",
        "extend",
        "extends",
        "extending",
        "improve",
        "improves",
        "improving",
        "enhance",
        "enhances",
        "distill",
        "distilled",
    ]
)
_EXAMPLE_CUES = frozenset(["such", "like", "including", "include", "includes", "e.g", "eg", "i.e"])
_OURS = re.compile(r"\b(?:our|we\s+(?:call|name|dub|term))\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
_WORD = re.compile(r"[\w\-.]+")
_ROLE_WINDOW = 400  # characters before a mention that its role cues are looked for in
_URL = re.compile(r"https?://\S+|\bwww\.\S+|\b(?:github|huggingface)\.(?:com|co)/\S+")


def _overlaps(a: Candidate, taken: Sequence[tuple[int, int]]) -> bool:
    return any(a.start < end and start < a.end for start, end in taken)


def _select(cands: Iterable[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: strong before weak, then longer, then by source rank."""
    order = sorted(
        cands,
        key=lambda c: (c.source not in STRONG, -(c.end - c.start), SOURCE_RANK[c.source], c.start),
    )
    chosen: list[Candidate] = []
    taken = Taken()
    proposed = {(c.start, c.end) for c in order if c.role is Role.PROPOSED}
    for cand in order:
        if taken.free(cand.start, cand.end):
            if (cand.start, cand.end) in proposed:  # "we propose X" holds whoever names X
                cand = cand.with_role(Role.PROPOSED)
            chosen.append(cand)
            taken.add(cand.start, cand.end)
    return sorted(chosen, key=lambda c: c.start)


def _surface_map(text: str, chosen: Iterable[Candidate]) -> dict[str, Candidate]:
    """Surface forms (and defined short forms) of strong candidates -> the candidate they name."""
    forms: dict[str, Candidate] = {}
    for cand in sorted(chosen, key=lambda c: SOURCE_RANK[c.source]):
        if cand.source not in STRONG:
            continue
        for form in (text[cand.start : cand.end], *cand.aliases):
            if len(form) >= 2 and (not form.islower() or (" " in form and len(form) >= 8)):
                forms.setdefault(form, cand)
                forms.setdefault(singular(form), cand)
    return forms


def _repeats(text: str, forms: dict[str, Candidate]) -> list[Candidate]:
    """Every other occurrence of a known surface form, as a mention of the same concept."""
    found = []
    for form, cand in forms.items():
        for start, end in _occurrences(text, form):
            found.append(
                Candidate(
                    start,
                    end,
                    cand.name,
                    cand.type,
                    "repeat",
                    size=cand.size,
                    aliases=cand.aliases,
                    type_certain=cand.type_certain,
                )
            )
    return found


def _wordish(char: str) -> bool:
    return char.isalnum() or char in "_-"


def _occurrences(text: str, form: str) -> list[tuple[int, int]]:
    r"""Where `form` (or its plural in "s") stands as a word of its own: what the regex
    ``(?<![\w\-])form s?(?![\w\-])`` finds, without compiling a pattern per form.

    Example:
        >>> _occurrences("LoRA, LoRAs, QLoRA and LoRA-FA use LoRA", "LoRA")
        [(0, 4), (6, 11), (35, 39)]
    """
    out = []
    n = len(form)
    at = text.find(form)
    while at >= 0:
        end = at + n
        if at == 0 or not _wordish(text[at - 1]):
            if text[end : end + 1] == "s" and not _wordish(text[end + 1 : end + 2] or " "):
                out.append((at, end + 1))
                at = text.find(form, end + 1)
                continue
            if not _wordish(text[end : end + 1] or " "):
                out.append((at, end))
                at = text.find(form, end)
                continue
        at = text.find(form, at + 1)
    return out


def _outside_urls(text: str, cands: Iterable[Candidate]) -> list[Candidate]:
    urls = [(m.start(), m.end()) for m in _URL.finditer(text)]
    return [c for c in cands if not _overlaps(c, urls)]


def _similar(a: str, b: str) -> bool:
    return (
        concept_id(a) == concept_id(b) or SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.8
    )


@cache
def _known_forms() -> dict[str, tuple[str, ...]]:
    from extract.gazetteer import load_gazetteer

    return {e.name: (e.name, *e.aliases) for e in load_gazetteer()}


def _agrees(long_form: str, gazetteer_name: str) -> bool:
    """True when a paper's long form means the gazetteer entry (its name or any alias)."""
    forms = _known_forms().get(gazetteer_name, (gazetteer_name,))
    return any(_similar(long_form, form) for form in forms)


def _prefer_own_definitions(text: str, cands: list[Candidate]) -> list[Candidate]:
    """A paper's "long form (SHORT)" beats the gazetteer's meaning of SHORT, unless they agree.

    When they agree loosely ("low-rank adaption (LoRA)"), the pair takes the gazetteer's name.
    """
    gaz = {(c.start, c.end): c for c in cands if c.source == "gazetteer"}
    renamed: dict[str, Candidate] = {}
    dropped: set[tuple[int, int]] = set()
    for cand in cands:
        if cand.source != "abbreviation" or text[cand.start : cand.end] not in cand.aliases:
            continue
        known = gaz.get((cand.start, cand.end))
        if known is None:
            continue
        if _agrees(cand.name, known.name):
            renamed[cand.name] = known
        else:
            dropped.add((cand.start, cand.end))
    out = []
    for cand in cands:
        if cand.source == "gazetteer" and (cand.start, cand.end) in dropped:
            continue
        if cand.source == "abbreviation" and cand.name in renamed:
            known = renamed[cand.name]
            cand = replace(cand, name=known.name, type=known.type, type_certain=True)
        out.append(cand)
    return out


def resolve(text: str, title_len: int, candidates: Iterable[Candidate]) -> list[Candidate]:
    """Final mentions of one paper: overlaps chosen, short forms linked, roles set."""
    cands = _prefer_own_definitions(text, _outside_urls(text, candidates))
    strong = _select(c for c in cands if c.source in STRONG)
    forms = _surface_map(text, strong)
    weak = [c for c in cands if c.source not in STRONG and text[c.start : c.end] not in forms]
    chosen = _select([*strong, *_repeats(text, forms), *weak])
    return [c.with_role(_role(text, title_len, c)) for c in chosen]


def _role(text: str, title_len: int, cand: Candidate) -> Role:
    if cand.role is Role.PROPOSED:
        return Role.PROPOSED
    window = max(0, cand.start - _ROLE_WINDOW)  # the cues sit in the last few words
    sentence_start = max(
        (m.end() for m in _SENTENCE_END.finditer(text, window, cand.start)), default=window
    )
    before = text[sentence_start : cand.start]
    if _OURS.search(before):
        return Role.PROPOSED
    if cand.start < title_len:
        return Role.USED
    words = [w.lower().strip(".") for w in _WORD.findall(before)[-8:]]
    if any(w in _EXAMPLE_CUES for w in words[-3:]):
        return Role.MENTIONED  # "such as X", "e.g. X": background examples
    if any(w in _USE_CUES for w in words):
        return Role.USED
    if cand.type in (ConceptType.DATASET, ConceptType.BENCHMARK, ConceptType.METRIC):
        return Role.USED
    return Role.MENTIONED


def to_entities(cands: Iterable[Candidate], *, text: str, title_len: int) -> tuple[Entity, ...]:
    """Group mentions by concept; the strongest source names and types the concept."""
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for cand in cands:
        groups[concept_id(cand.name)].append(cand)
    entities = []
    for cid, group in groups.items():
        best = min(group, key=lambda c: (not c.type_certain, SOURCE_RANK[c.source], c.start))
        role = min((c.role for c in group), key=ROLE_RANK.__getitem__)
        surfaces = {text[c.start : c.end] for c in group} | {a for c in group for a in c.aliases}
        mentions = tuple(_mention(text, title_len, c) for c in sorted(group, key=lambda c: c.start))
        entities.append(
            Entity(
                concept_id=cid,
                name=best.name,
                type=best.type,
                role=role,
                mentions=mentions,
                aliases=tuple(sorted(surfaces - {best.name})),
                size=next((c.size for c in group if c.size), None),
                generic=best.generic,
                source=best.source,
            )
        )
    return tuple(
        sorted(entities, key=lambda e: (e.mentions[0].field != "title", _first(e), e.name))
    )


def _first(ent: Entity) -> int:
    return ent.mentions[0].start


def _mention(text: str, title_len: int, cand: Candidate) -> Mention:
    surface = text[cand.start : cand.end]
    if cand.start < title_len:
        return Mention(surface, cand.start, cand.end, "title")
    offset = title_len + 2
    return Mention(surface, cand.start - offset, cand.end - offset, "abstract")

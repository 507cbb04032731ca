"""Paper-level clean-up of the chosen mentions: the specific concept over the broad class.

ANNOTATION.md: "When the text uses a broad class as another name for a specific concept
("large language models (LMs)"), list the specific concept only." A broad class is a gazetteer
entry marked `generic` ("language model", "large language model", "vision-language model"); when
the same paper names a more specific concept whose name ends with it ("large language model",
"multimodal large language model"), the broad class's mentions become mentions of that concept.

A short form of one longer name: ANNOTATION.md's "one entry per concept per paper". A chosen name
whose words begin or end exactly one longer chosen name of the same paper ("SomaliBench" and
"SomaliBench Eval", "Exoskeleton Reasoning" and "Directed Exoskeleton Reasoning", "super-resolution"
and "image super-resolution") is that concept's short form, and its mentions become that
concept's. Established terms stay their own concepts ("fine-tuning" beside "parameter-efficient
fine-tuning": a gazetteer entry or an abbreviation), and so do acronyms and forms that begin or end
two longer names ("Llama" beside "Llama 2" and "Llama 3"). On the 5,831 training papers (5-fold,
held out): typed F1 0.642 -> 0.645, precision 0.651 -> 0.661; ignoring type 0.720 -> 0.724.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from extract.candidate import Candidate

BROAD_CLASS_RULE = True  # train_decider.py measures the pipeline without the paper-level rules
_ESTABLISHED = frozenset({"gazetteer", "abbreviation"})


def clean(text: str, title_len: int, chosen: Sequence[Candidate]) -> list[Candidate]:
    """The mentions of one paper after the paper-level rules.

    Example:
        >>> from kg.model import ConceptType as T
        >>> llm = Candidate(0, 3, "large language model", T.MODEL, "gazetteer", generic=True)
        >>> lm = Candidate(9, 11, "language model", T.MODEL, "gazetteer", generic=True)
        >>> [c.name for c in clean("LLMs and LMs", 0, [llm, lm])]
        ['large language model', 'large language model']
    """
    if not BROAD_CLASS_RULE:
        return list(chosen)
    return _short_into_long(_specific_over_broad(chosen))


def _specific_over_broad(chosen: Sequence[Candidate]) -> list[Candidate]:
    names = {c.name.lower(): c for c in chosen}
    out = []
    for cand in chosen:
        if cand.generic:
            own = cand.name.lower()
            specific = [
                c for name, c in names.items() if name.endswith(" " + own) and c.type is cand.type
            ]
            if specific:
                # the shortest more specific name: "large language model" before "multimodal ..."
                target = min(specific, key=lambda c: (len(c.name), c.name))
                cand = replace(
                    cand,
                    name=target.name,
                    aliases=target.aliases,
                    generic=target.generic,
                    source=target.source if cand.source == "repeat" else cand.source,
                )
        out.append(cand)
    return out


def _short_into_long(chosen: Sequence[Candidate]) -> list[Candidate]:
    """Each short form's mentions as mentions of the one longer name it begins or ends.

    Example:
        >>> from kg.model import ConceptType as T
        >>> long = Candidate(0, 16, "SomaliBench Eval", T.BENCHMARK, "title")
        >>> short = Candidate(30, 41, "SomaliBench", T.DATASET, "chunk")
        >>> [(c.name, c.type.value) for c in _short_into_long([long, short])]
        [('SomaliBench Eval', 'Benchmark'), ('SomaliBench Eval', 'Benchmark')]
    """
    names: dict[str, Candidate] = {}
    kept: set[str] = set()  # established terms, acronyms and broad classes: never folded
    for cand in chosen:
        names.setdefault(cand.name, cand)
        if cand.generic or cand.source in _ESTABLISHED or cand.name.replace("-", "").isupper():
            kept.add(cand.name)
    words = {name: name.lower().split() for name in names if name.strip()}
    # first and last word -> the names they begin or end: no scan of every pair of names
    by_end: dict[str, list[str]] = defaultdict(list)
    for name, ws in words.items():
        by_end[ws[0]].append(name)
        if ws[-1] != ws[0]:
            by_end[ws[-1]].append(name)
    target: dict[str, Candidate] = {}
    for short, short_words in words.items():
        if short in kept:
            continue
        n = len(short_words)
        longer = {
            name
            for name in (*by_end[short_words[0]], *by_end[short_words[-1]])
            if len(words[name]) > n
            and (words[name][:n] == short_words or words[name][-n:] == short_words)
        }
        if len(longer) == 1:
            target[short] = names[longer.pop()]
    for short, into in target.items():  # "Replay" -> "Generative Replay" -> "... mechanism"
        seen = {short}
        while into.name in target and into.name not in seen:
            seen.add(into.name)
            into = target[into.name]
        target[short] = into
    out = []
    for cand in chosen:
        to = target.get(cand.name)
        if to is not None:
            cand = replace(cand, name=to.name, aliases=to.aliases, type=to.type, generic=to.generic)
        out.append(cand)
    return out
